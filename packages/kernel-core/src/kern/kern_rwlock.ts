/**
 * rwlock(9) on one CPU with one running lwp. The owner word (krwlock_t) uses NetBSD's encoding:
 * RW_WRITE_LOCKED (0x4) with the owning lwp's address when write-held, a count of readers in
 * units of RW_READ_INCR (0x10) when read-held, 0 when free. Any wait is one that nothing could
 * end, so it panics with a diagnosis instead of hanging.
 */
import { locks } from '../abi/netbsd-10.99/constants.js';
import type { Kernel } from '../kernel.js';

const RW_WRITE_LOCKED = 0x4n;
const RW_READ_INCR = 0x10n;
const RW_THREAD = ~0xfn;

export class RwLocks {
  constructor(private readonly k: Kernel) {}

  private word(rw: bigint): bigint {
    return this.k.mem.read64(rw);
  }

  init(rw: bigint): void {
    this.k.mem.write64(rw, 0n);
  }

  /** Takes the lock, or returns why it cannot be taken without waiting. */
  private take(rw: bigint, op: number): string | undefined {
    const w = this.word(rw);
    const cur = this.k.curlwp;
    if (op === locks.RW_WRITER) {
      if (w & RW_WRITE_LOCKED) {
        return (w & RW_THREAD) === cur
          ? 'locking against myself'
          : `write-held by lwp 0x${(w & RW_THREAD).toString(16)}`;
      }
      if (w !== 0n) return `read-held by ${w / RW_READ_INCR} reader(s)`;
      this.k.mem.write64(rw, cur | RW_WRITE_LOCKED);
      return undefined;
    }
    if (w & RW_WRITE_LOCKED) {
      return (w & RW_THREAD) === cur
        ? 'locking against myself'
        : `write-held by lwp 0x${(w & RW_THREAD).toString(16)}`;
    }
    this.k.mem.write64(rw, w + RW_READ_INCR);
    return undefined;
  }

  enter(rw: bigint, op: number): void {
    const why = this.take(rw, op);
    if (why === undefined) return;
    const what = `rw_enter(${this.k.describeAddress(rw)}, ${op === locks.RW_WRITER ? 'RW_WRITER' : 'RW_READER'})`;
    if (why === 'locking against myself') this.k.panic(`${what}: locking against myself`);
    this.k.panic(`deadlock: ${what}: lock is ${why} and no other lwp can run to release it`);
  }

  tryEnter(rw: bigint, op: number): boolean {
    return this.take(rw, op) === undefined;
  }

  exit(rw: bigint): void {
    const w = this.word(rw);
    if (w & RW_WRITE_LOCKED) {
      if ((w & RW_THREAD) !== this.k.curlwp)
        this.k.panic(`rw_exit(${this.k.describeAddress(rw)}): write-held by another lwp`);
      this.k.mem.write64(rw, 0n);
      return;
    }
    if (w === 0n) this.k.panic(`rw_exit(${this.k.describeAddress(rw)}): lock not held`);
    this.k.mem.write64(rw, w - RW_READ_INCR);
  }

  writeHeld(rw: bigint): boolean {
    const w = this.word(rw);
    return (w & RW_WRITE_LOCKED) !== 0n && (w & RW_THREAD) === this.k.curlwp;
  }

  readHeld(rw: bigint): boolean {
    const w = this.word(rw);
    return (w & RW_WRITE_LOCKED) === 0n && w !== 0n;
  }

  held(rw: bigint): boolean {
    return this.word(rw) !== 0n;
  }

  destroy(rw: bigint): void {
    if (this.word(rw) !== 0n)
      this.k.panic(`rw_destroy(${this.k.describeAddress(rw)}): lock still held`);
  }

  downgrade(rw: bigint): void {
    if (!this.writeHeld(rw))
      this.k.panic(`rw_downgrade(${this.k.describeAddress(rw)}): not write-held by curlwp`);
    this.k.mem.write64(rw, RW_READ_INCR);
  }

  tryUpgrade(rw: bigint): boolean {
    const w = this.word(rw);
    if (w !== RW_READ_INCR) return false; // only the sole reader may upgrade
    this.k.mem.write64(rw, this.k.curlwp | RW_WRITE_LOCKED);
    return true;
  }
}

export function registerRwlock(k: Kernel): void {
  const t = k.ksyms;
  const r = k.rwlocks;
  const op = (v: bigint) => Number(v & 0xffffffffn);
  t.function('rw_init', 'rwlock', (cpu) => r.init(cpu.arg(0)));
  t.function('rw_destroy', 'rwlock', (cpu) => r.destroy(cpu.arg(0)));
  t.function('rw_enter', 'rwlock', (cpu) => r.enter(cpu.arg(0), op(cpu.arg(1))));
  t.function('rw_tryenter', 'rwlock', (cpu) => r.tryEnter(cpu.arg(0), op(cpu.arg(1))));
  t.function('rw_exit', 'rwlock', (cpu) => r.exit(cpu.arg(0)));
  t.function('rw_downgrade', 'rwlock', (cpu) => r.downgrade(cpu.arg(0)));
  t.function('rw_tryupgrade', 'rwlock', (cpu) => r.tryUpgrade(cpu.arg(0)));
  t.function('rw_read_held', 'rwlock', (cpu) => r.readHeld(cpu.arg(0)));
  t.function('rw_write_held', 'rwlock', (cpu) => r.writeHeld(cpu.arg(0)));
  t.function('rw_lock_held', 'rwlock', (cpu) => r.held(cpu.arg(0)));
  t.function('rw_lock_op', 'rwlock', (cpu) =>
    k.mem.read64(cpu.arg(0)) & RW_WRITE_LOCKED ? locks.RW_WRITER : locks.RW_READER,
  );
}
