/**
 * The kernel's I/O half, wired together: the disk (rumpblk behind the block device switch), the
 * buffer cache, the page cache (vm_page objects, the vnode pager, UBC) and genfs's pager. One
 * `registerIo(k)` at boot registers every NetBSD name these parts implement in the kernel symbol
 * table and returns the subsystems, so that TypeScript callers (etfs, specfs, the syscalls) use
 * the same objects modules reach through their imports.
 *
 * `IoKernel` is what these parts need from the kernel instance: the structural subset of the
 * Kernel object, so each part can be tested on a kernel assembled from the real pieces.
 */
import type { Cpu, GuestMemory } from '@rump/cpu-x86';
import { type Host, readHostParams } from '@rump/hypercall';
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import type { Structs } from '../abi/profile.js';
import type { KernelSymbolTable } from '../kern/kern_ksyms.js';
import type { Mutexes } from '../kern/kern_mutex.js';
import type { RwLocks } from '../kern/kern_rwlock.js';
import type { Kmem } from '../kern/kmem.js';
import { type Kva, kvaBig, kvaOf } from '../kern/kva.js';
import { GenfsIo } from '../miscfs/genfs/genfs_io.js';
import { GenfsNodes } from '../miscfs/genfs/genfs_node.js';
import { UvmBio } from '../uvm/uvm_bio.js';
import { UvmPages } from '../uvm/uvm_page.js';
import { UvmVnode } from '../uvm/uvm_vnode.js';
import { BufCache } from '../vfs/vfs_bio.js';
import { RumpBlk } from './rumpblk.js';
import { DevSw } from './subr_disk.js';

export interface IoKernel {
  readonly mem: GuestMemory;
  readonly cpu: Cpu;
  readonly kmem: Kmem;
  readonly ksyms: KernelSymbolTable;
  readonly host: Host;
  readonly S: Structs;
  readonly rwlocks: RwLocks;
  readonly mutexes: Mutexes;
  /** The running lwp's address. */
  readonly curlwp: bigint;
  /** The kernel's page arena, when the window can be backed ahead of a cache filling it. */
  readonly arena?: { reserve(bytes: number): void };
  panic(message: string): never;
  describeAddress(address: bigint): string;
  /** The VFS layer, if built: vnode operations written in TypeScript go through its `vop.define`. */
  readonly vfs?: {
    /**
     * fstrans (vfs_trans.ts): the functions behind fstrans_start / fstrans_done / fscow_run,
     * which the pager calls straight, without a trip through the CPU to their own symbols.
     */
    readonly trans?: {
      startK(mp: Kva): void;
      doneK(mp: Kva): void;
      cowRun(bp: bigint): number;
    };
    readonly vop: {
      define(name: string, subsystem: string, impl: (ap: bigint) => number): bigint;
      /** VOP_X(args...) by vdesc_offset, straight from TypeScript. */
      vop(offset: number, args: readonly (bigint | number)[]): number;
      offsetOf(name: string): number;
    };
  };
}

export interface IoSubsystems {
  readonly devsw: DevSw;
  readonly rumpblk: RumpBlk;
  readonly bufcache: BufCache;
  readonly pages: UvmPages;
  readonly uvn: UvmVnode;
  readonly ubc: UvmBio;
  readonly genfsNodes: GenfsNodes;
  readonly genfs: GenfsIo;
}

