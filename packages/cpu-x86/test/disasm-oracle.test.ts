/**
 * iced-x86 as an oracle for the emulator's decoder: on random bytes and on real compiled code
 * (the test programs' .text and the test kernel modules' .text sections), every instruction the
 * emulator decodes must have the length iced finds, its first immediate (or shift count) and its
 * memory operand (base, index, scale, displacement, RIP-relative target, FS/GS) must agree. Real compiled code must decode completely.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Iced from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../src/decode.js';
import { disassemble, formatInstruction, icedModule } from '../src/disasm.js';
import { Cpu, GuestMemory, InvalidOpcode, KERNEL_WINDOW_BASE } from '../src/index.js';
import { EaKind, type Insn } from '../src/insn.js';
import { LOAD_ADDRESS, PROGRAMS_DIR, readManifest } from './programs/build.js';

const here = dirname(fileURLToPath(import.meta.url));
const KMOD_DIR = join(here, '..', '..', '..', 'tools', 'test-modules', 'kmod');

const iced = icedModule();
const REG64 = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI'];
const REG32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'];

/** iced Register → 0..15 (64- or 32-bit GPR), -1 for none, -2 for RIP/EIP, -3 otherwise. */
function gprNumber(r: Iced.Register): number {
  if (r === iced.Register.None) return -1;
  const name = iced.Register[r] ?? '';
  if (name === 'RIP' || name === 'EIP') return -2;
  let k = REG64.indexOf(name);
  if (k < 0) k = REG32.indexOf(name);
  if (k >= 0) return k;
  const m = /^R(\d+)D?$/.exec(name);
  return m ? Number(m[1]) : -3;
}

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** Emulator's view and iced's view of one instruction; returns a description of any disagreement. */
function compare(insn: Insn, icedInsn: Iced.Instruction, address: bigint): string | undefined {
  if (icedInsn.isInvalid) return `emulator decodes ${insn.len} bytes, iced says invalid`;
  if (insn.len !== icedInsn.length) return `length ${insn.len}, iced ${icedInsn.length}`;
  const immProblem = compareImmediate(insn, icedInsn);
  if (immProblem) return immProblem;
  if (insn.ea === EaKind.Reg) return undefined;
  let memOp = -1;
  for (let k = 0; k < icedInsn.opCount; k++) {
    if (icedInsn.opKind(k) === iced.OpKind.Memory) memOp = k;
  }
  if (memOp < 0) return undefined; // e.g. ModRM forms iced treats as registers only
  // xlat's [rbx+al] is implicit: the emulator computes it in the handler, not from ModRM fields.
  if (icedInsn.mnemonic === iced.Mnemonic.Xlatb) return undefined;
  const base = gprNumber(icedInsn.memoryBase);
  const index = gprNumber(icedInsn.memoryIndex);
  const scale = icedInsn.memoryIndexScale;
  const disp = icedInsn.memoryDisplacementU64;
  const got = u64(insn.dispLo, insn.dispHi);
  const mask = insn.addr32 ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn;
  const problems: string[] = [];
  switch (insn.ea) {
    case EaKind.Abs:
      if (base !== -1 && base !== -2) problems.push(`Abs form but iced base ${base}`);
      if (index !== -1) problems.push(`Abs form but iced index ${index}`);
      if ((got & mask) !== (disp & mask))
        problems.push(`address ${got.toString(16)}, iced ${disp.toString(16)}`);
      break;
    case EaKind.Base:
    case EaKind.BaseIndex:
    case EaKind.Index:
      if (insn.ea !== EaKind.Index && insn.base !== base)
        problems.push(`base ${insn.base}, iced ${base}`);
      if (insn.ea === EaKind.Index && base !== -1) problems.push(`no base, iced base ${base}`);
      if (insn.ea !== EaKind.Base) {
        if (insn.index !== index) problems.push(`index ${insn.index}, iced ${index}`);
        if (1 << insn.shift !== scale) problems.push(`scale ${1 << insn.shift}, iced ${scale}`);
      } else if (index !== -1) {
        problems.push(`no index, iced index ${index}`);
      }
      if ((got & mask) !== (disp & mask))
        problems.push(`displacement ${got.toString(16)}, iced ${disp.toString(16)}`);
      break;
  }
  // lea computes an offset: a segment prefix on it has no effect, so the emulator may drop it.
  const seg = icedInsn.mnemonic === iced.Mnemonic.Lea ? iced.Register.None : icedInsn.segmentPrefix;
  const wantSeg = seg === iced.Register.FS ? 1 : seg === iced.Register.GS ? 2 : 0;
  if (insn.seg !== wantSeg) problems.push(`segment ${insn.seg}, iced prefix ${iced.Register[seg]}`);
  return problems.length ? `${problems.join(', ')} (at ${address.toString(16)})` : undefined;
}

