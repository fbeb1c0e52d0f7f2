/**
 * Shifts and rotates: rol ror rcl rcr shl shr sal sar (group 2) and shld/shrd.
 * Flags are computed eagerly here (their rules depend on the count); a masked count of zero
 * leaves flags and the operand untouched.
 */
import { carry, materialize, PARITY, setStatus } from './flags.js';
import type { Insn } from './insn.js';
import { getReg, maskOf, readEKeep, sext, writeEKept } from './operands.js';
import { AF, CF, type CpuState, OF, SF, ZF } from './state.js';

/** SF ZF PF of a result at size (lo masked; hi only for size 8). */
function szp(size: number, lo: number, hi: number): number {
  let f = PARITY[lo & 0xff]!;
  if (lo === 0 && (size !== 8 || hi === 0)) f |= ZF;
  const top = size === 8 ? hi : size === 4 ? lo : size === 2 ? lo << 16 : lo << 24;
  if (top < 0) f |= SF;
  return f;
}

const msb = (size: number, lo: number, hi: number): number =>
  size === 8 ? hi >>> 31 : (lo >>> (size * 8 - 1)) & 1;

/** Group 2 with an immediate count (or 1). */
export function shiftImm(c: CpuState, i: Insn): void {
  shift(c, i, i.imm2);
}

/** Group 2 with the count in CL. */
export function shiftCL(c: CpuState, i: Insn): void {
  shift(c, i, c.r[1]! & 0xff);
}

function shift(c: CpuState, i: Insn, count: number): void {
  const size = i.size;
  const n = count & (size === 8 ? 63 : 31);
  const v = readEKeep(c, i, size);
  const vh = size === 8 ? c.th : 0;
  if (n === 0) {
    // Nothing changes, but a 32-bit register destination is still written (zero-extended).
    writeEKept(c, i, size, v, vh);
    return;
  }
  const op = i.op;
  if (op === 2 || op === 3) {
    rotateThroughCarry(c, i, size, n, v, vh, op === 2);
    return;
  }
  if (op < 2) {
    rotate(c, i, size, n, v, vh, op === 0);
    return;
  }
  let rl: number;
  let rh = 0;
  let cf: number;
  let of: number;
  if (size === 8) {
    if (op === 4 || op === 6) {
      if (n < 32) {
        rh = (vh << n) | (v >>> (32 - n));
        rl = v << n;
        cf = (vh >>> (32 - n)) & 1;
      } else {
        rh = v << (n - 32);
        rl = 0;
        cf = n === 32 ? vh & 1 : (v >>> (64 - n)) & 1;
      }
      of = (rh >>> 31) ^ cf;
    } else {
      const arith = op === 7;
      if (n < 32) {
        rl = (v >>> n) | (vh << (32 - n));
        rh = arith ? vh >> n : vh >>> n;
        cf = (v >>> (n - 1)) & 1;
      } else {
        rl = arith ? vh >> (n - 32) : n === 32 ? vh : vh >>> (n - 32);
        rh = arith ? vh >> 31 : 0;
        cf = n === 32 ? v >>> 31 : (vh >>> (n - 33)) & 1;
      }
      of = arith ? 0 : n === 1 ? vh >>> 31 : 0;
    }
  } else {
    const bits = size * 8;
    const mask = maskOf(size);
    if (op === 4 || op === 6) {
      rl = n < 32 ? (v << n) & mask : 0;
      cf = n <= bits ? (v >>> (bits - n)) & 1 : 0;
      of = msb(size, rl, 0) ^ cf;
    } else if (op === 5) {
      rl = n < bits ? (v & mask) >>> n : 0;
      cf = n <= bits ? ((v & mask) >>> (n - 1)) & 1 : 0;
      of = n === 1 ? msb(size, v, 0) : 0;
    } else {
      const s = sext(v, size);
      rl = (s >> Math.min(n, 31)) & mask;
      cf = (s >> Math.min(n - 1, 31)) & 1;
      of = 0;
    }
  }
  // This CPU sets AF on every shift with a non-zero count (the manual: undefined).
  setStatus(c, szp(size, rl, rh) | AF | (cf ? CF : 0) | (of ? OF : 0));
  writeEKept(c, i, size, rl, rh);
}

