/**
 * Physical pages of the page cache (uvm/uvm_page.c, uvm_page_status.c): one guest
 * `struct vm_page` per resident 4 KiB page of an object, with its data in a separate
 * page-aligned frame whose address is kept in `phys_addr` (kernel-only; modules never read it).
 * Modules read and write `flags` (PG_RDONLY, PG_RELEASED ...) and hand `struct vm_page *`
 * arrays back to uvm_*, so the guest copy of `flags` is the truth. Each object's pages are
 * indexed by page number on the TypeScript side; `uo_npages` and the vnode's VI_PAGES follow it.
 * Every page operation requires the owning object's lock held for writing, as NetBSD asserts.
 */
import { locks, vnode as V_ } from '../abi/netbsd-10.99/constants.js';
import { type IoKernel, r32, r64, w32 } from '../dev/io.js';
import { PAGE_SIZE } from './uvm_km.js';

/** vm_page flags (uvm/uvm_page.h). */
export const pg = {
  PG_CLEAN: 0x1,
  PG_DIRTY: 0x2,
  PG_BUSY: 0x4,
  PG_PAGEOUT: 0x10,
  PG_RELEASED: 0x20,
  PG_FAKE: 0x40,
  PG_RDONLY: 0x80,
  PG_TABLED: 0x200,
  PG_AOBJ: 0x400,
  PG_ANON: 0x800,
  PG_FILE: 0x1000,
  PG_READAHEAD: 0x2000,
  PG_FREE: 0x4000,
  PG_MARKER: 0x8000,
  PQ_WANTED: 0x1000,
} as const;

/** uvm_pagegetdirty() results. */
export const UVM_PAGE_STATUS_UNKNOWN = 0;
export const UVM_PAGE_STATUS_CLEAN = 1;
export const UVM_PAGE_STATUS_DIRTY = 2;

/** PGO_DONTCARE: a `struct vm_page *` slot the pager must leave alone ((struct vm_page *)-1). */
export const PGO_DONTCARE = 0xffffffffffffffffn;

export const PAGE_SHIFT = 12;
/** Page frames taken from kmem at a time. */
const FRAME_RUN = 16;

export interface UvmPageStats {
  /** Pages resident now. */
  resident: number;
  allocated: number;
  freed: number;
  /** Clean pages freed to stay under maxResident. */
  reclaimed: number;
}

export class UvmPages {
  private readonly objects = new Map<bigint, Map<number, bigint>>();
  /**
   * Page numbers of each object's pages that are not known clean (NetBSD's UVM_PAGE_DIRTY_TAG
   * in the object's radix tree), kept by uvm_pagemarkdirty, so putpages finds them without a
   * scan and an object with none is skipped at once.
   */
  private readonly dirty = new Map<bigint, Set<number>>();
  readonly stats: UvmPageStats = { resident: 0, allocated: 0, freed: 0, reclaimed: 0 };
  /**
   * Resident pages beyond which allocating a page first reclaims clean, idle pages of objects
   * nobody has locked, least recently used first — what the page daemon does, done inline (a
   * rump kernel has no page daemon). Default: half of RUMP_MEMLIMIT.
   */
  maxResident: number;
  /** Every resident page, least recently used first (re-inserted on use). */
  private readonly lru = new Map<bigint, true>();
  /**
   * Page frames not in use. Frames come from kmem in runs of FRAME_RUN pages and are reused
   * LIFO (the physical page free list), so taking and giving back a page costs O(1).
   */
  private readonly freeFrames: bigint[] = [];
  /** pgo_markdirty of vnode objects (uvn_markdirty): set by uvm_vnode. */
  onObjectDirty: (uobj: bigint) => void = () => {};
  /** Called when an object loses its last page (VI_PAGES cleared). */
  onObjectEmpty: (uobj: bigint) => void = () => {};
  /** Tells whether an object is a vnode (its pages set VI_PAGES). */
  isVnodeObject: (uobj: bigint) => boolean = () => false;

  private readonly oFlags: bigint;
  private readonly oPqflags: bigint;
  private readonly oPhys: bigint;
  private readonly oUobject: bigint;
  private readonly oOffset: bigint;
  private readonly oInterlock: bigint;
  private readonly oNpages: bigint;
  private readonly oObjlock: bigint;
  private readonly oIflag: bigint;

