/**
 * Exclusive time accounting by mode for the profiler: a stack of frames (guest code, kernel
 * TypeScript called from guest code, host I/O, and the kernel TypeScript entry outside them); each
 * switch charges the time since the previous switch to the frame on top — to its mode's total and
 * to the frame's own counter (so a hypercall's time excludes the guest code it calls back).
 */

export const MODE_ENTRY = 0;
export const MODE_GUEST = 1;
export const MODE_HYPERCALL = 2;
export const MODE_HOST_IO = 3;
export const MODE_NAMES = [
  'kernel TypeScript (syscall entry, VFS, outside guest)',
  'emulated guest code',
  'kernel TypeScript called from guest (hypercalls)',
  'host I/O (Host interface)',
] as const;

/** A counter a frame charges its exclusive time to. */
export interface Tally {
  count: number;
  ms: number;
}

export class ModeClock {
  /** Exclusive ms per mode since the last reset. */
  readonly totals = new Float64Array(MODE_NAMES.length);
  private readonly modes: number[] = [MODE_ENTRY];
  private readonly tallies: (Tally | null)[] = [null];
  private last = performance.now();

  private charge(): void {
    const now = performance.now();
    const d = now - this.last;
    this.last = now;
    const top = this.modes.length - 1;
    this.totals[this.modes[top]!]! += d;
    const t = this.tallies[top];
    if (t) t.ms += d;
  }

  push(mode: number, tally: Tally | null): void {
    this.charge();
    this.modes.push(mode);
    this.tallies.push(tally);
  }

  pop(): void {
    this.charge();
    if (this.modes.length > 1) {
      this.modes.pop();
      this.tallies.pop();
    }
  }

  /** Charges time up to now and returns a copy of the totals. */
  snapshot(): Float64Array {
    this.charge();
    return this.totals.slice();
  }

  /** Starts a fresh interval: the time since the last switch is dropped. */
  restart(): void {
    this.last = performance.now();
  }
}