function rotate(
  c: CpuState,
  i: Insn,
  size: number,
  n: number,
  v: number,
  vh: number,
  left: boolean,
): void {
  let rl: number;
  let rh = 0;
  if (size === 8) {
    let m = left ? n : 64 - n;
    let l = v;
    let h = vh;
    if (m >= 32) {
      l = vh;
      h = v;
      m -= 32;
    }
    if (m === 0) {
      rl = l;
      rh = h;
    } else {
      rl = (l << m) | (h >>> (32 - m));
      rh = (h << m) | (l >>> (32 - m));
    }
  } else {
    const bits = size * 8;
    const mask = maskOf(size);
    const x = v & mask;
    let m = n % bits;
    if (!left && m !== 0) m = bits - m;
    rl = m === 0 ? x : ((x << m) | (x >>> (bits - m))) & mask;
  }
  const f = materialize(c) & ~(CF | OF);
  const top = msb(size, rl, rh);
  let cf: number;
  let of: number;
  if (left) {
    cf = rl & 1;
    of = top ^ cf;
  } else {
    cf = top;
    const second = size === 8 ? (rh >>> 30) & 1 : (rl >>> (size * 8 - 2)) & 1;
    of = top ^ second;
  }
  c.flags = f | (cf ? CF : 0) | (of ? OF : 0);
  writeEKept(c, i, size, rl, rh);
}

const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

function rotateThroughCarry(
  c: CpuState,
  i: Insn,
  size: number,
  n: number,
  v: number,
  vh: number,
  left: boolean,
): void {
  const bits = size * 8;
  const m = size === 1 ? n % 9 : size === 2 ? n % 17 : n;
  const cin = carry(c);
  const f = materialize(c) & ~(CF | OF);
  const width = BigInt(bits + 1);
  const all = (1n << width) - 1n;
  // The (bits+1)-bit value CF:operand rotated as a whole.
  let x = (BigInt(cin) << BigInt(bits)) | (big(v, vh) & ((1n << BigInt(bits)) - 1n));
  const mm = BigInt(m);
  if (m !== 0) {
    x = left ? ((x << mm) | (x >> (width - mm))) & all : ((x >> mm) | (x << (width - mm))) & all;
  }
  const cf = Number(x >> BigInt(bits)) & 1;
  const res = x & ((1n << BigInt(bits)) - 1n);
  const rl = Number(res & 0xffffffffn) | 0;
  const rh = Number(res >> 32n) | 0;
  const top = msb(size, rl, rh);
  const of = left ? top ^ cf : top ^ Number((res >> BigInt(bits - 2)) & 1n);
  c.flags = f | (cf ? CF : 0) | (of ? OF : 0);
  writeEKept(c, i, size, rl, rh);
}

