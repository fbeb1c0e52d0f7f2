/**
 * The one- and two-byte opcode maps as tables of small decode functions, indexed by opcode byte.
 * One giant switch was a single function V8 could neither inline nor optimize cheaply: in a fresh
 * process it ran interpreted through boot and mount, then cost tens of milliseconds of TurboFan
 * time. Small per-row functions become optimized (each on its own) after a few calls, and rows
 * that kernels rarely run (system, string, flag instructions) never cost compile time.
 */
import * as alu from './alu.js';
import * as bits from './bits.js';
import * as ctl from './control.js';
import type { Decoder } from './decode.js';
import { EaKind } from './insn.js';
import * as mv from './move.js';
import * as md from './muldiv.js';
import * as sh from './shift.js';
import * as str from './string.js';
import * as sys from './system.js';

/** Thrown internally when decoding stops; converted to InvalidOpcode with the bytes seen so far. */
export class Undefined {
  constructor(readonly detail: string) {}
}

/** Decodes the rest of an instruction whose opcode byte (of its map) is `b`. */
export type OpcodeFn = (d: Decoder, b: number) => void;

// ------------------------------------------------------------------ one-byte map

/** add or adc sbb and sub xor cmp: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz */
function opAluRow(d: Decoder, b: number): void {
  const i = d.i;
  const op = b >> 3;
  const form = b & 7;
  const size = form & 1 ? d.v() : 1;
  if (form < 2) {
    d.modrm(size);
    d.set(op === 7 ? alu.cmpEG : alu.aluEG, size, op);
  } else if (form < 4) {
    d.modrm(size);
    d.set(op === 7 ? alu.cmpGE : alu.aluGE, size, op);
  } else {
    i.ea = EaKind.Reg;
    i.rm = 0;
    if (size === 1) d.immB(1);
    else d.immZ(size);
    d.set(op === 7 ? alu.cmpEI : alu.aluEI, size, op);
  }
}

function opPushReg(d: Decoder, b: number): void {
  d.i.reg = (b & 7) | ((d.rex & 1) << 3);
  d.set(ctl.pushR, d.v64());
}

function opPopReg(d: Decoder, b: number): void {
  d.i.reg = (b & 7) | ((d.rex & 1) << 3);
  d.set(ctl.popR, d.v64());
}

function opJccRel8(d: Decoder, b: number): void {
  const rel = d.imm8s();
  d.relTarget(rel);
  d.set(ctl.jcc, 8, b & 15);
}

function opXchgAx(d: Decoder, b: number): void {
  const i = d.i;
  i.reg = (b & 7) | ((d.rex & 1) << 3);
  i.ea = EaKind.Reg;
  i.rm = 0;
  d.set(mv.xchg, d.v());
}

function opMovRegImm8(d: Decoder, b: number): void {
  const i = d.i;
  i.ea = EaKind.Reg;
  i.rm = d.regSize(1, (b & 7) | ((d.rex & 1) << 3));
  i.immLo = d.byte();
  d.set(mv.movEI, 1);
}

function opMovRegImm(d: Decoder, b: number): void {
  const i = d.i;
  i.ea = EaKind.Reg;
  i.rm = (b & 7) | ((d.rex & 1) << 3);
  const size = d.v();
  if (size === 8) {
    i.immLo = d.imm32();
    i.immHi = d.imm32();
  } else {
    d.immZ(size);
  }
  d.set(mv.movEI, size);
}

function opTwoByteEscape(d: Decoder): void {
  const b = d.byte();
  TWO_BYTE[b]!(d, b);
}

function opMovsxd(d: Decoder): void {
  const size = d.v();
  d.modrm(4);
  d.set(size === 8 ? mv.movsxd : mv.movGE, size);
}

function opPushImm32(d: Decoder): void {
  d.immZ(d.v64() === 2 ? 2 : 8);
  d.set(ctl.pushI, d.v64());
}

function opPushImm8(d: Decoder): void {
  d.immB(8);
  d.set(ctl.pushI, d.v64());
  if (d.v64() === 2) d.i.immLo &= 0xffff;
}

function opImulImm(d: Decoder, b: number): void {
  const size = d.v();
  d.modrm(size);
  if (b === 0x69) d.immZ(size);
  else d.immB(size);
  d.set(md.imulGEI, size);
}

/** 80 81 83: group 1 (ALU op with an immediate). */
function opGroup1(d: Decoder, b: number): void {
  const size = b === 0x80 ? 1 : d.v();
  const op = d.modrm(size);
  if (b === 0x81) d.immZ(size);
  else d.immB(size);
  d.set(op === 7 ? alu.cmpEI : alu.aluEI, size, op);
}

