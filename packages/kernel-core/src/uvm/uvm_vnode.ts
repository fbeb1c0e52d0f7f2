/**
 * The vnode pager (uvm/uvm_vnode.c): a vnode's `v_uobj` is a uvm_object whose pages come from
 * VOP_GETPAGES and go back through VOP_PUTPAGES. `uvm_vnodeops` is the data symbol a vnode
 * object's `pgops` points at; its pgo_get/pgo_put/pgo_markdirty slots are kernel thunks.
 * uvm_vnp_setsize / uvm_vnp_setwritesize keep v_size and v_writesize, freeing the pages past a
 * shrinking end of file.
 */
import { locks } from '../abi/netbsd-10.99/constants.js';
import type { IoKernel, KernelCalls } from '../dev/io.js';
import { argHi, argKva, argLo } from '../kern/hostcall.js';
import { rwObjFree } from '../kern/kern_rwlock_obj.js';
import { type Kva, kvaBig, kvaOf, loadKva } from '../kern/kva.js';
import type { UvmPages } from './uvm_page.js';

/** Pager flags (uvm/uvm_pager.h). */
export const pgo = {
  PGO_CLEANIT: 0x001,
  PGO_SYNCIO: 0x002,
  PGO_DEACTIVATE: 0x004,
  PGO_FREE: 0x008,
  PGO_ALLPAGES: 0x010,
  PGO_JOURNALLOCKED: 0x020,
  PGO_LOCKED: 0x040,
  PGO_BUSYFAIL: 0x080,
  PGO_OVERWRITE: 0x200,
  PGO_PASTEOF: 0x400,
  PGO_NOBLOCKALLOC: 0x800,
  PGO_NOTIMESTAMP: 0x1000,
  PGO_RECLAIM: 0x2000,
  PGO_GLOCKHELD: 0x4000,
  PGO_LAZY: 0x8000,
} as const;

export const VSIZENOTSET = -1n;

export class UvmVnode {
  /** Address of the uvm_vnodeops data symbol (struct uvm_pagerops). */
  vnodeops = 0n;
  private readonly oObjlock: bigint;
  private readonly oPgops: bigint;
  private readonly oRefs: bigint;
  private readonly oSize: bigint;
  private readonly oWritesize: bigint;

  constructor(
    private readonly k: IoKernel,
    private readonly pages: UvmPages,
    private readonly call: KernelCalls,
  ) {
    const U = k.S.uvm_object;
    const V = k.S.vnode;
    this.oObjlock = BigInt(V.v_uobj.offset + U.vmobjlock.offset);
    this.oPgops = BigInt(V.v_uobj.offset + U.pgops.offset);
    this.oRefs = BigInt(V.v_uobj.offset + U.uo_refs.offset);
    this.oSize = BigInt(V.v_size.offset);
    this.oWritesize = BigInt(V.v_writesize.offset);
    pages.isVnodeObject = (uobj) =>
      this.vnodeops !== 0n && this.k.mem.read64(uobj + this.oPgops) === this.vnodeops;
  }

  objlock(vp: bigint): bigint {
    return kvaBig(loadKva(this.k.mem, kvaOf(vp) + Number(this.oObjlock)));
  }
  lock(vp: bigint): void {
    this.k.rwlocks.enter(this.objlock(vp), locks.RW_WRITER);
  }
  /** The vnode's vmobjlock, as a Kva (pager paths: no BigInt). */
  objlockK(vp: Kva): Kva {
    return loadKva(this.k.mem, vp + Number(this.oObjlock));
  }
  lockK(vp: Kva): void {
    this.k.rwlocks.enterK(this.objlockK(vp), locks.RW_WRITER);
  }
  unlockK(vp: Kva): void {
    this.k.rwlocks.exitK(this.objlockK(vp));
  }
  unlock(vp: bigint): void {
    this.k.rwlocks.exit(this.objlock(vp));
  }
  size(vp: bigint): bigint {
    return BigInt(this.sizeK(kvaOf(vp)));
  }
  writesize(vp: bigint): bigint {
    return BigInt(this.writesizeK(kvaOf(vp)));
  }
  /** v_size as a number (-1 for VSIZENOTSET). */
  sizeK(vp: Kva): number {
    return this.i64(vp + Number(this.oSize));
  }
  /** v_writesize as a number (-1 for VSIZENOTSET). */
  writesizeK(vp: Kva): number {
    return this.i64(vp + Number(this.oWritesize));
  }
  private i64(at: Kva): number {
    const m = this.k.mem;
    const lo = m.load64(at, -1);
    return m.hi * 4294967296 + (lo >>> 0);
  }

  /**
   * uvm_obj_init(&vp->v_uobj, &uvm_vnodeops, true, 1) for a new vnode: a fresh object lock
   * (rw_obj_alloc), pgops, one reference. For vcache_alloc.
   */
  objInit(vp: bigint): void {
    const m = this.k.mem;
    const lock = this.k.kmem.alloc(this.k.S.krwlock.$size, 1, true, 'vmobjlock');
    this.k.rwlocks.init(lock);
    m.write64(vp + this.oObjlock, lock);
    m.write64(vp + this.oPgops, this.vnodeops);
    m.write32(vp + this.oRefs, 1);
  }

  /** uvm_obj_destroy for a vnode being freed: it must have no pages left. */
  objDestroy(vp: bigint): void {
    if (this.pages.npages(vp) !== 0) {
      this.k.panic(
        `uvm_obj_destroy: vnode ${this.k.describeAddress(vp)} still has ${this.pages.npages(vp)} pages`,
      );
    }
    const lock = this.objlock(vp);
    if (lock !== 0n) {
      // rw_obj_free: a lock shared with another object (tmpfs's aobj) outlives this vnode.
      rwObjFree(this.k, lock);
      this.k.mem.write64(vp + this.oObjlock, 0n);
    }
  }

