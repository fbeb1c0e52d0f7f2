/**
 * genfs's pager (miscfs/genfs/genfs_io.c): genfs_getpages fills a vnode's pages from disk,
 * genfs_putpages writes dirty pages back, both through the file system's VOP_BMAP and the
 * device's VOP_STRATEGY, and the genfs_ops call-outs (gop_size, gop_alloc, gop_write,
 * gop_markupdate) of the node. This is NetBSD's algorithm with synchronous I/O: a page run
 * is mapped (copied) into one contiguous kernel buffer, each physically contiguous piece is one
 * getiobuf'd transfer that has completed when VOP_STRATEGY returns, and the data is copied
 * back into the pages. Holes read as zeros (pages marked PG_RDONLY unless blocks are being
 * allocated), bytes past the end of the file on disk read as zeros, and writes stop at the
 * block-rounded end of file.
 *
 * Lock handoff as NetBSD's contracts say: getpages and putpages are entered with the object
 * (vmobjlock) write-locked and return with it released; pages returned by getpages are busy.
 */
import { buf as B_, mnt, vnode as V_, vtype } from '../../abi/netbsd-10.99/constants.js';
import { errno } from '../../abi/netbsd-10.99/errno.js';
import { type IoKernel, type KernelCalls, r32, r64 } from '../../dev/io.js';
import { type Kva, kvaBig, kvaOf, loadKva, loadU32, storeKva, storeU32 } from '../../kern/kva.js';

import {
  pg,
  UVM_PAGE_STATUS_CLEAN,
  UVM_PAGE_STATUS_DIRTY,
  UVM_PAGE_STATUS_UNKNOWN,
  type UvmPages,
} from '../../uvm/uvm_page.js';
import { pgo, type UvmVnode } from '../../uvm/uvm_vnode.js';
import type { BufCache } from '../../vfs/vfs_bio.js';
import type { GenfsNodes } from './genfs_node.js';

/** Signed 64-bit field as a number (offsets, sizes). */
function loadI64(m: IoKernel['mem'], at: Kva): number {
  const lo = m.load64(at, -1);
  return m.hi * 4294967296 + (lo >>> 0);
}

const PAGE = 4096n;
const PAGE_SIZE = 4096;
/** round_page / trunc_page of byte offsets as Numbers (offsets stay below 2^53). */
const roundPage = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
const truncPage = (n: number) => Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
const VM_PROT_WRITE = 0x2;
const GOP_SIZE_MEM = 0x4;
const GOP_UPDATE_ACCESSED = 1;
const GOP_UPDATE_MODIFIED = 2;
const MNT_NODEVMTIME = 0x40000000;
/** MAXPHYS >> PAGE_SHIFT: the most pages one putpages write gathers. */
const MAXPAGES = 16;

export interface GenfsIoStats {
  /** Pages getpages found resident (page cache hits) and had to allocate (misses). */
  pageHits: number;
  pageMisses: number;
  /** Pages read from disk (or zero-filled for holes / past EOF) by getpages. */
  pagesRead: number;
  /** Pages written back by putpages. */
  pagesWritten: number;
  /** Device transfers started. */
  reads: number;
  writes: number;
}

function genfsOffsets(k: IoKernel) {
  const S = k.S;
  const b = (n: number) => BigInt(n);
  return {
    vType: b(S.vnode.v_type.offset),
    vMount: b(S.vnode.v_mount.offset),
    vIflag: b(S.vnode.v_iflag.offset),
    vNumoutput: b(S.vnode.v_numoutput.offset),
    vDirty: b(S.vnode.v_dirtyblkhd.offset),
    mntFlag: b(S.mount.mnt_flag.offset),
    mntFsBshift: b(S.mount.mnt_fs_bshift.offset),
    mntDevBshift: b(S.mount.mnt_dev_bshift.offset),
    gopSize: b(S.genfs_ops.gop_size.offset),
    gopAlloc: b(S.genfs_ops.gop_alloc.offset),
    gopWrite: b(S.genfs_ops.gop_write.offset),
    gopMarkupdate: b(S.genfs_ops.gop_markupdate.offset),
    bData: b(S.buf.b_data.offset),
    bBcount: b(S.buf.b_bcount.offset),
    bBufsize: b(S.buf.b_bufsize.offset),
    bResid: b(S.buf.b_resid.offset),
    bFlags: b(S.buf.b_flags.offset),
    bBlkno: b(S.buf.b_blkno.offset),
    bLblkno: b(S.buf.b_lblkno.offset),
    bError: b(S.buf.b_error.offset),
    lCred: b(S.lwp.l_cred.offset),
    vTypeN: S.vnode.v_type.offset,
    vMountN: S.vnode.v_mount.offset,
    vNumoutputN: S.vnode.v_numoutput.offset,
    mntFlagN: S.mount.mnt_flag.offset,
    mntFsBshiftN: S.mount.mnt_fs_bshift.offset,
    mntDevBshiftN: S.mount.mnt_dev_bshift.offset,
    gopSizeN: S.genfs_ops.gop_size.offset,
    gopWriteN: S.genfs_ops.gop_write.offset,
    bDataN: S.buf.b_data.offset,
    bBcountN: S.buf.b_bcount.offset,
    bBufsizeN: S.buf.b_bufsize.offset,
    bResidN: S.buf.b_resid.offset,
    bFlagsN: S.buf.b_flags.offset,
    bBlknoN: S.buf.b_blkno.offset,
    bLblknoN: S.buf.b_lblkno.offset,
    an: {
      vp: S.vop_getpages_args.a_vp.offset,
      offset: S.vop_getpages_args.a_offset.offset,
      m: S.vop_getpages_args.a_m.offset,
      count: S.vop_getpages_args.a_count.offset,
      centeridx: S.vop_getpages_args.a_centeridx.offset,
      access: S.vop_getpages_args.a_access_type.offset,
      flags: S.vop_getpages_args.a_flags.offset,
    },
    a: {
      vp: b(S.vop_getpages_args.a_vp.offset),
      offset: b(S.vop_getpages_args.a_offset.offset),
      m: b(S.vop_getpages_args.a_m.offset),
      count: b(S.vop_getpages_args.a_count.offset),
      centeridx: b(S.vop_getpages_args.a_centeridx.offset),
      access: b(S.vop_getpages_args.a_access_type.offset),
      flags: b(S.vop_getpages_args.a_flags.offset),
      pvp: b(S.vop_putpages_args.a_vp.offset),
      offlo: b(S.vop_putpages_args.a_offlo.offset),
      offhi: b(S.vop_putpages_args.a_offhi.offset),
      pflags: b(S.vop_putpages_args.a_flags.offset),
    },
  };
}
type GenfsOffsets = ReturnType<typeof genfsOffsets>;

