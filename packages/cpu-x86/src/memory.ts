/**
 * Guest memory: a sparse 64-bit address space.
 *
 * The common case is the kernel window, the top 2 GiB (KERNEL_WINDOW_BASE and up) where
 * `-mcmodel=kernel` code keeps its text and data. It is one growable ArrayBuffer, so an access is one
 * comparison of the high half, one bounds check and one DataView call. Everything else lives in
 * named regions (`mapRegion`), searched linearly (there are few). Unmapped accesses raise PageFault;
 * non-canonical ones raise GeneralProtection, as on the real CPU.
 *
 * The CPU uses the "pair" API: an address is two int32 halves (lo, hi) so no BigInt is created on
 * the hot path. The public API takes bigint addresses.
 */
import { type Access, GeneralProtection, PageFault } from './faults.js';

export type { Access } from './faults.js';

export const KERNEL_WINDOW_BASE = 0xffff_ffff_8000_0000n;
export const PAGE_SIZE = 4096;
/** The top 2 GiB minus 32 MiB: the last 32 MiB hold the Cpu's host-function trap area. */
export const MAX_WINDOW_SIZE = 0x8000_0000 - 0x200_0000;
const DEFAULT_WINDOW_SIZE = 64 * 1024 * 1024;

const TWO32 = 4294967296;
/**
 * Decoded code is tracked in 256-byte lines (not pages) so that data sharing a page with code
 * (small modules, flat images) does not send every store through the invalidation check.
 */
export const CODE_LINE_SHIFT = 8;
export const CODE_LINE = 1 << CODE_LINE_SHIFT;

/** A mapped region outside the kernel window. */
export interface Region {
  readonly name: string;
  /** Base address as unsigned 32-bit halves. */
  readonly baseLo: number;
  readonly baseHi: number;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  /** Non-zero for code lines that hold decoded code (writes there invalidate the Cpu's block cache). */
  readonly codeLines: Uint8Array;
}

const TWO31 = 2147483648;
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The signed 64-bit value of `a` as a Number. Exact for kernel-window addresses (int32 negatives)
 * and every |value| < 2^53; one BigInt operation and no allocation, unlike shifts and masks.
 */
export function signedOf(a: bigint): number {
  return Number(BigInt.asIntN(64, a));
}

