/**
 * The buffer cache (kern/vfs_bio.c) and the buffer side of vfs_subr.c (vinvalbuf, vtruncbuf,
 * vflushbuf, reassignbuf, bgetvp, brelvp, vwakeup).
 *
 * Every buffer is a guest `struct buf` with its data in kmem, because modules read and write
 * its fields directly (b_data, b_bcount, b_blkno, b_flags, b_cflags, b_oflags, b_resid ...) and
 * walk a vnode's `v_cleanblkhd` / `v_dirtyblkhd` lists through `b_vnbufs`. The guest fields are
 * the truth; the only TypeScript state is the (vnode, logical block) → buf index and each
 * buf's index key. I/O is synchronous: strategy completes the transfer and calls biodone
 * before returning, so biowait never waits — a buf that is not done there is a diagnosed
 * deadlock. Valid buffers stay cached until they are invalidated (brelse BC_INVAL/BC_NOCACHE,
 * vinvalbuf, vtruncbuf); delayed writes stay dirty on their vnode until bwrite/bawrite, which
 * vflushbuf (VOP_FSYNC, sync, unmount) does.
 */

import type { Cpu } from '@rump/cpu-x86';
import { buf as B_, locks, mnt, vnode as V_, vtype } from '../abi/netbsd-10.99/constants.js';
import type { IoKernel, KernelCalls } from '../dev/io.js';
import { disk } from '../dev/subr_disk.js';
import { argHi, argLo } from '../kern/hostcall.js';
import {
  type Kva,
  kvaBig,
  kvaOf,
  loadKva,
  loadU32,
  loadU64,
  storeKva,
  storeU32,
  storeU64,
} from '../kern/kva.js';
import { pgo } from '../uvm/uvm_vnode.js';

const {
  B_ASYNC,
  B_COWDONE,
  B_LOCKED,
  B_READ,
  BC_AGE,
  BC_BUSY,
  BC_INVAL,
  BC_NOCACHE,
  BC_VFLUSH,
  BC_WANTED,
} = B_;
const { BO_DELWRI, BO_DONE, B_MODIFY } = B_;
/** b_vnbufs.le_next of a buf on no vnode list (kern/vfs_bio.c NOLIST). */
export const NOLIST = 0x87654321n;
const NOLIST_LO = 0x87654321 | 0;
const MAXBSIZE = 0x10000;
/** NODEV ((dev_t)-1) as int32 halves. */
const NODEV_LO = Number(BigInt.asIntN(32, disk.NODEV)) | 0;
const NODEV_HI = Number(BigInt.asIntN(32, disk.NODEV >> 32n)) | 0;

interface BufKey {
  vp: Kva;
  lblkno: number;
}

export interface BufCacheStats {
  /** getblk calls that found the block cached. */
  hits: number;
  /** getblk calls that made a new buffer. */
  misses: number;
  /** Reads and writes started (VOP_STRATEGY) by the buffer cache. */
  reads: number;
  writes: number;
  /** Buffers and data bytes alive now. */
  buffers: number;
  bytes: number;
  /** Clean bufs dropped to stay under maxBytes. */
  evicted: number;
}

/** buf_roundsize: allocations are powers of two (at least DEV_BSIZE). */
function roundsize(size: number): number {
  if (size <= 0) return 0;
  let s = B_.DEV_BSIZE;
  while (s < size) s *= 2;
  return s;
}

function bufOffsets(k: IoKernel) {
  const S = k.S;
  return {
    iodone: S.buf.b_iodone.offset,
    error: S.buf.b_error.offset,
    resid: S.buf.b_resid.offset,
    flags: S.buf.b_flags.offset,
    bufsize: S.buf.b_bufsize.offset,
    bcount: S.buf.b_bcount.offset,
    dev: S.buf.b_dev.offset,
    data: S.buf.b_data.offset,
    blkno: S.buf.b_blkno.offset,
    rawblkno: S.buf.b_rawblkno.offset,
    vnNext: S.buf.b_vnbufs.offset,
    vnPrev: S.buf.b_vnbufs.offset + 8,
    lblkno: S.buf.b_lblkno.offset,
    cflags: S.buf.b_cflags.offset,
    vp: S.buf.b_vp.offset,
    oflags: S.buf.b_oflags.offset,
    objlock: S.buf.b_objlock.offset,
    vType: S.vnode.v_type.offset,
    vIflag: S.vnode.v_iflag.offset,
    vNumoutput: S.vnode.v_numoutput.offset,
    vHoldcnt: S.vnode.v_holdcnt.offset,
    vClean: S.vnode.v_cleanblkhd.offset,
    vDirty: S.vnode.v_dirtyblkhd.offset,
    vInterlock: S.vnode.v_interlock.offset,
    vMount: S.vnode.v_mount.offset,
    vUn: S.vnode.v_un.offset,
    vObjlock: S.vnode.v_uobj.offset + S.uvm_object.vmobjlock.offset,
    snRdev: S.specnode.sn_rdev.offset,
    snDev: S.specnode.sn_dev.offset,
    sdMountpoint: S.specdev.sd_mountpoint.offset,
    mntFlag: S.mount.mnt_flag.offset,
    mntFsBshift: S.mount.mnt_fs_bshift.offset,
    mntStat: S.mount.mnt_stat.offset,
    fSyncreads: S.statvfs.f_syncreads.offset,
    fAsyncreads: S.statvfs.f_asyncreads.offset,
    fSyncwrites: S.statvfs.f_syncwrites.offset,
    fAsyncwrites: S.statvfs.f_asyncwrites.offset,
    lRu: S.lwp.l_ru.offset,
    ruInblock: S.rusage.ru_inblock.offset,
    ruOublock: S.rusage.ru_oublock.offset,
  };
}
type BufOffsets = ReturnType<typeof bufOffsets>;

