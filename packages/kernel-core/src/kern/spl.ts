/**
 * Interrupt priority (spl(9)) and kernel preemption (kpreempt(9)) on a CPU that takes no
 * interrupts: the level is bookkeeping that spin mutexes raise and restore, so splx/spllower
 * return to what the caller saved and mismatches are visible; kpreempt_disable nests in
 * curlwp's l_nopreempt as NetBSD's does.
 */
import type { Kernel } from '../kernel.js';

/** preempt_point calls between two looks at the host clock while a callout is armed. */
export const PREEMPT_CLOCK_EVERY = 64;

export class Spl {
  level = 0;
  /** Levels saved by spin mutexes, by mutex address. */
  private readonly saved = new Map<bigint, number>();

  raise(to: number, key?: bigint): number {
    const old = this.level;
    if (to > this.level) this.level = to;
    if (key !== undefined) this.saved.set(key, old);
    return old;
  }

  restore(key: bigint): void {
    const old = this.saved.get(key);
    this.saved.delete(key);
    if (old !== undefined) this.level = old;
  }
}

export function registerSpl(k: Kernel): void {
  const t = k.ksyms;
  const s = k.spl;
  const lvl = (v: bigint) => Number(v & 0xffn);
  t.function('splraise', 'spl', (cpu) => s.raise(lvl(cpu.arg(0))));
  t.function('spllower', 'spl', (cpu) => {
    s.level = lvl(cpu.arg(0));
  });
  t.function('splx', 'spl', (cpu) => {
    s.level = lvl(cpu.arg(0));
  });
  const nopreempt = () => k.curlwp + BigInt(k.S.lwp.l_nopreempt.offset);
  t.function('kpreempt_disable', 'kpreempt', () => {
    k.mem.write32(nopreempt(), k.mem.read32(nopreempt()) + 1);
  });
  t.function('kpreempt_enable', 'kpreempt', () => {
    const n = k.mem.read32(nopreempt());
    if (n === 0) k.panic('kpreempt_enable: preemption was not disabled (l_nopreempt is 0)');
    k.mem.write32(nopreempt(), n - 1);
  });
  t.function('kpreempt_disabled', 'kpreempt', () => k.mem.read32(nopreempt()) !== 0);
  // preempt_point: a rump kernel's is empty (scheduler.c: nobody asks for a reschedule), its
  // other threads running work and softclock concurrently. On our single lwp a long loop (ufs's
  // directory scan calls it per entry) lets queued work run here, and due callouts — checking
  // the host clock only when one is armed, and then on one call in PREEMPT_CLOCK_EVERY, since a
  // tick is 10 ms and the end of the kernel entry checks again anyway.
  let sinceClock = 0;
  t.function('preempt_point', 'kpreempt', () => {
    if (k.workqueues.queued) {
      k.workqueues.runOne();
      return;
    }
    if (!k.callouts.armed || ++sinceClock < PREEMPT_CLOCK_EVERY) return;
    sinceClock = 0;
    k.callouts.runOne();
  });
  t.function('preempt', 'kpreempt', () => {
    k.runDeferredWork();
  });
  t.function('yield', 'kpreempt', () => {
    k.runDeferredWork();
  });
}
