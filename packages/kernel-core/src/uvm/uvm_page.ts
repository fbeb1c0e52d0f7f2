/**
 * Physical pages of the page cache (uvm/uvm_page.c, uvm_page_status.c): one guest
 * `struct vm_page` per resident 4 KiB page of an object, with its data in a separate
 * page-aligned frame whose address is kept in `phys_addr` (kernel-only; modules never read it).
 * Modules read and write `flags` (PG_RDONLY, PG_RELEASED ...) and hand `struct vm_page *`
 * arrays back to uvm_*, so the guest copy of `flags` is the truth. Each object's pages are
 * indexed by page number on the TypeScript side; `uo_npages` and the vnode's VI_PAGES follow it.
 * Every page operation requires the owning object's lock held for writing, as NetBSD asserts.
 *
 * Pages, objects and frames are kernel-window addresses, held internally as Kva numbers (no
 * BigInt on the page-cache paths); the `...K` methods take and return Kvas, the others are the
 * same operations on BigInt addresses for callers at API edges.
 */
import { locks, vnode as V_ } from '../abi/netbsd-10.99/constants.js';
import type { IoKernel } from '../dev/io.js';
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
  /** uobj → page number → vm_page. */
  private readonly objects = new Map<Kva, Map<number, Kva>>();
  /**
   * Page numbers of each object's pages that are not known clean (NetBSD's UVM_PAGE_DIRTY_TAG
   * in the object's radix tree), kept by uvm_pagemarkdirty, so putpages finds them without a
   * scan and an object with none is skipped at once.
   */
  private readonly dirty = new Map<Kva, Set<number>>();
  readonly stats: UvmPageStats = { resident: 0, allocated: 0, freed: 0, reclaimed: 0 };
  /**
   * Resident pages beyond which allocating a page first reclaims clean, idle pages of objects
   * nobody has locked, least recently used first — what the page daemon does, done inline (a
   * rump kernel has no page daemon). Default: half of RUMP_MEMLIMIT.
   */
  maxResident: number;
  /**
   * Every resident page in the order of the clock hand (oldest first). A use does not move the
   * page: it sets the page's referenced mark, and the reclaim gives a marked page a second
   * chance (clears the mark, moves it to the end) before it frees unmarked ones — the clock
   * algorithm of NetBSD's page daemon, instead of a reordering per page per read.
   */
  private readonly lru = new Map<Kva, true>();
  /**
   * Free pages (uvm's free page list): a vm_page and its frame stay together for good, as a
   * physical page and its vm_page do in NetBSD (the interlock initialised once, as uvm_page_init
   * does at boot). New ones come with frames from kmem in runs of FRAME_RUN adjacent pages. The
   * list is first in, first out, so pages freed in ascending order (a file's, by putpages or
   * the reclaim of a sequential read) come back in ascending order with adjacent frames, and
   * one copy or one transfer moves a run of them.
   */
  private freePages: Kva[] = [];
  private freeHead = 0;
  private readonly newFrames: Kva[] = [];
  /** Whether the arena was asked to grow for a full page cache (at the first frame allocation). */
  private reserved = false;
  /** pgo_markdirty of vnode objects (uvn_markdirty): set by uvm_vnode. */
  onObjectDirty: (uobj: Kva) => void = () => {};
  /** Called when an object loses its last page (VI_PAGES cleared). */
  onObjectEmpty: (uobj: bigint) => void = () => {};
  /** Tells whether an object is a vnode (its pages set VI_PAGES). */
  isVnodeObject: (uobj: bigint) => boolean = () => false;

  private readonly oFlags: number;
  private readonly oPqflags: number;
  private readonly oPhys: number;
  private readonly oUobject: number;
  private readonly oOffset: number;
  private readonly oInterlock: number;
  private readonly oNpages: number;
  private readonly oObjlock: number;
  private readonly oIflag: number;
  /**
   * The referenced mark: the first word of the page's queue linkage (pageq), which only the
   * page daemon's queues use and a rump kernel has none of; modules never read it.
   */
  private readonly oRef: number;

  constructor(
    private readonly k: IoKernel,
    memlimit = 256 << 20,
  ) {
    this.maxResident = Math.max(64, Math.floor(memlimit / 2 / PAGE_SIZE));
    const P = k.S.vm_page;
    this.oFlags = P.flags.offset;
    this.oPqflags = P.pqflags.offset;
    this.oPhys = P.phys_addr.offset;
    this.oUobject = P.uobject.offset;
    this.oOffset = P.offset.offset;
    this.oInterlock = P.interlock.offset;
    this.oNpages = k.S.uvm_object.uo_npages.offset;
    this.oObjlock = k.S.uvm_object.vmobjlock.offset;
    this.oIflag = k.S.vnode.v_iflag.offset;
    this.oRef = P.pageq.offset;
  }

  // ------------------------------------------------------------------ fields, by Kva

  flagsK(p: Kva): number {
    return loadU32(this.k.mem, p + this.oFlags);
  }
  setFlagsK(p: Kva, f: number): void {
    storeU32(this.k.mem, p + this.oFlags, f);
  }
  /** Kva of the page's data. */
  frameK(p: Kva): Kva {
    return loadKva(this.k.mem, p + this.oPhys);
  }
  /** Byte offset of the page in its object. */
  offsetK(p: Kva): number {
    return loadU64(this.k.mem, p + this.oOffset);
  }
  uobjectK(p: Kva): Kva {
    return loadKva(this.k.mem, p + this.oUobject);
  }

  // ------------------------------------------------------------------ fields, by BigInt address

  flags(p: bigint): number {
    return this.flagsK(kvaOf(p));
  }
  setFlags(p: bigint, f: number): void {
    this.setFlagsK(kvaOf(p), f);
  }
  /** Guest address of the page's data. */
  frame(p: bigint): bigint {
    return kvaBig(this.frameK(kvaOf(p)));
  }
  offset(p: bigint): bigint {
    return BigInt(this.offsetK(kvaOf(p)));
  }
  uobject(p: bigint): bigint {
    return kvaBig(this.uobjectK(kvaOf(p)));
  }

  /** Asserts the object's lock is write-held by curlwp (uvm_page_owner_locked_p). */
  assertLocked(uobj: bigint, who: string): void {
    this.assertLockedK(kvaOf(uobj), who);
  }
  assertLockedK(uobj: Kva, who: string): void {
    const lock = loadKva(this.k.mem, uobj + this.oObjlock);
    if (lock === 0 || Number.isNaN(lock) || !this.k.rwlocks.writeHeldK(lock)) {
      this.k.panic(
        `kernel diagnostic assertion "rw_write_held(uobj->vmobjlock)" failed: ${who} on object ${this.k.describeAddress(kvaBig(uobj))}`,
      );
    }
  }

  /** uvm_pagelookup: the resident page at byte offset `off` of uobj, or 0n. */
  lookup(uobj: bigint, off: bigint): bigint {
    return kvaBig(this.lookupK(kvaOf(uobj), Number(off >> 12n)));
  }
  /** uvm_pagelookup by page number: the resident page, or 0. */
  lookupK(uobj: Kva, idx: number): Kva {
    return this.objects.get(uobj)?.get(idx) ?? 0;
  }

  /**
   * The object's resident pages by page number (read-only: for lookups of a whole range with
   * one map lookup for the object), or undefined when it has none.
   */
  residentK(uobj: Kva): ReadonlyMap<number, Kva> | undefined {
    return this.objects.get(uobj);
  }

  /** Resident pages of uobj as [page index, vm_page], in offset order. */
  pagesOf(uobj: bigint): [number, bigint][] {
    const m = this.objects.get(kvaOf(uobj));
    if (!m) return [];
    return [...m.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([i, p]): [number, bigint] => [i, kvaBig(p)]);
  }

  /**
   * Page numbers of the resident pages of uobj in [lo, hi), ascending, without sorting the
   * whole object when the range is small.
   */
  indicesIn(uobj: bigint, lo: number, hi: number): number[] {
    const m = this.objects.get(kvaOf(uobj));
    if (!m) return [];
    const out: number[] = [];
    if (hi - lo <= m.size * 4) {
      for (let i = lo; i < hi; i++) if (m.has(i)) out.push(i);
      return out;
    }
    for (const i of m.keys()) if (i >= lo && i < hi) out.push(i);
    return out.sort((a, b) => a - b);
  }

  /** Resident pages of uobj with page numbers in [lo, hi), in offset order. */
  pagesIn(uobj: bigint, lo: number, hi: number): [number, bigint][] {
    const m = this.objects.get(kvaOf(uobj));
    return this.indicesIn(uobj, lo, hi).map((i): [number, bigint] => [i, kvaBig(m!.get(i)!)]);
  }

  npages(uobj: bigint): number {
    return this.objects.get(kvaOf(uobj))?.size ?? 0;
  }

  /** uvm_obj_clean_p: no page of the object is dirty or of unknown status. */
  objClean(uobj: bigint): boolean {
    return (this.dirty.get(kvaOf(uobj))?.size ?? 0) === 0;
  }

  /** Page numbers of the object's not-known-clean pages, ascending. */
  dirtyIndices(uobj: bigint): number[] {
    return [...(this.dirty.get(kvaOf(uobj)) ?? [])].sort((a, b) => a - b);
  }

  private tagDirty(uobj: Kva, idx: number, dirty: boolean): void {
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
    return kvaBig(this.allocK(kvaOf(uobj), Number(off >> 12n)));
  }

  /** uvm_pagealloc at page number `idx` of uobj. */
  allocK(uobj: Kva, idx: number): Kva {
    // Reclaim first: it may free this object's last idle pages and so drop its map.
    if (this.stats.resident >= this.maxResident)
      this.reclaim(this.maxResident - Math.max(1, this.maxResident >> 4));
    let m = this.objects.get(uobj);
    if (!m) {
      m = new Map();
      this.objects.set(uobj, m);
    }
    if (m.has(idx))
      this.k.panic(
        `uvm_pagealloc: object ${this.k.describeAddress(kvaBig(uobj))} already has a page at 0x${(idx * PAGE_SIZE).toString(16)}`,
      );
    const mem = this.k.mem;
    const p = this.takePage();
    storeKva(mem, p + this.oUobject, uobj);
    storeU64(mem, p + this.oOffset, idx * PAGE_SIZE);
    this.setFlagsK(p, pg.PG_BUSY | pg.PG_FAKE | pg.PG_CLEAN | pg.PG_TABLED | pg.PG_FILE);
    m.set(idx, p);
    this.lru.set(p, true);
    storeU32(mem, uobj + this.oNpages, m.size);
    if (m.size === 1 && this.isVnodeObject(kvaBig(uobj))) {
      storeU32(mem, uobj + this.oIflag, loadU32(mem, uobj + this.oIflag) | V_.VI_PAGES);
    }
    this.stats.resident++;
    this.stats.allocated++;
    return p;
  }

  /**
   * A free vm_page, its fields cleared as uvm_pagealloc finds them (all but the frame address
   * and the interlock, which belong to the physical page).
   */
  private takePage(): Kva {
    const mem = this.k.mem;
    const size = this.k.S.vm_page.$size;
    if (this.freeHead < this.freePages.length) {
      const p = this.freePages[this.freeHead++]!;
      if (this.freeHead > 1024 && this.freeHead * 2 > this.freePages.length) {
        this.freePages = this.freePages.slice(this.freeHead);
        this.freeHead = 0;
      }
      const frame = this.frameK(p);
      const lock = mem.load64(p + this.oInterlock, -1);
      const lockHi = mem.hi;
      const o = p & 0x7fffffff;
      mem.u8.fill(0, o, o + size);
      storeKva(mem, p + this.oPhys, frame);
      mem.store64(p + this.oInterlock, -1, lock, lockHi);
      return p;
    }
    const p = kvaOf(this.k.kmem.alloc(size, 1, true, 'vm_page'));
    let frame = this.newFrames.pop();
    if (frame === undefined) {
      if (!this.reserved) {
        // The first frames: when the window must grow for them, it grows for a full page cache
        // (one copy of the window) rather than doubling, with a copy each time, as it fills.
        this.reserved = true;
        this.k.arena?.reserve(this.maxResident * PAGE_SIZE);
      }
      const run = kvaOf(this.k.kmem.alloc(FRAME_RUN * PAGE_SIZE, 1, false, 'page frames'));
      for (let i = FRAME_RUN - 1; i > 0; i--) this.newFrames.push(run + i * PAGE_SIZE);
      frame = run;
    }
    storeKva(mem, p + this.oPhys, frame);
    this.k.mutexes.init(kvaBig(p + this.oInterlock), locks.MUTEX_DEFAULT, 0);
    return p;
  }

  /** uvm_pagefree: take the page out of its object and give its memory back. */
  free(p: bigint): void {
    this.freeK(kvaOf(p));
  }
  freeK(p: Kva): void {
    const uobj = this.uobjectK(p);
    const mem = this.k.mem;
    if (uobj !== 0) {
      const m = this.objects.get(uobj);
      const idx = Math.floor(this.offsetK(p) / PAGE_SIZE);
      if (m?.get(idx) !== p)
        this.k.panic(
          `uvm_pagefree: page ${this.k.describeAddress(kvaBig(p))} is not in its object`,
        );
      m.delete(idx);
      this.tagDirty(uobj, idx, false);
      storeU32(mem, uobj + this.oNpages, m.size);
      if (m.size === 0) {
        this.objects.delete(uobj);
        const ub = kvaBig(uobj);
        if (this.isVnodeObject(ub)) {
          storeU32(mem, uobj + this.oIflag, loadU32(mem, uobj + this.oIflag) & ~V_.VI_PAGES);
          this.onObjectEmpty(ub);
        }
      }
    }
    if (this.k.mutexes.ownedAt((p + this.oInterlock) & 0x7fffffff))
      this.k.panic(`uvm_pagefree: page ${this.k.describeAddress(kvaBig(p))} is locked`);
    this.setFlagsK(p, pg.PG_FREE);
    storeKva(this.k.mem, p + this.oUobject, 0);
    this.freePages.push(p);
    this.lru.delete(p);
    this.stats.resident--;
    this.stats.freed++;
  }

  /** The page was used: it becomes the most recently used. */
  touch(p: bigint): void {
    this.touchK(kvaOf(p));
  }
  touchK(p: Kva): void {
    storeU32(this.k.mem, p + this.oRef, 1);
  }

  /**
   * Frees least recently used pages until at most `target` are resident: only clean, idle pages
   * (no PG_BUSY, PG_FAKE, dirty or unknown status), which need no write-back. Returns pages freed.
   */
  reclaim(target: number): number {
    let freed = 0;
    const m = this.k.mem;
    // Pages moved to the end come round again in this same walk (Map iteration visits entries
    // added during it), unmarked: the walk ends after at most two rounds.
    for (const p of this.lru.keys()) {
      if (this.stats.resident <= target) break;
      if (loadU32(m, p + this.oRef) !== 0) {
        storeU32(m, p + this.oRef, 0);
        this.lru.delete(p);
        this.lru.set(p, true);
        continue;
      }
      const f = this.flagsK(p);
      if (f & (pg.PG_BUSY | pg.PG_FAKE) || (f & (pg.PG_CLEAN | pg.PG_DIRTY)) !== pg.PG_CLEAN)
        continue;
      if (this.uobjectK(p) === 0) continue;
      // NetBSD's page daemon skips objects it cannot lock. With one lwp a held object lock can
      // only be ours, and every page our callers still use is busy: idle clean pages of a locked
      // object are as free to go as any, which lets one large read stream through a small cache.
      this.freeK(p);
      freed++;
    }
    this.stats.reclaimed += freed;
    return freed;
  }

  /** uvm_pagegetdirty: CLEAN, DIRTY or UNKNOWN (neither bit). */
  getdirty(p: bigint): number {
    return this.flagsK(kvaOf(p)) & (pg.PG_CLEAN | pg.PG_DIRTY);
  }
  getdirtyK(p: Kva): number {
    return this.flagsK(p) & (pg.PG_CLEAN | pg.PG_DIRTY);
  }

  /** uvm_pagemarkdirty: set the dirtiness; the object learns when a clean page gets dirty. */
  markdirty(p: bigint, status: number): void {
    this.markdirtyK(kvaOf(p), status);
  }
  markdirtyK(p: Kva, status: number, assertLock = true): void {
    const uobj = this.uobjectK(p);
    if (uobj !== 0 && assertLock) this.assertLockedK(uobj, 'uvm_pagemarkdirty');
    const f = this.flagsK(p);
    const old = f & (pg.PG_CLEAN | pg.PG_DIRTY);
    if (old === status) return;
    if (uobj !== 0) {
      this.tagDirty(
        uobj,
        Math.floor(this.offsetK(p) / PAGE_SIZE),
        status !== UVM_PAGE_STATUS_CLEAN,
      );
      if (status !== UVM_PAGE_STATUS_CLEAN && old === UVM_PAGE_STATUS_CLEAN)
        this.onObjectDirty(uobj);
    }
    this.setFlagsK(p, (f & ~(pg.PG_CLEAN | pg.PG_DIRTY)) | status);
  }

  /** uvm_page_unbusy: release busy pages; PG_RELEASED ones are freed. Skips NULL and PGO_DONTCARE. */
  unbusy(pgs: readonly bigint[]): void {
    for (const p of pgs) {
      if (p === 0n || p === PGO_DONTCARE) continue;
      this.unbusyOne(kvaOf(p), true);
    }
  }

  /**
   * uvm_page_unbusy of pgs[0..n) (Kvas; 0 and -1, PGO_DONTCARE, are skipped). All pages belong to
   * `uobj`, whose lock is checked once for the whole array.
   */
  unbusyK(uobj: Kva, pgs: ArrayLike<Kva>, n: number): void {
    if (uobj !== 0) this.assertLockedK(uobj, 'uvm_page_unbusy');
    for (let i = 0; i < n; i++) {
      const p = pgs[i]!;
      if (p === 0 || p === -1) continue;
      this.unbusyOne(p, false);
    }
  }

  private unbusyOne(p: Kva, checkLock: boolean): void {
    if (checkLock) {
      const uobj = this.uobjectK(p);
      if (uobj !== 0) this.assertLockedK(uobj, 'uvm_page_unbusy');
    }
    let f = this.flagsK(p);
    if (!(f & pg.PG_BUSY))
      this.k.panic(
        `kernel diagnostic assertion "pg->flags & PG_BUSY" failed: uvm_page_unbusy ${this.k.describeAddress(kvaBig(p))}`,
      );
    if (f & pg.PG_PAGEOUT) {
      f = (f & ~pg.PG_PAGEOUT) | pg.PG_RELEASED;
      this.setFlagsK(p, f);
    }
    if (f & pg.PG_RELEASED) {
      this.setFlagsK(p, f & ~pg.PG_RELEASED);
      this.freeK(p);
      return;
    }
    if (f & pg.PG_FAKE)
      this.k.panic(
        `kernel diagnostic assertion "(pg->flags & PG_FAKE) == 0" failed: uvm_page_unbusy ${this.k.describeAddress(kvaBig(p))}`,
      );
    this.setFlagsK(p, f & ~pg.PG_BUSY);
    const m = this.k.mem;
    const pq = loadU32(m, p + this.oPqflags);
    if (pq & pg.PQ_WANTED) storeU32(m, p + this.oPqflags, pq & ~pg.PQ_WANTED);
  }

  /** uvm_pagezero: zero the frame; the page becomes dirty (its old contents are gone). */
  zero(p: bigint): void {
    this.zeroK(kvaOf(p));
  }
  zeroK(p: Kva): void {
    const f = this.frameK(p) & 0x7fffffff;
    this.k.mem.u8.fill(0, f, f + PAGE_SIZE);
    this.setFlagsK(p, this.flagsK(p) & ~pg.PG_CLEAN);
    const uobj = this.uobjectK(p);
    if (uobj !== 0) this.tagDirty(uobj, Math.floor(this.offsetK(p) / PAGE_SIZE), true);
  }

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    t.function('uvm_page_unbusy', 'uvm', (c) => {
      const [pgs, n] = [kvaOf(c.arg(0)), i32(c.arg(1))];
      for (let i = 0; i < n; i++) {
        const lo = m.load64(pgs + 8 * i, -1);
        const hi = m.hi;
        if ((lo === 0 && hi === 0) || (lo === -1 && hi === -1)) continue;
        this.unbusyOne(loadKva(m, pgs + 8 * i), true);
      }
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
      this.k.mutexes.enter(c.arg(0) + BigInt(this.oInterlock), 'uvm_pagelock'),
    );
    t.function('uvm_pageunlock', 'uvm', (c) =>
      this.k.mutexes.exit(c.arg(0) + BigInt(this.oInterlock)),
    );
    // Page queues (active/inactive LRU) exist for the page daemon; a rump kernel has none, so
    // these only check that the caller holds the page's interlock, as NetBSD asserts.
    for (const name of [
      'uvm_pageactivate',
      'uvm_pagedeactivate',
      'uvm_pageenqueue',
      'uvm_pagedequeue',
    ]) {
      t.function(name, 'uvm', (c) => {
        if (!this.k.mutexes.owned(c.arg(0) + BigInt(this.oInterlock))) {
          this.k.panic(`kernel diagnostic assertion "mutex_owned(&pg->interlock)" failed: ${name}`);
        }
      });
    }
    t.function('uvm_pagewakeup', 'uvm', (c) => {
      const a = kvaOf(c.arg(0)) + this.oPqflags;
      storeU32(m, a, loadU32(m, a) & ~pg.PQ_WANTED);
    });
  }
}
