/** Text tables of the benchmark figures and of the profile. */
import { FIGURES, type FigureKey, type Unit } from './figures.js';
import type { JsProfile } from './jsprofile.js';
import type { MachineFacts } from './machine.js';
import type { ProfileReport } from './profile.js';
import { fmt, fmtRatio, type Summary } from './stats.js';
import type { Target } from './target.js';
import type { Workload } from './workload.js';

export interface FigureResult {
  readonly key:
    | FigureKey
    | 'boot-init'
    | 'scenario-in-process'
    | 'scenario-first-run'
    | 'node-startup'
    | 'read-steady'
    | 'stat-steady';
  readonly label: string;
  readonly unit: Unit;
  readonly ours: Summary;
  readonly values: number[];
  /** Native median measured in the same run (RUMP_BENCH_NATIVE), and our speed relative to it. */
  readonly native?: Summary;
  readonly vsNative?: number;
  /** The issue's native reference and our speed relative to it. */
  readonly reference?: number;
  readonly vsReference?: number;
  /** The median of a previous result (RUMP_BENCH_BASELINE), and our speed relative to it. */
  readonly baseline?: number;
  readonly vsBaseline?: number;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    )
    .join('\n');
}

const MiB = 2 ** 20;
const size = (b: number) => (b >= MiB ? `${fmt(b / MiB)} MiB` : `${fmt(b / 1024)} KiB`);