function opTestEG(d: Decoder, b: number): void {
  const size = b === 0x84 ? 1 : d.v();
  d.modrm(size);
  d.set(alu.testEG, size);
}

function opXchgEG(d: Decoder, b: number): void {
  const size = b === 0x86 ? 1 : d.v();
  d.modrm(size);
  d.set(mv.xchg, size);
}

function opMovEG(d: Decoder, b: number): void {
  const i = d.i;
  const size = b === 0x88 ? 1 : d.v();
  d.modrm(size);
  d.set(i.ea === EaKind.Reg ? mv.movRR : mv.movMG, size);
  if (i.ea === EaKind.Reg) {
    // Normalize to "reg <- rm" for the register form.
    const t = i.reg;
    i.reg = i.rm;
    i.rm = t;
  }
}

function opMovGE(d: Decoder, b: number): void {
  const size = b === 0x8a ? 1 : d.v();
  d.modrm(size);
  d.set(d.i.ea === EaKind.Reg ? mv.movRR : mv.movGE, size);
}

function opLea(d: Decoder): void {
  d.modrm(d.v());
  d.needMem();
  d.i.seg = 0; // opLea ignores segment bases
  d.set(mv.lea, d.v());
}

function opPopE(d: Decoder): void {
  const size = d.v64();
  if (d.modrm(size) !== 0) throw new Undefined('8f /r with r != 0');
  d.set(ctl.popE, size);
}

function opNop90(d: Decoder): void {
  if (d.rex & 1) {
    const i = d.i;
    i.reg = 8;
    i.ea = EaKind.Reg;
    i.rm = 0;
    d.set(mv.xchg, d.v());
  } else {
    d.set(sys.nop, 4); // nop, or pause with F3
  }
}

function opCbw(d: Decoder): void {
  d.set(mv.cbw, d.v());
}
function opCwd(d: Decoder): void {
  d.set(mv.cwd, d.v());
}
function opFwait(d: Decoder): void {
  d.set(sys.nop, 4); // fwait: no x87 state to wait for
}
function opPushf(d: Decoder): void {
  d.set(sys.pushf, d.v64());
}
function opPopf(d: Decoder): void {
  d.set(sys.popf, d.v64());
}
function opSahf(d: Decoder): void {
  d.set(sys.sahf, 1);
}
function opLahf(d: Decoder): void {
  d.set(sys.lahf, 1);
}

/** a0-a3: mov AL/eAX <-> moffs64 */
function opMovMoffs(d: Decoder, b: number): void {
  const i = d.i;
  const size = b & 1 ? d.v() : 1;
  i.ea = EaKind.Abs;
  i.dispLo = d.imm32();
  i.dispHi = i.addr32 ? 0 : d.imm32(); // moffs is 8 bytes, or 4 with 0x67
  i.reg = 0;
  d.set(b < 0xa2 ? mv.movGE : mv.movMG, size);
}

function opMovs(d: Decoder, b: number): void {
  d.set(str.movs, b & 1 ? d.v() : 1);
}
function opCmps(d: Decoder, b: number): void {
  d.set(str.cmps, b & 1 ? d.v() : 1);
}
function opStos(d: Decoder, b: number): void {
  d.set(str.stos, b & 1 ? d.v() : 1);
}
function opLods(d: Decoder, b: number): void {
  d.set(str.lods, b & 1 ? d.v() : 1);
}
function opScas(d: Decoder, b: number): void {
  d.set(str.scas, b & 1 ? d.v() : 1);
}

function opTestAxImm(d: Decoder, b: number): void {
  const i = d.i;
  const size = b & 1 ? d.v() : 1;
  i.ea = EaKind.Reg;
  i.rm = 0;
  if (size === 1) d.immB(1);
  else d.immZ(size);
  d.set(alu.testEI, size);
}

/** c0 c1 d0-d3: group 2 (shifts and rotates). */
function opGroup2(d: Decoder, b: number): void {
  const size = b & 1 ? d.v() : 1;
  const op = d.modrm(size);
  if (b < 0xd0) d.i.imm2 = d.byte();
  else if (b < 0xd2) d.i.imm2 = 1;
  d.set(b < 0xd2 ? sh.shiftImm : sh.shiftCL, size, op);
}

function opRetImm(d: Decoder): void {
  d.i.immLo = d.imm16();
  d.set(ctl.ret, d.v64());
}
function opRet(d: Decoder): void {
  d.i.immLo = 0;
  d.set(ctl.ret, d.v64());
}

