/**
 * Whole programs: freestanding C (tools/cpu-programs) compiled with the kernel flags into flat
 * images at a kernel-window address, run in the emulator with Cpu.call, must print exactly what
 * the same code printed natively on the real CPU.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildFlat,
  buildNative,
  compilerVersion,
  listPrograms,
  PROGRAMS_DIR,
  readManifest,
  runNative,
  sourceHash,
} from './programs/build.js';
import { loadProgram } from './programs/run.js';

const manifest = readManifest();
const names = Object.keys(manifest.programs).sort();
const gcc = compilerVersion();
const sameCompiler = gcc !== undefined && gcc === manifest.compiler;
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('compiled programs run exactly as on the real CPU', () => {
  it.each(names)('%s', (name) => {
    const entry = manifest.programs[name]!;
    const expected = readFileSync(join(PROGRAMS_DIR, `${name}.out`));
    const program = loadProgram(name, entry);
    program.cpu.budget = 2e9;
    const { output, instructions } = program.run(1);
    expect(output.toString('latin1')).toBe(expected.toString('latin1'));
    expect(instructions).toBeGreaterThan(1000);
  });
});

describe('committed program fixtures', () => {
  it('cover every C program and match their sources (rebuild: tsx test/programs/build.ts)', () => {
    expect(names).toEqual(listPrograms());
    for (const name of names) {
      const entry = manifest.programs[name]!;
      expect(sourceHash(name), `${name}: sources changed since the .bin was built`).toBe(
        entry.sourceHash,
      );
      expect(sha256(readFileSync(join(PROGRAMS_DIR, `${name}.bin`))), name).toBe(entry.binHash);
      expect(sha256(readFileSync(join(PROGRAMS_DIR, `${name}.out`))), name).toBe(entry.outputHash);
    }
  });

  it.skipIf(!sameCompiler)(
    `rebuild identically and the native runs print the committed outputs (needs ${manifest.compiler})`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'cpu-programs-check-'));
      try {
        for (const name of names) {
          const entry = manifest.programs[name]!;
          const img = buildFlat(name, dir);
          expect(sha256(img.bin), `${name}.bin`).toBe(entry.binHash);
          expect(`0x${img.entry.toString(16)}`).toBe(entry.entry);
          const { output } = runNative(buildNative(name, dir), 1);
          expect(sha256(output), `${name} native output`).toBe(entry.outputHash);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