  /** uvn_put: VOP_PUTPAGES with the object locked (it comes back unlocked). */
  put(vp: bigint, offlo: bigint, offhi: bigint, flags: number): number {
    return this.call.int('VOP_PUTPAGES', vp, offlo, offhi, flags);
  }

  /** uvm_vnp_setsize: v_size = v_writesize = newsize; pages past round_page(newsize) are freed. */
  setsize(vp: bigint, newsize: bigint): void {
    if (newsize < 0n)
      this.k.panic(
        `kernel diagnostic assertion "newsize != VSIZENOTSET && newsize >= 0" failed: uvm_vnp_setsize(${newsize})`,
      );
    this.setsizeK(kvaOf(vp), Number(newsize));
  }

  /** uvm_vnp_setsize on a Kva and a Number size (below 2^53): no BigInt per call. */
  setsizeK(vp: Kva, newsize: number): void {
    this.lockK(vp);
    if (newsize < 0)
      this.k.panic(
        `kernel diagnostic assertion "newsize != VSIZENOTSET && newsize >= 0" failed: uvm_vnp_setsize(${newsize})`,
      );
    const size = this.sizeK(vp);
    const oldsize = this.writesizeK(vp);
    if (size > oldsize)
      this.k.panic(
        `kernel diagnostic assertion "vp->v_size <= vp->v_writesize" failed: ${size} > ${oldsize}`,
      );
    const pgend = Math.ceil(newsize / 4096) * 4096;
    if (oldsize !== -1 && oldsize > pgend) {
      const error = this.call.int('VOP_PUTPAGES', vp, pgend, 0, pgo.PGO_FREE | pgo.PGO_SYNCIO);
      if (error)
        this.k.panic(`uvm_vnp_setsize: freeing pages past ${pgend} failed with error ${error}`);
      this.lockK(vp);
    }
    this.storeI64(vp + Number(this.oSize), newsize);
    this.storeI64(vp + Number(this.oWritesize), newsize);
    this.unlockK(vp);
  }

  /** uvm_vnp_setwritesize: the size the file is being extended to (bounds PGO_PASTEOF). */
  setwritesize(vp: bigint, newsize: bigint): void {
    this.setwritesizeK(kvaOf(vp), Number(newsize));
  }

  setwritesizeK(vp: Kva, newsize: number): void {
    this.lockK(vp);
    const size = this.sizeK(vp);
    const ws = this.writesizeK(vp);
    if (newsize < 0 || size === -1 || ws === -1 || size > ws || size > newsize) {
      this.k.panic(
        `uvm_vnp_setwritesize(${this.k.describeAddress(kvaBig(vp))}, ${newsize}): needs v_size (${size}) <= v_writesize (${ws}) and v_size <= newsize, both set`,
      );
    }
    this.storeI64(vp + Number(this.oWritesize), newsize);
    this.unlockK(vp);
  }

  private storeI64(at: Kva, v: number): void {
    this.k.mem.store64(at, -1, v | 0, Math.floor(v / 4294967296) | 0);
  }

  register(): void {
    const t = this.k.ksyms;
    const P = this.k.S.uvm_pagerops;
    const m = this.k.mem;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    const ops = this.k.kmem.alloc(P.$size, 1, true, 'uvm_vnodeops');
    this.vnodeops = t.dataAt('uvm_vnodeops', 'uvm', ops, P.$size);
    const uvnGet = t.function('uvn_get', 'uvm', (c) =>
      this.call.int(
        'VOP_GETPAGES',
        c.arg(0),
        c.arg(1),
        c.arg(2),
        c.arg(3),
        i32(c.arg(4)),
        i32(c.arg(5)),
        i32(c.arg(6)),
        i32(c.arg(7)),
      ),
    );
    const uvnPut = t.function('uvn_put', 'uvm', (c) =>
      this.put(c.arg(0), c.arg(1), c.arg(2), i32(c.arg(3))),
    );
    const uvnMarkdirty = t.function('uvn_markdirty', 'uvm', (c) => this.markdirty(c.arg(0)));
    m.write64(ops + BigInt(P.pgo_get.offset), uvnGet);
    m.write64(ops + BigInt(P.pgo_put.offset), uvnPut);
    m.write64(ops + BigInt(P.pgo_markdirty.offset), uvnMarkdirty);
    t.function('uvm_vnp_setsize', 'uvm', (c) => {
      const hi = argHi(c, 1);
      // Sizes past 2^53 (or negative) take the BigInt path, which names them exactly.
      if (hi < 0 || hi >= 0x200000) this.setsize(c.arg(0), BigInt.asIntN(64, c.arg(1)));
      else this.setsizeK(argKva(c, 0), hi * 4294967296 + (argLo(c, 1) >>> 0));
    });
    t.function('uvm_vnp_setwritesize', 'uvm', (c) => {
      const hi = argHi(c, 1);
      if (hi < 0 || hi >= 0x200000) this.setwritesize(c.arg(0), BigInt.asIntN(64, c.arg(1)));
      else this.setwritesizeK(argKva(c, 0), hi * 4294967296 + (argLo(c, 1) >>> 0));
    });
  }

  /** uvn_markdirty: a page of the vnode became dirty, so the syncer must visit it. */
  markdirty(vp: bigint): void {
    this.markdirtyK(kvaOf(vp));
  }
  markdirtyK(vp: Kva): void {
    this.pages.assertLockedK(vp, 'uvn_markdirty');
    this.onDirty(vp);
  }

  /** Set by registerIo: the buffer cache's syncer-list helper. */
  onDirty: (vp: Kva) => void = () => {};
}
