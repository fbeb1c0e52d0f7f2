/**
 * Operand access: effective addresses, registers of every size (incl. AH..BH) and the ModRM
 * "E" operand (register or memory). 64-bit values travel as (lo, hi) int32 halves: functions return
 * the low half and leave the high half in `c.th`.
 */
import { EaKind, type Insn } from './insn.js';
import type { CpuState } from './state.js';

const TWO32 = 4294967296;

/** Computes the effective address of `i`'s memory operand; returns lo, leaves hi in `c.eaHi`. */
export function ea(c: CpuState, i: Insn): number {
  const r = c.r;
  let lo: number;
  let hi: number;
  switch (i.ea) {
    case EaKind.Abs:
      lo = i.dispLo;
      hi = i.dispHi;
      break;
    case EaKind.Base: {
      const b = i.base;
      const s = (r[b]! >>> 0) + (i.dispLo >>> 0);
      lo = s | 0;
      hi = (r[b + 16]! + i.dispHi + (s >= TWO32 ? 1 : 0)) | 0;
      break;
    }
    case EaKind.BaseIndex: {
      const b = i.base;
      const x = i.index;
      const sh = i.shift;
      const s = (r[b]! >>> 0) + (i.dispLo >>> 0) + ((r[x]! << sh) >>> 0);
      lo = s | 0;
      const xh = sh === 0 ? r[x + 16]! : (r[x + 16]! << sh) | (r[x]! >>> (32 - sh));
      hi = (r[b + 16]! + i.dispHi + xh + Math.floor(s / TWO32)) | 0;
      break;
    }
    default: {
      const x = i.index;
      const sh = i.shift;
      const s = (i.dispLo >>> 0) + ((r[x]! << sh) >>> 0);
      lo = s | 0;
      const xh = sh === 0 ? r[x + 16]! : (r[x + 16]! << sh) | (r[x]! >>> (32 - sh));
      hi = (i.dispHi + xh + Math.floor(s / TWO32)) | 0;
      break;
    }
  }
  if (i.addr32) hi = 0;
  if (i.seg !== 0) {
    const bl = i.seg === 1 ? c.fsLo : c.gsLo;
    const bh = i.seg === 1 ? c.fsHi : c.gsHi;
    const s = (lo >>> 0) + (bl >>> 0);
    lo = s | 0;
    hi = (hi + bh + (s >= TWO32 ? 1 : 0)) | 0;
  }
  c.eaHi = hi;
  return lo;
}

// ------------------------------------------------------------------ registers

/** Reads register `n` at `size`; byte registers 16..19 are AH CH DH BH. Sets c.th for size 8. */
export function getReg(c: CpuState, n: number, size: number): number {
  const r = c.r;
  switch (size) {
    case 8:
      c.th = r[n + 16]!;
      return r[n]!;
    case 4:
      return r[n]!;
    case 2:
      return r[n]! & 0xffff;
    default:
      return n < 16 ? r[n]! & 0xff : (r[n - 16]! >>> 8) & 0xff;
  }
}

/** Writes register `n` at `size` (32-bit writes zero-extend; 8/16-bit writes merge). */
export function setReg(c: CpuState, n: number, size: number, lo: number, hi: number): void {
  const r = c.r;
  switch (size) {
    case 8:
      r[n] = lo;
      r[n + 16] = hi;
      return;
    case 4:
      r[n] = lo;
      r[n + 16] = 0;
      return;
    case 2:
      r[n] = (r[n]! & ~0xffff) | (lo & 0xffff);
      return;
    default:
      if (n < 16) r[n] = (r[n]! & ~0xff) | (lo & 0xff);
      else r[n - 16] = (r[n - 16]! & ~0xff00) | ((lo & 0xff) << 8);
  }
}

// ------------------------------------------------------------------ memory at (lo, hi)

export function load(c: CpuState, lo: number, hi: number, size: number): number {
  const m = c.memory;
  switch (size) {
    case 8:
      lo = m.load64(lo, hi);
      c.th = m.hi;
      return lo;
    case 4:
      return m.load32(lo, hi);
    case 2:
      return m.load16(lo, hi);
    default:
      return m.load8(lo, hi);
  }
}

export function store(
  c: CpuState,
  lo: number,
  hi: number,
  size: number,
  vlo: number,
  vhi: number,
): void {
  const m = c.memory;
  switch (size) {
    case 8:
      m.store64(lo, hi, vlo, vhi);
      return;
    case 4:
      m.store32(lo, hi, vlo);
      return;
    case 2:
      m.store16(lo, hi, vlo & 0xffff);
      return;
    default:
      m.store8(lo, hi, vlo & 0xff);
  }
}

// ------------------------------------------------------------------ the E operand

/** Reads the ModRM r/m operand. */
export function readE(c: CpuState, i: Insn, size: number): number {
  if (i.ea === EaKind.Reg) return getReg(c, i.rm, size);
  const lo = ea(c, i);
  return load(c, lo, c.eaHi, size);
}

/** Writes the ModRM r/m operand (computes the address again; use writeEAt after a read). */
export function writeE(c: CpuState, i: Insn, size: number, vlo: number, vhi: number): void {
  if (i.ea === EaKind.Reg) setReg(c, i.rm, size, vlo, vhi);
  else store(c, ea(c, i), c.eaHi, size, vlo, vhi);
}

/** Read-modify-write helpers: `readEKeep` remembers the address in (c.ealo, c.eaHi). */
export function readEKeep(c: CpuState, i: Insn, size: number): number {
  if (i.ea === EaKind.Reg) return getReg(c, i.rm, size);
  const lo = ea(c, i);
  eaLoSaved = lo;
  eaHiSaved = c.eaHi;
  return load(c, lo, eaHiSaved, size);
}
let eaLoSaved = 0;
let eaHiSaved = 0;
export function writeEKept(c: CpuState, i: Insn, size: number, vlo: number, vhi: number): void {
  if (i.ea === EaKind.Reg) setReg(c, i.rm, size, vlo, vhi);
  else store(c, eaLoSaved, eaHiSaved, size, vlo, vhi);
}

/** Mask of a size in the low half (sizes 1/2; 4 and 8 use the full int32). */
export const maskOf = (size: number): number => (size === 1 ? 0xff : size === 2 ? 0xffff : -1);

/** Sign-extends a size-masked low value to int32. */
export const sext = (v: number, size: number): number =>
  size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
