/**
 * A decoded instruction. Created once at decode time (never per execution) and kept in a block;
 * every field is a small integer so all instances share one hidden class and handlers stay monomorphic.
 */
import type { CpuState } from './state.js';

export type Handler = (c: CpuState, i: Insn) => void;

/** Effective-address forms, chosen at decode time so address generation does only what it must. */
export enum EaKind {
  /** mod == 3: the operand is a register. */
  Reg = 0,
  /** [disp] (absolute or RIP-relative, resolved at decode time). */
  Abs = 1,
  /** [base + disp]. */
  Base = 2,
  /** [base + index*scale + disp]. */
  BaseIndex = 3,
  /** [index*scale + disp]. */
  Index = 4,
}

export class Insn {
  /** Executes the instruction. */
  fn: Handler = undefined as unknown as Handler;
  /** Sub-operation selector for shared handlers (ALU kind, condition code, shift kind...). */
  op = 0;
  /** Operand size in bytes: 1, 2, 4 or 8. */
  size = 4;
  /** Instruction length in bytes. */
  len = 0;
  /** Address of this instruction and of the next one (int32 halves). */
  ripLo = 0;
  ripHi = 0;
  nextLo = 0;
  nextHi = 0;
  /** ModRM.reg operand: a register number (byte registers: 0-15 low bytes, 16-19 = AH CH DH BH). */
  reg = 0;
  /** ModRM.rm register when `ea === EaKind.Reg` (same byte-register encoding as `reg`). */
  rm = 0;
  ea: EaKind = EaKind.Reg;
  base = 0;
  index = 0;
  /** log2 of the SIB scale. */
  shift = 0;
  dispLo = 0;
  dispHi = 0;
  /** 0 = none, 1 = %fs, 2 = %gs. */
  seg = 0;
  /** Address-size override (0x67): effective addresses are truncated to 32 bits. */
  addr32 = false;
  immLo = 0;
  immHi = 0;
  /** Second immediate (enter's nesting level) or the shift count of a constant shift. */
  imm2 = 0;
  /** Branch target (int32 halves). */
  targetLo = 0;
  targetHi = 0;
  /** 0 = none, 1 = REP/REPE (F3), 2 = REPNE (F2). */
  rep = 0;
  /** Position of this instruction inside its block. */
  index0 = 0;
}