export class GenfsIo {
  readonly stats: GenfsIoStats = {
    pageHits: 0,
    pageMisses: 0,
    pagesRead: 0,
    pagesWritten: 0,
    reads: 0,
    writes: 0,
  };
  private readonly o: GenfsOffsets;

  constructor(
    private readonly k: IoKernel,
    private readonly pages: UvmPages,
    private readonly uvn: UvmVnode,
    private readonly bufs: BufCache,
    private readonly nodes: GenfsNodes,
    private readonly call: KernelCalls,
  ) {
    this.o = genfsOffsets(k);
  }

  private r32(a: bigint): number {
    return r32(this.k.mem, a);
  }
  private r64(a: bigint): bigint {
    return r64(this.k.mem, a);
  }
  private i64(a: bigint): bigint {
    return BigInt.asIntN(64, r64(this.k.mem, a));
  }

  /** fs_bshift of the vnode's file system (DEV_BSHIFT for block devices), by Kva. */
  private fsBshiftK(_vp: Kva, vt: number, mp: Kva): number {
    return vt === vtype.VBLK ? B_.DEV_BSHIFT : loadU32(this.k.mem, mp + this.o.mntFsBshiftN);
  }
  private devBshiftK(vt: number, mp: Kva): number {
    return vt === vtype.VBLK ? B_.DEV_BSHIFT : loadU32(this.k.mem, mp + this.o.mntDevBshiftN);
  }

  // ------------------------------------------------------------------ genfs_ops call-outs

  private gop(vp: bigint, slot: bigint): bigint {
    return this.r64(this.nodes.ops(vp) + slot);
  }

  /** A genfs_ops slot as a signed 64-bit Number (for Cpu.callNum). */
  private gopN(vp: bigint, slot: bigint): number {
    const m = this.k.mem;
    const at = kvaOf(this.nodes.ops(vp) + slot);
    const lo = m.load64(at, -1);
    return m.hi * 4294967296 + (lo >>> 0);
  }

  /** GOP_SIZE(vp, size, &eob, flags): the file system's idea of where `size` ends on disk / in memory. */
  gopSize(vp: bigint, size: bigint, flags: number): bigint {
    const fn = this.gopN(vp, this.o.gopSize);
    const eobp = this.call.scratchK(8);
    try {
      this.call.ptrN(fn, kvaOf(vp), Number(size), eobp, flags);
      return BigInt(loadI64(this.k.mem, eobp));
    } finally {
      this.call.releaseK(eobp, 8);
    }
  }

  /** GOP_SIZE on Numbers (vnode as a Kva, sizes below 2^53). */
  gopSizeK(vp: Kva, size: number, flags: number): number {
    const m = this.k.mem;
    const at = this.nodes.opsK(vp) + this.o.gopSizeN;
    const lo = m.load64(at, -1);
    const fn = m.hi * 4294967296 + (lo >>> 0);
    const eobp = this.call.scratchK(8);
    try {
      this.call.ptrN(fn, vp, size, eobp, flags);
      return loadI64(m, eobp);
    } finally {
      this.call.releaseK(eobp, 8);
    }
  }

  private gopMarkupdate(vp: bigint, flags: number): void {
    const fn = this.gop(vp, this.o.gopMarkupdate);
    if (fn !== 0n) this.call.ptr(fn, vp, flags);
  }

  private gopAlloc(vp: bigint, off: bigint, len: bigint, flags: number, cred: bigint): number {
    const fn = this.gop(vp, this.o.gopAlloc);
    if (fn === 0n) this.k.panic(`GOP_ALLOC: vnode ${this.k.describeAddress(vp)} has no gop_alloc`);
    return Number(BigInt.asIntN(32, this.call.ptr(fn, vp, off, len, flags, cred)));
  }

  /** GOP_WRITE(vp, pgs, npages, flags) through the node's genfs_ops. */
  private gopWrite(vp: Kva, pgs: readonly Kva[], flags: number): number {
    const m = this.k.mem;
    const at = this.nodes.opsK(vp) + this.o.gopWriteN;
    const lo = m.load64(at, -1);
    const fn = m.hi * 4294967296 + (lo >>> 0);
    const n = pgs.length;
    // genfs_gop_write itself (every genfs file system's, ffs's too) is this class's own code:
    // called straight, with the same page list, instead of through the CPU to its symbol.
    if (fn === this.genfsGopWrite && fn !== 0) return this.writePages(vp, pgs, flags);
    const arr = this.call.scratchK(8 * n);
    try {
      for (let i = 0; i < n; i++) storeKva(m, arr + 8 * i, pgs[i]!);
      return this.call.ptrN(fn, vp, arr, n, flags) | 0;
    } finally {
      this.call.releaseK(arr, 8 * n);
    }
  }

