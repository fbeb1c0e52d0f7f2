/**
 * UBC, the unified buffer cache's copy routines (uvm/uvm_bio.c), as a rump kernel has them
 * (sys/rump/librump/rumpkern/vm.c): no kernel mappings of file pages, just "get the pages
 * from the pager, copy through their frames, unbusy". Reads fill pages through the object's
 * pgo_get (VOP_GETPAGES → genfs_getpages → VOP_BMAP + VOP_STRATEGY); writes copy into pages
 * (allocated past EOF with PGO_PASTEOF, not read first with UBC_FAULTBUSY) and mark them dirty
 * for genfs_putpages to write back.
 */
import type { IoKernel, KernelCalls } from '../dev/io.js';
import { type Kva, kvaBig, kvaOf, loadKva, loadU32, storeU32 } from '../kern/kva.js';
import { Uiomove } from '../kern/subr_copy.js';
import { pg, UVM_PAGE_STATUS_DIRTY, type UvmPages } from './uvm_page.js';
import { pgo, type UvmVnode } from './uvm_vnode.js';

/** ubc_uiomove / ubc_zerorange flags (uvm/uvm_extern.h). */
export const ubc = {
  UBC_READ: 0x001,
  UBC_WRITE: 0x002,
  UBC_FAULTBUSY: 0x004,
  UBC_ISMAPPED: 0x008,
  UBC_UNMAP: 0x010,
  UBC_PARTIALOK: 0x100,
} as const;

const VM_PROT_READ = 0x1;
const VM_PROT_WRITE = 0x2;
const PAGE_SIZE = 4096;
const PAGE_MASK = 4095;
/** rump vm.c PAGERFLAGS */
const PAGERFLAGS = pgo.PGO_SYNCIO | pgo.PGO_NOBLOCKALLOC | pgo.PGO_NOTIMESTAMP;
const UIO_WRITE = 1;
/** Pages per pager call of ubc_uiomove (256 KiB). */
const UBC_WINPAGES = 64;
const TWO32 = 4294967296;

/** Pages of [off, off + len) (offsets below 2^53). */
const len2npages = (off: number, len: number) =>
  (Math.ceil((off + len) / PAGE_SIZE) * PAGE_SIZE - Math.floor(off / PAGE_SIZE) * PAGE_SIZE) /
  PAGE_SIZE;

export interface UbcStats {
  /** ubc_uiomove calls and the bytes they moved (each copied once, page frame ↔ uio). */
  calls: number;
  bytesRead: number;
  bytesWritten: number;
  /** Bytes zeroed by ubc_zerorange. */
  bytesZeroed: number;
}

export class UvmBio {
  readonly stats: UbcStats = { calls: 0, bytesRead: 0, bytesWritten: 0, bytesZeroed: 0 };
  private readonly oPgops: number;
  private readonly oPgoGet: number;
  private readonly oUioOffset: number;
  private readonly oUioRw: number;
  private readonly uio: Uiomove;
  /** The pages pgo_get returned, as Kvas (reused: calls do not nest). */
  private readonly got = new Array<Kva>(UBC_WINPAGES).fill(0);
  /** Address of the uvn_get kernel function: pgo_get of vnodes, called without the CPU. */
  get uvnGet(): bigint {
    return BigInt.asUintN(64, BigInt(this.uvnGetN));
  }
  set uvnGet(a: bigint) {
    this.uvnGetN = Number(BigInt.asIntN(64, a));
  }
  /** uvn_get's address as a signed 64-bit Number (compared with pgo_get without BigInt). */
  private uvnGetN = 0;

  constructor(
    private readonly k: IoKernel,
    private readonly pages: UvmPages,
    private readonly uvn: UvmVnode,
    private readonly call: KernelCalls,
  ) {
    this.oPgops = k.S.uvm_object.pgops.offset;
    this.oPgoGet = k.S.uvm_pagerops.pgo_get.offset;
    this.oUioOffset = k.S.uio.uio_offset.offset;
    this.oUioRw = k.S.uio.uio_rw.offset;
    this.uio = new Uiomove(k.mem, k.S, (m) => k.panic(m));
  }

  /** uio->uio_offset (below 2^53). */
  private uioOffset(uio: Kva): number {
    const m = this.k.mem;
    const lo = m.load64(uio + this.oUioOffset, -1);
    return m.hi * TWO32 + (lo >>> 0);
  }