/**
 * The buffer cache. Bufs, vnodes and mounts are kernel-window addresses, held as Kva numbers
 * inside (no BigInt on the bread/brelse/bdwrite paths modules call for every metadata block);
 * the public methods taking BigInt addresses are the same operations for TypeScript callers.
 */
export class BufCache {
  /** vp → lblkno → buf: the cached blocks (incore). */
  private readonly index = new Map<Kva, Map<number, Kva>>();
  /** buf → its index key, for bufs in the index. */
  private readonly keys = new Map<Kva, BufKey>();
  /** Bufs made by getiobuf (not cached, no data of their own). */
  private readonly iobufs = new Set<Kva>();
  readonly stats: BufCacheStats = {
    hits: 0,
    misses: 0,
    reads: 0,
    writes: 0,
    buffers: 0,
    bytes: 0,
    evicted: 0,
  };
  /**
   * Data bytes of cached bufs beyond which a new buf first evicts valid, idle, clean bufs, least
   * recently released first (NetBSD's buf_trim above bufmem_hiwater). Delayed writes stay.
   */
  maxBytes = 32 << 20;
  /** Idle cached bufs, least recently released first. */
  private readonly lru = new Map<Kva, true>();
  /** Address of the bufcache_lock data symbol (kmutex_t). */
  bufcacheLock = 0n;
  /** The kmutex standing for NetBSD's buffer_lock (b_objlock of bufs without a vnode). */
  private bufferLock: Kva = 0;

  /** Offsets of the fields touched on every call. */
  private readonly o: BufOffsets;

  constructor(
    private readonly k: IoKernel,
    private readonly call: KernelCalls,
  ) {
    this.o = bufOffsets(k);
  }

  // ------------------------------------------------------------------ field helpers (Kva)

  private u32(a: Kva): number {
    return loadU32(this.k.mem, a);
  }
  private s32(a: Kva, v: number): void {
    storeU32(this.k.mem, a, v);
  }
  private ptr(a: Kva): Kva {
    return loadKva(this.k.mem, a);
  }
  private setPtr(a: Kva, v: Kva): void {
    storeKva(this.k.mem, a, v);
  }
  /** Copies a 64-bit field as it is (dev_t values, function pointers). */
  private copy64(dst: Kva, src: Kva): void {
    const m = this.k.mem;
    const lo = m.load64(src, -1);
    m.store64(dst, -1, lo, m.hi);
  }
  private cf(bp: Kva): number {
    return this.u32(bp + this.o.cflags);
  }
  private setC(bp: Kva, set: number): void {
    this.s32(bp + this.o.cflags, this.cf(bp) | set);
  }
  private clrC(bp: Kva, clr: number): void {
    this.s32(bp + this.o.cflags, this.cf(bp) & ~clr);
  }
  private of(bp: Kva): number {
    return this.u32(bp + this.o.oflags);
  }
  private setO(bp: Kva, set: number): void {
    this.s32(bp + this.o.oflags, this.of(bp) | set);
  }
  private clrO(bp: Kva, clr: number): void {
    this.s32(bp + this.o.oflags, this.of(bp) & ~clr);
  }
  private fl(bp: Kva): number {
    return this.u32(bp + this.o.flags);
  }
  private setF(bp: Kva, set: number): void {
    this.s32(bp + this.o.flags, this.fl(bp) | set);
  }
  private clrF(bp: Kva, clr: number): void {
    this.s32(bp + this.o.flags, this.fl(bp) & ~clr);
  }
  private vpOf(bp: Kva): Kva {
    return this.ptr(bp + this.o.vp);
  }
  private err(bp: Kva): number {
    return this.u32(bp + this.o.error) | 0;
  }
  private size(bp: Kva): number {
    return this.u32(bp + this.o.bufsize) | 0;
  }
  private iodoneSet(bp: Kva): boolean {
    const m = this.k.mem;
    const lo = m.load64(bp + this.o.iodone, -1);
    return lo !== 0 || m.hi !== 0;
  }
  private onList(bp: Kva): boolean {
    const m = this.k.mem;
    const lo = m.load64(bp + this.o.vnNext, -1);
    return !(lo === NOLIST_LO && m.hi === 0);
  }
  private vtype(vp: Kva): number {
    return this.u32(vp + this.o.vType);
  }
  private vIflag(vp: Kva): number {
    return this.u32(vp + this.o.vIflag);
  }
  private addr(a: Kva): string {
    return this.k.describeAddress(kvaBig(a));
  }
  /** spec_node_getmountedfs for VBLK vnodes, else v_mount: who pays for the I/O. */
  private ioMount(vp: Kva): Kva {
    if (this.vtype(vp) === vtype.VBLK) {
      const sn = this.ptr(vp + this.o.vUn);
      if (sn === 0) return 0;
      const sd = this.ptr(sn + this.o.snDev);
      return sd === 0 ? 0 : this.ptr(sd + this.o.sdMountpoint);
    }
    return this.ptr(vp + this.o.vMount);
  }
  private countMount(mp: Kva, field: number): void {
    if (mp === 0) return;
    const a = mp + this.o.mntStat + field;
    storeU64(this.k.mem, a, loadU64(this.k.mem, a) + 1);
  }
  private chargeLwp(field: number): void {
    const lb = this.k.curlwp;
    if (lb === 0n) return;
    const a = kvaOf(lb) + this.o.lRu + field;
    storeU64(this.k.mem, a, loadU64(this.k.mem, a) + 1);
  }
  private walkK(head: Kva): Kva[] {
    const out: Kva[] = [];
    for (let bp = this.ptr(head); bp !== 0; bp = this.ptr(bp + this.o.vnNext)) {
      out.push(bp);
      if (out.length > 10_000_000) this.k.panic(`buffer list at ${this.addr(head)} is circular`);
    }
    return out;
  }

