import { describe, expect, it } from 'vitest';
import { GeneralProtection, GuestMemory, KERNEL_WINDOW_BASE, PageFault } from '../src/index.js';

const W = KERNEL_WINDOW_BASE;

describe('GuestMemory', () => {
  it('reads and writes every size at any alignment in the window', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    m.write64(W + 3n, 0x1122334455667788n);
    expect(m.read64(W + 3n)).toBe(0x1122334455667788n);
    expect(m.read32(W + 3n)).toBe(0x55667788);
    expect(m.read16(W + 4n)).toBe(0x6677);
    expect(m.read8(W + 10n)).toBe(0x11);
    m.write32(W + 0x101n, -1);
    expect(m.read32(W + 0x101n)).toBe(0xffffffff);
    m.write16(W + 0x201n, 0x12345);
    expect(m.read16(W + 0x201n)).toBe(0x2345);
  });

  it('raises PageFault with address and access outside mapped memory', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    expect(() => m.read8(W + 0x10000n)).toThrow(PageFault);
    try {
      m.write32(W + 0xfffen, 0); // straddles the end of the window
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PageFault);
      expect((e as PageFault).address).toBe(W + 0x10000n);
      expect((e as PageFault).access).toBe('write');
    }
    expect(() => m.read64(0x1000n)).toThrow(PageFault);
  });

  it('raises GeneralProtection for non-canonical addresses', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    expect(() => m.read8(0x0000_8000_0000_0000n)).toThrow(GeneralProtection);
  });

  it('maps regions outside the window and copies across them', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    m.mapRegion(0x10000n, 0x2000, 'low');
    m.write(0x10ffen, Uint8Array.from([1, 2, 3, 4]));
    expect(Array.from(m.read(0x10ffen, 4))).toEqual([1, 2, 3, 4]);
    expect(m.read32(0x10ffen)).toBe(0x04030201);
    m.fill(0x11000n, 16, 0x41);
    m.write8(0x11010n, 0);
    expect(m.readCString(0x11000n)).toBe('A'.repeat(16));
    expect(() => m.mapRegion(0x11000n, 0x1000)).toThrow(/overlaps/);
    expect(() => m.read(0x11ffen, 4)).toThrow(PageFault);
  });

  it('grows the window keeping its contents', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    m.write64(W + 8n, 42n);
    expect(() => m.read8(W + 0x20000n)).toThrow(PageFault);
    m.growWindow(1 << 18);
    expect(m.windowSize).toBe(1 << 18);
    expect(m.read64(W + 8n)).toBe(42n);
    m.write8(W + 0x20000n, 7);
    expect(m.windowU8()[0x20000]).toBe(7);
    expect(m.windowView().getBigUint64(8, true)).toBe(42n);
  });
});
