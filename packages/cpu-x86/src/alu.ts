/**
 * Integer arithmetic and logic: add or adc sbb and sub xor cmp, test, inc dec neg not.
 * Results are computed on int32 halves; flags are recorded lazily (see flags.ts).
 */
import { carry } from './flags.js';
import { EaKind, type Insn } from './insn.js';
import { getReg, maskOf, readE, readEKeep, setReg, writeEKept } from './operands.js';
import { type CpuState, Lazy } from './state.js';

const TWO32 = 4294967296;

/** ALU operation numbers: the reg field of opcodes 80-83 and bits 5:3 of 00-3f. */
export enum AluOp {
  Add = 0,
  Or = 1,
  Adc = 2,
  Sbb = 3,
  And = 4,
  Sub = 5,
  Xor = 6,
  Cmp = 7,
}

function record(
  c: CpuState,
  kind: Lazy,
  size: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
  r: number,
  rh: number,
): void {
  c.lazy = kind;
  c.fsz = size;
  c.fa = a;
  c.fah = ah;
  c.fb = b;
  c.fbh = bh;
  c.fr = r;
  c.frh = rh;
}

/**
 * Computes `a op b` at `size` (operands size-masked; high halves used only for size 8), records
 * the flags and returns the low half of the result (high half in c.th).
 */
export function alu(
  c: CpuState,
  op: number,
  size: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
): number {
  let r: number;
  let rh = 0;
  if (size !== 8) {
    ah = 0;
    bh = 0;
  }
  const mask = maskOf(size);
  switch (op) {
    case AluOp.Add:
      if (size === 8) {
        const s = (a >>> 0) + (b >>> 0);
        r = s | 0;
        rh = (ah + bh + (s >= TWO32 ? 1 : 0)) | 0;
      } else r = (a + b) & mask;
      c.fcin = 0;
      record(c, Lazy.Add, size, a, ah, b, bh, r, rh);
      break;
    case AluOp.Or:
      r = a | b;
      rh = ah | bh;
      record(c, Lazy.Logic, size, a, ah, b, bh, r, rh);
      break;
    case AluOp.Adc: {
      const cin = carry(c);
      if (size === 8) {
        const s = (a >>> 0) + (b >>> 0) + cin;
        r = s | 0;
        rh = (ah + bh + (s >= TWO32 ? 1 : 0)) | 0;
      } else r = (a + b + cin) & mask;
      c.fcin = cin;
      record(c, Lazy.Adc, size, a, ah, b, bh, r, rh);
      break;
    }
    case AluOp.Sbb: {
      const cin = carry(c);
      if (size === 8) {
        const d = (a >>> 0) - (b >>> 0) - cin;
        r = d | 0;
        rh = (ah - bh - (d < 0 ? 1 : 0)) | 0;
      } else r = (a - b - cin) & mask;
      c.fcin = cin;
      record(c, Lazy.Sbb, size, a, ah, b, bh, r, rh);
      break;
    }
    case AluOp.And:
      r = a & b;
      rh = ah & bh;
      record(c, Lazy.Logic, size, a, ah, b, bh, r, rh);
      break;
    case AluOp.Xor:
      r = a ^ b;
      rh = ah ^ bh;
      record(c, Lazy.Logic, size, a, ah, b, bh, r, rh);
      break;
    default:
      // sub and cmp
      if (size === 8) {
        r = (a - b) | 0;
        rh = (ah - bh - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
      } else r = (a - b) & mask;
      c.fcin = 0;
      record(c, Lazy.Sub, size, a, ah, b, bh, r, rh);
      break;
  }
  c.th = rh;
  return r;
}

/** op E, G (E is the destination). */
export function aluEG(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = getReg(c, i.reg, size);
  const bh = c.th;
  if (i.ea === EaKind.Reg) {
    // xor r, r (the zero idiom) and friends on registers.
    const a = getReg(c, i.rm, size);
    const r = alu(c, i.op, size, a, c.th, b, bh);
    setReg(c, i.rm, size, r, c.th);
    return;
  }
  const a = readEKeep(c, i, size);
  const r = alu(c, i.op, size, a, c.th, b, bh);
  writeEKept(c, i, size, r, c.th);
}

/** op G, E (G is the destination). */
export function aluGE(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = readE(c, i, size);
  const bh = c.th;
  const a = getReg(c, i.reg, size);
  const r = alu(c, i.op, size, a, c.th, b, bh);
  setReg(c, i.reg, size, r, c.th);
}

/** op E, imm. */
export function aluEI(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = readEKeep(c, i, size);
  const r = alu(c, i.op, size, a, c.th, i.immLo, i.immHi);
  writeEKept(c, i, size, r, c.th);
}

export function cmpEG(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = getReg(c, i.reg, size);
  const bh = c.th;
  const a = readE(c, i, size);
  alu(c, AluOp.Cmp, size, a, c.th, b, bh);
}

export function cmpGE(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = readE(c, i, size);
  const bh = c.th;
  const a = getReg(c, i.reg, size);
  alu(c, AluOp.Cmp, size, a, c.th, b, bh);
}

export function cmpEI(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = readE(c, i, size);
  alu(c, AluOp.Cmp, size, a, c.th, i.immLo, i.immHi);
}

export function testEG(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = getReg(c, i.reg, size);
  const bh = c.th;
  const a = readE(c, i, size);
  alu(c, AluOp.And, size, a, c.th, b, bh);
}

export function testEI(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = readE(c, i, size);
  alu(c, AluOp.And, size, a, c.th, i.immLo, i.immHi);
}

/** inc/dec keep CF: it is materialized into c.flags before the lazy state is replaced. */
function incDec(c: CpuState, i: Insn, dec: boolean): void {
  const size = i.size;
  const cf = carry(c);
  const a = readEKeep(c, i, size);
  let ah = size === 8 ? c.th : 0;
  let r: number;
  let rh = ah;
  if (dec) {
    r = (a - 1) & maskOf(size);
    if (size === 8 && a === 0) rh = (ah - 1) | 0;
  } else {
    r = (a + 1) & maskOf(size);
    if (size === 8 && a === -1) rh = (ah + 1) | 0;
  }
  if (size !== 8) {
    ah = 0;
    rh = 0;
  }
  c.flags = (c.flags & ~1) | cf;
  record(c, dec ? Lazy.Dec : Lazy.Inc, size, a, ah, 1, 0, r, rh);
  writeEKept(c, i, size, r, rh);
}

export function incE(c: CpuState, i: Insn): void {
  incDec(c, i, false);
}
export function decE(c: CpuState, i: Insn): void {
  incDec(c, i, true);
}

export function negE(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = readEKeep(c, i, size);
  const r = alu(c, AluOp.Sub, size, 0, 0, b, c.th);
  writeEKept(c, i, size, r, c.th);
}

export function notE(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = readEKeep(c, i, size);
  writeEKept(c, i, size, ~a & maskOf(size), ~c.th);
}
