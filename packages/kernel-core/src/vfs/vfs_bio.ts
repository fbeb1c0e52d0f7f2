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
import { buf as B_, locks, mnt, vnode as V_, vtype } from '../abi/netbsd-10.99/constants.js';
import { type IoKernel, type KernelCalls, r32, r64, w32, w64 } from '../dev/io.js';
import { disk } from '../dev/subr_disk.js';
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
const MAXBSIZE = 0x10000;

interface BufKey {
  vp: bigint;
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
  const b = (n: number) => BigInt(n);
  return {
    iodone: b(S.buf.b_iodone.offset),
    error: b(S.buf.b_error.offset),
    resid: b(S.buf.b_resid.offset),
    flags: b(S.buf.b_flags.offset),
    bufsize: b(S.buf.b_bufsize.offset),
    bcount: b(S.buf.b_bcount.offset),
    dev: b(S.buf.b_dev.offset),
    data: b(S.buf.b_data.offset),
    blkno: b(S.buf.b_blkno.offset),
    rawblkno: b(S.buf.b_rawblkno.offset),
    vnNext: b(S.buf.b_vnbufs.offset),
    vnPrev: b(S.buf.b_vnbufs.offset + 8),
    lblkno: b(S.buf.b_lblkno.offset),
    cflags: b(S.buf.b_cflags.offset),
    vp: b(S.buf.b_vp.offset),
    oflags: b(S.buf.b_oflags.offset),
    objlock: b(S.buf.b_objlock.offset),
    vType: b(S.vnode.v_type.offset),
    vIflag: b(S.vnode.v_iflag.offset),
    vNumoutput: b(S.vnode.v_numoutput.offset),
    vHoldcnt: b(S.vnode.v_holdcnt.offset),
    vClean: b(S.vnode.v_cleanblkhd.offset),
    vDirty: b(S.vnode.v_dirtyblkhd.offset),
    vInterlock: b(S.vnode.v_interlock.offset),
    vMount: b(S.vnode.v_mount.offset),
    vUn: b(S.vnode.v_un.offset),
    vObjlock: b(S.vnode.v_uobj.offset + S.uvm_object.vmobjlock.offset),
    snRdev: b(S.specnode.sn_rdev.offset),
    snDev: b(S.specnode.sn_dev.offset),
    sdMountpoint: b(S.specdev.sd_mountpoint.offset),
    mntFlag: b(S.mount.mnt_flag.offset),
    mntStat: b(S.mount.mnt_stat.offset),
    fSyncreads: b(S.statvfs.f_syncreads.offset),
    fAsyncreads: b(S.statvfs.f_asyncreads.offset),
    fSyncwrites: b(S.statvfs.f_syncwrites.offset),
    fAsyncwrites: b(S.statvfs.f_asyncwrites.offset),
    lRu: b(S.lwp.l_ru.offset),
    ruInblock: b(S.rusage.ru_inblock.offset),
    ruOublock: b(S.rusage.ru_oublock.offset),
  };
}
type BufOffsets = ReturnType<typeof bufOffsets>;

export class BufCache {
  /** vp → lblkno → buf: the cached blocks (incore). */
  private readonly index = new Map<bigint, Map<number, bigint>>();
  /** buf → its index key, for bufs in the index. */
  private readonly keys = new Map<bigint, BufKey>();
  /** Bufs made by getiobuf (not cached, no data of their own). */
  private readonly iobufs = new Set<bigint>();
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
  private readonly lru = new Map<bigint, true>();
  /** Address of the bufcache_lock data symbol (kmutex_t). */
  bufcacheLock = 0n;
  /** The kmutex standing for NetBSD's buffer_lock (b_objlock of bufs without a vnode). */
  private bufferLock = 0n;

  /** Offsets (bigint) of the fields touched on every call. */
  private readonly o: BufOffsets;

  constructor(
    private readonly k: IoKernel,
    private readonly call: KernelCalls,
  ) {
    this.o = bufOffsets(k);
  }

  // ------------------------------------------------------------------ field helpers