/** Creates the I/O subsystems and registers their kernel symbols. */
export function registerIo(k: IoKernel): IoSubsystems {
  const call = new KernelCalls(k);
  const devsw = new DevSw(k, call);
  const bufcache = new BufCache(k, call);
  bufcache.maxBytes = Math.max(1 << 20, memlimit(k) >> 3);
  const rumpblk = new RumpBlk(k, devsw, (bp) => bufcache.biodone(bp));
  const pages = new UvmPages(k, memlimit(k));
  const genfsNodes = new GenfsNodes(k);
  const uvn = new UvmVnode(k, pages, call);
  const ubc = new UvmBio(k, pages, uvn, call);
  const genfs = new GenfsIo(k, pages, uvn, bufcache, genfsNodes, call);
  devsw.biodone = (bp) => bufcache.biodone(bp);
  pages.onObjectDirty = (uobj) => uvn.markdirtyK(uobj);
  uvn.onDirty = (vp) => bufcache.syncerAddK(vp);
  devsw.register();
  rumpblk.register();
  bufcache.register();
  pages.register();
  uvn.register();
  ubc.uvnGet = k.ksyms.resolve('uvn_get') ?? 0n;
  ubc.register();
  genfsNodes.register();
  const vop = k.vfs?.vop;
  genfs.register(vop ? (name, sub, impl) => vop.define(name, sub, impl) : undefined);
  return { devsw, rumpblk, bufcache, pages, uvn, ubc, genfsNodes, genfs };
}

/** RUMP_MEMLIMIT of the host, for cache sizes. */
function memlimit(k: IoKernel): number {
  try {
    return readHostParams(k.host).memlimit;
  } catch {
    return 256 << 20;
  }
}

/**
 * Calls to other kernel functions by their NetBSD names (VOP_STRATEGY, VOP_BMAP, fstrans_start ...),
 * through the symbol table and the CPU, exactly as a module's call would go: whoever implements
 * the name — a TypeScript thunk or guest code — runs with its own semantics.
 */
const SCRATCH_BYTES = 256 * 1024;

export class KernelCalls {
  private readonly addr = new Map<string, bigint>();
  constructor(private readonly k: IoKernel) {}

  /**
   * Calls kernel function `name`; the result is RAX as a signed 32-bit int (errno-style).
   * VOP_* calls go straight to vnode_if's dispatcher (what their symbols' thunks do anyway).
   */
  int(name: string, ...args: (bigint | number)[]): number {
    let off = this.vopOffsets.get(name);
    if (off === undefined) {
      const vop = this.k.vfs?.vop;
      off = vop && name.startsWith('VOP_') ? vop.offsetOf(name.slice(4).toLowerCase()) : -1;
      this.vopOffsets.set(name, off);
    }
    if (off >= 0) return this.k.vfs!.vop.vop(off, args) | 0;
    return Number(BigInt.asIntN(32, this.raw(name, ...args)));
  }

  private readonly vopOffsets = new Map<string, number>();

  /** Calls kernel function `name`; returns RAX. */
  raw(name: string, ...args: (bigint | number)[]): bigint {
    return this.k.cpu.call(this.resolve(name), ...args);
  }

  /**
   * Calls kernel function `name` (not a VOP) with Number arguments — Kvas, ints, sizes — through
   * Cpu.callNum (no BigInt); the result is RAX's low half as a signed 32-bit int (errno-style).
   */
  intN(name: string, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
    let a = this.addrN.get(name);
    if (a === undefined) {
      a = Number(BigInt.asIntN(64, this.resolve(name)));
      this.addrN.set(name, a);
    }
    const cpu = this.k.cpu;
    cpu.callNum(a, a0, a1, a2, a3, a4, a5);
    return cpu.r[0]! | 0;
  }

  /** Calls the function pointer `fn` (a signed 64-bit Number) with Number arguments; RAX. */
  ptrN(fn: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
    if (fn === 0) this.k.panic('call through a NULL function pointer');
    return this.k.cpu.callNum(fn, a0, a1, a2, a3, a4, a5);
  }

  private readonly addrN = new Map<string, number>();