  /**
   * uobj->pgops->pgo_get(uobj, off, pgs, &npages, 0, prot, 0, flags): entered locked, returns
   * unlocked. uvn_get (every vnode's) is VOP_GETPAGES with the same arguments, made here without
   * the trip through the CPU.
   */
  private pgoGet(
    uobj: Kva,
    off: number,
    pgs: Kva,
    npagesp: Kva,
    prot: number,
    flags: number,
  ): number {
    const m = this.k.mem;
    const ops = loadKva(m, uobj + this.oPgops);
    if (ops === 0) this.k.panic(`ubc: object ${this.k.describeAddress(kvaBig(uobj))} has no pager`);
    const lo = m.load64(ops + this.oPgoGet, -1);
    const get = m.hi * TWO32 + (lo >>> 0);
    if (get === this.uvnGetN && get !== 0)
      return this.call.int('VOP_GETPAGES', uobj, off, pgs, npagesp, 0, prot, 0, flags);
    // Eight arguments (two on the stack): the general call path.
    return Number(
      BigInt.asIntN(
        32,
        this.call.ptr(
          BigInt.asUintN(64, BigInt(get)),
          kvaBig(uobj),
          off,
          kvaBig(pgs),
          kvaBig(npagesp),
          0,
          prot,
          0,
          flags,
        ),
      ),
    );
  }

  /** Reads the page array pgs[0..n) into `got`; returns how many precede the first NULL. */
  private pageList(pgs: Kva, n: number): number {
    const m = this.k.mem;
    const got = this.got;
    let i = 0;
    for (; i < n; i++) {
      const p = loadKva(m, pgs + 8 * i);
      got[i] = p;
      if (p === 0) break;
    }
    for (let j = i; j < n; j++) got[j] = loadKva(m, pgs + 8 * j);
    return i;
  }

  /** ubc_uiomove: moves `todo` bytes between the object (at uio_offset) and the uio. */
  uiomove(uobj: bigint, uio: bigint, todo: bigint, _advice: number, flags: number): number {
    return this.uiomoveK(kvaOf(uobj), kvaOf(uio), Number(todo), flags);
  }

  /**
   * rump's ubc_uiomove (vm.c): get the pages of the window from the pager, copy through their
   * frames, unbusy. The copy of a run of pages whose frames are adjacent is one uiomove (what a
   * mapped UBC window gives NetBSD), unless the uio's memory is not all mapped: then page by
   * page, so an EFAULT leaves the uio exactly where rump's per-page copy leaves it.
   */
  uiomoveK(uobj: Kva, uio: Kva, todo: number, flags: number): number {
    const m = this.k.mem;
    if (todo <= 0) return 0;
    this.stats.calls++;
    const maxpages = Math.min(len2npages(this.uioOffset(uio), todo), UBC_WINPAGES);
    const pgalloc = maxpages * 8;
    const pgs = this.call.scratchK(pgalloc + 8);
    const npagesp = pgs + pgalloc;
    let pagerflags = PAGERFLAGS;
    if (flags & ubc.UBC_WRITE) pagerflags |= pgo.PGO_PASTEOF;
    if (flags & ubc.UBC_FAULTBUSY) pagerflags |= pgo.PGO_OVERWRITE;
    const prot = VM_PROT_READ | (flags & ubc.UBC_WRITE ? VM_PROT_WRITE : 0);
    const isWrite = loadU32(m, uio + this.oUioRw) === UIO_WRITE;
    const got = this.got;
    let rv = 0;
    try {
      this.uvn.lockK(uobj);
      do {
        const off = this.uioOffset(uio);
        // A window of at most UBC_WINPAGES pages at a time (as NetBSD's UBC maps windows), so
        // that one large transfer does not pin all of its pages at once.
        const npages = Math.min(len2npages(off, todo), UBC_WINPAGES);
        m.u8.fill(0, pgs & 0x7fffffff, (pgs & 0x7fffffff) + pgalloc);
        storeU32(m, npagesp, npages);
        rv = this.pgoGet(uobj, off - (off % PAGE_SIZE), pgs, npagesp, prot, pagerflags);
        if (rv) return rv;
        this.uvn.lockK(uobj);
        const n = loadU32(m, npagesp);
        const valid = this.pageList(pgs, n);
        let pageoff = off & PAGE_MASK;
        let i = 0;
        while (i < valid && todo > 0) {
          // The run of pages from i whose frames follow each other, as far as todo reaches.
          const start = this.pages.frameK(got[i]!) + pageoff;
          let bytes = Math.min(todo, PAGE_SIZE - pageoff);
          let j = i + 1;
          let next = start + bytes;
          while (j < valid && bytes < todo && this.pages.frameK(got[j]!) === next) {
            const x = Math.min(todo - bytes, PAGE_SIZE);
            bytes += x;
            next += x;
            j++;
          }
          if (j - i > 1 && !this.uio.mapped(bytes, uio, -1)) {
            j = i + 1;
            bytes = Math.min(todo, PAGE_SIZE - pageoff);
          }
          rv = this.uio.move(start, -1, bytes, uio, -1);
          if (rv) {
            this.pages.unbusyK(uobj, got, n);
            this.uvn.unlockK(uobj);
            return rv;
          }
          if (isWrite) {
            for (let q = i; q < j; q++) {
              const p = got[q]!;
              this.pages.setFlagsK(p, this.pages.flagsK(p) & ~pg.PG_FAKE);
              this.pages.markdirtyK(p, UVM_PAGE_STATUS_DIRTY, false);
            }
            this.stats.bytesWritten += bytes;
          } else this.stats.bytesRead += bytes;
          todo -= bytes;
          pageoff = 0;
          i = j;
        }
        this.pages.unbusyK(uobj, got, n);
      } while (todo > 0);
      this.uvn.unlockK(uobj);
      return 0;
    } finally {
      this.call.releaseK(pgs, pgalloc + 8);
    }
  }