  private r32(a: bigint): number {
    return r32(this.k.mem, a);
  }
  private w32(a: bigint, v: number): void {
    w32(this.k.mem, a, v);
  }
  private r64(a: bigint): bigint {
    return r64(this.k.mem, a);
  }
  private w64(a: bigint, v: bigint): void {
    w64(this.k.mem, a, v);
  }
  cflags(bp: bigint): number {
    return this.r32(bp + this.o.cflags);
  }
  private setC(bp: bigint, set: number): void {
    this.w32(bp + this.o.cflags, this.cflags(bp) | set);
  }
  private clrC(bp: bigint, clr: number): void {
    this.w32(bp + this.o.cflags, this.cflags(bp) & ~clr);
  }
  oflags(bp: bigint): number {
    return this.r32(bp + this.o.oflags);
  }
  private setO(bp: bigint, set: number): void {
    this.w32(bp + this.o.oflags, this.oflags(bp) | set);
  }
  private clrO(bp: bigint, clr: number): void {
    this.w32(bp + this.o.oflags, this.oflags(bp) & ~clr);
  }
  flags(bp: bigint): number {
    return this.r32(bp + this.o.flags);
  }
  private setF(bp: bigint, set: number): void {
    this.w32(bp + this.o.flags, this.flags(bp) | set);
  }
  private clrF(bp: bigint, clr: number): void {
    this.w32(bp + this.o.flags, this.flags(bp) & ~clr);
  }
  bvp(bp: bigint): bigint {
    return this.r64(bp + this.o.vp);
  }
  error(bp: bigint): number {
    return this.r32(bp + this.o.error) | 0;
  }
  data(bp: bigint): bigint {
    return this.r64(bp + this.o.data);
  }
  bcount(bp: bigint): number {
    return this.r32(bp + this.o.bcount) | 0;
  }
  bufsize(bp: bigint): number {
    return this.r32(bp + this.o.bufsize) | 0;
  }
  lblkno(bp: bigint): number {
    return Number(BigInt.asIntN(64, this.r64(bp + this.o.lblkno)));
  }
  private vtype(vp: bigint): number {
    return this.r32(vp + this.o.vType);
  }
  private vIflag(vp: bigint): number {
    return this.r32(vp + this.o.vIflag);
  }
  /** v_rdev = v_specnode->sn_rdev (VBLK/VCHR vnodes). */
  private vRdev(vp: bigint): bigint {
    const sn = this.r64(vp + this.o.vUn);
    if (sn === 0n)
      this.k.panic(`v_rdev: device vnode ${this.k.describeAddress(vp)} has no specnode`);
    return this.r64(sn + this.o.snRdev);
  }
  /** spec_node_getmountedfs for VBLK vnodes, else v_mount: who pays for the I/O. */
  private ioMount(vp: bigint): bigint {
    if (this.vtype(vp) === vtype.VBLK) {
      const sn = this.r64(vp + this.o.vUn);
      if (sn === 0n) return 0n;
      const sd = this.r64(sn + this.o.snDev);
      return sd === 0n ? 0n : this.r64(sd + this.o.sdMountpoint);
    }
    return this.r64(vp + this.o.vMount);
  }
  private countMount(mp: bigint, field: bigint): void {
    if (mp === 0n) return;
    const a = mp + this.o.mntStat + field;
    this.w64(a, this.r64(a) + 1n);
  }
  private chargeLwp(field: bigint): void {
    const l = this.k.curlwp;
    if (l === 0n) return;
    const a = l + this.o.lRu + field;
    this.w64(a, this.r64(a) + 1n);
  }
  private listFirst(head: bigint): bigint {
    return this.r64(head);
  }
  dirtyBufs(vp: bigint): bigint[] {
    return this.walk(vp + this.o.vDirty);
  }
  cleanBufs(vp: bigint): bigint[] {
    return this.walk(vp + this.o.vClean);
  }
  private walk(head: bigint): bigint[] {
    const out: bigint[] = [];
    for (let bp = this.r64(head); bp !== 0n; bp = this.r64(bp + this.o.vnNext)) {
      out.push(bp);
      if (out.length > 10_000_000)
        this.k.panic(`buffer list at ${this.k.describeAddress(head)} is circular`);
    }
    return out;
  }

  // ------------------------------------------------------------------ vnode lists and syncer flag

  /** bufinsvn: LIST_INSERT_HEAD(head, bp, b_vnbufs). */
  private bufinsvn(bp: bigint, head: bigint): void {
    const next = this.r64(head);
    this.w64(bp + this.o.vnNext, next);
    if (next !== 0n) this.w64(next + this.o.vnPrev, bp + this.o.vnNext);
    this.w64(head, bp);
    this.w64(bp + this.o.vnPrev, head);
  }

