/** Bit instructions: bt/bts/btr/btc, bsf/bsr, tzcnt/lzcnt, popcnt. */
import { materialize, setStatus } from './flags.js';
import { EaKind, type Insn } from './insn.js';
import { ea, getReg, load, maskOf, readE, setReg, store } from './operands.js';
import { AF, CF, type CpuState, PF, SF, ZF } from './state.js';

const TWO32 = 4294967296;

/** Applies bt op (0 bt, 1 bts, 2 btr, 3 btc) to bit `bit` (0..63) of (lo, hi); returns new lo, hi in c.th. */
function bitOp(c: CpuState, op: number, lo: number, hi: number, bit: number): number {
  const word = bit < 32 ? lo : hi;
  const m = 1 << (bit & 31);
  const cf = (word & m) !== 0;
  c.flags = (materialize(c) & ~CF) | (cf ? CF : 0);
  let w = word;
  if (op === 1) w |= m;
  else if (op === 2) w &= ~m;
  else if (op === 3) w ^= m;
  if (bit < 32) {
    c.th = hi;
    return w;
  }
  c.th = w;
  return lo;
}

function btAt(
  c: CpuState,
  i: Insn,
  op: number,
  offset: number,
  offsetHi: number,
  fromReg: boolean,
): void {
  const size = i.size;
  const bits = size * 8;
  if (i.ea === EaKind.Reg) {
    const v = getReg(c, i.rm, size);
    const vh = size === 8 ? c.th : 0;
    const lo = bitOp(c, op, v, vh, offset & (bits - 1));
    if (op !== 0) setReg(c, i.rm, size, lo & maskOf(size), c.th);
    return;
  }
  // Memory operand with a register offset: the offset is signed and may reach outside the operand.
  let lo = ea(c, i);
  let hi = c.eaHi;
  let bit = offset & (bits - 1);
  if (fromReg) {
    const sh = Math.log2(bits);
    const off =
      size === 8 ? offsetHi * TWO32 + (offset >>> 0) : size === 4 ? offset : (offset << 16) >> 16;
    const disp = Math.floor(off / 2 ** sh) * size;
    const s = (lo >>> 0) + disp;
    lo = s | 0;
    hi = (hi + Math.floor(s / TWO32)) | 0;
    bit = off - Math.floor(off / bits) * bits;
  }
  const v = load(c, lo, hi, size);
  const vh = size === 8 ? c.th : 0;
  const nlo = bitOp(c, op, v, vh, bit);
  if (op !== 0) store(c, lo, hi, size, nlo, c.th);
}

export function btEG(c: CpuState, i: Insn): void {
  const off = getReg(c, i.reg, i.size);
  btAt(c, i, i.op, off, i.size === 8 ? c.th : 0, true);
}

export function btEI(c: CpuState, i: Insn): void {
  btAt(c, i, i.op, i.immLo, 0, false);
}

const clz64 = (lo: number, hi: number): number => (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
const ctz32 = (v: number): number => 31 - Math.clz32(v & -v);
const ctz64 = (lo: number, hi: number): number => (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));

/** The source operand, size-masked; high half in c.th (0 below 64 bits). */
function source(c: CpuState, i: Insn): number {
  const v = readE(c, i, i.size);
  if (i.size !== 8) c.th = 0;
  return v & maskOf(i.size);
}

/** bsf: ZF = (src == 0), destination unchanged then. */
export function bsf(c: CpuState, i: Insn): void {
  const lo = source(c, i);
  const hi = c.th;
  const f = materialize(c) & ~ZF;
  if (lo === 0 && hi === 0) {
    c.flags = f | ZF;
    return;
  }
  c.flags = f;
  setReg(c, i.reg, i.size, ctz64(lo, hi), 0);
}

export function bsr(c: CpuState, i: Insn): void {
  const lo = source(c, i);
  const hi = c.th;
  const f = materialize(c) & ~ZF;
  if (lo === 0 && hi === 0) {
    c.flags = f | ZF;
    return;
  }
  c.flags = f;
  setReg(c, i.reg, i.size, 63 - clz64(lo, hi), 0);
}

export function tzcnt(c: CpuState, i: Insn): void {
  const lo = source(c, i);
  const hi = c.th;
  const bits = i.size * 8;
  const n = lo === 0 && hi === 0 ? bits : ctz64(lo, hi);
  c.flags =
    (materialize(c) & ~(CF | ZF | SF | PF | AF)) | (n === bits ? CF : 0) | (n === 0 ? ZF : 0);
  setReg(c, i.reg, i.size, n, 0);
}

export function lzcnt(c: CpuState, i: Insn): void {
  const lo = source(c, i);
  const hi = c.th;
  const bits = i.size * 8;
  const n = clz64(lo, hi) - (64 - bits);
  c.flags =
    (materialize(c) & ~(CF | ZF | SF | PF | AF)) | (n === bits ? CF : 0) | (n === 0 ? ZF : 0);
  setReg(c, i.reg, i.size, n, 0);
}

const pop32 = (v: number): number => {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
};

export function popcnt(c: CpuState, i: Insn): void {
  const lo = source(c, i);
  const hi = c.th;
  const n = pop32(lo) + pop32(hi);
  setStatus(c, n === 0 ? ZF : 0);
  setReg(c, i.reg, i.size, n, 0);
}
