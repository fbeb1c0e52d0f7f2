/**
 * kern/vfs_vnode.c: vnode life cycle and the vnode cache.
 *
 * A vnode is a zeroed guest `struct vnode_impl` (vnode at +0, vi_lock, vi_key, vi_state at
 * NetBSD's offsets). The cache maps (mount, key bytes) to vnodes; a miss allocates a vnode and
 * asks the file system to fill it (VFS_LOADVNODE / VFS_NEWVNODE). The last vrele runs
 * VOP_INACTIVE with the vnode locked; a vnode the file system wants recycled is reclaimed at once
 * (vinvalbuf, VOP_INACTIVE, VOP_RECLAIM), moved to the dead mount with the dead vector, and freed
 * when nothing holds it. Unreferenced vnodes otherwise stay cached until vflush or reclaim.
 * States and counts live in the guest fields (vi_state, v_usecount, v_holdcnt) where a debugger
 * or a module would look.
 */
import { kmflags, vnode as VF, vtagtype, vtype } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { argKva, argSize } from '../kern/hostcall.js';
import { type Kva, kvaBig, kvaOf, storeKva } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import type { Vfs } from './vfs.js';
import { VSIZENOTSET } from './vnode.js';

/** enum vnode_state (sys/vnode_impl.h). */
export const VS = {
  ACTIVE: 0,
  MARKER: 1,
  LOADING: 2,
  LOADED: 3,
  BLOCKED: 4,
  RECLAIMING: 5,
  RECLAIMED: 6,
} as const;
const VS_NAMES = ['ACTIVE', 'MARKER', 'LOADING', 'LOADED', 'BLOCKED', 'RECLAIMING', 'RECLAIMED'];

export const VUSECOUNT_MASK = 0x3fffffff;
const NOCRED = 0xffff_ffff_ffff_ffffn;

interface Iter {
  readonly mp: bigint;
  readonly list: bigint[];
  next: number;
}

/**
 * A vcache key as a Map key: an 8-byte key below 2^53 (ffs's ino_t) as that number, a 4-byte
 * key as -1 - its value (so the two never meet), any other as its bytes in a Latin-1 string.
 */
export type VcacheKey = number | string;

export class VnodeCache {
  /** Per mount (Kva): key → vnode (Kva). */
  private readonly hash = new Map<Kva, Map<VcacheKey, Kva>>();
  /** Hashed vnode (Kva) → its mount and key. */
  private readonly keys = new Map<Kva, { mp: Kva; key: VcacheKey }>();
  private readonly iters = new Map<bigint, Iter>();
  /** Every allocated vnode (for leak checks and debugging). */
  readonly live = new Set<bigint>();
  /** The same set keyed by Kva (name-cache hits check it: no BigInt hashing). */
  private readonly liveK = new Set<Kva>();
  /** Loaded vnodes without references, least recently released first (NetBSD's LRU free list). */
  private readonly free = new Set<Kva>();
  private readonly stateOff: number;
  private deadBig = -1n;
  private deadK = 0;
  private readonly o: {
    state: bigint;
    vkMount: bigint;
    vkKey: bigint;
    vkLen: bigint;
    klist: bigint;
    viKlist: bigint;
    vkKeyN: number;
  };
  /** dead_rootmount: where reclaimed vnodes go (no fstrans, no vfsops). */
  deadMount = 0n;
  /** dead_vnodeop_p: the vector of reclaimed vnodes. */
  deadVector = 0n;

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {
    const I = k.S.vnode_impl;
    const K = k.S.vcache_key;
    this.o = {
      state: BigInt(I.vi_state.offset),
      vkMount: BigInt(I.vi_key.offset + K.vk_mount.offset),
      vkKey: BigInt(I.vi_key.offset + K.vk_key.offset),
      vkLen: BigInt(I.vi_key.offset + K.vk_key_len.offset),
      klist: BigInt(k.S.vnode.v_klist.offset),
      viKlist: BigInt(I.vi_klist.offset),
      vkKeyN: I.vi_key.offset + K.vk_key.offset,
    };
    this.stateOff = I.vi_state.offset;
  }

  /** vi_state of a vnode given as a Kva. */
  stateK(vp: Kva): number {
    return this.k.mem.load32(vp + this.stateOff, -1);
  }