function opMovEI(d: Decoder, b: number): void {
  const size = b === 0xc6 ? 1 : d.v();
  if (d.modrm(size) !== 0) throw new Undefined('c6/c7 /r with r != 0');
  if (size === 1) d.i.immLo = d.byte();
  else d.immZ(size);
  d.set(mv.movEI, size);
}

function opEnter(d: Decoder): void {
  d.i.immLo = d.imm16();
  d.i.imm2 = d.byte() & 31;
  d.set(ctl.enter, d.v64());
}
function opLeave(d: Decoder): void {
  d.set(ctl.leave, d.v64());
}
function opInt3(d: Decoder): void {
  d.set(sys.int3, 1);
}
function opIntN(d: Decoder): void {
  d.i.immLo = d.byte();
  d.set(sys.intN, 1);
}
function opXlat(d: Decoder): void {
  d.i.ea = EaKind.Base;
  d.set(mv.xlat, 1);
}

/** e0-e3: loopne loope opLoop jrcxz */
function opLoop(d: Decoder, b: number): void {
  const rel = d.imm8s();
  d.relTarget(rel);
  d.set(b === 0xe3 ? ctl.jrcxz : ctl.loop, d.i.addr32 ? 4 : 8, b & 3);
}

function opInOutImm(d: Decoder): void {
  d.i.immLo = d.byte(); // the port number
  d.set(sys.privileged, 1);
}
function opPrivileged(d: Decoder): void {
  d.set(sys.privileged, 1);
}

function opCallRel(d: Decoder): void {
  const rel = d.imm32();
  d.relTarget(rel);
  d.set(ctl.callRel, 8);
}
function opJmpRel32(d: Decoder): void {
  const rel = d.imm32();
  d.relTarget(rel);
  d.set(ctl.jmpRel, 8);
}
function opJmpRel8(d: Decoder): void {
  const rel = d.imm8s();
  d.relTarget(rel);
  d.set(ctl.jmpRel, 8);
}

function opCmc(d: Decoder): void {
  d.set(sys.cmc, 1);
}
function opClc(d: Decoder): void {
  d.set(sys.clc, 1);
}
function opStc(d: Decoder): void {
  d.set(sys.stc, 1);
}
function opCld(d: Decoder): void {
  d.set(sys.cld, 1);
}
function opStd(d: Decoder): void {
  d.set(sys.std, 1);
}

/** f6 f7: group 3 (test not neg mul imul div idiv). */
function opGroup3(d: Decoder, b: number): void {
  const size = b === 0xf6 ? 1 : d.v();
  const op = d.modrm(size);
  if (op < 2) {
    if (size === 1) d.i.immLo = d.byte();
    else d.immZ(size);
    d.set(alu.testEI, size);
  } else if (op === 2) d.set(alu.notE, size);
  else if (op === 3) d.set(alu.negE, size);
  else d.set(md.group3, size, op);
}

/** fe: group 4 (inc/dec byte). */
function opGroup4(d: Decoder): void {
  const op = d.modrm(1);
  if (op > 1) throw new Undefined('fe /r with r > 1');
  d.set(op === 0 ? alu.incE : alu.decE, 1);
}

/** ff: group 5 (inc dec call jmp push). */
function opGroup5(d: Decoder): void {
  const op = d.modrm(d.v());
  switch (op) {
    case 0:
      d.set(alu.incE, d.v());
      return;
    case 1:
      d.set(alu.decE, d.v());
      return;
    case 2:
      d.reModrmSize();
      d.set(ctl.callE, 8);
      return;
    case 4:
      d.reModrmSize();
      d.set(ctl.jmpE, 8);
      return;
    case 6:
      d.reModrmSize();
      d.set(ctl.pushE, d.v64());
      return;
    default:
      throw new Undefined(`ff /${op} (far call/jmp) is not supported`);
  }
}

function opUnsupported(_d: Decoder, b: number): void {
  throw new Undefined(`opcode ${b.toString(16)} is not supported`);
}

// ------------------------------------------------------------------ two-byte map (0f xx)

function opCmov(d: Decoder, b: number): void {
  const size = d.v();
  d.modrm(size);
  d.set(mv.cmov, size, b & 15);
}

function opJccRel32(d: Decoder, b: number): void {
  const rel = d.imm32();
  d.relTarget(rel);
  d.set(ctl.jcc, 8, b & 15);
}

function opSetcc(d: Decoder, b: number): void {
  d.modrm(1);
  d.set(mv.setcc, 1, b & 15);
}

