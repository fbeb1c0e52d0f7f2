/**
 * The kernel's address space inside the CPU's kernel window, and the pages behind it
 * (NetBSD's kernel_map + uvm_km). One arena hands out page runs for everything the kernel
 * places at run time: module sections, kmem slabs, pool pages, lwp stacks. It counts the bytes
 * in use against RUMP_MEMLIMIT, as a rump kernel counts its physical pages, and grows the
 * GuestMemory window on demand (the window is one ArrayBuffer, so growth doubles it).
 *
 * Offsets here are window offsets (address − KERNEL_WINDOW_BASE): plain numbers, no BigInt.
 */
import { type GuestMemory, KERNEL_WINDOW_BASE } from '@rump/cpu-x86';

export const PAGE_SIZE = 4096;

export const pageRound = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** Guest address of a window offset. */
export const kva = (offset: number): bigint => KERNEL_WINDOW_BASE + BigInt(offset);

/** Window offset of a guest address, or -1 outside the window. */
export function windowOffset(address: bigint): number {
  const d = address - KERNEL_WINDOW_BASE;
  return d >= 0n && d < 0x8000_0000n ? Number(d) : -1;
}

export interface ArenaStats {
  /** Bytes of pages handed out and not freed. */
  readonly inUse: number;
  readonly peak: number;
  readonly limit: number;
  /** End of the highest run ever handed out (window offset). */
  readonly top: number;
}

export class KernelArena {
  /** Free runs below `top`, sorted by start: [start, length] in bytes, page-aligned. */
  private readonly free: [number, number][] = [];
  private top: number;
  private inUse = 0;
  private peak = 0;
  /** Owner tags of live runs, for diagnostics (`module ffs .text`, `kmem 64`, `stack lwp0`). */
  private readonly tags = new Map<number, { size: number; tag: string }>();

  constructor(
    private readonly mem: GuestMemory,
    /** First window offset the arena may use. */
    readonly base: number,
    /** One past the last window offset the arena may use. */
    readonly end: number,
    /** Bytes that may be in use at once (RUMP_MEMLIMIT). */
    readonly limit: number,
  ) {
    this.top = base;
  }

  stats(): ArenaStats {
    return { inUse: this.inUse, peak: this.peak, limit: this.limit, top: this.top };
  }

  /**
   * Allocates `size` bytes (rounded up to pages) at an `align`-aligned offset (a power of two;
   * at least a page). Returns the window offset, or -1 when the memory limit or the address
   * space would be exceeded: callers decide whether that is a NULL return or a panic.
   */
  allocate(size: number, align: number, tag: string): number {
    const len = pageRound(Math.max(size, 1));
    const al = Math.max(align, PAGE_SIZE);
    if (this.inUse + len > this.limit) return -1;
    let at = -1;
    for (let i = 0; i < this.free.length; i++) {
      const [s, l] = this.free[i]!;
      const a = Math.ceil(s / al) * al;
      if (a + len > s + l) continue;
      at = a;
      this.free.splice(i, 1);
      if (a > s) this.insertFree(s, a - s);
      if (a + len < s + l) this.insertFree(a + len, s + l - (a + len));
      break;
    }
    if (at < 0) {
      const a = Math.ceil(this.top / al) * al;
      if (a + len > this.end) return -1;
      if (a > this.top) this.insertFree(this.top, a - this.top);
      at = a;
      this.top = a + len;
      this.ensureBacked(this.top);
    }
    this.inUse += len;
    if (this.inUse > this.peak) this.peak = this.inUse;
    this.tags.set(at, { size: len, tag });
    return at;
  }

  /**
   * Asks that the next growth of the window back `bytes` beyond the top at once (up to the
   * arena's end), so that a cache about to fill that much (the page cache) grows the window once
   * instead of doubling it step by step, each step copying the whole window. Nothing happens
   * while the window has room: growing costs a copy of everything backed so far, whatever the
   * new size (its untouched pages stay unallocated zero pages).
   */
  reserve(bytes: number): void {
    this.ahead = Math.max(this.ahead, pageRound(Math.max(bytes, 0)));
  }
  /** Bytes past the top the next growth backs (reserve); 0 once used. */
  private ahead = 0;

  /** Returns a run made by `allocate`. Anything else is a kernel bug and throws. */
  release(offset: number): number {
    const t = this.tags.get(offset);
    if (!t) throw new Error(`uvm_km_free: 0x${kva(offset).toString(16)} is not an allocated run`);
    this.tags.delete(offset);
    this.inUse -= t.size;
    this.insertFree(offset, t.size);
    return t.size;
  }

  /** Size of the run starting at `offset`, or undefined. */
  runSize(offset: number): number | undefined {
    return this.tags.get(offset)?.size;
  }

  /** Live runs grouped by tag: what holds the memory (for the memory report). */
  usage(): Map<string, number> {
    const m = new Map<string, number>();
    for (const { size, tag } of this.tags.values()) m.set(tag, (m.get(tag) ?? 0) + size);
    return m;
  }

  private insertFree(start: number, len: number): void {
    // Keep sorted and coalesced: binary search for the first run starting at or after `start`.
    const free = this.free;
    let lo = 0;
    let hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (free[mid]![0] < start) lo = mid + 1;
      else hi = mid;
    }
    free.splice(lo, 0, [start, len]);
    this.mergeAt(lo);
    if (lo > 0) this.mergeAt(lo - 1);
    // Give back the space at the top so `top` reflects the live high-water mark.
    const last = free[free.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      free.pop();
    }
  }

  /** Joins free run j with run j + 1 when they touch. */
  private mergeAt(j: number): void {
    const a = this.free[j];
    const b = this.free[j + 1];
    if (a && b && a[0] + a[1] === b[0]) {
      a[1] += b[1];
      this.free.splice(j + 1, 1);
    }
  }

  /** Grows the window so that offsets below `end` are backed (doubling, bounded by the max). */
  private ensureBacked(end: number): void {
    if (end <= this.mem.windowSize) return;
    const want = Math.max(end, Math.min(this.top + this.ahead, this.end));
    this.ahead = 0;
    let size = Math.max(this.mem.windowSize, PAGE_SIZE);
    while (size < want) size *= 2;
    size = Math.min(size, this.mem.maxWindowSize);
    this.mem.growWindow(pageRound(size));
  }
}
