/**
 * The Kva (number) forms of the VFS hot paths: the same guest-visible behaviour as the BigInt
 * API — args blocks, fstrans brackets, lock words, pooled namei buffers, guest arguments.
 */
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../src/index.js';
import { argKva, argS64, argStack, argStackLo } from '../src/kern/hostcall.js';
import { kvaBig, kvaOf } from '../src/kern/kva.js';
import { VOP } from '../src/vfs/vnode_if.js';

const NOCRED = 0xffff_ffff_ffff_ffffn;

function vnodeWith(k: ReturnType<typeof createKernel>, slots: Record<number, bigint>): bigint {
  const vector = k.kmem.alloc(8 * 55, 1, true);
  for (const [off, fn] of Object.entries(slots))
    k.mem.write64(vector + BigInt(8 * Number(off)), fn);
  const vp = k.kmem.alloc(k.S.vnode_impl.$size, 1, true);
  k.vfs.vn.setOp(vp, vector);
  k.vfs.vn.setUsecount(vp, 1);
  return vp;
}

describe('Kva VOP calls', () => {
  it('vopK writes the args block vop() writes, NOCRED and 64-bit offsets included', () => {
    const k = createKernel({ host: new MemoryHost() });
    const { vop } = k.vfs;
    const blocks: bigint[][] = [];
    const A = k.S.vop_fsync_args;
    const fsync = vop.defineK('test_fsync', 'test', (ap) => {
      const at = kvaBig(ap);
      blocks.push(
        [A.a_vp, A.a_cred, A.a_flags, A.a_offlo, A.a_offhi].map((f) =>
          f.size === 8
            ? k.mem.read64(at + BigInt(f.offset))
            : BigInt(k.mem.read32(at + BigInt(f.offset))),
        ),
      );
      return 7;
    });
    const vp = vnodeWith(k, { [VOP.fsync!]: fsync });
    vop.fstrans = {
      start: () => undefined,
      startNowait: () => 0,
      done: () => undefined,
      startK: () => undefined,
      startNowaitK: () => 0,
      doneK: () => undefined,
    };
    expect(vop.fsync(vp, NOCRED, 3, 0x1_0000_0001n, 5n)).toBe(7);
    expect(vop.vopK(VOP.fsync!, kvaOf(vp), -1, 3, 0x1_0000_0001, 5)).toBe(7);
    expect(blocks[1]).toEqual(blocks[0]);
    expect(blocks[0]).toEqual([vp, NOCRED, 3n, 0x1_0000_0001n, 5n]);
  });

  it('genfs lock operations run their args-free form inside the same fstrans bracket', () => {
    const k = createKernel({ host: new MemoryHost() });
    const { vop } = k.vfs;
    const fn = (name: string) => k.ksyms.resolve(name)!;
    const vp = vnodeWith(k, {
      [VOP.lock!]: fn('genfs_lock'),
      [VOP.unlock!]: fn('genfs_unlock'),
      [VOP.islocked!]: fn('genfs_islocked'),
    });
    const trans: string[] = [];
    vop.fstrans = {
      start: () => trans.push('start'),
      startNowait: () => 0,
      done: () => trans.push('done'),
      startK: () => trans.push('start'),
      startNowaitK: () => {
        trans.push('try');
        return 0;
      },
      doneK: () => trans.push('done'),
    };
    const vpK = kvaOf(vp);
    expect(vop.lockK(vpK, 0x2 /* LK_EXCLUSIVE */)).toBe(0);
    expect(vop.islockedK(vpK)).toBe(0x2);
    expect(vop.islocked(vp)).toBe(0x2);
    // The lock word holds curlwp | RW_WRITE_LOCKED, as rw_enter(RW_WRITER) writes it.
    const word = k.mem.read64(vp + BigInt(k.S.vnode_impl.vi_lock.offset));
    expect(word).toBe(k.curlwp | 4n);
    expect(vop.unlockK(vpK)).toBe(0);
    expect(vop.islockedK(vpK)).toBe(0);
    // From guest code (VOP_LOCK with LK_SHARED | LK_NOWAIT): the nowait transaction start.
    expect(k.callGuest(fn('VOP_LOCK'), vp, 0x1 | 0x100)).toBe(0n);
    expect(vop.islocked(vp)).toBe(0x1);
    expect(k.callGuest(fn('VOP_UNLOCK'), vp)).toBe(0n);
    expect(trans).toEqual(['start', 'done', 'try', 'done']);
  });

  it('a trace sees the args-free lock calls like any other', () => {
    const k = createKernel({ host: new MemoryHost() });
    k.vfs.mkdir('/d');
    const seen: string[] = [];
    k.vfs.vop.trace = (op, vp, error) => seen.push(`${op}:${vp === k.vfs.rootfs.rootvp}:${error}`);
    k.vfs.stat('/d');
    k.vfs.vop.trace = undefined;
    expect(seen).toContain('VOP_LOCK:true:0');
    expect(seen).toContain('VOP_UNLOCK:true:0');
  });
});