export function header(m: MachineFacts, t: Target, w: Workload, runs: number): string {
  return [
    `rump file-system benchmark — ${m.date}${m.commit ? ` at ${m.commit}` : ''}`,
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryMiB} MiB, ${m.platform}, node ${m.node}, load ${m.loadAverage.toFixed(2)}`,
    `target: ${t.fs} — ${t.reason}`,
    `workload (scale ${w.scale}): read ${size(w.readBytes)} file, write ${size(w.writeBytes)}, ` +
      `stat/read/readdir ${w.smallFiles} files of 1 KiB, create/unlink ${w.createFiles}, 64 KiB I/O, ${size(w.getdentsSize)} getdents; ${runs} run(s)`,
    ...w.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

export function figuresTable(
  results: readonly FigureResult[],
  haveNative: boolean,
  haveBaseline = false,
): string {
  const head = ['figure', 'unit', 'min', 'median', 'max'];
  if (haveBaseline) head.push('baseline', 'vs baseline');
  if (haveNative) head.push('native', 'vs native');
  head.push('issue ref', 'vs issue ref');
  const rows = [head];
  for (const r of results) {
    const row = [r.label, r.unit, fmt(r.ours.min), fmt(r.ours.median), fmt(r.ours.max)];
    if (haveBaseline)
      row.push(
        r.baseline !== undefined ? fmt(r.baseline) : '-',
        r.vsBaseline !== undefined ? fmtRatio(r.vsBaseline, r.unit === 'MB') : '-',
      );
    if (haveNative)
      row.push(
        r.native ? fmt(r.native.median) : '-',
        r.vsNative !== undefined ? fmtRatio(r.vsNative, r.unit === 'MB') : '-',
      );
    row.push(
      r.reference !== undefined ? fmt(r.reference) : '-',
      r.vsReference !== undefined ? fmtRatio(r.vsReference, r.unit === 'MB') : '-',
    );
    rows.push(row);
  }
  return `${table(rows)}\n(vs = our speed / native speed, same for times and rates: 0.01× is 100× slower)`;
}

export const figureOrder = FIGURES.map((f) => f.key);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function profileText(p: ProfileReport, js: JsProfile | undefined): string {
  const out: string[] = [];
  out.push(
    '',
    '== per phase (exclusive time by mode; guest instructions from Cpu.instructionsRetired) ==',
  );
  const rows = [
    [
      'phase',
      'ops',
      'wall ms',
      'insns/op',
      'guest',
      'TS hyper',
      'TS entry',
      'host I/O',
      'guest MIPS',
      'hypercalls/op',
      'µs/hypercall',
      'host calls/op',
    ],
  ];
  for (const ph of p.phases) {
    const sum = ph.modeMs.reduce((a, b) => a + b, 0) || 1;
    rows.push([
      ph.phase,
      `${ph.ops} ${ph.unit}`,
      fmt(ph.wallMs),
      fmt(ph.instructionsPerOp),
      pct(ph.modeMs[1]! / sum),
      pct(ph.modeMs[2]! / sum),
      pct(ph.modeMs[0]! / sum),
      pct(ph.modeMs[3]! / sum),
      ph.modeMs[1]! > 0 ? fmt(ph.instructions / (ph.modeMs[1]! * 1000)) : '-',
      fmt(ph.hypercalls / ph.ops),
      ph.hypercalls > 0 ? fmt((1000 * ph.modeMs[2]!) / ph.hypercalls) : '-',
      fmt(ph.hostCalls / ph.ops),
    ]);
  }
  out.push(
    'guest = emulated code inside Cpu.call; TS hyper = kernel TypeScript called from guest code; ' +
      'TS entry = rump_sys_* and VFS TypeScript outside guest code; host I/O = Host interface calls.',
    'µs/hypercall = TS hyper time / hypercalls (exclusive: the guest code a hypercall calls back is not in it).',
    table(rows),
  );
  out.push(
    '',
    '== per phase: top hypercalls (count, exclusive ms), host calls, hottest guest functions and JavaScript functions (sample shares) ==',
  );
  for (const ph of p.phases) {
    out.push(`${ph.phase}:`);
    out.push(
      `  hypercalls: ${ph.topHypercalls.map((c) => `${c.name} ${c.count} (${fmt(c.ms)} ms)`).join(', ') || '-'}`,
    );
    out.push(
      `  host: ${ph.topHostCalls.map((c) => `${c.name} ${c.count} (${fmt(c.ms)} ms)`).join(', ') || '-'}`,
    );
    out.push(
      `  guest: ${ph.topGuestFunctions.map((g) => `${g.name} ${pct(g.share)}`).join(', ') || '-'}`,
    );
    const jsTop = js?.windows[ph.phase];
    if (jsTop && jsTop.length > 0)
      out.push(`  JavaScript: ${jsTop.map((f) => `${f.name} ${pct(f.share)}`).join(', ')}`);
  }
  out.push('', `== hottest guest functions (a sample every ${p.sampleEvery} instructions) ==`);
  out.push(
    table([
      ['function', 'samples', 'share', '~instructions'],
      ...p.hotGuestFunctions.map((g) => [
        g.name,
        String(g.samples),
        pct(g.share),
        fmt(g.instructions),
      ]),
    ]),
  );
  out.push('', '== most frequent hypercalls (kernel functions called from guest code) ==');
  out.push(
    table([
      ['hypercall', 'calls', 'exclusive ms', 'µs/call'],
      ...p.hypercallsByCount.map((c) => [
        c.name,
        String(c.count),
        fmt(c.ms),
        fmt((1000 * c.ms) / c.count),
      ]),
    ]),
  );
  out.push('', '== hypercalls by exclusive time ==');
  out.push(
    table([
      ['hypercall', 'calls', 'exclusive ms', 'µs/call'],
      ...p.hypercallsByTime
        .slice(0, 15)
        .map((c) => [c.name, String(c.count), fmt(c.ms), fmt((1000 * c.ms) / c.count)]),
    ]),
  );
  out.push('', '== guest functions making the most hypercalls ==');
  out.push(
    table([['caller', 'hypercalls'], ...p.hypercallCallers.map((c) => [c.name, String(c.count)])]),
  );
  out.push('', '== host interface calls (by time) ==');
  out.push(
    table([
      ['call', 'count', 'ms', 'bytes'],
      ...p.hostCalls.map((c) => [
        c.name,
        String(c.count),
        fmt(c.ms),
        c.bytes ? size(c.bytes) : '-',
      ]),
    ]),
  );
  if (js) {
    out.push(
      '',
      `== JavaScript self time (V8 sampling profiler, ${js.intervalUs} µs, ${fmt(js.totalMs)} ms) ==`,
    );
    out.push(
      table([
        ['source file', 'ms', 'share'],
        ...js.files.map((f) => [f.name, fmt(f.ms), pct(f.share)]),
      ]),
    );
    out.push('');
    out.push(
      table([
        ['function', 'ms', 'share'],
        ...js.functions.map((f) => [f.name, fmt(f.ms), pct(f.share)]),
      ]),
    );
  }
  return out.join('\n');
}