  /** bufremvn: LIST_REMOVE, then mark off-list (NOLIST). */
  private bufremvn(bp: bigint): void {
    const next = this.r64(bp + this.o.vnNext);
    const prev = this.r64(bp + this.o.vnPrev);
    if (next !== 0n) this.w64(next + this.o.vnPrev, prev);
    this.w64(prev, next);
    this.w64(bp + this.o.vnNext, NOLIST);
  }

  /** vn_syncer_add_to_worklist: the vnode has data to write back (ffs_sync_selector looks). */
  syncerAdd(vp: bigint): void {
    this.w32(vp + this.o.vIflag, this.vIflag(vp) | V_.VI_ONWORKLST);
  }

  /** vn_syncer_remove_from_worklist. */
  syncerRemove(vp: bigint): void {
    this.w32(vp + this.o.vIflag, this.vIflag(vp) & ~V_.VI_ONWORKLST);
  }

  /** Drops VI_ONWORKLST when nothing (no pages, no dirty bufs) is left to write. */
  syncerRemoveIfClean(vp: bigint): void {
    if (
      (this.vIflag(vp) & (V_.VI_ONWORKLST | V_.VI_PAGES)) === V_.VI_ONWORKLST &&
      this.listFirst(vp + this.o.vDirty) === 0n
    ) {
      this.syncerRemove(vp);
    }
  }

  /** reassignbuf: move bp to vp's dirty or clean list by BO_DELWRI, keeping the syncer flag right. */
  reassignbuf(bp: bigint, vp: bigint): void {
    if (this.r64(bp + this.o.vnNext) !== NOLIST) this.bufremvn(bp);
    if ((this.oflags(bp) & BO_DELWRI) === 0) {
      this.syncerRemoveIfClean(vp);
      this.bufinsvn(bp, vp + this.o.vClean);
    } else {
      if ((this.vIflag(vp) & V_.VI_ONWORKLST) === 0) {
        const mp = this.r64(vp + this.o.vMount);
        if (mp === 0n || (this.r32(mp + this.o.mntFlag) & mnt.MNT_ASYNC) === 0) this.syncerAdd(vp);
      }
      this.bufinsvn(bp, vp + this.o.vDirty);
    }
  }

  /** bgetvp: associate bp with vp (hold it, b_dev, clean list, b_objlock = v_interlock). */
  bgetvp(vp: bigint, bp: bigint): void {
    if (this.bvp(bp) !== 0n)
      this.k.panic(`bgetvp: buf ${this.k.describeAddress(bp)} already has a vnode`);
    this.w32(vp + this.o.vHoldcnt, this.r32(vp + this.o.vHoldcnt) + 1); // vholdl
    this.w64(bp + this.o.vp, vp);
    const t = this.vtype(vp);
    this.w64(bp + this.o.dev, t === vtype.VBLK || t === vtype.VCHR ? this.vRdev(vp) : disk.NODEV);
    this.bufinsvn(bp, vp + this.o.vClean);
    this.w64(bp + this.o.objlock, this.r64(vp + this.o.vInterlock));
  }

  /** brelvp: dissociate bp from its vnode. */
  brelvp(bp: bigint): void {
    const vp = this.bvp(bp);
    if (vp === 0n) this.k.panic(`brelvp: buf ${this.k.describeAddress(bp)} has no vnode`);
    if (this.r64(bp + this.o.vnNext) !== NOLIST) this.bufremvn(bp);
    this.syncerRemoveIfClean(vp);
    this.w64(bp + this.o.objlock, this.bufferLock);
    this.w64(bp + this.o.vp, 0n);
    const h = this.r32(vp + this.o.vHoldcnt) | 0;
    if (h <= 0) this.k.panic(`holdrelel: holdcnt vp ${this.k.describeAddress(vp)} is ${h}`);
    this.w32(vp + this.o.vHoldcnt, h - 1);
  }

  /** vwakeup: one write of the vnode finished. */
  vwakeup(bp: bigint): void {
    const vp = this.bvp(bp);
    if (vp === 0n) return;
    const n = (this.r32(vp + this.o.vNumoutput) | 0) - 1;
    if (n < 0) this.k.panic(`vwakeup: neg numoutput, vp ${this.k.describeAddress(vp)}`);
    this.w32(vp + this.o.vNumoutput, n);
  }

  // ------------------------------------------------------------------ buf allocation

  /** buf_init + a zeroed struct buf (getnewbuf / getiobuf). */
  private newBuf(): bigint {
    const bp = this.k.kmem.alloc(this.k.S.buf.$size, 1, true, 'buf');
    this.w64(bp + this.o.vnNext, NOLIST);
    this.w64(bp + this.o.objlock, this.bufferLock);
    this.w64(bp + this.o.dev, disk.NODEV);
    this.stats.buffers++;
    return bp;
  }

