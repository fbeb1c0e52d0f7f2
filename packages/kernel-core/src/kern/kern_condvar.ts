/**
 * condvar(9) on one CPU with one running lwp. A waiter releases its mutex and lets the kernel
 * run whatever deferred work it has (work queues, callouts) — the only things that could signal
 * it. If that work signals the condition variable, the wait ends; pending callouts are waited
 * for on the host clock; if there is nothing left to run, no one can ever wake it: cv_wait panics with a diagnosed deadlock, and a timed wait sleeps
 * on the host clock for its timeout and returns EWOULDBLOCK, as it would on NetBSD.
 * kcondvar_t: cv_opaque[0] counts waiters (NetBSD keeps its sleep queue there), cv_opaque[1] is
 * the wait message.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';

export class CondVars {
  /** Wakeups delivered per condition variable (a waiter watches its counter change). */
  private readonly wakeups = new Map<bigint, number>();

  constructor(private readonly k: Kernel) {}

  init(cv: bigint, wmesg: bigint): void {
    this.k.mem.write64(cv, 0n);
    this.k.mem.write64(cv + 8n, wmesg);
    this.wakeups.delete(cv);
  }

  wmesg(cv: bigint): string {
    const p = this.k.mem.read64(cv + 8n);
    return p === 0n ? '?' : this.k.mem.readCString(p, 64);
  }

  waiters(cv: bigint): number {
    return Number(this.k.mem.read64(cv));
  }

  /** cv_wait / cv_timedwait (ticks > 0): 0 when woken, EWOULDBLOCK on timeout. */
  wait(cv: bigint, mtx: bigint, ticks: number, who: string): number {
    const k = this.k;
    if (!k.mutexes.owned(mtx))
      k.panic(`${who}(${this.wmesg(cv)}): mutex ${k.describeAddress(mtx)} not held`);
    const before = this.wakeups.get(cv) ?? 0;
    k.mem.write64(cv, BigInt(this.waiters(cv) + 1));
    k.mutexes.exit(mtx);
    let result = 0;
    const deadline =
      ticks > 0 ? k.host.clockGettime('monotonic') + BigInt(ticks) * 10_000_000n : undefined;
    for (;;) {
      if ((this.wakeups.get(cv) ?? 0) !== before) break;
      if (k.runDeferredWork()) continue;
      // Nothing to run now: sleep until the next callout is due, if it comes before our timeout.
      const next = k.callouts.nextDue();
      if (next !== undefined && (deadline === undefined || next <= deadline)) {
        k.host.sleepUntil(next);
        continue;
      }
      if (deadline !== undefined) {
        k.host.sleepUntil(deadline);
        result = errno.EAGAIN; // EWOULDBLOCK
        break;
      }
      k.panic(
        `deadlock: ${who}(cv ${k.describeAddress(cv)} "${this.wmesg(cv)}"): no other lwp and no pending work can ever wake it`,
      );
    }
    k.mem.write64(cv, BigInt(Math.max(0, this.waiters(cv) - 1)));
    k.mutexes.enter(mtx, who);
    return result;
  }

  signal(cv: bigint): void {
    if (this.waiters(cv) > 0) this.wakeups.set(cv, (this.wakeups.get(cv) ?? 0) + 1);
  }

  destroy(cv: bigint): void {
    if (this.waiters(cv) > 0) this.k.panic(`cv_destroy(${this.wmesg(cv)}): still has waiters`);
    this.wakeups.delete(cv);
  }
}

export function registerCondvar(k: Kernel): void {
  const t = k.ksyms;
  const c = k.condvars;
  const int = (v: bigint) => Number(BigInt.asIntN(32, v));
  t.function('cv_init', 'condvar', (cpu) => c.init(cpu.arg(0), cpu.arg(1)));
  t.function('cv_destroy', 'condvar', (cpu) => c.destroy(cpu.arg(0)));
  t.function('cv_wait', 'condvar', (cpu) => {
    c.wait(cpu.arg(0), cpu.arg(1), 0, 'cv_wait');
  });
  t.function('cv_wait_sig', 'condvar', (cpu) => c.wait(cpu.arg(0), cpu.arg(1), 0, 'cv_wait_sig'));
  t.function('cv_timedwait', 'condvar', (cpu) =>
    c.wait(cpu.arg(0), cpu.arg(1), int(cpu.arg(2)), 'cv_timedwait'),
  );
  t.function('cv_timedwait_sig', 'condvar', (cpu) =>
    c.wait(cpu.arg(0), cpu.arg(1), int(cpu.arg(2)), 'cv_timedwait_sig'),
  );
  t.function('cv_signal', 'condvar', (cpu) => c.signal(cpu.arg(0)));
  t.function('cv_broadcast', 'condvar', (cpu) => c.signal(cpu.arg(0)));
  t.function('cv_has_waiters', 'condvar', (cpu) => c.waiters(cpu.arg(0)) > 0);
  t.function('cv_is_valid', 'condvar', (cpu) => k.mem.read64(cpu.arg(0) + 8n) !== 0n);
}
