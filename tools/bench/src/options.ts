/** Command-line flags and RUMP_BENCH_* environment variables (documented in README.md). */

export interface Options {
  readonly runs: number;
  readonly scale: number;
  /** Print JSON on stdout (the table goes to stderr). */
  readonly jsonStdout: boolean;
  /** Also write JSON to this path. */
  readonly jsonPath: string | undefined;
  readonly native: string | undefined;
  readonly profile: boolean;
  /** Guest instructions between profile samples; 0 = no sampling. */
  readonly sampleEvery: number;
  /** Extra warm passes of read and stat before the steady-state extras (0 = none). */
  readonly steady: number;
  /** A previous JSON result to compare with. */
  readonly baseline: string | undefined;
  /** Skip the classic-scenario process. */
  readonly noScenario: boolean;
}

/** Default scale: 1/16 of the sizes keeps a default run to about a minute on this emulator. */
export const DEFAULT_SCALE = 1 / 16;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const v = Number(text);
  if (!(v > 0)) throw new RangeError(`${name} must be a positive number, got '${text}'`);
  return v;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  let jsonStdout = false;
  let profile = false;
  let noScenario = false;
  let runs = env.RUMP_BENCH_RUNS;
  let scale = env.RUMP_BENCH_SCALE;
  let steady = env.RUMP_BENCH_STEADY;
  let baseline = env.RUMP_BENCH_BASELINE || undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') continue;
    else if (a === '--json') jsonStdout = true;
    else if (a === '--profile') profile = true;
    else if (a === '--no-scenario') noScenario = true;
    else if (a === '--runs') runs = argv[++k];
    else if (a === '--scale') scale = argv[++k];
    else if (a === '--steady') steady = argv[++k];
    else if (a === '--baseline') baseline = argv[++k];
    else
      throw new Error(
        `unknown argument '${a}' (known: --json --profile --no-scenario --runs N --scale S --steady N --baseline FILE)`,
      );
  }
  const r = Math.round(positive('RUMP_BENCH_RUNS', runs, 3));
  return {
    runs: r,
    scale: positive('RUMP_BENCH_SCALE', scale, DEFAULT_SCALE),
    jsonStdout,
    jsonPath: env.RUMP_BENCH_JSON || undefined,
    native: env.RUMP_BENCH_NATIVE || undefined,
    profile,
    sampleEvery:
      env.RUMP_BENCH_SAMPLE === '0'
        ? 0
        : Math.round(positive('RUMP_BENCH_SAMPLE', env.RUMP_BENCH_SAMPLE, 20_000)),
    noScenario,
    baseline,
    steady: steady === '0' ? 0 : Math.round(positive('RUMP_BENCH_STEADY', steady, 0)),
  };
}