const SHIFTS = new Set<Iced.Mnemonic>([
  iced.Mnemonic.Rol,
  iced.Mnemonic.Ror,
  iced.Mnemonic.Rcl,
  iced.Mnemonic.Rcr,
  iced.Mnemonic.Shl,
  iced.Mnemonic.Sal,
  iced.Mnemonic.Shr,
  iced.Mnemonic.Sar,
  iced.Mnemonic.Shld,
  iced.Mnemonic.Shrd,
]);

/** The first immediate operand, masked to the operand size, must equal the emulator's `imm`. */
function compareImmediate(insn: Insn, icedInsn: Iced.Instruction): string | undefined {
  const K = iced.OpKind;
  for (let k = 0; k < icedInsn.opCount; k++) {
    const kind = icedInsn.opKind(k);
    if (
      kind !== K.Immediate8 &&
      kind !== K.Immediate16 &&
      kind !== K.Immediate32 &&
      kind !== K.Immediate64 &&
      kind !== K.Immediate8to16 &&
      kind !== K.Immediate8to32 &&
      kind !== K.Immediate8to64 &&
      kind !== K.Immediate32to64
    ) {
      continue;
    }
    if (SHIFTS.has(icedInsn.mnemonic)) {
      // Shift and rotate counts (and shld/shrd's) live in imm2, unmasked.
      const want = Number(icedInsn.immediate(k) & 0xffn);
      return insn.imm2 === want ? undefined : `count ${insn.imm2}, iced ${want}`;
    }
    const bits = BigInt(insn.size * 8);
    const m = (1n << bits) - 1n;
    const want = BigInt.asUintN(64, icedInsn.immediate(k)) & m;
    const got = u64(insn.immLo, insn.immHi) & m;
    if (got !== want)
      return `immediate ${got.toString(16)}, iced ${want.toString(16)} (size ${insn.size})`;
    return undefined;
  }
  return undefined;
}

interface OracleResult {
  compared: number;
  /** The emulator raised #UD on bytes iced decodes (unsupported instructions). */
  unsupported: Map<string, number>;
  mismatches: string[];
}

/** Decodes `code` (placed at `address`) with both decoders at the given instruction starts. */
function oracle(code: Uint8Array, address: bigint, starts: Iterable<number>): OracleResult {
  const windowSize = Math.ceil((code.length + 0x2000) / 0x1000) * 0x1000;
  const memory = new GuestMemory({ windowSize: Math.max(windowSize, 1 << 20) });
  const window = KERNEL_WINDOW_BASE + 0x1000n;
  const buf = new Uint8Array(code.length + 16);
  buf.set(code);
  memory.write(window, buf);
  const decoder = new Decoder(memory);
  const icedInsn = new iced.Instruction();
  const result: OracleResult = { compared: 0, unsupported: new Map(), mismatches: [] };
  try {
    for (const off of starts) {
      const at = window + BigInt(off);
      const bytes = buf.subarray(off, off + 15);
      const dec = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
      try {
        // iced computes RIP-relative targets from its ip: give it the emulator's address.
        dec.ip = at;
        dec.decodeOut(icedInsn);
      } finally {
        dec.free();
      }
      let insn: Insn;
      try {
        insn = decoder.decode(Number(at & 0xffffffffn) | 0, Number(at >> 32n) | 0);
      } catch (e) {
        if (!(e instanceof InvalidOpcode)) throw e;
        if (!icedInsn.isInvalid) {
          const key = iced.Mnemonic[icedInsn.mnemonic] ?? '?';
          result.unsupported.set(key, (result.unsupported.get(key) ?? 0) + 1);
        }
        continue;
      }
      result.compared++;
      const problem = compare(insn, icedInsn, address + BigInt(off));
      if (problem && result.mismatches.length < 5000) {
        result.mismatches.push(`${formatInstruction(bytes, address + BigInt(off))}: ${problem}`);
      }
    }
  } finally {
    icedInsn.free();
  }
  return result;
}

/** Instruction starts of a linear sweep with iced (code sections contain only code). */
function sweep(code: Uint8Array, address: bigint): number[] {
  const starts: number[] = [];
  let off = 0;
  for (const i of disassemble(code, address)) {
    starts.push(off);
    off += i.length;
  }
  return starts;
}

