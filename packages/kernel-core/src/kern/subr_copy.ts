/**
 * copy(9): copyin/copyout/copyinstr/copyoutstr/copystr/kcopy and uiomove(9). A rump kernel and
 * its callers share one address space, so "user" addresses are guest addresses too; an
 * unmapped address makes these return EFAULT instead of faulting, as copy(9) promises.
 */
import type { Cpu, GuestMemory } from '@rump/cpu-x86';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Structs } from '../abi/profile.js';
import type { Kernel } from '../kernel.js';
import { argHi, argLo, argSize } from './hostcall.js';
import { addressOf, copyBytes, copyWindow, windowWritable } from './libkern.js';

const TWO32 = 4294967296;
const addLo = (lo: number, i: number): number => ((lo >>> 0) + i) | 0;
const addHi = (lo: number, hi: number, i: number): number =>
  (hi + Math.floor(((lo >>> 0) + i) / TWO32)) | 0;
/** Window offset of (lo, hi), or -1. */
const win = (lo: number, hi: number): number => (hi === -1 && lo < 0 ? lo & 0x7fffffff : -1);

/**
 * The high half of "host" addresses: byte i of the host buffer in hostIov is (i, HOST_IOV_HI).
 * A read's uio may point its iovec there, so uiomove(9) copies from the page cache straight
 * into the caller's Uint8Array, as rump's copyout writes into its client's memory. The address
 * is non-canonical on x86-64: guest code that dereferenced it instead of going through
 * copy(9)/uiomove(9) would fault (#GP) rather than touch anything.
 */
export const HOST_IOV_HI = 0x4000_0000;
/** The host buffer behind HOST_IOV_HI addresses while a transfer uses it (else null). */
export const hostIov: { bytes: Uint8Array | null } = { bytes: null };

/** True when [lo, lo+len) at HOST_IOV_HI lies inside the current host buffer. */
function hostRange(lo: number, len: number): boolean {
  const h = hostIov.bytes;
  return h !== null && (lo >>> 0) + len <= h.length;
}

/** copyPairs when one side is a host address (hi === HOST_IOV_HI): 0 or EFAULT. */
function copyHost(
  mem: GuestMemory,
  slo: number,
  shi: number,
  dlo: number,
  dhi: number,
  len: number,
): number {
  const h = hostIov.bytes;
  if (h === null) return errno.EFAULT;
  if (dhi === HOST_IOV_HI) {
    if (shi === HOST_IOV_HI || !hostRange(dlo, len)) return errno.EFAULT;
    const d = dlo >>> 0;
    const s = win(slo, shi);
    if (s >= 0) {
      if (s + len > mem.windowSize) return errno.EFAULT;
      h.set(mem.u8.subarray(s, s + len), d);
      return 0;
    }
    const src = addressOf(slo, shi);
    if (!mem.isMapped(src, len)) return errno.EFAULT;
    mem.readInto(src, h.subarray(d, d + len));
    return 0;
  }
  if (!hostRange(slo, len)) return errno.EFAULT;
  const from = h.subarray(slo >>> 0, (slo >>> 0) + len);
  const d = win(dlo, dhi);
  if (d >= 0) {
    if (d + len > mem.windowSize) return errno.EFAULT;
    // Straight into the window unless the destination holds decoded guest code.
    if (windowWritable(mem, d, len)) mem.u8.set(from, d);
    else mem.write(addressOf(dlo, dhi), from);
    return 0;
  }
  const dst = addressOf(dlo, dhi);
  if (!mem.isMapped(dst, len)) return errno.EFAULT;
  mem.write(dst, from);
  return 0;
}

/**
 * copy(9)'s transfer of len bytes from (slo, shi) to (dlo, dhi): 0, or EFAULT (nothing copied)
 * when either range is not entirely mapped. Window to window is one typed-array copy.
 */
export function copyPairs(
  mem: GuestMemory,
  slo: number,
  shi: number,
  dlo: number,
  dhi: number,
  len: number,
): number {
  if (len === 0) return 0;
  const s = win(slo, shi);
  const d = win(dlo, dhi);
  if (s >= 0 && d >= 0) {
    if (s + len > mem.windowSize || d + len > mem.windowSize) return errno.EFAULT;
    copyWindow(mem, d, s, len);
    return 0;
  }
  if (dhi === HOST_IOV_HI || shi === HOST_IOV_HI) return copyHost(mem, slo, shi, dlo, dhi, len);
  const src = addressOf(slo, shi);
  const dst = addressOf(dlo, dhi);
  if (!mem.isMapped(src, len) || !mem.isMapped(dst, len)) return errno.EFAULT;
  copyBytes(mem, dst, src, len);
  return 0;
}

/**
 * copystr(from, to, max): copies through the NUL; returns the error (0, ENAMETOOLONG when no
 * NUL within max bytes, EFAULT at the first unmapped byte) and sets `copied` to the bytes
 * copied, NUL included, as *done receives them.
 */
