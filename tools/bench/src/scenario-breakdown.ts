/**
 * Where the classic scenario's process time goes, phase by phase, over several runs (min and
 * median): Node's start-up with the bundle's load, boot, module load, mount, file I/O, reboot,
 * and the rest of the wall time (spawn and exit). The target and image are `pnpm bench`'s.
 *
 *   pnpm exec tsx --conditions=@rump/source src/scenario-breakdown.ts [runs]
 */

import { haveMakefs, pristineImage } from './images.js';
import { DEFAULT_SCALE } from './options.js';
import { bundleScenario, runScenario, type ScenarioPhases } from './scenario.js';
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
for (let i = 0; i < runs; i++) {
  const r = runScenario(script, target, pristine);
  const p: ScenarioPhases = r.phases;
  add('Node start-up + bundle load', p.startMs);
  add('boot (rump_init)', p.bootMs);
  add('module load', p.loadMs);
  add('etfs + mkdir + mount', p.mountMs);
  add('open, read, truncate, write', p.ioMs);
  add('reboot', p.rebootMs);
  add('exit and spawn (rest of wall)', r.wallMs - p.startMs - r.inProcessMs);
  add('wall', r.wallMs);
  add('peak RSS (MB)', r.peakRssMB);
}
process.stdout.write(`classic scenario as a process, ${runs} runs (${target.fs}, ms)\n`);
for (const [k, v] of Object.entries(rows)) {
  const s = summarize(v);
  process.stdout.write(
    `${k.padEnd(32)} min ${fmt(s.min).padStart(7)}  median ${fmt(s.median).padStart(7)}\n`,
  );
}