/** The executable sections of an ELF64 relocatable object (kernel module). */
function textSections(elf: Buffer): { name: string; data: Uint8Array }[] {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const sh = (k: number) => shoff + k * shentsize;
  const strOff = Number(elf.readBigUInt64LE(sh(shstrndx) + 0x18));
  const out: { name: string; data: Uint8Array }[] = [];
  for (let k = 0; k < shnum; k++) {
    const type = elf.readUInt32LE(sh(k) + 4);
    const flags = elf.readBigUInt64LE(sh(k) + 8);
    if (type !== 1 || (flags & 4n) === 0n) continue; // SHT_PROGBITS with SHF_EXECINSTR
    const nameOff = elf.readUInt32LE(sh(k));
    const end = elf.indexOf(0, strOff + nameOff);
    const name = elf.toString('latin1', strOff + nameOff, end);
    const off = Number(elf.readBigUInt64LE(sh(k) + 0x18));
    const size = Number(elf.readBigUInt64LE(sh(k) + 0x20));
    out.push({ name, data: new Uint8Array(elf.subarray(off, off + size)) });
  }
  return out;
}

function report(r: OracleResult): string {
  return `${r.mismatches.length} mismatches of ${r.compared}:\n  ${r.mismatches.slice(0, 25).join('\n  ')}`;
}

describe('disassembler', () => {
  it('formats AT&T and Intel syntax, marks invalid bytes, keeps addresses', () => {
    const bytes = Uint8Array.from([0x48, 0x8d, 0x05, 0x10, 0, 0, 0, 0x06, 0xc3]);
    const out = disassemble(bytes, 0xffff_ffff_8020_0000n);
    expect(out.map((i) => [i.address, i.length, i.text, i.invalid])).toEqual([
      [0xffff_ffff_8020_0000n, 7, 'lea 0x10(%rip),%rax', false],
      [0xffff_ffff_8020_0007n, 1, '(bad)', true],
      [0xffff_ffff_8020_0008n, 1, 'ret', false],
    ]);
    expect(disassemble(bytes, 0n, 1, { syntax: 'intel' })[0]!.text).toBe('lea rax,[rip+10h]');
    expect(formatInstruction(Uint8Array.from([0x0f, 0x0b]), 0n)).toBe('ud2  [0f 0b]');
  });

  it('names the faulting instruction in fault messages when installed as Cpu.disassembler', () => {
    const memory = new GuestMemory({ windowSize: 1 << 20 });
    const cpu = new Cpu(memory);
    cpu.disassembler = formatInstruction;
    memory.write(KERNEL_WINDOW_BASE + 0x100n, Uint8Array.from([0x0f, 0x0b]));
    cpu.rip = KERNEL_WINDOW_BASE + 0x100n;
    expect(() => cpu.step()).toThrow(/ud2/);
  });
});

describe('iced-x86 oracle for the decoder', () => {
  it('agrees on 100000 random byte strings', () => {
    let seed = 0x1234567;
    const rnd = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const PREFIX = [0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x64, 0x65, 0xf0];
    const n = 100_000;
    const code = new Uint8Array(n * 16);
    for (let k = 0; k < code.length; k++) code[k] = rnd() & 0xff;
    for (let s = 0; s < n; s++) {
      // Half the strings start like real instructions: prefixes, REX, escapes.
      if (rnd() & 1) continue;
      let p = s * 16;
      if (rnd() & 1) code[p++] = PREFIX[rnd() % PREFIX.length]!;
      if (rnd() & 1) code[p++] = 0x40 | (rnd() & 15);
      if (rnd() % 3 === 0) code[p++] = 0x0f;
    }
    const r = oracle(
      code,
      0x1000n,
      Array.from({ length: n }, (_, s) => s * 16),
    );
    expect(r.mismatches, report(r)).toEqual([]);
    expect(r.compared).toBeGreaterThan(30_000);
  });

  const manifest = readManifest();
  it.each(Object.keys(manifest.programs).sort())(
    'agrees on all of program %s and decodes it completely',
    (name) => {
      const entry = manifest.programs[name]!;
      const text = new Uint8Array(
        readFileSync(join(PROGRAMS_DIR, `${name}.bin`)).subarray(0, entry.textSize),
      );
      const r = oracle(text, LOAD_ADDRESS, sweep(text, LOAD_ADDRESS));
      expect(r.mismatches, report(r)).toEqual([]);
      expect(
        Object.fromEntries(r.unsupported),
        'instructions compiled code uses that the emulator rejects',
      ).toEqual({});
      expect(r.compared).toBeGreaterThan(100);
    },
  );

  const kmods = readdirSync(KMOD_DIR)
    .filter((f) => f.endsWith('.kmod'))
    .sort();
  it.each(kmods)('agrees on the .text of test module %s and decodes it completely', (file) => {
    const elf = readFileSync(join(KMOD_DIR, file));
    for (const sec of textSections(elf)) {
      const r = oracle(sec.data, 0n, sweep(sec.data, 0n));
      expect(r.mismatches, `${sec.name}: ${report(r)}`).toEqual([]);
      expect(Object.fromEntries(r.unsupported), `${sec.name}: rejected by the emulator`).toEqual(
        {},
      );
    }
  });
});
