/**
 * copy(9): copyin/copyout/copyinstr/copyoutstr/copystr/kcopy and uiomove(9). A rump kernel and
 * its callers share one address space, so "user" addresses are guest addresses too; an
 * unmapped address makes these return EFAULT instead of faulting, as copy(9) promises.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';
import { copyBytes } from './libkern.js';

export function registerCopy(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const n = (v: bigint) => Number(BigInt.asUintN(63, v));
  const mapped = (a: bigint, len: number) => len === 0 || mem.isMapped(a, len);
  const copy = (src: bigint, dst: bigint, len: number) => {
    if (!mapped(src, len) || !mapped(dst, len)) return errno.EFAULT;
    copyBytes(mem, dst, src, len);
    return 0;
  };
  t.function('copyin', 'copy', (cpu) => copy(cpu.arg(0), cpu.arg(1), n(cpu.arg(2))));
  t.function('copyout', 'copy', (cpu) => copy(cpu.arg(0), cpu.arg(1), n(cpu.arg(2))));
  t.function('kcopy', 'copy', (cpu) => copy(cpu.arg(0), cpu.arg(1), n(cpu.arg(2))));
  // copystr(from, to, maxlen, *done): copies through the NUL; ENAMETOOLONG when none fits.
  const copystr = (from: bigint, to: bigint, max: number, done: bigint) => {
    let i = 0;
    let err: number = errno.ENAMETOOLONG;
    for (; i < max; i++) {
      if (!mem.isMapped(from + BigInt(i), 1) || !mem.isMapped(to + BigInt(i), 1)) {
        err = errno.EFAULT;
        break;
      }
      const b = mem.read8(from + BigInt(i));
      mem.write8(to + BigInt(i), b);
      if (b === 0) {
        i++;
        err = 0;
        break;
      }
    }
    if (done !== 0n) mem.write64(done, BigInt(i));
    return err;
  };
  for (const name of ['copystr', 'copyinstr', 'copyoutstr']) {
    t.function(name, 'copy', (cpu) => copystr(cpu.arg(0), cpu.arg(1), n(cpu.arg(2)), cpu.arg(3)));
  }

  const U = k.S.uio;
  const IOV = k.S.iovec;
  /** uiomove(buf, n, uio): moves up to n bytes between buf and the uio's iovecs, advancing the uio. */
  t.function('uiomove', 'copy', (cpu) => {
    let buf = cpu.arg(0);
    let left = n(cpu.arg(1));
    const uio = cpu.arg(2);
    const rw = mem.read32(uio + BigInt(U.uio_rw.offset));
    while (left > 0) {
      const resid = mem.read64(uio + BigInt(U.uio_resid.offset));
      if (resid === 0n) break;
      const cnt = mem.read32(uio + BigInt(U.uio_iovcnt.offset));
      if (cnt <= 0) k.panic('uiomove: uio_resid > 0 but no iovecs left');
      const iov = mem.read64(uio + BigInt(U.uio_iov.offset));
      const base = mem.read64(iov + BigInt(IOV.iov_base.offset));
      const len = Number(mem.read64(iov + BigInt(IOV.iov_len.offset)));
      if (len === 0) {
        mem.write64(uio + BigInt(U.uio_iov.offset), iov + BigInt(IOV.$size));
        mem.write32(uio + BigInt(U.uio_iovcnt.offset), cnt - 1);
        continue;
      }
      const c = Math.min(len, left);
      const err = rw === 0 ? copy(buf, base, c) : copy(base, buf, c); // UIO_READ: kernel → iov
      if (err) return err;
      mem.write64(iov + BigInt(IOV.iov_base.offset), base + BigInt(c));
      mem.write64(iov + BigInt(IOV.iov_len.offset), BigInt(len - c));
      mem.write64(uio + BigInt(U.uio_resid.offset), resid - BigInt(c));
      const off = uio + BigInt(U.uio_offset.offset);
      mem.write64(off, mem.read64(off) + BigInt(c));
      buf += BigInt(c);
      left -= c;
    }
    return 0;
  });
  t.function('uio_setup_sysspace', 'copy', (cpu) => {
    mem.write64(cpu.arg(0) + BigInt(U.uio_vmspace.offset), k.vmspaceKernel);
  });
}