describe('rwlock pair API', () => {
  it('readers, upgrade, writer and the diagnosed misuse match rw_enter/rw_exit', () => {
    const k = createKernel({ host: new MemoryHost() });
    const rw = k.rwlocks;
    const l = kvaOf(k.kmem.alloc(8, 1, true));
    rw.enterK(l, 0 /* RW_READER */);
    rw.enterK(l, 0);
    expect(k.mem.read64(kvaBig(l))).toBe(0x20n);
    expect(rw.readHeldK(l)).toBe(true);
    expect(rw.tryUpgradeK(l)).toBe(false);
    rw.exitK(l);
    expect(rw.tryUpgradeK(l)).toBe(true);
    expect(rw.writeHeldK(l)).toBe(true);
    expect(rw.writeHeld(kvaBig(l))).toBe(true);
    expect(rw.tryEnterK(l, 1 /* RW_WRITER */)).toBe(false);
    expect(() => rw.enterK(l, 1)).toThrow(/locking against myself/);
  });
});

describe('namei walks', () => {
  it('reuse their pathbuf and componentname, nest, and leave kernel memory as they found it', () => {
    const k = createKernel({ host: new MemoryHost() });
    k.vfs.mkdir('/a');
    k.vfs.mkdir('/a/b');
    const lk = k.vfs.lookup;
    const w1 = lk.nameiK('/a/b', { follow: true });
    expect(w1.error).toBe(0);
    const w2 = lk.nameiK('/a', { follow: true });
    expect(w2.buf).not.toBe(w1.buf);
    k.vfs.vnodes.vreleK(w1.vp);
    k.vfs.vnodes.vreleK(w2.vp);
    lk.done(w2);
    lk.done(w1);
    lk.done(w1);
    const before = k.kmem.stats().allocations;
    for (let i = 0; i < 20; i++) {
      const w = lk.nameiK(i % 2 ? '/a/b' : '/a/missing', { follow: true });
      expect(w.error).toBe(i % 2 ? 0 : 2 /* ENOENT */);
      if (w.vp) k.vfs.vnodes.vreleK(w.vp);
      lk.done(w);
    }
    expect(k.kmem.stats().allocations).toBe(before);
    // Bad paths fail before any lookup, with NetBSD's errors.
    for (const [p, e] of [
      ['', 2],
      ['/a\0b', 22],
      [`/${'x'.repeat(1100)}`, 63],
      ['/é', 2],
    ] as const) {
      const w = lk.nameiK(p, {});
      expect(w.error).toBe(e);
      lk.done(w);
    }
  });
});

describe('guest arguments with the pair API', () => {
  it('reads Kvas, signed values and stack arguments as cpu.arg does', () => {
    const seen: number[][] = [];
    const k = createKernel({
      host: new MemoryHost(),
      extend: (k) => {
        k.ksyms.function('test_args', 'test', (cpu) => {
          seen.push([
            argKva(cpu, 0),
            argS64(cpu, 1),
            argKva(cpu, 2),
            argStack(cpu, 6),
            argStackLo(cpu, 7),
          ]);
          return 0;
        });
      },
    });
    const p = k.kmem.alloc(16, 1, true);
    k.callGuest(
      k.ksyms.resolve('test_args')!,
      p,
      NOCRED,
      0x1234n,
      0,
      0,
      0,
      p + 8n,
      0xdead_0000_0005n,
    );
    expect(seen[0]).toEqual([kvaOf(p), -1, Number.NaN, kvaOf(p) + 8, 5]);
  });
});
