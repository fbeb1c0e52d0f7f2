/**
 * Kernel functions that file systems beyond ffs import (msdosfs, cd9660, ext2fs), called through
 * the CPU as modules call them: rb_tree(3), clock_ymdhms, strncasecmp, kheapsort, snprintb,
 * eopnotsupp, kauth_cred_uidmatch, vtype2dt, vfs_getnewfsid, kernel_pmap_ptr, and
 * vfs_unixify_accmode's rules.
 */
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import { createKernel, type Kernel } from '../src/index.js';
import { snprintbText } from '../src/kern/libkern_extra.js';
import { secsToYmdhms, ymdhmsToSecs } from '../src/kern/subr_clock.js';
import {
  unixifyAccmode,
  VDELETE,
  VEXPLICIT_DENY,
  VREAD_ATTRIBUTES,
  VWRITE_ACL,
} from '../src/miscfs/genfs/genfs_vnops_extra.js';
import { makefstype } from '../src/vfs/vfs_vnode_rekey.js';

/** A kernel with two test comparison functions: u64 keys at offset 0 of each object. */
function boot(): Kernel {
  return createKernel({
    host: new MemoryHost(),
    extend: (k) => {
      const key = (a: bigint) => BigInt.asIntN(64, k.mem.read64(a));
      const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
      // (ctx, a, b): ctx counts the calls, as a module's context pointer could.
      k.ksyms.function('test_cmp_nodes', 'test', (cpu) => {
        k.mem.write64(cpu.arg(0), k.mem.read64(cpu.arg(0)) + 1n);
        return BigInt.asUintN(64, BigInt(cmp(key(cpu.arg(1)), key(cpu.arg(2)))));
      });
      k.ksyms.function('test_cmp_key', 'test', (cpu) => {
        k.mem.write64(cpu.arg(0), k.mem.read64(cpu.arg(0)) + 1n);
        return BigInt.asUintN(
          64,
          BigInt(cmp(key(cpu.arg(1)), BigInt.asIntN(64, k.mem.read64(cpu.arg(2))))),
        );
      });
      // kheapsort's comparison: (a, b) on u32 values, descending.
      k.ksyms.function('test_cmp_desc', 'test', (cpu) => {
        const a = k.mem.read32(cpu.arg(0));
        const b = k.mem.read32(cpu.arg(1));
        return BigInt.asUintN(64, BigInt(b - a));
      });
    },
  });
}

const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  k.callGuest(k.ksyms.resolve(name)!, ...args);

describe('clock_ymdhms (dev/clock_subr.c)', () => {
  it('agrees with the host calendar across leap years and centuries', () => {
    for (const iso of [
      '1970-01-01T00:00:00Z',
      '1999-12-31T23:59:59Z',
      '2000-02-29T12:34:56Z',
      '2001-01-01T00:00:00Z',
      '2024-02-29T00:00:01Z',
      '2025-01-11T00:00:00Z',
      '2100-03-01T06:07:08Z',
      '2400-02-29T23:00:00Z',
    ]) {
      const d = new Date(iso);
      const secs = d.getTime() / 1000;
      const dt = secsToYmdhms(secs)!;
      expect(dt).toEqual({
        year: d.getUTCFullYear(),
        mon: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        wday: d.getUTCDay(),
        hour: d.getUTCHours(),
        min: d.getUTCMinutes(),
        sec: d.getUTCSeconds(),
      });
      expect(ymdhmsToSecs(dt)).toBe(secs);
    }
    expect(secsToYmdhms(-1)).toBeUndefined();
    expect(ymdhmsToSecs({ year: 1969, mon: 12, day: 31, wday: 0, hour: 0, min: 0, sec: 0 })).toBe(
      -1,
    );
  });

  it('reads and writes struct clock_ymdhms in guest memory', () => {
    const k = boot();
    const dt = k.kdata.allocate(16);
    expect(call(k, 'clock_secs_to_ymdhms', 1736553600n + 3661n, dt)).toBe(0n);
    expect(k.mem.read64(dt)).toBe(2025n);
    expect([...k.mem.read(dt + 8n, 6)]).toEqual([1, 11, 6, 1, 1, 1]);
    expect(call(k, 'clock_ymdhms_to_secs', dt)).toBe(1736553600n + 3661n);
    expect(call(k, 'clock_secs_to_ymdhms', BigInt.asUintN(64, -5n), dt)).toBe(BigInt(errno.EINVAL));
  });
});

