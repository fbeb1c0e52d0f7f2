/**
 * pool(9) and pool_cache(9). A pool hands out fixed-size items carved from arena pages at the
 * requested alignment; struct pool lives in the caller's memory (pool_init) or, for a cache,
 * inside the struct pool_cache the kernel allocates (its pc_pool). A cache keeps constructed
 * objects: the constructor runs in the guest when an object is first made, the destructor when
 * the cache lets it go (pool_cache_invalidate, pool_cache_destroy). Destroying a pool with items
 * still out panics as NetBSD does. Memory counts against RUMP_MEMLIMIT through the arena.
 */
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import type { Kernel } from '../kernel.js';
import { kva, PAGE_SIZE, windowOffset } from '../uvm/uvm_km.js';

const hex = (a: bigint) => `0x${a.toString(16)}`;

export interface PoolState {
  readonly address: bigint;
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly flags: number;
  /** Free raw items (window offsets). */
  readonly free: number[];
  /** Items handed out. */
  readonly out: Set<number>;
  /** Arena runs backing the pool. */
  readonly pages: number[];
  nget: number;
  nput: number;
}

export interface CacheState {
  readonly address: bigint;
  readonly pool: PoolState;
  readonly ctor: bigint;
  readonly dtor: bigint;
  readonly arg: bigint;
  /** Constructed objects waiting to be handed out again. */
  readonly constructed: number[];
}

export class Pools {
  readonly pools = new Map<bigint, PoolState>();
  readonly caches = new Map<bigint, CacheState>();

  constructor(private readonly k: Kernel) {}

  init(pp: bigint, size: number, align: number, flags: number, wchan: bigint): PoolState {
    const k = this.k;
    const P = k.S.pool;
    if (size <= 0) k.panic(`pool_init(${this.nameAt(wchan)}): size ${size}`);
    const al = Math.max(align || 8, 8);
    if (al & (al - 1))
      k.panic(`pool_init(${this.nameAt(wchan)}): alignment ${align} is not a power of two`);
    const itemSize = Math.ceil(size / al) * al;
    const st: PoolState = {
      address: pp,
      name: this.nameAt(wchan),
      size: itemSize,
      align: al,
      flags,
      free: [],
      out: new Set(),
      pages: [],
      nget: 0,
      nput: 0,
    };
    this.pools.set(pp, st);
    // The fields a debugger or a module could look at.
    k.mem.write64(pp + BigInt(P.pr_wchan.offset), wchan);
    k.mem.write32(pp + BigInt(P.pr_size.offset), itemSize);
    k.mem.write32(pp + BigInt(P.pr_align.offset), al);
    k.mem.write32(pp + BigInt(P.pr_flags.offset), flags);
    return st;
  }

  private nameAt(wchan: bigint): string {
    return wchan === 0n ? '?' : this.k.mem.readCString(wchan, 64);
  }

  state(pp: bigint, who: string): PoolState {
    const st = this.pools.get(pp);
    if (!st) this.k.panic(`${who}: ${hex(pp)} is not an initialized pool`);
    return st;
  }

  /** pool_get: an item, or 0n (PR_NOWAIT) when memory is exhausted. */
  get(st: PoolState, flags: number, who = 'pool_get'): bigint {
    const k = this.k;
    if (st.free.length === 0) {
      // A run holds 16 KiB worth of small items, or one large item (as NetBSD sizes pool pages).
      const perRun = st.size >= PAGE_SIZE ? 1 : Math.max(1, Math.floor((4 * PAGE_SIZE) / st.size));
      const bytes = Math.ceil((perRun * st.size) / PAGE_SIZE) * PAGE_SIZE;
      const run = k.arena.allocate(bytes, Math.max(PAGE_SIZE, st.align), `pool ${st.name}`);
      if (run < 0) {
        if (flags & kmflags.PR_NOWAIT) return 0n;
        const s = k.arena.stats();
        k.panic(
          `${who}(${st.name}, PR_WAITOK): out of memory: RUMP_MEMLIMIT is ${s.limit} bytes and ${s.inUse} are in use`,
        );
      }
      st.pages.push(run);
      for (let o = run + Math.floor(bytes / st.size) * st.size - st.size; o >= run; o -= st.size)
        st.free.push(o);
    }
    const o = st.free.pop()!;
    st.out.add(o);
    st.nget++;
    if (flags & kmflags.PR_ZERO) k.mem.u8.fill(0, o, o + st.size);
    return kva(o);
  }

  put(st: PoolState, item: bigint, who = 'pool_put'): void {
    const o = windowOffset(item);
    if (!st.out.delete(o))
      this.k.panic(
        `${who}(${st.name}, ${hex(item)}): item not allocated from this pool (double put?)`,
      );
    st.free.push(o);
    st.nput++;
  }

  destroy(st: PoolState, who = 'pool_destroy'): void {
    if (st.out.size) this.k.panic(`${who}: pool busy: still out: ${st.out.size} (${st.name})`);
    for (const run of st.pages) this.k.arena.release(run);
    this.pools.delete(st.address);
  }