  /** deadVector as a Kva (converted when it changes). */
  private deadVectorK(): Kva {
    if (this.deadVector !== this.deadBig) {
      this.deadBig = this.deadVector;
      this.deadK = kvaOf(this.deadVector);
    }
    return this.deadK;
  }

  state(vp: bigint): number {
    return this.k.mem.read32(vp + this.o.state);
  }
  private setState(vp: bigint, s: number): void {
    this.k.mem.write32(vp + this.o.state, s);
  }
  private stateName(vp: bigint): string {
    return VS_NAMES[this.state(vp)] ?? String(this.state(vp));
  }

  vrefcnt(vp: bigint): number {
    return this.vfs.vn.usecount(vp) & VUSECOUNT_MASK;
  }

  /** vcache_alloc: a zeroed vnode_impl with its locks, object and one reference, state LOADING. */
  alloc(): bigint {
    const k = this.k;
    const vn = this.vfs.vn;
    const vp = k.kmem.alloc(k.S.vnode_impl.$size, kmflags.KM_SLEEP, true, 'vcache_alloc');
    k.rwlocks.init(vp + BigInt(k.S.vnode_impl.vi_lock.offset));
    const interlock = k.kmem.alloc(k.S.kmutex.$size, kmflags.KM_SLEEP, true, 'v_interlock');
    k.mutexes.init(interlock, 2 /* MUTEX_DEFAULT */, 0 /* IPL_NONE */);
    vn.setInterlock(vp, interlock);
    this.vfs.io().uvn.objInit(vp);
    k.mem.write64(vp + this.o.klist, vp + this.o.viKlist);
    vn.setUsecount(vp, 1);
    vn.setType(vp, vtype.VNON);
    vn.setSize(vp, VSIZENOTSET);
    vn.setWritesize(vp, VSIZENOTSET);
    this.setState(vp, VS.LOADING);
    this.vfs.cache.initVnodeK(kvaOf(vp));
    this.live.add(vp);
    this.liveK.add(kvaOf(vp));
    return vp;
  }

  /** vcache_free / vcache_dealloc: the vnode's memory goes back (no references, no holds). */
  private dealloc(vp: bigint): void {
    const k = this.k;
    const vn = this.vfs.vn;
    if (this.vrefcnt(vp) !== 0 || vn.holdcnt(vp) !== 0) {
      k.panic(
        `vcache_free: vnode ${k.describeAddress(vp)} still has usecount ${this.vrefcnt(vp)} holdcnt ${vn.holdcnt(vp)}`,
      );
    }
    this.vfs.mounts.insmntque(vp, 0n);
    this.vfs.io().uvn.objDestroy(vp);
    const il = vn.interlock(vp);
    k.mutexes.destroy(il);
    k.kmem.free(il, k.S.kmutex.$size, 'v_interlock');
    k.rwlocks.destroy(vp + BigInt(k.S.vnode_impl.vi_lock.offset));
    this.live.delete(vp);
    this.liveK.delete(kvaOf(vp));
    k.kmem.free(vp, k.S.vnode_impl.$size, 'vcache_free');
  }

  /** The VcacheKey of `len` key bytes at `key` (a Kva in the backed window). */
  keyOfK(key: Kva, len: number): VcacheKey {
    const m = this.k.mem;
    if (len === 8) {
      const hi = m.load32(key + 4, -1) >>> 0;
      if (hi < 0x200000) return hi * 4294967296 + (m.load32(key, -1) >>> 0);
    } else if (len === 4) return -1 - (m.load32(key, -1) >>> 0);
    const u8 = m.windowU8();
    const off = key + 0x8000_0000;
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(u8[off + i]!);
    return s;
  }