  /**
   * VOP_BMAP(vp, lbn, &devvp, &blkno, &run) into `bm` (reused: the pager's calls do not nest
   * across a bmap). Returns the error.
   */
  private bmapK(vp: Kva, lbn: number): number {
    const out = this.call.scratchK(24);
    const m = this.k.mem;
    const bm = this.bm;
    try {
      const error = this.call.int('VOP_BMAP', vp, lbn, out, out + 8, out + 16);
      const dlo = m.load64(out, -1);
      const dhi = m.hi;
      bm.devvp = dhi === -1 && dlo < 0 ? dlo : kvaOf(r64(m, kvaBig(out)));
      bm.blkno = loadI64(m, out + 8);
      bm.run = loadU32(m, out + 16) | 0;
      return error;
    } finally {
      this.call.releaseK(out, 24);
    }
  }
  private readonly bm = { devvp: 0 as Kva, blkno: 0, run: 0 };
  /** Address of genfs_gop_write (a signed 64-bit Number), set by register. */
  private genfsGopWrite = 0;

  // ------------------------------------------------------------------ page helpers

  /** genfs_rel_pages: drop pages we busied; never-filled (PG_FAKE) ones are freed. */
  private relPages(vp: Kva, list: readonly Kva[]): void {
    const P = this.pages;
    for (const p of list) {
      if (p === 0 || p === -1) continue;
      const f = P.flagsK(p);
      if (f & pg.PG_FAKE) P.setFlagsK(p, f | pg.PG_RELEASED);
    }
    P.unbusyK(vp, list, list.length);
  }

  /**
   * uvn_findpages (UFP_ALL): busy the resident pages of page numbers [idx0, idx0 + n) into
   * out[at ..], allocating missing ones (PG_FAKE). New pages are zero-filled when `zero` (the
   * caller may write only part of them); a read fills every new page itself (data, holes and
   * the tail past the end of file read as zeros), so it passes false.
   */
  private findpages(vp: Kva, idx0: number, n: number, out: Kva[], at: number, zero: boolean): void {
    const P = this.pages;
    let resident = P.residentK(vp);
    for (let i = 0; i < n; i++) {
      let p = resident?.get(idx0 + i) ?? 0;
      if (p === 0) {
        this.stats.pageMisses++;
        p = P.allocK(vp, idx0 + i);
        // The first page of an object creates its map; a reclaim may have emptied (and so
        // dropped) the one we held.
        resident = P.residentK(vp);
        if (zero) {
          // mem.u8 read here, after the allocation: a page allocation may grow the window,
          // which replaces the window's buffer.
          const fr = P.frameK(p) & 0x7fffffff;
          this.k.mem.u8.fill(0, fr, fr + PAGE_SIZE);
        }
      } else {
        const f = P.flagsK(p);
        if (f & pg.PG_BUSY) {
          this.k.panic(
            `deadlock: uvn_findpages: page at 0x${((idx0 + i) * PAGE_SIZE).toString(16)} of ${this.k.describeAddress(kvaBig(vp))} is busy and no other lwp can release it`,
          );
        }
        P.setFlagsK(p, f | pg.PG_BUSY);
        P.touchK(p);
        this.stats.pageHits++;
      }
      out[at + i] = p;
    }
  }

  // ------------------------------------------------------------------ genfs_getpages

  getpages(ap: bigint): number {
    return this.getpagesK(kvaOf(ap));
  }