  // ------------------------------------------------------------------ field helpers (BigInt API)

  cflags(bp: bigint): number {
    return this.cf(kvaOf(bp));
  }
  oflags(bp: bigint): number {
    return this.of(kvaOf(bp));
  }
  flags(bp: bigint): number {
    return this.fl(kvaOf(bp));
  }
  bvp(bp: bigint): bigint {
    return kvaBig(this.vpOf(kvaOf(bp)));
  }
  error(bp: bigint): number {
    return this.err(kvaOf(bp));
  }
  data(bp: bigint): bigint {
    return kvaBig(this.ptr(kvaOf(bp) + this.o.data));
  }
  bcount(bp: bigint): number {
    return this.u32(kvaOf(bp) + this.o.bcount) | 0;
  }
  bufsize(bp: bigint): number {
    return this.size(kvaOf(bp));
  }
  lblkno(bp: bigint): number {
    return this.lblk(kvaOf(bp));
  }
  private lblk(bp: Kva): number {
    const m = this.k.mem;
    const lo = m.load64(bp + this.o.lblkno, -1);
    return m.hi * 4294967296 + (lo >>> 0);
  }
  dirtyBufs(vp: bigint): bigint[] {
    return this.walkK(kvaOf(vp) + this.o.vDirty).map(kvaBig);
  }
  cleanBufs(vp: bigint): bigint[] {
    return this.walkK(kvaOf(vp) + this.o.vClean).map(kvaBig);
  }

  // ------------------------------------------------------------------ vnode lists and syncer flag

  /** bufinsvn: LIST_INSERT_HEAD(head, bp, b_vnbufs). */
  private bufinsvn(bp: Kva, head: Kva): void {
    const next = this.ptr(head);
    this.setPtr(bp + this.o.vnNext, next);
    if (next !== 0) this.setPtr(next + this.o.vnPrev, bp + this.o.vnNext);
    this.setPtr(head, bp);
    this.setPtr(bp + this.o.vnPrev, head);
  }

  /** bufremvn: LIST_REMOVE, then mark off-list (NOLIST). */
  private bufremvn(bp: Kva): void {
    const next = this.ptr(bp + this.o.vnNext);
    const prev = this.ptr(bp + this.o.vnPrev);
    if (next !== 0) this.setPtr(next + this.o.vnPrev, prev);
    this.setPtr(prev, next);
    this.k.mem.store64(bp + this.o.vnNext, -1, NOLIST_LO, 0);
  }

  /** vn_syncer_add_to_worklist: the vnode has data to write back (ffs_sync_selector looks). */
  syncerAdd(vp: bigint): void {
    this.syncerAddK(kvaOf(vp));
  }
  /** vn_syncer_add_to_worklist on a Kva. */
  syncerAddK(vp: Kva): void {
    this.s32(vp + this.o.vIflag, this.vIflag(vp) | V_.VI_ONWORKLST);
  }

  /** vn_syncer_remove_from_worklist. */
  syncerRemove(vp: bigint): void {
    this.syncerRemoveK(kvaOf(vp));
  }
  private syncerRemoveK(vp: Kva): void {
    this.s32(vp + this.o.vIflag, this.vIflag(vp) & ~V_.VI_ONWORKLST);
  }

  /** Drops VI_ONWORKLST when nothing (no pages, no dirty bufs) is left to write. */
  syncerRemoveIfClean(vp: bigint): void {
    this.syncerRemoveIfCleanK(kvaOf(vp));
  }
  private syncerRemoveIfCleanK(vp: Kva): void {
    if (
      (this.vIflag(vp) & (V_.VI_ONWORKLST | V_.VI_PAGES)) === V_.VI_ONWORKLST &&
      this.ptr(vp + this.o.vDirty) === 0
    ) {
      this.syncerRemoveK(vp);
    }
  }

  /** reassignbuf: move bp to vp's dirty or clean list by BO_DELWRI, keeping the syncer flag right. */
  reassignbuf(bp: bigint, vp: bigint): void {
    this.reassignbufK(kvaOf(bp), kvaOf(vp));
  }
  private reassignbufK(bp: Kva, vp: Kva): void {
    if (this.onList(bp)) this.bufremvn(bp);
    if ((this.of(bp) & BO_DELWRI) === 0) {
      this.syncerRemoveIfCleanK(vp);
      this.bufinsvn(bp, vp + this.o.vClean);
    } else {
      if ((this.vIflag(vp) & V_.VI_ONWORKLST) === 0) {
        const mp = this.ptr(vp + this.o.vMount);
        if (mp === 0 || (this.u32(mp + this.o.mntFlag) & mnt.MNT_ASYNC) === 0) this.syncerAddK(vp);
      }
      this.bufinsvn(bp, vp + this.o.vDirty);
    }
  }

  /** bgetvp: associate bp with vp (hold it, b_dev, clean list, b_objlock = v_interlock). */
  bgetvp(vp: bigint, bp: bigint): void {
    this.bgetvpK(kvaOf(vp), kvaOf(bp));
  }
  private bgetvpK(vp: Kva, bp: Kva): void {
    if (this.vpOf(bp) !== 0) this.k.panic(`bgetvp: buf ${this.addr(bp)} already has a vnode`);
    this.s32(vp + this.o.vHoldcnt, this.u32(vp + this.o.vHoldcnt) + 1); // vholdl
    this.setPtr(bp + this.o.vp, vp);
    this.setDev(bp, vp);
    this.bufinsvn(bp, vp + this.o.vClean);
    this.copy64(bp + this.o.objlock, vp + this.o.vInterlock);
  }

