/**
 * A reader for the tar archives NetBSD's release sets are (`pax -w` writes ustar): POSIX ustar
 * headers with their `prefix` field, pax extended headers (`x` per entry, `g` global) for long
 * names and sizes, and GNU long names (`L`) as other tar programs write them. It yields every
 * entry with its raw name; what may be written where is decided by the caller (unpack.ts).
 */

const BLOCK = 512;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** The name as the archive gives it (pax `path`, GNU long name, or prefix/name). */
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw typeflag character (`0`, `5`, `2`, …; `\0` is an old-style regular file). */
  readonly typeflag: string;
  readonly mode: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly size: number;
  /** The entry's contents (a view into the archive; empty for anything but files). */
  readonly data: Uint8Array;
  /** Byte offset of the entry's header in the archive. */
  readonly offset: number;
}

/** A damaged or unreadable archive: what is wrong and at which byte. */
export class TarError extends Error {
  override name = 'TarError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** A NUL-terminated string field. */
function field(h: Uint8Array, at: number, len: number): string {
  const f = h.subarray(at, at + len);
  const end = f.indexOf(0);
  return utf8.decode(end < 0 ? f : f.subarray(0, end));
}

/** An octal number field (space or NUL terminated), or base-256 when the high bit is set. */
function number(h: Uint8Array, at: number, len: number, what: string, offset: number): number {
  if (h[at]! & 0x80) {
    // GNU/star base-256: big-endian two's complement in the remaining bits.
    let n = h[at]! & 0x3f;
    if (h[at]! & 0x40) throw new TarError(`negative ${what}`, offset);
    for (let i = 1; i < len; i++) n = n * 256 + h[at + i]!;
    if (!Number.isSafeInteger(n)) throw new TarError(`${what} too large`, offset);
    return n;
  }
  const text = latin1
    .decode(h.subarray(at, at + len))
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`${what} '${text}' is not octal`, offset);
  return Number.parseInt(text, 8);
}

/** The header checksum: bytes summed with the checksum field taken as spaces. */
function checksumMatches(h: Uint8Array, offset: number): boolean {
  const stored = number(h, 148, 8, 'header checksum', offset);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b >= 0x80 ? b - 0x100 : b;
  }
  // Some old tar programs summed signed chars; both are accepted, as NetBSD's tar does.
  return stored === unsigned || stored === signed;
}

/** `len key=value\n` records of a pax extended header. */
export function parsePaxRecords(data: Uint8Array, offset: number): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0) break;
    let j = i;
    while (j < data.length && data[j] !== 0x20) j++;
    const len = Number(latin1.decode(data.subarray(i, j)));
    if (!Number.isInteger(len) || len <= j - i || i + len > data.length || data[i + len - 1] !== 10)
      throw new TarError('malformed pax extended header record', offset);
    const record = utf8.decode(data.subarray(j + 1, i + len - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) throw new TarError('malformed pax extended header record', offset);
    out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7': // contiguous file: a regular file everywhere but on a few old systems
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

function paxNumber(v: string, key: string, offset: number): number {
  const n = Number(v);
  if (!/^[0-9]+(\.[0-9]*)?$/.test(v) || !Number.isSafeInteger(Math.floor(n)))
    throw new TarError(`pax ${key} '${v}' is not a number`, offset);
  return Math.floor(n);
}

/** Every entry of the tar archive `bytes`, in order; stops at the end-of-archive blocks. */
export function* readTar(bytes: Uint8Array): Generator<TarEntry> {
  let offset = 0;
  let global = new Map<string, string>();
  let local = new Map<string, string>();
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    const h = bytes.subarray(offset, offset + BLOCK);
    // End of archive: a zero block (POSIX asks for two; some writers stop after one).
    if (isZeroBlock(h)) return;
    if (!checksumMatches(h, offset)) throw new TarError('header checksum mismatch', offset);
    const magic = latin1.decode(h.subarray(257, 262));
    const typeflag = String.fromCharCode(h[156]!);
    const pax = new Map([...global, ...local]);
    const size = pax.has('size')
      ? paxNumber(pax.get('size')!, 'size', offset)
      : number(h, 124, 12, 'size', offset);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (next > bytes.length)
      throw new TarError(`entry of ${size} bytes runs past the end of the archive`, offset);
    const data = bytes.subarray(dataStart, dataEnd);

    if (typeflag === 'x' || typeflag === 'g') {
      const records = parsePaxRecords(data, offset);
      if (typeflag === 'x') local = records;
      else global = new Map([...global, ...records]);
      offset = next;
      continue;
    }
    if (typeflag === 'L') {
      longName = field(data, 0, data.length);
      offset = next;
      continue;
    }

    let name: string;
    if (pax.has('path')) name = pax.get('path')!;
    else if (longName !== undefined) name = longName;
    else {
      name = field(h, 0, 100);
      const prefix = magic === 'ustar' ? field(h, 345, 155) : '';
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    const type = entryType(typeflag);
    yield {
      name,
      type,
      typeflag,
      mode: number(h, 100, 8, 'mode', offset),
      mtime: pax.has('mtime')
        ? paxNumber(pax.get('mtime')!, 'mtime', offset)
        : number(h, 136, 12, 'mtime', offset),
      size: type === 'file' ? size : 0,
      data: type === 'file' ? data : data.subarray(0, 0),
      offset,
    };
    local = new Map();
    longName = undefined;
    offset = next;
  }
  if (offset !== bytes.length) throw new TarError('archive ends inside a header block', offset);
}
