/**
 * Kernel virtual addresses as plain numbers, for the hot paths of the kernel's TypeScript.
 *
 * Every address the kernel hands out lies in the CPU's kernel window, the top 2 GiB of the
 * address space (0xffffffff80000000…). Read as a signed 64-bit value such an address is an int32
 * in [-2^31, 0): its low half, with a high half of all ones. So a `Kva` is that int32, NULL is 0,
 * and GuestMemory's pair API (`load32(lo, hi)`, `store64(lo, hi, vlo, vhi)`) takes it as
 * `(kva, kvaHi(kva))` with no BigInt at all. A BigInt costs an allocation per operation (~50–80 ns
 * each on V8), and the VOP, namei and page paths make hundreds of guest memory accesses per
 * system call.
 */
import type { GuestMemory } from '@rump/cpu-x86';

/** A kernel-window address (or NULL) as its signed 64-bit value: an int32, 0 for NULL. */
export type Kva = number;

/** True when `a` (a signed 64-bit value) is NULL or a kernel-window address. */
export const isKva = (a: number): boolean => a === 0 || (a < 0 && a >= -0x8000_0000);

/** The Kva of a BigInt address; an address outside the window (or NULL) gives NaN / 0. */
export function kvaOf(a: bigint): Kva {
  const n = Number(BigInt.asIntN(64, a));
  return isKva(n) ? n : Number.NaN;
}

/** The unsigned 64-bit BigInt of a Kva (for the BigInt APIs and guest-call arguments). */
export const kvaBig = (k: Kva): bigint => BigInt.asUintN(64, BigInt(k));

/** High half of a Kva's 64-bit value: all ones for window addresses, 0 for NULL. */
export const kvaHi = (k: Kva): number => (k < 0 ? -1 : 0);

/** Reads a pointer field: the Kva it holds (NaN if it points outside the window). */
export function loadKva(m: GuestMemory, at: Kva): Kva {
  const lo = m.load64(at, kvaHi(at));
  const hi = m.hi;
  if (hi === -1 && lo < 0) return lo;
  if (hi === 0 && lo === 0) return 0;
  return Number.NaN;
}

/** Writes a pointer field. */
export function storeKva(m: GuestMemory, at: Kva, value: Kva): void {
  m.store64(at, kvaHi(at), value | 0, kvaHi(value));
}

/** Unsigned 32-bit field. */
export const loadU32 = (m: GuestMemory, at: Kva): number => m.load32(at, kvaHi(at)) >>> 0;
export const storeU32 = (m: GuestMemory, at: Kva, v: number): void =>
  m.store32(at, kvaHi(at), v | 0);

/**
 * 64-bit field as a Number (exact up to 2^53; sizes, offsets, counters). Values beyond 2^53 lose
 * precision: use the BigInt API for those.
 */
export function loadU64(m: GuestMemory, at: Kva): number {
  const lo = m.load64(at, kvaHi(at));
  return (m.hi >>> 0) * 4294967296 + (lo >>> 0);
}
export function storeU64(m: GuestMemory, at: Kva, v: number): void {
  m.store64(at, kvaHi(at), v | 0, Math.floor(v / 4294967296) | 0);
}