  cacheInit(
    size: number,
    align: number,
    flags: number,
    wchan: bigint,
    ctor: bigint,
    dtor: bigint,
    arg: bigint,
  ): bigint {
    const k = this.k;
    const PC = k.S.pool_cache;
    const pc = k.kmem.alloc(PC.$size, kmflags.KM_SLEEP, true, 'pool_cache_init');
    const pool = this.init(pc + BigInt(PC.pc_pool.offset), size, align, flags, wchan);
    k.mem.write64(pc + BigInt(PC.pc_ctor.offset), ctor);
    k.mem.write64(pc + BigInt(PC.pc_dtor.offset), dtor);
    k.mem.write64(pc + BigInt(PC.pc_arg.offset), arg);
    this.caches.set(pc, { address: pc, pool, ctor, dtor, arg, constructed: [] });
    return pc;
  }

  cache(pc: bigint, who: string): CacheState {
    const c = this.caches.get(pc);
    if (!c) this.k.panic(`${who}: ${hex(pc)} is not a pool cache`);
    return c;
  }

  cacheGet(c: CacheState, flags: number): bigint {
    const k = this.k;
    const reuse = c.constructed.pop();
    if (reuse !== undefined) {
      c.pool.out.add(reuse);
      c.pool.nget++;
      if (flags & kmflags.PR_ZERO) k.mem.u8.fill(0, reuse, reuse + c.pool.size);
      return kva(reuse);
    }
    const obj = this.get(c.pool, flags, 'pool_cache_get');
    if (obj === 0n || c.ctor === 0n) return obj;
    const err = Number(BigInt.asIntN(32, k.callGuest(c.ctor, c.arg, obj, flags)));
    if (err !== 0) {
      this.put(c.pool, obj, 'pool_cache_get');
      return 0n;
    }
    return obj;
  }

  cachePut(c: CacheState, obj: bigint): void {
    const o = windowOffset(obj);
    if (!c.pool.out.delete(o)) {
      this.k.panic(
        `pool_cache_put(${c.pool.name}, ${hex(obj)}): object not allocated from this cache (double put?)`,
      );
    }
    c.pool.nput++;
    c.constructed.push(o);
  }

  /** Destructs every cached object and returns its memory to the pool. */
  invalidate(c: CacheState): void {
    while (c.constructed.length) {
      const o = c.constructed.pop()!;
      if (c.dtor !== 0n) this.k.callGuest(c.dtor, c.arg, kva(o));
      c.pool.free.push(o);
    }
  }

  cacheDestroy(c: CacheState): void {
    this.invalidate(c);
    this.destroy(c.pool, 'pool_cache_destroy');
    this.caches.delete(c.address);
    this.k.kmem.free(c.address, this.k.S.pool_cache.$size, 'pool_cache_destroy');
  }
}

export function registerPool(k: Kernel): void {
  const t = k.ksyms;
  const p = k.pools;
  const u32 = (v: bigint) => Number(v & 0xffffffffn);
  const n = (v: bigint) => Number(BigInt.asUintN(63, v));
  // pool_init(pp, size, align, ioff, flags, wchan, palloc, ipl)
  t.function('pool_init', 'pool', (cpu) => {
    p.init(cpu.arg(0), n(cpu.arg(1)), u32(cpu.arg(2)), u32(cpu.arg(4)), cpu.arg(5));
  });
  t.function('pool_destroy', 'pool', (cpu) => p.destroy(p.state(cpu.arg(0), 'pool_destroy')));
  t.function('pool_get', 'pool', (cpu) => p.get(p.state(cpu.arg(0), 'pool_get'), u32(cpu.arg(1))));
  t.function('pool_put', 'pool', (cpu) => p.put(p.state(cpu.arg(0), 'pool_put'), cpu.arg(1)));
  for (const name of ['pool_setlowat', 'pool_sethiwat', 'pool_sethardlimit', 'pool_prime']) {
    t.function(name, 'pool', (cpu) => {
      p.state(cpu.arg(0), name);
      return 0;
    });
  }
  // pool_cache_init(size, align, align_offset, flags, wchan, palloc, ipl, ctor, dtor, arg)
  t.function('pool_cache_init', 'pool', (cpu) =>
    p.cacheInit(
      n(cpu.arg(0)),
      u32(cpu.arg(1)),
      u32(cpu.arg(3)),
      cpu.arg(4),
      cpu.arg(7),
      cpu.arg(8),
      cpu.arg(9),
    ),
  );
  t.function('pool_cache_destroy', 'pool', (cpu) =>
    p.cacheDestroy(p.cache(cpu.arg(0), 'pool_cache_destroy')),
  );
  t.function('pool_cache_get_paddr', 'pool', (cpu) => {
    // Read every argument first: the constructor runs in the guest and clobbers the registers.
    const [pc, flags, pap] = [cpu.arg(0), u32(cpu.arg(1)), cpu.arg(2)];
    const obj = p.cacheGet(p.cache(pc, 'pool_cache_get'), flags);
    // One address space: the "physical" address of an object is its address.
    if (obj !== 0n && pap !== 0n) k.mem.write64(pap, obj);
    return obj;
  });
  t.function('pool_cache_put_paddr', 'pool', (cpu) =>
    p.cachePut(p.cache(cpu.arg(0), 'pool_cache_put'), cpu.arg(1)),
  );
  t.function('pool_cache_invalidate', 'pool', (cpu) =>
    p.invalidate(p.cache(cpu.arg(0), 'pool_cache_invalidate')),
  );
  for (const name of ['pool_cache_setlowat', 'pool_cache_sethiwat', 'pool_cache_sethardlimit']) {
    t.function(name, 'pool', (cpu) => {
      p.cache(cpu.arg(0), name);
    });
  }
}