  /**
   * genfs_getpages on its argument block (a Kva). Offsets and sizes are Numbers (file offsets
   * stay below 2^53); vnodes, pages and locks are Kvas: no BigInt on a page-cache hit.
   */
  getpagesK(apK: Kva): number {
    const a = this.o.an;
    const m = this.k.mem;
    const vpK = loadKva(m, apK + a.vp);
    const P = this.pages;
    const origoffset = loadI64(m, apK + a.offset);
    const mK = loadKva(m, apK + a.m);
    const countp = loadKva(m, apK + a.count);
    const centeridx = loadU32(m, apK + a.centeridx) | 0;
    const access = loadU32(m, apK + a.access);
    const flags = loadU32(m, apK + a.flags);
    const memwrite = (access & VM_PROT_WRITE) !== 0;
    const overwrite = (flags & pgo.PGO_OVERWRITE) !== 0;
    const blockalloc = memwrite && (flags & pgo.PGO_NOBLOCKALLOC) === 0;
    const glocked = (flags & pgo.PGO_GLOCKHELD) !== 0;
    const locked = (flags & pgo.PGO_LOCKED) !== 0;
    const t = loadU32(m, vpK + this.o.vTypeN);
    if (t !== vtype.VREG && t !== vtype.VDIR && t !== vtype.VLNK && t !== vtype.VBLK) {
      this.k.panic(`genfs_getpages: vnode ${this.k.describeAddress(kvaBig(vpK))} of type ${t}`);
    }
    const lock = this.uvn.objlockK(vpK);
    if (
      !this.k.rwlocks.writeHeldK(lock) &&
      !(locked && !memwrite && this.k.rwlocks.readHeldK(lock))
    ) {
      this.k.panic(
        `kernel diagnostic assertion "rw_write_held(uobj->vmobjlock)" failed: genfs_getpages ${this.k.describeAddress(kvaBig(vpK))}`,
      );
    }
    if (origoffset % PAGE_SIZE !== 0 || origoffset < 0)
      this.k.panic(`genfs_getpages: offset 0x${origoffset.toString(16)} not page-aligned`);
    const orignpages = loadU32(m, countp) | 0;
    if (orignpages <= 0) this.k.panic(`genfs_getpages: count ${orignpages}`);

    const origvsize = this.uvn.sizeK(vpK);
    // GOP_SIZE(vp, origvsize, &diskeof, 0) is a pure function of the size and the inode (nothing
    // between here and the read changes either), so it is asked only when disk blocks are read.
    // memeof, GOP_SIZE(vp, memsize, &memeof, GOP_SIZE_MEM), likewise: GOP_SIZE rounds up to the
    // end of a block, so when the request ends at or before memsize neither the EINVAL check
    // nor the page count can depend on it, and it is asked only for the read's end.
    const reqEnd0 = origoffset + orignpages * PAGE_SIZE;
    let memsize: number;
    if (flags & pgo.PGO_PASTEOF) {
      memsize = Math.max(origvsize, reqEnd0);
      // NetBSD's DIAGNOSTIC check that the pages stay below round_page(GOP_SIZE(v_writesize)).
      // GOP_SIZE rounds up, so it can only fail when memsize is past round_page(v_writesize):
      // only then is the file system asked.
      const ws = this.uvn.writesizeK(vpK);
      if (memsize > roundPage(ws)) {
        const writeeof = this.gopSizeK(vpK, ws, GOP_SIZE_MEM);
        if (memsize > roundPage(writeeof))
          this.k.panic(`genfs_getpages: past eof: ${memsize} vs. ${roundPage(writeeof)}`);
      }
    } else {
      memsize = origvsize;
    }
    let memeof = -1;
    if (reqEnd0 > memsize || centeridx < 0 || centeridx >= orignpages)
      memeof = this.gopSizeK(vpK, memsize, GOP_SIZE_MEM);
    if (memeof >= 0 && origoffset + centeridx * PAGE_SIZE >= memeof) {
      if (!locked) this.uvn.unlockK(vpK);
      return errno.EINVAL;
    }
    const mp = loadKva(m, vpK + this.o.vMountN);
    if (
      !(flags & pgo.PGO_NOTIMESTAMP) &&
      (t !== vtype.VBLK || !(loadU32(m, mp + this.o.mntFlagN) & MNT_NODEVMTIME))
    ) {
      const upd =
        (loadU32(m, mp + this.o.mntFlagN) & mnt.MNT_NOATIME ? 0 : GOP_UPDATE_ACCESSED) |
        (memwrite ? GOP_UPDATE_MODIFIED : 0);
      if (upd) this.gopMarkupdate(kvaBig(vpK), upd);
    }

    if (locked) return this.getpagesLocked(vpK, origoffset, mK, orignpages, centeridx, memwrite);

    this.uvn.unlockK(vpK);
    const fsBshift = this.fsBshiftK(vpK, t, mp);
    const bsize = 2 ** fsBshift;
    const orignmempages =
      memeof < 0 ? orignpages : Math.min(orignpages, roundPage(memeof - origoffset) / PAGE_SIZE);
    let npages = orignmempages;
    const startoffset = Math.floor(origoffset / bsize) * bsize;
    const ridx = (origoffset - startoffset) / PAGE_SIZE;

    this.call.fstransStart(mp);
    try {
      if (!glocked) {
        if (blockalloc) this.nodes.wrlockK(vpK);
        else this.nodes.rdlockK(vpK);
      }
      this.uvn.lockK(vpK);
      if (this.uvn.sizeK(vpK) < origvsize)
        this.k.panic(
          'genfs_getpages: v_size shrank while the pager waited (single lwp: impossible)',
        );
      let pgs: Kva[] = new Array<Kva>(ridx + npages);
      for (let i = 0; i < ridx; i++) pgs[i] = 0;
      this.findpages(vpK, origoffset / PAGE_SIZE, npages, pgs, ridx, memwrite);
      let done = false;
      if (overwrite) {
        if (!glocked) this.nodes.unlockK(vpK);
        for (let i = 0; i < npages; i++) {
          const p = pgs[ridx + i]!;
          if (P.flagsK(p) & pg.PG_RDONLY && blockalloc) {
            this.k.panic(
              'kernel diagnostic assertion "(pg->flags & PG_RDONLY) == 0 || !blockalloc" failed: genfs_getpages',
            );
          }
          P.setFlagsK(p, P.flagsK(p) & ~pg.PG_RDONLY);
          P.markdirtyK(p, UVM_PAGE_STATUS_DIRTY);
        }
        npages += ridx;
        done = true;
      } else {
        let allValid = true;
        for (let i = 0; i < npages; i++) {
          const f = P.flagsK(pgs[ridx + i]!);
          if (f & pg.PG_FAKE || (blockalloc && f & pg.PG_RDONLY)) {
            allValid = false;
            break;
          }
        }
        if (allValid) {
          if (!glocked) this.nodes.unlockK(vpK);
          npages += ridx;
          done = true;
        }
      }
      if (!done) {
        if (memeof < 0) memeof = this.gopSizeK(vpK, memsize, GOP_SIZE_MEM);
        const reqEnd = roundPage(
          Math.ceil((origoffset + orignmempages * PAGE_SIZE) / bsize) * bsize,
        );
        const endoffset = Math.min(reqEnd, roundPage(memeof));
        npages = (endoffset - startoffset) / PAGE_SIZE;
        if (startoffset !== origoffset || npages !== orignmempages) {
          this.relPages(vpK, pgs.slice(ridx, ridx + orignmempages));
          pgs = new Array<Kva>(npages);
          this.findpages(vpK, startoffset / PAGE_SIZE, npages, pgs, 0, memwrite);
        }
        this.uvn.unlockK(vpK);
        const cred = this.k.curlwp === 0n ? 0n : this.r64(this.k.curlwp + this.o.lCred);
        const diskeof = this.gopSizeK(vpK, origvsize, 0);
        const error = this.read(vpK, t, mp, pgs, startoffset, diskeof, blockalloc, cred);
        if (!glocked) this.nodes.unlockK(vpK);
        this.uvn.lockK(vpK);
        if (error) {
          this.relPages(vpK, pgs);
          this.uvn.unlockK(vpK);
          return error;
        }
      }
      // out: pages read are valid now; pages around the request are released.
      for (let i = 0; i < npages; i++) {
        const p = pgs[i];
        if (p === undefined || p === 0) continue;
        let f = P.flagsK(p);
        if (f & pg.PG_FAKE && !overwrite) {
          if (!blockalloc && (f & (pg.PG_CLEAN | pg.PG_DIRTY)) !== UVM_PAGE_STATUS_CLEAN) {
            this.k.panic(`genfs_getpages: page ${this.k.describeAddress(kvaBig(p))} not clean`);
          }
          f &= ~pg.PG_FAKE;
          P.setFlagsK(p, f);
        }
        if (i < ridx || i >= ridx + orignmempages) {
          if (f & pg.PG_FAKE) P.zeroK(p);
          if (f & pg.PG_RELEASED) {
            P.freeK(p);
            continue;
          }
          P.setFlagsK(p, P.flagsK(p) & ~(pg.PG_BUSY | pg.PG_FAKE));
        } else if (memwrite && !overwrite && P.getdirtyK(p) === UVM_PAGE_STATUS_CLEAN) {
          P.markdirtyK(p, UVM_PAGE_STATUS_UNKNOWN);
        }
      }
      this.uvn.unlockK(vpK);
      if (mK !== 0) {
        for (let i = 0; i < orignmempages; i++) storeKva(m, mK + 8 * i, pgs[ridx + i]!);
      }
      return 0;
    } finally {
      this.call.fstransDone(mp);
    }
  }

