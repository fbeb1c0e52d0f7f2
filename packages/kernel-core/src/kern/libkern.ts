/**
 * The C library of the kernel (common/lib/libc/string, sys/lib/libkern): mem*, str*, scanc,
 * skpc — done natively on guest memory. Bulk copies inside the kernel window are one
 * typed-array operation. Bad pointers fault as they would on NetBSD (a page fault in the
 * kernel is fatal there too); only the copy(9) family returns EFAULT.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import type { Kernel } from '../kernel.js';
import { windowOffset } from '../uvm/uvm_km.js';

/** Copies n bytes (overlap-safe). */
export function copyBytes(mem: GuestMemory, dst: bigint, src: bigint, n: number): void {
  if (n <= 0) return;
  const d = windowOffset(dst);
  const s = windowOffset(src);
  if (d >= 0 && s >= 0 && d + n <= mem.windowSize && s + n <= mem.windowSize) {
    mem.u8.copyWithin(d, s, s + n);
    return;
  }
  mem.write(dst, mem.read(src, n));
}

export function strlen(mem: GuestMemory, s: bigint, max = 0x7fffffff): number {
  const o = windowOffset(s);
  if (o >= 0) {
    const u8 = mem.u8;
    const end = Math.min(u8.length, o + max);
    for (let i = o; i < end; i++) if (u8[i] === 0) return i - o;
    if (end - o >= max) return max;
  }
  let n = 0;
  while (n < max && mem.read8(s + BigInt(n)) !== 0) n++;
  return n;
}

export function registerLibkern(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const n = (v: bigint) => Number(BigInt.asUintN(63, v));
  const u8 = (a: bigint) => mem.read8(a);

  t.function('memcpy', 'libkern', (cpu) => {
    copyBytes(mem, cpu.arg(0), cpu.arg(1), n(cpu.arg(2)));
    return cpu.arg(0);
  });
  t.function('memmove', 'libkern', (cpu) => {
    copyBytes(mem, cpu.arg(0), cpu.arg(1), n(cpu.arg(2)));
    return cpu.arg(0);
  });
  t.function('memset', 'libkern', (cpu) => {
    const len = n(cpu.arg(2));
    if (len > 0) mem.fill(cpu.arg(0), len, Number(cpu.arg(1) & 0xffn));
    return cpu.arg(0);
  });
  const memcmp = (a: bigint, b: bigint, len: number) => {
    for (let i = 0; i < len; i++) {
      const d = u8(a + BigInt(i)) - u8(b + BigInt(i));
      if (d !== 0) return d;
    }
    return 0;
  };
  t.function('memcmp', 'libkern', (cpu) => memcmp(cpu.arg(0), cpu.arg(1), n(cpu.arg(2))));
  t.function('bcmp', 'libkern', (cpu) =>
    memcmp(cpu.arg(0), cpu.arg(1), n(cpu.arg(2))) === 0 ? 0 : 1,
  );
  t.function('strlen', 'libkern', (cpu) => strlen(mem, cpu.arg(0)));
  t.function('strnlen', 'libkern', (cpu) => strlen(mem, cpu.arg(0), n(cpu.arg(1))));
  const strncmp = (a: bigint, b: bigint, len: number) => {
    for (let i = 0; i < len; i++) {
      const x = u8(a + BigInt(i));
      const y = u8(b + BigInt(i));
      if (x !== y) return x - y;
      if (x === 0) return 0;
    }
    return 0;
  };
  t.function('strcmp', 'libkern', (cpu) => strncmp(cpu.arg(0), cpu.arg(1), 0x7fffffff));
  t.function('strncmp', 'libkern', (cpu) => strncmp(cpu.arg(0), cpu.arg(1), n(cpu.arg(2))));
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
    const size = Number(cpu.arg(0) & 0xffffffffn);
    const cp = cpu.arg(1);
    const table = cpu.arg(2);
    const mask = Number(cpu.arg(3) & 0xffn);
    let i = 0;
    while (i < size && (u8(table + BigInt(u8(cp + BigInt(i)))) & mask) === 0) i++;
    return size - i;
  });
  // skpc(mask, size, cp): bytes left from the first byte that differs from mask.
  t.function('skpc', 'libkern', (cpu) => {
    const mask = Number(cpu.arg(0) & 0xffn);
    const size = Number(cpu.arg(1) & 0xffffffffn);
    const cp = cpu.arg(2);
    let i = 0;
    while (i < size && u8(cp + BigInt(i)) === mask) i++;
    return size - i;
  });
}