  /** buf_trim: drop idle, valid, clean cached bufs, oldest first, until `target` bytes remain. */
  trim(target: number): void {
    for (const bp of this.lru.keys()) {
      if (this.stats.bytes <= target) break;
      if (this.cflags(bp) & BC_BUSY || this.oflags(bp) & BO_DELWRI) continue;
      this.bbusy(bp);
      this.brelse(bp, BC_INVAL);
      this.stats.evicted++;
    }
  }

  private freeBuf(bp: bigint): void {
    this.lru.delete(bp);
    const size = this.bufsize(bp);
    const data = this.data(bp);
    if (size > 0 && data !== 0n && !this.iobufs.has(bp)) {
      this.k.kmem.free(data, size, 'buf data');
      this.stats.bytes -= size;
    }
    this.iobufs.delete(bp);
    this.k.kmem.free(bp, this.k.S.buf.$size, 'buf');
    this.stats.buffers--;
  }

  /** allocbuf(bp, size, preserve): b_bcount = size; new data area when the rounded size changes. */
  allocbuf(bp: bigint, size: number, preserve: boolean): number {
    const want = roundsize(size);
    if (want > MAXBSIZE) this.k.panic(`allocbuf: buffer larger than MAXBSIZE requested (${size})`);
    this.w32(bp + this.o.bcount, size);
    const old = this.bufsize(bp);
    if (old === want) return 0;
    const oldData = this.data(bp);
    const addr = want > 0 ? this.k.kmem.alloc(want, 1, false, 'buf data') : 0n;
    if (preserve && oldData !== 0n && addr !== 0n) {
      this.k.mem.u8.copyWithin(
        this.off(addr),
        this.off(oldData),
        this.off(oldData) + Math.min(old, want),
      );
    }
    if (oldData !== 0n && old > 0) this.k.kmem.free(oldData, old, 'buf data');
    this.w64(bp + this.o.data, addr);
    this.w32(bp + this.o.bufsize, want);
    this.stats.bytes += want - old;
    return 0;
  }

  private off(a: bigint): number {
    return Number(a - 0xffff_ffff_8000_0000n);
  }

  // ------------------------------------------------------------------ the cache

  /** incore: the cached, valid buf for (vp, blkno), busy or not; 0n if none. */
  incore(vp: bigint, blkno: number): bigint {
    const bp = this.index.get(vp)?.get(blkno);
    if (bp === undefined) return 0n;
    return this.cflags(bp) & BC_INVAL ? 0n : bp;
  }

  /** bbusy: take a buf's busy bit; one lwp can never wait for another to release it. */
  bbusy(bp: bigint): number {
    if (this.cflags(bp) & BC_BUSY) {
      this.k.panic(
        `deadlock: bbusy: buf ${this.k.describeAddress(bp)} is busy and no other lwp can release it`,
      );
    }
    this.setC(bp, BC_BUSY);
    return 0;
  }

