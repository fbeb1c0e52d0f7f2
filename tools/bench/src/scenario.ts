/**
 * The classic scenario end to end as a process, measured as the native figure is: wall time from
 * spawn to exit (Node's start-up included) and the child's peak RSS. The child script is bundled
 * once per benchmark with esbuild into plain JavaScript, so no TypeScript loader runs in it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { benchDir, copyImage } from './images.js';
import type { Target } from './target.js';

export interface ScenarioResult {
  /** Spawn to exit, ms. */
  readonly wallMs: number;
  /** Peak resident set of the child (VmHWM, else maxRSS), MB = 10^6 bytes. */
  readonly peakRssMB: number;
  /** From the child's first line of benchmark code to reboot's return, ms. */
  readonly inProcessMs: number;
  /** Where the child's time went, ms (see scenario-child.ts). */
  readonly phases: ScenarioPhases;
}

export interface ScenarioPhases {
  /** Process start to the first line of benchmark code: Node's start-up and the bundle's load. */
  readonly startMs: number;
  readonly bootMs: number;
  /** etfs register + modctl(LOAD) of the file-system module (and what it requires). */
  readonly loadMs: number;
  /** etfs register + mkdir + mount. */
  readonly mountMs: number;
  /** open, read, ftruncate, pwrite. */
  readonly ioMs: number;
  readonly rebootMs: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles scenario-child.ts into <bench dir>/scenario.mjs; returns its path. */
export async function bundleScenario(): Promise<string> {
  const outfile = join(benchDir(), 'scenario.mjs');
  await build({
    entryPoints: [join(here, 'scenario-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@rump/source'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export function runScenario(script: string, target: Target, pristine: string): ScenarioResult {
  const image = join(benchDir(), 'scenario.img');
  copyImage(pristine, image);
  const arg = JSON.stringify({
    kmod: target.kmod,
    modulePath: target.modulePath,
    fstype: target.fs,
    image,
  });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [script, arg], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(
      `classic scenario process exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(-2000)}`,
    );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const child = JSON.parse(line) as {
    maxRssKiB: number;
    inProcessMs: number;
    phases: ScenarioPhases;
  };
  return {
    wallMs,
    peakRssMB: (child.maxRssKiB * 1024) / 1e6,
    inProcessMs: child.inProcessMs,
    phases: child.phases,
  };
}
