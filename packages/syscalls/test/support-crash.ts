/**
 * Helpers for the crash-safety tests: a MemoryHost whose block devices record every host
 * transfer, the checks that those transfers were whole, aligned sectors, the real ffs.kmod when
 * the environment names one, and the FFS superblock fields the tests look at.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type BioDone,
  type BioRequest,
  type HostBlockDevice,
  type HostBlockDeviceOptions,
  MemoryHost,
  type MemoryHostOptions,
} from '@rump/hypercall';
import { bootRump, MODCTL, type Rump, S } from '../src/index.js';
import { REPO } from './support.js';

/** One host block transfer, in bytes from the start of the host file. */
export interface HostTransfer {
  readonly path: string;
  readonly op: 'read' | 'write';
  readonly offset: number;
  readonly length: number;
  readonly sectorSize: number;
}

/** A MemoryHost whose block devices log every transfer they are asked for, before doing it. */
export class RecordingMemoryHost extends MemoryHost {
  readonly transfers: HostTransfer[] = [];

  constructor(options?: MemoryHostOptions) {
    super(options);
  }

  override openBlockDevice(path: string, options: HostBlockDeviceOptions): HostBlockDevice {
    const dev = super.openBlockDevice(path, options);
    const log = (req: BioRequest) =>
      this.transfers.push({
        path,
        op: req.op,
        offset: req.sector * dev.sectorSize,
        length: req.data.length,
        sectorSize: dev.sectorSize,
      });
    return new Proxy(dev, {
      get(target, prop, receiver) {
        if (prop === 'bio') {
          return (req: BioRequest) => {
            log(req);
            return target.bio(req);
          };
        }
        if (prop === 'bioAsync') {
          return (req: BioRequest, done: BioDone) => {
            log(req);
            target.bioAsync(req, done);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  writes(path: string): HostTransfer[] {
    return this.transfers.filter((t) => t.path === path && t.op === 'write');
  }
}

/**
 * Transfers that are not whole, aligned units of `unit` bytes (the sector, or an FFS fragment),
 * or longer than `max` bytes: what a torn-write-prone block layer would let through.
 */
export function misalignedTransfers(
  transfers: readonly HostTransfer[],
  unit: number,
  max = Number.POSITIVE_INFINITY,
): string[] {
  return transfers
    .filter(
      (t) => t.offset % unit !== 0 || t.length % unit !== 0 || t.length === 0 || t.length > max,
    )
    .map((t) => `${t.op} of ${t.length} bytes at byte ${t.offset} (unit ${unit}, max ${max})`);
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------- the real ffs.kmod

const FFS = process.env.RUMP_TEST_FFS_KMOD;
const MODPATH = process.env.RUMP_TEST_MODULE_PATH;
export const HAVE_FFS =
  !!FFS && !!MODPATH && existsSync(FFS) && existsSync(join(MODPATH, 'ufs.kmod'));
export const NEED_FFS = '(needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH with ufs.kmod)';

/** A committed tiny FFS image (made by makefs), decompressed: the tests always work on a copy. */
export function ffsFixture(name: 'tiny-ffs1.img' | 'tiny-ffs2.img'): Uint8Array {
  const p = join(REPO, 'packages/kernel-core/test/fixtures', `${name}.gz`);
  return new Uint8Array(gunzipSync(readFileSync(p)));
}

/** A kernel on `host` with ufs+ffs loaded and /host/ffs.img registered as /ffsimg; /mnt exists. */
export function bootFfs(host: MemoryHost): Rump {
  if (!host.hasFile('/modules/ufs.kmod')) {
    host.addFile('/modules/ufs.kmod', readFileSync(join(MODPATH!, 'ufs.kmod')));
    host.addFile('/host/ffs.kmod', readFileSync(FFS!));
  }
  const rump = bootRump({ host, modulePath: ['/modules'] });
  rump.etfsRegister('/ffsmod', '/host/ffs.kmod', 'REG');
  rump.etfsRegister('/ffsimg', '/host/ffs.img', 'BLK');
  rump.sys.modctl(MODCTL.LOAD, { ml_filename: '/ffsmod' });
  rump.sys.mkdir('/mnt', 0o755);
  return rump;
}

// struct fs (sys/ufs/ffs/fs.h), as NetBSD's compiler lays it out.
const SBLOCK_UFS1 = 8192;
const SBLOCK_UFS2 = 65536;
const FS_UFS1_MAGIC = 0x011954;
const FS_UFS2_MAGIC = 0x19540119;
const FS_BSIZE = 48;
const FS_FSIZE = 52;
const FS_CLEAN = 209;
const FS_MAGIC = 1372;
export const FS_ISCLEAN = 0x01;
export const FS_WASCLEAN = 0x02;

export interface FfsSuperblock {
  readonly at: number;
  readonly bsize: number;
  readonly fsize: number;
  readonly clean: number;
}

/** The FFS superblock's geometry and fs_clean, from the standard location of v1 or v2. */
export function readFfsSuperblock(image: Uint8Array): FfsSuperblock {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  // ffs_mountfs tries SBLOCK_UFS2, then SBLOCK_UFS1; either magic may sit at either place.
  for (const at of [SBLOCK_UFS2, SBLOCK_UFS1]) {
    if (at + FS_MAGIC + 4 > image.length) continue;
    const magic = dv.getInt32(at + FS_MAGIC, true);
    if (magic === FS_UFS1_MAGIC || magic === FS_UFS2_MAGIC) {
      return {
        at,
        bsize: dv.getInt32(at + FS_BSIZE, true),
        fsize: dv.getInt32(at + FS_FSIZE, true),
        clean: image[at + FS_CLEAN]!,
      };
    }
  }
  throw new Error('no FFS superblock at 8192 or 65536');
}

/** Every entry under `root`, path → sha256 of a file's contents, a symlink's target, or "dir". */
export function snapshotTree(rump: Rump, root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const { path, stat } of rump.fs.walk(root)) {
    const type = stat.mode & S.IFMT;
    if (type === S.IFDIR) out.set(path, 'dir');
    else if (type === S.IFLNK) out.set(path, `-> ${rump.fs.readlink(path)}`);
    else out.set(path, sha256(rump.fs.readFile(path)));
  }
  return out;
}

// ---------------------------------------------------------------- the kill log (support-crash-child.ts)

export interface KillLog {
  /** Completed host writes, in order: byte offset and the hash of each sector written. */
  readonly completed: { offset: number; hashes: string[] }[];
  /** The host write the kill interrupted (begun, not known to have ended), if any. */
  readonly inFlight: { offset: number; hashes: string[] } | undefined;
  /** Files whose data and name were fsync'ed, path → sha256, minus those later unlinked. */
  readonly durable: Map<string, string>;
  /** fsync'ed files unlinked afterwards: path → sha256 (gone or intact both fine). */
  readonly unlinked: Map<string, string>;
  readonly ready: boolean;
}

/** Reads the child's log; a last line cut by the kill is ignored (its write had not begun). */
export function parseKillLog(text: string): KillLog {
  const lines = text.split('\n');
  lines.pop(); // "" after the last newline, or a line the kill cut short
  const begun = new Map<number, { offset: number; hashes: string[] }>();
  const completed: { offset: number; hashes: string[] }[] = [];
  const durable = new Map<string, string>();
  const unlinked = new Map<string, string>();
  let ready = false;
  for (const line of lines) {
    const [tag, a, b, , d] = line.split(' ');
    if (tag === 'B') begun.set(Number(a), { offset: Number(b), hashes: d!.split(',') });
    else if (tag === 'E') {
      completed.push(begun.get(Number(a))!);
      begun.delete(Number(a));
    } else if (tag === 'F') durable.set(a!, b!);
    else if (tag === 'U') {
      unlinked.set(a!, durable.get(a!)!);
      durable.delete(a!);
    } else if (tag === 'ready') ready = true;
  }
  if (begun.size > 1) throw new Error(`${begun.size} host writes in flight at once`);
  return { completed, inFlight: [...begun.values()][0], durable, unlinked, ready };
}

/**
 * Torn writes: sectors of `after` that are neither what the last completed host write (or the
 * original image) put there, and an in-flight write that landed only in part.
 */
export function tornWrites(
  before: Uint8Array,
  after: Uint8Array,
  log: KillLog,
  hash: (b: Uint8Array) => string,
  sector = 512,
): string[] {
  const problems: string[] = [];
  const expected: string[] = [];
  for (let o = 0; o < before.length; o += sector)
    expected.push(hash(before.subarray(o, o + sector)));
  for (const w of log.completed)
    w.hashes.forEach((h, i) => {
      expected[w.offset / sector + i] = h;
    });
  const actual = (s: number) => hash(after.subarray(s * sector, (s + 1) * sector));
  const pending = new Set<number>();
  if (log.inFlight) {
    const first = log.inFlight.offset / sector;
    const hs = log.inFlight.hashes;
    for (let i = 0; i < hs.length; i++) pending.add(first + i);
    const isNew = hs.map((h, i) => actual(first + i) === h);
    const isOld = hs.map((_, i) => actual(first + i) === expected[first + i]);
    const allNew = isNew.every(Boolean);
    const allOld = isOld.every(Boolean);
    if (!allNew && !allOld) {
      const mixed = hs.map((_, i) => (isNew[i] ? 'N' : isOld[i] ? 'O' : '?')).join('');
      problems.push(
        `torn: the write of ${hs.length} sectors at byte ${log.inFlight.offset} landed in part (${mixed})`,
      );
    }
  }
  for (let s = 0; s < expected.length; s++) {
    if (pending.has(s)) continue;
    if (actual(s) !== expected[s])
      problems.push(`sector ${s}: neither the original nor the last completed write`);
  }
  return problems;
}
