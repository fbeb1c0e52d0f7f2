/**
 * kmem(9) and malloc(9): the kernel heap. Small sizes come from per-size-class slabs carved out
 * of arena pages (NetBSD's kmem caches), large ones are whole page runs. Every live allocation's
 * size is recorded, so kmem_free with the wrong size panics as NetBSD's DIAGNOSTIC kernel does
 * ("kmem_free(%p, %zu) != allocated size %zu; overwrote?"), and so does a double free.
 * When RUMP_MEMLIMIT is reached, KM_NOSLEEP returns NULL and KM_SLEEP panics with the numbers:
 * a rump kernel has no pagedaemon to wait for, and waiting forever would hang the host.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import { type KernelArena, kva, PAGE_SIZE, windowOffset } from '../uvm/uvm_km.js';

const { KM_SLEEP, KM_NOSLEEP } = kmflags;

/** Size classes: powers of two from 8 (KMEM_ALIGN) to 2048; larger requests take page runs. */
const MIN_SHIFT = 3;
const MAX_SMALL = 2048;
const SLAB_BYTES = 16 * 1024;
/**
 * Large runs kept for reuse per page-rounded size (vmem's quantum caches do this for NetBSD's
 * kmem arenas): the kernel allocates and frees the same large buffers over and over (a
 * read's transfer buffer, a pager mapping), and the arena's first-fit search and coalescing
 * are not free. At most RUN_CACHE runs of each size up to RUN_CACHE_MAX bytes; they still
 * count as in use, and are given back to the arena before an allocation would fail.
 */
const RUN_CACHE = 4;
const RUN_CACHE_MAX = 256 * 1024;

const hex = (a: bigint) => `0x${a.toString(16)}`;

export interface KmemStats {
  readonly allocations: number;
  readonly bytesRequested: number;
}

export class Kmem {
  /** Live allocations: window offset → requested size. */
  private readonly live = new Map<number, number>();
  /** Free objects per size class (window offsets), LIFO like a cache. */
  private readonly freeLists: number[][] = [];
  private requested = 0;
  private readonly runCache = new Map<number, number[]>();

  constructor(
    private readonly mem: GuestMemory,
    private readonly arena: KernelArena,
    private readonly panic: (message: string) => never,
  ) {
    for (let s = MIN_SHIFT; 1 << s <= MAX_SMALL; s++) this.freeLists.push([]);
  }

  stats(): KmemStats {
    return { allocations: this.live.size, bytesRequested: this.requested };
  }

  /** kmem_alloc/kmem_zalloc: the address, or 0n (KM_NOSLEEP only) when memory is exhausted. */
  alloc(
    size: number,
    flags: number,
    zero: boolean,
    who = zero ? 'kmem_zalloc' : 'kmem_alloc',
  ): bigint {
    const off = this.allocOffset(size, flags, zero, who);
    return off < 0 ? 0n : kva(off);
  }

  /** alloc as a window offset (-1 for NULL): what the hypercalls use, with no BigInt. */
  allocOffset(
    size: number,
    flags: number,
    zero: boolean,
    who = zero ? 'kmem_zalloc' : 'kmem_alloc',
  ): number {
    if (!(size > 0))
      this.panic(`kernel diagnostic assertion "requested_size > 0" failed: ${who}(${size})`);
    const sleep = (flags & KM_SLEEP) !== 0;
    if (sleep === ((flags & KM_NOSLEEP) !== 0)) {
      this.panic(
        `${who}(${size}, 0x${flags.toString(16)}): exactly one of KM_SLEEP and KM_NOSLEEP must be set`,
      );
    }
    const off = this.take(size);
    if (off < 0) {
      if (!sleep) return -1;
      const s = this.arena.stats();
      this.panic(
        `${who}(${size}, KM_SLEEP): out of memory: RUMP_MEMLIMIT is ${s.limit} bytes and ${s.inUse} are in use`,
      );
    }
    this.live.set(off, size);
    this.requested += size;
    if (zero) this.mem.u8.fill(0, off, off + size);
    return off;
  }