/** Low / high int32 half of a 64-bit bigint (no allocation, unlike toPair). */
export const loOf = (a: bigint): number => Number(BigInt.asIntN(32, a));
export function hiOf(a: bigint): number {
  const n = signedOf(a);
  if (n >= -SAFE && n <= SAFE) return Math.floor(n / TWO32) | 0;
  return Number(BigInt.asIntN(32, a >> 32n));
}
export const toPair = (a: bigint): [number, number] => [loOf(a), hiOf(a)];
export const fromPair = (lo: number, hi: number): bigint =>
  (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

export type CodeWriteListener = (lo: number, hi: number, length: number) => void;

export class GuestMemory {
  /** Backing store of the kernel window; replaced (views too) by growWindow. */
  u8: Uint8Array;
  dv: DataView;
  windowSize: number;
  readonly maxWindowSize: number;
  /**
   * Per 256-byte line of the backed window: non-zero when the Cpu has decoded code from it. Sized
   * to `windowSize` (not the maximum: a fresh kernel would otherwise allocate and zero 2 MiB) and
   * replaced by growWindow, like `u8`; every index is below `windowSize >>> CODE_LINE_SHIFT`.
   */
  codeLines: Uint8Array;
  readonly regions: Region[] = [];
  /** High half of the last load64 (pair API). */
  hi = 0;
  private readonly codeListeners: CodeWriteListener[] = [];
  private lastRegion: Region | undefined;

  constructor(options: { windowSize?: number; maxWindowSize?: number } = {}) {
    this.maxWindowSize = Math.min(options.maxWindowSize ?? MAX_WINDOW_SIZE, MAX_WINDOW_SIZE);
    const size = options.windowSize ?? Math.min(DEFAULT_WINDOW_SIZE, this.maxWindowSize);
    if (size < 0 || size > this.maxWindowSize || size % PAGE_SIZE !== 0) {
      throw new RangeError(
        `GuestMemory: windowSize ${size} must be page-aligned and <= ${this.maxWindowSize}`,
      );
    }
    this.windowSize = size;
    this.u8 = new Uint8Array(size);
    this.dv = new DataView(this.u8.buffer);
    this.codeLines = new Uint8Array(Math.ceil(size / CODE_LINE));
  }

  /** Grows the backed part of the kernel window; existing contents are kept. Views must be re-fetched. */
  growWindow(newSize: number): void {
    if (newSize % PAGE_SIZE !== 0 || newSize > this.maxWindowSize) {
      throw new RangeError(
        `GuestMemory.growWindow: ${newSize} must be page-aligned and <= ${this.maxWindowSize}`,
      );
    }
    if (newSize <= this.windowSize) return;
    const u8 = new Uint8Array(newSize);
    u8.set(this.u8);
    this.u8 = u8;
    this.dv = new DataView(u8.buffer);
    const codeLines = new Uint8Array(Math.ceil(newSize / CODE_LINE));
    codeLines.set(this.codeLines);
    this.codeLines = codeLines;
    this.windowSize = newSize;
  }

  windowU8(): Uint8Array {
    return this.u8;
  }
  windowView(): DataView {
    return this.dv;
  }

  /** Maps a zero-filled region outside the window (page-aligned base and size). */
  mapRegion(base: bigint, size: number, name = 'region'): void {
    if (base % BigInt(PAGE_SIZE) !== 0n || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new RangeError(`GuestMemory.mapRegion(${name}): base and size must be page-aligned`);
    }
    const end = base + BigInt(size);
    if (end > KERNEL_WINDOW_BASE && base < KERNEL_WINDOW_BASE + BigInt(this.maxWindowSize)) {
      throw new RangeError(`GuestMemory.mapRegion(${name}): overlaps the kernel window`);
    }
    for (const r of this.regions) {
      const rb = fromPair(r.baseLo, r.baseHi);
      if (base < rb + BigInt(r.size) && rb < end) {
        throw new RangeError(`GuestMemory.mapRegion(${name}): overlaps region ${r.name}`);
      }
    }
    const [lo, hi] = toPair(base);
    const u8 = new Uint8Array(size);
    this.regions.push({
      name,
      baseLo: lo >>> 0,
      baseHi: hi >>> 0,
      size,
      u8,
      dv: new DataView(u8.buffer),
      codeLines: new Uint8Array(size / CODE_LINE),
    });
  }

  /** True when [a, a+length) is entirely mapped. */
  isMapped(a: bigint, length = 1): boolean {
    const lo = loOf(a);
    const hi = hiOf(a);
    const w = this.windowOffset(lo, hi);
    if (w >= 0 && w < this.windowSize) return w + length <= this.windowSize;
    const r = this.regionAt(lo, hi);
    return r !== undefined && this.regionOffset(r, lo, hi) + length <= r.size;
  }

  /** Called by the Cpu: `listener` learns of every guest write to a page marked in codeLines. */
  onCodeWrite(listener: CodeWriteListener): void {
    this.codeListeners.push(listener);
  }

  /** Reports a write to code pages (called when a codeLines bit is set). */
  codeWritten(lo: number, hi: number, length: number): void {
    for (const l of this.codeListeners) l(lo, hi, length);
  }

  // ---------------------------------------------------------------- pair API (hot path)

  /** Offset of (lo, hi) inside the window address range, or -1 (the range may not be backed yet). */
  windowOffset(lo: number, hi: number): number {
    return hi === -1 && lo < 0 ? lo & 0x7fffffff : -1;
  }

  regionAt(lo: number, hi: number): Region | undefined {
    const last = this.lastRegion;
    if (last !== undefined && this.regionOffset(last, lo, hi) < last.size) return last;
    for (const r of this.regions) {
      if (this.regionOffset(r, lo, hi) < r.size) {
        this.lastRegion = r;
        return r;
      }
    }
    return undefined;
  }

  /** Offset of (lo, hi) from the region base; out of range (>= size or huge) when outside. */
  regionOffset(r: Region, lo: number, hi: number): number {
    const d = ((hi >>> 0) - r.baseHi) * TWO32 + ((lo >>> 0) - r.baseLo);
    return d < 0 ? Number.MAX_SAFE_INTEGER : d;
  }

  /** Raises the fault the real CPU would raise for an access at (lo, hi). */
  fault(lo: number, hi: number, access: Access): never {
    // Canonical: bits 63..47 all equal.
    const top = hi >> 15;
    if (top !== 0 && top !== -1)
      throw new GeneralProtection(
        `non-canonical address 0x${fromPair(lo, hi).toString(16)} (${access})`,
      );
    throw new PageFault(fromPair(lo, hi), access);
  }

  /**
   * Resolves an access of `size` bytes to a (DataView, offset) in `this.slowDv`/return value, or
   * faults. Accesses that straddle the end of a region fault (regions are not adjacent in practice).
   */
  slowDv: DataView = new DataView(new ArrayBuffer(8));
  resolve(lo: number, hi: number, size: number, access: Access): number {
    const w = this.windowOffset(lo, hi);
    if (w >= 0 && w + size <= this.windowSize) {
      this.slowDv = this.dv;
      if (
        access === 'write' &&
        (this.codeLines[w >>> CODE_LINE_SHIFT]! |
          this.codeLines[(w + size - 1) >>> CODE_LINE_SHIFT]!) !==
          0
      ) {
        this.codeWritten(lo, hi, size);
      }
      return w;
    }
    // Regions may also live in the top 2 GiB above the largest window (the host-trap area).
    const r = this.regionAt(lo, hi);
    if (r === undefined) {
      // Partially backed window access: fault on the first unbacked byte.
      if (w >= 0 && w < this.windowSize) this.faultAt(lo, hi, this.windowSize - w, access);
      return this.fault(lo, hi, access);
    }
    const o = this.regionOffset(r, lo, hi);
    if (o + size > r.size) this.faultAt(lo, hi, r.size - o, access);
    if (
      access === 'write' &&
      (r.codeLines[o >>> CODE_LINE_SHIFT]! | r.codeLines[(o + size - 1) >>> CODE_LINE_SHIFT]!) !== 0
    ) {
      this.codeWritten(lo, hi, size);
    }
    this.slowDv = r.dv;
    return o;
  }

  private faultAt(lo: number, hi: number, add: number, access: Access): never {
    const s = (lo >>> 0) + add;
    return this.fault(s | 0, (hi + (s >= TWO32 ? 1 : 0)) | 0, access);
  }

  load8(lo: number, hi: number): number {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o < this.windowSize) return this.u8[o]!;
    }
    const o = this.resolve(lo, hi, 1, 'read');
    return this.slowDv.getUint8(o);
  }
  load16(lo: number, hi: number): number {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o + 2 <= this.windowSize) return this.dv.getUint16(o, true);
    }
    const o = this.resolve(lo, hi, 2, 'read');
    return this.slowDv.getUint16(o, true);
  }
  load32(lo: number, hi: number): number {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o + 4 <= this.windowSize) return this.dv.getInt32(o, true);
    }
    const o = this.resolve(lo, hi, 4, 'read');
    return this.slowDv.getInt32(o, true);
  }
  /** Returns the low half; the high half is left in `this.hi`. */
  load64(lo: number, hi: number): number {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o + 8 <= this.windowSize) {
        this.hi = this.dv.getInt32(o + 4, true);
        return this.dv.getInt32(o, true);
      }
    }
    const o = this.resolve(lo, hi, 8, 'read');
    const dv = this.slowDv;
    this.hi = dv.getInt32(o + 4, true);
    return dv.getInt32(o, true);
  }

  store8(lo: number, hi: number, v: number): void {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o < this.windowSize && this.codeLines[o >>> CODE_LINE_SHIFT] === 0) {
        this.u8[o] = v;
        return;
      }
    }
    const o = this.resolve(lo, hi, 1, 'write');
    this.slowDv.setUint8(o, v);
  }
  store16(lo: number, hi: number, v: number): void {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (
        o + 2 <= this.windowSize &&
        (this.codeLines[o >>> CODE_LINE_SHIFT]! | this.codeLines[(o + 1) >>> CODE_LINE_SHIFT]!) ===
          0
      ) {
        this.dv.setUint16(o, v, true);
        return;
      }
    }
    const o = this.resolve(lo, hi, 2, 'write');
    this.slowDv.setUint16(o, v, true);
  }
  store32(lo: number, hi: number, v: number): void {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (
        o + 4 <= this.windowSize &&
        (this.codeLines[o >>> CODE_LINE_SHIFT]! | this.codeLines[(o + 3) >>> CODE_LINE_SHIFT]!) ===
          0
      ) {
        this.dv.setInt32(o, v, true);
        return;
      }
    }
    const o = this.resolve(lo, hi, 4, 'write');
    this.slowDv.setInt32(o, v, true);
  }
  store64(lo: number, hi: number, vlo: number, vhi: number): void {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (
        o + 8 <= this.windowSize &&
        (this.codeLines[o >>> CODE_LINE_SHIFT]! | this.codeLines[(o + 7) >>> CODE_LINE_SHIFT]!) ===
          0
      ) {
        this.dv.setInt32(o, vlo, true);
        this.dv.setInt32(o + 4, vhi, true);
        return;
      }
    }
    const o = this.resolve(lo, hi, 8, 'write');
    const dv = this.slowDv;
    dv.setInt32(o, vlo, true);
    dv.setInt32(o + 4, vhi, true);
  }

  /** Fetch for the decoder: one byte at (lo, hi) with 'execute' faults. */
  fetch8(lo: number, hi: number): number {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o < this.windowSize) return this.u8[o]!;
    }
    const o = this.resolve(lo, hi, 1, 'execute');
    return this.slowDv.getUint8(o);
  }

  /** Marks the code line holding (lo, hi) as containing decoded code. */
  markCode(lo: number, hi: number): void {
    const w = this.windowOffset(lo, hi);
    if (w >= 0 && w < this.windowSize) {
      this.codeLines[w >>> CODE_LINE_SHIFT] = 1;
      return;
    }
    const r = this.regionAt(lo, hi);
    if (r !== undefined) r.codeLines[this.regionOffset(r, lo, hi) >>> CODE_LINE_SHIFT] = 1;
  }

  /** Clears all code marks (after the Cpu flushed its block cache). */
  clearCodeMarks(): void {
    this.codeLines.fill(0);
    for (const r of this.regions) r.codeLines.fill(0);
  }

  // ---------------------------------------------------------------- public bigint API
  //
  // Fast path: a kernel-window address is an int32 negative as a signed 64-bit value, so
  // `signedOf(a) + 2^31` is its window offset with one BigInt operation (no loOf/hiOf/fromPair);
  // 64-bit values go through DataView's BigInt accessors. Everything else (regions, partially
  // backed ranges, stores to code lines, faults) takes the pair API's path, which is exact.

  read8(a: bigint): number {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      if (o < this.windowSize) return this.u8[o]!;
    }
    return this.load8(loOf(a), hiOf(a));
  }
  read16(a: bigint): number {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      if (o + 2 <= this.windowSize) return this.dv.getUint16(o, true);
    }
    return this.load16(loOf(a), hiOf(a));
  }
  read32(a: bigint): number {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      if (o + 4 <= this.windowSize) return this.dv.getUint32(o, true);
    }
    return this.load32(loOf(a), hiOf(a)) >>> 0;
  }
  read64(a: bigint): bigint {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      if (o + 8 <= this.windowSize) return this.dv.getBigUint64(o, true);
    }
    const l = this.load64(loOf(a), hiOf(a));
    return fromPair(l, this.hi);
  }
  write8(a: bigint, v: number): void {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      if (o < this.windowSize && this.codeLines[o >>> CODE_LINE_SHIFT] === 0) {
        this.u8[o] = v;
        return;
      }
    }
    this.store8(loOf(a), hiOf(a), v & 0xff);
  }
  write16(a: bigint, v: number): void {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      const cl = this.codeLines;
      if (
        o + 2 <= this.windowSize &&
        (cl[o >>> CODE_LINE_SHIFT]! | cl[(o + 1) >>> CODE_LINE_SHIFT]!) === 0
      ) {
        this.dv.setUint16(o, v, true);
        return;
      }
    }
    this.store16(loOf(a), hiOf(a), v & 0xffff);
  }
  write32(a: bigint, v: number): void {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      const cl = this.codeLines;
      if (
        o + 4 <= this.windowSize &&
        (cl[o >>> CODE_LINE_SHIFT]! | cl[(o + 3) >>> CODE_LINE_SHIFT]!) === 0
      ) {
        this.dv.setInt32(o, v | 0, true);
        return;
      }
    }
    this.store32(loOf(a), hiOf(a), v | 0);
  }
  write64(a: bigint, v: bigint): void {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      const o = n + TWO31;
      const cl = this.codeLines;
      if (
        o + 8 <= this.windowSize &&
        (cl[o >>> CODE_LINE_SHIFT]! | cl[(o + 7) >>> CODE_LINE_SHIFT]!) === 0
      ) {
        // setBigUint64 takes v modulo 2^64, as loOf/hiOf do.
        this.dv.setBigUint64(o, v, true);
        return;
      }
    }
    this.store64(loOf(a), hiOf(a), loOf(v), hiOf(v));
  }

  /**
   * Window offset of [a, a+length) when it lies entirely in the backed window and holds no decoded
   * code (for writes: `code`), else -1.
   */
  private windowRange(a: bigint, length: number, code: boolean): number {
    const n = signedOf(a);
    if (!(n < 0 && n >= -TWO31)) return -1;
    const o = n + TWO31;
    if (length <= 0 || o + length > this.windowSize) return -1;
    return code && !this.noCode(o, length) ? -1 : o;
  }

  /** Copies `length` bytes out of guest memory. */
  read(a: bigint, length: number): Uint8Array {
    const o = this.windowRange(a, length, false);
    if (o >= 0) return this.u8.slice(o, o + length);
    const out = new Uint8Array(length);
    this.forChunks(a, length, 'read', (u8, off, pos, n) => {
      out.set(u8.subarray(off, off + n), pos);
    });
    return out;
  }

  /** Copies `into.length` bytes at `a` into `into` (no allocation: the allocation-free `read`). */
  readInto(a: bigint, into: Uint8Array): void {
    const length = into.length;
    const o = this.windowRange(a, length, false);
    if (o >= 0) {
      into.set(this.u8.subarray(o, o + length));
      return;
    }
    this.forChunks(a, length, 'read', (u8, off, pos, n) => {
      into.set(u8.subarray(off, off + n), pos);
    });
  }

  /** Copies bytes into guest memory. */
  write(a: bigint, bytes: Uint8Array): void {
    const o = this.windowRange(a, bytes.length, true);
    if (o >= 0) {
      this.u8.set(bytes, o);
      return;
    }
    if (bytes.length === 0) return;
    this.forChunks(
      a,
      bytes.length,
      'write',
      (u8, off, pos, n) => {
        u8.set(bytes.subarray(pos, pos + n), off);
      },
      (u8, off, pos) => u8[off] !== bytes[pos],
    );
  }

  fill(a: bigint, length: number, byte: number): void {
    const o = this.windowRange(a, length, true);
    if (o >= 0) {
      this.u8.fill(byte, o, o + length);
      return;
    }
    this.forChunks(
      a,
      length,
      'write',
      (u8, off, _pos, n) => {
        u8.fill(byte, off, off + n);
      },
      (u8, off) => u8[off] !== (byte & 0xff),
    );
  }

  /** Reads a NUL-terminated string (UTF-8; plain ASCII in practice). PageFault if it runs off the map. */
  readCString(a: bigint, max = 1 << 20): string {
    const n = signedOf(a);
    if (n < 0 && n >= -TWO31) {
      // In the window: scan for the NUL in the backing store; fall back (and fault exactly) if the string
      // runs past the backed window before its NUL or `max`.
      const o = n + TWO31;
      const ws = this.windowSize;
      if (o < ws) {
        const limit = Math.min(ws, o + Math.max(0, max));
        const u8 = this.u8;
        let e = o;
        while (e < limit && u8[e] !== 0) e++;
        if (e < limit || limit === o + max) return decodeCString(u8, o, e);
      }
    }
    const bytes: number[] = [];
    let lo = loOf(a);
    let hi = hiOf(a);
    for (let i = 0; i < max; i++) {
      const b = this.load8(lo, hi);
      if (b === 0) break;
      bytes.push(b);
      lo = (lo + 1) | 0;
      if (lo === 0) hi = (hi + 1) | 0;
    }
    return utf8.decode(Uint8Array.from(bytes));
  }

  /**
   * Copies `length` bytes from `src` to `dst` inside guest memory, like memmove (overlap is
   * fine). Faults (source first) before changing anything, like `write`.
   */
  copy(dst: bigint, src: bigint, length: number): void {
    const s = this.windowRange(src, length, false);
    if (s >= 0) {
      const d = this.windowRange(dst, length, true);
      if (d >= 0) {
        this.u8.copyWithin(d, s, s + length);
        return;
      }
    }
    if (length <= 0) return;
    this.write(dst, this.read(src, length));
  }

  // ---------------------------------------------------------------- pair API, bulk
  // The bulk operations for callers that hold addresses as int32 halves (a kernel-window address
  // as a Kva is (kva, -1)): no BigInt on the window fast path, the BigInt API's exact behaviour
  // (faults, code-write checks) otherwise.

  /** `readInto` at (lo, hi). */
  loadBytes(lo: number, hi: number, into: Uint8Array): void {
    const n = into.length;
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o + n <= this.windowSize) {
        into.set(this.u8.subarray(o, o + n));
        return;
      }
    }
    this.readInto(fromPair(lo, hi), into);
  }

  /** `write` at (lo, hi). */
  storeBytes(lo: number, hi: number, bytes: Uint8Array): void {
    const n = bytes.length;
    if (hi === -1 && lo < 0 && n > 0) {
      const o = lo & 0x7fffffff;
      if (o + n <= this.windowSize && this.noCode(o, n)) {
        this.u8.set(bytes, o);
        return;
      }
    }
    this.write(fromPair(lo, hi), bytes);
  }

  /** `fill` at (lo, hi). */
  fillBytes(lo: number, hi: number, length: number, byte: number): void {
    if (hi === -1 && lo < 0 && length > 0) {
      const o = lo & 0x7fffffff;
      if (o + length <= this.windowSize && this.noCode(o, length)) {
        this.u8.fill(byte, o, o + length);
        return;
      }
    }
    this.fill(fromPair(lo, hi), length, byte);
  }

  /** `copy` (memmove) from (sLo, sHi) to (dLo, dHi). */
  copyBytes(dLo: number, dHi: number, sLo: number, sHi: number, length: number): void {
    if (dHi === -1 && dLo < 0 && sHi === -1 && sLo < 0 && length > 0) {
      const d = dLo & 0x7fffffff;
      const s = sLo & 0x7fffffff;
      const ws = this.windowSize;
      if (d + length <= ws && s + length <= ws && this.noCode(d, length)) {
        this.u8.copyWithin(d, s, s + length);
        return;
      }
    }
    this.copy(fromPair(dLo, dHi), fromPair(sLo, sHi), length);
  }

  /** `readCString` at (lo, hi). */
  loadCString(lo: number, hi: number, max = 1 << 20): string {
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      const ws = this.windowSize;
      const limit = Math.min(ws, o + Math.max(0, max));
      const u8 = this.u8;
      let e = o;
      while (e < limit && u8[e] !== 0) e++;
      if (o < ws && (e < limit || limit === o + max)) return decodeCString(u8, o, e);
    }
    return this.readCString(fromPair(lo, hi), max);
  }

  /**
   * memcmp over guest memory, allocation-free: the difference of the first differing bytes
   * (unsigned), 0 when the `length` bytes are equal. Faults like a byte-wise read would.
   */
  compareBytes(aLo: number, aHi: number, bLo: number, bHi: number, length: number): number {
    if (aHi === -1 && aLo < 0 && bHi === -1 && bLo < 0) {
      const a = aLo & 0x7fffffff;
      const b = bLo & 0x7fffffff;
      const ws = this.windowSize;
      if (a + length <= ws && b + length <= ws) {
        const u8 = this.u8;
        for (let k = 0; k < length; k++) {
          const d = u8[a + k]! - u8[b + k]!;
          if (d !== 0) return d;
        }
        return 0;
      }
    }
    let al = aLo;
    let ah = aHi;
    let bl = bLo;
    let bh = bHi;
    for (let k = 0; k < length; k++) {
      const d = this.load8(al, ah) - this.load8(bl, bh);
      if (d !== 0) return d;
      al = (al + 1) | 0;
      if (al === 0) ah = (ah + 1) | 0;
      bl = (bl + 1) | 0;
      if (bl === 0) bh = (bh + 1) | 0;
    }
    return 0;
  }

  /**
   * memchr / strnlen over guest memory, allocation-free: the offset of the first `byte` in the
   * `max` bytes at (lo, hi), or -1. Faults when it reaches an unmapped byte first.
   */
  findByte(lo: number, hi: number, byte: number, max: number): number {
    const v = byte & 0xff;
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      const ws = this.windowSize;
      if (o < ws) {
        const u8 = this.u8;
        const end = Math.min(ws, o + max);
        for (let k = o; k < end; k++) if (u8[k] === v) return k - o;
        if (end === o + max) return -1;
      }
    }
    let l = lo;
    let h = hi;
    for (let k = 0; k < max; k++) {
      if (this.load8(l, h) === v) return k;
      l = (l + 1) | 0;
      if (l === 0) h = (h + 1) | 0;
    }
    return -1;
  }

  /** True when window bytes [o, o+n) hold no decoded code. */
  private noCode(o: number, n: number): boolean {
    const cl = this.codeLines;
    const last = (o + n - 1) >>> CODE_LINE_SHIFT;
    for (let l = o >>> CODE_LINE_SHIFT; l <= last; l++) if (cl[l] !== 0) return false;
    return true;
  }

  /** Visits [a, a+length) as contiguous chunks of backing stores; faults before touching anything. */
  private forChunks(
    a: bigint,
    length: number,
    access: Access,
    visit: (u8: Uint8Array, off: number, pos: number, n: number) => void,
    changed?: (u8: Uint8Array, off: number, pos: number) => boolean,
  ): void {
    const chunks: [Uint8Array, number, number, number][] = [];
    let pos = 0;
    let cur = a;
    while (pos < length) {
      const [lo, hi] = toPair(cur);
      let u8: Uint8Array;
      let off: number;
      let avail: number;
      let codeLines: Uint8Array;
      const w = this.windowOffset(lo, hi);
      if (w >= 0 && w < this.windowSize) {
        u8 = this.u8;
        off = w;
        avail = this.windowSize - w;
        codeLines = this.codeLines;
      } else {
        const r = this.regionAt(lo, hi);
        if (r === undefined) this.fault(lo, hi, access);
        u8 = r.u8;
        off = this.regionOffset(r, lo, hi);
        avail = r.size - off;
        codeLines = r.codeLines;
      }
      const n = Math.min(avail, length - pos);
      chunks.push([u8, off, pos, n]);
      if (access === 'write') {
        for (let p = off >>> CODE_LINE_SHIFT; p <= (off + n - 1) >>> CODE_LINE_SHIFT; p++) {
          if (codeLines[p] !== 0) {
            // Only the bytes that really change invalidate decoded blocks (reloading an image
            // whose code is unchanged but whose data was modified keeps the code).
            let first = 0;
            let last = n - 1;
            if (changed !== undefined) {
              while (first < n && !changed(u8, off + first, pos + first)) first++;
              while (last > first && !changed(u8, off + last, pos + last)) last--;
            }
            if (first < n) {
              const s = (lo >>> 0) + first;
              this.pendingCode.push([s | 0, s >= TWO32 ? (hi + 1) | 0 : hi, last - first + 1]);
            }
            break;
          }
        }
      }
      pos += n;
      cur = BigInt.asUintN(64, cur + BigInt(n));
    }
    for (const [u8, off, p, n] of chunks) visit(u8, off, p, n);
    const pending = this.pendingCode.splice(0);
    for (const [lo, hi, n] of pending) this.codeWritten(lo, hi, n);
  }
  private readonly pendingCode: [number, number, number][] = [];
}

const utf8 = new TextDecoder();

/** Bytes [o, e) of `u8` as a string: short ASCII directly, anything else as UTF-8. */
function decodeCString(u8: Uint8Array, o: number, e: number): string {
  if (e - o <= 64) {
    let s = '';
    for (let k = o; k < e; k++) {
      const b = u8[k]!;
      if (b >= 0x80) return utf8.decode(u8.subarray(o, e));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8.decode(u8.subarray(o, e));
}
