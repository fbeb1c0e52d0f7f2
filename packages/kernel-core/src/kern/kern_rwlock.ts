/**
 * rwlock(9) on one CPU with one running lwp. The owner word (krwlock_t) uses NetBSD's encoding:
 * RW_WRITE_LOCKED (0x4) with the owning lwp's address when write-held, a count of readers in
 * units of RW_READ_INCR (0x10) when read-held, 0 when free. Any wait is one that nothing could
 * end, so it panics with a diagnosis instead of hanging.
 *
 * The word is read and written as int32 halves (GuestMemory's pair API): every vnode lock and
 * unlock comes here, so no BigInt per operation. The `*K` methods take the lock's address as a
 * Kva (kern/kva.ts); the bigint ones are the same operations for callers holding BigInts.
 */
import type { Cpu } from '@rump/cpu-x86';
import { locks } from '../abi/netbsd-10.99/constants.js';
import type { Kernel } from '../kernel.js';
import { argLo } from './hostcall.js';
import { type Kva, kvaBig, kvaHi, kvaOf } from './kva.js';

const RW_WRITE_LOCKED = 0x4;
const RW_READ_INCR = 0x10;
/** Low-half mask of RW_THREAD (~0xf): the owner's address bits. */
const RW_THREAD_LO = ~0xf;

export class RwLocks {
  /** curlwp as int32 halves, converted only when curlwp changes. */
  private lwpBig = -1n;
  private lwpLo = 0;
  private lwpHi = 0;

  constructor(private readonly k: Kernel) {}

  private cur(): void {
    const l = this.k.curlwp;
    if (l !== this.lwpBig) {
      this.lwpBig = l;
      this.lwpLo = Number(BigInt.asIntN(32, l));
      this.lwpHi = Number(BigInt.asIntN(32, l >> 32n));
    }
  }

  private ownerHex(lo: number, hi: number): string {
    return ((BigInt(hi >>> 0) << 32n) | BigInt((lo & RW_THREAD_LO) >>> 0)).toString(16);
  }

  private describe(rw: Kva): string {
    return this.k.describeAddress(kvaBig(rw));
  }

  init(rw: bigint): void {
    this.initK(kvaOf(rw));
  }
  initK(rw: Kva): void {
    this.k.mem.store64(rw, kvaHi(rw), 0, 0);
  }

  /** Takes the lock, or returns why it cannot be taken without waiting. */
  private take(rw: Kva, op: number): string | undefined {
    const m = this.k.mem;
    const hiA = kvaHi(rw);
    const lo = m.load64(rw, hiA);
    const hi = m.hi;
    this.cur();
    if (lo & RW_WRITE_LOCKED) {
      return (lo & RW_THREAD_LO) === (this.lwpLo & RW_THREAD_LO) && hi === this.lwpHi
        ? 'locking against myself'
        : `write-held by lwp 0x${this.ownerHex(lo, hi)}`;
    }
    if (op === locks.RW_WRITER) {
      if (lo !== 0 || hi !== 0) {
        const n = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        return `read-held by ${n / BigInt(RW_READ_INCR)} reader(s)`;
      }
      m.store64(rw, hiA, this.lwpLo | RW_WRITE_LOCKED, this.lwpHi);
      return undefined;
    }
    // Reader counts stay far below 2^32 / RW_READ_INCR: the high half is 0.
    m.store64(rw, hiA, (lo + RW_READ_INCR) | 0, hi);
    return undefined;
  }

  enter(rw: bigint, op: number): void {
    this.enterK(kvaOf(rw), op);
  }
  enterK(rw: Kva, op: number): void {
    const why = this.take(rw, op);
    if (why === undefined) return;
    const what = `rw_enter(${this.describe(rw)}, ${op === locks.RW_WRITER ? 'RW_WRITER' : 'RW_READER'})`;
    if (why === 'locking against myself') this.k.panic(`${what}: locking against myself`);
    this.k.panic(`deadlock: ${what}: lock is ${why} and no other lwp can run to release it`);
  }

  tryEnter(rw: bigint, op: number): boolean {
    return this.take(kvaOf(rw), op) === undefined;
  }
  tryEnterK(rw: Kva, op: number): boolean {
    return this.take(rw, op) === undefined;
  }

  exit(rw: bigint): void {
    this.exitK(kvaOf(rw));
  }
  exitK(rw: Kva): void {
    const m = this.k.mem;
    const hiA = kvaHi(rw);
    const lo = m.load64(rw, hiA);
    const hi = m.hi;
    if (lo & RW_WRITE_LOCKED) {
      this.cur();
      if ((lo & RW_THREAD_LO) !== (this.lwpLo & RW_THREAD_LO) || hi !== this.lwpHi)
        this.k.panic(`rw_exit(${this.describe(rw)}): write-held by another lwp`);
      m.store64(rw, hiA, 0, 0);
      return;
    }
    if (lo === 0 && hi === 0) this.k.panic(`rw_exit(${this.describe(rw)}): lock not held`);
    m.store64(rw, hiA, (lo - RW_READ_INCR) | 0, hi);
  }

