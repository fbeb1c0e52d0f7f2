/**
 * callout(9): functions run after a number of ticks (hz = 100). A callout_t holds NetBSD's
 * callout_impl (c_func, c_arg, c_time, c_flags with CALLOUT_PENDING/FIRED/INVOKING, c_magic);
 * the kernel keeps the pending ones ordered by their host-clock deadline and runs those that
 * are due as deferred work — at the end of each kernel entry, at preemption points, and while
 * an lwp waits on a condition variable (which sleeps on the host clock until the next one is
 * due, exactly when a NetBSD softclock would have run it).
 */
import type { Kernel } from '../kernel.js';

const C_FUNC = 16n;
const C_ARG = 24n;
const C_TIME = 40n;
const C_FLAGS = 44n;
const C_MAGIC = 48n;
const CALLOUT_PENDING = 0x2;
const CALLOUT_FIRED = 0x4;
const CALLOUT_INVOKING = 0x8;
const CALLOUT_MAGIC = 0x11deeba1;
const TICK_NS = 10_000_000n;

export class Callouts {
  /** Pending callouts: address → monotonic deadline (ns since the host clock's origin). */
  private readonly pending = new Map<bigint, bigint>();

  constructor(private readonly k: Kernel) {}

  private flags(c: bigint): number {
    return this.k.mem.read32(c + C_FLAGS);
  }

  private setFlags(c: bigint, f: number): void {
    this.k.mem.write32(c + C_FLAGS, f);
  }

  check(c: bigint, who: string): void {
    if (this.k.mem.read32(c + C_MAGIC) !== CALLOUT_MAGIC) {
      this.k.panic(`${who}: callout 0x${c.toString(16)} is not initialized (c_magic)`);
    }
  }

  init(c: bigint, flags: number): void {
    this.k.mem.fill(c, 80, 0);
    this.k.mem.write32(c + C_FLAGS, flags & 0xff00);
    this.k.mem.write32(c + C_MAGIC, CALLOUT_MAGIC);
    this.pending.delete(c);
  }

  destroy(c: bigint): void {
    this.check(c, 'callout_destroy');
    if (this.flags(c) & CALLOUT_PENDING) {
      this.k.panic(`callout_destroy: pending callout 0x${c.toString(16)} destroyed`);
    }
    this.k.mem.write32(c + C_MAGIC, 0);
  }

  setfunc(c: bigint, func: bigint, arg: bigint): void {
    this.k.mem.write64(c + C_FUNC, func);
    this.k.mem.write64(c + C_ARG, arg);
  }

  schedule(c: bigint, ticks: number): void {
    this.check(c, 'callout_schedule');
    const t = Math.max(ticks, 1);
    this.pending.set(c, this.k.host.clockGettime('monotonic') + BigInt(t) * TICK_NS);
    this.k.mem.write32(c + C_TIME, t);
    this.setFlags(c, (this.flags(c) & ~CALLOUT_FIRED) | CALLOUT_PENDING);
  }

  /** callout_stop: cancels; returns whether it had fired (expired). */
  stop(c: bigint): boolean {
    this.check(c, 'callout_stop');
    this.pending.delete(c);
    const f = this.flags(c);
    this.setFlags(c, f & ~(CALLOUT_PENDING | CALLOUT_FIRED));
    return (f & CALLOUT_FIRED) !== 0;
  }

  state(c: bigint, mask: number): boolean {
    this.check(c, 'callout');
    return (this.flags(c) & mask) !== 0;
  }

  /** Monotonic deadline of the earliest pending callout, or undefined. */
  nextDue(): bigint | undefined {
    let min: bigint | undefined;
    for (const d of this.pending.values()) if (min === undefined || d < min) min = d;
    return min;
  }

  /** True while some callout is pending (scheduled and not yet run or stopped). */
  get armed(): boolean {
    return this.pending.size > 0;
  }

  /** Runs the earliest callout that is due; false when none is (no clock read when none is armed). */
  runOne(): boolean {
    if (this.pending.size === 0) return false;
    const now = this.k.host.clockGettime('monotonic');
    let due: bigint | undefined;
    let at = 0n;
    for (const [c, d] of this.pending) {
      if (d <= now && (due === undefined || d < at)) {
        due = c;
        at = d;
      }
    }
    if (due === undefined) return false;
    this.pending.delete(due);
    const c = due;
    this.setFlags(c, (this.flags(c) & ~CALLOUT_PENDING) | CALLOUT_FIRED | CALLOUT_INVOKING);
    const m = this.k.mem;
    this.k.callGuest(m.read64(c + C_FUNC), m.read64(c + C_ARG));
    return true;
  }
}

export function registerCallout(k: Kernel): void {
  const t = k.ksyms;
  const c = k.callouts;
  const int = (v: bigint) => Number(BigInt.asIntN(32, v));
  t.function('callout_init', 'callout', (cpu) =>
    c.init(cpu.arg(0), Number(cpu.arg(1) & 0xffffffffn)),
  );
  t.function('callout_destroy', 'callout', (cpu) => c.destroy(cpu.arg(0)));
  t.function('callout_setfunc', 'callout', (cpu) => c.setfunc(cpu.arg(0), cpu.arg(1), cpu.arg(2)));
  t.function('callout_reset', 'callout', (cpu) => {
    c.setfunc(cpu.arg(0), cpu.arg(2), cpu.arg(3));
    c.schedule(cpu.arg(0), int(cpu.arg(1)));
  });
  t.function('callout_schedule', 'callout', (cpu) => c.schedule(cpu.arg(0), int(cpu.arg(1))));
  t.function('callout_stop', 'callout', (cpu) => c.stop(cpu.arg(0)));
  // One lwp: a callout cannot be running elsewhere, so halting is stopping.
  t.function('callout_halt', 'callout', (cpu) => {
    c.stop(cpu.arg(0));
    return false;
  });
  t.function('callout_pending', 'callout', (cpu) => c.state(cpu.arg(0), CALLOUT_PENDING));
  t.function('callout_expired', 'callout', (cpu) => c.state(cpu.arg(0), CALLOUT_FIRED));
  t.function('callout_active', 'callout', (cpu) =>
    c.state(cpu.arg(0), CALLOUT_PENDING | CALLOUT_FIRED),
  );
  t.function('callout_invoking', 'callout', (cpu) => c.state(cpu.arg(0), CALLOUT_INVOKING));
  t.function('callout_ack', 'callout', (cpu) => {
    c.check(cpu.arg(0), 'callout_ack');
    k.mem.write32(cpu.arg(0) + C_FLAGS, k.mem.read32(cpu.arg(0) + C_FLAGS) & ~CALLOUT_INVOKING);
  });
  t.function('callout_bind', 'callout', () => undefined);
}
