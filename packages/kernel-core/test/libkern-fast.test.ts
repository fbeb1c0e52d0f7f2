/**
 * The typed-array fast paths of libkern and copy(9): the same results inside the kernel window
 * (Uint8Array offsets) and outside it (a mapped region, through GuestMemory), overlapping moves,
 * page crossings, the backed end of the window, code-page writes reported to the CPU, and typed
 * faults on unmapped addresses; and the mutex fast paths.
 */
import { KERNEL_WINDOW_BASE } from '@rump/cpu-x86';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it, vi } from 'vitest';
import { ipl, locks } from '../src/abi/netbsd-10.99/constants.js';
import { createKernel, errno, GuestFault, type Kernel, KernelPanic } from '../src/index.js';
import { PREEMPT_CLOCK_EVERY } from '../src/kern/spl.js';

/** A mapped region outside the kernel window, as a user buffer would be. */
const USER = 0x7f00_0000_0000n;
const USER_SIZE = 0x10000;

const boot = () => {
  const host = new MemoryHost({ time: 'virtual' });
  const k = createKernel({ host });
  k.mem.mapRegion(USER, USER_SIZE, 'user');
  return { k, host };
};
const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  k.callGuest(k.ksyms.resolve(name)!, ...args);
const int = (v: bigint) => Number(BigInt.asIntN(64, v));
const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
const faultOf = (fn: () => unknown): GuestFault => {
  try {
    fn();
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
  throw new Error('no fault');
};

describe('memcmp / bcmp / strcmp / strncmp', () => {
  it('agree inside the window, outside it and across both; results are signed ints', () => {
    const { k } = boot();
    const w = call(k, 'kmem_zalloc', 64, 1);
    const data = bytes(40, 3);
    k.mem.write(w, data);
    k.mem.write(USER + 8n, data);
    for (const [a, b] of [
      [w, w + 0n],
      [w, USER + 8n],
      [USER + 8n, w],
      [USER + 8n, USER + 8n],
    ] as const) {
      expect(call(k, 'memcmp', a, b, 40)).toBe(0n);
      expect(call(k, 'bcmp', a, b, 40)).toBe(0n);
    }
    k.mem.write8(USER + 8n + 30n, data[30]! + 5);
    expect(int(call(k, 'memcmp', w, USER + 8n, 40))).toBe(-5);
    expect(int(call(k, 'memcmp', USER + 8n, w, 40))).toBe(5);
    expect(call(k, 'memcmp', w, USER + 8n, 30)).toBe(0n);
    expect(call(k, 'bcmp', w, USER + 8n, 40)).toBe(1n);
    // Unsigned chars: 0xff > 0x01.
    k.mem.write8(w, 0xff);
    k.mem.write8(USER + 8n, 0x01);
    expect(int(call(k, 'memcmp', w, USER + 8n, 1))).toBe(0xfe);
    expect(call(k, 'memcmp', w, 0n, 0)).toBe(0n);

    const s1 = k.kdata.string('directory');
    const s2 = k.kdata.string('director');
    k.mem.write(USER + 0x100n, new TextEncoder().encode('directory\0'));
    expect(call(k, 'strcmp', s1, USER + 0x100n)).toBe(0n);
    expect(int(call(k, 'strcmp', s1, s2))).toBe('y'.charCodeAt(0));
    expect(int(call(k, 'strcmp', s2, USER + 0x100n))).toBe(-'y'.charCodeAt(0));
    expect(call(k, 'strncmp', s1, s2, 8)).toBe(0n);
    // strncmp stops at the NUL even when n is larger.
    expect(call(k, 'strncmp', s1, USER + 0x100n, 1000)).toBe(0n);
  });

  it('runs into the backed end of the window: a difference before it returns, equal bytes fault there', () => {
    const { k } = boot();
    const end = KERNEL_WINDOW_BASE + BigInt(k.mem.windowSize);
    const a = end - 4n;
    const b = call(k, 'kmem_zalloc', 16, 1);
    k.mem.write(a, Uint8Array.of(1, 2, 3, 4));
    k.mem.write(b, Uint8Array.of(1, 2, 9, 4));
    expect(int(call(k, 'memcmp', a, b, 8))).toBe(3 - 9);
    k.mem.write8(b + 2n, 3);
    const f = faultOf(() => call(k, 'memcmp', a, b, 8));
    expect(f.kind).toBe('PageFault');
    expect(f.message).toContain(end.toString(16));
  });

  it('fault (typed) on an unmapped pointer', () => {
    const { k } = boot();
    const w = call(k, 'kmem_zalloc', 16, 1);
    const f = faultOf(() => call(k, 'memcmp', w, 0x1000n, 4));
    expect(f.kind).toBe('PageFault');
    expect(f.message).toContain('1000');
    const { k: k2 } = boot();
    expect(faultOf(() => call(k2, 'strlen', 0x2000n)).kind).toBe('PageFault');
  });
});

describe('memcpy / memmove / memset', () => {
  it('copy within the window, to and from a region, across pages, and return the destination', () => {
    const { k } = boot();
    const src = call(k, 'kmem_alloc', 3 * 4096, 1);
    const dst = call(k, 'kmem_zalloc', 3 * 4096, 1);
    const data = bytes(3 * 4096 - 10, 11);
    k.mem.write(src + 5n, data);
    expect(call(k, 'memcpy', dst + 3n, src + 5n, data.length)).toBe(dst + 3n);
    expect(k.mem.read(dst + 3n, data.length)).toEqual(data);
    expect(k.mem.read8(dst + 2n)).toBe(0);
    // Small copies (byte loop) as well as large ones (copyWithin).
    expect(call(k, 'memcpy', dst, src + 5n, 3)).toBe(dst);
    expect(k.mem.read(dst, 3)).toEqual(data.subarray(0, 3));
    // Window → region → window.
    expect(call(k, 'memcpy', USER + 4093n, src + 5n, 5000)).toBe(USER + 4093n);
    expect(k.mem.read(USER + 4093n, 5000)).toEqual(data.subarray(0, 5000));
    call(k, 'memset', dst, 0, 3 * 4096);
    expect(call(k, 'memcpy', dst + 1n, USER + 4093n, 5000)).toBe(dst + 1n);
    expect(k.mem.read(dst + 1n, 5000)).toEqual(data.subarray(0, 5000));
  });

  it('memmove handles overlap in both directions, small and large', () => {
    const { k } = boot();
    for (const n of [7, 32, 33, 1000]) {
      for (const shift of [1, -1, 5, -5]) {
        const p = call(k, 'kmem_zalloc', 2048, 1);
        const data = bytes(n, n);
        k.mem.write(p + 100n, data);
        call(k, 'memmove', p + 100n + BigInt(shift), p + 100n, n);
        expect(k.mem.read(p + 100n + BigInt(shift), n)).toEqual(data);
        call(k, 'kmem_free', p, 2048);
      }
    }
    // Overlap outside the window too.
    const data = bytes(300, 1);
    k.mem.write(USER + 10n, data);
    call(k, 'memmove', USER + 12n, USER + 10n, 300);
    expect(k.mem.read(USER + 12n, 300)).toEqual(data);
  });

  it('memset fills in and out of the window and returns the destination', () => {
    const { k } = boot();
    const p = call(k, 'kmem_zalloc', 8192, 1);
    expect(call(k, 'memset', p + 1n, 0x1ab, 8190)).toBe(p + 1n);
    const got = k.mem.read(p, 8192);
    expect(got[0]).toBe(0);
    expect(got[8191]).toBe(0);
    expect(got.subarray(1, 8191).every((b) => b === 0xab)).toBe(true);
    expect(call(k, 'memset', USER, 0x5a, 4100)).toBe(USER);
    expect(k.mem.read(USER, 4100).every((b) => b === 0x5a)).toBe(true);
  });

  it('writes into lines holding decoded code are reported to the CPU', () => {
    const { k } = boot();
    const p = call(k, 'kmem_zalloc', 4096, 1);
    const seen: number[] = [];
    k.mem.onCodeWrite((_lo, _hi, n) => seen.push(n));
    const lo = Number(p & 0xffffffffn) | 0;
    k.mem.markCode((lo + 1024) | 0, -1);
    call(k, 'memset', p, 0x90, 512);
    expect(seen).toEqual([]);
    call(k, 'memset', p + 1000n, 0x90, 100);
    expect(seen.length).toBe(1);
    call(k, 'memcpy', p + 1100n, p, 16);
    expect(seen.length).toBe(2);
    expect(k.mem.read(p + 1100n, 16).every((b) => b === 0x90)).toBe(true);
  });

  it('fault (typed) on an unmapped destination, before writing anything', () => {
    const { k } = boot();
    const p = call(k, 'kmem_alloc', 64, 1);
    const f = faultOf(() => call(k, 'memcpy', USER + BigInt(USER_SIZE) - 8n, p, 16));
    expect(f.kind).toBe('PageFault');
    const { k: k2 } = boot();
    expect(faultOf(() => call(k2, 'memset', 0x3000n, 0, 4)).kind).toBe('PageFault');
  });
});

describe('copy(9) and uiomove', () => {
  it('copyin/copyout/kcopy: EFAULT for unmapped or partly mapped ranges, copies otherwise', () => {
    const { k } = boot();
    const kbuf = call(k, 'kmem_zalloc', 8192, 1);
    const data = bytes(6000, 9);
    k.mem.write(USER + 100n, data);
    expect(Number(call(k, 'copyin', USER + 100n, kbuf, 6000))).toBe(0);
    expect(k.mem.read(kbuf, 6000)).toEqual(data);
    expect(Number(call(k, 'copyout', kbuf, USER + 0x8000n, 6000))).toBe(0);
    expect(k.mem.read(USER + 0x8000n, 6000)).toEqual(data);
    expect(Number(call(k, 'kcopy', kbuf, kbuf + 1n, 6000))).toBe(0);
    expect(k.mem.read(kbuf + 1n, 6000)).toEqual(data);
    const end = KERNEL_WINDOW_BASE + BigInt(k.mem.windowSize);
    expect(Number(call(k, 'copyout', kbuf, end - 10n, 20))).toBe(errno.EFAULT);
    expect(Number(call(k, 'copyin', USER + BigInt(USER_SIZE) - 10n, kbuf, 20))).toBe(errno.EFAULT);
    expect(Number(call(k, 'copyin', 0x1000n, kbuf, 4))).toBe(errno.EFAULT);
    expect(Number(call(k, 'copyin', 0x1000n, kbuf, 0))).toBe(0);
  });

  it('copystr/copyinstr/copyoutstr: done counts the NUL; ENAMETOOLONG; EFAULT at the end of memory', () => {
    const { k } = boot();
    const done = call(k, 'kmem_zalloc', 8, 1);
    const d = call(k, 'kmem_zalloc', 64, 1);
    const s = k.kdata.string('volume');
    for (const [from, to] of [
      [s, d],
      [s, USER],
    ] as const) {
      expect(Number(call(k, 'copystr', from, to, 64, done))).toBe(0);
      expect(k.mem.readCString(to)).toBe('volume');
      expect(k.mem.read64(done)).toBe(7n);
      expect(Number(call(k, 'copyoutstr', from, to + 32n, 6, done))).toBe(errno.ENAMETOOLONG);
      expect(k.mem.read64(done)).toBe(6n);
      expect(Number(call(k, 'copyinstr', from, to, 7, 0))).toBe(0);
    }
    k.mem.write(USER + 0x200n, new TextEncoder().encode('user\0'));
    expect(Number(call(k, 'copyinstr', USER + 0x200n, d, 64, done))).toBe(0);
    expect(k.mem.readCString(d)).toBe('user');
    expect(k.mem.read64(done)).toBe(5n);
    // A string running into the end of the backed window, or of the region: EFAULT after what fits.
    const end = KERNEL_WINDOW_BASE + BigInt(k.mem.windowSize);
    k.mem.write(end - 3n, Uint8Array.of(0x61, 0x62, 0x63));
    expect(Number(call(k, 'copyinstr', end - 3n, d, 64, done))).toBe(errno.EFAULT);
    expect(k.mem.read64(done)).toBe(3n);
    expect(k.mem.read(d, 3)).toEqual(Uint8Array.of(0x61, 0x62, 0x63));
    const rend = USER + BigInt(USER_SIZE);
    k.mem.write(rend - 2n, Uint8Array.of(0x78, 0x79));
    expect(Number(call(k, 'copyinstr', rend - 2n, d, 64, done))).toBe(errno.EFAULT);
    expect(k.mem.read64(done)).toBe(2n);
  });

  it('uiomove moves between a kernel buffer and iovecs in and out of the window, advancing the uio', () => {
    const { k } = boot();
    const U = k.S.uio;
    const IOV = k.S.iovec;
    const kbuf = call(k, 'kmem_zalloc', 10000, 1);
    const data = bytes(10000, 4);
    k.mem.write(kbuf, data);
    const wbuf = call(k, 'kmem_zalloc', 4096, 1);
    const iov = call(k, 'kmem_zalloc', 3 * IOV.$size, 1);
    const uio = call(k, 'kmem_zalloc', U.$size, 1);
    const at = (base: bigint, f: { offset: number }) => base + BigInt(f.offset);
    const setIov = (i: number, base: bigint, len: number) => {
      k.mem.write64(at(iov + BigInt(i * IOV.$size), IOV.iov_base), base);
      k.mem.write64(at(iov + BigInt(i * IOV.$size), IOV.iov_len), BigInt(len));
    };
    setIov(0, wbuf, 3000);
    setIov(1, 0n, 0); // empty: skipped
    setIov(2, USER + 4000n, 5000); // crosses a page of the region
    k.mem.write64(at(uio, U.uio_iov), iov);
    k.mem.write32(at(uio, U.uio_iovcnt), 3);
    k.mem.write64(at(uio, U.uio_offset), 0xffff_fff0n); // carries into the high half
    k.mem.write64(at(uio, U.uio_resid), 8000n);
    k.mem.write32(at(uio, U.uio_rw), 0); // UIO_READ: kernel → iovecs
    expect(Number(call(k, 'uiomove', kbuf, 7000, uio))).toBe(0);
    expect(k.mem.read(wbuf, 3000)).toEqual(data.subarray(0, 3000));
    expect(k.mem.read(USER + 4000n, 4000)).toEqual(data.subarray(3000, 7000));
    expect(k.mem.read64(at(uio, U.uio_resid))).toBe(1000n);
    expect(k.mem.read64(at(uio, U.uio_offset))).toBe(0xffff_fff0n + 7000n);
    expect(k.mem.read32(at(uio, U.uio_iovcnt))).toBe(1);
    expect(k.mem.read64(at(uio, U.uio_iov))).toBe(iov + BigInt(2 * IOV.$size));
    expect(k.mem.read64(at(iov + BigInt(2 * IOV.$size), IOV.iov_base))).toBe(USER + 8000n);
    expect(k.mem.read64(at(iov + BigInt(2 * IOV.$size), IOV.iov_len))).toBe(1000n);
    // UIO_WRITE: iovecs → kernel; stops at uio_resid.
    k.mem.write32(at(uio, U.uio_rw), 1);
    k.mem.write(USER + 8000n, data.subarray(0, 1000));
    const into = call(k, 'kmem_zalloc', 2000, 1);
    expect(Number(call(k, 'uiomove', into, 2000, uio))).toBe(0);
    expect(k.mem.read(into, 1000)).toEqual(data.subarray(0, 1000));
    expect(k.mem.read64(at(uio, U.uio_resid))).toBe(0n);
    // An iovec pointing at unmapped memory: EFAULT.
    setIov(0, 0x1000n, 10);
    k.mem.write64(at(uio, U.uio_iov), iov);
    k.mem.write32(at(uio, U.uio_iovcnt), 1);
    k.mem.write64(at(uio, U.uio_resid), 10n);
    expect(Number(call(k, 'uiomove', into, 10, uio))).toBe(errno.EFAULT);
  });
});

describe('preempt_point', () => {
  it('reads no clock while nothing is armed; runs a due callout within PREEMPT_CLOCK_EVERY calls', () => {
    const host = new MemoryHost({ time: 'virtual' });
    const fired: bigint[] = [];
    let preempted = 0;
    const k = createKernel({
      host,
      extend: (k) => {
        k.ksyms.function('test_callout_fn', 'test', (cpu) => void fired.push(cpu.arg(0)));
        k.ksyms.function('test_loop', 'test', (cpu) => {
          const n = Number(cpu.arg(0));
          for (let i = 0; i < n; i++) {
            call(k, 'preempt_point');
            preempted++;
            if (fired.length) break;
          }
        });
      },
    });
    let reads = 0;
    const clock = host.clockGettime.bind(host);
    host.clockGettime = (which) => {
      reads++;
      return clock(which);
    };
    const before = reads;
    for (let i = 0; i < 200; i++) call(k, 'preempt_point');
    // Each outer entry refreshes the kernel's clocks (a fixed number of reads), no more.
    const perEntry = (reads - before) / 200;
    expect(perEntry).toBeLessThanOrEqual(2);
    const c = call(k, 'kmem_zalloc', 80, 1);
    call(k, 'callout_init', c, 0);
    call(k, 'callout_reset', c, 1, k.ksyms.resolve('test_callout_fn')!, 5);
    host.advanceTime(20_000_000n);
    call(k, 'test_loop', 10 * PREEMPT_CLOCK_EVERY);
    expect(fired).toEqual([5n]);
    expect(preempted).toBeLessThanOrEqual(PREEMPT_CLOCK_EVERY);
  });
});

describe('mutex fast paths', () => {
  const panicOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      if (e instanceof KernelPanic) return e.panicMessage;
      throw e;
    }
    throw new Error('no panic');
  };

  it('adaptive: the owner word holds curlwp while held; misuse still panics by name', () => {
    const { k } = boot();
    const mtx = call(k, 'kmem_zalloc', 8, 1);
    call(k, 'mutex_init', mtx, locks.MUTEX_DEFAULT, ipl.IPL_NONE);
    // The fast path takes it: the full path is never entered.
    const full = vi.spyOn(k.mutexes, 'enter');
    const fullExit = vi.spyOn(k.mutexes, 'exit');
    expect(call(k, 'mutex_owned', mtx)).toBe(0n);
    call(k, 'mutex_enter', mtx);
    expect(k.mem.read64(mtx)).toBe(k.curlwp);
    expect(call(k, 'mutex_owned', mtx)).toBe(1n);
    expect(call(k, 'mutex_owner', mtx)).toBe(k.curlwp);
    call(k, 'mutex_exit', mtx);
    expect(full).not.toHaveBeenCalled();
    expect(fullExit).not.toHaveBeenCalled();
    expect(k.mem.read64(mtx)).toBe(0n);
    expect(call(k, 'mutex_owned', mtx)).toBe(0n);
    // Held by another lwp: exit panics naming it, enter is a diagnosed deadlock.
    k.mem.write64(mtx, 0x1234n);
    expect(panicOf(() => call(k, 'mutex_exit', mtx))).toContain('held by lwp 0x1234');
    const { k: k2 } = boot();
    const m2 = call(k2, 'kmem_zalloc', 8, 1);
    call(k2, 'mutex_init', m2, locks.MUTEX_ADAPTIVE, ipl.IPL_NONE);
    call(k2, 'mutex_enter', m2);
    expect(panicOf(() => call(k2, 'mutex_enter', m2))).toContain('locking against myself');
  });

  it('spin mutexes (and MUTEX_DEFAULT above IPL_VM) still raise and restore the IPL', () => {
    const { k } = boot();
    const mtx = call(k, 'kmem_zalloc', 8, 1);
    call(k, 'mutex_init', mtx, locks.MUTEX_DEFAULT, ipl.IPL_SCHED);
    const before = k.spl.level;
    call(k, 'mutex_enter', mtx);
    expect(k.spl.level).toBe(ipl.IPL_SCHED);
    call(k, 'mutex_exit', mtx);
    expect(k.spl.level).toBe(before);
    call(k, 'mutex_destroy', mtx);
    call(k, 'mutex_init', mtx, locks.MUTEX_SPIN, ipl.IPL_VM);
    call(k, 'mutex_enter', mtx);
    expect(k.spl.level).toBe(ipl.IPL_VM);
    call(k, 'mutex_exit', mtx);
    expect(k.spl.level).toBe(before);
    // Destroyed and re-initialized adaptive at the same address: no IPL change.
    call(k, 'mutex_destroy', mtx);
    call(k, 'mutex_init', mtx, locks.MUTEX_DEFAULT, ipl.IPL_NONE);
    call(k, 'mutex_enter', mtx);
    expect(k.spl.level).toBe(before);
    expect(k.mem.read64(mtx)).toBe(k.curlwp);
    call(k, 'mutex_exit', mtx);
  });
});