function opBswap(d: Decoder, b: number): void {
  d.i.reg = (b & 7) | ((d.rex & 1) << 3);
  d.set(mv.bswap, d.v());
}

function opUd2(d: Decoder): void {
  d.set(sys.ud2, 1);
}

/** prefetch / hint nops / endbr64 (f3 0f 1e fa) */
function opHintNop(d: Decoder): void {
  d.modrm(d.v());
  d.set(sys.nop, 4);
}

function opRdtsc(d: Decoder): void {
  d.set(sys.rdtsc, 4);
}
function opCpuid(d: Decoder): void {
  d.set(sys.cpuid, 4);
}

/** 0f a3 ab b3 bb: bt bts btr btc Ev,Gv */
function opBtEG(d: Decoder, b: number): void {
  const size = d.v();
  d.modrm(size);
  d.set(bits.btEG, size, (b >> 3) & 3);
}

/** 0f ba: group 8 (bt bts btr btc Ev,Ib). */
function opGroup8(d: Decoder): void {
  const size = d.v();
  const op = d.modrm(size);
  if (op < 4) throw new Undefined('0f ba /r with r < 4');
  d.i.immLo = d.byte();
  d.set(bits.btEI, size, op & 3);
}

/** 0f a4 a5 ac ad: shld shrd */
function opShxd(d: Decoder, b: number): void {
  const size = d.v();
  d.modrm(size);
  d.i.imm2 = b & 1 ? -1 : d.byte();
  d.set(sh.shxd, size, b >= 0xac ? 1 : 0);
}

/** 0f ae: group 15 (fences, clflush). */
function opGroup15(d: Decoder): void {
  const m = d.at(d.p);
  if (m >= 0xe8) {
    d.byte(); // lfence / mfence / sfence
    d.set(sys.nop, 4);
    return;
  }
  const op = d.modrm(4);
  if (op === 7 && d.i.ea !== EaKind.Reg) {
    d.set(sys.nop, 4); // clflush: no caches to flush
    return;
  }
  throw new Undefined(`0f ae /${op} is not supported`);
}

function opImulGE(d: Decoder): void {
  const size = d.v();
  d.modrm(size);
  d.set(md.imulGE, size);
}

function opCmpxchg(d: Decoder, b: number): void {
  const size = b & 1 ? d.v() : 1;
  d.modrm(size);
  d.set(mv.cmpxchg, size);
}

/** 0f b6 b7 be bf: movzx movsx */
function opMovx(d: Decoder, b: number): void {
  const size = d.v();
  const from = b & 1 ? 2 : 1;
  d.modrm(from);
  d.i.reg = d.rexReg();
  d.i.imm2 = from;
  d.set(b < 0xb8 ? mv.movzx : mv.movsx, size);
}

function opPopcnt(d: Decoder): void {
  if (d.rep !== 1) throw new Undefined('0f b8 without f3 (jmpe) is not supported');
  d.modrm(d.v());
  d.rep = 0;
  d.set(bits.popcnt, d.v());
}

/** 0f bc bd: bsf bsr, or tzcnt lzcnt with f3 */
function opBitScan(d: Decoder, b: number): void {
  const size = d.v();
  d.modrm(size);
  const lz = d.rep === 1;
  d.rep = 0;
  d.set(lz ? (b === 0xbc ? bits.tzcnt : bits.lzcnt) : b === 0xbc ? bits.bsf : bits.bsr, size);
}

function opXadd(d: Decoder, b: number): void {
  const size = b & 1 ? d.v() : 1;
  d.modrm(size);
  d.set(mv.xadd, size);
}

/** 0f c7: group 9 (cmpxchg8b / cmpxchg16b). */
function opGroup9(d: Decoder): void {
  const op = d.modrm(8);
  if (op !== 1 || d.i.ea === EaKind.Reg) throw new Undefined(`0f c7 /${op} is not supported`);
  d.set(mv.cmpxchg8b, d.rex & 8 ? 16 : 8);
}

function opUnsupported0f(_d: Decoder, b: number): void {
  throw new Undefined(`opcode 0f ${b.toString(16)} is not supported`);
}

// ------------------------------------------------------------------ the tables

function fill(map: OpcodeFn[], fn: OpcodeFn, ...bytes: number[]): void {
  for (const b of bytes) map[b] = fn;
}
function range(map: OpcodeFn[], fn: OpcodeFn, from: number, to: number): void {
  for (let b = from; b <= to; b++) map[b] = fn;
}

