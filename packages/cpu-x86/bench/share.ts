/**
 * What sharing compiled code across Cpus saves (code-share.ts): each test program runs once on a
 * fresh Cpu, three Cpus in a row, first with the process-wide cache cleared before every Cpu
 * (each compiles its own hot code), then with sharing (the 2nd and 3rd Cpu bind the 1st one's code
 * when they decode the blocks). Process CPU ms per fresh-Cpu run, with the JIT counters.
 *
 *   pnpm bench -- --share [program...]
 */
import { clearSharedCode } from '../src/index.js';
import { readManifest } from '../test/programs/build.js';
import { loadProgram } from '../test/programs/run.js';

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function measureShare(only: string[], iterations = 1): void {
  const manifest = readManifest();
  const names = Object.keys(manifest.programs)
    .sort()
    .filter((n) => only.length === 0 || only.includes(n));
  // V8 warms up the interpreter and compiler themselves on a first program, outside the figures.
  clearSharedCode();
  loadProgram(names[0]!, manifest.programs[names[0]!]!).run(iterations);
  console.log(
    `\nfresh Cpu per run, ${iterations} iterations: CPU ms of Cpu #1 / #2 / #3 (regions compiled+shared, % interpreted)`,
  );
  console.log(`${'program'.padEnd(10)} ${'not shared'.padEnd(44)} shared`);
  for (const name of names) {
    const cols: string[] = [];
    for (const share of [false, true]) {
      clearSharedCode();
      const cells: string[] = [];
      for (let k = 0; k < 3; k++) {
        if (!share) clearSharedCode();
        const t0 = cpuMs();
        const p = loadProgram(name, manifest.programs[name]!);
        const { instructions } = p.run(iterations);
        const ms = cpuMs() - t0;
        const j = p.cpu.jitCounters();
        const interp = Math.round((100 * j.interpretedInstructions) / Math.max(1, instructions));
        cells.push(`${ms.toFixed(0)} (${j.regionsCompiled}+${j.regionsShared}, ${interp}%)`);
      }
      cols.push(cells.join(' / '));
    }
    console.log(`${name.padEnd(10)} ${cols[0]!.padEnd(44)} ${cols[1]}`);
  }
}
