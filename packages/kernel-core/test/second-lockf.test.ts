/**
 * lf_advlock (kern/vfs_lockf.c) called through the CPU as a file system's VOP_ADVLOCK does:
 * POSIX record locks by owner, conflicts, F_GETLK answers, splitting on unlock, `*head`.
 */
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import { createKernel, type Kernel } from '../src/index.js';
import {
  F_FLOCK,
  F_GETLK,
  F_POSIX,
  F_RDLCK,
  F_SETLK,
  F_UNLCK,
  F_WAIT,
  F_WRLCK,
} from '../src/kern/vfs_lockf.js';

const SEEK_SET = 0;
const SEEK_END = 2;

function setup() {
  const k: Kernel = createKernel({ host: new MemoryHost() });
  const A = k.S.vop_advlock_args;
  const F = k.S.flock;
  const ap = k.kdata.allocate(A.$size);
  const fl = k.kdata.allocate(F.$size);
  const head = k.kdata.allocate(8);
  // Two "processes" with pids 100 and 200 (a_id of POSIX locks is the proc).
  const proc = (pid: number) => {
    const p = k.kdata.allocate(k.S.proc.$size);
    k.mem.write32(p + BigInt(k.S.proc.p_pid.offset), pid);
    return p;
  };
  const p1 = proc(100);
  const p2 = proc(200);
  const m = k.mem;
  const lock = (
    id: bigint,
    op: number,
    type: number,
    start: bigint,
    len: bigint,
    flags = F_POSIX,
    whence = SEEK_SET,
    size = 1000n,
  ) => {
    m.write64(ap + BigInt(A.a_id.offset), id);
    m.write32(ap + BigInt(A.a_op.offset), op);
    m.write64(ap + BigInt(A.a_fl.offset), fl);
    m.write32(ap + BigInt(A.a_flags.offset), flags);
    m.write64(fl + BigInt(F.l_start.offset), BigInt.asUintN(64, start));
    m.write64(fl + BigInt(F.l_len.offset), BigInt.asUintN(64, len));
    m.write16(fl + BigInt(F.l_type.offset), type);
    m.write16(fl + BigInt(F.l_whence.offset), whence);
    return Number(k.callGuest(k.ksyms.resolve('lf_advlock')!, ap, head, size));
  };
  const result = () => ({
    type: m.read16(fl + BigInt(F.l_type.offset)),
    start: m.read64(fl + BigInt(F.l_start.offset)),
    len: m.read64(fl + BigInt(F.l_len.offset)),
    pid: m.read32(fl + BigInt(F.l_pid.offset)) | 0,
  });
  return { k, lock, result, head, p1, p2 };
}

describe('lf_advlock', () => {
  it('grants, reports and refuses conflicting POSIX locks by owner', () => {
    const { k, lock, result, head, p1, p2 } = setup();
    expect(lock(p1, F_GETLK, F_WRLCK, 0n, 0n)).toBe(0);
    expect(result().type).toBe(F_UNLCK);
    expect(k.mem.read64(head)).toBe(0n);
    expect(lock(p1, F_SETLK, F_WRLCK, 10n, 10n)).toBe(0); // bytes 10..19
    expect(k.mem.read64(head)).not.toBe(0n);
    expect(lock(p1, F_SETLK, F_WRLCK, 15n, 10n)).toBe(0); // own locks never conflict
    expect(lock(p2, F_SETLK, F_RDLCK, 0n, 10n)).toBe(0); // 0..9 is free
    expect(lock(p2, F_SETLK, F_RDLCK, 5n, 10n)).toBe(errno.EAGAIN);
    expect(lock(p2, F_GETLK, F_RDLCK, 12n, 1n)).toBe(0);
    expect(result()).toEqual({ type: F_WRLCK, start: 10n, len: 5n, pid: 100 });
    expect(lock(p2, F_GETLK, F_RDLCK, 16n, 1n)).toBe(0);
    expect(result()).toEqual({ type: F_WRLCK, start: 15n, len: 10n, pid: 100 });
    // Readers share.
    expect(lock(p1, F_SETLK, F_RDLCK, 100n, 0n)).toBe(0); // 100..EOF
    expect(lock(p2, F_SETLK, F_RDLCK, 500n, 10n)).toBe(0);
    expect(lock(p2, F_GETLK, F_WRLCK, 600n, 1n)).toBe(0);
    expect(result()).toEqual({ type: F_RDLCK, start: 100n, len: 0n, pid: 100 });
    expect(() => lock(p2, F_SETLK, F_WRLCK, 100n, 1n, F_POSIX | F_WAIT)).toThrow(/deadlock/);
  });

  it('unlocking the middle splits a lock; unlocking everything clears the head', () => {
    const { k, lock, result, head, p1, p2 } = setup();
    expect(lock(p1, F_SETLK, F_WRLCK, 0n, 100n)).toBe(0);
    expect(lock(p1, F_UNLCK, F_UNLCK, 40n, 20n)).toBe(0); // 40..59 free now
    expect(lock(p2, F_SETLK, F_WRLCK, 40n, 20n)).toBe(0);
    expect(lock(p2, F_GETLK, F_WRLCK, 60n, 1n)).toBe(0);
    expect(result()).toMatchObject({ start: 60n, len: 40n });
    expect(lock(p1, F_UNLCK, F_UNLCK, 0n, 0n)).toBe(0);
    expect(lock(p2, F_UNLCK, F_UNLCK, 0n, 0n)).toBe(0);
    expect(k.mem.read64(head)).toBe(0n);
  });

  it('SEEK_END, negative lengths and bad arguments, as NetBSD', () => {
    const { lock, result, p1, p2 } = setup();
    expect(lock(p1, F_SETLK, F_WRLCK, -10n, 5n, F_POSIX, SEEK_END, 1000n)).toBe(0); // 990..994
    expect(lock(p2, F_GETLK, F_WRLCK, 994n, 1n)).toBe(0);
    expect(result()).toMatchObject({ start: 990n, len: 5n });
    expect(lock(p1, F_SETLK, F_WRLCK, 50n, -10n)).toBe(0); // 40..49
    expect(lock(p2, F_GETLK, F_WRLCK, 49n, 1n)).toBe(0);
    expect(result()).toMatchObject({ start: 40n, len: 10n });
    expect(lock(p1, F_SETLK, F_WRLCK, -1n, 1n)).toBe(errno.EINVAL);
    expect(lock(p1, F_SETLK, F_WRLCK, 0n, 1n, F_POSIX, 7)).toBe(errno.EINVAL);
    // flock(2)-style locks of another file conflict the same way; their F_GETLK pid is -1.
    const file = 0x1234n;
    expect(lock(file, F_SETLK, F_WRLCK, 2000n, 0n, F_FLOCK)).toBe(0);
    expect(lock(p2, F_GETLK, F_RDLCK, 3000n, 1n)).toBe(0);
    expect(result()).toMatchObject({ type: F_WRLCK, pid: -1 });
  });
});