/** The one-byte opcode map (the byte after the prefixes). */
export const ONE_BYTE: readonly OpcodeFn[] = (() => {
  const m = new Array<OpcodeFn>(256).fill(opUnsupported);
  for (let b = 0; b < 0x40; b++) if ((b & 7) < 6) m[b] = opAluRow;
  range(m, opPushReg, 0x50, 0x57);
  range(m, opPopReg, 0x58, 0x5f);
  range(m, opJccRel8, 0x70, 0x7f);
  range(m, opXchgAx, 0x91, 0x97);
  range(m, opMovRegImm8, 0xb0, 0xb7);
  range(m, opMovRegImm, 0xb8, 0xbf);
  fill(m, opTwoByteEscape, 0x0f);
  fill(m, opMovsxd, 0x63);
  fill(m, opPushImm32, 0x68);
  fill(m, opPushImm8, 0x6a);
  fill(m, opImulImm, 0x69, 0x6b);
  fill(m, opGroup1, 0x80, 0x81, 0x83);
  fill(m, opTestEG, 0x84, 0x85);
  fill(m, opXchgEG, 0x86, 0x87);
  fill(m, opMovEG, 0x88, 0x89);
  fill(m, opMovGE, 0x8a, 0x8b);
  fill(m, opLea, 0x8d);
  fill(m, opPopE, 0x8f);
  fill(m, opNop90, 0x90);
  fill(m, opCbw, 0x98);
  fill(m, opCwd, 0x99);
  fill(m, opFwait, 0x9b);
  fill(m, opPushf, 0x9c);
  fill(m, opPopf, 0x9d);
  fill(m, opSahf, 0x9e);
  fill(m, opLahf, 0x9f);
  range(m, opMovMoffs, 0xa0, 0xa3);
  fill(m, opMovs, 0xa4, 0xa5);
  fill(m, opCmps, 0xa6, 0xa7);
  fill(m, opTestAxImm, 0xa8, 0xa9);
  fill(m, opStos, 0xaa, 0xab);
  fill(m, opLods, 0xac, 0xad);
  fill(m, opScas, 0xae, 0xaf);
  fill(m, opGroup2, 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3);
  fill(m, opRetImm, 0xc2);
  fill(m, opRet, 0xc3);
  fill(m, opMovEI, 0xc6, 0xc7);
  fill(m, opEnter, 0xc8);
  fill(m, opLeave, 0xc9);
  fill(m, opInt3, 0xcc);
  fill(m, opIntN, 0xcd);
  fill(m, opXlat, 0xd7);
  range(m, opLoop, 0xe0, 0xe3);
  range(m, opInOutImm, 0xe4, 0xe7);
  fill(m, opPrivileged, 0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d, 0x6e, 0x6f, 0xf4, 0xfa, 0xfb);
  fill(m, opCallRel, 0xe8);
  fill(m, opJmpRel32, 0xe9);
  fill(m, opJmpRel8, 0xeb);
  fill(m, opCmc, 0xf5);
  fill(m, opGroup3, 0xf6, 0xf7);
  fill(m, opClc, 0xf8);
  fill(m, opStc, 0xf9);
  fill(m, opCld, 0xfc);
  fill(m, opStd, 0xfd);
  fill(m, opGroup4, 0xfe);
  fill(m, opGroup5, 0xff);
  return m;
})();

/** The two-byte opcode map (0f xx). */
export const TWO_BYTE: readonly OpcodeFn[] = (() => {
  const m = new Array<OpcodeFn>(256).fill(opUnsupported0f);
  range(m, opCmov, 0x40, 0x4f);
  range(m, opJccRel32, 0x80, 0x8f);
  range(m, opSetcc, 0x90, 0x9f);
  range(m, opBswap, 0xc8, 0xcf);
  fill(m, opUd2, 0x0b);
  fill(m, opHintNop, 0x0d, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f);
  fill(m, opRdtsc, 0x31);
  fill(m, opCpuid, 0xa2);
  fill(m, opBtEG, 0xa3, 0xab, 0xb3, 0xbb);
  fill(m, opGroup8, 0xba);
  fill(m, opShxd, 0xa4, 0xa5, 0xac, 0xad);
  fill(m, opGroup15, 0xae);
  fill(m, opImulGE, 0xaf);
  fill(m, opCmpxchg, 0xb0, 0xb1);
  fill(m, opMovx, 0xb6, 0xb7, 0xbe, 0xbf);
  fill(m, opPopcnt, 0xb8);
  fill(m, opBitScan, 0xbc, 0xbd);
  fill(m, opXadd, 0xc0, 0xc1);
  fill(m, opGroup9, 0xc7);
  return m;
})();
