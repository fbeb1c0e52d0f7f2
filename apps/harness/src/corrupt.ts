/**
 * The corruption mode: seeded, reproducible mutations of an image's metadata (superblock,
 * cylinder groups or bitmap, inodes, directory blocks), each mounted and walked in a fresh
 * kernel with a per-entry instruction budget. Every run ends in a result, an errno or a reported
 * kernel death with its backtrace; the host process carries on and the original image is never
 * written (the runs work on private copies and its hash is compared at the end).
 */

import { errno } from '@rump/kernel-core';
import { type DirectoryEntry, decodeDirents, MNT, O, S, SEEK, SyscallError } from '@rump/syscalls';
import type { MetadataRegion } from './images/ffs-image.js';
import { sha256 } from './images/manifest.js';
import { Machine } from './machine.js';
import { type DeathReport, deathReport, message } from './outcome.js';
import type { FsProfile } from './profile.js';

export type CorruptionOutcome =
  /** Mounted and walked without a single error. */
  | 'ok'
  /** Mounted; some calls of the walk failed with an errno (the module noticed). */
  | 'errno'
  /** mount(2) refused the image with an errno, read-write and read-only. */
  | 'mount-refused'
  | 'panic'
  | 'fault'
  /** Guest code ran past the instruction budget (a loop in the module). */
  | 'budget'
  /** A directory that kept answering past the walk's bounds (calls, entries): stopped by the walk. */
  | 'stuck'
  /** An exception that is neither an errno nor a kernel death: a bug in the harness or kernel. */
  | 'host-error';

export const OUTCOMES: readonly CorruptionOutcome[] = [
  'ok',
  'errno',
  'mount-refused',
  'panic',
  'fault',
  'budget',
  'stuck',
  'host-error',
];

export interface Mutation {
  readonly region: MetadataRegion;
  /** Byte offsets in the image and their new values. */
  readonly bytes: readonly (readonly [number, number])[];
  /** `flip 3 bits`, `u32 at +40 = 0xffffffff` ... */
  readonly how: string;
}

export interface CorruptionRun {
  readonly seed: number;
  readonly kind: string;
  readonly what: string;
  readonly how: string;
  readonly outcome: CorruptionOutcome;
  /** First errno seen (mount's, or the walk's). */
  readonly errno?: string;
  /** The call that gave it. */
  readonly call?: string;
  readonly errnos: number;
  readonly walked: number;
  readonly mountedReadOnly?: boolean;
  readonly death?: DeathReport;
  readonly message?: string;
  readonly durationMs: number;
}

export interface CorruptionReport {
  readonly suite: 'corruption';
  readonly profile: string;
  readonly imageSha256: string;
  /** The original image's hash after all runs equals the one before. */
  readonly originalUntouched: boolean;
  readonly instructionBudget: number;
  readonly runs: readonly CorruptionRun[];
  readonly counts: Readonly<Record<CorruptionOutcome, number>>;
  readonly durationMs: number;
}

export interface CorruptionOptions {
  readonly seeds: number;
  readonly firstSeed?: number;
  /** Instructions per kernel entry (default 50 million). */
  readonly instructionBudget?: number;
  /** Only these region kinds (`superblock`, `cylinder-group`, `bitmap`, `inode`, `directory`). */
  readonly kinds?: readonly string[];
  /** Walk limits: entries visited and bytes read per file. */
  readonly maxEntries?: number;
  readonly maxFileBytes?: number;
  readonly onRun?: (r: CorruptionRun) => void;
}

export const DEFAULT_BUDGET = 50_000_000;