  /**
   * fstrans_start(mp) / fstrans_done(mp) / fscow_run(bp, valid): the kernel's own TypeScript
   * functions behind those symbols, called directly when the VFS is built (the same code a
   * module's call runs, without entering the CPU); through the symbols otherwise.
   */
  fstransStart(mp: Kva): void {
    const t = this.k.vfs?.trans;
    if (t) t.startK(mp);
    else this.intN('fstrans_start', mp);
  }
  fstransDone(mp: Kva): void {
    const t = this.k.vfs?.trans;
    if (t) t.doneK(mp);
    else this.intN('fstrans_done', mp);
  }
  fscowRun(bp: Kva): number {
    const t = this.k.vfs?.trans;
    return t ? t.cowRun(kvaBig(bp)) : this.intN('fscow_run', bp, 1);
  }

  private resolve(name: string): bigint {
    let a = this.addr.get(name);
    if (a === undefined) {
      a = this.k.ksyms.resolve(name);
      if (a === undefined)
        this.k.panic(
          `kernel function ${name} is needed by the I/O path but is not in the symbol table`,
        );
      this.addr.set(name, a);
    }
    return a;
  }

  /** Calls a function pointer (module code or a kernel thunk). */
  ptr(fn: bigint, ...args: (bigint | number)[]): bigint {
    if (fn === 0n) this.k.panic('call through a NULL function pointer');
    return this.k.cpu.call(fn, ...args);
  }

  /**
   * Zeroed scratch guest memory for the out-parameters of one call, released by `release` in
   * LIFO order (calls nest strictly): a bump pointer over one kmem region, kmem beyond it.
   */
  scratch(size: number): bigint {
    return kvaBig(this.scratchK(size));
  }

  /** scratch as a Kva. */
  scratchK(size: number): Kva {
    const need = (size + 15) & ~15;
    if (this.arena === 0)
      this.arena = kvaOf(
        this.k.kmem.alloc(SCRATCH_BYTES, kmflags.KM_SLEEP, false, 'kernel-call scratch'),
      );
    if (this.top + need <= SCRATCH_BYTES) {
      const p = this.arena + this.top;
      this.top += need;
      const o = p & 0x7fffffff;
      this.k.mem.u8.fill(0, o, o + size);
      return p;
    }
    return kvaOf(this.k.kmem.alloc(size, kmflags.KM_SLEEP, true, 'kernel-call scratch'));
  }

  release(p: bigint, size: number): void {
    this.releaseK(kvaOf(p), size);
  }

  releaseK(p: Kva, size: number): void {
    const need = (size + 15) & ~15;
    if (p >= this.arena && p < this.arena + SCRATCH_BYTES) {
      if (p + need !== this.arena + this.top) {
        this.k.panic('kernel-call scratch released out of order');
      }
      this.top -= need;
      return;
    }
    this.k.kmem.free(kvaBig(p), size, 'kernel-call scratch');
  }

  private arena: Kva = 0;
  private top = 0;
}

const KWIN = 0xffff_ffff_8000_0000n;

/**
 * Field access for kernel objects (bufs, pages, vnodes): one DataView access at the window
 * offset, or GuestMemory's checked path (which faults) outside the window.
 */
export function r32(mem: GuestMemory, a: bigint): number {
  const o = Number(a - KWIN);
  return o >= 0 && o + 4 <= mem.windowSize ? mem.dv.getUint32(o, true) : mem.read32(a);
}
export function w32(mem: GuestMemory, a: bigint, v: number): void {
  const o = Number(a - KWIN);
  if (o >= 0 && o + 4 <= mem.windowSize) mem.dv.setUint32(o, v >>> 0, true);
  else mem.write32(a, v >>> 0);
}
export function r64(mem: GuestMemory, a: bigint): bigint {
  const o = Number(a - KWIN);
  return o >= 0 && o + 8 <= mem.windowSize ? mem.dv.getBigUint64(o, true) : mem.read64(a);
}
export function w64(mem: GuestMemory, a: bigint, v: bigint): void {
  const o = Number(a - KWIN);
  if (o >= 0 && o + 8 <= mem.windowSize) mem.dv.setBigUint64(o, BigInt.asUintN(64, v), true);
  else mem.write64(a, BigInt.asUintN(64, v));
}
