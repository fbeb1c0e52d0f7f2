import { HostError } from './HostError.js';

/**
 * Bytes of `s` in UTF-8, as `new TextEncoder().encode(s).length` counts them (a lone surrogate
 * becomes U+FFFD, 3 bytes), without encoding: no encoder and no buffer per call.
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c < 0xd800 || c > 0xdbff || (s.charCodeAt(i + 1) & 0xfc00) !== 0xdc00) n += 2;
    else {
      n += 2; // a surrogate pair: 4 bytes for its two UTF-16 units
      i++;
    }
  }
  return n;
}

/** MAXPATHLEN is 1024 including the NUL. */
export const MAX_PATH_BYTES = 1023;

/** A host path must be a non-empty string without NUL and at most MAXPATHLEN - 1 bytes. */
export function checkPath(path: unknown, call: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new HostError('EINVAL', { call, message: 'path must be a non-empty string' });
  }
  if (path.includes('\0')) throw new HostError('EINVAL', { call, path, message: 'path has NUL' });
  if (utf8Length(path) > MAX_PATH_BYTES) {
    throw new HostError('ENAMETOOLONG', {
      call,
      path: `${path.slice(0, 40)}...`,
      message: `path longer than ${MAX_PATH_BYTES} bytes`,
    });
  }
}

export function checkBuffer(buf: unknown, call: string, path?: string): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) {
    throw new HostError('EINVAL', { call, path, message: 'buffer must be a Uint8Array' });
  }
}

/** Offsets and sizes are non-negative safe integers. */
export function checkByteCount(value: unknown, what: string, call: string, path?: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new HostError('EINVAL', {
      call,
      path,
      message: `${what} must be a non-negative safe integer, got ${String(value)}`,
    });
  }
}

/** The end of a transfer must stay a safe integer, or the file would pass 2^53 bytes. */
export function checkEnd(offset: number, length: number, call: string, path?: string): void {
  if (!Number.isSafeInteger(offset + length)) {
    throw new HostError('EFBIG', { call, path, message: `end ${offset} + ${length} too large` });
  }
}
