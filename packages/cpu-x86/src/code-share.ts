/**
 * The process-wide cache of compiled regions. Every kernel boot (and every test) creates a new Cpu
 * over new memory holding the same module code at the same addresses; compiling the same hot
 * blocks again costs source generation, `new Function` and V8's whole tier-up each time. A region's
 * function depends only on the addresses and bytes of its blocks (jit.ts binds the decoded
 * instructions, which are a function of those, and takes the Cpu and its Block objects as
 * parameters), so it is cached under a key made of exactly those: a key mismatch never reuses.
 *
 * Invalidation stays per Cpu: each Cpu binds the function to its own Block objects, whose `valid`
 * flags its own code writes clear.
 */
import type { RegionBlock, RegionFn } from './jit.js';

/** One block of a shared region as it was compiled. */
export interface SharedBlock {
  readonly startLo: number;
  readonly startHi: number;
  readonly endLo: number;
  readonly endHi: number;
  readonly n: number;
  /** The code bytes [start, end) the block was decoded from. */
  readonly bytes: Uint8Array;
  /** The compiling Cpu made this block enter the region (it was not compiled elsewhere yet). */
  readonly entry: boolean;
}

export interface SharedRegion {
  readonly fn: RegionFn;
  readonly blocks: readonly SharedBlock[];
}

/** A block as the cache needs it: its bytes were captured when it was decoded. */
export interface KeyedBlock extends RegionBlock {
  readonly bytes: Uint8Array;
}

/** Beyond this many regions the cache starts over (a bound on memory, not expected in practice). */
const MAX_REGIONS = 50_000;

const byKey = new Map<string, SharedRegion>();
/** Regions by the start address (blockKey) of each of their entry blocks. */
const byStart = new Map<number, SharedRegion[]>();

const TWO32 = 4294967296;
const startKey = (lo: number, hi: number): number => hi * TWO32 + (lo >>> 0);

/** The exact identity of a region: every block's address, length, instruction count and bytes. */
export function regionKey(blocks: readonly KeyedBlock[]): string {
  let key = '';
  for (const b of blocks) {
    key += `${b.startLo},${b.startHi},${b.n},${b.bytes.length}:`;
    key += String.fromCharCode.apply(null, b.bytes as unknown as number[]);
    key += ';';
  }
  return key;
}

export function findShared(key: string): SharedRegion | undefined {
  return byKey.get(key);
}

/** Records a freshly compiled region; `entries[i]` says whether block i was made a region entry. */
export function addShared(
  key: string,
  fn: RegionFn,
  blocks: readonly KeyedBlock[],
  entries: readonly boolean[],
): SharedRegion {
  if (byKey.size >= MAX_REGIONS) clearSharedCode();
  const region: SharedRegion = {
    fn,
    blocks: blocks.map((b, i) => ({
      startLo: b.startLo,
      startHi: b.startHi,
      endLo: b.endLo,
      endHi: b.endHi,
      n: b.n,
      bytes: b.bytes,
      entry: entries[i]!,
    })),
  };
  byKey.set(key, region);
  for (const b of region.blocks) {
    if (!b.entry) continue;
    const k = startKey(b.startLo, b.startHi);
    const list = byStart.get(k);
    if (list === undefined) byStart.set(k, [region]);
    else list.push(region);
  }
  return region;
}

/** Shared regions one of whose entry blocks starts at (lo, hi). */
export function sharedAt(lo: number, hi: number): readonly SharedRegion[] | undefined {
  return byStart.get(startKey(lo, hi));
}

/** True when `b` was decoded from exactly the bytes `s` was compiled from, at the same place. */
export function sameBlock(b: KeyedBlock, s: SharedBlock): boolean {
  if (
    b.startLo !== s.startLo ||
    b.startHi !== s.startHi ||
    b.endLo !== s.endLo ||
    b.endHi !== s.endHi ||
    b.n !== s.n
  )
    return false;
  const x = b.bytes;
  const y = s.bytes;
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

/** Forgets every shared region (tests; code already bound to blocks keeps running). */
export function clearSharedCode(): void {
  byKey.clear();
  byStart.clear();
}

/** How many regions the process-wide cache holds. */
export function sharedCodeSize(): number {
  return byKey.size;
}
