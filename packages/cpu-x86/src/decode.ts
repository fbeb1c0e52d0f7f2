/**
 * The x86-64 instruction decoder: prefixes, REX, ModRM/SIB/RIP-relative
 * addressing and immediates. It fills an `Insn` and picks the handler that executes it, so the
 * interpreter never looks at instruction bytes again. Anything outside the supported integer ISA
 * raises InvalidOpcode with the bytes.
 */
import * as alu from './alu.js';
import * as bits from './bits.js';
import { InvalidOpcode } from './faults.js';
import { EaKind, type Handler, Insn } from './insn.js';
import type { GuestMemory } from './memory.js';
import * as mv from './move.js';
import { ONE_BYTE, Undefined } from './opcode-map.js';

const TWO32 = 4294967296;
const MAX_LENGTH = 15;

/** Instructions that accept LOCK (with a memory destination). */
const LOCKABLE = new Set<Handler>([
  alu.aluEG,
  alu.aluEI,
  alu.incE,
  alu.decE,
  alu.negE,
  alu.notE,
  bits.btEG,
  bits.btEI,
  mv.xadd,
  mv.xchg,
  mv.cmpxchg,
  mv.cmpxchg8b,
]);

/**
 * Decoding state and the operand helpers are public for opcode-map.ts (the per-opcode functions);
 * they are not part of the package's API (index.ts exports no Decoder).
 */
export class Decoder {
  /** Bytes consumed so far. */
  p = 0;
  rex = 0;
  private opsize16 = false;
  rep = 0;
  private lock = false;
  private ripRel = false;
  i: Insn = new Insn();

  constructor(
    private readonly mem: GuestMemory,
    private lo = 0,
    private hi = 0,
  ) {}

  /** Decodes the instruction at (lo, hi) into `out` (a fresh Insn when omitted). */
  decode(lo: number, hi: number, out: Insn = new Insn()): Insn {
    this.lo = lo;
    this.hi = hi;
    this.p = 0;
    this.rex = 0;
    this.opsize16 = false;
    this.rep = 0;
    this.lock = false;
    this.ripRel = false;
    this.i = out;
    out.ripLo = lo;
    out.ripHi = hi;
    out.seg = 0;
    out.addr32 = false;
    out.ea = EaKind.Reg;
    try {
      this.prefixesAndOpcode();
      if (
        this.lock &&
        (out.ea === EaKind.Reg ||
          !LOCKABLE.has(out.fn) ||
          ((out.fn === bits.btEG || out.fn === bits.btEI) && out.op === 0))
      ) {
        throw new Undefined('LOCK prefix on an instruction or operand that cannot be locked');
      }
    } catch (e) {
      if (e instanceof Undefined) throw new InvalidOpcode(this.bytesSeen(), e.detail);
      throw e;
    }
    out.len = this.p;
    const s = (lo >>> 0) + this.p;
    out.nextLo = s | 0;
    out.nextHi = (hi + (s >= TWO32 ? 1 : 0)) | 0;
    out.rep = this.rep;
    if (this.ripRel) {
      const t = (out.nextLo >>> 0) + (out.dispLo >>> 0);
      out.dispLo = t | 0;
      out.dispHi = (out.nextHi + out.dispHi + (t >= TWO32 ? 1 : 0)) | 0;
      if (out.addr32) out.dispHi = 0;
    }
    return out;
  }

