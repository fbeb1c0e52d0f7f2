/**
 * The x86-64 instruction decoder: prefixes, REX, one- and two-byte opcode maps, ModRM/SIB/RIP-relative
 * addressing and immediates. It fills an `Insn` and picks the handler that executes it, so the
 * interpreter never looks at instruction bytes again. Anything outside the supported integer ISA
 * raises InvalidOpcode with the bytes.
 */
import * as alu from './alu.js';
import * as bits from './bits.js';
import * as ctl from './control.js';
import { InvalidOpcode } from './faults.js';
import { EaKind, type Handler, Insn } from './insn.js';
import type { GuestMemory } from './memory.js';
import * as mv from './move.js';
import * as md from './muldiv.js';
import * as sh from './shift.js';
import * as str from './string.js';
import * as sys from './system.js';

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

/** Thrown internally when decoding stops; converted to InvalidOpcode with the bytes seen so far. */
class Undefined {
  constructor(readonly detail: string) {}
}

export class Decoder {
  private p = 0;
  private rex = 0;
  private opsize16 = false;
  private rep = 0;
  private lock = false;
  private ripRel = false;
  private i: Insn = new Insn();

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

  private at(k: number): number {
    const s = (this.lo >>> 0) + k;
    return this.mem.fetch8(s | 0, (this.hi + (s >= TWO32 ? 1 : 0)) | 0);
  }

  private byte(): number {
    if (this.p >= MAX_LENGTH) throw new Undefined('instruction longer than 15 bytes');
    return this.at(this.p++);
  }
  private imm8s(): number {
    return (this.byte() << 24) >> 24;
  }
  private imm16(): number {
    const a = this.byte();
    return a | (this.byte() << 8);
  }
  private imm32(): number {
    const a = this.imm16();
    return a | (this.imm16() << 16);
  }

  // ------------------------------------------------------------------ operands

  private regSize(size: number, n: number): number {
    return size === 1 && this.rex === 0 && n >= 4 && n <= 7 ? n + 12 : n;
  }