  /** PGO_LOCKED: only what is resident and not busy, no I/O; the object stays locked. */
  private getpagesLocked(
    vpK: Kva,
    off: number,
    mK: Kva,
    n: number,
    centeridx: number,
    memwrite: boolean,
  ): number {
    const m = this.k.mem;
    const P = this.pages;
    const idx0 = off / PAGE_SIZE;
    let found = 0;
    for (let i = 0; i < n; i++) {
      const slot = mK + 8 * i;
      if (m.load64(slot, -1) === -1 && m.hi === -1) continue; // PGO_DONTCARE
      const p = P.lookupK(vpK, idx0 + i);
      const f = p === 0 ? 0 : P.flagsK(p);
      if (p === 0 || f & (pg.PG_BUSY | pg.PG_FAKE) || (memwrite && f & pg.PG_RDONLY)) continue;
      storeKva(m, slot, p);
      found++;
    }
    if (found === 0) return errno.EBUSY;
    if (loadKva(m, mK + 8 * centeridx) === 0) return errno.EBUSY;
    if (memwrite) {
      for (let i = 0; i < n; i++) {
        const p = loadKva(m, mK + 8 * i);
        if (p === 0 || p === -1) continue;
        if (P.getdirtyK(p) === UVM_PAGE_STATUS_CLEAN) P.markdirtyK(p, UVM_PAGE_STATUS_UNKNOWN);
      }
    }
    return 0;
  }

  /**
   * genfs_getpages_read: fill the PG_FAKE pages of [startoffset, +pages) from disk, zeroes
   * past the on-disk end of file and for holes. Called with g_glock held, object unlocked.
   */
  private read(
    vp: Kva,
    vt: number,
    mp: Kva,
    pgs: Kva[],
    startoffset: number,
    diskeof: number,
    blockalloc: boolean,
    cred: bigint,
  ): number {
    const P = this.pages;
    const npages = pgs.length;
    const fsBshift = this.fsBshiftK(vp, vt, mp);
    const devBshift = this.devBshiftK(vt, mp);
    const bsize = 2 ** fsBshift;
    const devBsize = 2 ** devBshift;
    const totalbytes = npages * PAGE_SIZE;
    const onDisk = diskeof - startoffset;
    let bytes = Math.min(totalbytes, Math.max(onDisk, 0));
    // The window's buffer is read at each use (this.k.mem.u8), never kept: the pager mapping,
    // a buf or the device may allocate, and a growth of the window replaces the buffer.
    const mem = this.k.mem;
    const fake: boolean[] = new Array(npages);
    let nfake = 0;
    for (let i = 0; i < npages; i++) {
      fake[i] = (P.flagsK(pgs[i]!) & pg.PG_FAKE) !== 0;
      if (fake[i]) nfake++;
    }
    // uvm_pagermapin: the pages, contiguous. When their frames already lie side by side (pages
    // allocated together usually do) the transfer goes straight into them, as through NetBSD's
    // pager mapping; otherwise into a buffer whose fake pages are copied back below.
    const direct = this.framesContiguous(pgs);
    const kva = direct ? P.frameK(pgs[0]!) : this.mapinK(pgs, totalbytes);
    const kvaO = kva & 0x7fffffff;
    // Past the end of the file on disk: zeros (only in pages not holding valid data).
    for (let tail = bytes; tail < totalbytes; ) {
      const len = PAGE_SIZE - (tail % PAGE_SIZE);
      if (fake[Math.floor(tail / PAGE_SIZE)]) mem.u8.fill(0, kvaO + tail, kvaO + tail + len);
      tail += len;
    }
    let error = 0;
    let sawhole = false;
    let offset = startoffset;
    const bm = this.bm;
    try {
      while (bytes > 0) {
        let pidx = (offset - startoffset) / PAGE_SIZE;
        let skipped = false;
        while (!fake[pidx]) {
          if (P.flagsK(pgs[pidx]!) & pg.PG_RDONLY) sawhole = true;
          const b = Math.min(PAGE_SIZE, bytes);
          offset += b;
          bytes -= b;
          pidx++;
          if (bytes === 0) {
            skipped = true;
            break;
          }
        }
        if (skipped) break;
        const lbn = Math.floor(offset / bsize);
        error = this.bmapK(vp, lbn);
        if (error) break;
        let iobytes = (lbn + 1 + bm.run) * bsize - offset;
        if (iobytes > bytes) iobytes = bytes;
        if (offset + iobytes > roundPage(offset)) {
          let pcount = 1;
          while (pidx + pcount < npages && fake[pidx + pcount]) pcount++;
          iobytes = Math.min(iobytes, pcount * PAGE_SIZE - (offset - truncPage(offset)));
        }
        const atO = kvaO + (offset - startoffset);
        if (bm.blkno === -1) {
          sawhole = true;
          mem.u8.fill(0, atO, atO + iobytes);
          if (!blockalloc) {
            const holepages = (roundPage(offset + iobytes) - truncPage(offset)) / PAGE_SIZE;
            for (let i = 0; i < holepages; i++) {
              const p = pgs[pidx + i]!;
              P.setFlagsK(p, P.flagsK(p) | pg.PG_RDONLY);
            }
          }
        } else {
          const blkno = bm.blkno + Math.floor((offset - lbn * bsize) / devBsize);
          error = this.transferK(vp, bm.devvp, kva + (atO - kvaO), iobytes, blkno, true);
          if (error) break;
        }
        offset += iobytes;
        bytes -= iobytes;
      }
      // uvm_pagermapout: the read data goes into the pages that were being filled.
      if (!direct) {
        for (let i = 0; i < npages; i++) {
          if (!fake[i]) continue;
          const fr = P.frameK(pgs[i]!) & 0x7fffffff;
          mem.u8.copyWithin(fr, kvaO + i * PAGE_SIZE, kvaO + (i + 1) * PAGE_SIZE);
        }
      }
      this.stats.pagesRead += nfake;
    } finally {
      if (!direct) this.k.kmem.free(kvaBig(kva), totalbytes, 'genfs pagermap');
    }
    if (!error && sawhole && blockalloc) {
      const vpB = kvaBig(vp);
      error = this.gopAlloc(vpB, BigInt(startoffset), BigInt(totalbytes), 0, cred);
      if (!error) {
        this.uvn.lockK(vp);
        for (const p of pgs) {
          P.setFlagsK(p, P.flagsK(p) & ~pg.PG_RDONLY);
          P.markdirtyK(p, UVM_PAGE_STATUS_DIRTY);
        }
        this.uvn.unlockK(vp);
      }
    }
    return error;
  }