describe("rb_tree (sys/rbtree.h) with the caller's comparisons", () => {
  it('inserts, finds, iterates both ways and removes', () => {
    const k = boot();
    const m = k.mem;
    const ctx = k.kdata.allocate(8);
    // rb_tree_ops_t { compare_nodes, compare_key, node_offset 8, context }
    const ops = k.kdata.allocate(32);
    m.write64(ops, k.ksyms.resolve('test_cmp_nodes')!);
    m.write64(ops + 8n, k.ksyms.resolve('test_cmp_key')!);
    m.write64(ops + 16n, 8n);
    m.write64(ops + 24n, ctx);
    const rbt = k.kdata.allocate(32);
    call(k, 'rb_tree_init', rbt, ops);
    const LEFT = 0;
    const RIGHT = 1;
    expect(call(k, 'rb_tree_iterate', rbt, 0n, LEFT)).toBe(0n);
    const objs = new Map<number, bigint>();
    for (const v of [50, 10, 40, 20, 30]) {
      const o = k.kdata.allocate(40);
      m.write64(o, BigInt(v));
      objs.set(v, o);
      expect(call(k, 'rb_tree_insert_node', rbt, o)).toBe(o);
    }
    // A duplicate key gives back the object already there.
    const dup = k.kdata.allocate(40);
    m.write64(dup, 30n);
    expect(call(k, 'rb_tree_insert_node', rbt, dup)).toBe(objs.get(30));
    // rbt_root and rbt_minmax point at nodes (object + node offset).
    expect(m.read64(rbt)).not.toBe(0n);
    expect(m.read64(rbt + 16n)).toBe(objs.get(10)! + 8n);
    expect(m.read64(rbt + 24n)).toBe(objs.get(50)! + 8n);
    const key = k.kdata.allocate(8);
    const find = (name: string, v: number) => {
      m.write64(key, BigInt(v));
      return call(k, name, rbt, key);
    };
    expect(find('rb_tree_find_node', 40)).toBe(objs.get(40));
    expect(find('rb_tree_find_node', 35)).toBe(0n);
    expect(find('rb_tree_find_node_geq', 35)).toBe(objs.get(40));
    expect(find('rb_tree_find_node_geq', 30)).toBe(objs.get(30));
    expect(find('rb_tree_find_node_geq', 51)).toBe(0n);
    expect(find('rb_tree_find_node_leq', 35)).toBe(objs.get(30));
    expect(find('rb_tree_find_node_leq', 9)).toBe(0n);
    const walk = (dir: number) => {
      const out: number[] = [];
      for (
        let o = call(k, 'rb_tree_iterate', rbt, 0n, dir);
        o !== 0n;
        o = call(k, 'rb_tree_iterate', rbt, o, dir ^ 1)
      )
        out.push(Number(m.read64(o)));
      return out;
    };
    // RB_TREE_MIN is iterate(NULL, LEFT); RB_TREE_NEXT is iterate(n, RIGHT).
    expect(walk(LEFT)).toEqual([10, 20, 30, 40, 50]);
    expect(walk(RIGHT)).toEqual([50, 40, 30, 20, 10]);
    call(k, 'rb_tree_remove_node', rbt, objs.get(30)!);
    expect(walk(LEFT)).toEqual([10, 20, 40, 50]);
    expect(m.read64(ctx)).toBeGreaterThan(0n);
    for (const v of [10, 20, 40, 50]) call(k, 'rb_tree_remove_node', rbt, objs.get(v)!);
    expect(m.read64(rbt)).toBe(0n);
    expect(() => call(k, 'rb_tree_remove_node', rbt, objs.get(10)!)).toThrow(/not in the tree/);
  });
});

describe('libkern additions', () => {
  it('strncasecmp compares ASCII without case, up to n bytes', () => {
    const k = boot();
    const s = (t: string) => k.kdata.string(t);
    const r = (a: string, b: string, n: number) =>
      Number(BigInt.asIntN(64, call(k, 'strncasecmp', s(a), s(b), n)));
    expect(r('README.TXT', 'readme.txt', 10)).toBe(0);
    expect(r('abc', 'ABD', 2)).toBe(0);
    expect(r('abc', 'ABD', 3)).toBeLessThan(0);
    expect(r('b', 'A', 1)).toBeGreaterThan(0);
    expect(r('ab', 'abc', 5)).toBeLessThan(0);
  });

  it("kheapsort orders elements by the caller's comparison", () => {
    const k = boot();
    const vals = [5, 1, 9, 3, 7, 2];
    const base = k.kdata.allocate(8 * vals.length);
    vals.forEach((v, i) => {
      k.mem.write32(base + BigInt(8 * i), v);
      k.mem.write32(base + BigInt(8 * i + 4), 100 + v); // the rest of each element moves with it
    });
    const tmp = k.kdata.allocate(8);
    expect(call(k, 'kheapsort', base, vals.length, 8, k.ksyms.resolve('test_cmp_desc')!, tmp)).toBe(
      0n,
    );
    const out = vals.map((_, i) => [
      k.mem.read32(base + BigInt(8 * i)),
      k.mem.read32(base + BigInt(8 * i + 4)),
    ]);
    expect(out).toEqual([9, 7, 5, 3, 2, 1].map((v) => [v, 100 + v]));
  });

  it('snprintb describes bits (old-style format) and truncates like snprintf', () => {
    const desc = [0o20, 1, ...Buffer.from('ONE'), 3, ...Buffer.from('THREE')];
    expect(snprintbText(desc, 5n)).toBe('0x5<ONE,THREE>');
    expect(snprintbText(desc, 2n)).toBe('0x2');
    expect(snprintbText([10, 2, ...Buffer.from('B')], 2n)).toBe('2<B>');
    expect(snprintbText([0o177, 0o20], 1n)).toBeUndefined();
    const k = boot();
    const fmt = k.kdata.allocate(64);
    k.mem.write(fmt, new Uint8Array([...desc, 0]));
    const buf = k.kdata.allocate(32);
    expect(call(k, 'snprintb', buf, 32, fmt, 5n)).toBe(14n);
    expect(k.mem.readCString(buf)).toBe('0x5<ONE,THREE>');
    expect(call(k, 'snprintb', buf, 6, fmt, 5n)).toBe(14n);
    expect(k.mem.readCString(buf)).toBe('0x5<O');
  });
});