  /** b_dev = v_rdev (v_specnode->sn_rdev) for device vnodes, else NODEV. */
  private setDev(bp: Kva, vp: Kva): void {
    const t = this.vtype(vp);
    if (t === vtype.VBLK || t === vtype.VCHR) {
      const sn = this.ptr(vp + this.o.vUn);
      if (sn === 0) this.k.panic(`v_rdev: device vnode ${this.addr(vp)} has no specnode`);
      this.copy64(bp + this.o.dev, sn + this.o.snRdev);
    } else this.k.mem.store64(bp + this.o.dev, -1, NODEV_LO, NODEV_HI);
  }

  /** brelvp: dissociate bp from its vnode. */
  brelvp(bp: bigint): void {
    this.brelvpK(kvaOf(bp));
  }
  private brelvpK(bp: Kva): void {
    const vp = this.vpOf(bp);
    if (vp === 0) this.k.panic(`brelvp: buf ${this.addr(bp)} has no vnode`);
    if (this.onList(bp)) this.bufremvn(bp);
    this.syncerRemoveIfCleanK(vp);
    this.setPtr(bp + this.o.objlock, this.bufferLock);
    this.setPtr(bp + this.o.vp, 0);
    const h = this.u32(vp + this.o.vHoldcnt) | 0;
    if (h <= 0) this.k.panic(`holdrelel: holdcnt vp ${this.addr(vp)} is ${h}`);
    this.s32(vp + this.o.vHoldcnt, h - 1);
  }

  /** vwakeup: one write of the vnode finished. */
  vwakeup(bp: bigint): void {
    this.vwakeupK(kvaOf(bp));
  }
  private vwakeupK(bp: Kva): void {
    const vp = this.vpOf(bp);
    if (vp === 0) return;
    const n = (this.u32(vp + this.o.vNumoutput) | 0) - 1;
    if (n < 0) this.k.panic(`vwakeup: neg numoutput, vp ${this.addr(vp)}`);
    this.s32(vp + this.o.vNumoutput, n);
  }

  // ------------------------------------------------------------------ buf allocation

  /** buf_init + a zeroed struct buf (getnewbuf / getiobuf). */
  private newBuf(): Kva {
    const bp = kvaOf(this.k.kmem.alloc(this.k.S.buf.$size, 1, true, 'buf'));
    this.k.mem.store64(bp + this.o.vnNext, -1, NOLIST_LO, 0);
    this.setPtr(bp + this.o.objlock, this.bufferLock);
    this.k.mem.store64(bp + this.o.dev, -1, NODEV_LO, NODEV_HI);
    this.stats.buffers++;
    return bp;
  }

  /** buf_trim: drop idle, valid, clean cached bufs, oldest first, until `target` bytes remain. */
  trim(target: number): void {
    for (const bp of this.lru.keys()) {
      if (this.stats.bytes <= target) break;
      if (this.cf(bp) & BC_BUSY || this.of(bp) & BO_DELWRI) continue;
      this.bbusyK(bp);
      this.brelseK(bp, BC_INVAL);
      this.stats.evicted++;
    }
  }

  private freeBuf(bp: Kva): void {
    this.lru.delete(bp);
    const size = this.size(bp);
    const data = this.ptr(bp + this.o.data);
    if (size > 0 && data !== 0 && !this.iobufs.has(bp)) {
      this.k.kmem.free(kvaBig(data), size, 'buf data');
      this.stats.bytes -= size;
    }
    this.iobufs.delete(bp);
    this.k.kmem.free(kvaBig(bp), this.k.S.buf.$size, 'buf');
    this.stats.buffers--;
  }

  /** allocbuf(bp, size, preserve): b_bcount = size; new data area when the rounded size changes. */
  allocbuf(bp: bigint, size: number, preserve: boolean): number {
    return this.allocbufK(kvaOf(bp), size, preserve);
  }
  private allocbufK(bp: Kva, size: number, preserve: boolean): number {
    const want = roundsize(size);
    if (want > MAXBSIZE) this.k.panic(`allocbuf: buffer larger than MAXBSIZE requested (${size})`);
    this.s32(bp + this.o.bcount, size);
    const old = this.size(bp);
    if (old === want) return 0;
    const oldData = this.ptr(bp + this.o.data);
    const addr = want > 0 ? kvaOf(this.k.kmem.alloc(want, 1, false, 'buf data')) : 0;
    if (preserve && oldData !== 0 && addr !== 0) {
      const from = oldData & 0x7fffffff;
      this.k.mem.u8.copyWithin(addr & 0x7fffffff, from, from + Math.min(old, want));
    }
    if (oldData !== 0 && old > 0) this.k.kmem.free(kvaBig(oldData), old, 'buf data');
    this.setPtr(bp + this.o.data, addr);
    this.s32(bp + this.o.bufsize, want);
    this.stats.bytes += want - old;
    return 0;
  }

  // ------------------------------------------------------------------ the cache

  /** incore: the cached, valid buf for (vp, blkno), busy or not; 0n if none. */
  incore(vp: bigint, blkno: number): bigint {
    return kvaBig(this.incoreK(kvaOf(vp), blkno));
  }
  private incoreK(vp: Kva, blkno: number): Kva {
    const bp = this.index.get(vp)?.get(blkno);
    if (bp === undefined) return 0;
    return this.cf(bp) & BC_INVAL ? 0 : bp;
  }

  /** bbusy: take a buf's busy bit; one lwp can never wait for another to release it. */
  bbusy(bp: bigint): number {
    return this.bbusyK(kvaOf(bp));
  }
  private bbusyK(bp: Kva): number {
    const c = this.cf(bp);
    if (c & BC_BUSY) {
      this.k.panic(`deadlock: bbusy: buf ${this.addr(bp)} is busy and no other lwp can release it`);
    }
    this.s32(bp + this.o.cflags, c | BC_BUSY);
    return 0;
  }