/** mulberry32: small, seedable, the same on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The mutation of seed `seed`: region kinds take turns, the rest is random. */
export function planMutation(
  image: Uint8Array,
  regions: readonly MetadataRegion[],
  seed: number,
): Mutation {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const kinds = [...new Set(regions.map((r) => r.kind))];
  if (kinds.length === 0) throw new Error('the image has no metadata regions to corrupt');
  const kind = kinds[seed % kinds.length]!;
  const candidates = regions.filter((r) => r.kind === kind);
  const region = candidates[int(candidates.length)]!;
  // Most live metadata sits at the start of a region (the first directory entries, the
  // superblock's geometry): aim there more often than at the tail.
  const pos = (n: number) => (rnd() < 0.7 ? int(Math.min(n, 512)) : int(n));
  const at = (rel: number) => region.offset + Math.min(rel, region.length - 1);
  const bytes: [number, number][] = [];
  const u32 = (rel: number, v: number) => {
    for (let i = 0; i < 4; i++) bytes.push([at(rel + i), (v >>> (8 * i)) & 0xff]);
  };
  const word = pos(Math.max(1, region.length >> 2)) * 4;
  let how: string;
  switch (int(6)) {
    case 0: {
      const n = 1 + int(4);
      const seen = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const off = at(pos(region.length));
        seen.set(off, (seen.get(off) ?? image[off]!) ^ (1 << int(8)));
      }
      bytes.push(...seen);
      how = `flip ${n} bit(s)`;
      break;
    }
    case 1: {
      const v = int(2 ** 32);
      u32(word, v);
      how = `u32 at +${word} = 0x${v.toString(16)}`;
      break;
    }
    case 2:
      u32(word, 0);
      how = `u32 at +${word} = 0`;
      break;
    case 3:
      u32(word, 0xffffffff);
      how = `u32 at +${word} = 0xffffffff`;
      break;
    case 4: {
      const len = 16 + int(48);
      const start = pos(Math.max(1, region.length - len));
      for (let i = 0; i < len; i++) bytes.push([at(start + i), 0]);
      how = `zero ${len} bytes at +${start}`;
      break;
    }
    default: {
      const len = 8 + int(24);
      const start = pos(Math.max(1, region.length - len));
      for (let i = 0; i < len; i++) bytes.push([at(start + i), int(256)]);
      how = `${len} random bytes at +${start}`;
    }
  }
  return { region, bytes, how };
}

export function applyMutation(image: Uint8Array, m: Mutation): Uint8Array {
  const copy = image.slice();
  for (const [off, v] of m.bytes) copy[off] = v;
  return copy;
}

class Walk {
  errnos = 0;
  walked = 0;
  first: { errno: string; call: string } | undefined;
  /** Set when a call made no progress (the walk stopped it). */
  stuck: string | undefined;
  constructor(
    readonly machine: Machine,
    readonly maxEntries: number,
    readonly maxFileBytes: number,
  ) {}

  /** Runs a call; an errno is counted and remembered, anything else propagates. */
  try<T>(call: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      this.errnos++;
      this.first ??= { errno: e.code, call };
      return undefined;
    }
  }

  /**
   * getdents(2) until it says 0, but bounded: a call that leaves the offset where it was is EIO
   * (as FileSystemApi.readdir says), and a directory that never ends stops the walk instead of
   * hanging the host.
   */
  readdir(path: string): DirectoryEntry[] {
    const { sys } = this.machine.rump;
    const fd = sys.open(path, O.RDONLY | O.DIRECTORY);
    try {
      const out: DirectoryEntry[] = [];
      const buf = new Uint8Array(8192);
      let offset = sys.lseek(fd, 0, SEEK.CUR);
      for (let calls = 0; ; calls++) {
        const n = sys.getdents(fd, buf);
        if (n === 0) return out;
        const next = sys.lseek(fd, 0, SEEK.CUR);
        // What FileSystemApi.readdir answers (and NetBSD's own readdir(3) would loop on).
        if (next === offset)
          throw new SyscallError(
            'getdents',
            errno.EIO,
            `${path}: ${n} bytes at offset ${offset} without progress (a damaged directory)`,
          );
        if (calls > 4096 || out.length > this.maxEntries) {
          this.stuck ??= `getdents ${path} at offset ${offset}: more than ${calls} calls / ${out.length} entries`;
          return out;
        }
        offset = next;
        for (const e of decodeDirents(buf.subarray(0, n)))
          if (e.name !== '.' && e.name !== '..') out.push(e);
      }
    } finally {
      sys.close(fd);
    }
  }

  dir(path: string, depth: number): void {
    if (depth > 32 || this.walked >= this.maxEntries || this.stuck) return;
    const { sys } = this.machine.rump;
    const entries = this.try(`readdir ${path}`, () => this.readdir(path)) ?? [];
    for (const e of entries) {
      if (this.walked++ >= this.maxEntries) return;
      const p = `${path}/${e.name}`;
      const st = this.try(`lstat ${p}`, () => sys.lstat(p));
      if (!st) continue;
      switch (st.mode & S.IFMT) {
        case S.IFDIR:
          this.dir(p, depth + 1);
          break;
        case S.IFREG:
          this.try(`read ${p}`, () => {
            const fd = sys.open(p, O.RDONLY);
            try {
              const buf = new Uint8Array(64 * 1024);
              for (let done = 0; done < this.maxFileBytes; ) {
                const n = sys.read(fd, buf);
                if (n === 0) break;
                done += n;
              }
            } finally {
              sys.close(fd);
            }
          });
          break;
        case S.IFLNK:
          this.try(`readlink ${p}`, () => sys.readlink(p, new Uint8Array(1024)));
          break;
      }
    }
  }
}

