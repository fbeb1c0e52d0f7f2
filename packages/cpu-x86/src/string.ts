/**
 * String instructions: movs stos lods cmps scas, with rep / repe / repne and the direction flag.
 * rep movs/stos on the kernel window with DF clear run as one bulk copy/fill; everything else
 * iterates element by element, keeping rcx/rsi/rdi exact so a fault leaves a resumable state.
 * With the 0x67 prefix, rsi/rdi/rcx are used as 32-bit registers (written back zero-extended).
 */
import { AluOp, alu } from './alu.js';
import type { Insn } from './insn.js';
import { CODE_LINE_SHIFT, type GuestMemory } from './memory.js';
import { getReg, load, setReg, store } from './operands.js';
import { type CpuState, DF } from './state.js';

const RCX = 1;
const RSI = 6;
const RDI = 7;
const TWO32 = 4294967296;

/** Adds a signed step to a pointer register (64-bit, or 32-bit with addr32). */
function advance(c: CpuState, n: number, step: number, a32: boolean): void {
  const r = c.r;
  if (a32) {
    r[n] = (r[n]! + step) | 0;
    r[n + 16] = 0;
    return;
  }
  const s = (r[n]! >>> 0) + step;
  r[n] = s | 0;
  if (s >= TWO32) r[n + 16] = (r[n + 16]! + 1) | 0;
  else if (s < 0) r[n + 16] = (r[n + 16]! - 1) | 0;
}

/** High half of a pointer register as an address (0 with addr32). */
const hiOf = (c: CpuState, n: number, a32: boolean): number => (a32 ? 0 : c.r[n + 16]!);

function count(c: CpuState, a32: boolean): number {
  return a32 ? c.r[RCX]! >>> 0 : (c.r[RCX + 16]! >>> 0) * TWO32 + (c.r[RCX]! >>> 0);
}
function setCount(c: CpuState, n: number, a32: boolean): void {
  c.r[RCX] = n | 0;
  c.r[RCX + 16] = a32 ? 0 : Math.floor(n / TWO32) | 0;
}
/** rcx -= 1 exactly (counts near 2^64 are not exact as doubles); returns true while rcx != 0. */
function decCount(c: CpuState, a32: boolean): boolean {
  const r = c.r;
  if (a32) {
    r[RCX] = (r[RCX]! - 1) | 0;
    r[RCX + 16] = 0;
    return r[RCX] !== 0;
  }
  if (r[RCX] === 0) r[RCX + 16] = (r[RCX + 16]! - 1) | 0;
  r[RCX] = (r[RCX]! - 1) | 0;
  return r[RCX] !== 0 || r[RCX + 16] !== 0;
}
const countIsZero = (c: CpuState, a32: boolean): boolean =>
  c.r[RCX] === 0 && (a32 || c.r[RCX + 16] === 0);

/**
 * Window offset of [reg, reg+len) when it is wholly backed and (for writes) holds no decoded code;
 * -1 otherwise.
 */
function windowRange(m: GuestMemory, c: CpuState, n: number, len: number, write: boolean): number {
  const lo = c.r[n]!;
  if (c.r[n + 16] !== -1 || lo >= 0) return -1;
  const o = lo & 0x7fffffff;
  if (o + len > m.windowSize) return -1;
  if (write) {
    for (let p = o >>> CODE_LINE_SHIFT; p <= (o + len - 1) >>> CODE_LINE_SHIFT; p++) {
      if (m.codeLines[p] !== 0) return -1;
    }
  }
  return o;
}

export function stos(c: CpuState, i: Insn): void {
  const size = i.size;
  const a32 = i.addr32;
  const r = c.r;
  const step = c.flags & DF ? -size : size;
  const v = getReg(c, 0, size);
  const vh = c.th;
  if (i.rep === 0) {
    store(c, r[RDI]!, hiOf(c, RDI, a32), size, v, vh);
    advance(c, RDI, step, a32);
    return;
  }
  const n = count(c, a32);
  if (countIsZero(c, a32)) return;
  const m = c.memory;
  if (step > 0 && !a32 && n * size < 0x40000000) {
    const o = windowRange(m, c, RDI, n * size, true);
    if (o >= 0) {
      if (size === 1 || (v === 0 && vh === 0)) m.u8.fill(size === 1 ? v : 0, o, o + n * size);
      else {
        const dv = m.dv;
        for (let k = 0; k < n; k++) {
          const p = o + k * size;
          if (size === 8) {
            dv.setInt32(p, v, true);
            dv.setInt32(p + 4, vh, true);
          } else if (size === 4) dv.setInt32(p, v, true);
          else dv.setUint16(p, v, true);
        }
      }
      advance(c, RDI, n * size, false);
      setCount(c, 0, false);
      return;
    }
  }
  do {
    store(c, r[RDI]!, hiOf(c, RDI, a32), size, v, vh);
    advance(c, RDI, step, a32);
  } while (decCount(c, a32));
}

