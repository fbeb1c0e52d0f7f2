/**
 * Emulator speed on the compiled test programs (tools/cpu-programs, flat images in test/programs):
 * guest MIPS (instructions retired / wall time of Cpu.call) and, where gcc is present, the slowdown
 * against the same C code run natively in the same benchmark run.
 *
 *   pnpm bench                          all programs, each scaled to run >= 0.5 s in the emulator
 *   pnpm bench -- --seconds 1 sort      longer runs, only `sort`
 *
 * Writes bench/results.json. The issue's bar is >= 50 guest MIPS on this machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative, compilerVersion, readManifest, runNative } from '../test/programs/build.js';
import { loadProgram } from '../test/programs/run.js';

interface Row {
  program: string;
  iterations: number;
  instructions: number;
  seconds: number;
  mips: number;
  nativeSeconds?: number;
  slowdown?: number;
  outputMatchesNative?: boolean;
}

function parseArgs(argv: string[]): { seconds: number; only: string[] } {
  let seconds = 0.5;
  const only: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--seconds') seconds = Number(argv[++k]);
    else if (a !== '--') only.push(a);
  }
  return { seconds, only };
}

function main(): void {
  const { seconds, only } = parseArgs(process.argv.slice(2));
  const manifest = readManifest();
  const names = Object.keys(manifest.programs)
    .sort()
    .filter((n) => only.length === 0 || only.includes(n));
  const gcc = compilerVersion();
  const dir = gcc ? mkdtempSync(join(tmpdir(), 'cpu-bench-')) : undefined;
  const rows: Row[] = [];
  try {
    for (const name of names) {
      const program = loadProgram(name, manifest.programs[name]!);
      // Warm up (decode, block cache, JIT) and calibrate the iteration count to the target time.
      let t0 = performance.now();
      program.run(1);
      let t = (performance.now() - t0) / 1000;
      t0 = performance.now();
      program.run(1);
      t = Math.min(t, (performance.now() - t0) / 1000);
      const iterations = Math.max(1, Math.ceil((seconds * 1.2) / Math.max(t, 1e-4)));
      t0 = performance.now();
      const { output, instructions } = program.run(iterations);
      const elapsed = (performance.now() - t0) / 1000;
      const row: Row = {
        program: name,
        iterations,
        instructions,
        seconds: elapsed,
        mips: instructions / elapsed / 1e6,
      };
      if (dir) {
        const exe = buildNative(name, dir);
        runNative(exe, 1); // page in
        const native = runNative(exe, iterations);
        row.nativeSeconds = native.ns / 1e9;
        row.slowdown = elapsed / row.nativeSeconds;
        row.outputMatchesNative = native.output.equals(output);
      }
      rows.push(row);
      print(row);
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  const totalInsns = rows.reduce((s, r) => s + r.instructions, 0);
  const totalSeconds = rows.reduce((s, r) => s + r.seconds, 0);
  const slowdowns = rows.flatMap((r) => (r.slowdown ? [r.slowdown] : []));
  const geoSlowdown = slowdowns.length
    ? Math.exp(slowdowns.reduce((s, x) => s + Math.log(x), 0) / slowdowns.length)
    : undefined;
  const mipsAll = totalInsns / totalSeconds / 1e6;
  console.log(
    `\nall: ${(totalInsns / 1e6).toFixed(1)} M instructions in ${totalSeconds.toFixed(2)} s = ${mipsAll.toFixed(1)} MIPS` +
      (geoSlowdown
        ? `, geometric-mean slowdown vs native ${geoSlowdown.toFixed(1)}x`
        : ' (no gcc: native not measured)'),
  );
  const here = dirname(fileURLToPath(import.meta.url));
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? '?',
    compiler: gcc ?? null,
    targetSeconds: seconds,
    mips: mipsAll,
    geometricMeanSlowdown: geoSlowdown ?? null,
    programs: rows,
  };
  writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

let headerPrinted = false;
function print(r: Row): void {
  if (!headerPrinted) {
    headerPrinted = true;
    console.log(
      `${'program'.padEnd(10)} ${'iters'.padStart(6)} ${'Minsns'.padStart(9)} ${'emu s'.padStart(7)} ${'MIPS'.padStart(7)} ${'native s'.padStart(9)} ${'slowdown'.padStart(9)}  output`,
    );
  }
  console.log(
    `${r.program.padEnd(10)} ${String(r.iterations).padStart(6)} ${(r.instructions / 1e6).toFixed(1).padStart(9)} ${r.seconds.toFixed(2).padStart(7)} ${r.mips.toFixed(1).padStart(7)} ${
      r.nativeSeconds !== undefined ? r.nativeSeconds.toFixed(4).padStart(9) : '-'.padStart(9)
    } ${r.slowdown !== undefined ? `${r.slowdown.toFixed(0)}x`.padStart(9) : '-'.padStart(9)}  ${
      r.outputMatchesNative === undefined
        ? '-'
        : r.outputMatchesNative
          ? 'same as native'
          : 'DIFFERS from native'
    }`,
  );
}

main();