  /** True when the pages' frames follow each other in memory (one buffer holds them all). */
  private framesContiguous(pgs: readonly Kva[]): boolean {
    const P = this.pages;
    const f0 = P.frameK(pgs[0]!);
    for (let i = 1; i < pgs.length; i++) if (P.frameK(pgs[i]!) !== f0 + i * PAGE_SIZE) return false;
    return true;
  }

  /** uvm_pagermapin, by copy: a new buffer holding the pages' frames side by side. */
  private mapinK(pgs: readonly Kva[], len: number): Kva {
    const P = this.pages;
    const kva = kvaOf(this.k.kmem.alloc(len, 1, false, 'genfs pagermap'));
    // After the allocation, which may have grown the window (a new buffer).
    const u8 = this.k.mem.u8;
    const o = kva & 0x7fffffff;
    for (let i = 0; i < pgs.length; i++) {
      const fr = P.frameK(pgs[i]!) & 0x7fffffff;
      u8.copyWithin(o + i * PAGE_SIZE, fr, fr + PAGE_SIZE);
    }
    return kva;
  }

  /**
   * One device transfer of `len` bytes at `data` (b_blkno `blkno` of devvp) in an I/O buf of
   * vp, as genfs's nested bufs do; returns the errno (a short transfer is EIO).
   */
  private transferK(
    vp: Kva,
    devvp: Kva,
    data: Kva,
    len: number,
    blkno: number,
    read: boolean,
    async = false,
  ): number {
    const m = this.k.mem;
    const o = this.o;
    const bp = this.bufs.getiobufK(vp);
    try {
      storeKva(m, bp + o.bDataN, data);
      storeU32(m, bp + o.bBcountN, len);
      storeU32(m, bp + o.bBufsizeN, len);
      storeU32(m, bp + o.bResidN, len);
      // B_ASYNC for writes without PGO_SYNCIO, as genfs_do_io marks them: the disk need not make
      // them durable before completing (biodone releases the buf, putiobuf frees it).
      storeU32(m, bp + o.bFlagsN, read ? B_.B_READ : async ? B_.B_ASYNC : 0);
      m.store64(bp + o.bLblknoN, -1, 0, 0);
      m.store64(bp + o.bBlknoN, -1, blkno | 0, Math.floor(blkno / 4294967296) | 0);
      if (!read) storeU32(m, vp + o.vNumoutputN, loadU32(m, vp + o.vNumoutputN) + 1);
      if (read) this.stats.reads++;
      else this.stats.writes++;
      this.call.int('VOP_STRATEGY', devvp, bp);
      let error = this.bufs.biowaitK(bp);
      if (error === 0 && (loadU32(m, bp + o.bResidN) | 0) > 0) error = errno.EIO;
      return error;
    } finally {
      this.bufs.putiobufK(bp);
    }
  }

  // ------------------------------------------------------------------ genfs_putpages

  putpages(ap: bigint): number {
    const a = this.o.a;
    const vp = this.r64(ap + a.pvp);
    const startoff = this.i64(ap + a.offlo);
    const endoff = this.i64(ap + a.offhi);
    const flags = this.r32(ap + a.pflags);
    return this.doPutpages(vp, startoff, endoff, flags);
  }