export function movs(c: CpuState, i: Insn): void {
  const size = i.size;
  const a32 = i.addr32;
  const r = c.r;
  const step = c.flags & DF ? -size : size;
  if (i.rep !== 0 && countIsZero(c, a32)) return;
  const n = i.rep === 0 ? 1 : count(c, a32);
  const m = c.memory;
  const len = n * size;
  if (i.rep !== 0 && step > 0 && !a32 && len < 0x40000000) {
    const d = windowRange(m, c, RDI, len, true);
    const s = d >= 0 ? windowRange(m, c, RSI, len, false) : -1;
    // A forward element copy into an overlapping higher destination replicates the source pattern;
    // only non-overlapping (or downward) copies are a plain memmove.
    if (s >= 0 && (d <= s || d >= s + len)) {
      m.u8.copyWithin(d, s, s + len);
      advance(c, RSI, len, false);
      advance(c, RDI, len, false);
      setCount(c, 0, false);
      return;
    }
  }
  for (;;) {
    const v = load(c, r[RSI]!, hiOf(c, RSI, a32), size);
    store(c, r[RDI]!, hiOf(c, RDI, a32), size, v, c.th);
    advance(c, RSI, step, a32);
    advance(c, RDI, step, a32);
    if (i.rep === 0 || !decCount(c, a32)) return;
  }
}

export function lods(c: CpuState, i: Insn): void {
  const size = i.size;
  const a32 = i.addr32;
  const r = c.r;
  const step = c.flags & DF ? -size : size;
  if (i.rep !== 0 && countIsZero(c, a32)) return;
  for (;;) {
    const v = load(c, r[RSI]!, hiOf(c, RSI, a32), size);
    setReg(c, 0, size, v, c.th);
    advance(c, RSI, step, a32);
    if (i.rep === 0 || !decCount(c, a32)) return;
  }
}

/** cmps: compares [rsi] with [rdi] (flags of [rsi] - [rdi]); repe/repne stop on ZF. */
export function cmps(c: CpuState, i: Insn): void {
  const size = i.size;
  const a32 = i.addr32;
  const r = c.r;
  const step = c.flags & DF ? -size : size;
  if (i.rep !== 0 && countIsZero(c, a32)) return;
  for (;;) {
    const a = load(c, r[RSI]!, hiOf(c, RSI, a32), size);
    const ah = c.th;
    const b = load(c, r[RDI]!, hiOf(c, RDI, a32), size);
    alu(c, AluOp.Cmp, size, a, ah, b, c.th);
    advance(c, RSI, step, a32);
    advance(c, RDI, step, a32);
    if (i.rep === 0 || !decCount(c, a32)) return;
    const zf = c.fr === 0 && c.frh === 0;
    if (zf !== (i.rep === 1)) return;
  }
}

/** scas: compares the accumulator with [rdi]. */
export function scas(c: CpuState, i: Insn): void {
  const size = i.size;
  const a32 = i.addr32;
  const r = c.r;
  const step = c.flags & DF ? -size : size;
  const a = getReg(c, 0, size);
  const ah = c.th;
  if (i.rep !== 0 && countIsZero(c, a32)) return;
  for (;;) {
    const b = load(c, r[RDI]!, hiOf(c, RDI, a32), size);
    alu(c, AluOp.Cmp, size, a, ah, b, c.th);
    advance(c, RDI, step, a32);
    if (i.rep === 0 || !decCount(c, a32)) return;
    const zf = c.fr === 0 && c.frh === 0;
    if (zf !== (i.rep === 1)) return;
  }
}
