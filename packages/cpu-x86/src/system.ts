/**
 * Flag-register instructions, cpuid, rdtsc, nops/fences and the instructions that trap
 * (int3, ud2, int n, privileged I/O and hlt).
 */

import { pop, push } from './control.js';
import { cpuidLeaf } from './cpuid.js';
import { Breakpoint, GeneralProtection, InvalidOpcode } from './faults.js';
import { carry, materialize } from './flags.js';
import type { Insn } from './insn.js';
import { setReg } from './operands.js';
import { CF, type CpuState, DF, STATUS_FLAGS } from './state.js';

/** RFLAGS bits popf may change (status, TF, IF, DF, OF, NT, AC, ID); bit 1 always reads as 1. */
const POPF_MASK = STATUS_FLAGS | 0x100 | 0x200 | DF | 0x4000 | 0x40000 | 0x200000;

export function nop(_c: CpuState, _i: Insn): void {}

export function pushf(c: CpuState, i: Insn): void {
  push(c, i.size, materialize(c) & 0x00fcffff, 0);
}

export function popf(c: CpuState, i: Insn): void {
  const v = pop(c, i.size);
  const mask = i.size === 2 ? POPF_MASK & 0xffff : POPF_MASK;
  materialize(c);
  c.flags = (c.flags & ~mask) | (v & mask) | 2;
}

export function sahf(c: CpuState, _i: Insn): void {
  const ah = (c.r[0]! >>> 8) & 0xff;
  materialize(c);
  c.flags = (c.flags & ~0xd5) | (ah & 0xd5);
}

export function lahf(c: CpuState, _i: Insn): void {
  setReg(c, 16, 1, (materialize(c) & 0xd5) | 2, 0);
}

export function cmc(c: CpuState, _i: Insn): void {
  const cf = carry(c);
  materialize(c);
  c.flags = (c.flags & ~CF) | (cf ^ 1);
}
export function clc(c: CpuState, _i: Insn): void {
  materialize(c);
  c.flags &= ~CF;
}
export function stc(c: CpuState, _i: Insn): void {
  materialize(c);
  c.flags |= CF;
}
export function cld(c: CpuState, _i: Insn): void {
  c.flags &= ~DF;
}
export function std(c: CpuState, _i: Insn): void {
  c.flags |= DF;
}

export function cpuid(c: CpuState, _i: Insn): void {
  const r = c.r;
  const [a, b, cx, d] = cpuidLeaf(r[0]!, r[1]!);
  setReg(c, 0, 4, a, 0);
  setReg(c, 3, 4, b, 0);
  setReg(c, 1, 4, cx, 0);
  setReg(c, 2, 4, d, 0);
}

/** rdtsc: a virtual time-stamp counter (instructions retired), deterministic across runs. */
export function rdtsc(c: CpuState, i: Insn): void {
  const t = c.retiredAt(i) + c.tsc;
  setReg(c, 0, 4, t | 0, 0);
  setReg(c, 2, 4, Math.floor(t / 4294967296) | 0, 0);
}

export function int3(_c: CpuState, _i: Insn): void {
  throw new Breakpoint();
}

export function intN(_c: CpuState, i: Insn): void {
  throw new GeneralProtection(`int 0x${i.immLo.toString(16)} (software interrupt) in guest code`);
}

export function ud2(_c: CpuState, _i: Insn): void {
  throw new InvalidOpcode(Uint8Array.of(0x0f, 0x0b), 'ud2');
}

export function privileged(_c: CpuState, _i: Insn): void {
  throw new GeneralProtection('privileged instruction (I/O, hlt, cli/sti) in guest code');
}
