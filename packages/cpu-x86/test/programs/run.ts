/**
 * Loads a flat program image (test/programs/NAME.bin) into a fresh emulator and runs its
 * `run(out, cap, iters)` entry: shared by the programs test and the benchmark.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } from '../../src/index.js';
import { LOAD_ADDRESS, OUTPUT_CAP, PROGRAMS_DIR, type ProgramEntry } from './build.js';

/** Layout inside the kernel window: image at +2 MiB, output at +8 MiB, stack below +16 MiB. */
const OUTPUT_ADDRESS = KERNEL_WINDOW_BASE + 0x80_0000n;
const STACK_TOP = KERNEL_WINDOW_BASE + 0x100_0000n - 0x40n;

export interface LoadedProgram {
  readonly cpu: Cpu;
  readonly entry: bigint;
  /** Runs the program once; returns its output and the instructions it retired. */
  run(iters: number): { output: Buffer; instructions: number };
}

export function loadProgram(name: string, entry: ProgramEntry, image?: Buffer): LoadedProgram {
  const bin = image ?? readFileSync(join(PROGRAMS_DIR, `${name}.bin`));
  const memory = new GuestMemory({ windowSize: 0x100_0000 });
  if (LOAD_ADDRESS + BigInt(entry.memSize) > OUTPUT_ADDRESS) {
    throw new Error(`${name}: image of ${entry.memSize} bytes overlaps the output buffer`);
  }
  memory.write(LOAD_ADDRESS, bin);
  const cpu = new Cpu(memory);
  const start = BigInt(entry.entry);
  // Writable data starts on the first page after the code: rewriting only that part resets the
  // program without touching code (a write to code would invalidate every decoded block).
  const dataOffset = Math.min(bin.length, Math.ceil(entry.textSize / 4096) * 4096);
  return {
    cpu,
    entry: start,
    run(iters: number) {
      // .data is rewritten and .bss zeroed so every run starts from the image.
      memory.write(LOAD_ADDRESS + BigInt(dataOffset), bin.subarray(dataOffset));
      memory.fill(LOAD_ADDRESS + BigInt(bin.length), entry.memSize - bin.length, 0);
      cpu.setReg(Reg.RSP, STACK_TOP);
      const before = cpu.instructionsRetired;
      const n = Number(cpu.call(start, OUTPUT_ADDRESS, OUTPUT_CAP, iters));
      const output = Buffer.from(memory.read(OUTPUT_ADDRESS, Math.min(n, OUTPUT_CAP)));
      return { output, instructions: cpu.instructionsRetired - before };
    },
  };
}