  /** genfs_do_putpages, synchronously. Entered with the object write-locked; returns it unlocked. */
  doPutpages(vp: bigint, startoff: bigint, endoffIn: bigint, origflags: number): number {
    if (!(origflags & (pgo.PGO_CLEANIT | pgo.PGO_FREE | pgo.PGO_DEACTIVATE))) {
      this.k.panic(
        'kernel diagnostic assertion "origflags & (PGO_CLEANIT|PGO_FREE|PGO_DEACTIVATE)" failed: genfs_do_putpages',
      );
    }
    if (startoff % PAGE !== 0n || endoffIn % PAGE !== 0n)
      this.k.panic('genfs_do_putpages: offsets not page-aligned');
    // Page numbers of the range (offsets past 2^53 only bound it: past every page).
    const idx = (o: bigint) => (o >= 1n << 53n ? Number.MAX_SAFE_INTEGER : Number(o / PAGE));
    return this.doPutpagesK(
      kvaOf(vp),
      startoff < 0n ? 0 : idx(startoff),
      endoffIn === 0n ? Number.MAX_SAFE_INTEGER : idx(endoffIn),
      origflags,
    );
  }

  /**
   * genfs_do_putpages on page numbers [loIdx, hiIdx) of vp (a Kva): the pages of the range, by
   * Kva (no BigInt per page). Entered with the object write-locked; returns it unlocked.
   */
  private doPutpagesK(vp: Kva, loIdxIn: number, hiIdxIn: number, origflags: number): number {
    const P = this.pages;
    const m = this.k.mem;
    P.assertLockedK(vp, 'genfs_do_putpages');
    const vpB = kvaBig(vp);
    const dirtyonly = (origflags & (pgo.PGO_DEACTIVATE | pgo.PGO_FREE)) === 0;
    const nodirty = P.objClean(vpB);
    const resident = P.residentK(vp);
    if (resident === undefined || resident.size === 0 || (dirtyonly && nodirty)) {
      this.syncerRemoveIfNoDirty(vpB);
      this.uvn.unlockK(vp);
      return 0;
    }
    let flags = origflags;
    if (nodirty) flags &= ~pgo.PGO_CLEANIT;
    let transMp: Kva = 0;
    if (flags & pgo.PGO_CLEANIT) {
      this.uvn.unlockK(vp);
      transMp = loadKva(m, vp + this.o.vMountN);
      this.call.fstransStart(transMp);
      this.uvn.lockK(vp);
    }
    const loIdx = flags & pgo.PGO_ALLPAGES ? 0 : loIdxIn;
    const hiIdx = flags & pgo.PGO_ALLPAGES ? Number.MAX_SAFE_INTEGER : hiIdxIn;
    let error = 0;
    try {
      // Pages to visit: with PGO_FREE or PGO_DEACTIVATE every resident page of the range; for a
      // plain clean-out only the dirty ones (those NetBSD finds by the radix tree's dirty tag).
      const inRange = dirtyonly
        ? P.dirtyIndices(vpB).filter((i) => i >= loIdx && i < hiIdx)
        : P.indicesIn(vpB, loIdx, hiIdx);
      const run: Kva[] = [];
      for (let k = 0; k < inRange.length; k++) {
        const idx = inRange[k]!;
        const p = P.lookupK(vp, idx);
        if (p === 0) continue; // freed by an earlier step
        const f = P.flagsK(p);
        if (f & pg.PG_BUSY) {
          if (flags & pgo.PGO_BUSYFAIL) {
            error = errno.EDEADLK;
            break;
          }
          this.k.panic(
            `deadlock: genfs_do_putpages: page at 0x${(idx * PAGE_SIZE).toString(16)} of ${this.k.describeAddress(vpB)} is busy`,
          );
        }
        const needsClean =
          (flags & pgo.PGO_CLEANIT) !== 0 && P.getdirtyK(p) !== UVM_PAGE_STATUS_CLEAN;
        if (needsClean) {
          // Gather the run of consecutive dirty, idle pages starting here (at most MAXPHYS).
          run.length = 0;
          run.push(p);
          while (run.length < MAXPAGES) {
            const nidx = idx + run.length;
            const next = P.lookupK(vp, nidx);
            if (next === 0 || nidx >= hiIdx) break;
            if (P.flagsK(next) & pg.PG_BUSY || P.getdirtyK(next) === UVM_PAGE_STATUS_CLEAN) break;
            run.push(next);
          }
          for (const q of run) {
            P.setFlagsK(q, P.flagsK(q) | pg.PG_BUSY);
            P.markdirtyK(q, UVM_PAGE_STATUS_CLEAN);
          }
          this.uvn.unlockK(vp);
          const e = this.gopWrite(vp, run, flags);
          this.uvn.lockK(vp);
          if (e && !error) error = e;
          this.stats.pagesWritten += run.length;
          if (flags & pgo.PGO_FREE) {
            for (const q of run) if (!(P.flagsK(q) & pg.PG_BUSY)) P.freeK(q);
          }
          k += run.length - 1;
          if (error) break;
          continue;
        }
        if (flags & pgo.PGO_FREE) P.freeK(p);
      }
      if (P.objClean(vpB)) this.syncerRemoveIfNoDirty(vpB);
      if (
        origflags & pgo.PGO_SYNCIO &&
        (loadU32(m, vp + this.o.vNumoutputN) | 0) !== 0 &&
        flags & pgo.PGO_CLEANIT
      ) {
        this.k.panic(
          `deadlock: genfs_do_putpages: ${loadU32(m, vp + this.o.vNumoutputN)} writes of ${this.k.describeAddress(vpB)} never completed`,
        );
      }
    } finally {
      this.uvn.unlockK(vp);
      if (transMp !== 0) this.call.fstransDone(transMp);
    }
    return error;
  }

  /** Off the syncer's list when neither dirty bufs nor (the caller checked) dirty pages remain. */
  private syncerRemoveIfNoDirty(vp: bigint): void {
    if (this.r32(vp + this.o.vIflag) & V_.VI_ONWORKLST && this.r64(vp + this.o.vDirty) === 0n)
      this.bufs.syncerRemove(vp);
  }