  /** Parses ModRM (+SIB, displacement) for an operand of `size`; returns the raw reg field (0-7). */
  private modrm(size: number): number {
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

  private needMem(): void {
    if (this.i.ea === EaKind.Reg) throw new Undefined('register operand where memory is required');
  }

  /** Immediate of an operand of `size` ("Iz": at most 32 bits, sign-extended to 64). */
  private immZ(size: number): void {
    const i = this.i;
    if (size === 1) i.immLo = this.byte();
    else if (size === 2) i.immLo = this.imm16();
    else i.immLo = this.imm32();
    i.immHi = size === 8 && i.immLo < 0 ? -1 : 0;
  }

  /** Sign-extended imm8, masked to the operand size. */
  private immB(size: number): void {
    const i = this.i;
    const v = this.imm8s();
    i.immLo = size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v;
    i.immHi = size === 8 && v < 0 ? -1 : 0;
  }

  private relTarget(rel: number): void {
    // The target is relative to the next instruction, whose address is known once the length is.
    const i = this.i;
    const s = (this.lo >>> 0) + this.p + rel;
    i.targetLo = s | 0;
    i.targetHi = (this.hi + Math.floor(s / TWO32)) | 0;
  }

  private set(fn: Handler, size: number, op = 0): void {
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
          this.opcode(b);
          return;
      }
    }
  }

  /** Operand size of ordinary instructions: REX.W, else 0x66, else 32. */
  private v(): number {
    return this.rex & 8 ? 8 : this.opsize16 ? 2 : 4;
  }
  /** Operand size of stack/branch instructions (default 64). */
  private v64(): number {
    return this.opsize16 && (this.rex & 8) === 0 ? 2 : 8;
  }

  private opcode(b: number): void {
    const i = this.i;
    if (b < 0x40 && (b & 7) < 6) {
      // add or adc sbb and sub xor cmp: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz
      const op = b >> 3;
      const form = b & 7;
      const size = form & 1 ? this.v() : 1;
      if (form < 2) {
        this.modrm(size);
        this.set(op === 7 ? alu.cmpEG : alu.aluEG, size, op);
      } else if (form < 4) {
        this.modrm(size);
        this.set(op === 7 ? alu.cmpGE : alu.aluGE, size, op);
      } else {
        i.ea = EaKind.Reg;
        i.rm = 0;
        if (size === 1) this.immB(1);
        else this.immZ(size);
        this.set(op === 7 ? alu.cmpEI : alu.aluEI, size, op);
      }
      return;
    }
    if (b >= 0x50 && b <= 0x57) {
      i.reg = (b & 7) | ((this.rex & 1) << 3);
      this.set(ctl.pushR, this.v64());
      return;
    }
    if (b >= 0x58 && b <= 0x5f) {
      i.reg = (b & 7) | ((this.rex & 1) << 3);
      this.set(ctl.popR, this.v64());
      return;
    }
    if (b >= 0x70 && b <= 0x7f) {
      const rel = this.imm8s();
      this.relTarget(rel);
      this.set(ctl.jcc, 8, b & 15);
      return;
    }
    if (b >= 0x91 && b <= 0x97) {
      i.reg = (b & 7) | ((this.rex & 1) << 3);
      i.ea = EaKind.Reg;
      i.rm = 0;
      this.set(mv.xchg, this.v());
      return;
    }
    if (b >= 0xb0 && b <= 0xb7) {
      i.ea = EaKind.Reg;
      i.rm = this.regSize(1, (b & 7) | ((this.rex & 1) << 3));
      i.immLo = this.byte();
      this.set(mv.movEI, 1);
      return;
    }
    if (b >= 0xb8 && b <= 0xbf) {
      i.ea = EaKind.Reg;
      i.rm = (b & 7) | ((this.rex & 1) << 3);
      const size = this.v();
      if (size === 8) {
        i.immLo = this.imm32();
        i.immHi = this.imm32();
      } else {
        this.immZ(size);
      }
      this.set(mv.movEI, size);
      return;
    }
    switch (b) {
      case 0x0f:
        this.twoByte(this.byte());
        return;
      case 0x63: {
        const size = this.v();
        this.modrm(4);
        this.set(size === 8 ? mv.movsxd : size === 4 ? mv.movGE : mv.movGE, size);
        if (size === 2) i.size = 2;
        return;
      }
      case 0x68:
        this.immZ(this.v64() === 2 ? 2 : 8);
        this.set(ctl.pushI, this.v64());
        return;
      case 0x6a:
        this.immB(8);
        this.set(ctl.pushI, this.v64());
        if (this.v64() === 2) i.immLo &= 0xffff;
        return;
      case 0x69:
      case 0x6b: {
        const size = this.v();
        this.modrm(size);
        if (b === 0x69) this.immZ(size);
        else this.immB(size);
        this.set(md.imulGEI, size);
        return;
      }
      case 0x80:
      case 0x81:
      case 0x83: {
        const size = b === 0x80 ? 1 : this.v();
        const op = this.modrm(size);
        if (b === 0x81) this.immZ(size);
        else this.immB(size);
        this.set(op === 7 ? alu.cmpEI : alu.aluEI, size, op);
        return;
      }
      case 0x84:
      case 0x85: {
        const size = b === 0x84 ? 1 : this.v();
        this.modrm(size);
        this.set(alu.testEG, size);
        return;
      }
      case 0x86:
      case 0x87: {
        const size = b === 0x86 ? 1 : this.v();
        this.modrm(size);
        this.set(mv.xchg, size);
        return;
      }
      case 0x88:
      case 0x89: {
        const size = b === 0x88 ? 1 : this.v();
        this.modrm(size);
        this.set(i.ea === EaKind.Reg ? mv.movRR : mv.movMG, size);
        if (i.ea === EaKind.Reg) {
          // Normalize to "reg <- rm" for the register form.
          const t = i.reg;
          i.reg = i.rm;
          i.rm = t;
        }
        return;
      }
      case 0x8a:
      case 0x8b: {
        const size = b === 0x8a ? 1 : this.v();
        this.modrm(size);
        this.set(i.ea === EaKind.Reg ? mv.movRR : mv.movGE, size);
        return;
      }
      case 0x8d:
        this.modrm(this.v());
        this.needMem();
        i.seg = 0; // lea ignores segment bases
        this.set(mv.lea, this.v());
        return;
      case 0x8f: {
        const size = this.v64();
        if (this.modrm(size) !== 0) throw new Undefined('8f /r with r != 0');
        this.set(ctl.popE, size);
        return;
      }
      case 0x90:
        if (this.rex & 1) {
          i.reg = 8;
          i.ea = EaKind.Reg;
          i.rm = 0;
          this.set(mv.xchg, this.v());
        } else {
          this.set(sys.nop, 4); // nop, or pause with F3
        }
        return;
      case 0x98:
        this.set(mv.cbw, this.v());
        return;
      case 0x99:
        this.set(mv.cwd, this.v());
        return;
      case 0x9b:
        this.set(sys.nop, 4); // fwait: no x87 state to wait for
        return;
      case 0x9c:
        this.set(sys.pushf, this.v64());
        return;
      case 0x9d:
        this.set(sys.popf, this.v64());
        return;
      case 0x9e:
        this.set(sys.sahf, 1);
        return;
      case 0x9f:
        this.set(sys.lahf, 1);
        return;
      case 0xa0:
      case 0xa1:
      case 0xa2:
      case 0xa3: {
        // mov AL/eAX <-> moffs64
        const size = b & 1 ? this.v() : 1;
        i.ea = EaKind.Abs;
        i.dispLo = this.imm32();
        i.dispHi = i.addr32 ? 0 : this.imm32(); // moffs is 8 bytes, or 4 with 0x67
        i.reg = 0;
        this.set(b < 0xa2 ? mv.movGE : mv.movMG, size);
        return;
      }
      case 0xa4:
      case 0xa5:
        this.set(str.movs, b & 1 ? this.v() : 1);
        return;
      case 0xa6:
      case 0xa7:
        this.set(str.cmps, b & 1 ? this.v() : 1);
        return;
      case 0xa8:
      case 0xa9: {
        const size = b & 1 ? this.v() : 1;
        i.ea = EaKind.Reg;
        i.rm = 0;
        if (size === 1) this.immB(1);
        else this.immZ(size);
        this.set(alu.testEI, size);
        return;
      }
      case 0xaa:
      case 0xab:
        this.set(str.stos, b & 1 ? this.v() : 1);
        return;
      case 0xac:
      case 0xad:
        this.set(str.lods, b & 1 ? this.v() : 1);
        return;
      case 0xae:
      case 0xaf:
        this.set(str.scas, b & 1 ? this.v() : 1);
        return;
      case 0xc0:
      case 0xc1:
      case 0xd0:
      case 0xd1:
      case 0xd2:
      case 0xd3: {
        const size = b & 1 ? this.v() : 1;
        const op = this.modrm(size);
        if (b < 0xd0) i.imm2 = this.byte();
        else if (b < 0xd2) i.imm2 = 1;
        this.set(b < 0xd2 ? sh.shiftImm : sh.shiftCL, size, op);
        return;
      }
      case 0xc2:
        i.immLo = this.imm16();
        this.set(ctl.ret, this.v64());
        return;
      case 0xc3:
        i.immLo = 0;
        this.set(ctl.ret, this.v64());
        return;
      case 0xc6:
      case 0xc7: {
        const size = b === 0xc6 ? 1 : this.v();
        if (this.modrm(size) !== 0) throw new Undefined('c6/c7 /r with r != 0');
        if (size === 1) i.immLo = this.byte();
        else this.immZ(size);
        this.set(mv.movEI, size);
        return;
      }
      case 0xc8:
        i.immLo = this.imm16();
        i.imm2 = this.byte() & 31;
        this.set(ctl.enter, this.v64());
        return;
      case 0xc9:
        this.set(ctl.leave, this.v64());
        return;
      case 0xcc:
        this.set(sys.int3, 1);
        return;
      case 0xcd:
        i.immLo = this.byte();
        this.set(sys.intN, 1);
        return;
      case 0xd7:
        i.ea = EaKind.Base;
        this.set(mv.xlat, 1);
        return;
      case 0xe0:
      case 0xe1:
      case 0xe2:
      case 0xe3: {
        const rel = this.imm8s();
        this.relTarget(rel);
        this.set(b === 0xe3 ? ctl.jrcxz : ctl.loop, i.addr32 ? 4 : 8, b & 3);
        return;
      }
      case 0xe4:
      case 0xe5:
      case 0xe6:
      case 0xe7:
        i.immLo = this.byte(); // the port number
        this.set(sys.privileged, 1);
        return;
      case 0xec:
      case 0xed:
      case 0xee:
      case 0xef:
      case 0x6c:
      case 0x6d:
      case 0x6e:
      case 0x6f:
      case 0xf4:
      case 0xfa:
      case 0xfb:
        this.set(sys.privileged, 1);
        return;
      case 0xe8: {
        const rel = this.imm32();
        this.relTarget(rel);
        this.set(ctl.callRel, 8);
        return;
      }
      case 0xe9: {
        const rel = this.imm32();
        this.relTarget(rel);
        this.set(ctl.jmpRel, 8);
        return;
      }
      case 0xeb: {
        const rel = this.imm8s();
        this.relTarget(rel);
        this.set(ctl.jmpRel, 8);
        return;
      }
      case 0xf5:
        this.set(sys.cmc, 1);
        return;
      case 0xf6:
      case 0xf7: {
        const size = b === 0xf6 ? 1 : this.v();
        const op = this.modrm(size);
        if (op < 2) {
          if (size === 1) i.immLo = this.byte();
          else this.immZ(size);
          this.set(alu.testEI, size);
        } else if (op === 2) this.set(alu.notE, size);
        else if (op === 3) this.set(alu.negE, size);
        else this.set(md.group3, size, op);
        return;
      }
      case 0xf8:
        this.set(sys.clc, 1);
        return;
      case 0xf9:
        this.set(sys.stc, 1);
        return;
      case 0xfc:
        this.set(sys.cld, 1);
        return;
      case 0xfd:
        this.set(sys.std, 1);
        return;
      case 0xfe: {
        const op = this.modrm(1);
        if (op > 1) throw new Undefined('fe /r with r > 1');
        this.set(op === 0 ? alu.incE : alu.decE, 1);
        return;
      }
      case 0xff: {
        const op = this.modrm(this.v());
        switch (op) {
          case 0:
            this.set(alu.incE, this.v());
            return;
          case 1:
            this.set(alu.decE, this.v());
            return;
          case 2:
            this.reModrmSize(8);
            this.set(ctl.callE, 8);
            return;
          case 4:
            this.reModrmSize(8);
            this.set(ctl.jmpE, 8);
            return;
          case 6:
            this.reModrmSize(this.v64());
            this.set(ctl.pushE, this.v64());
            return;
          default:
            throw new Undefined(`ff /${op} (far call/jmp) is not supported`);
        }
      }
      default:
        throw new Undefined(`opcode ${b.toString(16)} is not supported`);
    }
  }

  /** ff /2 /4 /6 operate on 64-bit operands; the register form was decoded at the wrong size. */
  private reModrmSize(size: number): void {
    const i = this.i;
    if (i.ea === EaKind.Reg && i.rm >= 16) i.rm -= 12;
    void size;
  }

  private twoByte(b: number): void {
    const i = this.i;
    if (b >= 0x40 && b <= 0x4f) {
      const size = this.v();
      this.modrm(size);
      this.set(mv.cmov, size, b & 15);
      return;
    }
    if (b >= 0x80 && b <= 0x8f) {
      const rel = this.imm32();
      this.relTarget(rel);
      this.set(ctl.jcc, 8, b & 15);
      return;
    }
    if (b >= 0x90 && b <= 0x9f) {
      this.modrm(1);
      this.set(mv.setcc, 1, b & 15);
      return;
    }
    if (b >= 0xc8 && b <= 0xcf) {
      i.reg = (b & 7) | ((this.rex & 1) << 3);
      this.set(mv.bswap, this.v());
      return;
    }
    switch (b) {
      case 0x0b:
        this.set(sys.ud2, 1);
        return;
      case 0x0d:
      case 0x18:
      case 0x19:
      case 0x1a:
      case 0x1b:
      case 0x1c:
      case 0x1d:
      case 0x1e:
      case 0x1f:
        // prefetch / hint nops / endbr64 (f3 0f 1e fa)
        this.modrm(this.v());
        this.set(sys.nop, 4);
        return;
      case 0x31:
        this.set(sys.rdtsc, 4);
        return;
      case 0xa2:
        this.set(sys.cpuid, 4);
        return;
      case 0xa3:
      case 0xab:
      case 0xb3:
      case 0xbb: {
        const size = this.v();
        this.modrm(size);
        this.set(bits.btEG, size, (b >> 3) & 3);
        return;
      }
      case 0xba: {
        const size = this.v();
        const op = this.modrm(size);
        if (op < 4) throw new Undefined('0f ba /r with r < 4');
        i.immLo = this.byte();
        this.set(bits.btEI, size, op & 3);
        return;
      }
      case 0xa4:
      case 0xa5:
      case 0xac:
      case 0xad: {
        const size = this.v();
        this.modrm(size);
        i.imm2 = b & 1 ? -1 : this.byte();
        this.set(sh.shxd, size, b >= 0xac ? 1 : 0);
        return;
      }
      case 0xae: {
        const m = this.at(this.p);
        if (m >= 0xe8) {
          this.byte(); // lfence / mfence / sfence
          this.set(sys.nop, 4);
          return;
        }
        const op = this.modrm(4);
        if (op === 7 && i.ea !== EaKind.Reg) {
          this.set(sys.nop, 4); // clflush: no caches to flush
          return;
        }
        throw new Undefined(`0f ae /${op} is not supported`);
      }
      case 0xaf: {
        const size = this.v();
        this.modrm(size);
        this.set(md.imulGE, size);
        return;
      }
      case 0xb0:
      case 0xb1: {
        const size = b & 1 ? this.v() : 1;
        this.modrm(size);
        this.set(mv.cmpxchg, size);
        return;
      }
      case 0xb6:
      case 0xb7:
      case 0xbe:
      case 0xbf: {
        const size = this.v();
        const from = b & 1 ? 2 : 1;
        this.modrm(from);
        i.reg = this.rexReg();
        i.imm2 = from;
        this.set(b < 0xb8 ? mv.movzx : mv.movsx, size);
        return;
      }
      case 0xb8:
        if (this.rep !== 1) throw new Undefined('0f b8 without f3 (jmpe) is not supported');
        this.modrm(this.v());
        this.rep = 0;
        this.set(bits.popcnt, this.v());
        return;
      case 0xbc:
      case 0xbd: {
        const size = this.v();
        this.modrm(size);
        const lz = this.rep === 1;
        this.rep = 0;
        this.set(
          lz ? (b === 0xbc ? bits.tzcnt : bits.lzcnt) : b === 0xbc ? bits.bsf : bits.bsr,
          size,
        );
        return;
      }
      case 0xc0:
      case 0xc1: {
        const size = b & 1 ? this.v() : 1;
        this.modrm(size);
        this.set(mv.xadd, size);
        return;
      }
      case 0xc7: {
        const op = this.modrm(8);
        if (op !== 1 || i.ea === EaKind.Reg) throw new Undefined(`0f c7 /${op} is not supported`);
        this.set(mv.cmpxchg8b, this.rex & 8 ? 16 : 8);
        return;
      }
      default:
        throw new Undefined(`opcode 0f ${b.toString(16)} is not supported`);
    }
  }

  /** The ModRM.reg register decoded as a full register (movzx/movsx destinations). */
  private rexReg(): number {
    const r = this.i.reg;
    return r >= 16 ? r - 12 : r;
  }
}
