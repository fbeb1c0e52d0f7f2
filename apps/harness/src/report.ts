/**
 * Reports: a readable summary for the terminal, JUnit XML for CI systems, and JSON (the report
 * objects as they are, bigints as strings). Conformance, scenario and corruption reports share
 * one case format for JUnit.
 */
import type { ConformanceReport } from './conformance/runner.js';
import { type CorruptionReport, OUTCOMES } from './corrupt.js';
import type { Status } from './outcome.js';
import type { ScenarioResult } from './scenario.js';

export type AnyReport = ConformanceReport | CorruptionReport | ScenarioResult;

const LABEL: Record<Status, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  unsupported: 'UNSUP',
  skipped: 'SKIP',
  panic: 'PANIC',
};

const ms = (n: number) => `${Math.round(n)} ms`;

export function formatConformance(
  r: ConformanceReport,
  options: { verbose?: boolean } = {},
): string {
  const lines = [`conformance suite on ${r.profile} (mount type ${r.fstype})`];
  for (const t of r.results) {
    lines.push(`  ${LABEL[t.status].padEnd(6)} ${t.id.padEnd(30)} ${ms(t.durationMs).padStart(9)}`);
    if (t.status !== 'pass' && t.message) lines.push(`         ${t.message}`);
    if (t.death && t.status === 'panic')
      for (const f of t.death.backtrace.slice(0, 8)) lines.push(`           ${f}`);
    if (options.verbose && t.notes) for (const n of t.notes) lines.push(`         note: ${n}`);
  }
  const tot = r.totals;
  lines.push(
    `${r.results.length} tests: ${tot.pass} passed, ${tot.fail} failed, ${tot.panic} panicked, ` +
      `${tot.unsupported} unsupported, ${tot.skipped} skipped in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatScenario(r: ScenarioResult): string {
  const lines = [`scenario ${r.name} on ${r.profile}`];
  for (const s of r.steps) {
    const res = s.errno ? ` = ${s.errno}` : s.result ? ` = ${s.result}` : '';
    lines.push(`  ${LABEL[s.status].padEnd(6)} ${s.title}${res}`);
    if (s.message && s.status !== 'pass') lines.push(`         ${s.message}`);
  }
  if (r.death) for (const f of r.death.backtrace.slice(0, 8)) lines.push(`           ${f}`);
  for (const p of r.printed)
    lines.push(`  printed: ${p.trimEnd().split('\n').join('\n           ')}`);
  lines.push(
    `${LABEL[r.status]} in ${(r.durationMs / 1000).toFixed(1)} s${r.message ? `: ${r.message}` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatCorruption(r: CorruptionReport): string {
  const lines = [`corruption runs on ${r.profile} (image sha256 ${r.imageSha256.slice(0, 16)}…)`];
  for (const x of r.runs) {
    const detail = x.death
      ? x.death.reason
      : x.outcome === 'stuck'
        ? (x.message ?? '')
        : x.errno
          ? `${x.errno} from ${x.call}`
          : '';
    lines.push(
      `  seed ${String(x.seed).padStart(4)} ${x.outcome.padEnd(13)} ${x.what} (${x.how})${detail ? `: ${detail}` : ''}`,
    );
    if (x.death) for (const f of x.death.backtrace.slice(0, 6)) lines.push(`             ${f}`);
    if (x.outcome === 'host-error' && x.message)
      lines.push(`             ${x.message.split('\n').join('\n             ')}`);
  }
  lines.push(
    `${r.runs.length} runs: ${OUTCOMES.map((o) => `${o} ${r.counts[o]}`).join(', ')}; ` +
      `original image ${r.originalUntouched ? 'untouched' : 'CHANGED'}; ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatReport(r: AnyReport, options: { verbose?: boolean } = {}): string {
  if ('suite' in r)
    return r.suite === 'conformance' ? formatConformance(r, options) : formatCorruption(r);
  return formatScenario(r);
}

interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly seconds: number;
  readonly kind: 'pass' | 'failure' | 'error' | 'skipped';
  readonly message?: string;
  readonly body?: string;
}

function casesOf(r: AnyReport): { name: string; cases: JunitCase[] } {
  if ('suite' in r && r.suite === 'conformance')
    return {
      name: `conformance.${r.profile}`,
      cases: r.results.map((t) => ({
        classname: `conformance.${r.profile}.${t.category}`,
        name: t.id,
        seconds: t.durationMs / 1000,
        kind:
          t.status === 'pass'
            ? 'pass'
            : t.status === 'fail'
              ? 'failure'
              : t.status === 'panic'
                ? 'error'
                : 'skipped',
        ...(t.message
          ? { message: `${t.status === 'unsupported' ? 'unsupported: ' : ''}${t.message}` }
          : {}),
        ...(t.death ? { body: [t.death.reason, ...t.death.backtrace].join('\n') } : {}),
      })),
    };
  if ('suite' in r)
    return {
      name: `corruption.${r.profile}`,
      cases: r.runs.map((x) => ({
        classname: `corruption.${r.profile}.${x.kind}`,
        name: `seed ${x.seed}: ${x.what} (${x.how})`,
        seconds: x.durationMs / 1000,
        // A kernel death or a host error on a corrupted image is a bug; errnos are fine.
        kind:
          x.outcome === 'host-error'
            ? 'failure'
            : x.death || x.outcome === 'stuck'
              ? 'error'
              : 'pass',
        ...(x.death || x.message ? { message: x.death?.reason ?? x.message ?? '' } : {}),
        ...(x.death ? { body: x.death.backtrace.join('\n') } : {}),
      })),
    };
  return {
    name: `scenario.${r.profile}`,
    cases: [
      {
        classname: `scenario.${r.profile}`,
        name: r.name,
        seconds: r.durationMs / 1000,
        kind: r.status === 'pass' ? 'pass' : r.status === 'panic' ? 'error' : 'failure',
        ...(r.message ? { message: r.message } : {}),
        body: r.steps
          .map((s) => `${s.status} ${s.title}${s.errno ? ` = ${s.errno}` : ''}`)
          .join('\n'),
      },
    ],
  };
}

const xml = (s: string) =>
  s
    .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');

/** JUnit XML: one <testsuite> per report. */
export function toJunit(reports: readonly AnyReport[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="rump-harness">'];
  for (const r of reports) {
    const { name, cases } = casesOf(r);
    const count = (k: JunitCase['kind']) => cases.filter((c) => c.kind === k).length;
    const time = cases.reduce((s, c) => s + c.seconds, 0);
    out.push(
      `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}">`,
    );
    for (const c of cases) {
      const open = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}"`;
      if (c.kind === 'pass') {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      const tag = c.kind;
      const msg = xml(c.message ?? '');
      out.push(
        c.body
          ? `      <${tag} message="${msg}">${xml(c.body)}</${tag}>`
          : `      <${tag} message="${msg}"/>`,
      );
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** JSON of any reports; bigints become strings. */
export function toJson(reports: readonly AnyReport[]): string {
  return `${JSON.stringify({ tool: 'rump-harness', reports }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

/** Exit code: 0 when nothing failed or panicked (unsupported and skipped are fine). */
export function exitCode(reports: readonly AnyReport[]): number {
  for (const r of reports) {
    if ('suite' in r && r.suite === 'conformance' && (r.totals.fail || r.totals.panic)) return 1;
    if (
      'suite' in r &&
      r.suite === 'corruption' &&
      (!r.originalUntouched || r.counts['host-error'])
    )
      return 1;
    if (!('suite' in r) && r.status !== 'pass') return 1;
  }
  return 0;
}
