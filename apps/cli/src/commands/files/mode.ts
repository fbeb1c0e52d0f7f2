/** File modes: `drwxr-xr-x` strings (ls -l, stat) and chmod's octal and symbolic MODE. */
import { UsageError } from '../../cli/errors.js';
import { type FileType, fileTypeOfMode } from '../../session.js';

const TYPE_CHAR: Readonly<Record<FileType, string>> = {
  reg: '-',
  dir: 'd',
  lnk: 'l',
  chr: 'c',
  blk: 'b',
  fifo: 'p',
  sock: 's',
  wht: 'w',
  unknown: '?',
};

/** `-rw-r--r--`, with setuid/setgid/sticky as s/S, s/S, t/T (strmode(3)). */
export function modeString(mode: number): string {
  const rwx = (bits: number, special: boolean, on: string, off: string) =>
    `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? on : off) : bits & 1 ? 'x' : '-'}`;
  return (
    TYPE_CHAR[fileTypeOfMode(mode)] +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's', 'S') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's', 'S') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't', 'T')
  );
}

/**
 * Applies chmod's MODE to `current` (permission bits only): octal (`755`, `0644`, `4755`) or
 * symbolic clauses `[ugoa]*[+-=][rwxXst]*`, comma-separated (`u+x`, `go-w`, `a=r,u+w`).
 */
export function applyMode(spec: string, current: number, isDir: boolean): number {
  if (/^[0-7]{1,4}$/.test(spec)) return Number.parseInt(spec, 8);
  let mode = current & 0o7777;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)([+\-=])([rwxXst]*)$/.exec(clause);
    if (!m)
      throw new UsageError(`'${spec}' is not a mode (octal like 755, or symbolic like u+x,go-w)`);
    const who = m[1] === '' || m[1]!.includes('a') ? 'ugo' : m[1]!;
    let bits = 0;
    for (const p of m[3]!) {
      const x = p === 'X' ? (isDir || (current & 0o111) !== 0 ? 'x' : '') : p;
      for (const w of who) {
        const shift = w === 'u' ? 6 : w === 'g' ? 3 : 0;
        if (x === 'r') bits |= 4 << shift;
        if (x === 'w') bits |= 2 << shift;
        if (x === 'x') bits |= 1 << shift;
        if (x === 's' && w === 'u') bits |= 0o4000;
        if (x === 's' && w === 'g') bits |= 0o2000;
        if (x === 't' && w === 'o') bits |= 0o1000;
      }
    }
    if (m[2] === '+') mode |= bits;
    else if (m[2] === '-') mode &= ~bits;
    else {
      let mask = 0;
      for (const w of who) mask |= w === 'u' ? 0o4700 : w === 'g' ? 0o2070 : 0o1007;
      mode = (mode & ~mask) | bits;
    }
  }
  return mode;
}
