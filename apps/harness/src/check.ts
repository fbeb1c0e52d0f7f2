/**
 * Checks for scenarios and conformance tests, usable outside a test runner: each failed check
 * throws CheckFailed saying what was expected and what came.
 */
import { SyscallError } from '@rump/syscalls';
import { CheckFailed } from './outcome.js';

const show = (v: unknown): string =>
  typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);

export function ok(cond: unknown, what: string): asserts cond {
  if (!cond) throw new CheckFailed(what);
}

export function eq<T>(got: T, want: T, what: string): void {
  if (got !== want) throw new CheckFailed(`${what}: expected ${show(want)}, got ${show(got)}`);
}

export function bytesEq(got: Uint8Array, want: Uint8Array, what: string): void {
  if (got.length !== want.length)
    throw new CheckFailed(`${what}: expected ${want.length} bytes, got ${got.length}`);
  for (let i = 0; i < got.length; i++)
    if (got[i] !== want[i])
      throw new CheckFailed(`${what}: byte ${i} is ${got[i]}, expected ${want[i]}`);
}

/** Runs `fn`, which must fail with errno `code` (one of `codes`). */
export function fails(codes: string | readonly string[], fn: () => unknown, what: string): void {
  const want = typeof codes === 'string' ? [codes] : codes;
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof SyscallError) {
      if (want.includes(e.code)) return;
      throw new CheckFailed(`${what}: expected ${want.join(' or ')}, got ${e.code} (${e.message})`);
    }
    throw e;
  }
  throw new CheckFailed(
    `${what}: expected ${want.join(' or ')}, the call returned ${show(result)}`,
  );
}

/** Deterministic bytes (xorshift32) so every run writes the same data. */
export function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