/** shld (op 0) / shrd (op 1) E, G, imm8|CL (imm2 = -1 means CL). */
export function shxd(c: CpuState, i: Insn): void {
  const size = i.size;
  const count = i.imm2 < 0 ? c.r[1]! & 0xff : i.imm2;
  const n = count & (size === 8 ? 63 : 31);
  const src = getReg(c, i.reg, size);
  const srch = c.th;
  const v = readEKeep(c, i, size);
  const vh = size === 8 ? c.th : 0;
  if (n === 0) {
    writeEKept(c, i, size, v, vh);
    return;
  }
  if (size !== 2) {
    shxdWide(c, i, size, n, v, vh, src, size === 8 ? srch : 0);
    return;
  }
  const bits = BigInt(size * 8);
  const mask = (1n << bits) - 1n;
  const d = big(v, vh) & mask;
  const s = big(src, 0) & mask;
  const nn = BigInt(n);
  let res: bigint;
  let cf: bigint;
  // Counts above 16 on 16-bit operands are undefined; this CPU shifts dst:src:src (shld) or
  // src:src:dst (shrd) and clears CF (measured).
  if (i.op === 0) {
    const wide = (d << (2n * bits)) | (s << bits) | s;
    res = (wide >> (2n * bits - nn)) & mask;
    cf = nn > bits ? 0n : (wide >> (3n * bits - nn)) & 1n;
  } else {
    const wide = (s << (2n * bits)) | (s << bits) | d;
    res = (wide >> nn) & mask;
    cf = nn > bits ? 0n : (wide >> (nn - 1n)) & 1n;
  }
  const rl = Number(res & 0xffffffffn) | 0;
  const rh = Number(res >> 32n) | 0;
  // OF for every count, as this CPU computes it: shld like shl (top bit ^ CF), shrd from the
  // top two bits of the result (both equal "sign changed" for a count of 1).
  const top = msb(size, rl, rh);
  const second = Number((res >> (bits - 2n)) & 1n);
  // shld: CF ^ top bit of (dst << count), which is the result's top bit for counts below the width.
  const of = i.op === 0 ? Number(cf) ^ (nn < bits ? top : 0) : top ^ second;
  setStatus(c, szp(size, rl, rh) | AF | (cf ? CF : 0) | (of ? OF : 0));
  writeEKept(c, i, size, rl, rh);
}

/** High half left by shl64/shr64. */
let hi64 = 0;
/** (lo, hi) << n for n in 0..64; returns lo, high half in hi64. */
function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    hi64 = hi;
    return lo;
  }
  if (n >= 64) {
    hi64 = 0;
    return 0;
  }
  if (n >= 32) {
    hi64 = lo << (n - 32);
    return 0;
  }
  hi64 = (hi << n) | (lo >>> (32 - n));
  return lo << n;
}
/** (lo, hi) >>> n for n in 0..64; returns lo, high half in hi64. */
function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    hi64 = hi;
    return lo;
  }
  if (n >= 64) {
    hi64 = 0;
    return 0;
  }
  if (n >= 32) {
    hi64 = 0;
    return hi >>> (n - 32);
  }
  hi64 = hi >>> n;
  return (lo >>> n) | (hi << (32 - n));
}

/** shld/shrd at 32 or 64 bits (count 1..width-1) on int32 halves. */
function shxdWide(
  c: CpuState,
  i: Insn,
  size: number,
  n: number,
  d: number,
  dh: number,
  s: number,
  sh: number,
): void {
  let rl: number;
  let rh: number;
  let cf: number;
  if (size === 4) {
    rh = 0;
    if (i.op === 0) {
      rl = (d << n) | (s >>> (32 - n));
      cf = (d >>> (32 - n)) & 1;
    } else {
      rl = (d >>> n) | (s << (32 - n));
      cf = (d >>> (n - 1)) & 1;
    }
  } else if (i.op === 0) {
    const a = shl64(d, dh, n);
    const ah = hi64;
    const b = shr64(s, sh, 64 - n);
    rl = a | b;
    rh = ah | hi64;
    cf = shr64(d, dh, 64 - n) & 1;
  } else {
    const a = shr64(d, dh, n);
    const ah = hi64;
    const b = shl64(s, sh, 64 - n);
    rl = a | b;
    rh = ah | hi64;
    cf = shr64(d, dh, n - 1) & 1;
  }
  const top = msb(size, rl, rh);
  const second = size === 8 ? (rh >>> 30) & 1 : (rl >>> 30) & 1;
  const of = i.op === 0 ? cf ^ top : top ^ second;
  setStatus(c, szp(size, rl, rh) | AF | (cf ? CF : 0) | (of ? OF : 0));
  writeEKept(c, i, size, rl, rh);
}