  /** kmem_free: `size` must be the size that was allocated. */
  free(address: bigint, size: number, who = 'kmem_free'): void {
    const off = windowOffset(address);
    if (address === 0n)
      this.panic(`kernel diagnostic assertion "p != NULL" failed: ${who}(NULL, ${size})`);
    if (off < 0)
      this.panic(`${who}(${hex(address)}, ${size}): not an allocated kmem block (double free?)`);
    this.freeOffset(off, size, who);
  }

  /** free of the block at window offset `off`. */
  freeOffset(off: number, size: number, who = 'kmem_free'): void {
    const had = this.live.get(off);
    if (had === undefined)
      this.panic(`${who}(${hex(kva(off))}, ${size}): not an allocated kmem block (double free?)`);
    if (had !== size)
      this.panic(`${who}(${hex(kva(off))}, ${size}) != allocated size ${had}; overwrote?`);
    this.live.delete(off);
    this.requested -= size;
    const cls = classOf(size);
    if (cls >= 0) {
      this.freeLists[cls]!.push(off);
      return;
    }
    const len = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    if (len <= RUN_CACHE_MAX) {
      let list = this.runCache.get(len);
      if (list === undefined) {
        list = [];
        this.runCache.set(len, list);
      }
      if (list.length < RUN_CACHE) {
        list.push(off);
        return;
      }
    }
    this.arena.release(off);
  }

  /** Requested size of a live allocation at `address`, or undefined. */
  sizeOf(address: bigint): number | undefined {
    const off = windowOffset(address);
    return off < 0 ? undefined : this.live.get(off);
  }

  private take(size: number): number {
    const cls = classOf(size);
    if (cls < 0) {
      const cached = this.runCache.get(Math.ceil(size / PAGE_SIZE) * PAGE_SIZE)?.pop();
      if (cached !== undefined) return cached;
      const at = this.arena.allocate(size, PAGE_SIZE, 'kmem');
      if (at >= 0 || !this.dropRunCache()) return at;
      return this.arena.allocate(size, PAGE_SIZE, 'kmem');
    }
    const list = this.freeLists[cls]!;
    if (list.length === 0) {
      const objSize = 1 << (cls + MIN_SHIFT);
      const slab = this.arena.allocate(SLAB_BYTES, PAGE_SIZE, `kmem-${objSize}`);
      if (slab < 0) return -1;
      for (let o = slab + SLAB_BYTES - objSize; o >= slab; o -= objSize) list.push(o);
    }
    return list.pop()!;
  }

  /** Gives the cached large runs back to the arena; false if there were none. */
  private dropRunCache(): boolean {
    let any = false;
    for (const list of this.runCache.values()) {
      for (const off of list) this.arena.release(off);
      any ||= list.length > 0;
      list.length = 0;
    }
    return any;
  }
}

function classOf(size: number): number {
  if (size > MAX_SMALL) return -1;
  let s = MIN_SHIFT;
  while (1 << s < size) s++;
  return s - MIN_SHIFT;
}

/** malloc(9) flags (sys/malloc.h). */
export const M_NOWAIT = 0x1;
export const M_ZERO = 0x2;
/** sizeof(struct malloc_header): one size_t, 8-byte aligned. */
const MALLOC_HEADER = 8;

/**
 * kern_malloc as NetBSD 10 writes it: a kmem block with a malloc_header (the block's size)
 * just before the returned pointer; large requests are page-aligned with the header at the end
 * of the first page.
 */
export function kernMalloc(kmem: Kmem, mem: GuestMemory, reqsize: number, flags: number): bigint {
  const kmf = flags & M_NOWAIT ? KM_NOSLEEP : KM_SLEEP;
  let allocsize: number;
  let hdroffset: number;
  if (reqsize >= PAGE_SIZE) {
    allocsize = PAGE_SIZE + reqsize;
    hdroffset = PAGE_SIZE - MALLOC_HEADER;
  } else {
    allocsize = MALLOC_HEADER + reqsize;
    hdroffset = 0;
  }
  const p = kmem.alloc(allocsize, kmf, (flags & M_ZERO) !== 0, 'kern_malloc');
  if (p === 0n) return 0n;
  const mh = p + BigInt(hdroffset);
  mem.write64(mh, BigInt(allocsize - hdroffset));
  return mh + BigInt(MALLOC_HEADER);
}