export function copyString(
  mem: GuestMemory,
  flo: number,
  fhi: number,
  tlo: number,
  thi: number,
  max: number,
  result: { copied: number },
): number {
  const f = win(flo, fhi);
  const t = win(tlo, thi);
  if (f >= 0 && t >= 0) {
    // Both in the window: find the end in the source, then copy once. What lies past the
    // backed end of either is unmapped (EFAULT after copying what fits, as byte by byte would).
    const u8 = mem.u8;
    const size = mem.windowSize;
    const room = Math.min(size - f, size - t);
    const lim = Math.min(max, room);
    let i = 0;
    while (i < lim && u8[f + i] !== 0) i++;
    if (i < lim) {
      copyWindow(mem, t, f, i + 1);
      result.copied = i + 1;
      return 0;
    }
    copyWindow(mem, t, f, lim);
    result.copied = lim;
    return lim === max ? errno.ENAMETOOLONG : errno.EFAULT;
  }
  let i = 0;
  let err: number = errno.ENAMETOOLONG;
  for (; i < max; i++) {
    const from = addressOf(addLo(flo, i), addHi(flo, fhi, i));
    const to = addressOf(addLo(tlo, i), addHi(tlo, thi, i));
    if (!mem.isMapped(from, 1) || !mem.isMapped(to, 1)) {
      err = errno.EFAULT;
      break;
    }
    const b = mem.read8(from);
    mem.write8(to, b);
    if (b === 0) {
      i++;
      err = 0;
      break;
    }
  }
  result.copied = i;
  return err;
}

export function registerCopy(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const copy = (cpu: Cpu) =>
    copyPairs(mem, argLo(cpu, 0), argHi(cpu, 0), argLo(cpu, 1), argHi(cpu, 1), argSize(cpu, 2));
  t.function('copyin', 'copy', copy);
  t.function('copyout', 'copy', copy);
  t.function('kcopy', 'copy', copy);
  // copystr(from, to, maxlen, *done): copies through the NUL; ENAMETOOLONG when none fits.
  const done = { copied: 0 };
  const copystr = (cpu: Cpu) => {
    const err = copyString(
      mem,
      argLo(cpu, 0),
      argHi(cpu, 0),
      argLo(cpu, 1),
      argHi(cpu, 1),
      argSize(cpu, 2),
      done,
    );
    const dlo = argLo(cpu, 3);
    const dhi = argHi(cpu, 3);
    if (dlo !== 0 || dhi !== 0) mem.store64(dlo, dhi, done.copied | 0, 0);
    return err;
  };
  for (const name of ['copystr', 'copyinstr', 'copyoutstr']) t.function(name, 'copy', copystr);

  const uio = new Uiomove(mem, k.S, (m) => k.panic(m));
  /** uiomove(buf, n, uio): moves up to n bytes between buf and the uio's iovecs, advancing the uio. */
  t.function('uiomove', 'copy', (cpu) =>
    uio.move(argLo(cpu, 0), argHi(cpu, 0), argSize(cpu, 1), argLo(cpu, 2), argHi(cpu, 2)),
  );
  const U = k.S.uio;
  t.function('uio_setup_sysspace', 'copy', (cpu) => {
    mem.write64(cpu.arg(0) + BigInt(U.uio_vmspace.offset), k.vmspaceKernel);
  });
}

/**
 * uiomove(9) on GuestMemory's int32-pair API (no BigInt): what the `uiomove` kernel function
 * does, callable straight from the kernel's TypeScript (UBC's copies) without a trip through
 * the CPU.
 */
export class Uiomove {
  private readonly RW: number;
  private readonly RESID: number;
  private readonly IOVCNT: number;
  private readonly IOVP: number;
  private readonly OFFSET: number;
  private readonly BASE: number;
  private readonly LEN: number;
  private readonly IOVSIZE: number;

  constructor(
    private readonly mem: GuestMemory,
    S: Structs,
    private readonly panic: (message: string) => never,
  ) {
    this.RW = S.uio.uio_rw.offset;
    this.RESID = S.uio.uio_resid.offset;
    this.IOVCNT = S.uio.uio_iovcnt.offset;
    this.IOVP = S.uio.uio_iov.offset;
    this.OFFSET = S.uio.uio_offset.offset;
    this.BASE = S.iovec.iov_base.offset;
    this.LEN = S.iovec.iov_len.offset;
    this.IOVSIZE = S.iovec.$size;
  }

  /** UIO_READ (0) or UIO_WRITE (1) of the uio at (ulo, uhi). */
  rw(ulo: number, uhi: number): number {
    return this.mem.load32(addLo(ulo, this.RW), addHi(ulo, uhi, this.RW));
  }

