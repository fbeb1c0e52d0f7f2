/**
 * uvm/uvm_aobj.c: anonymous memory objects (`uao_create`), which tmpfs keeps regular files in.
 * An aobj is a guest `struct uvm_object` (vmobjlock, pgops, uo_npages, uo_refs) whose pages live
 * in the kernel's page pool (`kernel.io.pages`) and nowhere else: a rump kernel has no swap, so a
 * page is created zero-filled on first use, is never clean (the pool's reclaim never drops it)
 * and goes away only with uao_put(PGO_FREE) or the last uao_detach.
 * Also uvm_obj_setlock (objects sharing one reference-counted lock), uvm_availmem and the
 * `uvmexp` statistics tmpfs sizes itself by.
 */
import { rwObjAlloc, rwObjFree } from '../kern/kern_rwlock_obj.js';
import type { Kernel } from '../kernel.js';
import { PGO_DONTCARE, pg, UVM_PAGE_STATUS_DIRTY } from './uvm_page.js';
import { pgo } from './uvm_vnode.js';

const PAGE = 4096n;
/** struct uvmexp (uvm/uvm_extern.h): size and the members modules read. */
export const UVMEXP = {
  size: 316,
  pagesize: 0,
  pagemask: 4,
  pageshift: 8,
  npages: 12,
  wired: 24,
  filepages: 52,
  freetarg: 64,
  swpgavail: 80,
  swpgonly: 88,
} as const;

export class UvmAobj {
  /** uao_pagerops: the pgops of every aobj. */
  readonly pagerops: bigint;
  private readonly live = new Set<bigint>();
  private readonly o: { lock: bigint; pgops: bigint; refs: bigint };

  constructor(private readonly k: Kernel) {
    const U = k.S.uvm_object;
    this.o = {
      lock: BigInt(U.vmobjlock.offset),
      pgops: BigInt(U.pgops.offset),
      refs: BigInt(U.uo_refs.offset),
    };
    const P = k.S.uvm_pagerops;
    this.pagerops = k.kdata.allocate(P.$size, 8);
    const slot = (field: keyof typeof P, name: string) =>
      k.mem.write64(
        this.pagerops + BigInt((P[field] as { offset: number }).offset),
        k.ksyms.resolve(name)!,
      );
    this.registerPager();
    slot('pgo_reference', 'uao_reference');
    slot('pgo_detach', 'uao_detach');
    slot('pgo_get', 'uao_get');
    slot('pgo_put', 'uao_put');
  }

  private lockOf(uobj: bigint): bigint {
    return this.k.mem.read64(uobj + this.o.lock);
  }
  private assertAobj(uobj: bigint, who: string): void {
    if (!this.live.has(uobj))
      this.k.panic(`${who}: ${this.k.describeAddress(uobj)} is not an anonymous object`);
  }

  /** uao_create(size, flags): a new object with one reference and its own lock. */
  create(): bigint {
    const k = this.k;
    const uobj = k.kmem.alloc(k.S.uvm_object.$size, 1, true, 'uao_create');
    k.mem.write64(uobj + this.o.lock, rwObjAlloc(k));
    k.mem.write64(uobj + this.o.pgops, this.pagerops);
    k.mem.write32(uobj + this.o.refs, 1);
    this.live.add(uobj);
    return uobj;
  }

  reference(uobj: bigint): void {
    this.assertAobj(uobj, 'uao_reference');
    this.k.mem.write32(uobj + this.o.refs, this.k.mem.read32(uobj + this.o.refs) + 1);
  }

  /** uao_detach: drop a reference; the last frees every page, the lock and the object. */
  detach(uobj: bigint): void {
    this.assertAobj(uobj, 'uao_detach');
    const k = this.k;
    const refs = k.mem.read32(uobj + this.o.refs);
    if (refs > 1) {
      k.mem.write32(uobj + this.o.refs, refs - 1);
      return;
    }
    const pages = k.io.pages;
    for (const [, p] of pages.pagesOf(uobj)) {
      if (pages.flags(p) & pg.PG_BUSY)
        k.panic(`uao_detach: page ${k.describeAddress(p)} is busy and no other lwp can release it`);
      pages.free(p);
    }
    rwObjFree(k, this.lockOf(uobj));
    this.live.delete(uobj);
    k.kmem.free(uobj, k.S.uvm_object.$size, 'uao_create');
  }