/** One corrupted image, mounted and walked. Never throws. */
export function runCorruption(
  profile: FsProfile,
  image: Uint8Array,
  mutation: Mutation,
  seed: number,
  options: Omit<CorruptionOptions, 'seeds'> = {},
): CorruptionRun {
  const t0 = performance.now();
  const base = { seed, kind: mutation.region.kind, what: mutation.region.what, how: mutation.how };
  const machine = new Machine(profile, applyMutation(image, mutation), {
    instructionBudget: options.instructionBudget ?? DEFAULT_BUDGET,
  });
  const walk = new Walk(machine, options.maxEntries ?? 2000, options.maxFileBytes ?? 1 << 20);
  let readOnly = false;
  try {
    machine.boot();
    let mountErr: SyscallError | undefined;
    try {
      machine.mount();
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      mountErr = e;
      try {
        machine.mount(MNT.RDONLY);
        readOnly = true;
      } catch (e2) {
        if (!(e2 instanceof SyscallError)) throw e2;
        return {
          ...base,
          outcome: 'mount-refused',
          errno: mountErr.code,
          call: 'mount',
          errnos: 2,
          walked: 0,
          durationMs: performance.now() - t0,
        };
      }
    }
    if (mountErr) {
      walk.errnos++;
      walk.first = { errno: mountErr.code, call: 'mount rw' };
    }
    walk.dir('/mnt', 0);
    if (walk.stuck) {
      return {
        ...base,
        outcome: 'stuck',
        ...(walk.first ? { errno: walk.first.errno, call: walk.first.call } : {}),
        errnos: walk.errnos,
        walked: walk.walked,
        mountedReadOnly: readOnly,
        message: walk.stuck,
        durationMs: performance.now() - t0,
      };
    }
    if (!readOnly) {
      const { sys } = machine.rump;
      walk.try('create /mnt/corruption-probe', () => {
        const fd = sys.open('/mnt/corruption-probe', O.RDWR | O.CREAT | O.TRUNC, 0o644);
        try {
          sys.write(fd, new Uint8Array(10_000).fill(0x5a));
        } finally {
          sys.close(fd);
        }
        sys.unlink('/mnt/corruption-probe');
      });
    }
    walk.try('reboot', () => machine.reboot());
    return {
      ...base,
      outcome: walk.errnos ? 'errno' : 'ok',
      ...(walk.first ? { errno: walk.first.errno, call: walk.first.call } : {}),
      errnos: walk.errnos,
      walked: walk.walked,
      mountedReadOnly: readOnly,
      durationMs: performance.now() - t0,
    };
  } catch (e) {
    const death = deathReport(e);
    return {
      ...base,
      outcome: death ? death.kind : 'host-error',
      ...(walk.first ? { errno: walk.first.errno, call: walk.first.call } : {}),
      errnos: walk.errnos,
      walked: walk.walked,
      mountedReadOnly: readOnly,
      ...(death ? { death } : {}),
      message: death
        ? death.reason
        : `${message(e)}${e instanceof Error && e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}`,
      durationMs: performance.now() - t0,
    };
  }
}

/** Runs `seeds` corruptions of `image`, from `firstSeed` (default 1), and counts outcomes. */
export function runCorruptionSuite(
  profile: FsProfile,
  image: Uint8Array,
  options: CorruptionOptions,
): CorruptionReport {
  const t0 = performance.now();
  const before = sha256(image);
  if (!profile.metadataRegions)
    throw new Error(`profile ${profile.name} does not describe its metadata: no corruption mode`);
  let regions = profile.metadataRegions(image);
  if (options.kinds?.length) regions = regions.filter((r) => options.kinds!.includes(r.kind));
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<
    CorruptionOutcome,
    number
  >;
  const runs: CorruptionRun[] = [];
  const first = options.firstSeed ?? 1;
  for (let seed = first; seed < first + options.seeds; seed++) {
    const run = runCorruption(profile, image, planMutation(image, regions, seed), seed, options);
    runs.push(run);
    counts[run.outcome]++;
    options.onRun?.(run);
  }
  return {
    suite: 'corruption',
    profile: profile.name,
    imageSha256: before,
    originalUntouched: sha256(image) === before,
    instructionBudget: options.instructionBudget ?? DEFAULT_BUDGET,
    runs,
    counts,
    durationMs: performance.now() - t0,
  };
}
