/**
 * What one benchmark run reads and writes: the sizes times RUMP_BENCH_SCALE, capped for
 * tinyfs (a tinyfs file holds at most 4 243 456 bytes), and the file contents that let every read
 * be checked cheaply (each 64 KiB chunk of the big file starts with its chunk number).
 */

export const IO_SIZE = 64 * 1024;
export const SMALL_FILE = 1024;
/**
 * Buffer of each getdents call in the readdir figures, ours and native alike (the native program
 * gets it as RUMP_BENCH_GETDENTS_SIZE): 8 KiB, the buffer @rump/syscalls' fs.readdir uses; ~340
 * dirents of `fNNNNN` (24-byte records) per call.
 */
export const GETDENTS_SIZE = 8192;
const MiB = 2 ** 20;

/** Largest tinyfs file is 12 direct + 1024 indirect 4 KiB blocks; 4 MiB fits. */
export const TINYFS_MAX_READ = 4 * MiB;

export type FsKind = 'ffs' | 'tinyfs';

export interface Workload {
  readonly fs: FsKind;
  readonly scale: number;
  /** Size of the big file read cold then warm (issue: 64 MiB). */
  readonly readBytes: number;
  /** Bytes written then fsynced (issue: 32 MiB). */
  readonly writeBytes: number;
  /** Files stat'ed (cold, warm) and read (issue: 2000). */
  readonly smallFiles: number;
  /** Files created then unlinked (issue: 1000). */
  readonly createFiles: number;
  /** Bytes of each getdents call of the readdir figures (GETDENTS_SIZE). */
  readonly getdentsSize: number;
  /** Why sizes differ from the issue's, when they do. */
  readonly notes: string[];
}

const chunks = (bytes: number) => Math.max(1, Math.round(bytes / IO_SIZE)) * IO_SIZE;

export function workload(fs: FsKind, scale: number): Workload {
  if (!(scale > 0) || scale > 1)
    throw new RangeError(`RUMP_BENCH_SCALE must be in (0, 1], got ${scale}`);
  const notes: string[] = [];
  let readBytes = chunks(64 * MiB * scale);
  let writeBytes = chunks(32 * MiB * scale);
  if (scale !== 1) notes.push(`sizes scaled by ${scale} (RUMP_BENCH_SCALE); rates stay comparable`);
  if (fs === 'tinyfs' && readBytes > TINYFS_MAX_READ) {
    const k = TINYFS_MAX_READ / readBytes;
    readBytes = TINYFS_MAX_READ;
    writeBytes = chunks(writeBytes * k);
    notes.push(
      'tinyfs (example module) instead of ffs: read file capped at 4 MiB (tinyfs max file ~4 MiB), write scaled alike',
    );
  } else if (fs === 'tinyfs') {
    notes.push(
      'tinyfs (example module) instead of ffs: not comparable with the native ffs figures',
    );
  }
  return {
    fs,
    scale,
    readBytes,
    writeBytes,
    smallFiles: Math.max(1, Math.round(2000 * scale)),
    createFiles: Math.max(1, Math.round(1000 * scale)),
    getdentsSize: GETDENTS_SIZE,
    notes,
  };
}

/** 1 MiB of xorshift bytes, the same every time. */
function noise(): Uint8Array {
  const out = new Uint8Array(MiB);
  const v = new Uint32Array(out.buffer);
  let x = 0x9e3779b9;
  for (let k = 0; k < v.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[k] = x >>> 0;
  }
  return out;
}

/** The big file: noise, with each 64 KiB chunk's first 4 bytes holding its chunk number (LE). */
export function bigFileContent(bytes: number): Uint8Array {
  const base = noise();
  const out = new Uint8Array(bytes);
  for (let off = 0; off < bytes; off += MiB)
    out.set(base.subarray(0, Math.min(MiB, bytes - off)), off);
  const dv = new DataView(out.buffer);
  for (let c = 0; c * IO_SIZE < bytes; c++) dv.setUint32(c * IO_SIZE, c, true);
  return out;
}

/** Chunk number stamped at the start of a 64 KiB chunk of the big file. */
export function chunkStamp(buf: Uint8Array): number {
  return (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0;
}

/**
 * Index of a small file from the `len` name bytes at `buf[at]` of a directory entry (`f00042` →
 * 42); -1 when the name is not one of smallFileName's. Reads bytes in place, so the readdir
 * figures decode no strings and make no subarrays.
 */
export function smallFileIndex(buf: Uint8Array, at: number, len: number): number {
  if (len !== 6 || buf[at] !== 0x66) return -1;
  let v = 0;
  for (let k = 1; k < 6; k++) {
    const d = buf[at + k]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** A small file's 1 KiB: its index, then a fixed fill. */
export function smallFileContent(index: number): Uint8Array {
  const out = new Uint8Array(SMALL_FILE).fill(0x61 + (index % 26));
  new DataView(out.buffer).setUint32(0, index, true);
  return out;
}

export const smallFileName = (i: number) => `f${String(i).padStart(5, '0')}`;

/** The classic scenario's file (as in NetBSD's rump tutorial). */
export const README_TEXT = 'This is a file in a_directory, read by the classic rump scenario.\n';