describe('small kernel objects', () => {
  it('eopnotsupp, vtype2dt, kernel_pmap_ptr', () => {
    const k = boot();
    expect(call(k, 'eopnotsupp')).toBe(BigInt(errno.EOPNOTSUPP));
    // VREG VDIR VLNK VFIFO -> DT_REG DT_DIR DT_LNK DT_FIFO
    expect([1, 2, 5, 7, 0].map((t) => Number(call(k, 'vtype2dt', t)))).toEqual([8, 4, 10, 1, 0]);
    const pmap = k.mem.read64(k.ksyms.resolve('kernel_pmap_ptr')!);
    expect(pmap).not.toBe(0n);
    expect(k.mem.read64(k.vmspaceKernel)).toBe(pmap); // VMSPACE_IS_KERNEL_P(vmspace_kernel())
  });

  it('kauth_cred_uidmatch matches real or effective uids either way', () => {
    const k = boot();
    const C = k.S.kauth_cred;
    const cred = (uid: number, euid: number) => {
      const c = k.kdata.allocate(C.$size);
      k.mem.write32(c + BigInt(C.cr_uid.offset), uid);
      k.mem.write32(c + BigInt(C.cr_euid.offset), euid);
      return c;
    };
    expect(call(k, 'kauth_cred_uidmatch', cred(1, 2), cred(2, 3))).toBe(1n);
    expect(call(k, 'kauth_cred_uidmatch', cred(1, 2), cred(3, 1))).toBe(1n);
    expect(call(k, 'kauth_cred_uidmatch', cred(1, 2), cred(3, 4))).toBe(0n);
  });

  it('vfs_getnewfsid: makefstype of the vfs name, distinct ids for two mounts', () => {
    expect(makefstype('ffs')).toBe(
      (BigInt('f'.charCodeAt(0)) << 4n) ^
        (BigInt('f'.charCodeAt(0)) << 2n) ^
        BigInt('s'.charCodeAt(0)),
    );
    const k = boot();
    const ops = k.kdata.allocate(k.S.vfsops.$size);
    k.mem.write64(ops + BigInt(k.S.vfsops.vfs_name.offset), k.kdata.string('msdos'));
    const fsidx = BigInt(k.S.mount.mnt_stat.offset + k.S.statvfs.f_fsidx.offset);
    const mount = () => {
      const mp = k.kdata.allocate(k.S.mount.$size);
      k.mem.write64(mp + BigInt(k.S.mount.mnt_op.offset), ops);
      call(k, 'vfs_getnewfsid', mp);
      return [k.mem.read32(mp + fsidx), k.mem.read32(mp + fsidx + 4n)];
    };
    const a = mount();
    const b = mount();
    expect(a[1]).toBe(Number(BigInt.asUintN(32, makefstype('msdos'))));
    expect(b[1]).toBe(a[1]);
    expect(b[0]).not.toBe(a[0]);
  });

  it('vfs_unixify_accmode folds NFSv4 bits as NetBSD does', () => {
    expect(unixifyAccmode(VEXPLICIT_DENY | 0o400)).toEqual({ error: 0, accmode: 0 });
    expect(unixifyAccmode(VDELETE).error).toBe(errno.EPERM);
    expect(unixifyAccmode(VWRITE_ACL | 0o400)).toEqual({ error: 0, accmode: 0o10000 | 0o400 });
    expect(unixifyAccmode(VREAD_ATTRIBUTES)).toEqual({ error: 0, accmode: 0 });
  });
});
