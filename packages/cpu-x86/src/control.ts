/**
 * Control transfer and the stack: push/pop, jmp/jcc/call/ret (direct and indirect), loop/jrcxz,
 * enter/leave. Handlers that branch write `c.ripLo/ripHi`; the run loop presets rip to the
 * fall-through address of the block, so not-taken branches write nothing.
 */
import { condition } from './flags.js';
import type { Insn } from './insn.js';
import { getReg, load, readE, setReg, store, writeE } from './operands.js';
import type { CpuState } from './state.js';

const RSP = 4;
const RBP = 5;

/** Pushes a value of `size` (8 or 2). */
export function push(c: CpuState, size: number, lo: number, hi: number): void {
  const r = c.r;
  const sp = r[RSP]!;
  const nsp = (sp - size) | 0;
  const nsph = (sp >>> 0 < size ? r[RSP + 16]! - 1 : r[RSP + 16]!) | 0;
  store(c, nsp, nsph, size, lo, hi);
  r[RSP] = nsp;
  r[RSP + 16] = nsph;
}

/** Pops a value of `size` (8 or 2); returns lo, high half in c.th. */
export function pop(c: CpuState, size: number): number {
  const r = c.r;
  const sp = r[RSP]!;
  const sph = r[RSP + 16]!;
  const v = load(c, sp, sph, size);
  const s = (sp >>> 0) + size;
  r[RSP] = s | 0;
  r[RSP + 16] = s >= 4294967296 ? (sph + 1) | 0 : sph;
  return v;
}

export function pushR(c: CpuState, i: Insn): void {
  const v = getReg(c, i.reg, i.size);
  push(c, i.size, v, c.th);
}

export function popR(c: CpuState, i: Insn): void {
  const v = pop(c, i.size);
  setReg(c, i.reg, i.size, v, c.th);
}

export function pushI(c: CpuState, i: Insn): void {
  push(c, i.size, i.immLo, i.immHi);
}

export function pushE(c: CpuState, i: Insn): void {
  const v = readE(c, i, i.size);
  push(c, i.size, v, c.th);
}

/** pop E: the address is computed after rsp is incremented (as the manual specifies). */
export function popE(c: CpuState, i: Insn): void {
  const v = pop(c, i.size);
  writeE(c, i, i.size, v, c.th);
}

export function jmpRel(c: CpuState, i: Insn): void {
  c.ripLo = i.targetLo;
  c.ripHi = i.targetHi;
}

export function jcc(c: CpuState, i: Insn): void {
  if (condition(c, i.op)) {
    c.ripLo = i.targetLo;
    c.ripHi = i.targetHi;
  }
}

export function jmpE(c: CpuState, i: Insn): void {
  const lo = readE(c, i, 8);
  c.ripLo = lo;
  c.ripHi = c.th;
}

export function callRel(c: CpuState, i: Insn): void {
  push(c, 8, i.nextLo, i.nextHi);
  c.ripLo = i.targetLo;
  c.ripHi = i.targetHi;
}

export function callE(c: CpuState, i: Insn): void {
  const lo = readE(c, i, 8);
  const hi = c.th;
  push(c, 8, i.nextLo, i.nextHi);
  c.ripLo = lo;
  c.ripHi = hi;
}

/** ret / ret imm16 (immLo bytes released after popping the return address). */
export function ret(c: CpuState, i: Insn): void {
  const lo = pop(c, 8);
  c.ripLo = lo;
  c.ripHi = c.th;
  if (i.immLo !== 0) {
    const r = c.r;
    const s = (r[RSP]! >>> 0) + i.immLo;
    r[RSP] = s | 0;
    if (s >= 4294967296) r[RSP + 16] = (r[RSP + 16]! + 1) | 0;
  }
}

/** loop / loope / loopne (op 2 / 1 / 0): decrement rCX (i.size 8, or 4 with 0x67). */
export function loop(c: CpuState, i: Insn): void {
  const r = c.r;
  let lo = r[1]!;
  let hi = r[17]!;
  if (i.size === 8) {
    if (lo === 0) hi = (hi - 1) | 0;
    lo = (lo - 1) | 0;
    r[1] = lo;
    r[17] = hi;
  } else {
    lo = (lo - 1) | 0;
    hi = 0;
    r[1] = lo;
    r[17] = 0;
  }
  let take = lo !== 0 || hi !== 0;
  if (take && i.op !== 2) take = condition(c, 4) === (i.op === 1);
  if (take) {
    c.ripLo = i.targetLo;
    c.ripHi = i.targetHi;
  }
}

export function jrcxz(c: CpuState, i: Insn): void {
  const r = c.r;
  if (r[1] === 0 && (i.size === 4 || r[17] === 0)) {
    c.ripLo = i.targetLo;
    c.ripHi = i.targetHi;
  }
}

export function leave(c: CpuState, i: Insn): void {
  const r = c.r;
  r[RSP] = r[RBP]!;
  r[RSP + 16] = r[RBP + 16]!;
  const v = pop(c, i.size);
  setReg(c, RBP, i.size, v, c.th);
}

/** enter imm16, imm8: builds a frame (nesting levels copy the enclosing frame pointers). */
export function enter(c: CpuState, i: Insn): void {
  const r = c.r;
  const size = i.size;
  push(c, size, r[RBP]!, r[RBP + 16]!);
  const frameLo = r[RSP]!;
  const frameHi = r[RSP + 16]!;
  const level = i.imm2;
  if (level > 0) {
    let bp = r[RBP]!;
    let bph = r[RBP + 16]!;
    for (let k = 1; k < level; k++) {
      const s = (bp >>> 0) - size;
      bp = s | 0;
      if (s < 0) bph = (bph - 1) | 0;
      const v = load(c, bp, bph, size);
      push(c, size, v, c.th);
    }
    push(c, size, frameLo, frameHi);
  }
  setReg(c, RBP, size, frameLo, frameHi);
  const d = (r[RSP]! >>> 0) - i.immLo;
  r[RSP] = d | 0;
  if (d < 0) r[RSP + 16] = (r[RSP + 16]! - 1) | 0;
}
