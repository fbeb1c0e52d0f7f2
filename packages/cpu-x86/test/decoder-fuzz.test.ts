/**
 * Decoder fuzzing with seeded random bytes: decoding or executing arbitrary bytes may only raise
 * typed CpuFault subclasses (InvalidOpcode, PageFault, DivideError, ...), never a host TypeError,
 * RangeError or an untyped Error, and decoded lengths stay within 1..15 bytes.
 */
import { describe, expect, it } from 'vitest';
import { Decoder } from '../src/decode.js';
import {
  Cpu,
  CpuFault,
  GuestMemory,
  InvalidOpcode,
  KERNEL_WINDOW_BASE,
  Reg,
} from '../src/index.js';

/** xorshift128+ on two 32-bit halves: fast, seeded, no BigInt. */
class Rng {
  private a: number;
  private b: number;
  constructor(seed: number) {
    this.a = seed | 1;
    this.b = (seed * 0x9e3779b9) | 1;
  }
  u32(): number {
    let x = this.a;
    const y = this.b;
    this.a = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.b = x;
    return (x + y) >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
}

const PREFIXES = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65];

/** Random bytes, half the time shaped like an instruction: prefixes, REX, 0F escapes, ModRM. */
function instructionBytes(rng: Rng, out: Uint8Array): void {
  for (let k = 0; k < out.length; k++) out[k] = rng.below(256);
  if (rng.below(2) === 0) return;
  let p = 0;
  const nPrefixes = rng.below(4);
  for (let k = 0; k < nPrefixes; k++) out[p++] = PREFIXES[rng.below(PREFIXES.length)]!;
  if (rng.below(2)) out[p++] = 0x40 | rng.below(16);
  if (rng.below(3) === 0) {
    out[p++] = 0x0f;
    if (rng.below(8) === 0) out[p++] = rng.below(2) ? 0x38 : 0x3a;
  }
}

const CODE = KERNEL_WINDOW_BASE + 0x1000n;
const WINDOW = 1 << 20;

function toPair(a: bigint): [number, number] {
  return [Number(a & 0xffffffffn) | 0, Number((a >> 32n) & 0xffffffffn) | 0];
}

describe('decoder fuzz', () => {
  it('decodes 200000 random byte strings into instructions of 1..15 bytes or InvalidOpcode', () => {
    const memory = new GuestMemory({ windowSize: WINDOW });
    const decoder = new Decoder(memory);
    const rng = new Rng(0x5eed);
    const bytes = new Uint8Array(32);
    const [lo, hi] = toPair(CODE);
    const unexpected: string[] = [];
    let decoded = 0;
    for (let n = 0; n < 200_000; n++) {
      instructionBytes(rng, bytes);
      memory.write(CODE, bytes);
      try {
        const insn = decoder.decode(lo, hi);
        decoded++;
        if (insn.len < 1 || insn.len > 15) unexpected.push(`length ${insn.len}: ${hex(bytes)}`);
      } catch (e) {
        if (!(e instanceof InvalidOpcode)) unexpected.push(`${describeError(e)}: ${hex(bytes)}`);
      }
      if (unexpected.length > 10) break;
    }
    expect(unexpected).toEqual([]);
    // Sanity: the generator reaches valid encodings, not only #UD.
    expect(decoded).toBeGreaterThan(50_000);
  });

  it('executes 50000 random instructions with Cpu.step raising only typed, precise faults', () => {
    const memory = new GuestMemory({ windowSize: WINDOW });
    const cpu = new Cpu(memory);
    const rng = new Rng(0xc0ffee);
    const bytes = new Uint8Array(32);
    const unexpected: string[] = [];
    const kinds = new Map<string, number>();
    for (let n = 0; n < 50_000; n++) {
      instructionBytes(rng, bytes);
      memory.write(CODE, bytes);
      for (let r = 0; r < 16; r++) cpu.setReg(r, operandValue(rng));
      // Keep REP counts small so a random rep-string instruction stays one quick step.
      cpu.setReg(Reg.RCX, BigInt(rng.below(64)));
      cpu.setReg(Reg.RSP, KERNEL_WINDOW_BASE + BigInt(0x80000 + rng.below(0x1000) * 8));
      cpu.rflags = BigInt(rng.u32() & 0xcd5);
      cpu.rip = CODE;
      try {
        cpu.step();
        kinds.set('ok', (kinds.get('ok') ?? 0) + 1);
      } catch (e) {
        if (e instanceof CpuFault) {
          kinds.set(e.name, (kinds.get(e.name) ?? 0) + 1);
          // Faults are precise: they name the instruction that raised them, which did not retire.
          if (e.rip !== CODE || cpu.rip !== CODE) {
            unexpected.push(
              `${e.name} reported rip ${e.rip.toString(16)}, cpu.rip ${cpu.rip.toString(16)}: ${hex(bytes)}`,
            );
          }
        } else {
          unexpected.push(`${describeError(e)}: ${hex(bytes)}`);
        }
      }
      if (unexpected.length > 10) break;
    }
    expect(unexpected).toEqual([]);
    expect(kinds.get('ok') ?? 0).toBeGreaterThan(10_000);
  });

  it('runs 600 random 64-byte programs through compiled blocks (Cpu.call) with only typed faults', () => {
    const rng = new Rng(0xb10c);
    const unexpected: string[] = [];
    const kinds = new Map<string, number>();
    const code = new Uint8Array(64);
    for (let n = 0; n < 600; n++) {
      // A fresh machine each time: after a fault the contract lets a Cpu be discarded.
      const memory = new GuestMemory({ windowSize: 256 << 10 });
      const cpu = new Cpu(memory);
      (cpu as Cpu & { jitThreshold?: number }).jitThreshold = 1;
      (cpu as Cpu & { jitLoopFreeThreshold?: number }).jitLoopFreeThreshold = 1;
      cpu.budget = 5000;
      for (let k = 0; k < code.length; k += 16) instructionBytes(rng, code.subarray(k, k + 16));
      memory.write(CODE, code);
      for (let r = 0; r < 16; r++) cpu.setReg(r, operandValue(rng, 256 << 10));
      cpu.setReg(Reg.RCX, BigInt(rng.below(64)));
      cpu.setReg(Reg.RSP, KERNEL_WINDOW_BASE + BigInt(0x20000 + rng.below(0x1000) * 8));
      try {
        cpu.call(CODE);
        kinds.set('returned', (kinds.get('returned') ?? 0) + 1);
      } catch (e) {
        if (e instanceof CpuFault) kinds.set(e.name, (kinds.get(e.name) ?? 0) + 1);
        else unexpected.push(`${describeError(e)}: ${Buffer.from(code).toString('hex')}`);
      }
      if (unexpected.length > 10) break;
    }
    expect(unexpected).toEqual([]);
    expect(kinds.size).toBeGreaterThan(2);
  });
});

/** Register values: pointers into the window, small numbers, or arbitrary 64-bit values. */
function operandValue(rng: Rng, window = WINDOW): bigint {
  switch (rng.below(3)) {
    case 0:
      return KERNEL_WINDOW_BASE + BigInt(rng.below(window));
    case 1:
      return BigInt(rng.below(256));
    default:
      return (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 15)).toString('hex');
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message.split('\n')[0]}` : String(e);
}
