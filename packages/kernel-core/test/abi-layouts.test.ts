import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Field, netbsd_10_99, type StructMeta, structFields } from '../src/abi/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const shared = join(repoRoot, '..', 'shared', 'netbsd');
const haveFacts = existsSync(join(shared, 'struct-layouts.json'));

interface JsonMember {
  name: string | null;
  offset: number;
  size: number;
  type: string;
  bit_offset?: number;
  bit_size?: number;
  anon_members?: JsonMember[];
}
interface JsonStruct {
  byte_size: number;
  members: JsonMember[];
}

function facts(): Map<string, JsonStruct> {
  const m = new Map<string, JsonStruct>();
  for (const file of ['struct-layouts.json', 'struct-layouts-kernel.json']) {
    const d = JSON.parse(readFileSync(join(shared, file), 'utf8')) as Record<string, JsonStruct>;
    for (const [k, v] of Object.entries(d)) m.set(k.replace(/^(struct|union) /, ''), v);
  }
  return m;
}

function compare(path: string, ours: Record<string, Field>, theirs: JsonMember[], out: string[]) {
  const seen = new Set<string>();
  // C11 anonymous members (name null) put their members into the enclosing struct.
  const flat = (ms: JsonMember[]): JsonMember[] =>
    ms.flatMap((m) => (m.name === null ? flat(m.anon_members ?? []) : [m]));
  for (const t of flat(theirs)) {
    if (t.name === null) continue;
    seen.add(t.name);
    const o = ours[t.name];
    const where = `${path}.${t.name}`;
    if (!o) {
      out.push(`${where}: missing`);
      continue;
    }
    if (o.offset !== t.offset) out.push(`${where}: offset ${o.offset} != ${t.offset}`);
    if (o.size !== t.size) out.push(`${where}: size ${o.size} != ${t.size}`);
    if (o.ctype !== t.type) out.push(`${where}: type ${o.ctype} != ${t.type}`);
    if (t.bit_size !== undefined && (o.bits?.[0] !== t.bit_offset || o.bits?.[1] !== t.bit_size))
      out.push(`${where}: bit-field ${o.bits} != ${t.bit_offset},${t.bit_size}`);
    if (t.anon_members) compare(where, (o.m ?? {}) as Record<string, Field>, t.anon_members, out);
  }
  for (const k of Object.keys(ours)) if (!seen.has(k)) out.push(`${path}.${k}: not in the facts`);
}

describe('NetBSD 10.99 struct layouts', () => {
  const S = netbsd_10_99.structs;
  const all = Object.values(S) as StructMeta[];

  it('has the layouts the kernel and the VFS need', () => {
    for (const name of [
      'lwp',
      'proc',
      'cpu_info',
      'kauth_cred',
      'modinfo',
      'vnode',
      'vnode_impl',
      'mount',
      'buf',
      'uio',
      'iovec',
      'vattr',
      'componentname',
      'vfsops',
      'vnodeopv_desc',
      'vnodeopv_entry_desc',
      'vnodeop_desc',
      'uvm_object',
      'vm_page',
      'genfs_node',
      'timespec',
      'timeval',
      'kmutex',
      'krwlock',
      'kcondvar',
      'pool',
      'pool_cache',
      'sysctlnode',
      'evcnt',
      'statvfs',
      'stat',
      'dirent',
    ]) {
      expect(all.some((s) => s.$name === name)).toBe(true);
    }
  });

  it('knows the offsets module code has compiled in', () => {
    expect(S.lwp.l_proc.offset).toBe(0x1a8);
    expect(S.lwp.l_cred.offset).toBe(0x2d8);
    expect(S.lwp.l_ru.offset + S.rusage.ru_inblock.offset).toBe(0x370);
    expect(S.proc.p_pid.offset).toBe(0xa8);
    expect(S.proc.p_comm.offset).toBe(0x299);
    expect(S.vnode.$size).toBe(256);
    expect(S.vnode_impl.$size).toBe(576);
    expect(S.mount.$size).toBe(3456);
    expect(S.vnode.v_un.m.vu_mountedhere.offset).toBe(160);
  });

  it.skipIf(!haveFacts)(
    'matches every offset, size and type in ../shared/netbsd (skipped when that folder is absent)',
    () => {
      const ref = facts();
      const problems: string[] = [];
      for (const s of all) {
        const t = ref.get(s.$name);
        if (!t) {
          problems.push(`${s.$name}: not in the facts`);
          continue;
        }
        if (s.$size !== t.byte_size) problems.push(`${s.$name}: size ${s.$size} != ${t.byte_size}`);
        compare(s.$name, Object.fromEntries(structFields(s)), t.members, problems);
      }
      expect(problems).toEqual([]);
    },
  );
});

describe('module_compatible', () => {
  it('wants an exact match on -current and the same major.minor on a release', async () => {
    const { moduleCompatible, formatVersion } = await import('../src/abi/index.js');
    expect(moduleCompatible(1099001200, 1099001200)).toBe(true);
    expect(moduleCompatible(1099001200, 1099001100)).toBe(false);
    expect(moduleCompatible(1001000000, 1001000300)).toBe(true);
    expect(moduleCompatible(1001000000, 1002000000)).toBe(false);
    expect(moduleCompatible(1001000000, 900000000)).toBe(false);
    expect(formatVersion(1099001200)).toBe('10.99.12');
    expect(formatVersion(1001000000)).toBe('10.1');
  });
});
