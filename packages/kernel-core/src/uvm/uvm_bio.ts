/**
 * UBC, the unified buffer cache's copy routines (uvm/uvm_bio.c), as a rump kernel has them
 * (sys/rump/librump/rumpkern/vm.c): no kernel mappings of file pages, just "get the pages
 * from the pager, copy through their frames, unbusy". Reads fill pages through the object's
 * pgo_get (VOP_GETPAGES → genfs_getpages → VOP_BMAP + VOP_STRATEGY); writes copy into pages
 * (allocated past EOF with PGO_PASTEOF, not read first with UBC_FAULTBUSY) and mark them dirty
 * for genfs_putpages to write back.
 */
import type { IoKernel, KernelCalls } from '../dev/io.js';
import { PAGE_SHIFT, pg, UVM_PAGE_STATUS_DIRTY, type UvmPages } from './uvm_page.js';
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
const PAGE_MASK = 4095n;
/** rump vm.c PAGERFLAGS */
const PAGERFLAGS = pgo.PGO_SYNCIO | pgo.PGO_NOBLOCKALLOC | pgo.PGO_NOTIMESTAMP;
const UIO_WRITE = 1;
/** Pages per pager call of ubc_uiomove (256 KiB). */
const UBC_WINPAGES = 64;

const trunc_page = (n: bigint) => n & ~PAGE_MASK;
const round_page = (n: bigint) => (n + PAGE_MASK) & ~PAGE_MASK;
const len2npages = (off: bigint, len: bigint) =>
  Number((round_page(off + len) - trunc_page(off)) >> BigInt(PAGE_SHIFT));

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
  private readonly oPgops: bigint;
  private readonly oPgoGet: bigint;
  private readonly oUioOffset: bigint;
  private readonly oUioRw: bigint;

  constructor(
    private readonly k: IoKernel,
    private readonly pages: UvmPages,
    private readonly uvn: UvmVnode,
    private readonly call: KernelCalls,
  ) {
    this.oPgops = BigInt(k.S.uvm_object.pgops.offset);
    this.oPgoGet = BigInt(k.S.uvm_pagerops.pgo_get.offset);
    this.oUioOffset = BigInt(k.S.uio.uio_offset.offset);
    this.oUioRw = BigInt(k.S.uio.uio_rw.offset);
  }

  /** uobj->pgops->pgo_get(uobj, off, pgs, &npages, 0, prot, 0, flags): entered locked, returns unlocked. */
  private pgoGet(
    uobj: bigint,
    off: bigint,
    pgs: bigint,
    npagesp: bigint,
    prot: number,
    flags: number,
  ): number {
    const ops = this.k.mem.read64(uobj + this.oPgops);
    if (ops === 0n) this.k.panic(`ubc: object ${this.k.describeAddress(uobj)} has no pager`);
    const get = this.k.mem.read64(ops + this.oPgoGet);
    return Number(
      BigInt.asIntN(32, this.call.ptr(get, uobj, off, pgs, npagesp, 0, prot, 0, flags)),
    );
  }

  private pageList(pgs: bigint, n: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < n; i++) out.push(this.k.mem.read64(pgs + BigInt(8 * i)));
    return out;
  }

  /** ubc_uiomove: moves `todo` bytes between the object (at uio_offset) and the uio. */
  uiomove(uobj: bigint, uio: bigint, todo: bigint, _advice: number, flags: number): number {
    const m = this.k.mem;
    if (todo <= 0n) return 0;
    this.stats.calls++;
    const maxpages = Math.min(
      len2npages(BigInt.asIntN(64, m.read64(uio + this.oUioOffset)), todo),
      UBC_WINPAGES,
    );
    const pgalloc = maxpages * 8;
    const pgs = this.call.scratch(pgalloc + 8);
    const npagesp = pgs + BigInt(pgalloc);
    let pagerflags = PAGERFLAGS;
    if (flags & ubc.UBC_WRITE) pagerflags |= pgo.PGO_PASTEOF;
    if (flags & ubc.UBC_FAULTBUSY) pagerflags |= pgo.PGO_OVERWRITE;
    const prot = VM_PROT_READ | (flags & ubc.UBC_WRITE ? VM_PROT_WRITE : 0);
    const isWrite = m.read32(uio + this.oUioRw) === UIO_WRITE;
    let rv = 0;
    try {
      this.uvn.lock(uobj);
      do {
        const off = BigInt.asIntN(64, m.read64(uio + this.oUioOffset));
        // A window of at most UBC_WINPAGES pages at a time (as NetBSD's UBC maps windows), so
        // that one large transfer does not pin all of its pages at once.
        const npages = Math.min(len2npages(off, todo), UBC_WINPAGES);
        m.fill(pgs, pgalloc, 0);
        m.write32(npagesp, npages);
        rv = this.pgoGet(uobj, trunc_page(off), pgs, npagesp, prot, pagerflags);
        if (rv) return rv;
        this.uvn.lock(uobj);
        const got = this.pageList(pgs, m.read32(npagesp));
        for (const p of got) {
          if (p === 0n) break;
          const pageoff = BigInt.asIntN(64, m.read64(uio + this.oUioOffset)) & PAGE_MASK;
          const xfer = Math.min(
            Number(todo < BigInt(PAGE_SIZE) ? todo : BigInt(PAGE_SIZE)),
            PAGE_SIZE - Number(pageoff),
          );
          rv = this.call.int('uiomove', this.pages.frame(p) + pageoff, xfer, uio);
          if (rv) {
            this.pages.unbusy(got);
            this.uvn.unlock(uobj);
            return rv;
          }
          if (isWrite) {
            this.pages.setFlags(p, this.pages.flags(p) & ~pg.PG_FAKE);
            this.pages.markdirty(p, UVM_PAGE_STATUS_DIRTY);
          }
          if (isWrite) this.stats.bytesWritten += xfer;
          else this.stats.bytesRead += xfer;
          todo -= BigInt(xfer);
          if (todo === 0n) break;
        }
        this.pages.unbusy(got);
      } while (todo > 0n);
      this.uvn.unlock(uobj);
      return 0;
    } finally {
      this.call.release(pgs, pgalloc + 8);
    }
  }

  /** ubc_zerorange: zero [off, off+len) of the object through its pages, leaving them dirty. */
  zerorange(uobj: bigint, off: bigint, len: bigint): void {
    const m = this.k.mem;
    const maxpages = Math.min(32, Number(round_page(len) >> BigInt(PAGE_SHIFT)));
    if (maxpages === 0) return;
    const pgalloc = maxpages * 8;
    const pgs = this.call.scratch(pgalloc + 8);
    const npagesp = pgs + BigInt(pgalloc);
    try {
      this.uvn.lock(uobj);
      while (len > 0n) {
        const npages = Math.min(maxpages, Number(round_page(len) >> BigInt(PAGE_SHIFT)));
        m.fill(pgs, pgalloc, 0);
        m.write32(npagesp, npages);
        const rv = this.pgoGet(
          uobj,
          trunc_page(off),
          pgs,
          npagesp,
          VM_PROT_READ | VM_PROT_WRITE,
          PAGERFLAGS | pgo.PGO_PASTEOF,
        );
        const got = this.pageList(pgs, m.read32(npagesp));
        if (rv || got.length === 0)
          this.k.panic(`ubc_zerorange: pgo_get failed (error ${rv}, ${got.length} pages)`);
        this.uvn.lock(uobj);
        for (const p of got) {
          if (p === 0n) break;
          const chunkoff = off & PAGE_MASK;
          const chunklen = BigInt(PAGE_SIZE) - chunkoff < len ? BigInt(PAGE_SIZE) - chunkoff : len;
          m.fill(this.pages.frame(p) + chunkoff, Number(chunklen), 0);
          this.stats.bytesZeroed += Number(chunklen);
          this.pages.markdirty(p, UVM_PAGE_STATUS_DIRTY);
          off += chunklen;
          len -= chunklen;
        }
        this.pages.unbusy(got);
      }
      this.uvn.unlock(uobj);
    } finally {
      this.call.release(pgs, pgalloc + 8);
    }
  }

  register(): void {
    const t = this.k.ksyms;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    t.function('ubc_uiomove', 'ubc', (c) =>
      this.uiomove(c.arg(0), c.arg(1), BigInt.asIntN(64, c.arg(2)), i32(c.arg(3)), i32(c.arg(4))),
    );
    t.function('ubc_zerorange', 'ubc', (c) => {
      this.zerorange(c.arg(0), BigInt.asIntN(64, c.arg(1)), BigInt.asUintN(64, c.arg(2)));
    });
  }
}
