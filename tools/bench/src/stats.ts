/** min / median / max of repeated measurements, and the figure kinds (times vs rates). */

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]!, runs: s.length };
}

/**
 * Speed relative to another figure, > 1 meaning faster than it: for rates ours/theirs, for times
 * theirs/ours. So 0.05 reads "5 % of native speed" for every figure alike.
 */
export function speedRatio(ours: number, theirs: number, higherIsBetter: boolean): number {
  if (!(ours > 0) || !(theirs > 0)) return Number.NaN;
  return higherIsBetter ? ours / theirs : theirs / ours;
}

/** Three significant digits, no exponent for ordinary magnitudes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** A ratio as `0.0123× (81× slower)` or `2.1× (faster)`; for memory, `(11× more)` / `(less)`. */
export function fmtRatio(r: number, memory = false): string {
  if (!Number.isFinite(r)) return '-';
  if (r >= 1) return `${fmt(r)}× (${memory ? 'less' : 'faster'})`;
  return `${r.toPrecision(3)}× (${fmt(1 / r)}× ${memory ? 'more' : 'slower'})`;
}
