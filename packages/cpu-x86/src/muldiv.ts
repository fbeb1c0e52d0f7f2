/**
 * Multiplication and division: mul/imul/div/idiv (group 3, incl. 128-bit rdx:rax forms) and the
 * two- and three-operand imul. Common cases run on doubles and int32 halves; operands too wide for
 * exact double arithmetic fall back to BigInt (rare in compiled code).
 */
import { DivideError } from './faults.js';
import { materialize } from './flags.js';
import type { Insn } from './insn.js';
import { getReg, maskOf, readE, setReg, sext } from './operands.js';
import { AF, CF, type CpuState, OF, PF, SF, ZF } from './state.js';

const TWO32 = 4294967296;
const M64 = (1n << 64n) - 1n;

/** High 32 bits of the unsigned 64-bit product of two uint32 values. */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const bigS = (lo: number, hi: number): bigint => BigInt.asIntN(64, big(lo, hi));
const loOf = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hiOf = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;

/**
 * Flags after a multiply: CF = OF = `overflow`. SF ZF AF PF are left unchanged, as this machine's
 * CPU does (the manual calls them undefined).
 */
function mulFlags(c: CpuState, _size: number, _lo: number, _hi: number, overflow: boolean): void {
  c.flags = (materialize(c) & ~(CF | OF)) | (overflow ? CF | OF : 0);
}

/** Flags after a division that did not fault: CF OF unchanged, SF ZF PF cleared, AF set (this CPU). */
function divFlags(c: CpuState): void {
  c.flags = (materialize(c) & ~(SF | ZF | PF | AF)) | AF;
}

/** Low 64 bits of a 64x64 product (result lo returned, hi in c.th). */
function mul64lo(c: CpuState, a: number, ah: number, b: number, bh: number): number {
  c.th = (mulhu(a, b) + Math.imul(a, bh) + Math.imul(ah, b)) | 0;
  return Math.imul(a, b);
}

/** True when the signed 64x64 product does not fit in 64 bits. */
export function imul64Overflows(a: number, ah: number, b: number, bh: number): boolean {
  if (ah === a >> 31 && bh === b >> 31) return false; // both fit in 32 bits: |product| < 2^62
  // High 64 bits of the signed 128-bit product must be the sign extension of the low 64.
  const w1 = (mulhu(a, b) >>> 0) + (Math.imul(a, bh) >>> 0) + (Math.imul(ah, b) >>> 0);
  const w2 =
    (mulhu(a, bh) >>> 0) +
    (mulhu(ah, b) >>> 0) +
    (Math.imul(ah, bh) >>> 0) +
    Math.floor(w1 / TWO32);
  let w3 = (mulhu(ah, bh) + Math.floor(w2 / TWO32)) | 0;
  let hiLo = w2 | 0;
  if (ah < 0) {
    const d = (hiLo >>> 0) - (b >>> 0);
    hiLo = d | 0;
    w3 = (w3 - bh - (d < 0 ? 1 : 0)) | 0;
  }
  if (bh < 0) {
    const d = (hiLo >>> 0) - (a >>> 0);
    hiLo = d | 0;
    w3 = (w3 - ah - (d < 0 ? 1 : 0)) | 0;
  }
  const sign = (w1 | 0) >> 31;
  return hiLo !== sign || w3 !== sign;
}

/** Signed truncated multiply at `size`; sets flags, returns lo (hi in c.th). */
function imulTrunc(
  c: CpuState,
  size: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
): number {
  if (size === 8) {
    const lo = mul64lo(c, a, ah, b, bh);
    const hi = c.th;
    mulFlags(c, 8, lo, hi, imul64Overflows(a, ah, b, bh));
    c.th = hi;
    return lo;
  }
  const sa = sext(a, size);
  const sb = sext(b, size);
  const p = sa * sb;
  if (size === 4) {
    const lo = Math.imul(sa, sb);
    mulFlags(c, 4, lo, 0, p < -2147483648 || p > 2147483647);
    return lo;
  }
  const lo = p & maskOf(size);
  mulFlags(c, size, lo, 0, sext(lo, size) !== p);
  return lo;
}

/** imul G, E. */
export function imulGE(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = readE(c, i, size);
  const bh = c.th;
  const a = getReg(c, i.reg, size);
  const r = imulTrunc(c, size, a, size === 8 ? c.th : 0, b, bh);
  setReg(c, i.reg, size, r, c.th);
}

