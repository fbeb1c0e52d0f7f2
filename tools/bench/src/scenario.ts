/**
 * The classic scenario end to end as a process, measured as the native figure is: wall time from
 * spawn to exit (Node's start-up included) and the child's peak RSS. The child script is bundled
 * once per benchmark with esbuild into plain JavaScript, so no TypeScript loader runs in it.
 *
 * `codeCache: true` runs the child through scenario-launch.ts with a V8 code cache, as the `rump`
 * command runs (apps/cli keeps one in the user's cache folder): an untimed first run fills the
 * cache, measured runs reuse the bytecode but boot, mount and do their I/O from scratch. That is
 * the benchmark's figure; the run without a cache (a first `rump` run) is printed as an extra.
 *
 * Both run in the benchmark's environment minus SCENARIO_ENV_REMOVED, and nodeStartupMs times a
 * bare `node -e 0` the same way, so a reader sees how much of the figure is Node itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
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

/**
 * Variables removed from the environment of the scenario child (and of `node -e 0`):
 * NODE_EXTRA_CA_CERTS makes every Node process read and parse that CA bundle at start-up (~80 ms
 * of a 125 ms `node -e 0` in the sandbox these figures come from), a cost of the machine's set-up
 * that the classic scenario does not need and the native program never pays.
 */
export const SCENARIO_ENV_REMOVED = ['NODE_EXTRA_CA_CERTS'] as const;

/** The scenario child's environment, and which of SCENARIO_ENV_REMOVED were set in `env`. */
export function scenarioEnv(env: NodeJS.ProcessEnv = process.env): {
  env: NodeJS.ProcessEnv;
  removed: string[];
} {
  const out = { ...env };
  const removed = SCENARIO_ENV_REMOVED.filter((k) => out[k] !== undefined);
  for (const k of removed) delete out[k];
  return { env: out, removed };
}

/** Wall time of `node -e 0`, spawn to exit, in the scenario child's environment, ms. */
export function nodeStartupMs(): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-e', '0'], {
    encoding: 'utf8',
    env: scenarioEnv().env,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`node -e 0 exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(-2000)}`);
  return ms;
}

/**
 * Bundles scenario-child.ts into <bench dir>/scenario.cjs and scenario-launch.ts beside it as
 * scenario-launch.cjs (dropping a code cache of an earlier bundle); returns the bundle's path.
 */
export async function bundleScenario(): Promise<string> {
  const dir = benchDir();
  const outfile = join(dir, 'scenario.cjs');
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['@rump/source'],
    // As apps/cli/build.mjs bundles the `rump` command: whitespace and syntax minified (a third
    // less source for Node to read and V8 to parse at start-up), names kept for backtraces.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    logLevel: 'error',
  };
  await build({ ...common, entryPoints: [join(here, 'scenario-child.ts')], outfile });
  await build({
    ...common,
    entryPoints: [join(here, 'scenario-launch.ts')],
    outfile: join(dir, 'scenario-launch.cjs'),
  });
  rmSync(`${outfile}.v8cache`, { force: true });
  return outfile;
}

export interface ScenarioOptions {
  /** Run through scenario-launch with a V8 code cache; false (the default) compiles everything. */
  readonly codeCache?: boolean;
}

export function runScenario(
  script: string,
  target: Target,
  pristine: string,
  options: ScenarioOptions = {},
): ScenarioResult {
  const codeCache = options.codeCache ?? false;
  // The first run with a code cache only fills it, untimed.
  if (codeCache && !existsSync(`${script}.v8cache`)) spawnScenario(script, target, pristine, true);
  return spawnScenario(script, target, pristine, codeCache);
}

function spawnScenario(
  script: string,
  target: Target,
  pristine: string,
  codeCache: boolean,
): ScenarioResult {
  const image = join(benchDir(), 'scenario.img');
  copyImage(pristine, image);
  const arg = JSON.stringify({
    kmod: target.kmod,
    modulePath: target.modulePath,
    fstype: target.fs,
    image,
  });
  const t0 = performance.now();
  const argv = codeCache
    ? [join(dirname(script), 'scenario-launch.cjs'), script, arg]
    : [script, arg];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: scenarioEnv().env });
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