  /**
   * genfs_gop_write: write the busy pages `pgs` (consecutive, from pgs[0]'s offset) through
   * genfs_do_io, then complete them as uvm_aio_aiodone does: unbusy, and on failure mark them
   * dirty again so the data is not lost.
   */
  gopWriteImpl(vp: bigint, pgsArr: bigint, npages: number, flags: number): number {
    return this.gopWriteK(kvaOf(vp), kvaOf(pgsArr), npages, flags);
  }

  gopWriteK(vp: Kva, arr: Kva, npages: number, flags: number): number {
    const m = this.k.mem;
    const list: Kva[] = new Array(npages);
    for (let i = 0; i < npages; i++) list[i] = loadKva(m, arr + 8 * i);
    return this.writePages(vp, list, flags);
  }

  /** genfs_gop_write of the busy pages `list` (consecutive, from list[0]'s offset). */
  private writePages(vp: Kva, list: readonly Kva[], flags: number): number {
    const P = this.pages;
    const npages = list.length;
    const off = P.offsetK(list[0]!);
    const len = npages * PAGE_SIZE;
    // uvm_pagermapin: straight from the frames when they lie side by side, else a copy.
    const direct = this.framesContiguous(list);
    const kva = direct ? P.frameK(list[0]!) : this.mapinK(list, len);
    try {
      const error = this.doIoK(vp, off, kva, len, true, (flags & pgo.PGO_SYNCIO) === 0);
      this.uvn.lockK(vp);
      if (error) for (const p of list) P.markdirtyK(p, UVM_PAGE_STATUS_DIRTY);
      P.unbusyK(vp, list, npages);
      this.uvn.unlockK(vp);
      return error;
    } finally {
      if (!direct) this.k.kmem.free(kvaBig(kva), len, 'genfs pagermap');
    }
  }

  /** genfs_do_io: move [off, off+len) of vp between `kva` and disk, stopping at the block-rounded end of file. */
  doIo(vp: bigint, off: bigint, kva: bigint, len: number, write: boolean, async = false): number {
    return this.doIoK(kvaOf(vp), Number(off), kvaOf(kva), len, write, async);
  }

  doIoK(vp: Kva, off: number, kva: Kva, len: number, write: boolean, async = false): number {
    const m = this.k.mem;
    const size = this.uvn.sizeK(vp);
    const ws = this.uvn.writesizeK(vp);
    if (size < 0 || ws < 0 || size > ws) {
      this.k.panic(
        `genfs_do_io: vp=${this.k.describeAddress(kvaBig(vp))} v_size=0x${size.toString(16)} v_writesize=0x${ws.toString(16)}`,
      );
    }
    const eof = this.gopSizeK(vp, ws, 0);
    const vt = loadU32(m, vp + this.o.vTypeN);
    const mp = loadKva(m, vp + this.o.vMountN);
    const bsize = 2 ** this.fsBshiftK(vp, vt, mp);
    const devBsize = 2 ** this.devBshiftK(vt, mp);
    let bytes = Math.min(len, eof - off);
    if (bytes <= 0)
      this.k.panic(
        `genfs_do_io: nothing to transfer at 0x${off.toString(16)} (eof 0x${eof.toString(16)})`,
      );
    let offset = off;
    const bm = this.bm;
    while (bytes > 0) {
      const lbn = Math.floor(offset / bsize);
      const error = this.bmapK(vp, lbn);
      if (error) return error;
      let iobytes = (lbn + 1 + bm.run) * bsize - offset;
      if (iobytes > bytes) iobytes = bytes;
      const at = kva + (offset - off);
      if (bm.blkno === -1) {
        if (!write) m.u8.fill(0, at & 0x7fffffff, (at & 0x7fffffff) + iobytes);
      } else {
        const blkno = bm.blkno + Math.floor((offset - lbn * bsize) / devBsize);
        // genfs_do_io starts the master buf itself (B_ASYNC only for asynchronous I/O) when the
        // whole request is this one piece; any other piece is a nested buf, and nestiobuf_setup
        // makes those B_ASYNC always: rumpblk writes them without a host sync, and the master's
        // biowait is all a synchronous caller waits for.
        const single = offset === off && iobytes === bytes;
        const error = this.transferK(
          vp,
          bm.devvp,
          at,
          iobytes,
          blkno,
          !write,
          write && (async || !single),
        );
        if (error) return error;
      }
      offset += iobytes;
      bytes -= iobytes;
    }
    return 0;
  }

  register(
    defineVop?: (name: string, subsystem: string, impl: (ap: bigint) => number) => bigint,
  ): void {
    const t = this.k.ksyms;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    const vop = defineVop ?? ((name, sub, impl) => t.function(name, sub, (c) => impl(c.arg(0))));
    vop('genfs_getpages', 'genfs', (ap) => this.getpages(ap));
    vop('genfs_putpages', 'genfs', (ap) => this.putpages(ap));
    const gw = t.function('genfs_gop_write', 'genfs', (c) =>
      this.gopWriteImpl(c.arg(0), c.arg(1), i32(c.arg(2)), i32(c.arg(3))),
    );
    this.genfsGopWrite = Number(BigInt.asIntN(64, gw));
    // genfs_directio(vp, uio, ioflag): NetBSD moves the aligned part of an IO_DIRECT request
    // straight between user pages and the disk and leaves the rest (everything, for kernel
    // buffers, mapped vnodes or unaligned requests) to the caller's buffered path. Here every
    // request takes that fallback: the uio is left untouched and ffs_read/ffs_write do the I/O
    // through the page cache, which keeps it coherent with no cache to purge.
    t.function('genfs_directio', 'genfs', () => undefined);
    t.function('genfs_gop_putrange', 'genfs', (c) => {
      // No clustering limits: the whole range may be written together.
      this.k.mem.write64(c.arg(2), 0n);
      this.k.mem.write64(c.arg(3), 0n);
    });
  }
}