  /** getblk: the busy buf for (vp, blkno) of `size` bytes, cached or new (contents undefined). */
  getblk(vp: bigint, blkno: number, size: number): bigint {
    const cached = this.incore(vp, blkno);
    if (cached !== 0n) {
      this.bbusy(cached);
      if (
        this.oflags(cached) & (BO_DONE | BO_DELWRI) &&
        this.bcount(cached) < size &&
        this.vtype(vp) !== vtype.VBLK
      ) {
        this.k.panic('getblk: block size invariant failed');
      }
      this.allocbuf(cached, size, true);
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    if (this.stats.bytes > this.maxBytes) this.trim(this.maxBytes - (this.maxBytes >> 3));
    const bp = this.newBuf();
    this.w32(bp + this.o.cflags, BC_BUSY);
    const bn = BigInt(blkno);
    this.w64(bp + this.o.blkno, bn);
    this.w64(bp + this.o.lblkno, bn);
    this.w64(bp + this.o.rawblkno, bn);
    this.bgetvp(vp, bp);
    this.allocbuf(bp, size, false);
    let m = this.index.get(vp);
    if (!m) {
      m = new Map();
      this.index.set(vp, m);
    }
    m.set(blkno, bp);
    this.keys.set(bp, { vp, lblkno: blkno });
    return bp;
  }

  /** geteblk: a busy buf of `size` bytes belonging to no vnode (BC_INVAL: never cached). */
  geteblk(size: number): bigint {
    const bp = this.newBuf();
    this.w32(bp + this.o.cflags, BC_BUSY | BC_INVAL);
    this.allocbuf(bp, size, false);
    return bp;
  }

  /** getiobuf: a bare busy buf for pager I/O (no data, not cached, no hold on vp). */
  getiobuf(vp: bigint): bigint {
    const bp = this.newBuf();
    this.iobufs.add(bp);
    this.w32(bp + this.o.cflags, BC_BUSY);
    if (vp !== 0n) {
      this.w64(bp + this.o.vp, vp);
      this.w64(bp + this.o.objlock, this.r64(vp + this.o.vInterlock));
      const t = this.vtype(vp);
      this.w64(bp + this.o.dev, t === vtype.VBLK || t === vtype.VCHR ? this.vRdev(vp) : disk.NODEV);
    }
    return bp;
  }

  putiobuf(bp: bigint): void {
    if (!this.iobufs.has(bp))
      this.k.panic(`putiobuf: ${this.k.describeAddress(bp)} is not an I/O buf`);
    this.freeBuf(bp);
  }

  /** bio_doread: getblk, and start the read unless the data is valid or delayed-written. */
  private doread(vp: bigint, blkno: number, size: number, async: boolean): bigint {
    const bp = this.getblk(vp, blkno, size);
    if (!(this.oflags(bp) & (BO_DONE | BO_DELWRI))) {
      this.setF(bp, B_READ | (async ? B_ASYNC : 0));
      this.stats.reads++;
      this.call.int('VOP_STRATEGY', vp, bp);
      this.chargeLwp(this.o.ruInblock);
    } else if (async) {
      this.brelse(bp, 0);
    }
    this.countMount(this.ioMount(vp), async ? this.o.fAsyncreads : this.o.fSyncreads);
    return bp;
  }

  /** bread: returns [error, bp]; on error the buf is already released and bp is 0n. */
  bread(vp: bigint, blkno: number, size: number, flags: number): [number, bigint] {
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
    const bp = this.doread(vp, blkno, size, false);
    for (const [rablk, rasize] of ra) {
      if (this.incore(vp, rablk) !== 0n) continue;
      this.doread(vp, rablk, rasize, true);
    }
    return this.finishRead(bp, flags);
  }

  private finishRead(bp: bigint, flags: number): [number, bigint] {
    let error = this.biowait(bp);
    if (error === 0 && flags & B_MODIFY) error = this.call.int('fscow_run', bp, 1);
    if (error) {
      this.brelse(bp, 0);
      return [error, 0n];
    }
    return [0, bp];
  }

  /** biowait: with synchronous strategy the transfer has completed; anything else cannot end. */
  biowait(bp: bigint): number {
    if (!(this.oflags(bp) & (BO_DONE | BO_DELWRI))) {
      this.k.panic(
        `deadlock: biowait: I/O on buf ${this.k.describeAddress(bp)} (blkno ${this.lblkno(bp)}) never completed and nothing else can complete it`,
      );
    }
    return this.error(bp);
  }

  /** biodone (biodone2): mark done, wake writers, then b_iodone, or release an async buf. */
  biodone(bp: bigint): void {
    if (this.oflags(bp) & BO_DONE) this.k.panic('biodone2 already');
    this.clrF(bp, B_COWDONE);
    this.setO(bp, BO_DONE);
    if (!(this.flags(bp) & B_READ)) this.vwakeup(bp);
    const callout = this.r64(bp + this.o.iodone);
    if (callout !== 0n) {
      this.w64(bp + this.o.iodone, 0n);
      this.call.ptr(callout, bp);
    } else if (this.flags(bp) & B_ASYNC) {
      this.brelse(bp, 0);
    }
  }

  /** bwrite: write now; synchronous unless B_ASYNC (then biodone releases the buf). */
  bwrite(bp: bigint): number {
    if (!(this.cflags(bp) & BC_BUSY))
      this.k.panic(`bwrite: buf ${this.k.describeAddress(bp)} is not busy`);
    const vp = this.bvp(bp);
    if (vp === 0n) this.k.panic('bwrite given buffer with null vnode');
    const mp = this.ioMount(vp);
    const sync = !(this.flags(bp) & B_ASYNC);
    if (sync && mp !== 0n && this.r32(mp + this.o.mntFlag) & mnt.MNT_ASYNC) {
      this.bdwrite(bp);
      return 0;
    }
    this.countMount(mp, sync ? this.o.fSyncwrites : this.o.fAsyncwrites);
    this.w32(bp + this.o.error, 0);
    const wasDelayed = (this.oflags(bp) & BO_DELWRI) !== 0;
    this.clrF(bp, B_READ);
    this.clrO(bp, BO_DONE | BO_DELWRI);
    if (wasDelayed) this.reassignbuf(bp, vp);
    else this.chargeLwp(this.o.ruOublock);
    this.w32(vp + this.o.vNumoutput, this.r32(vp + this.o.vNumoutput) + 1);
    this.stats.writes++;
    this.call.int('VOP_STRATEGY', vp, bp);
    if (!sync) return 0;
    const rv = this.biowait(bp);
    this.brelse(bp, 0);
    return rv;
  }

  /** bawrite: asynchronous bwrite through the vnode's VOP_BWRITE. */
  bawrite(bp: bigint): void {
    if (!(this.cflags(bp) & BC_BUSY))
      this.k.panic(`bawrite: buf ${this.k.describeAddress(bp)} is not busy`);
    this.setF(bp, B_ASYNC);
    this.call.int('VOP_BWRITE', this.bvp(bp), bp);
  }

  /** bdwrite: mark dirty (BO_DELWRI) on the vnode's dirty list and release; written later. */
  bdwrite(bp: bigint): void {
    if (!(this.cflags(bp) & BC_BUSY))
      this.k.panic(`bdwrite: buf ${this.k.describeAddress(bp)} is not busy`);
    if (!(this.oflags(bp) & BO_DELWRI)) {
      this.setO(bp, BO_DELWRI);
      this.chargeLwp(this.o.ruOublock);
      const vp = this.bvp(bp);
      if (vp !== 0n) this.reassignbuf(bp, vp);
    }
    this.clrO(bp, BO_DONE);
    this.brelse(bp, 0);
  }

  /** brelse/brelsel: release a busy buf; invalid (or errored, or NOCACHE) bufs leave the cache. */
  brelse(bp: bigint, set: number): void {
    if (this.iobufs.has(bp)) {
      // An I/O buf (getiobuf) completing asynchronously is no cache block: it is only unbusied
      // here and goes back with putiobuf.
      this.clrC(bp, BC_BUSY);
      this.clrF(bp, B_ASYNC);
      return;
    }
    this.setC(bp, set);
    if (!(this.cflags(bp) & BC_BUSY))
      this.k.panic(`brelse: buf ${this.k.describeAddress(bp)} is not busy`);
    if (this.r64(bp + this.o.iodone) !== 0n) {
      this.k.panic('kernel diagnostic assertion "bp->b_iodone == NULL" failed: brelsel');
    }
    if (this.cflags(bp) & BC_WANTED) this.clrC(bp, BC_WANTED | BC_AGE);
    if (this.flags(bp) & B_COWDONE && !(this.oflags(bp) & BO_DELWRI)) this.clrF(bp, B_COWDONE);
    if (this.flags(bp) & B_LOCKED) this.w32(bp + this.o.error, 0);
    if (this.cflags(bp) & BC_NOCACHE || this.error(bp) !== 0) this.setC(bp, BC_INVAL);
    this.clrC(bp, BC_VFLUSH);
    if (this.bufsize(bp) <= 0 || this.cflags(bp) & BC_INVAL) {
      this.clrO(bp, BO_DONE | BO_DELWRI);
      const vp = this.bvp(bp);
      if (vp !== 0n) {
        this.reassignbuf(bp, vp);
        this.brelvp(bp);
      }
      this.unindex(bp);
      this.freeBuf(bp);
      return;
    }
    this.clrC(bp, BC_AGE | BC_BUSY | BC_NOCACHE);
    this.lru.delete(bp);
    if (this.keys.has(bp)) this.lru.set(bp, true);
    this.clrF(bp, B_ASYNC);
  }

  private unindex(bp: bigint): void {
    const key = this.keys.get(bp);
    if (!key) return;
    this.keys.delete(bp);
    const m = this.index.get(key.vp);
    if (m?.get(key.lblkno) === bp) {
      m.delete(key.lblkno);
      if (m.size === 0) this.index.delete(key.vp);
    }
  }

  /** Cached bufs of a vnode (tests and diagnostics). */
  cachedBlocks(vp: bigint): number[] {
    return [...(this.index.get(vp)?.keys() ?? [])].sort((a, b) => a - b);
  }

  // ------------------------------------------------------------------ vfs_subr.c buffer walks

  private lockObj(vp: bigint): void {
    this.k.rwlocks.enter(this.r64(vp + this.o.vObjlock), locks.RW_WRITER);
  }

  /**
   * vinvalbuf: write back (V_SAVE) or discard every page and buf of vp, then invalidate all its
   * bufs. VOP_PUTPAGES is entered with the object locked and releases it.
   */
  vinvalbuf(vp: bigint, flags: number, cred: bigint): number {
    const save = (flags & V_.V_SAVE) !== 0;
    const flush =
      pgo.PGO_ALLPAGES |
      pgo.PGO_FREE |
      pgo.PGO_SYNCIO |
      (save ? pgo.PGO_CLEANIT | pgo.PGO_RECLAIM : 0);
    this.lockObj(vp);
    let error = this.call.int('VOP_PUTPAGES', vp, 0n, 0n, flush);
    if (error) return error;
    if (save) {
      error = this.call.int('VOP_FSYNC', vp, cred, V_.FSYNC_WAIT | V_.FSYNC_RECLAIM, 0n, 0n);
      if (error) return error;
      if (this.listFirst(vp + this.o.vDirty) !== 0n) {
        this.k.panic(
          `kernel diagnostic assertion "LIST_EMPTY(&vp->v_dirtyblkhd)" failed: vinvalbuf ${this.k.describeAddress(vp)}`,
        );
      }
    }
    for (;;) {
      let restarted = false;
      for (const bp of this.dirtyBufs(vp)) {
        this.bbusy(bp);
        this.brelse(bp, BC_INVAL | BC_VFLUSH);
      }
      for (const bp of this.cleanBufs(vp)) {
        this.bbusy(bp);
        if (this.oflags(bp) & BO_DELWRI && save) {
          this.setC(bp, BC_BUSY | BC_VFLUSH);
          this.call.int('VOP_BWRITE', vp, bp);
          restarted = true;
          break;
        }
        this.brelse(bp, BC_INVAL | BC_VFLUSH);
      }
      if (!restarted) break;
    }
    if (this.listFirst(vp + this.o.vClean) !== 0n || this.listFirst(vp + this.o.vDirty) !== 0n) {
      this.k.panic(`vinvalbuf: flush failed, vp ${this.k.describeAddress(vp)}`);
    }
    return 0;
  }

  /** vtruncbuf: drop pages from round_page(lbn << fs_bshift) on and every buf with b_lblkno >= lbn. */
  vtruncbuf(vp: bigint, lbn: number): number {
    const mp = this.r64(vp + this.o.vMount);
    const bshift = this.r32(mp + BigInt(this.k.S.mount.mnt_fs_bshift.offset));
    const off = (((BigInt(lbn) << BigInt(bshift)) + 4095n) / 4096n) * 4096n;
    this.lockObj(vp);
    const error = this.call.int('VOP_PUTPAGES', vp, off, 0n, pgo.PGO_FREE | pgo.PGO_SYNCIO);
    if (error) return error;
    for (const bp of [...this.dirtyBufs(vp), ...this.cleanBufs(vp)]) {
      if (this.lblkno(bp) < lbn) continue;
      this.bbusy(bp);
      this.brelse(bp, BC_INVAL | BC_VFLUSH);
    }
    return 0;
  }

  /**
   * vflushbuf: write back vp's dirty pages (VOP_PUTPAGES) and start a write for each dirty buf
   * not busy; with FSYNC_WAIT every write has completed on return.
   */
  vflushbuf(vp: bigint, flags: number): number {
    const sync = (flags & V_.FSYNC_WAIT) !== 0;
    const pflags =
      pgo.PGO_CLEANIT |
      pgo.PGO_ALLPAGES |
      (sync ? pgo.PGO_SYNCIO : 0) |
      (flags & V_.FSYNC_LAZY ? pgo.PGO_LAZY : 0);
    this.lockObj(vp);
    this.call.int('VOP_PUTPAGES', vp, 0n, 0n, pflags);
    for (;;) {
      const bp = this.dirtyBufs(vp).find((b) => !(this.cflags(b) & BC_BUSY));
      if (bp === undefined) break;
      if (!(this.oflags(bp) & BO_DELWRI))
        this.k.panic(`vflushbuf: not dirty, bp ${this.k.describeAddress(bp)}`);
      this.setC(bp, BC_BUSY | BC_VFLUSH);
      if (this.bvp(bp) === vp || !sync) this.bawrite(bp);
      else {
        const error = this.bwrite(bp);
        if (error) return error;
      }
    }
    if (!sync) return 0;
    const out = this.r32(vp + this.o.vNumoutput);
    if (out !== 0)
      this.k.panic(
        `deadlock: vflushbuf: ${out} writes of vp ${this.k.describeAddress(vp)} never completed`,
      );
    if (this.listFirst(vp + this.o.vDirty) !== 0n) {
      // Only busy bufs can remain: someone holds them, and no other lwp can release them.
      this.k.panic(
        `deadlock: vflushbuf: vp ${this.k.describeAddress(vp)} keeps busy dirty buffers`,
      );
    }
    return 0;
  }

  /** binvalbuf(vp, blkno): invalidate the cached buf for that block, if any. */
  binvalbuf(vp: bigint, blkno: number): void {
    const bp = this.incore(vp, blkno);
    if (bp === 0n) return;
    this.bbusy(bp);
    this.brelse(bp, BC_INVAL);
  }

  // ------------------------------------------------------------------ kernel symbols

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    const i64 = (v: bigint) => Number(BigInt.asIntN(64, v));
    this.bufferLock = this.k.kmem.alloc(8, 1, true, 'buffer_lock');
    this.k.mutexes.init(this.bufferLock, locks.MUTEX_DEFAULT, 6 /* IPL_VM */);
    this.bufcacheLock = t.resolve('bufcache_lock') ?? 0n;
    t.function('getblk', 'vfs_bio', (c) => this.getblk(c.arg(0), i64(c.arg(1)), i32(c.arg(2))));
    t.function('geteblk', 'vfs_bio', (c) => this.geteblk(i32(c.arg(0))));
    t.function('getiobuf', 'vfs_bio', (c) => this.getiobuf(c.arg(0)));
    t.function('putiobuf', 'vfs_bio', (c) => this.putiobuf(c.arg(0)));
    t.function('incore', 'vfs_bio', (c) => this.incore(c.arg(0), i64(c.arg(1))));
    t.function('bbusy', 'vfs_bio', (c) => this.bbusy(c.arg(0)));
    t.function('allocbuf', 'vfs_bio', (c) =>
      this.allocbuf(c.arg(0), i32(c.arg(1)), i32(c.arg(2)) !== 0),
    );
    t.function('bread', 'vfs_bio', (c) => {
      const bpp = c.arg(4);
      const [error, bp] = this.bread(c.arg(0), i64(c.arg(1)), i32(c.arg(2)), i32(c.arg(3)));
      m.write64(bpp, bp);
      return error;
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
    t.function('bwrite', 'vfs_bio', (c) => this.bwrite(c.arg(0)));
    t.function('bawrite', 'vfs_bio', (c) => this.bawrite(c.arg(0)));
    t.function('bdwrite', 'vfs_bio', (c) => this.bdwrite(c.arg(0)));
    t.function('brelse', 'vfs_bio', (c) => this.brelse(c.arg(0), i32(c.arg(1))));
    t.function('brelsel', 'vfs_bio', (c) => {
      if (this.bufcacheLock !== 0n && !this.k.mutexes.owned(this.bufcacheLock)) {
        this.k.panic('kernel diagnostic assertion "mutex_owned(&bufcache_lock)" failed: brelsel');
      }
      this.brelse(c.arg(0), i32(c.arg(1)));
    });
    t.function('biowait', 'vfs_bio', (c) => this.biowait(c.arg(0)));
    t.function('biodone', 'vfs_bio', (c) => this.biodone(c.arg(0)));
    t.function('binvalbuf', 'vfs_bio', (c) => this.binvalbuf(c.arg(0), i64(c.arg(1))));
    t.function('vwakeup', 'vfs_bio', (c) => this.vwakeup(c.arg(0)));
    t.function('reassignbuf', 'vfs_bio', (c) => this.reassignbuf(c.arg(0), c.arg(1)));
    t.function('bgetvp', 'vfs_bio', (c) => this.bgetvp(c.arg(0), c.arg(1)));
    t.function('brelvp', 'vfs_bio', (c) => this.brelvp(c.arg(0)));
    t.function('vinvalbuf', 'vfs_bio', (c) => this.vinvalbuf(c.arg(0), i32(c.arg(1)), c.arg(2)));
    t.function('vtruncbuf', 'vfs_bio', (c) => this.vtruncbuf(c.arg(0), i64(c.arg(1))));
    t.function('vflushbuf', 'vfs_bio', (c) => this.vflushbuf(c.arg(0), i32(c.arg(1))));
  }
}
