/**
 * parseElfShared: parseElf with a small per-process cache keyed by the file's contents, so that a
 * process booting several kernels (a benchmark, a test suite, a server) parses each module file
 * once. The ElfFile and everything memoized on it (relocation tables, section symbols, the module
 * metadata, the collected relocations) are read-only, so kernels can share them; each link still
 * resolves, allocates and relocates on its own.
 *
 * The cache holds a private copy of the bytes it parsed (a caller may reuse its buffer), and a
 * hit needs the same length and the same bytes, compared in full (natively where Node's Buffer
 * exists, else word by word).
 */
import { parseElf } from './parse.js';
import type { ElfFile } from './types.js';

/** Files kept: a kernel loads a handful of modules; more than this is not a repeated boot. */
const CACHE_FILES = 8;

interface Entry {
  readonly bytes: Uint8Array;
  readonly elf: ElfFile;
}

/** Most recently used last. */
const entries: Entry[] = [];

/** Node's Buffer, when there is one: its compare is a native memcmp. */
const NativeBuffer = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } })
  .Buffer;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (b.length !== n) return false;
  // A JavaScript loop over a module's ~200 KB takes milliseconds until V8 optimizes it (the
  // first comparisons of a process): use the native comparison where the platform has one.
  if (NativeBuffer !== undefined) return NativeBuffer.compare(a, b) === 0;
  return sameBytesJs(a, b);
}

/** The comparison without Node: word-wise when both views are 4-byte aligned (the usual case). */
export function sameBytesJs(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (b.length !== n) return false;
  let i = 0;
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const words = n >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset, words);
    const wb = new Int32Array(b.buffer, b.byteOffset, words);
    for (; i < words; i++) if (wa[i] !== wb[i]) return false;
    i = words << 2;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** parseElf(bytes), or the ElfFile already parsed from the same contents in this process. */
export function parseElfShared(bytes: Uint8Array): ElfFile {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (sameBytes(e.bytes, bytes)) {
      if (i !== entries.length - 1) {
        entries.splice(i, 1);
        entries.push(e);
      }
      return e.elf;
    }
  }
  const own = bytes.slice();
  const elf = parseElf(own);
  entries.push({ bytes: own, elf });
  if (entries.length > CACHE_FILES) entries.shift();
  return elf;
}