  /**
   * uao_get(uobj, offset, pps, npagesp, centeridx, access_type, advice, flags), called with the
   * object locked. PGO_LOCKED: resident, unbusy pages only, left locked (EBUSY without the
   * center page). Otherwise (PGO_SYNCIO): every page, busy, zero-filled when new (not with
   * PGO_OVERWRITE, whose caller fills it); the object comes back unlocked.
   */
  get(
    uobj: bigint,
    offset: bigint,
    pps: bigint,
    npagesp: bigint,
    centeridx: number,
    flags: number,
  ): number {
    const k = this.k;
    const m = k.mem;
    const pages = k.io.pages;
    const npages = m.read32(npagesp);
    if (flags & pgo.PGO_LOCKED) {
      let center = false;
      for (let i = 0; i < npages; i++) {
        const slot = pps + BigInt(8 * i);
        if (m.read64(slot) === PGO_DONTCARE) continue;
        const p = pages.lookup(uobj, offset + BigInt(i) * PAGE);
        if (p === 0n || pages.flags(p) & pg.PG_BUSY) continue;
        m.write64(slot, p);
        if (i === centeridx) center = true;
      }
      return center ? 0 : 16; /* EBUSY */
    }
    if (flags & pgo.PGO_SYNCIO) {
      const overwrite = (flags & pgo.PGO_OVERWRITE) !== 0;
      for (let i = 0; i < npages; i++) {
        const slot = pps + BigInt(8 * i);
        if (m.read64(slot) === PGO_DONTCARE) continue;
        const off = offset + BigInt(i) * PAGE;
        let p = pages.lookup(uobj, off);
        if (p !== 0n) {
          if (pages.flags(p) & pg.PG_BUSY)
            k.panic(
              `deadlock: uao_get: page ${k.describeAddress(p)} is busy and no other lwp can release it`,
            );
          pages.setFlags(p, pages.flags(p) | pg.PG_BUSY);
          if (overwrite) pages.markdirty(p, UVM_PAGE_STATUS_DIRTY);
        } else {
          p = pages.alloc(uobj, off);
          // Never clean (there is no backing store): status UNKNOWN first, so that marking it
          // dirty does not tell the pool an object went from clean to dirty (a vnode's event).
          pages.setFlags(p, pages.flags(p) & ~(pg.PG_FAKE | pg.PG_CLEAN));
          if (overwrite) pages.markdirty(p, UVM_PAGE_STATUS_DIRTY);
          else pages.zero(p); // a new anonymous page holds zeros
        }
        m.write64(slot, p);
      }
    }
    k.rwlocks.exit(this.lockOf(uobj));
    return 0;
  }

  /** uao_put(uobj, start, stop, flags), called locked: PGO_FREE frees the range; returns unlocked. */
  put(uobj: bigint, start: bigint, stop: bigint, flags: number): number {
    const k = this.k;
    const pages = k.io.pages;
    if (flags & pgo.PGO_FREE) {
      const all = (flags & pgo.PGO_ALLPAGES) !== 0 || stop === 0n;
      const lo = all ? 0n : start & ~(PAGE - 1n);
      const hi = all ? 1n << 62n : (stop + PAGE - 1n) & ~(PAGE - 1n);
      for (const [, p] of pages.pagesOf(uobj)) {
        const off = pages.offset(p);
        if (off < lo || off >= hi) continue;
        if (pages.flags(p) & pg.PG_BUSY)
          k.panic(
            `deadlock: uao_put: page ${k.describeAddress(p)} is busy and no other lwp can release it`,
          );
        pages.free(p);
      }
    }
    k.rwlocks.exit(this.lockOf(uobj));
    return 0;
  }

  private registerPager(): void {
    const t = this.k.ksyms;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    t.function('uao_create', 'uvm', () => this.create());
    t.function('uao_reference', 'uvm', (c) => this.reference(c.arg(0)));
    t.function('uao_detach', 'uvm', (c) => this.detach(c.arg(0)));
    t.function('uao_get', 'uvm', (c) => {
      this.assertAobj(c.arg(0), 'uao_get');
      return this.get(c.arg(0), c.arg(1), c.arg(2), c.arg(3), i32(c.arg(4)), i32(c.arg(7)));
    });
    t.function('uao_put', 'uvm', (c) => {
      this.assertAobj(c.arg(0), 'uao_put');
      return this.put(c.arg(0), c.arg(1), c.arg(2), i32(c.arg(3)));
    });
  }
}

export function registerAobj(k: Kernel): UvmAobj {
  const a = new UvmAobj(k);
  const t = k.ksyms;
  const oLock = BigInt(k.S.uvm_object.vmobjlock.offset);
  // uvm_obj_setlock(uobj, lockptr): the object takes `lockptr` (a new lock when NULL) and drops
  // its reference to the old one. The caller holds a reference to lockptr for it (rw_obj_hold).
  t.function('uvm_obj_setlock', 'uvm', (c) => {
    const uobj = c.arg(0);
    let lock = c.arg(1);
    const old = k.mem.read64(uobj + oLock);
    if (lock === 0n) lock = rwObjAlloc(k);
    k.mem.write64(uobj + oLock, lock);
    if (old !== 0n) {
      if (k.rwlocks.writeHeld(old) || k.rwlocks.readHeld(old))
        k.panic('uvm_obj_setlock: the old lock is held');
      rwObjFree(k, old);
    }
  });
  // uvm_availmem(cached): free pages, here what RUMP_MEMLIMIT still allows.
  const avail = () => {
    const s = k.arena.stats();
    return BigInt(Math.max(0, Math.floor((s.limit - s.inUse) / 4096)));
  };
  t.function('uvm_availmem', 'uvm', () => avail());
  const u = t.dataAt('uvmexp', 'uvm', k.kdata.allocate(UVMEXP.size, 8), UVMEXP.size);
  const m = k.mem;
  m.write32(u + BigInt(UVMEXP.pagesize), 4096);
  m.write32(u + BigInt(UVMEXP.pagemask), 4095);
  m.write32(u + BigInt(UVMEXP.pageshift), 12);
  const limit = k.arena.stats().limit;
  // npages is an int: the memory limit in pages, clamped.
  m.write32(
    u + BigInt(UVMEXP.npages),
    Number.isFinite(limit) ? Math.min(0x7fffffff, Math.floor(limit / 4096)) : 0x7fffffff,
  );
  return a;
}
