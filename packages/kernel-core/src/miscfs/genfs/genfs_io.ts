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
import { type Kva, kvaBig, kvaOf, loadKva, loadU32, storeKva } from '../../kern/kva.js';

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
const trunc_page = (n: bigint) => n & ~(PAGE - 1n);
const round_page = (n: bigint) => (n + PAGE - 1n) & ~(PAGE - 1n);
const bmin = (a: bigint, b: bigint) => (a < b ? a : b);
const VM_PROT_WRITE = 0x2;
const GOP_SIZE_MEM = 0x4;
const GOP_UPDATE_ACCESSED = 1;
const GOP_UPDATE_MODIFIED = 2;
const MNT_NODEVMTIME = 0x40000000;
/** MAXPHYS >> PAGE_SHIFT: the most pages one putpages write gathers. */
const MAXPAGES = 16;
const LLONG_MAX = 0x7fffffffffffffffn;

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
  private vtype(vp: bigint): number {
    return this.r32(vp + this.o.vType);
  }
  private mount(vp: bigint): bigint {
    return this.r64(vp + this.o.vMount);
  }
  private fsBshift(vp: bigint): number {
    return this.vtype(vp) === vtype.VBLK
      ? B_.DEV_BSHIFT
      : this.r32(this.mount(vp) + this.o.mntFsBshift);
  }
  private devBshift(vp: bigint): number {
    return this.vtype(vp) === vtype.VBLK
      ? B_.DEV_BSHIFT
      : this.r32(this.mount(vp) + this.o.mntDevBshift);
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

  private gopMarkupdate(vp: bigint, flags: number): void {
    const fn = this.gop(vp, this.o.gopMarkupdate);
    if (fn !== 0n) this.call.ptr(fn, vp, flags);
  }

  private gopAlloc(vp: bigint, off: bigint, len: bigint, flags: number, cred: bigint): number {
    const fn = this.gop(vp, this.o.gopAlloc);
    if (fn === 0n) this.k.panic(`GOP_ALLOC: vnode ${this.k.describeAddress(vp)} has no gop_alloc`);
    return Number(BigInt.asIntN(32, this.call.ptr(fn, vp, off, len, flags, cred)));
  }

  private gopWrite(vp: bigint, pgs: readonly bigint[], flags: number): number {
    const fn = this.gop(vp, this.o.gopWrite);
    const arr = this.call.scratch(8 * pgs.length);
    try {
      for (let i = 0; i < pgs.length; i++) this.k.mem.write64(arr + BigInt(8 * i), pgs[i]!);
      return Number(BigInt.asIntN(32, this.call.ptr(fn, vp, arr, pgs.length, flags)));
    } finally {
      this.call.release(arr, 8 * pgs.length);
    }
  }

  /** VOP_BMAP(vp, lbn, &devvp, &blkno, &run). */
  private bmap(
    vp: bigint,
    lbn: bigint,
  ): { error: number; devvp: bigint; blkno: bigint; run: number } {
    const out = this.call.scratchK(24);
    const m = this.k.mem;
    try {
      const error = this.call.int('VOP_BMAP', vp, lbn, kvaBig(out), out + 8, out + 16);
      const dlo = m.load64(out, -1);
      const dhi = m.hi;
      return {
        error,
        devvp: dhi === -1 && dlo < 0 ? kvaBig(dlo) : this.r64(kvaBig(out)),
        blkno: BigInt(loadI64(m, out + 8)),
        run: loadU32(m, out + 16) | 0,
      };
    } finally {
      this.call.releaseK(out, 24);
    }
  }

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

  /** uvn_findpages (UFP_ALL): busy the resident pages of [off, off + n pages), allocating missing ones. */
  private findpages(vp: Kva, off: bigint, n: number): Kva[] {
    const P = this.pages;
    const u8 = this.k.mem.u8;
    const idx0 = Number(off / PAGE);
    const out: Kva[] = new Array(n);
    let resident = P.residentK(vp);
    for (let i = 0; i < n; i++) {
      let p = resident?.get(idx0 + i) ?? 0;
      if (p === 0) {
        this.stats.pageMisses++;
        p = P.allocK(vp, idx0 + i);
        // The first page of an object creates its map; a reclaim may have emptied (and so
        // dropped) the one we held.
        resident = P.residentK(vp);
        const fr = P.frameK(p) & 0x7fffffff;
        u8.fill(0, fr, fr + PAGE_SIZE);
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
      out[i] = p;
    }
    return out;
  }

  // ------------------------------------------------------------------ genfs_getpages

  getpages(ap: bigint): number {
    const a = this.o.an;
    const m = this.k.mem;
    const apK = kvaOf(ap);
    const vpK = loadKva(m, apK + a.vp);
    const vp = kvaBig(vpK);
    const P = this.pages;
    const origoffset = BigInt(loadI64(m, apK + a.offset));
    const mArr = kvaBig(loadKva(m, apK + a.m));
    const countp = loadKva(m, apK + a.count);
    const centeridx = loadU32(m, apK + a.centeridx) | 0;
    const access = loadU32(m, apK + a.access);
    const flags = loadU32(m, apK + a.flags);
    const memwrite = (access & VM_PROT_WRITE) !== 0;
    const overwrite = (flags & pgo.PGO_OVERWRITE) !== 0;
    const blockalloc = memwrite && (flags & pgo.PGO_NOBLOCKALLOC) === 0;
    const glocked = (flags & pgo.PGO_GLOCKHELD) !== 0;
    const locked = (flags & pgo.PGO_LOCKED) !== 0;
    const t = this.vtype(vp);
    if (t !== vtype.VREG && t !== vtype.VDIR && t !== vtype.VLNK && t !== vtype.VBLK) {
      this.k.panic(`genfs_getpages: vnode ${this.k.describeAddress(vp)} of type ${t}`);
    }
    const lock = this.uvn.objlock(vp);
    if (
      !this.k.rwlocks.writeHeld(lock) &&
      !(locked && !memwrite && this.k.rwlocks.readHeld(lock))
    ) {
      this.k.panic(
        `kernel diagnostic assertion "rw_write_held(uobj->vmobjlock)" failed: genfs_getpages ${this.k.describeAddress(vp)}`,
      );
    }
    if (origoffset % PAGE !== 0n || origoffset < 0n)
      this.k.panic(`genfs_getpages: offset 0x${origoffset.toString(16)} not page-aligned`);
    const orignpages = loadU32(m, countp) | 0;
    if (orignpages <= 0) this.k.panic(`genfs_getpages: count ${orignpages}`);

    const origvsize = this.uvn.size(vp);
    const diskeof = this.gopSize(vp, origvsize, 0);
    let memeof: bigint;
    if (flags & pgo.PGO_PASTEOF) {
      const end = origoffset + BigInt(orignpages) * PAGE;
      const newsize = origvsize > end ? origvsize : end;
      memeof = this.gopSize(vp, newsize, GOP_SIZE_MEM);
      const writeeof = this.gopSize(vp, this.uvn.writesize(vp), GOP_SIZE_MEM);
      if (newsize > round_page(writeeof))
        this.k.panic(`genfs_getpages: past eof: ${newsize} vs. ${round_page(writeeof)}`);
    } else {
      memeof = this.gopSize(vp, origvsize, GOP_SIZE_MEM);
    }
    if (origoffset + BigInt(centeridx) * PAGE >= memeof) {
      if (!locked) this.uvn.unlock(vp);
      return errno.EINVAL;
    }
    const mp = this.mount(vp);
    if (
      !(flags & pgo.PGO_NOTIMESTAMP) &&
      (t !== vtype.VBLK || !(this.r32(mp + this.o.mntFlag) & MNT_NODEVMTIME))
    ) {
      const upd =
        (this.r32(mp + this.o.mntFlag) & mnt.MNT_NOATIME ? 0 : GOP_UPDATE_ACCESSED) |
        (memwrite ? GOP_UPDATE_MODIFIED : 0);
      if (upd) this.gopMarkupdate(vp, upd);
    }

    if (locked) return this.getpagesLocked(vp, origoffset, mArr, orignpages, centeridx, memwrite);

    this.uvn.unlock(vp);
    const fsBshift = this.fsBshift(vp);
    const bmask = (1n << BigInt(fsBshift)) - 1n;
    const orignmempages = Math.min(orignpages, Number(round_page(memeof - origoffset) / PAGE));
    let npages = orignmempages;
    const startoffset = origoffset & ~bmask;
    const reqEnd = round_page((origoffset + BigInt(npages) * PAGE + bmask) & ~bmask);
    const memEnd = round_page(memeof);
    const endoffset = bmin(reqEnd, memEnd);
    const ridx = Number((origoffset - startoffset) / PAGE);

    this.call.intN('fstrans_start', kvaOf(mp));
    try {
      if (!glocked) {
        if (blockalloc) this.nodes.wrlock(vp);
        else this.nodes.rdlock(vp);
      }
      this.uvn.lock(vp);
      if (this.uvn.size(vp) < origvsize)
        this.k.panic(
          'genfs_getpages: v_size shrank while the pager waited (single lwp: impossible)',
        );
      let pgs: Kva[] =
        ridx === 0
          ? this.findpages(vpK, origoffset, npages)
          : new Array<Kva>(ridx).fill(0).concat(this.findpages(vpK, origoffset, npages));
      let done = false;
      if (overwrite) {
        if (!glocked) this.nodes.unlock(vp);
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
          if (!glocked) this.nodes.unlock(vp);
          npages += ridx;
          done = true;
        }
      }
      if (!done) {
        npages = Number((endoffset - startoffset) / PAGE);
        if (startoffset !== origoffset || npages !== orignmempages) {
          this.relPages(vpK, pgs.slice(ridx, ridx + orignmempages));
          pgs = this.findpages(vpK, startoffset, npages);
        }
        this.uvn.unlock(vp);
        const cred = this.k.curlwp === 0n ? 0n : this.r64(this.k.curlwp + this.o.lCred);
        const error = this.read(vp, pgs, startoffset, diskeof, blockalloc, cred);
        if (!glocked) this.nodes.unlock(vp);
        this.uvn.lock(vp);
        if (error) {
          this.relPages(vpK, pgs);
          this.uvn.unlock(vp);
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
      this.uvn.unlock(vp);
      if (mArr !== 0n) {
        const mK = kvaOf(mArr);
        for (let i = 0; i < orignmempages; i++) storeKva(m, mK + 8 * i, pgs[ridx + i]!);
      }
      return 0;
    } finally {
      this.call.intN('fstrans_done', kvaOf(mp));
    }
  }

  /** PGO_LOCKED: only what is resident and not busy, no I/O; the object stays locked. */
  private getpagesLocked(
    vp: bigint,
    off: bigint,
    mArr: bigint,
    n: number,
    centeridx: number,
    memwrite: boolean,
  ): number {
    const m = this.k.mem;
    const P = this.pages;
    const vpK = kvaOf(vp);
    const mK = kvaOf(mArr);
    const idx0 = Number(off / PAGE);
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
    vp: bigint,
    pgs: Kva[],
    startoffset: bigint,
    diskeof: bigint,
    blockalloc: boolean,
    cred: bigint,
  ): number {
    const P = this.pages;
    const npages = pgs.length;
    const fsBshift = BigInt(this.fsBshift(vp));
    const devBshift = BigInt(this.devBshift(vp));
    const totalbytes = npages * PAGE_SIZE;
    const onDisk = diskeof - startoffset;
    let bytes = Math.min(totalbytes, onDisk > 0n ? Number(onDisk) : 0);
    const u8 = this.k.mem.u8;
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
      if (fake[Math.floor(tail / PAGE_SIZE)]) u8.fill(0, kvaO + tail, kvaO + tail + len);
      tail += len;
    }
    let error = 0;
    let sawhole = false;
    let offset = startoffset;
    try {
      while (bytes > 0) {
        let pidx = Number((offset - startoffset) / PAGE);
        let skipped = false;
        while (!fake[pidx]) {
          if (P.flagsK(pgs[pidx]!) & pg.PG_RDONLY) sawhole = true;
          const b = Math.min(PAGE_SIZE, bytes);
          offset += BigInt(b);
          bytes -= b;
          pidx++;
          if (bytes === 0) {
            skipped = true;
            break;
          }
        }
        if (skipped) break;
        const lbn = offset >> fsBshift;
        const bm = this.bmap(vp, lbn);
        if (bm.error) {
          error = bm.error;
          break;
        }
        let iobytes = Number(((lbn + 1n + BigInt(bm.run)) << fsBshift) - offset);
        if (iobytes > bytes) iobytes = bytes;
        if (offset + BigInt(iobytes) > round_page(offset)) {
          let pcount = 1;
          while (pidx + pcount < npages && fake[pidx + pcount]) pcount++;
          iobytes = Math.min(iobytes, pcount * PAGE_SIZE - Number(offset - trunc_page(offset)));
        }
        const atO = kvaO + Number(offset - startoffset);
        if (bm.blkno === -1n) {
          sawhole = true;
          u8.fill(0, atO, atO + iobytes);
          if (!blockalloc) {
            const holepages = Number(
              (round_page(offset + BigInt(iobytes)) - trunc_page(offset)) / PAGE,
            );
            for (let i = 0; i < holepages; i++) {
              const p = pgs[pidx + i]!;
              P.setFlagsK(p, P.flagsK(p) | pg.PG_RDONLY);
            }
          }
        } else {
          const blkno = bm.blkno + ((offset - (lbn << fsBshift)) >> devBshift);
          error = this.transfer(vp, bm.devvp, kvaBig(kva + (atO - kvaO)), iobytes, blkno, true);
          if (error) break;
        }
        offset += BigInt(iobytes);
        bytes -= iobytes;
      }
      // uvm_pagermapout: the read data goes into the pages that were being filled.
      if (!direct) {
        for (let i = 0; i < npages; i++) {
          if (!fake[i]) continue;
          const fr = P.frameK(pgs[i]!) & 0x7fffffff;
          u8.copyWithin(fr, kvaO + i * PAGE_SIZE, kvaO + (i + 1) * PAGE_SIZE);
        }
      }
      this.stats.pagesRead += nfake;
    } finally {
      if (!direct) this.k.kmem.free(kvaBig(kva), totalbytes, 'genfs pagermap');
    }
    if (!error && sawhole && blockalloc) {
      error = this.gopAlloc(vp, startoffset, BigInt(totalbytes), 0, cred);
      if (!error) {
        this.uvn.lock(vp);
        for (const p of pgs) {
          P.setFlagsK(p, P.flagsK(p) & ~pg.PG_RDONLY);
          P.markdirtyK(p, UVM_PAGE_STATUS_DIRTY);
        }
        this.uvn.unlock(vp);
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
    const u8 = this.k.mem.u8;
    const kva = kvaOf(this.k.kmem.alloc(len, 1, false, 'genfs pagermap'));
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
  private transfer(
    vp: bigint,
    devvp: bigint,
    data: bigint,
    len: number,
    blkno: bigint,
    read: boolean,
    async = false,
  ): number {
    const m = this.k.mem;
    const o = this.o;
    const bp = this.bufs.getiobuf(vp);
    try {
      m.write64(bp + o.bData, data);
      m.write32(bp + o.bBcount, len);
      m.write32(bp + o.bBufsize, len);
      m.write32(bp + o.bResid, len);
      // B_ASYNC for writes without PGO_SYNCIO, as genfs_do_io marks them: the disk need not make
      // them durable before completing (biodone releases the buf, putiobuf frees it).
      m.write32(bp + o.bFlags, read ? B_.B_READ : async ? B_.B_ASYNC : 0);
      m.write64(bp + o.bLblkno, 0n);
      m.write64(bp + o.bBlkno, BigInt.asUintN(64, blkno));
      if (!read) m.write32(vp + o.vNumoutput, m.read32(vp + o.vNumoutput) + 1);
      if (read) this.stats.reads++;
      else this.stats.writes++;
      this.call.int('VOP_STRATEGY', devvp, bp);
      let error = this.bufs.biowait(bp);
      if (error === 0 && (m.read32(bp + o.bResid) | 0) > 0) error = errno.EIO;
      return error;
    } finally {
      this.bufs.putiobuf(bp);
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
    this.pages.assertLocked(vp, 'genfs_do_putpages');
    const dirtyonly = (origflags & (pgo.PGO_DEACTIVATE | pgo.PGO_FREE)) === 0;
    const nodirty = this.pages.objClean(vp);
    if (this.pages.npages(vp) === 0 || (dirtyonly && nodirty)) {
      this.syncerRemoveIfNoDirty(vp);
      this.uvn.unlock(vp);
      return 0;
    }
    let flags = origflags;
    if (nodirty) flags &= ~pgo.PGO_CLEANIT;
    let transMp = 0n;
    if (flags & pgo.PGO_CLEANIT) {
      this.uvn.unlock(vp);
      transMp = this.mount(vp);
      this.call.int('fstrans_start', transMp);
      this.uvn.lock(vp);
    }
    const endoff = endoffIn === 0n || flags & pgo.PGO_ALLPAGES ? trunc_page(LLONG_MAX) : endoffIn;
    const lo = flags & pgo.PGO_ALLPAGES ? 0n : startoff;
    let error = 0;
    try {
      // Pages to visit: with PGO_FREE or PGO_DEACTIVATE every resident page of the range; for a
      // plain clean-out only the dirty ones (those NetBSD finds by the radix tree's dirty tag).
      const loIdx = Number(lo / PAGE);
      const hiIdx =
        endoff >= trunc_page(LLONG_MAX) ? Number.MAX_SAFE_INTEGER : Number(endoff / PAGE);
      const inRange = dirtyonly
        ? this.pages.dirtyIndices(vp).filter((i) => i >= loIdx && i < hiIdx)
        : this.pages.pagesIn(vp, loIdx, hiIdx).map(([idx]) => idx);
      for (let k = 0; k < inRange.length; k++) {
        const idx = inRange[k]!;
        const p = this.pages.lookup(vp, BigInt(idx) * PAGE);
        if (p === 0n) continue; // freed by an earlier step
        const f = this.pages.flags(p);
        if (f & pg.PG_BUSY) {
          if (flags & pgo.PGO_BUSYFAIL) {
            error = errno.EDEADLK;
            break;
          }
          this.k.panic(
            `deadlock: genfs_do_putpages: page at 0x${(BigInt(idx) * PAGE).toString(16)} of ${this.k.describeAddress(vp)} is busy`,
          );
        }
        const needsClean =
          (flags & pgo.PGO_CLEANIT) !== 0 && this.pages.getdirty(p) !== UVM_PAGE_STATUS_CLEAN;
        if (needsClean) {
          // Gather the run of consecutive dirty, idle pages starting here (at most MAXPHYS).
          const run: bigint[] = [p];
          while (run.length < MAXPAGES) {
            const next = this.pages.lookup(vp, BigInt(idx + run.length) * PAGE);
            if (next === 0n || BigInt(idx + run.length) * PAGE >= endoff) break;
            if (
              this.pages.flags(next) & pg.PG_BUSY ||
              this.pages.getdirty(next) === UVM_PAGE_STATUS_CLEAN
            )
              break;
            run.push(next);
          }
          for (const q of run) {
            this.pages.setFlags(q, this.pages.flags(q) | pg.PG_BUSY);
            this.pages.markdirty(q, UVM_PAGE_STATUS_CLEAN);
          }
          this.uvn.unlock(vp);
          const e = this.gopWrite(vp, run, flags);
          this.uvn.lock(vp);
          if (e && !error) error = e;
          this.stats.pagesWritten += run.length;
          if (flags & pgo.PGO_FREE) {
            for (const q of run) if (!(this.pages.flags(q) & pg.PG_BUSY)) this.pages.free(q);
          }
          k += run.length - 1;
          if (error) break;
          continue;
        }
        if (flags & pgo.PGO_FREE) this.pages.free(p);
      }
      if (this.pages.objClean(vp)) this.syncerRemoveIfNoDirty(vp);
      if (
        origflags & pgo.PGO_SYNCIO &&
        (this.r32(vp + this.o.vNumoutput) | 0) !== 0 &&
        flags & pgo.PGO_CLEANIT
      ) {
        this.k.panic(
          `deadlock: genfs_do_putpages: ${this.r32(vp + this.o.vNumoutput)} writes of ${this.k.describeAddress(vp)} never completed`,
        );
      }
    } finally {
      this.uvn.unlock(vp);
      if (transMp !== 0n) this.call.int('fstrans_done', transMp);
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
    const P = this.pages;
    const m = this.k.mem;
    const arr = kvaOf(pgsArr);
    const list: Kva[] = new Array(npages);
    for (let i = 0; i < npages; i++) list[i] = loadKva(m, arr + 8 * i);
    const off = BigInt(P.offsetK(list[0]!));
    const len = npages * PAGE_SIZE;
    // uvm_pagermapin: straight from the frames when they lie side by side, else a copy.
    const direct = this.framesContiguous(list);
    const kva = direct ? P.frameK(list[0]!) : this.mapinK(list, len);
    try {
      const error = this.doIo(vp, off, kvaBig(kva), len, true, (flags & pgo.PGO_SYNCIO) === 0);
      this.uvn.lock(vp);
      if (error) for (const p of list) P.markdirtyK(p, UVM_PAGE_STATUS_DIRTY);
      P.unbusyK(kvaOf(vp), list, npages);
      this.uvn.unlock(vp);
      return error;
    } finally {
      if (!direct) this.k.kmem.free(kvaBig(kva), len, 'genfs pagermap');
    }
  }

  /** genfs_do_io: move [off, off+len) of vp between `kva` and disk, stopping at the block-rounded end of file. */
  doIo(vp: bigint, off: bigint, kva: bigint, len: number, write: boolean, async = false): number {
    const size = this.uvn.size(vp);
    const ws = this.uvn.writesize(vp);
    if (size < 0n || ws < 0n || size > ws) {
      this.k.panic(
        `genfs_do_io: vp=${this.k.describeAddress(vp)} v_size=0x${size.toString(16)} v_writesize=0x${ws.toString(16)}`,
      );
    }
    const eof = this.gopSize(vp, ws, 0);
    const fsBshift = BigInt(this.fsBshift(vp));
    const devBshift = BigInt(this.devBshift(vp));
    let bytes = Math.min(len, Number(eof - off));
    if (bytes <= 0)
      this.k.panic(
        `genfs_do_io: nothing to transfer at 0x${off.toString(16)} (eof 0x${eof.toString(16)})`,
      );
    let offset = off;
    while (bytes > 0) {
      const lbn = offset >> fsBshift;
      const bm = this.bmap(vp, lbn);
      if (bm.error) return bm.error;
      let iobytes = Number(((lbn + 1n + BigInt(bm.run)) << fsBshift) - offset);
      if (iobytes > bytes) iobytes = bytes;
      const at = kva + (offset - off);
      if (bm.blkno === -1n) {
        if (!write) this.k.mem.fill(at, iobytes, 0);
      } else {
        const blkno = bm.blkno + ((offset - (lbn << fsBshift)) >> devBshift);
        // genfs_do_io starts the master buf itself (B_ASYNC only for asynchronous I/O) when the
        // whole request is this one piece; any other piece is a nested buf, and nestiobuf_setup
        // makes those B_ASYNC always: rumpblk writes them without a host sync, and the master's
        // biowait is all a synchronous caller waits for.
        const single = offset === off && iobytes === bytes;
        const error = this.transfer(
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
      offset += BigInt(iobytes);
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
    t.function('genfs_gop_write', 'genfs', (c) =>
      this.gopWriteImpl(c.arg(0), c.arg(1), i32(c.arg(2)), i32(c.arg(3))),
    );
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
