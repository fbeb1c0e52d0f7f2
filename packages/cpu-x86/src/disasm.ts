/**
 * Disassembly for fault messages, tracing and the debugger, built on iced-x86 (Rust compiled to
 * WebAssembly). This is its own entry point, `@rump/cpu-x86/disasm`, and iced-x86 is loaded on the
 * first call, so code that only executes guest instructions never pays for the WebAssembly module.
 *
 *   import { disassemble, formatInstruction } from '@rump/cpu-x86/disasm';
 *   disassemble(bytes, 0xffffffff80200000n, 4);    // [{ address, length, bytes, text }, ...]
 *   cpu.disassembler = formatInstruction;          // fault messages show the faulting instruction
 */
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';

export type Syntax = 'gas' | 'intel' | 'masm';

export interface DisassembledInstruction {
  readonly address: bigint;
  /** Length in bytes (1 for an undecodable byte). */
  readonly length: number;
  readonly bytes: Uint8Array;
  /** Formatted instruction, or `(bad)` when the bytes are not a valid 64-bit instruction. */
  readonly text: string;
  readonly invalid: boolean;
}

export interface DisassembleOptions {
  /** Assembler syntax of `text` (default `gas`, AT&T like objdump). */
  readonly syntax?: Syntax;
}

type IcedModule = typeof Iced;
let iced: IcedModule | undefined;
const formatters = new Map<Syntax, Iced.Formatter>();

/** Loads iced-x86 (synchronously instantiating its WebAssembly) on first use. */
export function icedModule(): IcedModule {
  if (iced === undefined) iced = createRequire(import.meta.url)('iced-x86') as IcedModule;
  return iced;
}

function formatter(syntax: Syntax): Iced.Formatter {
  let f = formatters.get(syntax);
  if (f === undefined) {
    const m = icedModule();
    const kind =
      syntax === 'gas'
        ? m.FormatterSyntax.Gas
        : syntax === 'intel'
          ? m.FormatterSyntax.Intel
          : m.FormatterSyntax.Masm;
    f = new m.Formatter(kind);
    f.firstOperandCharIndex = 0;
    f.uppercaseHex = false;
    // `0x10(%rip)` like objdump, rather than the absolute target that reads as an absolute operand.
    f.ripRelativeAddresses = true;
    formatters.set(syntax, f);
  }
  return f;
}

/**
 * Decodes up to `count` instructions (default: all) from `bytes`, the first at `address`, in
 * 64-bit mode. An undecodable byte becomes a one-byte `(bad)` entry and decoding continues after it.
 */
export function disassemble(
  bytes: Uint8Array,
  address: bigint,
  count = Number.POSITIVE_INFINITY,
  options: DisassembleOptions = {},
): DisassembledInstruction[] {
  const m = icedModule();
  const fmt = formatter(options.syntax ?? 'gas');
  const out: DisassembledInstruction[] = [];
  const instr = new m.Instruction();
  let offset = 0;
  try {
    while (offset < bytes.length && out.length < count) {
      const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + 15));
      const decoder = new m.Decoder(64, chunk, m.DecoderOptions.None);
      const at = BigInt.asUintN(64, address + BigInt(offset));
      try {
        decoder.ip = at;
        decoder.decodeOut(instr);
      } finally {
        decoder.free();
      }
      const invalid = instr.isInvalid;
      const length = invalid ? 1 : instr.length;
      out.push({
        address: at,
        length,
        bytes: bytes.slice(offset, offset + length),
        text: invalid ? '(bad)' : fmt.format(instr),
        invalid,
      });
      offset += length;
    }
  } finally {
    instr.free();
  }
  return out;
}

/** Length of the valid instruction at the start of `bytes`, or 0 when it is invalid or truncated. */
export function instructionLength(bytes: Uint8Array, address = 0n): number {
  const [first] = disassemble(bytes.subarray(0, 15), address, 1);
  return first === undefined || first.invalid ? 0 : first.length;
}

/** One instruction as text, for `Cpu.disassembler` (fault messages). */
export function formatInstruction(bytes: Uint8Array, address: bigint): string {
  const [first] = disassemble(bytes.subarray(0, 15), address, 1);
  if (first === undefined) return '(no bytes)';
  const hex = Array.from(first.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${first.text}  [${hex}]`;
}