  private bytesSeen(): Uint8Array {
    const n = Math.min(Math.max(this.p, 1), MAX_LENGTH);
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      try {
        out.push(this.at(k));
      } catch {
        break;
      }
    }
    return Uint8Array.from(out);
  }

  at(k: number): number {
    const s = (this.lo >>> 0) + k;
    return this.mem.fetch8(s | 0, (this.hi + (s >= TWO32 ? 1 : 0)) | 0);
  }

  byte(): number {
    if (this.p >= MAX_LENGTH) throw new Undefined('instruction longer than 15 bytes');
    return this.at(this.p++);
  }
  imm8s(): number {
    return (this.byte() << 24) >> 24;
  }
  imm16(): number {
    const a = this.byte();
    return a | (this.byte() << 8);
  }
  imm32(): number {
    const a = this.imm16();
    return a | (this.imm16() << 16);
  }

  // ------------------------------------------------------------------ operands

  regSize(size: number, n: number): number {
    return size === 1 && this.rex === 0 && n >= 4 && n <= 7 ? n + 12 : n;
  }

  /** Parses ModRM (+SIB, displacement) for an operand of `size`; returns the raw reg field (0-7). */
  modrm(size: number): number {
    const i = this.i;
    const m = this.byte();
    const mod = m >> 6;
    const regField = (m >> 3) & 7;
    i.reg = this.regSize(size, regField | ((this.rex & 4) << 1));
    let rm = m & 7;
    if (mod === 3) {
      i.ea = EaKind.Reg;
      i.rm = this.regSize(size, rm | ((this.rex & 1) << 3));
      return regField;
    }
    i.dispLo = 0;
    i.dispHi = 0;
    i.base = 0;
    i.index = 0;
    i.shift = 0;
    let hasBase = true;
    let hasIndex = false;
    if (rm === 4) {
      const sib = this.byte();
      i.shift = sib >> 6;
      const idx = ((sib >> 3) & 7) | ((this.rex & 2) << 2);
      if (idx !== 4) {
        hasIndex = true;
        i.index = idx;
      }
      rm = sib & 7;
      if (rm === 5 && mod === 0) hasBase = false;
      else i.base = rm | ((this.rex & 1) << 3);
    } else if (rm === 5 && mod === 0) {
      hasBase = false;
      this.ripRel = true;
    } else {
      i.base = rm | ((this.rex & 1) << 3);
    }
    if (mod === 1) i.dispLo = this.imm8s();
    else if (mod === 2 || !hasBase) i.dispLo = this.imm32();
    i.dispHi = i.dispLo < 0 ? -1 : 0;
    i.ea = hasBase
      ? hasIndex
        ? EaKind.BaseIndex
        : EaKind.Base
      : hasIndex
        ? EaKind.Index
        : EaKind.Abs;
    if (i.addr32 && !this.ripRel) i.dispHi = 0;
    return regField;
  }

  needMem(): void {
    if (this.i.ea === EaKind.Reg) throw new Undefined('register operand where memory is required');
  }

  /** Immediate of an operand of `size` ("Iz": at most 32 bits, sign-extended to 64). */
  immZ(size: number): void {
    const i = this.i;
    if (size === 1) i.immLo = this.byte();
    else if (size === 2) i.immLo = this.imm16();
    else i.immLo = this.imm32();
    i.immHi = size === 8 && i.immLo < 0 ? -1 : 0;
  }

  /** Sign-extended imm8, masked to the operand size. */
  immB(size: number): void {
    const i = this.i;
    const v = this.imm8s();
    i.immLo = size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v;
    i.immHi = size === 8 && v < 0 ? -1 : 0;
  }

  relTarget(rel: number): void {
    // The target is relative to the next instruction, whose address is known once the length is.
    const i = this.i;
    const s = (this.lo >>> 0) + this.p + rel;
    i.targetLo = s | 0;
    i.targetHi = (this.hi + Math.floor(s / TWO32)) | 0;
  }

  set(fn: Handler, size: number, op = 0): void {
    this.i.fn = fn;
    this.i.size = size;
    this.i.op = op;
  }

  // ------------------------------------------------------------------ opcode maps

  private prefixesAndOpcode(): void {
    const i = this.i;
    for (;;) {
      const b = this.byte();
      if (b >= 0x40 && b <= 0x4f) {
        this.rex = b; // a later REX replaces this one
        continue;
      }
      if (
        b !== 0x0f &&
        (b === 0x66 ||
          b === 0x67 ||
          b === 0xf0 ||
          b === 0xf2 ||
          b === 0xf3 ||
          b === 0x64 ||
          b === 0x65 ||
          (b & 0xe7) === 0x26)
      ) {
        this.rex = 0; // a legacy prefix after REX cancels the REX
      }
      switch (b) {
        case 0x66:
          this.opsize16 = true;
          continue;
        case 0x67:
          i.addr32 = true;
          continue;
        case 0xf0:
          this.lock = true; // one thread: every instruction is atomic, LOCK only restricts forms
          continue;
        case 0xf2:
          this.rep = 2;
          continue;
        case 0xf3:
          this.rep = 1;
          continue;
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
          continue; // ES/CS/SS/DS overrides are ignored in 64-bit mode
        case 0x64:
          i.seg = 1;
          continue;
        case 0x65:
          i.seg = 2;
          continue;
        default:
          ONE_BYTE[b]!(this, b);
          return;
      }
    }
  }

  /** Operand size of ordinary instructions: REX.W, else 0x66, else 32. */
  v(): number {
    return this.rex & 8 ? 8 : this.opsize16 ? 2 : 4;
  }
  /** Operand size of stack/branch instructions (default 64). */
  v64(): number {
    return this.opsize16 && (this.rex & 8) === 0 ? 2 : 8;
  }

  /** ff /2 /4 /6 operate on 64-bit operands; the register form was decoded at the wrong size. */
  reModrmSize(): void {
    const i = this.i;
    if (i.ea === EaKind.Reg && i.rm >= 16) i.rm -= 12;
  }

  /** The ModRM.reg register decoded as a full register (movzx/movsx destinations). */
  rexReg(): number {
    const r = this.i.reg;
    return r >= 16 ? r - 12 : r;
  }
}
