/**
 * More of the kernel's C library: strncasecmp (common/lib/libc/string), kheapsort
 * (common/lib/libc/stdlib/heapsort.c, the kernel's name for heapsort) and snprintb
 * (common/lib/libutil/snprintb.c, old-style bit descriptions). Modules beyond ffs call them:
 * cd9660 compares names case-insensitively, ext2fs sorts htree entries and describes feature bits.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import type { Kernel } from '../kernel.js';

const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);

export function strncasecmp(mem: GuestMemory, a: bigint, b: bigint, n: number): number {
  for (let i = 0; i < n; i++) {
    const ca = lower(mem.read8(a + BigInt(i)));
    const cb = lower(mem.read8(b + BigInt(i)));
    if (ca !== cb) return ca - cb;
    if (ca === 0) return 0;
  }
  return 0;
}

/**
 * snprintb's text for `val` with an old-style description: the first byte is the output base
 * (8, 10 or 16), then for each bit its number (1 = least significant) and its name. The
 * new-style format ("\177...") returns undefined.
 */
export function snprintbText(desc: readonly number[], val: bigint): string | undefined {
  const base = desc[0];
  if (base === 0o177) return undefined;
  let s: string;
  if (base === 8) s = `0${val.toString(8)}`;
  else if (base === 16) s = `0x${val.toString(16)}`;
  else if (base === 10) s = val.toString(10);
  else return undefined;
  let any = false;
  let j = 1;
  while (j < desc.length) {
    const bit = desc[j++]!;
    let name = '';
    while (j < desc.length && desc[j]! > 32) name += String.fromCharCode(desc[j++]!);
    if (bit >= 1 && bit <= 64 && val & (1n << BigInt(bit - 1))) {
      s += (any ? ',' : '<') + name;
      any = true;
    }
  }
  return any ? `${s}>` : s;
}

export function registerLibkernExtra(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const n = (v: bigint) => Number(BigInt.asUintN(63, v));
  t.function('strncasecmp', 'libkern', (cpu) =>
    BigInt.asUintN(64, BigInt(strncasecmp(mem, cpu.arg(0), cpu.arg(1), n(cpu.arg(2))))),
  );
  // kheapsort(base, nmemb, size, cmp, tmp): sorts with the caller's comparison (run in the
  // guest on the elements where they lie), then moves the elements into order at once.
  t.function('kheapsort', 'libkern', (cpu) => {
    const base = cpu.arg(0);
    const count = n(cpu.arg(1));
    const size = n(cpu.arg(2));
    const cmp = cpu.arg(3);
    if (count <= 1 || size === 0) return 0;
    const order = Array.from({ length: count }, (_, i) => i);
    const at = (i: number) => base + BigInt(i * size);
    order.sort((x, y) => Number(BigInt.asIntN(32, k.callGuest(cmp, at(x), at(y)))));
    const bytes = mem.read(base, count * size);
    const sorted = new Uint8Array(count * size);
    order.forEach((from, to) => {
      sorted.set(bytes.subarray(from * size, (from + 1) * size), to * size);
    });
    mem.write(base, sorted);
    return 0;
  });
  // snprintb(buf, bufsize, fmt, val): like snprintf, the length of the whole text.
  t.function('snprintb', 'libkern', (cpu) => {
    const buf = cpu.arg(0);
    const size = n(cpu.arg(1));
    const fmt = cpu.arg(2);
    const val = cpu.arg(3);
    const desc: number[] = [];
    for (let i = 0; i < 4096; i++) {
      const c = mem.read8(fmt + BigInt(i));
      if (c === 0) break;
      desc.push(c);
    }
    const text = snprintbText(desc, val);
    if (text === undefined)
      k.panic('kernel function snprintb: new-style (\\177) bit formats are not implemented yet');
    const enc = new TextEncoder().encode(text);
    if (size > 0) {
      const len = Math.min(enc.length, size - 1);
      mem.write(buf, enc.subarray(0, len));
      mem.write8(buf + BigInt(len), 0);
    }
    return enc.length;
  });
}