  /** getblk: the busy buf for (vp, blkno) of `size` bytes, cached or new (contents undefined). */
  getblk(vp: bigint, blkno: number, size: number): bigint {
    return kvaBig(this.getblkK(kvaOf(vp), blkno, size));
  }
  private getblkK(vp: Kva, blkno: number, size: number): Kva {
    const cached = this.incoreK(vp, blkno);
    if (cached !== 0) {
      this.bbusyK(cached);
      if (
        this.of(cached) & (BO_DONE | BO_DELWRI) &&
        (this.u32(cached + this.o.bcount) | 0) < size &&
        this.vtype(vp) !== vtype.VBLK
      ) {
        this.k.panic('getblk: block size invariant failed');
      }
      this.allocbufK(cached, size, true);
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    if (this.stats.bytes > this.maxBytes) this.trim(this.maxBytes - (this.maxBytes >> 3));
    const bp = this.newBuf();
    this.s32(bp + this.o.cflags, BC_BUSY);
    const m = this.k.mem;
    const lo = blkno | 0;
    const hi = Math.floor(blkno / 4294967296) | 0;
    m.store64(bp + this.o.blkno, -1, lo, hi);
    m.store64(bp + this.o.lblkno, -1, lo, hi);
    m.store64(bp + this.o.rawblkno, -1, lo, hi);
    this.bgetvpK(vp, bp);
    this.allocbufK(bp, size, false);
    let idx = this.index.get(vp);
    if (!idx) {
      idx = new Map();
      this.index.set(vp, idx);
    }
    idx.set(blkno, bp);
    this.keys.set(bp, { vp, lblkno: blkno });
    return bp;
  }

  /** geteblk: a busy buf of `size` bytes belonging to no vnode (BC_INVAL: never cached). */
  geteblk(size: number): bigint {
    const bp = this.newBuf();
    this.s32(bp + this.o.cflags, BC_BUSY | BC_INVAL);
    this.allocbufK(bp, size, false);
    return kvaBig(bp);
  }

  /** getiobuf: a bare busy buf for pager I/O (no data, not cached, no hold on vp). */
  getiobuf(vp: bigint): bigint {
    return kvaBig(this.getiobufK(kvaOf(vp)));
  }
  getiobufK(vp: Kva): Kva {
    const bp = this.newBuf();
    this.iobufs.add(bp);
    this.s32(bp + this.o.cflags, BC_BUSY);
    if (vp !== 0) {
      this.setPtr(bp + this.o.vp, vp);
      this.copy64(bp + this.o.objlock, vp + this.o.vInterlock);
      this.setDev(bp, vp);
    }
    return bp;
  }

  putiobuf(bp: bigint): void {
    this.putiobufK(kvaOf(bp));
  }
  putiobufK(bp: Kva): void {
    if (!this.iobufs.has(bp)) this.k.panic(`putiobuf: ${this.addr(bp)} is not an I/O buf`);
    this.freeBuf(bp);
  }

  /** bio_doread: getblk, and start the read unless the data is valid or delayed-written. */
  private doread(vp: Kva, blkno: number, size: number, async: boolean): Kva {
    const bp = this.getblkK(vp, blkno, size);
    if (!(this.of(bp) & (BO_DONE | BO_DELWRI))) {
      this.setF(bp, B_READ | (async ? B_ASYNC : 0));
      this.stats.reads++;
      this.call.int('VOP_STRATEGY', vp, bp);
      this.chargeLwp(this.o.ruInblock);
    } else if (async) {
      this.brelseK(bp, 0);
    }
    this.countMount(this.ioMount(vp), async ? this.o.fAsyncreads : this.o.fSyncreads);
    return bp;
  }

  /** bread: returns [error, bp]; on error the buf is already released and bp is 0n. */
  bread(vp: bigint, blkno: number, size: number, flags: number): [number, bigint] {
    const bp = this.breadK(kvaOf(vp), blkno, size, flags);
    return bp < 0 ? [0, kvaBig(bp)] : [bp, 0n];
  }
  /** bread: the buf (a Kva, < 0), or the error (> 0) with the buf already released. */
  private breadK(vp: Kva, blkno: number, size: number, flags: number): number {
    const bp = this.doread(vp, blkno, size, false);
    return this.finishRead(bp, flags);
  }

  /** breadn: bread plus read-ahead of blocks not yet cached (released to the cache when read). */
  breadn(
    vp: bigint,
    blkno: number,
    size: number,
    ra: readonly [number, number][],
    flags: number,
  ): [number, bigint] {
    const bp = this.breadnK(kvaOf(vp), blkno, size, ra, flags);
    return bp < 0 ? [0, kvaBig(bp)] : [bp, 0n];
  }
  private breadnK(
    vp: Kva,
    blkno: number,
    size: number,
    ra: readonly [number, number][],
    flags: number,
  ): number {
    const bp = this.doread(vp, blkno, size, false);
    for (const [rablk, rasize] of ra) {
      if (this.incoreK(vp, rablk) !== 0) continue;
      this.doread(vp, rablk, rasize, true);
    }
    return this.finishRead(bp, flags);
  }

  private finishRead(bp: Kva, flags: number): number {
    let error = this.biowaitK(bp);
    if (error === 0 && flags & B_MODIFY) error = this.call.fscowRun(bp);
    if (error) {
      this.brelseK(bp, 0);
      return error;
    }
    return bp;
  }

  /** biowait: with synchronous strategy the transfer has completed; anything else cannot end. */
  biowait(bp: bigint): number {
    return this.biowaitK(kvaOf(bp));
  }
  biowaitK(bp: Kva): number {
    if (!(this.of(bp) & (BO_DONE | BO_DELWRI))) {
      this.k.panic(
        `deadlock: biowait: I/O on buf ${this.addr(bp)} (blkno ${this.lblk(bp)}) never completed and nothing else can complete it`,
      );
    }
    return this.err(bp);
  }

  /** biodone (biodone2): mark done, wake writers, then b_iodone, or release an async buf. */
  biodone(bp: bigint): void {
    this.biodoneK(kvaOf(bp));
  }
  biodoneK(bp: Kva): void {
    if (this.of(bp) & BO_DONE) this.k.panic('biodone2 already');
    this.clrF(bp, B_COWDONE);
    this.setO(bp, BO_DONE);
    if (!(this.fl(bp) & B_READ)) this.vwakeupK(bp);
    if (this.iodoneSet(bp)) {
      const callout = this.k.mem.read64(kvaBig(bp + this.o.iodone));
      this.k.mem.store64(bp + this.o.iodone, -1, 0, 0);
      this.call.ptr(callout, kvaBig(bp));
    } else if (this.fl(bp) & B_ASYNC) {
      this.brelseK(bp, 0);
    }
  }

  /** bwrite: write now; synchronous unless B_ASYNC (then biodone releases the buf). */
  bwrite(bp: bigint): number {
    return this.bwriteK(kvaOf(bp));
  }
  private bwriteK(bp: Kva): number {
    if (!(this.cf(bp) & BC_BUSY)) this.k.panic(`bwrite: buf ${this.addr(bp)} is not busy`);
    const vp = this.vpOf(bp);
    if (vp === 0) this.k.panic('bwrite given buffer with null vnode');
    const mp = this.ioMount(vp);
    const sync = !(this.fl(bp) & B_ASYNC);
    if (sync && mp !== 0 && this.u32(mp + this.o.mntFlag) & mnt.MNT_ASYNC) {
      this.bdwriteK(bp);
      return 0;
    }
    this.countMount(mp, sync ? this.o.fSyncwrites : this.o.fAsyncwrites);
    this.s32(bp + this.o.error, 0);
    const wasDelayed = (this.of(bp) & BO_DELWRI) !== 0;
    this.clrF(bp, B_READ);
    this.clrO(bp, BO_DONE | BO_DELWRI);
    if (wasDelayed) this.reassignbufK(bp, vp);
    else this.chargeLwp(this.o.ruOublock);
    this.s32(vp + this.o.vNumoutput, this.u32(vp + this.o.vNumoutput) + 1);
    this.stats.writes++;
    this.call.int('VOP_STRATEGY', vp, bp);
    if (!sync) return 0;
    const rv = this.biowaitK(bp);
    this.brelseK(bp, 0);
    return rv;
  }

  /** bawrite: asynchronous bwrite through the vnode's VOP_BWRITE. */
  bawrite(bp: bigint): void {
    this.bawriteK(kvaOf(bp));
  }
  private bawriteK(bp: Kva): void {
    if (!(this.cf(bp) & BC_BUSY)) this.k.panic(`bawrite: buf ${this.addr(bp)} is not busy`);
    this.setF(bp, B_ASYNC);
    this.call.int('VOP_BWRITE', this.vpOf(bp), bp);
  }

  /** bdwrite: mark dirty (BO_DELWRI) on the vnode's dirty list and release; written later. */
  bdwrite(bp: bigint): void {
    this.bdwriteK(kvaOf(bp));
  }
  private bdwriteK(bp: Kva): void {
    if (!(this.cf(bp) & BC_BUSY)) this.k.panic(`bdwrite: buf ${this.addr(bp)} is not busy`);
    if (!(this.of(bp) & BO_DELWRI)) {
      this.setO(bp, BO_DELWRI);
      this.chargeLwp(this.o.ruOublock);
      const vp = this.vpOf(bp);
      if (vp !== 0) this.reassignbufK(bp, vp);
    }
    this.clrO(bp, BO_DONE);
    this.brelseK(bp, 0);
  }

  /** brelse/brelsel: release a busy buf; invalid (or errored, or NOCACHE) bufs leave the cache. */
  brelse(bp: bigint, set: number): void {
    this.brelseK(kvaOf(bp), set);
  }
  private brelseK(bp: Kva, set: number): void {
    if (this.iobufs.has(bp)) {
      // An I/O buf (getiobuf) completing asynchronously is no cache block: it is only unbusied
      // here and goes back with putiobuf.
      this.clrC(bp, BC_BUSY);
      this.clrF(bp, B_ASYNC);
      return;
    }
    let c = this.cf(bp) | set;
    if (!(c & BC_BUSY)) this.k.panic(`brelse: buf ${this.addr(bp)} is not busy`);
    if (this.iodoneSet(bp)) {
      this.k.panic('kernel diagnostic assertion "bp->b_iodone == NULL" failed: brelsel');
    }
    if (c & BC_WANTED) c &= ~(BC_WANTED | BC_AGE);
    const f = this.fl(bp);
    const o = this.of(bp);
    if (f & B_COWDONE && !(o & BO_DELWRI)) this.s32(bp + this.o.flags, f & ~B_COWDONE);
    if (f & B_LOCKED) this.s32(bp + this.o.error, 0);
    if (c & BC_NOCACHE || this.err(bp) !== 0) c |= BC_INVAL;
    c &= ~BC_VFLUSH;
    this.s32(bp + this.o.cflags, c);
    if (this.size(bp) <= 0 || c & BC_INVAL) {
      this.clrO(bp, BO_DONE | BO_DELWRI);
      const vp = this.vpOf(bp);
      if (vp !== 0) {
        this.reassignbufK(bp, vp);
        this.brelvpK(bp);
      }
      this.unindex(bp);
      this.freeBuf(bp);
      return;
    }
    this.s32(bp + this.o.cflags, c & ~(BC_AGE | BC_BUSY | BC_NOCACHE));
    this.lru.delete(bp);
    if (this.keys.has(bp)) this.lru.set(bp, true);
    this.clrF(bp, B_ASYNC);
  }

  private unindex(bp: Kva): void {
    const key = this.keys.get(bp);
    if (!key) return;
    this.keys.delete(bp);
    const idx = this.index.get(key.vp);
    if (idx?.get(key.lblkno) === bp) {
      idx.delete(key.lblkno);
      if (idx.size === 0) this.index.delete(key.vp);
    }
  }

  /** Cached bufs of a vnode (tests and diagnostics). */
  cachedBlocks(vp: bigint): number[] {
    return [...(this.index.get(kvaOf(vp))?.keys() ?? [])].sort((a, b) => a - b);
  }

  // ------------------------------------------------------------------ vfs_subr.c buffer walks

  private lockObj(vp: Kva): void {
    this.k.rwlocks.enter(kvaBig(this.ptr(vp + this.o.vObjlock)), locks.RW_WRITER);
  }

  /**
   * vinvalbuf: write back (V_SAVE) or discard every page and buf of vp, then invalidate all its
   * bufs. VOP_PUTPAGES is entered with the object locked and releases it.
   */
  vinvalbuf(vpB: bigint, flags: number, cred: bigint): number {
    const vp = kvaOf(vpB);
    const save = (flags & V_.V_SAVE) !== 0;
    const flush =
      pgo.PGO_ALLPAGES |
      pgo.PGO_FREE |
      pgo.PGO_SYNCIO |
      (save ? pgo.PGO_CLEANIT | pgo.PGO_RECLAIM : 0);
    this.lockObj(vp);
    let error = this.call.int('VOP_PUTPAGES', vpB, 0n, 0n, flush);
    if (error) return error;
    if (save) {
      error = this.call.int('VOP_FSYNC', vpB, cred, V_.FSYNC_WAIT | V_.FSYNC_RECLAIM, 0n, 0n);
      if (error) return error;
      if (this.ptr(vp + this.o.vDirty) !== 0) {
        this.k.panic(
          `kernel diagnostic assertion "LIST_EMPTY(&vp->v_dirtyblkhd)" failed: vinvalbuf ${this.addr(vp)}`,
        );
      }
    }
    for (;;) {
      let restarted = false;
      for (const bp of this.walkK(vp + this.o.vDirty)) {
        this.bbusyK(bp);
        this.brelseK(bp, BC_INVAL | BC_VFLUSH);
      }
      for (const bp of this.walkK(vp + this.o.vClean)) {
        this.bbusyK(bp);
        if (this.of(bp) & BO_DELWRI && save) {
          this.setC(bp, BC_BUSY | BC_VFLUSH);
          this.call.int('VOP_BWRITE', vpB, kvaBig(bp));
          restarted = true;
          break;
        }
        this.brelseK(bp, BC_INVAL | BC_VFLUSH);
      }
      if (!restarted) break;
    }
    if (this.ptr(vp + this.o.vClean) !== 0 || this.ptr(vp + this.o.vDirty) !== 0) {
      this.k.panic(`vinvalbuf: flush failed, vp ${this.addr(vp)}`);
    }
    return 0;
  }

  /** vtruncbuf: drop pages from round_page(lbn << fs_bshift) on and every buf with b_lblkno >= lbn. */
  vtruncbuf(vpB: bigint, lbn: number): number {
    const vp = kvaOf(vpB);
    const mp = this.ptr(vp + this.o.vMount);
    const bshift = this.u32(mp + this.o.mntFsBshift);
    const off = (((BigInt(lbn) << BigInt(bshift)) + 4095n) / 4096n) * 4096n;
    this.lockObj(vp);
    const error = this.call.int('VOP_PUTPAGES', vpB, off, 0n, pgo.PGO_FREE | pgo.PGO_SYNCIO);
    if (error) return error;
    for (const bp of [...this.walkK(vp + this.o.vDirty), ...this.walkK(vp + this.o.vClean)]) {
      if (this.lblk(bp) < lbn) continue;
      this.bbusyK(bp);
      this.brelseK(bp, BC_INVAL | BC_VFLUSH);
    }
    return 0;
  }

  /**
   * vflushbuf: write back vp's dirty pages (VOP_PUTPAGES) and start a write for each dirty buf
   * not busy; with FSYNC_WAIT every write has completed on return.
   */
  vflushbuf(vpB: bigint, flags: number): number {
    const vp = kvaOf(vpB);
    const sync = (flags & V_.FSYNC_WAIT) !== 0;
    const pflags =
      pgo.PGO_CLEANIT |
      pgo.PGO_ALLPAGES |
      (sync ? pgo.PGO_SYNCIO : 0) |
      (flags & V_.FSYNC_LAZY ? pgo.PGO_LAZY : 0);
    this.lockObj(vp);
    this.call.int('VOP_PUTPAGES', vpB, 0n, 0n, pflags);
    for (;;) {
      const bp = this.walkK(vp + this.o.vDirty).find((b) => !(this.cf(b) & BC_BUSY));
      if (bp === undefined) break;
      if (!(this.of(bp) & BO_DELWRI)) this.k.panic(`vflushbuf: not dirty, bp ${this.addr(bp)}`);
      this.setC(bp, BC_BUSY | BC_VFLUSH);
      if (this.vpOf(bp) === vp || !sync) this.bawriteK(bp);
      else {
        const error = this.bwriteK(bp);
        if (error) return error;
      }
    }
    if (!sync) return 0;
    const out = this.u32(vp + this.o.vNumoutput);
    if (out !== 0)
      this.k.panic(`deadlock: vflushbuf: ${out} writes of vp ${this.addr(vp)} never completed`);
    if (this.ptr(vp + this.o.vDirty) !== 0) {
      // Only busy bufs can remain: someone holds them, and no other lwp can release them.
      this.k.panic(`deadlock: vflushbuf: vp ${this.addr(vp)} keeps busy dirty buffers`);
    }
    return 0;
  }

  /** binvalbuf(vp, blkno): invalidate the cached buf for that block, if any. */
  binvalbuf(vp: bigint, blkno: number): void {
    const bp = this.incoreK(kvaOf(vp), blkno);
    if (bp === 0) return;
    this.bbusyK(bp);
    this.brelseK(bp, BC_INVAL);
  }

  // ------------------------------------------------------------------ kernel symbols

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    const i64 = (v: bigint) => Number(BigInt.asIntN(64, v));
    /** Argument i as a Kva (kernel objects: bufs, vnodes). */
    const kv = (c: Cpu, i: number): Kva => {
      const lo = argLo(c, i);
      const hi = argHi(c, i);
      if (hi === -1 && lo < 0) return lo;
      if (hi === 0 && lo === 0) return 0;
      return this.k.panic(
        `vfs_bio: argument ${i} (0x${c.arg(i).toString(16)}) is not a kernel address`,
      );
    };
    /** Argument i as a signed 64-bit number (block numbers). */
    const n64 = (c: Cpu, i: number): number => argHi(c, i) * 4294967296 + (argLo(c, i) >>> 0);
    this.bufferLock = kvaOf(this.k.kmem.alloc(8, 1, true, 'buffer_lock'));
    this.k.mutexes.init(kvaBig(this.bufferLock), locks.MUTEX_DEFAULT, 6 /* IPL_VM */);
    this.bufcacheLock = t.resolve('bufcache_lock') ?? 0n;
    t.function('getblk', 'vfs_bio', (c) => this.getblkK(kv(c, 0), n64(c, 1), argLo(c, 2)));
    t.function('geteblk', 'vfs_bio', (c) => this.geteblk(i32(c.arg(0))));
    t.function('getiobuf', 'vfs_bio', (c) => this.getiobufK(kv(c, 0)));
    t.function('putiobuf', 'vfs_bio', (c) => this.putiobufK(kv(c, 0)));
    t.function('incore', 'vfs_bio', (c) => this.incoreK(kv(c, 0), n64(c, 1)));
    t.function('bbusy', 'vfs_bio', (c) => this.bbusyK(kv(c, 0)));
    t.function('allocbuf', 'vfs_bio', (c) =>
      this.allocbufK(kv(c, 0), argLo(c, 1), argLo(c, 2) !== 0),
    );
    t.function('bread', 'vfs_bio', (c) => {
      const bpp = kv(c, 4);
      const r = this.breadK(kv(c, 0), n64(c, 1), argLo(c, 2), argLo(c, 3));
      // r is the buf (a Kva, negative) or an errno (positive).
      storeKva(m, bpp, Math.min(r, 0));
      return Math.max(r, 0);
    });
    t.function('breadn', 'vfs_bio', (c) => {
      const [vp, blkno, size, rablks, rasizes, n, flags, bpp] = [
        c.arg(0),
        i64(c.arg(1)),
        i32(c.arg(2)),
        c.arg(3),
        c.arg(4),
        i32(c.arg(5)),
        i32(c.arg(6)),
        c.arg(7),
      ];
      const ra: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        ra.push([i64(m.read64(rablks + BigInt(8 * i))), m.read32(rasizes + BigInt(4 * i)) | 0]);
      }
      const [error, bp] = this.breadn(vp, blkno, size, ra, flags);
      m.write64(bpp, bp);
      return error;
    });
    t.function('bwrite', 'vfs_bio', (c) => this.bwriteK(kv(c, 0)));
    t.function('bawrite', 'vfs_bio', (c) => this.bawriteK(kv(c, 0)));
    t.function('bdwrite', 'vfs_bio', (c) => this.bdwriteK(kv(c, 0)));
    t.function('brelse', 'vfs_bio', (c) => this.brelseK(kv(c, 0), argLo(c, 1)));
    t.function('brelsel', 'vfs_bio', (c) => {
      if (this.bufcacheLock !== 0n && !this.k.mutexes.owned(this.bufcacheLock)) {
        this.k.panic('kernel diagnostic assertion "mutex_owned(&bufcache_lock)" failed: brelsel');
      }
      this.brelseK(kv(c, 0), argLo(c, 1));
    });
    t.function('biowait', 'vfs_bio', (c) => this.biowaitK(kv(c, 0)));
    t.function('biodone', 'vfs_bio', (c) => this.biodoneK(kv(c, 0)));
    t.function('binvalbuf', 'vfs_bio', (c) => this.binvalbuf(c.arg(0), i64(c.arg(1))));
    t.function('vwakeup', 'vfs_bio', (c) => this.vwakeupK(kv(c, 0)));
    t.function('reassignbuf', 'vfs_bio', (c) => this.reassignbufK(kv(c, 0), kv(c, 1)));
    t.function('bgetvp', 'vfs_bio', (c) => this.bgetvpK(kv(c, 0), kv(c, 1)));
    t.function('brelvp', 'vfs_bio', (c) => this.brelvpK(kv(c, 0)));
    t.function('vinvalbuf', 'vfs_bio', (c) => this.vinvalbuf(c.arg(0), i32(c.arg(1)), c.arg(2)));
    t.function('vtruncbuf', 'vfs_bio', (c) => this.vtruncbuf(c.arg(0), i64(c.arg(1))));
    t.function('vflushbuf', 'vfs_bio', (c) => this.vflushbuf(c.arg(0), i32(c.arg(1))));
  }
}
