/**
 * Byte sources for partition tables and superblock probes: positioned reads of an image file
 * (never loading the whole image; offsets are safe integers, so images up to 8 PiB work), an
 * in-memory image for tests, and a window onto a part of another source (a partition).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/** Sector size the partition tables of a disk image are read with. */
export const DEV_BSIZE = 512;

export interface ByteSource {
  /** Bytes in the source. */
  readonly size: number;
  /**
   * Reads `length` bytes at `offset`; fewer when the source ends first (none past the end).
   * The result may be shared: copy it to keep it.
   */
  read(offset: number, length: number): Uint8Array;
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RangeError(`image offset ${offset} is not a non-negative safe integer`);
  if (!Number.isSafeInteger(length) || length < 0)
    throw new RangeError(`read length ${length} is not a non-negative safe integer`);
}

export class MemoryImage implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(offset, length);
    return this.bytes.subarray(Math.min(offset, this.size), Math.min(offset + length, this.size));
  }
}

/** An image file read with pread(2); `close()` when done. */
export class FileImage implements ByteSource {
  readonly size: number;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      const st = fstatSync(this.fd);
      this.size = st.isBlockDevice() ? blockDeviceSize(path, st.rdev) : st.size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(offset, length);
    if (this.fd === undefined) throw new Error(`${this.path}: image is closed`);
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, buf, done, n - done, offset + done);
      if (got === 0) break; // the file shrank under us
      done += got;
    }
    return done === n ? buf : buf.subarray(0, done);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * fstat gives 0 bytes for a block device; Linux publishes its size in 512-byte sectors at
 * /sys/dev/block/MAJOR:MINOR/size (glibc's dev_t encoding). Elsewhere: an error naming the cause.
 */
export function blockDeviceSize(path: string, rdev: number): number {
  const d = BigInt(rdev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  try {
    return Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim()) * DEV_BSIZE;
  } catch {
    throw new Error(
      `${path}: cannot tell the size of this block device (no /sys/dev/block/${major}:${minor}/size); use an image file`,
    );
  }
}

/** Bytes [offset, offset + size) of another source: a partition. */
export class SliceSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly parent: ByteSource,
    readonly offset: number,
    size: number,
  ) {
    checkRange(offset, size);
    this.size = Math.max(0, Math.min(size, parent.size - offset));
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(offset, length);
    const n = Math.max(0, Math.min(length, this.size - offset));
    return n === 0 ? new Uint8Array(0) : this.parent.read(this.offset + offset, n);
  }
}

/** A DataView over a byte array (little- and big-endian field reads). */
export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** ASCII text of a byte range, up to the first NUL. */
export function ascii(b: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < b.length; i++) {
    const c = b[i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}
