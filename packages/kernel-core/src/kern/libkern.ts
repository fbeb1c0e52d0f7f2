/**
 * The C library of the kernel (common/lib/libc/string, sys/lib/libkern): mem*, str*, scanc,
 * skpc — done natively on guest memory. Modules call them constantly (ufs_lookup compares every
 * directory entry's name with memcmp), so the common case — both pointers in the backed kernel
 * window — works on the window's Uint8Array with plain offsets: no BigInt, no allocation per
 * call. Anything else (addresses outside the window, ranges running past its backed end) takes
 * the generic path through GuestMemory, which faults exactly as the CPU would: a bad pointer is
 * a page fault in the kernel, fatal on NetBSD too; only the copy(9) family returns EFAULT.
 * Writes into window lines holding decoded guest code go through GuestMemory as well, so the
 * CPU drops the blocks decoded from them.
 */
import { CODE_LINE_SHIFT, type Cpu, type GuestMemory } from '@rump/cpu-x86';
import type { Kernel } from '../kernel.js';
import { windowOffset } from '../uvm/uvm_km.js';
import { argHi, argLo, argSize, argWindow, returnArg } from './hostcall.js';

const TWO32 = 4294967296;

/** A 64-bit address from int32 halves (slow paths only). */
export const addressOf = (lo: number, hi: number): bigint =>
  (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** Low / high int32 half of (lo, hi) + i, for i >= 0. */
const addLo = (lo: number, i: number): number => ((lo >>> 0) + i) | 0;
const addHi = (lo: number, hi: number, i: number): number =>
  (hi + Math.floor(((lo >>> 0) + i) / TWO32)) | 0;

/**
 * True when [off, off+n) is backed window memory holding no decoded guest code, so it may be
 * written through `mem.u8` directly. n > 0.
 */
export function windowWritable(mem: GuestMemory, off: number, n: number): boolean {
  if (off < 0 || off + n > mem.windowSize) return false;
  const lines = mem.codeLines;
  const last = (off + n - 1) >>> CODE_LINE_SHIFT;
  for (let p = off >>> CODE_LINE_SHIFT; p <= last; p++) if (lines[p] !== 0) return false;
  return true;
}

/**
 * Copies n bytes between window offsets (overlap-safe). Falls back to GuestMemory's copy (which
 * faults and reports code writes) unless both ranges are backed and the destination holds no code.
 */
export function copyWindow(mem: GuestMemory, d: number, s: number, n: number): void {
  if (n <= 0) return;
  if (s < 0 || s + n > mem.windowSize || !windowWritable(mem, d, n)) {
    const base = 0xffff_ffff_8000_0000n;
    mem.write(base + BigInt(d), mem.read(base + BigInt(s), n));
    return;
  }
  const u8 = mem.u8;
  if (n > 32) u8.copyWithin(d, s, s + n);
  else if (d <= s) for (let i = 0; i < n; i++) u8[d + i] = u8[s + i]!;
  else for (let i = n - 1; i >= 0; i--) u8[d + i] = u8[s + i]!;
}

/** Copies n bytes (overlap-safe). */
export function copyBytes(mem: GuestMemory, dst: bigint, src: bigint, n: number): void {
  if (n <= 0) return;
  const d = windowOffset(dst);
  const s = windowOffset(src);
  if (d >= 0 && s >= 0) {
    copyWindow(mem, d, s, n);
    return;
  }
  mem.write(dst, mem.read(src, n));
}

/** Length of the string at `s`, at most `max`. Faults if it runs off mapped memory first. */
export function strlen(mem: GuestMemory, s: bigint, max = 0x7fffffff): number {
  const o = windowOffset(s);
  const n = o >= 0 ? windowStrlen(mem, o, max) : -1;
  if (n >= 0) return n;
  return strlenPair(mem, Number(s & 0xffffffffn) | 0, Number(s >> 32n) | 0, max);
}

/** strnlen on the window from offset o; -1 when it runs past the backed window first. */
function windowStrlen(mem: GuestMemory, o: number, max: number): number {
  const u8 = mem.u8;
  const lim = mem.windowSize - o;
  const end = o + Math.min(max, lim);
  for (let i = o; i < end; i++) if (u8[i] === 0) return i - o;
  return max <= lim ? max : -1;
}

function strlenPair(mem: GuestMemory, lo: number, hi: number, max: number): number {
  let n = 0;
  while (n < max && mem.load8(addLo(lo, n), addHi(lo, hi, n)) !== 0) n++;
  return n;
}

/**
 * memcmp of n bytes at (alo, ahi) and (blo, bhi) starting at index i, through GuestMemory
 * (faults on the first unmapped byte it reaches).
 */
function comparePair(
  mem: GuestMemory,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  i: number,
  n: number,
  strings: boolean,
): number {
  for (; i < n; i++) {
    const x = mem.load8(addLo(alo, i), addHi(alo, ahi, i));
    const y = mem.load8(addLo(blo, i), addHi(blo, bhi, i));
    if (x !== y) return x - y;
    if (strings && x === 0) return 0;
  }
  return 0;
}

/**
 * memcmp (strings = false) or strncmp (true) of arguments 0 and 1 over n bytes: the difference
 * of the first differing bytes as unsigned chars, or 0.
 */
export function compareArgs(mem: GuestMemory, cpu: Cpu, n: number, strings: boolean): number {
  const a = argWindow(cpu, 0);
  const b = argWindow(cpu, 1);
  let i = 0;
  if (a >= 0 && b >= 0) {
    const size = mem.windowSize;
    const room = Math.min(size - a, size - b);
    const end = Math.min(n, room);
    const u8 = mem.u8;
    for (; i < end; i++) {
      const x = u8[a + i]!;
      const y = u8[b + i]!;
      if (x !== y) return x - y;
      if (strings && x === 0) return 0;
    }
    if (i >= n) return 0;
  }
  return comparePair(
    mem,
    argLo(cpu, 0),
    argHi(cpu, 0),
    argLo(cpu, 1),
    argHi(cpu, 1),
    i,
    n,
    strings,
  );
}

/** memset of n bytes at argument 0 to `byte`. */
function fillArg(mem: GuestMemory, cpu: Cpu, byte: number, n: number): void {
  if (n <= 0) return;
  const d = argWindow(cpu, 0);
  if (d >= 0 && windowWritable(mem, d, n)) {
    mem.u8.fill(byte, d, d + n);
    return;
  }
  mem.fill(addressOf(argLo(cpu, 0), argHi(cpu, 0)), n, byte);
}

/** memcpy/memmove of n bytes from argument 1 to argument 0 (overlap-safe). */
function copyArgs(mem: GuestMemory, cpu: Cpu, n: number): void {
  if (n <= 0) return;
  const d = argWindow(cpu, 0);
  const s = argWindow(cpu, 1);
  if (d >= 0 && s >= 0) {
    copyWindow(mem, d, s, n);
    return;
  }
  mem.write(
    addressOf(argLo(cpu, 0), argHi(cpu, 0)),
    mem.read(addressOf(argLo(cpu, 1), argHi(cpu, 1)), n),
  );
}

export function registerLibkern(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const n = (v: bigint) => Number(BigInt.asUintN(63, v));
  const u8 = (a: bigint) => mem.read8(a);

  // memcpy/memmove/memset return their first argument.
  const keepRdi = (cpu: Cpu) => returnArg(cpu, 0);
  t.function('memcpy', 'libkern', (cpu) => {
    copyArgs(mem, cpu, argSize(cpu, 2));
    keepRdi(cpu);
  });
  t.function('memmove', 'libkern', (cpu) => {
    copyArgs(mem, cpu, argSize(cpu, 2));
    keepRdi(cpu);
  });
  t.function('memset', 'libkern', (cpu) => {
    fillArg(mem, cpu, argLo(cpu, 1) & 0xff, argSize(cpu, 2));
    keepRdi(cpu);
  });
  t.function('memcmp', 'libkern', (cpu) => compareArgs(mem, cpu, argSize(cpu, 2), false));
  t.function('bcmp', 'libkern', (cpu) =>
    compareArgs(mem, cpu, argSize(cpu, 2), false) === 0 ? 0 : 1,
  );
  const strlenArg = (cpu: Cpu, max: number) => {
    const o = argWindow(cpu, 0);
    const len = o >= 0 ? windowStrlen(mem, o, max) : -1;
    return len >= 0 ? len : strlenPair(mem, argLo(cpu, 0), argHi(cpu, 0), max);
  };
  t.function('strlen', 'libkern', (cpu) => strlenArg(cpu, 0x7fffffff));
  t.function('strnlen', 'libkern', (cpu) => strlenArg(cpu, argSize(cpu, 1)));
  t.function('strcmp', 'libkern', (cpu) => compareArgs(mem, cpu, 0x7fffffff, true));
  t.function('strncmp', 'libkern', (cpu) => compareArgs(mem, cpu, argSize(cpu, 2), true));
  t.function('strcpy', 'libkern', (cpu) => {
    copyBytes(mem, cpu.arg(0), cpu.arg(1), strlen(mem, cpu.arg(1)) + 1);
    return cpu.arg(0);
  });
  t.function('strncpy', 'libkern', (cpu) => {
    const [d, s, len] = [cpu.arg(0), cpu.arg(1), n(cpu.arg(2))];
    const l = strlen(mem, s, len);
    copyBytes(mem, d, s, l);
    if (l < len) mem.fill(d + BigInt(l), len - l, 0);
    return d;
  });
  t.function('strlcpy', 'libkern', (cpu) => {
    const [d, s, size] = [cpu.arg(0), cpu.arg(1), n(cpu.arg(2))];
    const l = strlen(mem, s);
    if (size > 0) {
      const c = Math.min(l, size - 1);
      copyBytes(mem, d, s, c);
      mem.write8(d + BigInt(c), 0);
    }
    return l;
  });
  t.function('strlcat', 'libkern', (cpu) => {
    const [d, s, size] = [cpu.arg(0), cpu.arg(1), n(cpu.arg(2))];
    const dl = strlen(mem, d, size);
    const sl = strlen(mem, s);
    if (dl === size) return size + sl;
    const c = Math.min(sl, size - dl - 1);
    copyBytes(mem, d + BigInt(dl), s, c);
    mem.write8(d + BigInt(dl + c), 0);
    return dl + sl;
  });
  t.function('strchr', 'libkern', (cpu) => {
    const c = Number(cpu.arg(1) & 0xffn);
    for (let p = cpu.arg(0); ; p++) {
      const b = u8(p);
      if (b === c) return p;
      if (b === 0) return 0n;
    }
  });
  t.function('strrchr', 'libkern', (cpu) => {
    const c = Number(cpu.arg(1) & 0xffn);
    let last = 0n;
    for (let p = cpu.arg(0); ; p++) {
      const b = u8(p);
      if (b === c) last = p;
      if (b === 0) return last;
    }
  });
  // scanc(size, cp, table, mask): index from the end of the first byte whose table entry has a mask bit.
  t.function('scanc', 'libkern', (cpu) => {
    const size = argLo(cpu, 0) >>> 0;
    const cp = argWindow(cpu, 1);
    const table = argWindow(cpu, 2);
    const mask = argLo(cpu, 3) & 0xff;
    let i = 0;
    if (cp >= 0 && table >= 0 && cp + size <= mem.windowSize && table + 256 <= mem.windowSize) {
      const b = mem.u8;
      while (i < size && (b[table + b[cp + i]!]! & mask) === 0) i++;
      return size - i;
    }
    const c = cpu.arg(1);
    const tb = cpu.arg(2);
    while (i < size && (u8(tb + BigInt(u8(c + BigInt(i)))) & mask) === 0) i++;
    return size - i;
  });
  // skpc(mask, size, cp): bytes left from the first byte that differs from mask.
  t.function('skpc', 'libkern', (cpu) => {
    const mask = argLo(cpu, 0) & 0xff;
    const size = argLo(cpu, 1) >>> 0;
    const cp = argWindow(cpu, 2);
    let i = 0;
    if (cp >= 0 && cp + size <= mem.windowSize) {
      const b = mem.u8;
      while (i < size && b[cp + i] === mask) i++;
      return size - i;
    }
    const c = cpu.arg(2);
    while (i < size && u8(c + BigInt(i)) === mask) i++;
    return size - i;
  });
}
