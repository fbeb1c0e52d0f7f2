import type { NetBSDErrnoName } from '../errno.js';
import { NetBSDErrno } from '../errno.js';
import { HostError } from '../HostError.js';

/** A conformance check found the host doing something the interface forbids. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

export function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

export function ensureEqual<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) {
    throw new ConformanceFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function ensureBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length) {
    throw new ConformanceFailure(
      `${what}: expected ${expected.length} bytes, got ${actual.length}`,
    );
  }
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      throw new ConformanceFailure(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function checkHostError(err: unknown, codes: readonly NetBSDErrnoName[], what: string): HostError {
  if (!(err instanceof HostError)) {
    throw new ConformanceFailure(
      `${what}: expected a HostError (${codes.join(' or ')}), got ${err instanceof Error ? `${err.name}: ${err.message}` : show(err)}`,
    );
  }
  if (!codes.includes(err.code)) {
    throw new ConformanceFailure(
      `${what}: expected ${codes.join(' or ')}, got ${err.code}: ${err.message}`,
    );
  }
  if (err.errno !== NetBSDErrno[err.code]) {
    throw new ConformanceFailure(
      `${what}: ${err.code} carries errno ${err.errno}, NetBSD's is ${NetBSDErrno[err.code]}`,
    );
  }
  return err;
}

/** Runs `fn` and requires it to throw a HostError with one of `codes` and NetBSD's errno for it. */
export function ensureHostError(
  fn: () => unknown,
  codes: NetBSDErrnoName | readonly NetBSDErrnoName[],
  what: string,
): HostError {
  const list = typeof codes === 'string' ? [codes] : codes;
  try {
    fn();
  } catch (err) {
    return checkHostError(err, list, what);
  }
  throw new ConformanceFailure(`${what}: expected ${list.join(' or ')}, but the call succeeded`);
}

export async function ensureHostErrorAsync(
  promise: Promise<unknown>,
  codes: NetBSDErrnoName | readonly NetBSDErrnoName[],
  what: string,
): Promise<HostError> {
  const list = typeof codes === 'string' ? [codes] : codes;
  try {
    await promise;
  } catch (err) {
    return checkHostError(err, list, what);
  }
  throw new ConformanceFailure(`${what}: expected ${list.join(' or ')}, but the call succeeded`);
}

export function hostErrorCheck(err: unknown, code: NetBSDErrnoName, what: string): HostError {
  return checkHostError(err, [code], what);
}
