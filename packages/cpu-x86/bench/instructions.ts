/**
 * Per-instruction throughput: a loop of 16 copies of one instruction (or a short unit) run with
 * Cpu.call, so a slow handler shows up by name instead of being averaged into a program.
 */
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } from '../src/index.js';

/** Name, then the unit's bytes (hex) as gas assembles them. R8 is the loop counter. */
export const UNITS: readonly (readonly [string, string])[] = [
  ['add r64, r64', '4801c8'],
  ['add r32, imm8', '83c007'],
  ['adc r64, r64', '4811c8'],
  ['sub r64, r64', '4829c8'],
  ['cmp r64, r64', '4839c8'],
  ['xor r64, r64', '4831c8'],
  ['test r64, r64', '4885c8'],
  ['inc r64', '48ffc0'],
  ['mov r64, r64', '4889c8'],
  ['mov r64, m64', '488b442408'],
  ['mov m64, r64', '4889442408'],
  ['lea r64, [b+i*4+d]', '488d548808'],
  ['movzbl r8, r32', '0fb6c1'],
  ['movslq r32, r64', '4863c1'],
  ['shl r64, imm', '48c1e003'],
  ['shr r64, cl', '48d3e8'],
  ['sar r64, imm', '48c1f805'],
  ['rol r64, imm', '48c1c00d'],
  ['ror r32, imm', 'c1c807'],
  ['shld r64, r64, imm', '480fa4c805'],
  ['imul r64, r64', '480fafc1'],
  ['imul r64, r64, imm32', '4869c134120000'],
  ['mul r64', '48f7e1'],
  ['xor edx; div r64', '31d248f7f1'],
  ['bsr r64, r64', '480fbdc1'],
  ['tzcnt r64, r64', 'f3480fbcc1'],
  ['popcnt r64, r64', 'f3480fb8c1'],
  ['bswap r64', '480fc8'],
  ['cmove r64, r64', '480f44c1'],
  ['sete r8', '0f94c0'],
  ['bt r64, r64', '480fa3c8'],
  ['push; pop', '5058'],
  ['xchg r64, r64', '4891'],
  ['lock cmpxchg m64, r64', 'f0480fb14c2408'],
  ['add; adc r64, 0 (carry chain)', '4801c84883d000'],
];

const COPIES = 16;
const CODE = KERNEL_WINDOW_BASE + 0x1000n;

export interface UnitResult {
  name: string;
  instructions: number;
  seconds: number;
  mips: number;
}

/** Builds `loop: unit x16; dec r8d; jnz loop; ret` and runs it for about `seconds`. */
export function measureUnit(name: string, hex: string, seconds: number): UnitResult {
  const unit = Buffer.from(hex, 'hex');
  const body = Buffer.concat([
    ...Array.from({ length: COPIES }, () => unit),
    Buffer.from('41ffc8', 'hex'),
  ]);
  const jnz = Buffer.alloc(6);
  jnz[0] = 0x0f;
  jnz[1] = 0x85;
  jnz.writeInt32LE(-(body.length + 6), 2);
  const code = Buffer.concat([body, jnz, Buffer.from([0xc3])]);
  const memory = new GuestMemory({ windowSize: 1 << 20 });
  memory.write(CODE, code);
  const cpu = new Cpu(memory);
  const run = (iterations: number): { instructions: number; seconds: number } => {
    cpu.setReg(Reg.RAX, 0x0123_4567_89ab_cdefn);
    cpu.setReg(Reg.RCX, 9n);
    cpu.setReg(Reg.RDX, 0n);
    cpu.setReg(Reg.R8, BigInt(iterations));
    cpu.setReg(Reg.RSP, KERNEL_WINDOW_BASE + 0x8_0000n);
    const before = cpu.instructionsRetired;
    const t0 = performance.now();
    cpu.call(CODE);
    return {
      instructions: cpu.instructionsRetired - before,
      seconds: (performance.now() - t0) / 1000,
    };
  };
  // Warm up until V8 has optimized the interpreter and the compiled block (that takes a few
  // hundred milliseconds; measuring earlier times the tiering, not the emulator).
  let warm = 0;
  while (warm < 0.3) warm += run(10_000).seconds;
  let iterations = 10_000;
  let r = run(iterations);
  while (r.seconds < seconds) {
    iterations = Math.ceil(
      iterations * Math.min(10, Math.max(1.5, (seconds * 1.1) / Math.max(r.seconds, 1e-3))),
    );
    r = run(iterations);
  }
  // Best of three at that size.
  for (let k = 0; k < 2; k++) {
    const again = run(iterations);
    if (again.seconds < r.seconds) r = again;
  }
  return { name, ...r, mips: r.instructions / r.seconds / 1e6 };
}