  /** keyOfK for a key anywhere in guest memory. */
  keyOf(key: bigint, len: number): VcacheKey {
    const kk = kvaOf(key);
    if (kk < 0 && kk + 0x8000_0000 + len <= this.k.mem.windowSize) return this.keyOfK(kk, len);
    if (len === 0) return '';
    const b = this.k.mem.read(key, len);
    if (len === 8) {
      const hi = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
      if (hi < 0x200000)
        return hi * 4294967296 + ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0);
    } else if (len === 4)
      return -1 - ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0);
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }

  /** The vnode hashed under (mp, key), or 0. */
  lookupKey(mp: Kva, key: VcacheKey): Kva {
    return this.hash.get(mp)?.get(key) ?? 0;
  }

  /** Hashes vp under (mp, key) (replacing its previous key, if any). */
  setKey(vp: Kva, mp: Kva, key: VcacheKey): void {
    this.unhashK(vp);
    let h = this.hash.get(mp);
    if (h === undefined) this.hash.set(mp, (h = new Map()));
    h.set(key, vp);
    this.keys.set(vp, { mp, key });
  }

  /** Takes vp out of the hash (no-op when it is not hashed). */
  private unhashK(vp: Kva): void {
    const e = this.keys.get(vp);
    if (e === undefined) return;
    this.keys.delete(vp);
    const h = this.hash.get(e.mp);
    if (h === undefined) return;
    if (h.get(e.key) === vp) h.delete(e.key);
    if (h.size === 0) this.hash.delete(e.mp);
  }

  /**
   * vcache_get's cache hit: the loaded vnode for (mp, key), referenced; 0 when it is not cached
   * (or not loaded: the full vcache_get diagnoses that).
   */
  private hitK(mp: Kva, key: VcacheKey): Kva {
    const hk = this.lookupKey(mp, key);
    if (hk === 0 || this.stateK(hk) !== VS.LOADED) return 0;
    this.vfs.vn.setUsecountK(hk, this.vfs.vn.usecountK(hk) + 1);
    this.free.delete(hk);
    return hk;
  }

  private hashInsert(vp: bigint, mp: bigint, key: bigint, len: number): void {
    const vpK = kvaOf(vp);
    const mpK = kvaOf(mp);
    const h = this.keyOf(key, len);
    if (this.lookupKey(mpK, h) !== 0)
      this.k.panic(`vcache: duplicate key for mount ${this.k.describeAddress(mp)}`);
    this.setKey(vpK, mpK, h);
    const m = this.k.mem;
    m.write64(vp + this.o.vkMount, mp);
    m.write64(vp + this.o.vkKey, key);
    m.write64(vp + this.o.vkLen, BigInt(len));
  }

  private hashRemove(vp: bigint): void {
    this.unhashK(kvaOf(vp));
  }

  /** vcache_get(mp, key, key_len, &vp): referenced, unlocked vnode, or an errno. */
  get(mp: bigint, key: bigint, keyLen: number): { error: number; vp: bigint } {
    const vp = this.getK(kvaOf(mp), this.keyOf(key, keyLen), key, keyLen);
    return vp === 0 ? { error: this.getError, vp: 0n } : { error: 0, vp: kvaBig(vp) };
  }

  /** errno of the last getK that returned 0. */
  private getError = 0;

  /**
   * vcache_get with the mount as a Kva and the key already read (`vkey`; `key`/`keyLen` are the
   * guest key handed to VFS_LOADVNODE): the referenced vnode, or 0 with the errno in getError.
   */
  private getK(mp: Kva, vkey: VcacheKey, key: bigint, keyLen: number): Kva {
    const k = this.k;
    const hit = this.lookupKey(mp, vkey);
    if (hit !== 0) {
      if (this.stateK(hit) !== VS.LOADED) {
        k.panic(
          `deadlock: vcache_get: vnode ${k.describeAddress(kvaBig(hit))} is ${this.stateName(kvaBig(hit))} and no other lwp can finish it`,
        );
      }
      this.vfs.vn.setUsecountK(hit, this.vfs.vn.usecountK(hit) + 1);
      this.free.delete(hit);
      return hit;
    }
    const mounts = this.vfs.mounts;
    const mpB = kvaBig(mp);
    let error = mounts.busy(mpB);
    if (error) {
      this.getError = error;
      return 0;
    }
    const vpB = this.alloc();
    const vp = kvaOf(vpB);
    this.setKey(vp, mp, vkey);
    const m = k.mem;
    m.write64(vpB + this.o.vkMount, mpB);
    m.write64(vpB + this.o.vkKey, key);
    m.write64(vpB + this.o.vkLen, BigInt(keyLen));
    const vop = this.vfs.vop;
    const newKey = vop.scratch(8);
    try {
      const fn = kvaOf(mounts.op(mpB, 'vfs_loadvnode'));
      const keyK = kvaOf(key);
      if (!Number.isNaN(fn) && !Number.isNaN(keyK))
        error = k.callGuestNum(fn, mp, vp, keyK, keyLen, newKey) | 0;
      else
        error = k.callGuestInt(
          mounts.op(mpB, 'vfs_loadvnode'),
          mpB,
          vpB,
          key,
          keyLen,
          kvaBig(newKey),
        );
      if (error === 0) {
        const nkLo = m.load64(newKey, -1);
        const nkHi = m.hi;
        if (nkLo === 0 && nkHi === 0)
          k.panic('kernel diagnostic assertion "new_key != NULL" failed: vcache_get');
        m.store64(vp + this.o.vkKeyN, -1, nkLo, nkHi);
      }
    } finally {
      vop.release(newKey);
    }
    if (error) {
      this.unhashK(vp);
      this.vfs.vn.setUsecountK(vp, 0);
      this.dealloc(vpB);
      mounts.unbusy(mpB);
      this.getError = error;
      return 0;
    }
    this.finishLoad(vpB, mpB);
    mounts.unbusy(mpB);
    return vp;
  }

  private finishLoad(vp: bigint, mp: bigint): void {
    const vn = this.vfs.vn;
    if (vn.op(vp) === 0n)
      this.k.panic(`vcache: file system left vnode ${this.k.describeAddress(vp)} without v_op`);
    this.vfs.mounts.ref(mp);
    this.vfs.mounts.insmntque(vp, mp);
    if (this.vfs.mounts.iflag(mp) & 0x100 /* IMNT_MPSAFE */)
      vn.setVflag(vp, vn.vflag(vp) | VF.VV_MPSAFE);
    this.setState(vp, VS.LOADED);
  }

  /** vcache_new(mp, dvp, vap, cred, extra, &vp): a new file's vnode from VFS_NEWVNODE. */
  newVnode(
    mp: bigint,
    dvp: bigint,
    vap: bigint,
    cred: bigint,
    extra: bigint,
  ): { error: number; vp: bigint } {
    const k = this.k;
    const mounts = this.vfs.mounts;
    let error = mounts.busy(mp);
    if (error) return { error, vp: 0n };
    const vp = this.alloc();
    error = this.vfs.vop.withScratch(16, (p) => {
      const e = Number(
        BigInt.asIntN(
          32,
          k.callGuest(mounts.op(mp, 'vfs_newvnode'), mp, dvp, vp, vap, cred, extra, p, p + 8n),
        ),
      );
      if (e === 0) this.hashInsert(vp, mp, k.mem.read64(p + 8n), Number(k.mem.read64(p)));
      return e;
    });
    if (error) {
      this.vfs.vn.setUsecount(vp, 0);
      this.dealloc(vp);
      mounts.unbusy(mp);
      return { error, vp: 0n };
    }
    this.finishLoad(vp, mp);
    mounts.unbusy(mp);
    return { error: 0, vp };
  }

  /** A vnode the kernel itself owns (rootfs nodes): loaded, no hash key, on mount `mp`. */
  kernelVnode(mp: bigint, type: number, vector: bigint, data: bigint): bigint {
    const vp = this.alloc();
    const vn = this.vfs.vn;
    vn.setType(vp, type);
    vn.setOp(vp, vector);
    vn.setData(vp, data);
    vn.setTag(vp, vtagtype.VT_RUMP);
    this.finishLoad(vp, mp);
    return vp;
  }

  /** Puts a kernel vnode in the cache under (mp, key) so vcache_get finds it (rootfs). */
  hashKernelVnode(vp: bigint, mp: bigint, key: bigint, len: number): void {
    this.hashInsert(vp, mp, key, len);
  }

  vref(vp: bigint): void {
    this.vrefK(kvaOf(vp));
  }
  vrefK(vp: Kva): void {
    const vn = this.vfs.vn;
    const u = vn.usecountK(vp);
    if ((u & VUSECOUNT_MASK) <= 0)
      this.k.panic(`vref: vnode ${this.k.describeAddress(kvaBig(vp))} has no references`);
    vn.setUsecountK(vp, u + 1);
  }

  /** vcache_tryvget (name-cache hits): a reference to a loaded vnode, EBUSY otherwise. */
  tryVget(vp: bigint): number {
    return this.tryVgetK(kvaOf(vp));
  }
  tryVgetK(vp: Kva): number {
    if (!this.canVgetK(vp)) return errno.EBUSY;
    this.vfs.vn.setUsecountK(vp, this.vfs.vn.usecountK(vp) + 1);
    this.free.delete(vp);
    return 0;
  }

  /** Whether tryVgetK(vp) would succeed: a live, loaded vnode. */
  canVgetK(vp: Kva): boolean {
    return this.liveK.has(vp) && this.stateK(vp) === VS.LOADED;
  }

  /** vcache_vget for iterator results and cache hits: a reference unless reclaimed. */
  private vget(vp: bigint): number {
    if (this.state(vp) === VS.RECLAIMED) return errno.ENOENT;
    this.vfs.vn.setUsecount(vp, this.vfs.vn.usecount(vp) + 1);
    this.free.delete(kvaOf(vp));
    return 0;
  }

  vrele(vp: bigint): void {
    this.vrelelK(kvaOf(vp), VF.LK_NONE);
  }
  vreleK(vp: Kva): void {
    this.vrelelK(vp, VF.LK_NONE);
  }

  /** vput: unlock and release. */
  vput(vp: bigint): void {
    this.vputK(kvaOf(vp));
  }
  vputK(vp: Kva): void {
    const lk = this.vfs.vop.islockedK(vp);
    if (lk === VF.LK_NONE)
      this.k.panic(`vput: vnode ${this.k.describeAddress(kvaBig(vp))} is not locked`);
    this.vrelelK(vp, lk);
  }

  /** vrelel: drop a reference; the last one inactivates (and maybe reclaims) the vnode. */
  private vrelelK(vp: Kva, lktype: number): void {
    const k = this.k;
    const vn = this.vfs.vn;
    const vop = this.vfs.vop;
    const use = vn.usecountK(vp) & VUSECOUNT_MASK;
    if (use <= 0) k.panic(`vrelel: vnode ${k.describeAddress(kvaBig(vp))}: bad ref count ${use}`);
    if (vn.opK(vp) === this.deadVectorK() && this.stateK(vp) !== VS.RECLAIMED) {
      k.panic(`vrelel: vnode ${k.describeAddress(kvaBig(vp))}: dead but not clean`);
    }
    if (use > 1) {
      if (lktype !== VF.LK_NONE) vop.unlockK(vp);
      vn.setUsecountK(vp, vn.usecountK(vp) - 1);
      return;
    }
    if (vn.writecountK(vp) !== 0)
      k.panic(
        `vrelel: vnode ${k.describeAddress(kvaBig(vp))}: bad ref count (v_writecount ${vn.writecountK(vp)})`,
      );
    if (this.stateK(vp) !== VS.RECLAIMED) {
      if (lktype === VF.LK_SHARED) {
        if (this.vfs.vnops.lockK(vp, VF.LK_UPGRADE | VF.LK_RETRY | VF.LK_NOWAIT) !== 0) {
          k.panic(
            `vrelel: cannot upgrade the lock of ${k.describeAddress(kvaBig(vp))} to inactivate it`,
          );
        }
      } else if (lktype === VF.LK_NONE) {
        if (this.vfs.vnops.lockK(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY | VF.LK_NOWAIT) !== 0) {
          k.panic(
            `deadlock: vrelel: vnode ${k.describeAddress(kvaBig(vp))} is locked and its last reference is going away`,
          );
        }
      }
      vn.setIflagK(vp, vn.iflagK(vp) & ~(VF.VI_TEXT | VF.VI_EXECMAP | VF.VI_WRMAP));
      vn.setVflagK(vp, vn.vflagK(vp) & ~VF.VV_MAPPED);
      const p = vop.scratch(8);
      let recycle: boolean;
      try {
        vop.inactiveK(vp, p);
        recycle = k.mem.load8(p, -1) !== 0;
      } finally {
        vop.release(p);
      }
      if (!recycle) vop.unlockK(vp);
      else {
        this.setState(kvaBig(vp), VS.BLOCKED);
        this.reclaim(kvaBig(vp));
      }
    } else if (lktype !== VF.LK_NONE) vop.unlockK(vp);
    vn.setUsecountK(vp, vn.usecountK(vp) - 1);
    if (this.stateK(vp) === VS.RECLAIMED) {
      this.free.delete(vp);
      if (vn.holdcntK(vp) === 0) this.dealloc(kvaBig(vp));
    } else if ((vn.usecountK(vp) & VUSECOUNT_MASK) === 0) {
      this.free.delete(vp);
      this.free.add(vp);
    }
  }

  private vrelel(vp: bigint, lktype: number): void {
    this.vrelelK(kvaOf(vp), lktype);
  }

  /** Cached vnodes nobody references. */
  get freeCount(): number {
    return this.free.size;
  }

  /**
   * vdrain: recycles the least recently used unreferenced vnodes until at most `target` remain
   * cached. Run between kernel entries (NetBSD's vdrain thread), never inside a file system call.
   */
  drain(target: number): number {
    let n = 0;
    for (const vpK of this.free) {
      if (this.free.size <= target) break;
      this.free.delete(vpK);
      const vp = kvaBig(vpK);
      if (!this.live.has(vp) || this.state(vp) !== VS.LOADED || this.vrefcnt(vp) !== 0) continue;
      if (this.vfs.vn.iflag(vp) & VF.VI_ONWORKLST) continue; // dirty: the syncer writes it first
      this.vfs.vn.setUsecount(vp, this.vfs.vn.usecount(vp) + 1);
      if (this.vrecycle(vp)) n++;
      else this.vrele(vp);
    }
    return n;
  }

  /**
   * vcache_reclaim: disassociate a locked, referenced vnode from its file system: write back and
   * drop its buffers and pages, VOP_INACTIVE, VOP_RECLAIM (which unlocks it), then dead vector and
   * dead mount.
   */
  reclaim(vp: bigint): void {
    const k = this.k;
    const vn = this.vfs.vn;
    const vop = this.vfs.vop;
    if (vop.islocked(vp) !== VF.LK_EXCLUSIVE)
      k.panic(`vcache_reclaim: vnode ${k.describeAddress(vp)} not locked exclusively`);
    if (this.vrefcnt(vp) === 0)
      k.panic(`vcache_reclaim: vnode ${k.describeAddress(vp)} has no references`);
    const mp = vn.mount(vp);
    this.setState(vp, VS.RECLAIMING);
    k.mem.write64(vp + this.o.klist, vp + this.o.viKlist);
    vn.setIflag(vp, (vn.iflag(vp) & ~(VF.VI_TEXT | VF.VI_EXECMAP)) | VF.VI_DEADCHECK);
    this.vfs.cache.purge(vp, 0x3);
    this.vfs.trans.start(mp);
    const bufs = this.vfs.io().bufcache;
    let error = bufs.vinvalbuf(vp, VF.V_SAVE, NOCRED);
    if (error) error = bufs.vinvalbuf(vp, 0, NOCRED);
    if (error) k.panic(`vinvalbuf failed: ${error}`);
    if (vn.iflag(vp) & VF.VI_ONWORKLST)
      k.panic(
        'kernel diagnostic assertion "(vp->v_iflag & VI_ONWORKLST) == 0" failed: vcache_reclaim',
      );
    const t = vn.type(vp);
    if ((t === vtype.VBLK || t === vtype.VCHR) && vn.specnode(vp) !== 0n)
      this.vfs.spec.nodeRevoke(vp);
    vop.withScratch(8, (p) => vop.inactive(vp, p));
    if (vop.islocked(vp) !== VF.LK_EXCLUSIVE)
      k.panic(
        'kernel diagnostic assertion "VOP_ISLOCKED(vp) == LK_EXCLUSIVE" failed: vcache_reclaim',
      );
    if (vop.reclaim(vp)) k.panic(`vnode ${k.describeAddress(vp)}: vcache_reclaim: cannot reclaim`);
    if (vn.data(vp) !== 0n)
      k.panic('kernel diagnostic assertion "vp->v_data == NULL" failed: vcache_reclaim');
    if (vn.iflag(vp) & VF.VI_PAGES)
      k.panic('kernel diagnostic assertion "(vp->v_iflag & VI_PAGES) == 0" failed: vcache_reclaim');
    if (t === vtype.VREG) vn.setUn(vp, 0n); // v_ractx
    this.hashRemove(vp);
    vn.setOp(vp, this.deadVector);
    this.setState(vp, VS.RECLAIMED);
    vn.setTag(vp, vtagtype.VT_NON);
    vn.setVflag(vp, vn.vflag(vp) & ~VF.VV_ROOT);
    this.vfs.mounts.ref(this.deadMount);
    this.vfs.mounts.insmntque(vp, this.deadMount);
    this.vfs.trans.done(mp);
  }

  /** vrecycle(vp): reclaim an otherwise unreferenced vnode (caller holds the one reference). */
  vrecycle(vp: bigint): boolean {
    if (this.state(vp) !== VS.LOADED) {
      if (this.state(vp) !== VS.RECLAIMED)
        this.k.panic(`vrecycle: vnode ${this.k.describeAddress(vp)} is ${this.stateName(vp)}`);
      this.vrelel(vp, VF.LK_NONE);
      return true;
    }
    if (this.vrefcnt(vp) !== 1) return false;
    if (this.vfs.vnops.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY | VF.LK_NOWAIT) !== 0) return false;
    this.setState(vp, VS.BLOCKED);
    this.reclaim(vp);
    this.vrelel(vp, VF.LK_NONE);
    return true;
  }

  /** vgone(vp): reclaim now even if referenced; consumes the caller's reference. */
  vgone(vp: bigint): void {
    this.vfs.vnops.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    let lk: number = VF.LK_EXCLUSIVE;
    if (this.state(vp) === VS.LOADED) {
      this.setState(vp, VS.BLOCKED);
      this.reclaim(vp);
      lk = VF.LK_NONE;
    }
    if (this.state(vp) !== VS.RECLAIMED)
      this.k.panic(`vgone: vnode ${this.k.describeAddress(vp)} is ${this.stateName(vp)}`);
    this.vrelel(vp, lk);
  }

  // ---------------------------------------------------------------- per-mount iteration

  /** vfs_vnode_iterator_init(mp, &vni): a snapshot of the mount's vnode list. */
  iteratorInit(mp: bigint): bigint {
    const token = this.k.kmem.alloc(16, kmflags.KM_SLEEP, true, 'vnode_iterator');
    this.iters.set(token, { mp, list: [...this.vfs.mounts.vnodesOf(mp)], next: 0 });
    return token;
  }

  /**
   * vfs_vnode_iterator_next(vni, selector, ctx): the next loaded vnode the selector accepts
   * (called with v_interlock held, as ffs_sync_selector asserts), referenced; 0 at the end.
   */
  iteratorNext(token: bigint, selector: bigint, ctx: bigint): bigint {
    const it =
      this.iters.get(token) ??
      this.k.panic(`vfs_vnode_iterator_next: bad iterator ${this.k.describeAddress(token)}`);
    while (it.next < it.list.length) {
      const vp = it.list[it.next++]!;
      if (!this.live.has(vp) || this.state(vp) !== VS.LOADED || this.vfs.vn.mount(vp) !== it.mp)
        continue;
      if (selector !== 0n) {
        const il = this.vfs.vn.interlock(vp);
        this.k.mutexes.enter(il);
        let ok: boolean;
        try {
          ok = (this.k.callGuest(selector, ctx, vp) & 0xffn) !== 0n;
        } finally {
          if (this.k.mutexes.owned(il)) this.k.mutexes.exit(il);
        }
        if (!ok) continue;
      }
      if (this.vget(vp) === 0) return vp;
    }
    return 0n;
  }

  iteratorDestroy(token: bigint): void {
    if (!this.iters.delete(token))
      this.k.panic(`vfs_vnode_iterator_destroy: bad iterator ${this.k.describeAddress(token)}`);
    this.k.kmem.free(token, 16, 'vnode_iterator');
  }

  /** vflush(mp, skipvp, flags): reclaim every vnode of the mount; EBUSY if some stay in use. */
  vflush(mp: bigint, skipvp: bigint, flags: number): number {
    const vn = this.vfs.vn;
    let retries = 2;
    for (;;) {
      let busy = 0;
      const error = 0;
      const token = this.iteratorInit(mp);
      for (
        let vp = this.iteratorNext(token, 0n, 0n);
        vp !== 0n;
        vp = this.iteratorNext(token, 0n, 0n)
      ) {
        if (vp === skipvp || (flags & VF.SKIPSYSTEM && vn.vflag(vp) & VF.VV_SYSTEM)) {
          this.vrele(vp);
          continue;
        }
        if (flags & VF.WRITECLOSE) {
          if (vn.type(vp) !== vtype.VREG || vn.writecount(vp) === 0) {
            this.vrele(vp);
            continue;
          }
        }
        if (this.vrecycle(vp)) continue;
        if (flags & VF.FORCECLOSE) {
          this.vgone(vp);
          continue;
        }
        this.vrele(vp);
        busy++;
      }
      this.iteratorDestroy(token);
      if (error === 0 && busy > 0 && retries-- > 0) continue;
      if (error) return error;
      return busy ? errno.EBUSY : 0;
    }
  }

  register(): void {
    const t = this.k.ksyms;
    const u32 = (v: bigint) => Number(v & 0xffffffffn);
    t.function('vcache_get', 'vfs', (cpu) => {
      // Arguments are read before any nested guest call can clobber the registers.
      const mp = argKva(cpu, 0);
      const key = argKva(cpu, 1);
      const keyLen = argSize(cpu, 2);
      const vpp = argKva(cpu, 3);
      // A kernel-window mount, key and result pointer (always, for modules): no BigInt on a hit.
      if (!Number.isNaN(mp) && !Number.isNaN(key) && !Number.isNaN(vpp) && key !== 0) {
        const vkey = this.keyOfK(key, keyLen);
        const hit = this.hitK(mp, vkey);
        if (hit !== 0) {
          storeKva(this.k.mem, vpp, hit);
          return 0;
        }
        const vp = this.getK(mp, vkey, kvaBig(key), keyLen);
        storeKva(this.k.mem, vpp, vp);
        return vp === 0 ? this.getError : 0;
      }
      const vppB = cpu.arg(3);
      const r = this.get(cpu.arg(0), cpu.arg(1), Number(cpu.arg(2)));
      this.k.mem.write64(vppB, r.vp);
      return r.error;
    });
    t.function('vref', 'vfs', (cpu) => this.vrefK(argKva(cpu, 0)));
    t.function('vrele', 'vfs', (cpu) => this.vreleK(argKva(cpu, 0)));
    t.function('vrele_async', 'vfs', (cpu) => this.vreleK(argKva(cpu, 0)));
    t.function('vput', 'vfs', (cpu) => this.vputK(argKva(cpu, 0)));
    t.function('vcache_new', 'vfs', (cpu) => {
      const vpp = cpu.arg(5);
      const r = this.newVnode(cpu.arg(0), cpu.arg(1), cpu.arg(2), cpu.arg(3), cpu.arg(4));
      this.k.mem.write64(vpp, r.vp);
      return r.error;
    });
    t.function('vrefcnt', 'vfs', (cpu) => this.vfs.vn.usecountK(argKva(cpu, 0)) & VUSECOUNT_MASK);
    t.function('vrecycle', 'vfs', (cpu) => this.vrecycle(cpu.arg(0)));
    t.function('vgone', 'vfs', (cpu) => this.vgone(cpu.arg(0)));
    // Deferred vreles run at once here, so there is never anything to flush.
    t.function('vrele_flush', 'vfs', () => undefined);
    t.function('vflush', 'vfs', (cpu) => this.vflush(cpu.arg(0), cpu.arg(1), u32(cpu.arg(2))));
    t.function('vfs_vnode_iterator_init', 'vfs', (cpu) =>
      this.k.mem.write64(cpu.arg(1), this.iteratorInit(cpu.arg(0))),
    );
    t.function('vfs_vnode_iterator_next', 'vfs', (cpu) =>
      this.iteratorNext(cpu.arg(0), cpu.arg(1), cpu.arg(2)),
    );
    t.function('vfs_vnode_iterator_destroy', 'vfs', (cpu) => this.iteratorDestroy(cpu.arg(0)));
  }
}