  constructor(
    private readonly k: IoKernel,
    memlimit = 256 << 20,
  ) {
    this.maxResident = Math.max(64, Math.floor(memlimit / 2 / PAGE_SIZE));
    const P = k.S.vm_page;
    this.oFlags = BigInt(P.flags.offset);
    this.oPqflags = BigInt(P.pqflags.offset);
    this.oPhys = BigInt(P.phys_addr.offset);
    this.oUobject = BigInt(P.uobject.offset);
    this.oOffset = BigInt(P.offset.offset);
    this.oInterlock = BigInt(P.interlock.offset);
    this.oNpages = BigInt(k.S.uvm_object.uo_npages.offset);
    this.oObjlock = BigInt(k.S.uvm_object.vmobjlock.offset);
    this.oIflag = BigInt(k.S.vnode.v_iflag.offset);
  }

  flags(p: bigint): number {
    return r32(this.k.mem, p + this.oFlags);
  }
  setFlags(p: bigint, f: number): void {
    w32(this.k.mem, p + this.oFlags, f);
  }
  /** Guest address of the page's data. */
  frame(p: bigint): bigint {
    return r64(this.k.mem, p + this.oPhys);
  }
  offset(p: bigint): bigint {
    return r64(this.k.mem, p + this.oOffset);
  }
  uobject(p: bigint): bigint {
    return r64(this.k.mem, p + this.oUobject);
  }

  /** Asserts the object's lock is write-held by curlwp (uvm_page_owner_locked_p). */
  assertLocked(uobj: bigint, who: string): void {
    const lock = this.k.mem.read64(uobj + this.oObjlock);
    if (lock === 0n || !this.k.rwlocks.writeHeld(lock)) {
      this.k.panic(
        `kernel diagnostic assertion "rw_write_held(uobj->vmobjlock)" failed: ${who} on object ${this.k.describeAddress(uobj)}`,
      );
    }
  }

  /** uvm_pagelookup: the resident page at byte offset `off` of uobj, or 0n. */
  lookup(uobj: bigint, off: bigint): bigint {
    return this.objects.get(uobj)?.get(Number(off >> 12n)) ?? 0n;
  }

