/**
 * The figures of issue 11, in the order the issue lists them, with NetBSD's native rump kernel
 * reference values (FFSv2 image of 128 MiB on the host disk, 64 KiB I/O, median of 3 runs, a
 * 2-core machine). Keys double as the names of the native line format (see native.ts). readdir is
 * among the goals but has no reference value there: only a same-run native ratio.
 */

export type Unit = 'ms' | 'MiB/s' | 'ops/s' | 'entries/s' | 'MB';

export interface FigureDef {
  readonly key: FigureKey;
  readonly label: string;
  readonly unit: Unit;
  /** Rates: higher is better. Times and memory: lower is better. */
  readonly higherIsBetter: boolean;
  /** The native reference (full sizes), where the issue gives one. */
  readonly reference?: number;
}

export const FIGURE_KEYS = [
  'boot',
  'mount',
  'read-cold',
  'read-warm',
  'write-fsync',
  'stat-cold',
  'stat-warm',
  'readdir-cold',
  'readdir-warm',
  'read-small',
  'create',
  'unlink',
  'unmount',
  'scenario',
  'scenario-rss',
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

export const FIGURES: readonly FigureDef[] = [
  {
    key: 'boot',
    label: 'boot (rump_init + file-system modules)',
    unit: 'ms',
    higherIsBetter: false,
    reference: 3.9,
  },
  {
    key: 'mount',
    label: 'etfs register + mkdir + mount',
    unit: 'ms',
    higherIsBetter: false,
    reference: 0.8,
  },
  {
    key: 'read-cold',
    label: 'sequential read, cold',
    unit: 'MiB/s',
    higherIsBetter: true,
    reference: 495,
  },
  {
    key: 'read-warm',
    label: 'sequential read, warm',
    unit: 'MiB/s',
    higherIsBetter: true,
    reference: 6500,
  },
  {
    key: 'write-fsync',
    label: 'write + fsync',
    unit: 'MiB/s',
    higherIsBetter: true,
    reference: 564,
  },
  {
    key: 'stat-cold',
    label: 'stat, cold',
    unit: 'ops/s',
    higherIsBetter: true,
    reference: 156_000,
  },
  {
    key: 'stat-warm',
    label: 'stat, warm',
    unit: 'ops/s',
    higherIsBetter: true,
    reference: 186_000,
  },
  {
    key: 'readdir-cold',
    label: 'readdir (getdents), cold',
    unit: 'entries/s',
    higherIsBetter: true,
  },
  {
    key: 'readdir-warm',
    label: 'readdir (getdents), warm',
    unit: 'entries/s',
    higherIsBetter: true,
  },
  {
    key: 'read-small',
    label: 'read files of 1 KiB',
    unit: 'ops/s',
    higherIsBetter: true,
    reference: 18_000,
  },
  {
    key: 'create',
    label: 'create files of 1 KiB',
    unit: 'ops/s',
    higherIsBetter: true,
    reference: 4_000,
  },
  { key: 'unlink', label: 'unlink', unit: 'ops/s', higherIsBetter: true, reference: 4_900 },
  { key: 'unmount', label: 'unmount', unit: 'ms', higherIsBetter: false, reference: 3.3 },
  {
    key: 'scenario',
    label: 'classic scenario as a process',
    unit: 'ms',
    higherIsBetter: false,
    reference: 7.8,
  },
  {
    key: 'scenario-rss',
    label: 'classic scenario peak RSS',
    unit: 'MB',
    higherIsBetter: false,
    reference: 5.7,
  },
];

export function figure(key: FigureKey): FigureDef {
  return FIGURES.find((f) => f.key === key)!;
}

export function isFigureKey(s: string): s is FigureKey {
  return (FIGURE_KEYS as readonly string[]).includes(s);
}
