import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel, errno, type Kernel } from '../src/index.js';

const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  k.callGuest(k.ksyms.resolve(name)!, ...args);

describe('callout(9)', () => {
  it('runs a callout when it is due, at the end of a kernel entry', () => {
    const host = new MemoryHost({ time: 'virtual' });
    const fired: bigint[] = [];
    const k = createKernel({
      host,
      extend: (k) =>
        k.ksyms.function('test_callout_fn', 'test', (cpu) => void fired.push(cpu.arg(0))),
    });
    const c = call(k, 'kmem_zalloc', 80, 1);
    call(k, 'callout_init', c, 0);
    call(k, 'callout_reset', c, 5, k.ksyms.resolve('test_callout_fn')!, 77);
    expect(call(k, 'callout_pending', c)).toBe(1n);
    host.advanceTime(40_000_000n);
    call(k, 'getticks');
    expect(fired).toEqual([]);
    host.advanceTime(20_000_000n);
    call(k, 'getticks');
    expect(fired).toEqual([77n]);
    expect(call(k, 'callout_pending', c)).toBe(0n);
    expect(call(k, 'callout_expired', c)).toBe(1n);
    call(k, 'callout_reset', c, 1, k.ksyms.resolve('test_callout_fn')!, 78);
    expect(call(k, 'callout_stop', c)).toBe(0n);
    host.advanceTime(50_000_000n);
    call(k, 'getticks');
    expect(fired).toEqual([77n]);
    call(k, 'callout_destroy', c);
  });

  it('a cv_timedwait is woken by a callout that signals it, after sleeping until it is due', () => {
    const host = new MemoryHost({ time: 'virtual' });
    let cv = 0n;
    const k = createKernel({
      host,
      extend: (k) =>
        k.ksyms.function('test_wake', 'test', () => {
          call(k, 'cv_signal', cv);
        }),
    });
    const mtx = call(k, 'kmem_zalloc', 8, 1);
    cv = call(k, 'kmem_zalloc', 16, 1);
    const c = call(k, 'kmem_zalloc', 80, 1);
    call(k, 'mutex_init', mtx, 0, 0);
    call(k, 'cv_init', cv, k.kdata.string('waitcall'));
    call(k, 'callout_init', c, 0);
    call(k, 'callout_reset', c, 3, k.ksyms.resolve('test_wake')!, 0);
    call(k, 'mutex_enter', mtx);
    const t0 = host.clockGettime('monotonic');
    expect(Number(call(k, 'cv_timedwait', cv, mtx, 100))).toBe(0);
    const slept = host.clockGettime('monotonic') - t0;
    expect(slept).toBeGreaterThanOrEqual(30_000_000n);
    expect(slept).toBeLessThan(1_000_000_000n);
    // No callout left: the same wait now times out after its 2 ticks.
    expect(Number(call(k, 'cv_timedwait', cv, mtx, 2))).toBe(errno.EAGAIN);
  });
});