  writeHeld(rw: bigint): boolean {
    return this.writeHeldK(kvaOf(rw));
  }
  writeHeldK(rw: Kva): boolean {
    const m = this.k.mem;
    const lo = m.load64(rw, kvaHi(rw));
    const hi = m.hi;
    if (!(lo & RW_WRITE_LOCKED)) return false;
    this.cur();
    return (lo & RW_THREAD_LO) === (this.lwpLo & RW_THREAD_LO) && hi === this.lwpHi;
  }

  readHeld(rw: bigint): boolean {
    return this.readHeldK(kvaOf(rw));
  }
  readHeldK(rw: Kva): boolean {
    const m = this.k.mem;
    const lo = m.load64(rw, kvaHi(rw));
    const hi = m.hi;
    return (lo & RW_WRITE_LOCKED) === 0 && (lo !== 0 || hi !== 0);
  }

  held(rw: bigint): boolean {
    return this.heldK(kvaOf(rw));
  }
  heldK(rw: Kva): boolean {
    const m = this.k.mem;
    const lo = m.load64(rw, kvaHi(rw));
    return lo !== 0 || m.hi !== 0;
  }

  destroy(rw: bigint): void {
    const k = kvaOf(rw);
    if (this.heldK(k)) this.k.panic(`rw_destroy(${this.describe(k)}): lock still held`);
  }

  downgrade(rw: bigint): void {
    this.downgradeK(kvaOf(rw));
  }
  downgradeK(rw: Kva): void {
    if (!this.writeHeldK(rw))
      this.k.panic(`rw_downgrade(${this.describe(rw)}): not write-held by curlwp`);
    this.k.mem.store64(rw, kvaHi(rw), RW_READ_INCR, 0);
  }

  tryUpgrade(rw: bigint): boolean {
    return this.tryUpgradeK(kvaOf(rw));
  }
  tryUpgradeK(rw: Kva): boolean {
    const m = this.k.mem;
    const hiA = kvaHi(rw);
    const lo = m.load64(rw, hiA);
    if (lo !== RW_READ_INCR || m.hi !== 0) return false; // only the sole reader may upgrade
    this.cur();
    m.store64(rw, hiA, this.lwpLo | RW_WRITE_LOCKED, this.lwpHi);
    return true;
  }

  /** RW_WRITER when write-held, else RW_READER (rw_lock_op). */
  lockOpK(rw: Kva): number {
    return this.k.mem.load32(rw, kvaHi(rw)) & RW_WRITE_LOCKED ? locks.RW_WRITER : locks.RW_READER;
  }
}

/** A lock argument from guest code: a Kva, or a panic naming the function for anything else. */
function lockArg(k: Kernel, cpu: Cpu, fn: string): Kva {
  const r = cpu.r;
  // rdi: r[7] (low), r[23] (high).
  const lo = r[7]!;
  const hi = r[23]!;
  if (hi === -1 && lo < 0) return lo;
  return k.panic(`${fn}: lock address ${k.describeAddress(cpu.arg(0))} is not kernel memory`);
}

export function registerRwlock(k: Kernel): void {
  const t = k.ksyms;
  const r = k.rwlocks;
  const op = (cpu: Cpu) => argLo(cpu, 1) >>> 0;
  t.function('rw_init', 'rwlock', (cpu) => r.initK(lockArg(k, cpu, 'rw_init')));
  t.function('rw_destroy', 'rwlock', (cpu) => r.destroy(cpu.arg(0)));
  t.function('rw_enter', 'rwlock', (cpu) => r.enterK(lockArg(k, cpu, 'rw_enter'), op(cpu)));
  t.function('rw_tryenter', 'rwlock', (cpu) =>
    r.tryEnterK(lockArg(k, cpu, 'rw_tryenter'), op(cpu)),
  );
  t.function('rw_exit', 'rwlock', (cpu) => r.exitK(lockArg(k, cpu, 'rw_exit')));
  t.function('rw_downgrade', 'rwlock', (cpu) => r.downgradeK(lockArg(k, cpu, 'rw_downgrade')));
  t.function('rw_tryupgrade', 'rwlock', (cpu) => r.tryUpgradeK(lockArg(k, cpu, 'rw_tryupgrade')));
  t.function('rw_read_held', 'rwlock', (cpu) => r.readHeldK(lockArg(k, cpu, 'rw_read_held')));
  t.function('rw_write_held', 'rwlock', (cpu) => r.writeHeldK(lockArg(k, cpu, 'rw_write_held')));
  t.function('rw_lock_held', 'rwlock', (cpu) => r.heldK(lockArg(k, cpu, 'rw_lock_held')));
  t.function('rw_lock_op', 'rwlock', (cpu) => r.lockOpK(lockArg(k, cpu, 'rw_lock_op')));
}
