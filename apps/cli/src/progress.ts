/**
 * Progress bars for long copies (get, put), one line on stderr redrawn in place:
 *
 *   put /big.bin  42% [########..........]  1.7 MiB/4.0 MiB  3.1 MiB/s
 *
 * Only on a terminal, and not with --json, --trace or -v (their lines share stderr). Redraws are
 * throttled to one per `interval` (100 ms: at most 10 a second), so a copy that ends sooner
 * draws nothing at all; the line is erased when the copy ends, so that nothing is left of it.
 */

/** Milliseconds from an arbitrary origin. Tests install a clock that advances as they wish. */
export type Clock = () => number;

let clock: Clock = () => performance.now();

/** Installs the clock progress bars read (tests); undefined restores performance.now. */
export function setProgressClock(c: Clock | undefined): void {
  clock = c ?? (() => performance.now());
}

export interface ProgressOptions {
  /** Writes to the terminal (stderr). */
  readonly write: (text: string) => void;
  /** Least time between two redraws, in ms. Default 100. */
  readonly interval?: number;
  /** Terminal width: the line is cut to width - 1 columns. Default 80. */
  readonly columns?: number;
}

/** Erase the current line: carriage return, then ANSI EL (erase to end of line). */
export const CLEAR_LINE = '\r\x1b[K';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `512 B`, `1.5 KiB`, `3.0 GiB`. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

export class Progress {
  private readonly interval: number;
  private readonly columns: number;
  private label = '';
  private total = 0;
  private done = 0;
  private started = 0;
  private lastDraw = 0;
  private drawn = false;
  /** Redraws so far (for tests and the curious). */
  draws = 0;

  constructor(private readonly options: ProgressOptions) {
    this.interval = options.interval ?? 100;
    this.columns = options.columns ?? 80;
  }

  /** Starts the bar of one file: `label` (e.g. `get /etc/motd`), `total` bytes. */
  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.started = clock();
    this.lastDraw = this.started;
  }

  /** `bytes` more were copied; redraws when the last redraw is `interval` old. */
  add(bytes: number): void {
    this.done += bytes;
    const now = clock();
    if (now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** The file is done: erases the line if one was drawn. */
  finish(): void {
    this.clear();
  }

  /** Erases the bar (before other text goes to stderr, and at the end). */
  clear(): void {
    if (!this.drawn) return;
    this.options.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** The text of the bar at time `now`. */
  line(now: number): string {
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? `${formatBytes(Math.round(this.done / secs))}/s` : '';
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const width = 20;
    const filled = Math.round(frac * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const amounts = `${formatBytes(this.done)}/${formatBytes(this.total)}`;
    // On a narrow terminal the bar goes first, then the label is cut from the left.
    let tail = ` ${pct} ${bar} ${amounts}  ${rate}`;
    if (this.label.length + tail.length > this.columns - 1) tail = ` ${pct} ${amounts}  ${rate}`;
    const room = Math.max(8, this.columns - 1 - tail.length);
    const label =
      this.label.length <= room ? this.label : `…${this.label.slice(this.label.length - room + 1)}`;
    return `${label}${tail}`.slice(0, this.columns - 1);
  }

  private draw(now: number): void {
    this.options.write(`${CLEAR_LINE}${this.line(now)}`);
    this.drawn = true;
    this.draws++;
  }
}

/** What decides whether a command shows progress. */
export interface ProgressContext {
  readonly io: { readonly isTTY?: boolean; err(text: string): void };
  readonly global: { readonly json: boolean; readonly trace: boolean; readonly verbose: number };
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A Progress for the command, or undefined when it must not draw: not a terminal, --json,
 * --trace, -v, or TERM=dumb (a terminal that cannot erase a line).
 */
export function progressFor(ctx: ProgressContext): Progress | undefined {
  if (ctx.io.isTTY !== true) return undefined;
  if (ctx.global.json || ctx.global.trace || ctx.global.verbose > 0) return undefined;
  if (ctx.env?.TERM === 'dumb') return undefined;
  const columns = Number(ctx.env?.COLUMNS);
  return new Progress({
    write: (t) => ctx.io.err(t),
    ...(Number.isInteger(columns) && columns >= 20 ? { columns } : {}),
  });
}
