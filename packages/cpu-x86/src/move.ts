/**
 * Data movement: mov (all forms), movzx/movsx/movsxd, lea, xchg, cmovcc, setcc, cbw/cwd families,
 * bswap, xadd, cmpxchg, cmpxchg8b/16b, xlat.
 */
import { AluOp, alu } from './alu.js';
import { GeneralProtection } from './faults.js';
import { condition, materialize } from './flags.js';
import { EaKind, type Insn } from './insn.js';
import {
  ea,
  getReg,
  load,
  readE,
  readEKeep,
  setReg,
  sext,
  store,
  writeE,
  writeEKept,
} from './operands.js';
import { type CpuState, ZF } from './state.js';

/** mov reg, reg (both register operands; `reg` is the destination). */
export function movRR(c: CpuState, i: Insn): void {
  const size = i.size;
  if (size === 8) {
    const r = c.r;
    r[i.reg] = r[i.rm]!;
    r[i.reg + 16] = r[i.rm + 16]!;
    return;
  }
  setReg(c, i.reg, size, getReg(c, i.rm, size), 0);
}

/** mov reg, E. */
export function movGE(c: CpuState, i: Insn): void {
  const size = i.size;
  const v = readE(c, i, size);
  setReg(c, i.reg, size, v, c.th);
}

/** mov E(memory), reg. */
export function movMG(c: CpuState, i: Insn): void {
  const size = i.size;
  const v = getReg(c, i.reg, size);
  writeE(c, i, size, v, c.th);
}

/** mov E, imm (also mov reg, imm64). */
export function movEI(c: CpuState, i: Insn): void {
  writeE(c, i, i.size, i.immLo, i.immHi);
}

export function lea(c: CpuState, i: Insn): void {
  const lo = ea(c, i);
  setReg(c, i.reg, i.size, lo, c.eaHi);
}

/** movzx: i.imm2 is the source size (1 or 2). */
export function movzx(c: CpuState, i: Insn): void {
  const v = readE(c, i, i.imm2);
  setReg(c, i.reg, i.size, v, 0);
}

export function movsx(c: CpuState, i: Insn): void {
  const v = sext(readE(c, i, i.imm2), i.imm2);
  setReg(c, i.reg, i.size, v, v >> 31);
}

export function movsxd(c: CpuState, i: Insn): void {
  const v = readE(c, i, 4);
  setReg(c, i.reg, 8, v, v >> 31);
}

export function xchg(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = getReg(c, i.reg, size);
  const ah = c.th;
  const b = readEKeep(c, i, size);
  const bh = c.th;
  writeEKept(c, i, size, a, ah);
  setReg(c, i.reg, size, b, bh);
}

/** cmovcc: a 32-bit cmov zero-extends the destination even when the condition is false. */
export function cmov(c: CpuState, i: Insn): void {
  const size = i.size;
  const v = readE(c, i, size);
  const vh = c.th;
  if (condition(c, i.op)) setReg(c, i.reg, size, v, vh);
  else if (size === 4) c.r[i.reg + 16] = 0;
}

export function setcc(c: CpuState, i: Insn): void {
  writeE(c, i, 1, condition(c, i.op) ? 1 : 0, 0);
}

/** cbw / cwde / cdqe. */
export function cbw(c: CpuState, i: Insn): void {
  const r = c.r;
  switch (i.size) {
    case 2:
      r[0] = (r[0]! & ~0xffff) | (((r[0]! << 24) >> 24) & 0xffff);
      return;
    case 4:
      r[0] = (r[0]! << 16) >> 16;
      r[16] = 0;
      return;
    default:
      r[16] = r[0]! >> 31;
  }
}

/** cwd / cdq / cqo. */
export function cwd(c: CpuState, i: Insn): void {
  const r = c.r;
  switch (i.size) {
    case 2:
      r[2] = (r[2]! & ~0xffff) | (((r[0]! << 16) >> 31) & 0xffff);
      return;
    case 4:
      r[2] = r[0]! >> 31;
      r[18] = 0;
      return;
    default: {
      const s = r[16]! >> 31;
      r[2] = s;
      r[18] = s;
    }
  }
}

