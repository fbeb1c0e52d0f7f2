/**
 * Interrupt priority (spl(9)) and kernel preemption (kpreempt(9)) on a CPU that takes no
 * interrupts: the level is bookkeeping that spin mutexes raise and restore, so splx/spllower
 * return to what the caller saved and mismatches are visible; kpreempt_disable nests in
 * curlwp's l_nopreempt as NetBSD's does.
 */
import type { Kernel } from '../kernel.js';

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
  // Preemption points: a single lwp has no one to yield to; deferred work may run here.
  t.function('preempt_point', 'kpreempt', () => {
    k.runDeferredWork();
  });
  t.function('preempt', 'kpreempt', () => {
    k.runDeferredWork();
  });
  t.function('yield', 'kpreempt', () => {
    k.runDeferredWork();
  });
}
