import { GuestMemory, KERNEL_WINDOW_BASE } from '@rump/cpu-x86';
import { describe, expect, it } from 'vitest';
import {
  isKva,
  kvaBig,
  kvaOf,
  loadKva,
  loadU32,
  loadU64,
  storeKva,
  storeU32,
  storeU64,
} from '../src/kern/kva.js';

describe('Kva: kernel-window addresses as numbers', () => {
  it('round-trips window addresses and NULL, and refuses addresses outside the window', () => {
    const a = KERNEL_WINDOW_BASE + 0x1234n;
    expect(kvaOf(a)).toBe(-0x8000_0000 + 0x1234);
    expect(kvaBig(kvaOf(a))).toBe(a);
    expect(kvaOf(0n)).toBe(0);
    expect(kvaBig(0)).toBe(0n);
    expect(kvaOf(0xffff_ffff_ffff_fff8n)).toBe(-8);
    expect(kvaOf(0x7fff_0000_0000n)).toBeNaN();
    expect(kvaOf(KERNEL_WINDOW_BASE - 8n)).toBeNaN();
    expect(isKva(-1)).toBe(true);
    expect(isKva(1)).toBe(false);
  });

  it('reads and writes fields through the pair API, agreeing with the BigInt API', () => {
    const m = new GuestMemory({ windowSize: 1 << 20 });
    const at = kvaOf(KERNEL_WINDOW_BASE + 0x100n);
    const p = kvaOf(KERNEL_WINDOW_BASE + 0x8_0000n);
    storeKva(m, at, p);
    expect(m.read64(KERNEL_WINDOW_BASE + 0x100n)).toBe(KERNEL_WINDOW_BASE + 0x8_0000n);
    expect(loadKva(m, at)).toBe(p);
    storeKva(m, at, 0);
    expect(loadKva(m, at)).toBe(0);
    m.write64(KERNEL_WINDOW_BASE + 0x100n, 0x1234_0000_0000n);
    expect(loadKva(m, at)).toBeNaN();
    storeU32(m, at + 8, 0xfedc_ba98);
    expect(loadU32(m, at + 8)).toBe(0xfedc_ba98);
    expect(m.read32(KERNEL_WINDOW_BASE + 0x108n)).toBe(0xfedc_ba98);
    storeU64(m, at + 16, 2 ** 52 + 3);
    expect(m.read64(KERNEL_WINDOW_BASE + 0x110n)).toBe(2n ** 52n + 3n);
    expect(loadU64(m, at + 16)).toBe(2 ** 52 + 3);
  });

  it('faults like the BigInt API outside the backed window', () => {
    const m = new GuestMemory({ windowSize: 1 << 20 });
    expect(() => loadU32(m, kvaOf(KERNEL_WINDOW_BASE + 0x20_0000n))).toThrow(/page fault/i);
  });
});
