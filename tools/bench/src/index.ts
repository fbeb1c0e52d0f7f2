/**
 * `pnpm bench` for the file-system path (issue 11): the native rump kernel's measurements run
 * through @rump/syscalls on this emulator, RUMP_BENCH_RUNS times, with min/median/max, machine
 * facts, the ratio to a native command measured in the same run (RUMP_BENCH_NATIVE) and to the
 * issue's reference figures. `--profile` instead runs once, instrumented, and says where time goes.
 * See README.md for the variables and the output formats.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { higherIsBetter, readBaseline } from './baseline.js';
import { FIGURES, type FigureKey, figure, type Unit } from './figures.js';
import { benchDir, haveMakefs, pristineImage } from './images.js';
import { JsProfiler } from './jsprofile.js';
import { machineFacts } from './machine.js';
import { type NativeFigures, runNative } from './native.js';
import { type Options, parseOptions } from './options.js';
import { Profiler } from './profile.js';
import { type FigureResult, figuresTable, header, profileText } from './report.js';
import { type RunResult, runOnce } from './run.js';
import { bundleScenario, nodeStartupMs, runScenario, scenarioEnv } from './scenario.js';
import { speedRatio, summarize } from './stats.js';
import { chooseTarget, REPO } from './target.js';
import { workload } from './workload.js';

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const say = (s: string) => (opts.jsonStdout ? process.stderr : process.stdout).write(`${s}\n`);
  const progress = (s: string) => process.stderr.write(`${s}\n`);
  const makefs = haveMakefs();
  const target = chooseTarget(makefs);
  const w = workload(target.fs, opts.scale);
  const machine = machineFacts(REPO, makefs);
  say(header(machine, target, w, opts.profile ? 1 : opts.runs));
  const t0 = performance.now();
  const pristine = pristineImage(w);
  progress(`image ${pristine} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const scratch = join(benchDir(), 'run.img');

  if (opts.profile) {
    await profileMode(opts, target, w, pristine, scratch, say, { machine, target, workload: w });
    return;
  }

  const script = opts.noScenario ? undefined : await bundleScenario();
  const envRemoved = script ? scenarioEnv().removed : [];
  for (const k of envRemoved)
    say(
      `note: ${k} is set here: removed from the environment of the scenario child and of node -e 0 (it alone slows every Node start-up)`,
    );
  const ours: RunResult[] = [];
  const native: NativeFigures[] = [];
  const inProcess: number[] = [];
  const uncached: number[] = [];
  const nodeStartup: number[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    const t = performance.now();
    const r = runOnce(target, w, pristine, scratch, undefined, opts.steady);
    if (script) {
      nodeStartup.push(nodeStartupMs());
      // The figure runs as the `rump` command does from its second run on: from a V8 code
      // cache (apps/cli's launcher keeps one per user). The first run, compiling everything, is
      // an extra. RUMP_BENCH_CODE_CACHE=0 makes the figure that first run instead.
      const first = runScenario(script, target, pristine);
      const s =
        process.env.RUMP_BENCH_CODE_CACHE !== '0'
          ? runScenario(script, target, pristine, { codeCache: true })
          : first;
      r.scenario = s.wallMs;
      r['scenario-rss'] = s.peakRssMB;
      inProcess.push(s.inProcessMs);
      if (s !== first) uncached.push(first.wallMs);
    }
    ours.push(r);
    if (opts.native) native.push(runNative(opts.native, w, pristine));
    progress(`run ${run}/${opts.runs}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }

  const results: FigureResult[] = [];
  const add = (key: FigureKey) => {
    const values = ours.map((r) => r[key]).filter((v): v is number => v !== undefined);
    if (values.length === 0) return;
    const def = figure(key);
    const s = summarize(values);
    const nat = native.map((n) => n[key]).filter((v): v is number => v !== undefined);
    const ns = nat.length > 0 ? summarize(nat) : undefined;
    results.push({
      key,
      label: def.label,
      unit: def.unit,
      ours: s,
      values,
      ...(ns ? { native: ns, vsNative: speedRatio(s.median, ns.median, def.higherIsBetter) } : {}),
      ...(def.reference !== undefined
        ? {
            reference: def.reference,
            vsReference: speedRatio(s.median, def.reference, def.higherIsBetter),
          }
        : {}),
    });
  };
  for (const f of FIGURES) add(f.key);
  const extra = (key: FigureResult['key'], label: string, unit: Unit, values: number[]) => {
    if (values.length > 0) results.push({ key, label, unit, ours: summarize(values), values });
  };
  const column = (key: 'boot-init' | 'read-steady' | 'stat-steady') =>
    ours.map((r) => r[key]).filter((v): v is number => v !== undefined);
  extra('boot-init', '(extra) rump_init alone, no modules', 'ms', column('boot-init'));
  extra('scenario-in-process', '(extra) scenario inside the process', 'ms', inProcess);
  extra(
    'scenario-first-run',
    '(extra) scenario as a process, first run (no code cache)',
    'ms',
    uncached,
  );
  extra('node-startup', '(extra) node -e 0 start-up', 'ms', nodeStartup);
  extra(
    'read-steady',
    `(extra) read, warm, after ${opts.steady} more passes`,
    'MiB/s',
    column('read-steady'),
  );
  extra(
    'stat-steady',
    `(extra) stat, warm, after ${opts.steady} more passes`,
    'ops/s',
    column('stat-steady'),
  );
  const base = opts.baseline ? readBaseline(opts.baseline, w) : undefined;
  const compared = base
    ? results.map((r) => {
        const b = base.medians.get(r.key);
        if (b === undefined) return r;
        return {
          ...r,
          baseline: b,
          vsBaseline: speedRatio(r.ours.median, b, higherIsBetter(r.unit)),
        };
      })
    : results;
  say('');
  if (base)
    say(
      `baseline: ${base.path} (${base.date ?? 'undated'}${base.commit ? ` at ${base.commit}` : ''})` +
        (base.mismatch ? ` — not like for like: ${base.mismatch}` : ''),
    );
  say(figuresTable(compared, native.length > 0, base !== undefined));

  const json = {
    machine,
    target,
    workload: w,
    runs: opts.runs,
    ...(script ? { scenarioEnvRemoved: envRemoved } : {}),
    figures: compared,
    native,
  };
  emitJson(opts, json);
}

async function profileMode(
  opts: Options,
  target: ReturnType<typeof chooseTarget>,
  w: ReturnType<typeof workload>,
  pristine: string,
  scratch: string,
  say: (s: string) => void,
  facts: object,
): Promise<void> {
  const profiler = new Profiler(opts.sampleEvery);
  const js = new JsProfiler();
  let result: RunResult;
  js.start();
  try {
    result = runOnce(target, w, pristine, scratch, profiler);
  } finally {
    profiler.uninstall();
  }
  const report = profiler.report();
  const jsProfile = js.stop(
    25,
    report.phases.map((p) => ({ name: p.phase, fromMs: p.startMs, toMs: p.startMs + p.wallMs })),
  );
  say('note: profiled run — instrumentation slows it down; its figures are not benchmark figures');
  say(profileText(report, jsProfile));
  emitJson(opts, { ...facts, profile: report, js: jsProfile, profiledFigures: result });
}

function emitJson(opts: Options, json: object): void {
  const text = `${JSON.stringify(json, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
  if (opts.jsonStdout) process.stdout.write(text);
  if (opts.jsonPath) writeFileSync(opts.jsonPath, text);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