  /** ubc_zerorange: zero [off, off+len) of the object through its pages, leaving them dirty. */
  zerorange(uobj: bigint, off: bigint, len: bigint): void {
    this.zerorangeK(kvaOf(uobj), Number(off), Number(len));
  }

  zerorangeK(uobj: Kva, off: number, len: number): void {
    const m = this.k.mem;
    const maxpages = Math.min(32, Math.ceil(len / PAGE_SIZE));
    if (maxpages === 0) return;
    const pgalloc = maxpages * 8;
    const pgs = this.call.scratchK(pgalloc + 8);
    const npagesp = pgs + pgalloc;
    const got = this.got;
    try {
      this.uvn.lockK(uobj);
      while (len > 0) {
        const npages = Math.min(maxpages, Math.ceil(len / PAGE_SIZE));
        m.u8.fill(0, pgs & 0x7fffffff, (pgs & 0x7fffffff) + pgalloc);
        storeU32(m, npagesp, npages);
        const rv = this.pgoGet(
          uobj,
          off - (off % PAGE_SIZE),
          pgs,
          npagesp,
          VM_PROT_READ | VM_PROT_WRITE,
          PAGERFLAGS | pgo.PGO_PASTEOF,
        );
        const n = loadU32(m, npagesp);
        const valid = this.pageList(pgs, n);
        if (rv || n === 0) this.k.panic(`ubc_zerorange: pgo_get failed (error ${rv}, ${n} pages)`);
        this.uvn.lockK(uobj);
        for (let i = 0; i < valid && len > 0; i++) {
          const p = got[i]!;
          const chunkoff = off % PAGE_SIZE;
          const chunklen = Math.min(PAGE_SIZE - chunkoff, len);
          const f = (this.pages.frameK(p) & 0x7fffffff) + chunkoff;
          m.u8.fill(0, f, f + chunklen);
          this.stats.bytesZeroed += chunklen;
          this.pages.markdirtyK(p, UVM_PAGE_STATUS_DIRTY);
          off += chunklen;
          len -= chunklen;
        }
        this.pages.unbusyK(uobj, got, n);
      }
      this.uvn.unlockK(uobj);
    } finally {
      this.call.releaseK(pgs, pgalloc + 8);
    }
  }

  register(): void {
    const t = this.k.ksyms;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    t.function('ubc_uiomove', 'ubc', (c) =>
      this.uiomoveK(
        kvaOf(c.arg(0)),
        kvaOf(c.arg(1)),
        Number(BigInt.asIntN(64, c.arg(2))),
        i32(c.arg(4)),
      ),
    );
    t.function('ubc_zerorange', 'ubc', (c) => {
      this.zerorange(c.arg(0), BigInt.asIntN(64, c.arg(1)), BigInt.asUintN(64, c.arg(2)));
    });
  }
}