const swap32 = (v: number): number =>
  ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);

export function bswap(c: CpuState, i: Insn): void {
  const r = c.r;
  const n = i.reg;
  if (i.size === 8) {
    const lo = r[n]!;
    r[n] = swap32(r[n + 16]!);
    r[n + 16] = swap32(lo);
  } else if (i.size === 4) {
    r[n] = swap32(r[n]!);
    r[n + 16] = 0;
  } else {
    // bswap of a 16-bit register is undefined; this machine's CPUs clear the low word.
    r[n] = r[n]! & ~0xffff;
  }
}

export function xadd(c: CpuState, i: Insn): void {
  const size = i.size;
  const b = getReg(c, i.reg, size);
  const bh = c.th;
  const a = readEKeep(c, i, size);
  const ah = c.th;
  const r = alu(c, AluOp.Add, size, a, ah, b, bh);
  const rh = c.th;
  setReg(c, i.reg, size, a, ah);
  writeEKept(c, i, size, r, rh);
}

/** cmpxchg E, reg: compare the accumulator with E; equal → E = reg, else accumulator = E. */
export function cmpxchg(c: CpuState, i: Insn): void {
  const size = i.size;
  const a = getReg(c, 0, size);
  const ah = c.th;
  const d = readEKeep(c, i, size);
  const dh = c.th;
  alu(c, AluOp.Cmp, size, a, ah, d, dh);
  if (c.fr === 0 && c.frh === 0) {
    const s = getReg(c, i.reg, size);
    writeEKept(c, i, size, s, c.th);
  } else {
    // A memory destination is written back unchanged (a locked RMW always writes); a register
    // destination is not written at all (its upper half stays), then rAX is loaded.
    if (i.ea !== EaKind.Reg) writeEKept(c, i, size, d, dh);
    setReg(c, 0, size, d, dh);
  }
}

/** cmpxchg8b / cmpxchg16b (i.size 8 or 16): compares rDX:rAX with the memory operand. */
export function cmpxchg8b(c: CpuState, i: Insn): void {
  const r = c.r;
  const lo = ea(c, i);
  const hi = c.eaHi;
  if (i.size === 8) {
    const m0 = load(c, lo, hi, 4);
    const s = (lo >>> 0) + 4;
    const m1 = load(c, s | 0, s >= 4294967296 ? (hi + 1) | 0 : hi, 4);
    const f = materialize(c) & ~ZF;
    if (m0 === r[0] && m1 === r[2]) {
      store(c, lo, hi, 8, r[3]!, r[1]!);
      c.flags = f | ZF;
    } else {
      store(c, lo, hi, 8, m0, m1);
      r[0] = m0;
      r[16] = 0;
      r[2] = m1;
      r[18] = 0;
      c.flags = f;
    }
    return;
  }
  if ((lo & 15) !== 0) {
    throw new GeneralProtection('cmpxchg16b operand not 16-byte aligned');
  }
  const m0 = load(c, lo, hi, 8);
  const m0h = c.th;
  const s = (lo >>> 0) + 8;
  const hi2 = s >= 4294967296 ? (hi + 1) | 0 : hi;
  const m1 = load(c, s | 0, hi2, 8);
  const m1h = c.th;
  const f = materialize(c) & ~ZF;
  if (m0 === r[0] && m0h === r[16] && m1 === r[2] && m1h === r[18]) {
    store(c, lo, hi, 8, r[3]!, r[19]!);
    store(c, s | 0, hi2, 8, r[1]!, r[17]!);
    c.flags = f | ZF;
  } else {
    store(c, lo, hi, 8, m0, m0h);
    store(c, s | 0, hi2, 8, m1, m1h);
    r[0] = m0;
    r[16] = m0h;
    r[2] = m1;
    r[18] = m1h;
    c.flags = f;
  }
}

/** xlat: AL = [rbx + zero-extended AL]. */
export function xlat(c: CpuState, i: Insn): void {
  const r = c.r;
  i.base = 3;
  i.dispLo = r[0]! & 0xff;
  i.dispHi = 0;
  const lo = ea(c, i);
  setReg(c, 0, 1, load(c, lo, c.eaHi, 1), 0);
}
