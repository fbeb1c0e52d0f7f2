import { HostError } from './HostError.js';

/** MAXPATHLEN is 1024 including the NUL. */
export const MAX_PATH_BYTES = 1023;

/** A host path must be a non-empty string without NUL and at most MAXPATHLEN - 1 bytes. */
export function checkPath(path: unknown, call: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new HostError('EINVAL', { call, message: 'path must be a non-empty string' });
  }
  if (path.includes('\0')) throw new HostError('EINVAL', { call, path, message: 'path has NUL' });
  if (new TextEncoder().encode(path).length > MAX_PATH_BYTES) {
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
