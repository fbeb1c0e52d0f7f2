/**
 * 64-bit multiply/divide fast paths (int32 halves and doubles) against BigInt arithmetic, on random
 * operands of every magnitude: mul/imul rcx (128-bit results), div/idiv rcx (128/64).
 */
import { describe, expect, it } from 'vitest';
import { DivideError, Reg } from '../src/index.js';
import { CODE, machine, u64 } from './machine.js';

const MUL = [0x48, 0xf7, 0xe1]; // mul rcx
const IMUL = [0x48, 0xf7, 0xe9]; // imul rcx
const IMUL2 = [0x48, 0x0f, 0xaf, 0xc1]; // imul rax, rcx
const DIV = [0x48, 0xf7, 0xf1]; // div rcx
const IDIV = [0x48, 0xf7, 0xf9]; // idiv rcx
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Deterministic operands: every bit width, with random bits below the top one. */
function* operands(count: number): Generator<bigint> {
  let x = 0x9e3779b97f4a7c15n;
  for (let k = 0; k < count; k++) {
    x = u64(x * 6364136223846793005n + 1442695040888963407n);
    const bits = BigInt(k % 65);
    yield bits === 0n
      ? 0n
      : u64((x >> (64n - bits)) | (1n << (bits - 1n))) ^ (k % 3 === 0 ? u64(-1n) : 0n);
  }
}

const { cpu, mem } = machine();
let flags = 0n;

/** Executes one instruction; returns rax/rdx (or the fault) and leaves CF|OF in `flags`. */
function run(
  code: number[],
  rax: bigint,
  rdx: bigint,
  rcx: bigint,
): { rax: bigint; rdx: bigint; fault?: unknown } {
  mem.write(CODE, Uint8Array.from(code));
  cpu.rflags = 0n;
  cpu.setReg(Reg.RAX, rax);
  cpu.setReg(Reg.RDX, rdx);
  cpu.setReg(Reg.RCX, rcx);
  cpu.rip = CODE;
  try {
    cpu.step();
  } catch (e) {
    return { rax: 0n, rdx: 0n, fault: e };
  }
  flags = cpu.rflags & 0x801n;
  return { rax: cpu.getReg(Reg.RAX), rdx: cpu.getReg(Reg.RDX) };
}

describe('64-bit multiply and divide match BigInt', () => {
  const a = [...operands(400)];
  const b = [...operands(401)].reverse();

  it('mul and imul give the full 128-bit product', () => {
    for (let k = 0; k < a.length; k++) {
      const x = a[k]!;
      const y = b[k]!;
      const p = x * y;
      expect(run(MUL, x, 0n, y)).toEqual({ rax: u64(p), rdx: u64(p >> 64n) });
      const sp = s64(x) * s64(y);
      expect(run(IMUL, x, 0n, y)).toEqual({ rax: u64(sp), rdx: u64(sp >> 64n) });
      const overflow = sp !== s64(sp) ? 0x801n : 0n;
      expect(flags, `imul ${x} ${y}`).toBe(overflow);
      // imul rax, rcx (truncating form): same CF/OF rule
      expect(run(IMUL2, x, 7n, y)).toEqual({ rax: u64(sp), rdx: 7n });
      expect(flags, `imul2 ${x} ${y}`).toBe(overflow);
    }
  });

  it('div and idiv of 128-bit dividends by 64-bit divisors, #DE on overflow', () => {
    for (let k = 0; k < a.length; k++) {
      const d = b[k]!;
      for (const hi of [0n, a[(k * 7) % a.length]! % (d === 0n ? 1n : d), a[(k * 3) % a.length]!]) {
        const lo = a[k]!;
        const n = (hi << 64n) | lo;
        const got = run(DIV, lo, hi, d);
        if (d === 0n || n / d > u64(-1n))
          expect(got.fault, `div ${n}/${d}`).toBeInstanceOf(DivideError);
        else expect(got, `div ${n}/${d}`).toEqual({ rax: n / d, rdx: n % d });
      }
      // idiv with a sign-extended 64-bit dividend (cqo) and with arbitrary rdx
      for (const hi of [s64(a[k]!) < 0n ? u64(-1n) : 0n, a[(k * 5) % a.length]!]) {
        const lo = a[k]!;
        const n = BigInt.asIntN(128, (hi << 64n) | lo);
        const sd = s64(d);
        const got = run(IDIV, lo, hi, d);
        const q = sd === 0n ? 0n : n / sd;
        if (sd === 0n || q !== s64(q))
          expect(got.fault, `idiv ${n}/${sd}`).toBeInstanceOf(DivideError);
        else expect(got, `idiv ${n}/${sd}`).toEqual({ rax: u64(q), rdx: u64(n % sd) });
      }
    }
  });
});
