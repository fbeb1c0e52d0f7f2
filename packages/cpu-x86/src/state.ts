/**
 * The machine state every instruction handler works on: 16 general registers as int32 halves,
 * lazy arithmetic flags, rip, segment bases, and the guest memory. The public `Cpu` extends this.
 */
import type { Insn } from './insn.js';
import type { GuestMemory } from './memory.js';

/** Flag bits of RFLAGS. */
export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;

/** What the lazy flag state describes (which operation last set the status flags). */
export enum Lazy {
  /** Flags are materialized in `flags`. */
  None = 0,
  Add = 1,
  Sub = 2,
  Adc = 3,
  Sbb = 4,
  /** and/or/xor/test: CF = OF = AF = 0. */
  Logic = 5,
  /** inc/dec: like add/sub of 1, CF kept from `flags`. */
  Inc = 6,
  Dec = 7,
}

export class CpuState {
  readonly memory: GuestMemory;
  /** Registers: low halves at [0..15], high halves at [16..31] (int32). */
  readonly r = new Int32Array(32);
  ripLo = 0;
  ripHi = 0;
  fsLo = 0;
  fsHi = 0;
  gsLo = 0;
  gsHi = 0;
  /** Materialized RFLAGS (status bits valid only when `lazy === Lazy.None`); DF and others always valid. */
  flags = 0x202;
  lazy: Lazy = Lazy.None;
  /** Operand size of the lazy operation (1, 2, 4, 8). */
  fsz = 4;
  /** Lazy operands and result, int32 halves (sizes < 8 use only the low half, masked to the size). */
  fa = 0;
  fah = 0;
  fb = 0;
  fbh = 0;
  fr = 0;
  frh = 0;
  /** Carry-in of adc/sbb. */
  fcin = 0;
  /** Index (in its block) of the compiled instruction that may fault next. */
  k = 0;
  /** Index (in its region) of the compiled block running now. */
  blk = 0;
  /** Remaining instructions before BudgetExhausted (Infinity = unlimited). */
  budget = Number.POSITIVE_INFINITY;
  /** Scratch: high half of a 64-bit value returned by an operand read. */
  th = 0;
  /** Scratch: high half of the last effective address. */
  eaHi = 0;
  /** Virtual time-stamp counter (rdtsc). */
  tsc = 0;
  /** Instructions retired so far (counted per block at block entry, corrected on faults). */
  instructionsRetired = 0;
  /** instructionsRetired before the current block. */
  blockBase = 0;
  /** Set by handlers that must stop the run loop at the end of the current block (return to host, interrupt). */
  stop = 0;
  /** Instructions until the next RIP sample (Infinity when sampling is off); see Cpu.sampleInterval. */
  sampleLeft = Number.POSITIVE_INFINITY;

  /** The host-trap area (set by Cpu): its start as int32 halves, and its size in bytes. */
  trapLo = 0;
  trapHi = 0;
  trapBytes = 0;

  constructor(memory: GuestMemory) {
    this.memory = memory;
  }

  /** Instructions retired before `i` (rdtsc's virtual clock). */
  retiredAt(i: Insn): number {
    return this.blockBase + i.index0;
  }

  /** Takes a RIP sample at the block starting at (lo, hi); replaced by Cpu. */
  sample(_lo: number, _hi: number): void {
    this.sampleLeft = Number.POSITIVE_INFINITY;
  }

  /**
   * Compiled regions call this when control leaves them: runs a host function whose trap rip is
   * and returns true, or returns false (then the region returns to the run loop); see Cpu.
   */
  hostCallInline(): boolean {
    return false;
  }

  /** Hook for instructions implemented by the Cpu class (host traps); replaced by Cpu. */
  hostTrap(_i: Insn): void {
    throw new Error('hostTrap: no Cpu attached');
  }
}
