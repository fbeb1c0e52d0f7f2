/**
 * A previous result (the JSON this benchmark writes) to compare against: each figure's median
 * then, and our speed relative to it now, so each optimization step shows what it bought.
 */
import { readFileSync } from 'node:fs';
import type { Unit } from './figures.js';
import type { Workload } from './workload.js';

export interface Baseline {
  readonly path: string;
  readonly date: string | undefined;
  readonly commit: string | undefined;
  readonly medians: ReadonlyMap<string, number>;
  /** Why the comparison is not like for like, if it is not. */
  readonly mismatch: string | undefined;
}

interface ResultJson {
  machine?: { date?: string; commit?: string };
  workload?: { fs?: string; scale?: number; readBytes?: number };
  figures?: { key: string; ours?: { median?: number } }[];
}

export function readBaseline(path: string, now: Workload): Baseline {
  let j: ResultJson;
  try {
    j = JSON.parse(readFileSync(path, 'utf8')) as ResultJson;
  } catch (e) {
    throw new Error(`RUMP_BENCH_BASELINE=${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(j.figures))
    throw new Error(`RUMP_BENCH_BASELINE=${path}: no "figures" (not a benchmark result)`);
  const medians = new Map<string, number>();
  for (const f of j.figures)
    if (typeof f.ours?.median === 'number') medians.set(f.key, f.ours.median);
  const w = j.workload;
  const mismatch =
    w && (w.fs !== now.fs || w.scale !== now.scale)
      ? `baseline ran ${w.fs} at scale ${w.scale}, this run ${now.fs} at scale ${now.scale}`
      : undefined;
  return { path, date: j.machine?.date, commit: j.machine?.commit, medians, mismatch };
}

/** Times and memory are better lower, rates higher. */
export const higherIsBetter = (unit: Unit) =>
  unit === 'MiB/s' || unit === 'ops/s' || unit === 'entries/s';
