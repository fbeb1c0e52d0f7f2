import { describe, expect, it } from 'vitest';
import { GeneralProtection, GuestMemory, KERNEL_WINDOW_BASE, PageFault } from '../src/index.js';
import { fromPair, hiOf, loOf, toPair } from '../src/memory.js';

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

  it('converts between bigint and int32 halves exactly', () => {
    const cases: bigint[] = [
      0n,
      1n,
      0xffff_ffffn,
      0x1_0000_0000n,
      W,
      W + 0x7fff_fffen,
      0xffff_ffff_ffff_ffffn,
      0x8000_0000_0000_0000n,
      0x7fff_ffff_ffff_ffffn,
      0x0020_0000_0000_0001n, // beyond 2^53
      0xfedc_ba98_7654_3210n,
      -1n, // taken modulo 2^64
      1n << 64n,
    ];
    for (const a of cases) {
      const u = BigInt.asUintN(64, a);
      const [lo, hi] = toPair(a);
      expect(lo).toBe(Number(BigInt.asIntN(32, u)));
      expect(hi).toBe(Number(BigInt.asIntN(32, u >> 32n)));
      expect(loOf(a)).toBe(lo);
      expect(hiOf(a)).toBe(hi);
      expect(fromPair(lo, hi)).toBe(u);
    }
  });

  it('keeps exact faults on the fast paths at the end of the window and outside it', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    const end = W + 0x10000n;
    const fault = (f: () => unknown): PageFault => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PageFault);
        return e as PageFault;
      }
      throw new Error('no fault');
    };
    expect(fault(() => m.read64(end - 4n)).address).toBe(end);
    expect(fault(() => m.read16(end - 1n)).address).toBe(end);
    expect(fault(() => m.write64(end - 2n, 1n)).access).toBe('write');
    expect(fault(() => m.read(end - 8n, 16)).address).toBe(end);
    expect(fault(() => m.readInto(end - 8n, new Uint8Array(9))).address).toBe(end);
    expect(fault(() => m.fill(end - 1n, 2, 0)).address).toBe(end);
    // A write that faults changes nothing.
    m.write8(end - 1n, 5);
    fault(() => m.write(end - 1n, Uint8Array.of(1, 2)));
    expect(m.read8(end - 1n)).toBe(5);
    // A string running off the window faults at the first unbacked byte; `max` stops before it.
    m.fill(end - 4n, 4, 0x41);
    expect(fault(() => m.readCString(end - 4n)).address).toBe(end);
    expect(m.readCString(end - 4n, 4)).toBe('AAAA');
    expect(m.readCString(end - 4n, 2)).toBe('AA');
    // The top of the window range (below the Cpu's trap area) is not backed.
    expect(fault(() => m.read32(0xffff_ffff_ffff_fff0n)).address).toBe(0xffff_ffff_ffff_fff0n);
    expect(() => m.write32(0x0000_8000_0000_0000n, 0)).toThrow(GeneralProtection);
  });

  it('reads strings, copies into caller buffers, and takes 64-bit values modulo 2^64', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    m.write(W + 0x100n, new TextEncoder().encode('héllo\0'));
    expect(m.readCString(W + 0x100n)).toBe('héllo');
    const long = 'x'.repeat(300);
    m.write(W + 0x200n, new TextEncoder().encode(`${long}\0`));
    expect(m.readCString(W + 0x200n)).toBe(long);
    expect(m.readCString(W + 0x200n, 10)).toBe('x'.repeat(10));
    const into = new Uint8Array(5);
    m.readInto(W + 0x100n, into);
    expect(new TextDecoder().decode(into)).toBe('héll');
    m.write64(W + 8n, -2n);
    expect(m.read64(W + 8n)).toBe(0xffff_ffff_ffff_fffen);
    m.write64(W + 8n, (1n << 64n) + 7n);
    expect(m.read64(W + 8n)).toBe(7n);
    m.write32(W + 16n, 0x1_2345_6789);
    expect(m.read32(W + 16n)).toBe(0x2345_6789);
    m.write8(W + 20n, 0x1ff);
    expect(m.read8(W + 20n)).toBe(0xff);
  });

  it('reports every kind of BigInt write that touches decoded code, and only those', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    const seen: [number, number, number][] = [];
    m.onCodeWrite((lo, hi, n) => seen.push([lo, hi, n]));
    const code = W + 0x1000n;
    m.markCode(loOf(code), hiOf(code));
    const writes: (() => void)[] = [
      () => m.write8(code + 1n, 1),
      () => m.write16(code + 2n, 1),
      () => m.write32(code + 4n, 1),
      () => m.write64(code + 8n, 1n),
      () => m.write64(code - 4n, 0xffn << 32n), // straddles into the code line
      () => m.write(code + 0x10n, Uint8Array.of(9)),
      () => m.fill(code + 0x20n, 4, 0x90),
    ];
    for (const w of writes) {
      seen.length = 0;
      w();
      expect(seen.length).toBe(1);
      expect(seen[0]![1]).toBe(-1);
    }
    seen.length = 0;
    m.write64(code + 0x100n, 1n); // the next line holds no code
    m.write32(code - 8n, 1);
    m.fill(code + 0x100n, 0x100, 0);
    expect(seen).toEqual([]);
  });

  it('has pair-API bulk operations matching the BigInt ones, including faults and code writes', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    m.mapRegion(0x20000n, 0x1000, 'low');
    const seen: number[] = [];
    m.onCodeWrite((_lo, _hi, n) => seen.push(n));
    const k = (a: bigint): [number, number] => [loOf(a), hiOf(a)];
    m.storeBytes(...k(W + 0x100n), Uint8Array.of(1, 2, 3, 4));
    m.storeBytes(...k(0x20010n), Uint8Array.of(5, 6));
    const into = new Uint8Array(4);
    m.loadBytes(...k(W + 0x100n), into);
    expect([...into]).toEqual([1, 2, 3, 4]);
    m.loadBytes(...k(0x2000fn), into);
    expect([...into]).toEqual([0, 5, 6, 0]);
    m.fillBytes(...k(W + 0x200n), 3, 0x41);
    m.fillBytes(...k(0x20020n), 2, 0x42);
    expect(m.loadCString(...k(W + 0x200n))).toBe('AAA');
    expect(m.loadCString(...k(0x20020n))).toBe('BB');
    expect(m.loadCString(...k(W + 0x200n), 2)).toBe('AA');
    // memmove semantics, overlapping both ways, window and region.
    m.copyBytes(...k(W + 0x102n), ...k(W + 0x100n), 4);
    expect([...m.read(W + 0x100n, 6)]).toEqual([1, 2, 1, 2, 3, 4]);
    m.copy(W + 0x100n, W + 0x102n, 4);
    expect([...m.read(W + 0x100n, 6)]).toEqual([1, 2, 3, 4, 3, 4]);
    m.copyBytes(...k(0x20100n), ...k(W + 0x100n), 3);
    expect([...m.read(0x20100n, 3)]).toEqual([1, 2, 3]);
    // Faults are exact and change nothing.
    const end = W + 0x10000n;
    expect(() => m.loadBytes(...k(end - 2n), new Uint8Array(4))).toThrow(PageFault);
    expect(() => m.storeBytes(...k(end - 2n), new Uint8Array(4))).toThrow(PageFault);
    expect(() => m.copyBytes(...k(W + 0x100n), ...k(end - 2n), 4)).toThrow(PageFault);
    m.write8(end - 1n, 0x43);
    expect(() => m.loadCString(...k(end - 1n))).toThrow(PageFault);
    expect([...m.read(W + 0x100n, 4)]).toEqual([1, 2, 3, 4]);
    // Stores over decoded code are reported.
    m.markCode(...k(W + 0x300n));
    m.storeBytes(...k(W + 0x300n), Uint8Array.of(0x90));
    m.fillBytes(...k(W + 0x301n), 2, 0x90);
    m.copyBytes(...k(W + 0x310n), ...k(W + 0x100n), 2);
    m.copy(W + 0x320n, W + 0x100n, 2);
    expect(seen).toEqual([1, 2, 2, 2]);
  });

  it('compares and searches guest bytes without copies (memcmp, memchr)', () => {
    const m = new GuestMemory({ windowSize: 1 << 16 });
    m.mapRegion(0x20000n, 0x1000, 'low');
    const k = (a: bigint): [number, number] => [loOf(a), hiOf(a)];
    m.write(W + 0x100n, new TextEncoder().encode('abcdef\0'));
    m.write(W + 0x200n, new TextEncoder().encode('abcxef\0'));
    m.write(0x20000n, new TextEncoder().encode('abc\xff'));
    expect(m.compareBytes(...k(W + 0x100n), ...k(W + 0x200n), 3)).toBe(0);
    expect(m.compareBytes(...k(W + 0x100n), ...k(W + 0x200n), 6)).toBe(0x64 - 0x78);
    expect(m.compareBytes(...k(W + 0x200n), ...k(W + 0x100n), 6)).toBeGreaterThan(0);
    expect(m.compareBytes(...k(0x20000n), ...k(W + 0x100n), 3)).toBe(0);
    expect(m.compareBytes(...k(0x20000n), ...k(W + 0x100n), 4)).toBe(0xc3 - 0x64); // UTF-8 of \xff
    expect(m.compareBytes(...k(W + 0x100n), ...k(W + 0x200n), 0)).toBe(0);
    expect(m.findByte(...k(W + 0x100n), 0, 100)).toBe(6);
    expect(m.findByte(...k(W + 0x100n), 0x64, 100)).toBe(3);
    expect(m.findByte(...k(W + 0x100n), 0x7a, 5)).toBe(-1);
    expect(m.findByte(...k(0x20000n), 0x63, 16)).toBe(2);
    // Running off the map faults at the first unmapped byte; a bound before it does not.
    const end = W + 0x10000n;
    m.fill(end - 4n, 4, 1);
    expect(() => m.findByte(...k(end - 4n), 0, 8)).toThrow(PageFault);
    expect(m.findByte(...k(end - 4n), 0, 4)).toBe(-1);
    expect(() => m.compareBytes(...k(end - 4n), ...k(end - 4n), 8)).toThrow(PageFault);
  });
});