/** imul G, E, imm. */
export function imulGEI(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = readE(c, i, size);
  const r = imulTrunc(c, size, a, size === 8 ? c.th : 0, i.immLo, i.immHi);
  setReg(c, i.reg, size, r, c.th);
}

/** Group 3 ops 4-7: mul, imul, div, idiv of the accumulator by E. */
export function group3(c: CpuState, i: Insn): void {
  const size = i.size;
  const src = readE(c, i, size);
  const srch = size === 8 ? c.th : 0;
  switch (i.op) {
    case 4:
      mul(c, size, src, srch, false);
      return;
    case 5:
      mul(c, size, src, srch, true);
      return;
    case 6:
      div(c, size, src, srch, false);
      return;
    default:
      div(c, size, src, srch, true);
  }
}

function mul(c: CpuState, size: number, b: number, bh: number, signed: boolean): void {
  const r = c.r;
  if (size === 1) {
    const a = r[0]! & 0xff;
    const p = signed ? sext(a, 1) * sext(b, 1) : a * b;
    setReg(c, 0, 2, p & 0xffff, 0);
    mulFlags(c, 1, p & 0xff, 0, signed ? sext(p & 0xff, 1) !== p : p > 0xff);
    return;
  }
  if (size === 2) {
    const a = r[0]! & 0xffff;
    const p = signed ? sext(a, 2) * sext(b, 2) : a * b;
    setReg(c, 0, 2, p & 0xffff, 0);
    setReg(c, 2, 2, (p >> 16) & 0xffff, 0);
    mulFlags(c, 2, p & 0xffff, 0, signed ? sext(p & 0xffff, 2) !== p : p > 0xffff);
    return;
  }
  if (size === 4) {
    const a = r[0]!;
    const lo = Math.imul(a, b);
    let hi: number;
    if (signed) {
      hi = (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
    } else hi = mulhu(a, b);
    r[0] = lo;
    r[16] = 0;
    r[2] = hi;
    r[18] = 0;
    mulFlags(c, 4, lo, 0, signed ? hi !== lo >> 31 : hi !== 0);
    return;
  }
  // 64x64 -> 128 from four 32x32 -> 64 partial products.
  const al = r[0]!;
  const ah = r[16]!;
  const l0 = Math.imul(al, b);
  const h0 = mulhu(al, b) >>> 0;
  const l1 = Math.imul(al, bh) >>> 0;
  const h1 = mulhu(al, bh) >>> 0;
  const l2 = Math.imul(ah, b) >>> 0;
  const h2 = mulhu(ah, b) >>> 0;
  const l3 = Math.imul(ah, bh) >>> 0;
  const h3 = mulhu(ah, bh) >>> 0;
  const w1 = h0 + l1 + l2;
  const w2 = h1 + h2 + l3 + Math.floor(w1 / TWO32);
  let w3 = (h3 + Math.floor(w2 / TWO32)) | 0;
  let hiLo = w2 | 0;
  if (signed) {
    // Signed product = unsigned product - (a < 0 ? b << 64 : 0) - (b < 0 ? a << 64 : 0).
    if (ah < 0) {
      const d = (hiLo >>> 0) - (b >>> 0);
      hiLo = d | 0;
      w3 = (w3 - bh - (d < 0 ? 1 : 0)) | 0;
    }
    if (bh < 0) {
      const d = (hiLo >>> 0) - (al >>> 0);
      hiLo = d | 0;
      w3 = (w3 - ah - (d < 0 ? 1 : 0)) | 0;
    }
  }
  r[0] = l0;
  r[16] = w1 | 0;
  r[2] = hiLo;
  r[18] = w3;
  const sign = r[16]! >> 31;
  const overflow = signed ? hiLo !== sign || w3 !== sign : hiLo !== 0 || w3 !== 0;
  mulFlags(c, 8, l0, w1 | 0, overflow);
}

/** True when (l, h) is a 64-bit value that fits in 32 bits (signed or unsigned). */
const small = (l: number, h: number, signed: boolean): boolean =>
  signed ? (h === 0 && l >= 0) || (h === -1 && l < 0) : h === 0;

function div(c: CpuState, size: number, b: number, bh: number, signed: boolean): void {
  divide(c, size, b, bh, signed);
  divFlags(c);
}

function divide(c: CpuState, size: number, b: number, bh: number, signed: boolean): void {
  const r = c.r;
  if (b === 0 && bh === 0) throw new DivideError('divide by zero');
  if (size === 1) {
    const a = r[0]! & 0xffff;
    const n = signed ? sext(a, 2) : a;
    const d = signed ? sext(b, 1) : b;
    const q = Math.trunc(n / d);
    if (signed ? q < -128 || q > 127 : q > 0xff) throw new DivideError('quotient overflow');
    setReg(c, 0, 2, (q & 0xff) | (((n - q * d) & 0xff) << 8), 0);
    return;
  }
  if (size === 2) {
    const a = ((r[2]! & 0xffff) << 16) | (r[0]! & 0xffff);
    const n = signed ? a : a >>> 0;
    const d = signed ? sext(b, 2) : b;
    const q = Math.trunc(n / d);
    if (signed ? q < -32768 || q > 32767 : q > 0xffff) throw new DivideError('quotient overflow');
    setReg(c, 0, 2, q & 0xffff, 0);
    setReg(c, 2, 2, (n - q * d) & 0xffff, 0);
    return;
  }
  if (size === 4) {
    const lo = r[0]!;
    const hi = r[2]!;
    let q: number;
    let rem: number;
    if (signed ? hi === lo >> 31 : hi === 0) {
      const n = signed ? lo : lo >>> 0;
      const d = signed ? b : b >>> 0;
      q = Math.trunc(n / d);
      rem = n - q * d;
      if (signed ? q > 2147483647 : false) throw new DivideError('quotient overflow');
    } else {
      const n = signed ? bigS(lo, hi) : big(lo, hi);
      const d = signed ? BigInt(b) : BigInt(b >>> 0);
      const bq = n / d;
      if (signed ? bq < -2147483648n || bq > 2147483647n : bq > 0xffffffffn) {
        throw new DivideError('quotient overflow');
      }
      q = Number(bq);
      rem = Number(n - bq * d);
    }
    r[0] = q | 0;
    r[16] = 0;
    r[2] = rem | 0;
    r[18] = 0;
    return;
  }
  const lo = r[0]!;
  const hi = r[16]!;
  const dlo = r[2]!;
  const dhi = r[18]!;
  // Fast path: dividend and divisor both fit comfortably in a double.
  if (
    signed
      ? dhi === hi >> 31 && dlo === hi >> 31 && small(lo, hi, signed)
      : dlo === 0 && dhi === 0 && small(lo, hi, signed)
  ) {
    if (small(b, bh, signed)) {
      const n = signed ? lo : lo >>> 0;
      const d = signed && bh === -1 ? b : b >>> 0;
      const q = Math.trunc(n / d);
      const rem = n - q * d;
      r[0] = q | 0;
      r[16] = q < 0 ? -1 : 0;
      r[2] = rem | 0;
      r[18] = rem < 0 ? -1 : 0;
      return;
    }
  }
  if (divide64(r, lo, hi, dlo, dhi, b, bh, signed)) return;
  const n = signed
    ? BigInt.asIntN(128, (big(dlo, dhi) << 64n) | big(lo, hi))
    : (big(dlo, dhi) << 64n) | big(lo, hi);
  const d = signed ? bigS(b, bh) : big(b, bh);
  const q = n / d;
  if (signed ? q !== BigInt.asIntN(64, q) : q > M64) throw new DivideError('quotient overflow');
  const rem = n - q * d;
  const qu = q & M64;
  const ru = rem & M64;
  r[0] = loOf(qu);
  r[16] = hiOf(qu);
  r[2] = loOf(ru);
  r[18] = hiOf(ru);
}

// ---------------------------------------------------------------- 64-bit division without BigInt

/** Results of udiv: quotient and remainder halves. */
let qLo = 0;
let qHi = 0;
let rLo = 0;
let rHi = 0;

/**
 * Unsigned (x:n) / d for x < d, when d < 2^32 (any x) or x = 0 (any d); returns false otherwise.
 * Exact: long division in 16-bit digits (partial remainders < 2^48), or a double estimate of the
 * quotient corrected against the exact 96-bit product.
 */
function udiv(
  nlo: number,
  nhi: number,
  xlo: number,
  xhi: number,
  dlo: number,
  dhi: number,
): boolean {
  if (dhi === 0) {
    if (xhi !== 0) return false;
    const d = dlo >>> 0;
    let rem = xlo >>> 0;
    let cur = rem * 65536 + (nhi >>> 16);
    const q3 = Math.floor(cur / d);
    rem = cur - q3 * d;
    cur = rem * 65536 + (nhi & 0xffff);
    const q2 = Math.floor(cur / d);
    rem = cur - q2 * d;
    cur = rem * 65536 + (nlo >>> 16);
    const q1 = Math.floor(cur / d);
    rem = cur - q1 * d;
    cur = rem * 65536 + (nlo & 0xffff);
    const q0 = Math.floor(cur / d);
    rem = cur - q0 * d;
    qHi = (q3 << 16) | q2;
    qLo = (q1 << 16) | q0;
    rLo = rem | 0;
    rHi = 0;
    return true;
  }
  if (xlo !== 0 || xhi !== 0) return false;
  const nu = (nhi >>> 0) * TWO32 + (nlo >>> 0);
  const du = (dhi >>> 0) * TWO32 + (dlo >>> 0);
  let q = Math.min(Math.floor(nu / du), 0xffffffff);
  for (let pass = 0; pass < 3; pass++) {
    // prod = q * d as three words (w2:w1:w0); compare with n.
    const w0 = Math.imul(q, dlo) >>> 0;
    const t = (mulhu(q, dlo) >>> 0) + (Math.imul(q, dhi) >>> 0);
    const w1 = t % TWO32;
    const w2 = (mulhu(q, dhi) >>> 0) + Math.floor(t / TWO32);
    const nh = nhi >>> 0;
    const nl = nlo >>> 0;
    if (w2 > 0 || w1 > nh || (w1 === nh && w0 > nl)) {
      q--; // the estimate was one too high
      continue;
    }
    // r = n - prod (fits in 64 bits, non-negative)
    let rl = nl - w0;
    let rh = nh - w1;
    if (rl < 0) {
      rl += TWO32;
      rh--;
    }
    const ru = rh * TWO32 + rl;
    if (rh > dhi >>> 0 || (rh === dhi >>> 0 && rl >= dlo >>> 0)) {
      if (ru >= du * 2 || pass === 2) return false;
      q++; // one too low
      continue;
    }
    qLo = q | 0;
    qHi = 0;
    rLo = rl | 0;
    rHi = rh | 0;
    return true;
  }
  return false;
}

/** 128/64 division of rdx:rax (n = hi:lo in x = dhi:dlo) by b:bh into r[], when udiv can do it. */
function divide64(
  r: Int32Array,
  lo: number,
  hi: number,
  xlo: number,
  xhi: number,
  b: number,
  bh: number,
  signed: boolean,
): boolean {
  if (!signed) {
    // Quotient overflow (x >= d) is left to the exact path, which raises #DE.
    if (xhi >>> 0 > bh >>> 0 || (xhi === bh && xlo >>> 0 >= b >>> 0)) return false;
    if (!udiv(lo, hi, xlo, xhi, b, bh)) return false;
    r[0] = qLo;
    r[16] = qHi;
    r[2] = rLo;
    r[18] = rHi;
    return true;
  }
  // Signed: only when rdx is the sign extension of rax (a 64-bit dividend).
  const sign = hi >> 31;
  if (xlo !== sign || xhi !== sign) return false;
  const nNeg = sign < 0;
  const dNeg = bh < 0;
  let nl = lo;
  let nh = hi;
  if (nNeg) {
    nl = (~lo + 1) | 0;
    nh = (~hi + (nl === 0 ? 1 : 0)) | 0;
  }
  let dl = b;
  let dh = bh;
  if (dNeg) {
    dl = (~b + 1) | 0;
    dh = (~bh + (dl === 0 ? 1 : 0)) | 0;
  }
  if (!udiv(nl, nh, 0, 0, dl, dh)) return false;
  // The quotient must fit in a signed 64-bit value.
  const qNeg = nNeg !== dNeg;
  if (qHi < 0 && !(qNeg && qHi === -0x80000000 && qLo === 0)) return false;
  let ql = qLo;
  let qh = qHi;
  if (qNeg) {
    ql = (~qLo + 1) | 0;
    qh = (~qHi + (ql === 0 ? 1 : 0)) | 0;
  }
  let rl = rLo;
  let rh = rHi;
  if (nNeg) {
    rl = (~rLo + 1) | 0;
    rh = (~rHi + (rl === 0 ? 1 : 0)) | 0;
  }
  r[0] = ql;
  r[16] = qh;
  r[2] = rl;
  r[18] = rh;
  return true;
}
