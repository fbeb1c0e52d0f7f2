/**
 * V8's sampling CPU profiler over the profiled run (node:inspector, in this thread), folded into
 * self time per JavaScript function and per source file: which TypeScript (and which compiled
 * guest blocks, shown as anonymous `eval` code) the time goes to.
 */
import { Session } from 'node:inspector';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface JsHotspot {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface JsProfile {
  readonly intervalUs: number;
  readonly totalMs: number;
  readonly functions: JsHotspot[];
  readonly files: JsHotspot[];
  /** The hottest functions within each window passed to stop() (phases), by window name. */
  readonly windows: Record<string, JsHotspot[]>;
}

/** A time window in performance.now() milliseconds. */
export interface JsWindow {
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Shortens a module URL to `packages/x/src/file.ts`. */
export function shortUrl(url: string): string {
  if (url === '') return '(native or generated)';
  const m = /(packages|apps|tools)\/.*$/.exec(url);
  if (m) return m[0];
  return url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '');
}

export class JsProfiler {
  private readonly session = new Session();

  constructor(readonly intervalUs = 200) {}

  start(): void {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.setSamplingInterval', { interval: this.intervalUs });
    this.post('Profiler.start');
  }

  stop(top = 25, windows: readonly JsWindow[] = [], perWindow = 6): JsProfile {
    const { profile } = this.post('Profiler.stop') as { profile: CpuProfile };
    this.session.disconnect();
    const totalMs = (profile.endTime - profile.startTime) / 1000;
    const hits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    const msPerHit = hits > 0 ? totalMs / hits : 0;
    const byFn = new Map<string, number>();
    const byFile = new Map<string, number>();
    for (const n of profile.nodes) {
      const h = n.hitCount ?? 0;
      if (h === 0) continue;
      const f = n.callFrame;
      const file = shortUrl(f.url);
      const name = `${f.functionName || '(anonymous)'} ${file}`;
      byFn.set(name, (byFn.get(name) ?? 0) + h);
      byFile.set(file, (byFile.get(file) ?? 0) + h);
    }
    const list = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, h]) => ({ name, ms: h * msPerHit, share: hits > 0 ? h / hits : 0 }));
    const nameOf = new Map(
      profile.nodes.map((n) => [
        n.id,
        `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}`,
      ]),
    );
    // Sample times are V8 TimeTicks (CLOCK_MONOTONIC µs, as process.hrtime); windows are in
    // performance.now() ms: the offset between the two clocks maps one onto the other.
    const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
    const inWindows: Record<string, JsHotspot[]> = {};
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (const w of windows) {
      const counts = new Map<string, number>();
      let n = 0;
      let t = profile.startTime;
      for (let i = 0; i < samples.length; i++) {
        t += deltas[i] ?? 0;
        const ms = (t - offsetUs) / 1000;
        if (ms < w.fromMs || ms > w.toMs) continue;
        const name = nameOf.get(samples[i]!) ?? '?';
        if (name.startsWith('(idle)') || name.startsWith('(program)')) continue;
        counts.set(name, (counts.get(name) ?? 0) + 1);
        n++;
      }
      inWindows[w.name] = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, perWindow)
        .map(([name, h]) => ({ name, ms: (h * this.intervalUs) / 1000, share: n > 0 ? h / n : 0 }));
    }
    return {
      intervalUs: this.intervalUs,
      totalMs,
      functions: list(byFn),
      files: list(byFile),
      windows: inWindows,
    };
  }

  /** Session.post answers synchronously on the main thread's own session. */
  private post(method: string, params?: object): unknown {
    let result: unknown;
    let error: Error | null = null;
    let done = false;
    this.session.post(method, params ?? {}, (err, res) => {
      error = err;
      result = res;
      done = true;
    });
    if (!done) throw new Error(`inspector ${method} did not answer synchronously`);
    if (error) throw error;
    return result;
  }
}
