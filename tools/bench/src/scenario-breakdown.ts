/**
 * Where the classic scenario's process time goes, phase by phase, with and without the V8 code
 * cache, over several runs (min and median): Node's start-up with the bundle's load, boot, module
 * load, mount, file I/O, reboot, and the rest of the wall time (spawn and exit), beside a bare
 * `node -e 0` in the child's environment. The target and image are `pnpm bench`'s.
 *
 *   pnpm exec tsx --conditions=@rump/source src/scenario-breakdown.ts [runs]
 */

import { haveMakefs, pristineImage } from './images.js';
import { DEFAULT_SCALE } from './options.js';
import { bundleScenario, nodeStartupMs, runScenario, type ScenarioPhases } from './scenario.js';
import { fmt, summarize } from './stats.js';
import { chooseTarget } from './target.js';
import { workload } from './workload.js';

const runs = Number(process.argv[2] ?? 5);
const target = chooseTarget(haveMakefs());
const pristine = pristineImage(workload(target.fs, DEFAULT_SCALE));
const script = await bundleScenario();
const rows: Record<string, number[]> = {};
const add = (k: string, v: number) => {
  rows[k] ??= [];
  rows[k].push(v);
};
// Alternating runs with and without the V8 code cache, so both see the same machine load.
for (let i = 0; i < runs; i++) {
  add('node -e 0, spawn to exit', nodeStartupMs());
  for (const codeCache of [true, false]) {
    const r = runScenario(script, target, pristine, { codeCache });
    const p: ScenarioPhases = r.phases;
    const tag = codeCache ? '' : ' (no code cache)';
    add(`Node start-up + bundle load${tag}`, p.startMs);
    add(`boot (rump_init)${tag}`, p.bootMs);
    add(`module load${tag}`, p.loadMs);
    add(`etfs + mkdir + mount${tag}`, p.mountMs);
    add(`open, read, truncate, write${tag}`, p.ioMs);
    add(`reboot${tag}`, p.rebootMs);
    add(`exit and spawn (rest of wall)${tag}`, r.wallMs - p.startMs - r.inProcessMs);
    add(`wall${tag}`, r.wallMs);
    add(`peak RSS (MB)${tag}`, r.peakRssMB);
  }
}
process.stdout.write(`classic scenario as a process, ${runs} runs (${target.fs}, ms)\n`);
for (const [k, v] of Object.entries(rows)) {
  const s = summarize(v);
  process.stdout.write(
    `${k.padEnd(48)} min ${fmt(s.min).padStart(7)}  median ${fmt(s.median).padStart(7)}\n`,
  );
}