export function kernFree(kmem: Kmem, mem: GuestMemory, addr: bigint): void {
  const mh = addr - BigInt(MALLOC_HEADER);
  const size = Number(mem.read64(mh));
  if (size >= PAGE_SIZE + MALLOC_HEADER) {
    kmem.free(addr - BigInt(PAGE_SIZE), size + PAGE_SIZE - MALLOC_HEADER, 'kern_free');
  } else {
    kmem.free(mh, size, 'kern_free');
  }
}

import type { Kernel } from '../kernel.js';
import { argSize, argU32, argWindow, returnWindow } from './hostcall.js';
import { strlen } from './libkern.js';

export function registerKmem(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const km = k.kmem;
  const n = (v: bigint) => Number(BigInt.asUintN(63, v));
  const fl = (v: bigint) => Number(v & 0xffffffffn);
  // The common three read their arguments from the registers and return window addresses
  // straight into RAX (no BigInt per call).
  t.function('kmem_alloc', 'kmem', (cpu) =>
    returnWindow(cpu, km.allocOffset(argSize(cpu, 0), argU32(cpu, 1), false)),
  );
  t.function('kmem_zalloc', 'kmem', (cpu) =>
    returnWindow(cpu, km.allocOffset(argSize(cpu, 0), argU32(cpu, 1), true)),
  );
  t.function('kmem_free', 'kmem', (cpu) => {
    const off = argWindow(cpu, 0);
    if (off >= 0) km.freeOffset(off, argSize(cpu, 1));
    else km.free(cpu.arg(0), n(cpu.arg(1)));
  });
  t.function('kmem_intr_alloc', 'kmem', (cpu) =>
    km.alloc(n(cpu.arg(0)), fl(cpu.arg(1)), false, 'kmem_intr_alloc'),
  );
  t.function('kmem_intr_zalloc', 'kmem', (cpu) =>
    km.alloc(n(cpu.arg(0)), fl(cpu.arg(1)), true, 'kmem_intr_zalloc'),
  );
  t.function('kmem_intr_free', 'kmem', (cpu) =>
    km.free(cpu.arg(0), n(cpu.arg(1)), 'kmem_intr_free'),
  );
  // kmem_strdupsize(str, &size, flags): a copy whose size (strlen + 1) is returned for kmem_free.
  t.function('kmem_strdupsize', 'kmem', (cpu) => {
    const len = strlen(mem, cpu.arg(0)) + 1;
    const p = km.alloc(len, fl(cpu.arg(2)), false, 'kmem_strdupsize');
    if (p === 0n) return 0n;
    mem.write(p, mem.read(cpu.arg(0), len));
    if (cpu.arg(1) !== 0n) mem.write64(cpu.arg(1), BigInt(len));
    return p;
  });
  t.function('kmem_strfree', 'kmem', (cpu) =>
    km.free(cpu.arg(0), strlen(mem, cpu.arg(0)) + 1, 'kmem_strfree'),
  );
  t.function('kern_malloc', 'malloc', (cpu) => kernMalloc(km, mem, n(cpu.arg(0)), fl(cpu.arg(1))));
  t.function('kern_free', 'malloc', (cpu) => {
    if (cpu.arg(0) !== 0n) kernFree(km, mem, cpu.arg(0));
  });
  t.function('kern_realloc', 'malloc', (cpu) => {
    const [old, size, flags] = [cpu.arg(0), n(cpu.arg(1)), fl(cpu.arg(2))];
    const p = kernMalloc(km, mem, size, flags);
    if (p === 0n || old === 0n) return p;
    const oldSize = Number(mem.read64(old - BigInt(MALLOC_HEADER))) - MALLOC_HEADER;
    mem.write(p, mem.read(old, Math.min(oldSize, size)));
    kernFree(km, mem, old);
    return p;
  });
}
