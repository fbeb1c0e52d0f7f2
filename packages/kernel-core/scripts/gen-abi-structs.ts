/**
 * One-time generator: turns NetBSD's struct layouts as read from DWARF
 * (../shared/netbsd/struct-layouts*.json) into the project's own TypeScript layout data under
 * src/abi/netbsd-10.99/structs/. The output is committed and edited as ours from then on;
 * the layout test keeps checking it against the reference facts.
 *
 *   pnpm exec tsx scripts/gen-abi-structs.ts [path/to/shared/netbsd]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  name: string;
  kind: 'struct' | 'union';
  byte_size: number;
  members: JsonMember[];
}

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.argv[2] ?? join(here, '..', '..', '..', '..', 'shared', 'netbsd');
const outDir = join(here, '..', 'src', 'abi', 'netbsd-10.99', 'structs');

/** Which structs go in which file, grouped by NetBSD subsystem. */
const GROUPS: Record<string, { doc: string; structs: string[] }> = {
  proc: {
    doc: 'Threads, processes, CPUs and credentials (sys/lwp.h, sys/proc.h, sys/cpu_data.h, kern_auth.c).',
    structs: [
      'lwp',
      'proc',
      'cpu_info',
      'cpu_data',
      'schedstate_percpu',
      'kauth_cred',
      'rusage',
      'plimit',
      'rlimit',
      'pstats',
      'mdlwp',
      'mdproc',
    ],
  },
  sync: {
    doc: 'Locks and condition variables (sys/mutex.h, sys/rwlock.h, sys/condvar.h).',
    structs: ['kmutex', 'krwlock', 'kcondvar'],
  },
  time: {
    doc: 'Time values (sys/time.h, sys/timespec.h).',
    structs: ['timespec', 'timeval', 'bintime'],
  },
  kern: {
    doc: 'Modules, sysctl, event counters, pools, work queues, callouts, varargs (sys/module.h, sys/sysctl.h, sys/evcnt.h, sys/pool.h ...).',
    structs: [
      'modinfo',
      'module',
      'modctl_load',
      'modstat',
      'sysctlnode',
      'evcnt',
      'pool',
      'pool_cache',
      'pool_allocator',
      'work',
      'callout',
      '__va_list_tag',
      'rb_tree',
      'rb_node',
      'radix_tree',
      'selinfo',
      'klist',
    ],
  },
  vfs: {
    doc: 'Vnodes, mounts and the VFS interfaces modules see (sys/vnode.h, vnode_impl.h, sys/mount.h, sys/namei.h, sys/uio.h ...).',
    structs: [
      'vnode',
      'vnode_impl',
      'vcache_key',
      'vnodelst',
      'vnode_klist',
      'mount',
      'statvfs',
      'vattr',
      'componentname',
      'pathbuf',
      'nameidata',
      'vfsops',
      'vnodeopv_desc',
      'vnodeopv_entry_desc',
      'vnodeop_desc',
      'uio',
      'iovec',
      'dirent',
      'stat',
      'fid',
      'ufs_args',
      'flock',
      'specnode',
      'specdev',
      'wapbl_ops',
      'acl',
      'acl_entry',
      'oldacl',
      'oldacl_entry',
    ],
  },
  buf: {
    doc: 'The buffer cache and block devices (sys/buf.h, sys/conf.h, sys/disk.h, sys/disklabel.h).',
    structs: [
      'buf',
      'buflists',
      'bdevsw',
      'disk',
      'disk_geom',
      'dkwedge_info',
      'disklabel',
      'partition',
    ],
  },
  uvm: {
    doc: 'Pages, objects and the page cache interfaces (uvm/uvm_object.h, uvm/uvm_page.h, miscfs/genfs).',
    structs: [
      'uvm_object',
      'uvm_pagerops',
      'vm_page',
      'vm_page_md',
      'uvm',
      'uvmexp',
      'genfs_node',
      'genfs_ops',
    ],
  },
  vop: {
    doc: 'Argument blocks of the vnode operations (sys/vnode_if.h): VOP_*() builds one, the vector slot receives its address.',
    structs: [],
  },
};

function load(file: string): Record<string, JsonStruct> {
  return JSON.parse(readFileSync(join(shared, file), 'utf8')) as Record<string, JsonStruct>;
}
const all: Record<string, JsonStruct> = { ...load('struct-layouts.json'), ...load('struct-layouts-kernel.json') };
GROUPS.vop!.structs = Object.keys(all)
  .filter((k) => k.startsWith('struct vop_') && k.endsWith('_args'))
  .map((k) => k.slice('struct '.length))
  .sort();

const q = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

function member(m: JsonMember, indent: string): string {
  // A C11 anonymous struct/union: its members are members of the enclosing struct, as in C.
  if (m.name === null) return (m.anon_members ?? []).map((a) => member(a, indent)).join('');
  const key = /^[A-Za-z_$][\w$]*$/.test(m.name) ? m.name : q(m.name);
  if (m.bit_size !== undefined) {
    return `${indent}${key}: bf(${m.offset}, ${m.size}, ${q(m.type)}, ${m.bit_offset}, ${m.bit_size}),\n`;
  }
  if (m.anon_members?.length) {
    let s = `${indent}${key}: f(${m.offset}, ${m.size}, ${q(m.type)}, {\n`;
    for (const a of m.anon_members) s += member(a, `${indent}  `);
    return `${s}${indent}}),\n`;
  }
  return `${indent}${key}: f(${m.offset}, ${m.size}, ${q(m.type)}),\n`;
}

for (const [group, { doc, structs }] of Object.entries(GROUPS)) {
  let src = `/**\n * ${doc}\n * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.\n */\n`;
  const usesBf = structs.some((n) => JSON.stringify(all[`struct ${n}`]).includes('bit_size'));
  src += `import { ${usesBf ? 'bf, ' : ''}f, struct } from '../../layout.js';\n`;
  for (const name of structs) {
    const s = all[`struct ${name}`] ?? all[`union ${name}`];
    if (!s) throw new Error(`no layout for ${name} in ${shared}`);
    const id = name.replace(/^__/, '');
    src += `\nexport const ${id} = struct(${q(s.name)}, ${s.byte_size}, {\n`;
    for (const m of s.members) src += member(m, '  ');
    src += `}${s.kind === 'union' ? ", 'union'" : ''});\n`;
  }
  writeFileSync(join(outDir, `${group}.ts`), src);
  console.log(`${group}.ts: ${structs.length} structs`);
}
