/**
 * kern/vfs_lockf.c: advisory record locks (`lf_advlock`), which file systems' VOP_ADVLOCK hands
 * to the kernel with a `struct lockf **` head in their inode. The locks of one head are kept by
 * the kernel (start, end — -1 for "to end of file" — type, owner id, flags), sorted by start as
 * NetBSD's list is; while any exist, `*head` points at a kernel token so a module testing the
 * head for NULL sees what it would on NetBSD. Locks of other owners conflict when they overlap
 * and one is F_WRLCK; an owner's own locks are replaced over the new range (split when needed),
 * except that a lock already covering the range with the same type stays as it is (NetBSD's
 * lf_setlock case 2). With one lwp, a blocked F_WAIT request could never be granted: that is
 * diagnosed as a deadlock.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';

export const F_GETLK = 7;
export const F_SETLK = 8;
export const F_RDLCK = 1;
export const F_UNLCK = 2;
export const F_WRLCK = 3;
export const F_WAIT = 0x10;
export const F_FLOCK = 0x20;
export const F_POSIX = 0x40;
const SEEK_SET = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;
const OFF_MAX = (1n << 63n) - 1n;

export interface Lockf {
  start: bigint;
  /** Last byte, or -1 for "to the end of the file". */
  end: bigint;
  type: number;
  id: bigint;
  flags: number;
}

const overlaps = (a: Lockf, s: bigint, e: bigint) =>
  (a.end === -1n || a.end >= s) && (e === -1n || a.start <= e);

export class LockfTable {
  private readonly heads = new Map<bigint, Lockf[]>();
  private readonly tokens = new Map<bigint, bigint>();

  constructor(private readonly k: Kernel) {}

  locks(head: bigint): readonly Lockf[] {
    return this.heads.get(head) ?? [];
  }

  /** The first lock of another owner that blocks [start, end] of `type`. */
  blocker(head: bigint, id: bigint, type: number, start: bigint, end: bigint): Lockf | undefined {
    return this.locks(head).find(
      (l) => l.id !== id && overlaps(l, start, end) && (type === F_WRLCK || l.type === F_WRLCK),
    );
  }

  /** Removes owner `id`'s coverage of [start, end], splitting locks that reach past it. */
  clear(head: bigint, id: bigint, start: bigint, end: bigint): void {
    const out: Lockf[] = [];
    for (const l of this.locks(head)) {
      if (l.id !== id || !overlaps(l, start, end)) {
        out.push(l);
        continue;
      }
      if (l.start < start) out.push({ ...l, end: start - 1n });
      if (end !== -1n && (l.end === -1n || l.end > end)) out.push({ ...l, start: end + 1n });
    }
    this.store(head, out);
  }

  set(head: bigint, lock: Lockf): void {
    const covering = this.locks(head).find(
      (l) =>
        l.id === lock.id &&
        l.type === lock.type &&
        l.start <= lock.start &&
        (l.end === -1n || (lock.end !== -1n && l.end >= lock.end)),
    );
    if (covering) return;
    this.clear(head, lock.id, lock.start, lock.end);
    this.store(head, [...this.locks(head), lock]);
  }

  private store(head: bigint, list: Lockf[]): void {
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const k = this.k;
    if (list.length) {
      this.heads.set(head, list);
      if (!this.tokens.has(head)) {
        const token = k.kmem.alloc(8, 1, true, 'lockf');
        this.tokens.set(head, token);
        k.mem.write64(head, token);
      }
    } else {
      this.heads.delete(head);
      const token = this.tokens.get(head);
      if (token !== undefined) {
        this.tokens.delete(head);
        k.kmem.free(token, 8, 'lockf');
        k.mem.write64(head, 0n);
      }
    }
  }

  /** lf_advlock(ap, head, size): 0 or an errno; F_GETLK answers in the caller's struct flock. */
  advlock(ap: bigint, head: bigint, size: bigint): number {
    const k = this.k;
    const m = k.mem;
    const A = k.S.vop_advlock_args;
    const F = k.S.flock;
    const fl = m.read64(ap + BigInt(A.a_fl.offset));
    const op = m.read32(ap + BigInt(A.a_op.offset)) | 0;
    const flags = m.read32(ap + BigInt(A.a_flags.offset)) | 0;
    const id = m.read64(ap + BigInt(A.a_id.offset));
    if (size < 0n)
      k.panic(`kernel diagnostic assertion "size >= 0" failed: lf_advlock size=${size}`);
    const lStart = BigInt.asIntN(64, m.read64(fl + BigInt(F.l_start.offset)));
    const lLen = BigInt.asIntN(64, m.read64(fl + BigInt(F.l_len.offset)));
    const whence = (m.read16(fl + BigInt(F.l_whence.offset)) << 16) >> 16;
    const lType = (m.read16(fl + BigInt(F.l_type.offset)) << 16) >> 16;
    let start: bigint;
    if (whence === SEEK_SET || whence === SEEK_CUR) start = lStart;
    else if (whence === SEEK_END) {
      if (lStart > OFF_MAX - size) return errno.EINVAL;
      start = size + lStart;
    } else return errno.EINVAL;
    let end: bigint;
    if (lLen === 0n) end = -1n;
    else if (lLen > 0n) {
      if (start >= 0n && lLen - 1n > OFF_MAX - start) return errno.EINVAL;
      end = start + lLen - 1n;
    } else {
      if (start < 0n) return errno.EINVAL;
      end = start - 1n;
      start += lLen;
    }
    if (start < 0n) return errno.EINVAL;
    if (op !== F_SETLK && op !== F_UNLCK && op !== F_GETLK) return errno.EINVAL;
    if (this.locks(head).length === 0 && op !== F_SETLK) {
      m.write16(fl + BigInt(F.l_type.offset), F_UNLCK);
      return 0;
    }
    if (op === F_UNLCK) {
      this.clear(head, id, start, end);
      return 0;
    }
    if (op === F_GETLK) {
      const b = this.blocker(head, id, lType, start, end);
      if (!b) {
        m.write16(fl + BigInt(F.l_type.offset), F_UNLCK);
        return 0;
      }
      m.write16(fl + BigInt(F.l_type.offset), b.type);
      m.write16(fl + BigInt(F.l_whence.offset), SEEK_SET);
      m.write64(fl + BigInt(F.l_start.offset), b.start);
      m.write64(fl + BigInt(F.l_len.offset), b.end === -1n ? 0n : b.end - b.start + 1n);
      const pid = b.flags & F_POSIX ? m.read32(b.id + BigInt(k.S.proc.p_pid.offset)) : -1;
      m.write32(fl + BigInt(F.l_pid.offset), pid >>> 0);
      return 0;
    }
    // F_SETLK
    // fcntl(2) turns F_UNLCK into the F_UNLCK operation; no caller sets other types.
    if (lType !== F_RDLCK && lType !== F_WRLCK) return errno.EINVAL;
    if (this.blocker(head, id, lType, start, end)) {
      if (!(flags & F_WAIT)) return errno.EAGAIN;
      k.panic(
        `deadlock: lf_advlock: F_SETLK|F_WAIT on a range another owner holds, and no other lwp can release it`,
      );
    }
    this.set(head, { start, end, type: lType, id, flags });
    return 0;
  }
}

export function registerLockf(k: Kernel): LockfTable {
  const t = new LockfTable(k);
  k.ksyms.function('lf_advlock', 'vfs', (cpu) =>
    t.advlock(cpu.arg(0), cpu.arg(1), BigInt.asIntN(64, cpu.arg(2))),
  );
  return t;
}