  /** Resident pages of uobj as [page index, vm_page], in offset order. */
  pagesOf(uobj: bigint): [number, bigint][] {
    const m = this.objects.get(uobj);
    if (!m) return [];
    return [...m.entries()].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Resident pages of uobj with page numbers in [lo, hi), in offset order, without sorting the
   * whole object when the range is small.
   */
  pagesIn(uobj: bigint, lo: number, hi: number): [number, bigint][] {
    const m = this.objects.get(uobj);
    if (!m) return [];
    const out: [number, bigint][] = [];
    if (hi - lo <= m.size * 4) {
      for (let i = lo; i < hi; i++) {
        const p = m.get(i);
        if (p !== undefined) out.push([i, p]);
      }
      return out;
    }
    for (const [i, p] of m) if (i >= lo && i < hi) out.push([i, p]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  npages(uobj: bigint): number {
    return this.objects.get(uobj)?.size ?? 0;
  }

  /** uvm_obj_clean_p: no page of the object is dirty or of unknown status. */
  objClean(uobj: bigint): boolean {
    return (this.dirty.get(uobj)?.size ?? 0) === 0;
  }

  /** Page numbers of the object's not-known-clean pages, ascending. */
  dirtyIndices(uobj: bigint): number[] {
    return [...(this.dirty.get(uobj) ?? [])].sort((a, b) => a - b);
  }

  private tagDirty(uobj: bigint, idx: number, dirty: boolean): void {
    let set = this.dirty.get(uobj);
    if (dirty) {
      if (!set) {
        set = new Set();
        this.dirty.set(uobj, set);
      }
      set.add(idx);
    } else if (set) {
      set.delete(idx);
      if (set.size === 0) this.dirty.delete(uobj);
    }
  }

  /**
   * uvm_pagealloc(uobj, off, NULL, 0) for the pager: a new busy page, PG_FAKE (not yet read)
   * and PG_CLEAN, entered in the object. The frame is left as it is (callers fill or zero it).
   */
  alloc(uobj: bigint, off: bigint): bigint {
    if (off % BigInt(PAGE_SIZE) !== 0n)
      this.k.panic(`uvm_pagealloc: offset 0x${off.toString(16)} is not page-aligned`);
    const idx = Number(off >> 12n);
    let m = this.objects.get(uobj);
    if (!m) {
      m = new Map();
      this.objects.set(uobj, m);
    }
    if (this.stats.resident >= this.maxResident)
      this.reclaim(this.maxResident - Math.max(1, this.maxResident >> 4));
    if (m.has(idx))
      this.k.panic(
        `uvm_pagealloc: object ${this.k.describeAddress(uobj)} already has a page at 0x${off.toString(16)}`,
      );
    const mem = this.k.mem;
    const p = this.k.kmem.alloc(this.k.S.vm_page.$size, 1, true, 'vm_page');
    const frame = this.takeFrame();
    mem.write64(p + this.oPhys, frame);
    mem.write64(p + this.oUobject, uobj);
    mem.write64(p + this.oOffset, off);
    this.k.mutexes.init(p + this.oInterlock, locks.MUTEX_DEFAULT, 0);
    this.setFlags(p, pg.PG_BUSY | pg.PG_FAKE | pg.PG_CLEAN | pg.PG_TABLED | pg.PG_FILE);
    m.set(idx, p);
    this.lru.set(p, true);
    mem.write32(uobj + this.oNpages, m.size);
    if (m.size === 1 && this.isVnodeObject(uobj)) {
      mem.write32(uobj + this.oIflag, mem.read32(uobj + this.oIflag) | V_.VI_PAGES);
    }
    this.stats.resident++;
    this.stats.allocated++;
    return p;
  }

  private takeFrame(): bigint {
    const f = this.freeFrames.pop();
    if (f !== undefined) return f;
    const run = this.k.kmem.alloc(FRAME_RUN * PAGE_SIZE, 1, false, 'page frames');
    for (let i = FRAME_RUN - 1; i > 0; i--) this.freeFrames.push(run + BigInt(i * PAGE_SIZE));
    return run;
  }

  /** uvm_pagefree: take the page out of its object and give its memory back. */
  free(p: bigint): void {
    const uobj = this.uobject(p);
    const mem = this.k.mem;
    if (uobj !== 0n) {
      const m = this.objects.get(uobj);
      const idx = Number(this.offset(p) >> 12n);
      if (m?.get(idx) !== p)
        this.k.panic(`uvm_pagefree: page ${this.k.describeAddress(p)} is not in its object`);
      m.delete(idx);
      this.tagDirty(uobj, idx, false);
      mem.write32(uobj + this.oNpages, m.size);
      if (m.size === 0) {
        this.objects.delete(uobj);
        if (this.isVnodeObject(uobj)) {
          mem.write32(uobj + this.oIflag, mem.read32(uobj + this.oIflag) & ~V_.VI_PAGES);
          this.onObjectEmpty(uobj);
        }
      }
    }
    this.k.mutexes.destroy(p + this.oInterlock);
    this.freeFrames.push(this.frame(p));
    this.k.kmem.free(p, this.k.S.vm_page.$size, 'vm_page');
    this.lru.delete(p);
    this.stats.resident--;
    this.stats.freed++;
  }

  /** The page was used: it becomes the most recently used. */
  touch(p: bigint): void {
    if (this.lru.delete(p)) this.lru.set(p, true);
  }

  /**
   * Frees least recently used pages until at most `target` are resident: only clean, idle pages
   * (no PG_BUSY, PG_FAKE, dirty or unknown status), which need no write-back. Returns pages freed.
   */
  reclaim(target: number): number {
    let freed = 0;
    for (const p of this.lru.keys()) {
      if (this.stats.resident <= target) break;
      const f = this.flags(p);
      if (f & (pg.PG_BUSY | pg.PG_FAKE) || (f & (pg.PG_CLEAN | pg.PG_DIRTY)) !== pg.PG_CLEAN)
        continue;
      if (this.uobject(p) === 0n) continue;
      // NetBSD's page daemon skips objects it cannot lock. With one lwp a held object lock can
      // only be ours, and every page our callers still use is busy: idle clean pages of a locked
      // object are as free to go as any, which lets one large read stream through a small cache.
      this.free(p);
      freed++;
    }
    this.stats.reclaimed += freed;
    return freed;
  }

  /** uvm_pagegetdirty: CLEAN, DIRTY or UNKNOWN (neither bit). */
  getdirty(p: bigint): number {
    return this.flags(p) & (pg.PG_CLEAN | pg.PG_DIRTY);
  }

  /** uvm_pagemarkdirty: set the dirtiness; the object learns when a clean page gets dirty. */
  markdirty(p: bigint, status: number): void {
    const uobj = this.uobject(p);
    if (uobj !== 0n) this.assertLocked(uobj, 'uvm_pagemarkdirty');
    const old = this.getdirty(p);
    if (old === status) return;
    if (uobj !== 0n) {
      this.tagDirty(uobj, Number(this.offset(p) >> 12n), status !== UVM_PAGE_STATUS_CLEAN);
      if (status !== UVM_PAGE_STATUS_CLEAN && old === UVM_PAGE_STATUS_CLEAN)
        this.onObjectDirty(uobj);
    }
    this.setFlags(p, (this.flags(p) & ~(pg.PG_CLEAN | pg.PG_DIRTY)) | status);
  }

  /** uvm_page_unbusy: release busy pages; PG_RELEASED ones are freed. Skips NULL and PGO_DONTCARE. */
  unbusy(pgs: readonly bigint[]): void {
    for (const p of pgs) {
      if (p === 0n || p === PGO_DONTCARE) continue;
      const uobj = this.uobject(p);
      if (uobj !== 0n) this.assertLocked(uobj, 'uvm_page_unbusy');
      let f = this.flags(p);
      if (!(f & pg.PG_BUSY))
        this.k.panic(
          `kernel diagnostic assertion "pg->flags & PG_BUSY" failed: uvm_page_unbusy ${this.k.describeAddress(p)}`,
        );
      if (f & pg.PG_PAGEOUT) {
        f = (f & ~pg.PG_PAGEOUT) | pg.PG_RELEASED;
        this.setFlags(p, f);
      }
      if (f & pg.PG_RELEASED) {
        this.setFlags(p, f & ~pg.PG_RELEASED);
        this.free(p);
        continue;
      }
      if (f & pg.PG_FAKE)
        this.k.panic(
          `kernel diagnostic assertion "(pg->flags & PG_FAKE) == 0" failed: uvm_page_unbusy ${this.k.describeAddress(p)}`,
        );
      this.setFlags(p, f & ~pg.PG_BUSY);
      const pq = this.k.mem.read32(p + this.oPqflags);
      if (pq & pg.PQ_WANTED) this.k.mem.write32(p + this.oPqflags, pq & ~pg.PQ_WANTED);
    }
  }

  /** uvm_pagezero: zero the frame; the page becomes dirty (its old contents are gone). */
  zero(p: bigint): void {
    this.k.mem.fill(this.frame(p), PAGE_SIZE, 0);
    this.setFlags(p, this.flags(p) & ~pg.PG_CLEAN);
    const uobj = this.uobject(p);
    if (uobj !== 0n) this.tagDirty(uobj, Number(this.offset(p) >> 12n), true);
  }

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    t.function('uvm_page_unbusy', 'uvm', (c) => {
      const [pgs, n] = [c.arg(0), i32(c.arg(1))];
      const list: bigint[] = [];
      for (let i = 0; i < n; i++) list.push(m.read64(pgs + BigInt(8 * i)));
      this.unbusy(list);
    });
    t.function('uvm_pagemarkdirty', 'uvm', (c) => this.markdirty(c.arg(0), i32(c.arg(1))));
    t.function('uvm_pagegetdirty', 'uvm', (c) => this.getdirty(c.arg(0)));
    t.function('uvm_pagelookup', 'uvm', (c) => this.lookup(c.arg(0), c.arg(1)));
    t.function('uvm_pagefree', 'uvm', (c) => {
      const p = c.arg(0);
      const uobj = this.uobject(p);
      if (uobj !== 0n) this.assertLocked(uobj, 'uvm_pagefree');
      this.free(p);
    });
    t.function('uvm_pagezero', 'uvm', (c) => this.zero(c.arg(0)));
    t.function('uvm_pagelock', 'uvm', (c) =>
      this.k.mutexes.enter(c.arg(0) + this.oInterlock, 'uvm_pagelock'),
    );
    t.function('uvm_pageunlock', 'uvm', (c) => this.k.mutexes.exit(c.arg(0) + this.oInterlock));
    // Page queues (active/inactive LRU) exist for the page daemon; a rump kernel has none, so
    // these only check that the caller holds the page's interlock, as NetBSD asserts.
    for (const name of [
      'uvm_pageactivate',
      'uvm_pagedeactivate',
      'uvm_pageenqueue',
      'uvm_pagedequeue',
    ]) {
      t.function(name, 'uvm', (c) => {
        if (!this.k.mutexes.owned(c.arg(0) + this.oInterlock)) {
          this.k.panic(`kernel diagnostic assertion "mutex_owned(&pg->interlock)" failed: ${name}`);
        }
      });
    }
    t.function('uvm_pagewakeup', 'uvm', (c) => {
      const a = c.arg(0) + this.oPqflags;
      m.write32(a, m.read32(a) & ~pg.PQ_WANTED);
    });
  }
}
