/**
 * Checks the records getdents(2) returns for the readdir figures without decoding strings: NetBSD's
 * `struct dirent` is d_fileno (u64 at 0), d_reclen (u16 at 8), d_namlen (u16 at 10), d_type (u8 at
 * 12), d_name (at 13). Every small file must come back exactly once; `.`, `..` and freed slots
 * (d_fileno 0, which ufs_readdir passes on and readdir(3) skips) are skipped. The native program
 * does the same checks in C.
 */
import { smallFileIndex, smallFileName } from './workload.js';

const DIRENT_RECLEN = 8;
const DIRENT_NAMLEN = 10;
const DIRENT_NAME = 13;

export class DirentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirentError';
  }
}

/**
 * Marks in `seen` (one byte per small file, zeroed by the caller) the small files among the `n`
 * bytes of records in `buf`; returns how many it marked. Throws DirentError on a malformed record,
 * a name that is not a small file's, or a file seen twice.
 */
export function tallyDirents(buf: Uint8Array, n: number, seen: Uint8Array): number {
  let marked = 0;
  for (let off = 0; off < n; ) {
    const reclen = buf[off + DIRENT_RECLEN]! | (buf[off + DIRENT_RECLEN + 1]! << 8);
    const namlen = buf[off + DIRENT_NAMLEN]! | (buf[off + DIRENT_NAMLEN + 1]! << 8);
    if (reclen < DIRENT_NAME + 1 || off + reclen > n || DIRENT_NAME + namlen >= reclen)
      throw new DirentError(`bad dirent at byte ${off}: d_reclen ${reclen}, d_namlen ${namlen}`);
    let fileno = 0;
    for (let k = 0; k < 8; k++) fileno |= buf[off + k]!;
    const name = off + DIRENT_NAME;
    const dot = buf[name] === 0x2e && (namlen === 1 || (namlen === 2 && buf[name + 1] === 0x2e));
    if (fileno !== 0 && !dot) {
      const i = smallFileIndex(buf, name, namlen);
      if (i < 0 || i >= seen.length)
        throw new DirentError(
          `unexpected entry '${new TextDecoder().decode(buf.subarray(name, name + namlen))}'`,
        );
      if (seen[i] !== 0) throw new DirentError(`entry ${smallFileName(i)} twice`);
      seen[i] = 1;
      marked++;
    }
    off += reclen;
  }
  return marked;
}