  /**
   * True when the next `n` bytes of the uio's iovecs (or all it has left) are mapped guest
   * memory, so a uiomove of n bytes cannot stop part way with EFAULT.
   */
  mapped(n: number, ulo: number, uhi: number): boolean {
    const mem = this.mem;
    const rlo = mem.load64(addLo(ulo, this.RESID), addHi(ulo, uhi, this.RESID));
    let left = Math.min(n, (mem.hi >>> 0) * TWO32 + (rlo >>> 0));
    let cnt = mem.load32(addLo(ulo, this.IOVCNT), addHi(ulo, uhi, this.IOVCNT));
    let ilo = mem.load64(addLo(ulo, this.IOVP), addHi(ulo, uhi, this.IOVP));
    let ihi = mem.hi;
    while (left > 0) {
      if (cnt <= 0) return false;
      const baseLo = mem.load64(addLo(ilo, this.BASE), addHi(ilo, ihi, this.BASE));
      const baseHi = mem.hi;
      const llo = mem.load64(addLo(ilo, this.LEN), addHi(ilo, ihi, this.LEN));
      const len = Math.min((mem.hi >>> 0) * TWO32 + (llo >>> 0), left);
      if (len > 0) {
        const w = win(baseLo, baseHi);
        if (w >= 0) {
          if (w + len > mem.windowSize) return false;
        } else if (baseHi === HOST_IOV_HI) {
          if (!hostRange(baseLo, len)) return false;
        } else if (!mem.isMapped(addressOf(baseLo, baseHi), len)) return false;
      }
      left -= len;
      cnt--;
      ihi = addHi(ilo, ihi, this.IOVSIZE);
      ilo = addLo(ilo, this.IOVSIZE);
    }
    return true;
  }

  /** uiomove(buf, n, uio) with buf = (blo, bhi) and uio = (ulo, uhi): 0 or EFAULT. */
  move(blo: number, bhi: number, n: number, ulo: number, uhi: number): number {
    const mem = this.mem;
    const { BASE, LEN } = this;
    // The uio's fields, as (lo, hi) pairs computed once (no closures: this runs per copy).
    const rwLo = addLo(ulo, this.RW);
    const rwHi = addHi(ulo, uhi, this.RW);
    const rsLo = addLo(ulo, this.RESID);
    const rsHi = addHi(ulo, uhi, this.RESID);
    const icLo = addLo(ulo, this.IOVCNT);
    const icHi = addHi(ulo, uhi, this.IOVCNT);
    const ipLo = addLo(ulo, this.IOVP);
    const ipHi = addHi(ulo, uhi, this.IOVP);
    const ofLo = addLo(ulo, this.OFFSET);
    const ofHi = addHi(ulo, uhi, this.OFFSET);
    const rw = mem.load32(rwLo, rwHi);
    let left = n;
    while (left > 0) {
      const rlo = mem.load64(rsLo, rsHi);
      const resid = (mem.hi >>> 0) * TWO32 + (rlo >>> 0);
      if (resid === 0) break;
      const cnt = mem.load32(icLo, icHi);
      if (cnt <= 0) this.panic('uiomove: uio_resid > 0 but no iovecs left');
      const ilo = mem.load64(ipLo, ipHi);
      const ihi = mem.hi;
      const baseLo = mem.load64(addLo(ilo, BASE), addHi(ilo, ihi, BASE));
      const baseHi = mem.hi;
      const llo = mem.load64(addLo(ilo, LEN), addHi(ilo, ihi, LEN));
      const len = (mem.hi >>> 0) * TWO32 + (llo >>> 0);
      if (len === 0) {
        mem.store64(ipLo, ipHi, addLo(ilo, this.IOVSIZE), addHi(ilo, ihi, this.IOVSIZE));
        mem.store32(icLo, icHi, cnt - 1);
        continue;
      }
      const c = Math.min(len, left);
      // UIO_READ: kernel → iov
      const err =
        rw === 0
          ? copyPairs(mem, blo, bhi, baseLo, baseHi, c)
          : copyPairs(mem, baseLo, baseHi, blo, bhi, c);
      if (err) return err;
      const base2 = addLo(baseLo, c);
      mem.store64(addLo(ilo, BASE), addHi(ilo, ihi, BASE), base2, addHi(baseLo, baseHi, c));
      const rest = len - c;
      mem.store64(addLo(ilo, LEN), addHi(ilo, ihi, LEN), (rest % TWO32) | 0, (rest / TWO32) | 0);
      const r2 = resid - c;
      mem.store64(rsLo, rsHi, (r2 % TWO32) | 0, (r2 / TWO32) | 0);
      const olo = mem.load64(ofLo, ofHi);
      const ohi = mem.hi;
      mem.store64(ofLo, ofHi, addLo(olo, c), addHi(olo, ohi, c));
      bhi = addHi(blo, bhi, c);
      blo = addLo(blo, c);
      left -= c;
    }
    return 0;
  }
}
