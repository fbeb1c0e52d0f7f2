/**
 * A NetBSD kernel instance: guest memory laid out as below, one CPU, the kernel symbol table,
 * lwp0/proc0 with root credentials, and the module framework. `createKernel` boots one in
 * milliseconds; every entry from TypeScript (`modctl`, `enter`) refreshes the clocks, runs
 * deferred work on the way out, and turns a panic or a guest fault into a typed error that
 * marks this instance dead (later calls throw KernelDead) without touching anything else.
 *
 * Kernel window (0xffffffff80000000 + offset):
 *   0x0000_0000  unused first page
 *   0x0000_1000  kernel data: exported variables, descriptors, lwp0, proc0, cpu_info (1 MiB;
 *                boot uses ~16 KiB of it)
 *   0x0010_0000  arena: module sections, kmem slabs, pool pages, lwp stacks — grows on demand,
 *                bytes in use bounded by RUMP_MEMLIMIT
 *   The window starts at 4 MiB backed (boot, loading ffs+ufs and a mount need under 3) and
 *   doubles when the arena reaches its end; it can reach ARENA_OFFSET + 2 × RUMP_MEMLIMIT (room
 *   for fragmentation), at most MAX_WINDOW_SIZE. Each kernel instance allocates its window and
 *   the Cpu's per-line code map (1/256 of the largest window): kept small, a boot touches less
 *   memory and leaves the garbage collector less external memory to account for.
 *   0x7e00_0000  host-function trap addresses (mapped by the Cpu, just above the window)
 */
import { Cpu, CpuFault, GuestMemory, MAX_WINDOW_SIZE, Reg } from '@rump/cpu-x86';
import { type Host, readHostParams } from '@rump/hypercall';
import { modclass } from './abi/netbsd-10.99/constants.js';
import { netbsd_10_99 } from './abi/netbsd-10.99/index.js';
import type { Profile, Structs } from './abi/profile.js';
import { type IoSubsystems, registerIo } from './dev/io.js';
import {
  type Frame,
  GuestFault,
  KernelDead,
  type KernelDeath,
  KernelError,
  KernelHalted,
  KernelPanic,
} from './errors.js';
import { registerFsSupport } from './fs_support.js';
import { registerAtomic } from './kern/atomic.js';
import { Console } from './kern/cons.js';
import { registerCprng } from './kern/cprng.js';
import { KernelData } from './kern/kdata.js';
import { Kauth, registerKauth } from './kern/kern_auth.js';
import { CondVars, registerCondvar } from './kern/kern_condvar.js';
import { KernelSymbolTable } from './kern/kern_ksyms.js';
import { bootLwp0 } from './kern/kern_lwp.js';
import { type LoadRequest, type ModuleStat, Modules } from './kern/kern_module.js';
import { Mutexes, registerMutex } from './kern/kern_mutex.js';
import { RwLocks, registerRwlock } from './kern/kern_rwlock.js';
import { NETBSD_FFS_UFS_IMPORTS } from './kern/kern_stubs.js';
import { registerSysctl, Sysctl } from './kern/kern_sysctl.js';
import { Clock, registerTime } from './kern/kern_tc.js';
import { Callouts, registerCallout } from './kern/kern_timeout.js';
import { registerVersion } from './kern/kern_version.js';
import { Kmem, registerKmem } from './kern/kmem.js';
import { registerLibkern } from './kern/libkern.js';
import { Pools, registerPool } from './kern/pool.js';
import { registerSpl, Spl } from './kern/spl.js';
import { registerAclPosix1e } from './kern/subr_acl_posix1e.js';
import { registerCopy } from './kern/subr_copy.js';
import { EventCounters, registerEvcnt } from './kern/subr_evcnt.js';
import { registerHash } from './kern/subr_hash.js';
import { AB_VERBOSE, registerPrf } from './kern/subr_prf.js';
import { registerWorkqueue, Workqueues } from './kern/subr_workqueue.js';
import { registerXattr } from './kern/vfs_xattr.js';
import { Etfs } from './rump/etfs.js';
import { KernelArena } from './uvm/uvm_km.js';
import { registerVfs, type Vfs } from './vfs/vfs.js';
import { registerVfsData } from './vfs/vfs_data.js';

/** rdi rsi rdx rcx r8 r9: the SysV integer argument registers. */
const ARG_REGS = [Reg.RDI, Reg.RSI, Reg.RDX, Reg.RCX, Reg.R8, Reg.R9];
/** rsp and the callee-saved registers a SysV function must give back. */
const KEPT_REGS = [Reg.RSP, Reg.RBX, Reg.RBP, Reg.R12, Reg.R13, Reg.R14, Reg.R15];
/** What callGuest saves: the argument registers first, then the kept ones. */
const SAVED_REGS = [...ARG_REGS, ...KEPT_REGS];

/** Puts back SAVED_REGS[from..to) from a callGuest save area (register halves). */
function restoreRegs(r: Int32Array, save: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const reg = SAVED_REGS[i]!;
    r[reg] = save[2 * i]!;
    r[reg + 16] = save[2 * i + 1]!;
  }
}

/** Layout of a callGuest save area: SAVED_REGS' halves, then rip's halves, then the nested flag. */
const GUEST_SAVE_RIP = 2 * SAVED_REGS.length;
const GUEST_SAVE_NESTED = GUEST_SAVE_RIP + 2;
const GUEST_SAVE_SIZE = GUEST_SAVE_NESTED + 1;

export const KDATA_OFFSET = 0x1000;
export const KDATA_SIZE = 0x10_0000 - 0x1000;
export const ARENA_OFFSET = 0x10_0000;
/** Bytes of the window backed at boot. */
const INITIAL_WINDOW = 0x40_0000;

/** The largest window a kernel with this memory limit may need (page-aligned, at most the maximum). */
function maxWindowFor(memlimit: number): number {
  const want = ARENA_OFFSET + 2 * Math.ceil(memlimit / 0x1000) * 0x1000;
  return Math.max(INITIAL_WINDOW, Math.min(want, MAX_WINDOW_SIZE));
}

export interface KernelOptions {
  readonly host: Host;
  /** The NetBSD release the kernel presents (default NetBSD 10.99.12). */
  readonly profile?: Profile;
  /** Host directories searched for required modules (`<name>.kmod`, `<name>/<name>.kmod`). */
  readonly modulePath?: readonly string[];
  /** Instructions each entry into guest code may run before the kernel is stopped (default unlimited). */
  readonly instructionBudget?: number;
  /**
   * Formats the faulting instruction for GuestFault reports, e.g. `formatInstruction` from
   * `@rump/cpu-x86/disasm` (kept optional so the kernel needs no disassembler to run).
   */
  readonly disassembler?: (bytes: Uint8Array, address: bigint) => string;
  /** Extra kernel functions registered at boot, before unimplemented names are filled in. */
  readonly extend?: (k: Kernel) => void;
}

let instances = 0;

export class Kernel {
  readonly host: Host;
  readonly profile: Profile;
  /** The release's struct layouts. */
  readonly S: Structs;
  readonly mem: GuestMemory;
  readonly cpu: Cpu;
  readonly arena: KernelArena;
  readonly kdata: KernelData;
  readonly kmem: Kmem;
  readonly ksyms: KernelSymbolTable;
  readonly console: Console;
  readonly clock: Clock;
  readonly spl = new Spl();
  readonly mutexes: Mutexes;
  readonly rwlocks: RwLocks;
  readonly condvars: CondVars;
  readonly pools: Pools;
  readonly kauth: Kauth;
  readonly sysctl: Sysctl;
  readonly evcnt: EventCounters;
  readonly workqueues: Workqueues;
  readonly callouts: Callouts;
  readonly etfs: Etfs;
  /** The VFS layer (vnodes, mounts, namei, VOP dispatch). */
  readonly vfs: Vfs;
  /** Disk, buffer cache, page cache and genfs pager (vfs-io). */
  readonly io: IoSubsystems;
  readonly modules: Modules;
  /** Addresses of the vop_*_desc descriptors, by vdesc_offset. */
  readonly vdescs: bigint[] = [];
  readonly verbose: boolean;
  readonly boothowto: number;
  readonly instance: number;
  boothowtoAddr = 0n;
  vmspaceKernel = 0n;
  cpuInfo = 0n;
  lwp0 = 0n;
  proc0 = 0n;
  /** The running lwp. */
  curlwp = 0n;
  private curlwpBig = -1n;
  private curlwpKva = 0;
  /** curlwp as a Kva (kern/kva.ts), converted only when curlwp changes. */
  curlwpK(): number {
    const l = this.curlwp;
    if (l !== this.curlwpBig) {
      this.curlwpBig = l;
      const n = Number(BigInt.asIntN(64, l));
      this.curlwpKva = n === 0 || (n < 0 && n >= -0x8000_0000) ? n : Number.NaN;
    }
    return this.curlwpKva;
  }
  /** reboot(2)'s howto once the kernel halted; every later entry throws KernelHalted. */
  halted: number | undefined;
  /** Set when the instance died; every later entry throws KernelDead. */
  death: KernelDeath | undefined;
  private depth = 0;
  private readonly budget: number;
  private readonly disassembler: ((bytes: Uint8Array, address: bigint) => string) | undefined;
  readonly bootTimeMs: number;

  constructor(options: KernelOptions) {
    const t0 = performance.now();
    this.instance = ++instances;
    this.host = options.host;
    this.profile = options.profile ?? netbsd_10_99;
    this.S = this.profile.structs;
    const params = readHostParams(this.host);
    this.verbose = params.verbose > 0;
    this.boothowto = this.verbose ? AB_VERBOSE : 0;
    this.budget = options.instructionBudget ?? Number.POSITIVE_INFINITY;

    const maxWindowSize = maxWindowFor(params.memlimit);
    this.mem = new GuestMemory({ windowSize: INITIAL_WINDOW, maxWindowSize });
    this.cpu = new Cpu(this.mem);
    this.cpu.symbolizer = (a) => this.symbolize(a);
    this.disassembler = options.disassembler;
    this.arena = new KernelArena(this.mem, ARENA_OFFSET, maxWindowSize, params.memlimit);
    this.kdata = new KernelData(this.mem, KDATA_OFFSET, KDATA_SIZE);
    this.console = new Console(this.host);
    this.kmem = new Kmem(this.mem, this.arena, (m) => this.panic(m));
    this.ksyms = new KernelSymbolTable(this.cpu, (name) =>
      this.panic(`kernel function ${name} is not implemented yet`),
    );
    this.clock = new Clock(this);
    this.mutexes = new Mutexes(this);
    this.rwlocks = new RwLocks(this);
    this.condvars = new CondVars(this);
    this.pools = new Pools(this);
    this.kauth = new Kauth(this);
    this.evcnt = new EventCounters(this);
    this.workqueues = new Workqueues(this);
    this.callouts = new Callouts(this);
    this.etfs = new Etfs(this.host);

    this.vmspaceKernel = this.kdata.allocate(512, 64);
    bootLwp0(this);
    this.sysctl = new Sysctl(this);
    registerTime(this);
    registerVersion(this, params.hostname);
    registerKmem(this);
    registerPool(this);
    registerPrf(this);
    registerMutex(this);
    registerRwlock(this);
    registerCondvar(this);
    registerAtomic(this);
    registerSpl(this);
    registerLibkern(this);
    registerCopy(this);
    registerKauth(this);
    registerAclPosix1e(this);
    registerXattr(this);
    registerSysctl(this);
    registerEvcnt(this);
    registerCprng(this);
    registerHash(this);
    registerWorkqueue(this);
    registerCallout(this);
    options.extend?.(this);
    registerVfsData(this);
    this.vfs = registerVfs(this);
    this.io = registerIo(this);
    registerFsSupport(this);
    // Every other name a real file-system module imports: present, panicking until implemented.
    for (const [subsystem, names] of Object.entries(NETBSD_FFS_UFS_IMPORTS)) {
      for (const name of names)
        if (!this.ksyms.has(name)) this.ksyms.unimplemented(name, subsystem);
    }
    // The kernel provides WAPBL's symbols, so it answers to the module name `wapbl`, as a
    // NetBSD kernel with `options WAPBL` does.
    this.modules = new Modules(
      this,
      [{ name: 'wapbl', classNumber: modclass.MODULE_CLASS_VFS }],
      options.modulePath ?? [],
    );
    this.modules.verbose = this.verbose;

    this.bootTimeMs = performance.now() - t0;
    if (this.verbose) this.banner(params.hostname, params.memlimit);
  }

  private banner(hostname: string, memlimit: number): void {
    const p = this.profile;
    this.console.print(
      [
        'Copyright (c) 1996, 1997, 1998, 1999, 2000, 2001, 2002, 2003, 2004, 2005,',
        '    2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017,',
        '    2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025',
        '    The NetBSD Foundation, Inc.  All rights reserved.',
        'Copyright (c) 1982, 1986, 1989, 1991, 1993',
        '    The Regents of the University of California.  All rights reserved.',
        '',
        `NetBSD ${p.release} (RUMP-ROAST) #${this.instance}: rump kernel in TypeScript`,
        `total memory = ${Math.floor(memlimit / 1024 / 1024)} MB`,
        `kern.module.path=${this.modules.moduleBase}`,
        `hostname ${hostname}, ${this.ksyms.implementedNames().length} kernel symbols implemented, ${this.ksyms.unimplementedNames().length} not yet`,
        '',
      ].join('\n'),
    );
  }

  get dead(): boolean {
    return this.death !== undefined;
  }

  /**
   * Runs `fn` as an entry into the kernel: refuses if the kernel died, refreshes the clocks,
   * arms the instruction budget, runs deferred work on the way out, and contains failures.
   */
  enter<T>(fn: () => T): T {
    if (this.death) throw new KernelDead(this.death);
    if (this.halted !== undefined) throw new KernelHalted(this.halted);
    const outer = this.depth === 0;
    this.depth++;
    try {
      if (outer) {
        this.clock.refresh();
        this.cpu.budget = this.budget;
      }
      const r = fn();
      if (outer) while (this.runDeferredWork()) {}
      return r;
    } catch (e) {
      throw this.contain(e);
    } finally {
      this.depth--;
    }
  }

  /**
   * What each nesting level of callGuest saves (reused: no allocation per call): the register
   * halves of SAVED_REGS, then rip's halves and whether the call was nested.
   */
  private readonly guestSaves: Int32Array[] = [];
  private guestLevel = 0;

  // Inside a kernel function, keep that function's SysV argument registers, so its `cpu.arg(i)`
  // reads stay valid after the nested guest call (which is free to clobber them). If the call ends
  // with an error the kernel survives (an ErrnoError thrown through guest frames), the CPU does not
  // unwind those frames: put back the stack and the callee-saved registers so the guest code (or
  // the next entry) continues on an intact stack. enter() is inlined here as guestEnter /
  // guestDone / guestFailed / guestLeave: no closure per call on the VOP and namei paths.

  /** Saves this level's registers, then enters the kernel as enter() does. */
  private guestEnter(): Int32Array {
    const cpu = this.cpu;
    const level = this.guestLevel;
    let save = this.guestSaves[level];
    if (save === undefined) {
      save = new Int32Array(GUEST_SAVE_SIZE);
      this.guestSaves[level] = save;
    }
    const r = cpu.r;
    for (let i = 0; i < SAVED_REGS.length; i++) {
      const reg = SAVED_REGS[i]!;
      save[2 * i] = r[reg]!;
      save[2 * i + 1] = r[reg + 16]!;
    }
    save[GUEST_SAVE_RIP] = cpu.ripLo;
    save[GUEST_SAVE_RIP + 1] = cpu.ripHi;
    save[GUEST_SAVE_NESTED] = this.depth !== 0 ? 1 : 0;
    if (this.death) throw new KernelDead(this.death);
    if (this.halted !== undefined) throw new KernelHalted(this.halted);
    this.guestLevel = level + 1;
    if (this.depth++ === 0) {
      try {
        this.clock.refresh();
      } catch (e) {
        throw this.guestFailed(save, e);
      }
      cpu.budget = this.budget;
    }
    return save;
  }

  /** After the guest function returned: an outermost entry runs the deferred work. */
  private guestDone(): void {
    if (this.depth === 1) while (this.runDeferredWork()) {}
  }

  /** The call failed: the error to throw, with the stack and callee-saved registers put back. */
  private guestFailed(save: Int32Array, e: unknown): unknown {
    const err = this.contain(e);
    this.depth--;
    this.guestLevel--;
    if (!this.death) {
      restoreRegs(this.cpu.r, save, ARG_REGS.length, SAVED_REGS.length);
      this.cpu.ripLo = save[GUEST_SAVE_RIP]!;
      this.cpu.ripHi = save[GUEST_SAVE_RIP + 1]!;
    }
    return err;
  }

  /** The call returned: leaves the kernel level; a nested call gets its argument registers back. */
  private guestLeave(save: Int32Array): void {
    this.depth--;
    this.guestLevel--;
    if (save[GUEST_SAVE_NESTED] !== 0) restoreRegs(this.cpu.r, save, 0, ARG_REGS.length);
  }

  /** Calls guest code at `fn` with SysV arguments (nesting freely inside kernel functions). */
  callGuest(fn: bigint, ...args: (bigint | number)[]): bigint {
    if (fn === 0n) this.panic('call through a NULL function pointer');
    const save = this.guestEnter();
    let result: bigint;
    try {
      result = this.cpu.call(fn, ...args);
      this.guestDone();
    } catch (e) {
      throw this.guestFailed(save, e);
    }
    this.guestLeave(save);
    return result;
  }

  /**
   * callGuest without BigInt or allocation (Cpu.callNum): the function and up to six arguments
   * as signed 64-bit Numbers (Kvas for kernel pointers, ints, sizes); returns RAX's signed value
   * (`| 0` for an `int` result). Same register keeping and unwinding as callGuest.
   */
  callGuestNum(fn: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
    if (fn === 0) this.panic('call through a NULL function pointer');
    const save = this.guestEnter();
    let result: number;
    try {
      result = this.cpu.callNum(fn, a0, a1, a2, a3, a4, a5);
      this.guestDone();
    } catch (e) {
      throw this.guestFailed(save, e);
    }
    this.guestLeave(save);
    return result;
  }

  /**
   * callGuest for a function returning `int`: the low 32 bits of RAX as a signed number (an
   * errno), read from the register file instead of through the 64-bit BigInt result.
   */
  callGuestInt(fn: bigint, ...args: (bigint | number)[]): number {
    this.callGuest(fn, ...args);
    return this.cpu.r[Reg.RAX]! | 0;
  }

  /** Runs one piece of deferred work (work queues, due callouts); false when there was none. */
  runDeferredWork(): boolean {
    return this.workqueues.runOne() || this.callouts.runOne();
  }

  /** Ends this kernel instance with a panic: prints it and throws KernelPanic. */
  panic(message: string): never {
    if (this.death) throw this.death;
    this.console.print(`panic: ${message}\n`);
    const e = new KernelPanic(message, this.cpu.registers(), this.frames(this.cpu.backtrace()));
    this.death = e;
    throw e;
  }

  /** Turns anything thrown inside the kernel into its typed form; deaths mark the instance. */
  private contain(e: unknown): unknown {
    if (e instanceof KernelDead || (this.death && e === this.death)) return e;
    if (e instanceof CpuFault) {
      const kind = e.constructor.name;
      let instruction: string | undefined;
      if (this.disassembler) {
        let n = 0;
        while (n < 15 && this.mem.isMapped(e.rip + BigInt(n), 1)) n++;
        if (n > 0) instruction = this.disassembler(this.mem.read(e.rip, n), e.rip);
      }
      const f = new GuestFault(
        kind,
        e.message.split('\n')[0]!,
        e.rip,
        e.registers,
        this.frames(this.faultBacktrace(e.backtrace)),
        { cause: e, instruction },
      );
      this.console.print(`fatal ${kind} in supervisor mode: ${f.reason}\n`);
      this.death = f;
      return f;
    }
    if (e instanceof KernelError || !(e instanceof Error)) return e;
    // A bug in a TypeScript kernel function while guest code was running: the kernel's state is
    // unknown, so this instance stops, with the original error as the cause.
    if (this.depth > 1 || e instanceof TypeError || e instanceof RangeError) {
      try {
        this.panic(`internal error: ${e.message}`);
      } catch (p) {
        (p as Error).cause = e;
        return p;
      }
    }
    return e;
  }

  private frames(addrs: readonly bigint[]): Frame[] {
    return addrs.map((address) => ({
      address,
      where:
        this.symbolize(address) ??
        (this.cpu.describe(address).includes('<return to host>') ? '<return to host>' : '?'),
    }));
  }

  /**
   * A fault in a leaf function (gcc gives leaves no frame even with -fno-omit-frame-pointer)
   * leaves its caller's return address on top of the stack, not in the rbp chain: add it when it
   * points into a module and the chain does not already hold it.
   */
  private faultBacktrace(chain: readonly bigint[]): bigint[] {
    const out = [...chain];
    try {
      const top = this.mem.read64(this.cpu.getReg(4 /* RSP */));
      if (out[1] !== top && this.modules.symbolize(top) !== undefined) out.splice(1, 0, top);
    } catch {
      /* stack unreadable: keep the chain */
    }
    return out;
  }

  /** Names an address: module + symbol, kernel function, kernel data symbol. */
  symbolize(address: bigint): string | undefined {
    const fn = this.ksyms.symbolize(address);
    if (fn !== undefined)
      return this.cpu.hostFunctionName(address) !== undefined ? `kernel ${fn}` : fn;
    return this.modules?.symbolize(address);
  }

  /** An address for messages: `0x... (lwp0+0x10)` when it has a name. */
  describeAddress(a: bigint): string {
    const s = this.symbolize(a);
    return `0x${a.toString(16)}${s ? ` (${s})` : ''}`;
  }

  // ---------------------------------------------------------------- the modctl(2) interface

  /** MODCTL_LOAD: loads a module (and what it requires); returns its status. */
  modctl(cmd: 'load' | 0, arg: LoadRequest): ModuleStat;
  /** MODCTL_UNLOAD: unloads a module by name. */
  modctl(cmd: 'unload' | 1, arg: string): void;
  /** MODCTL_STAT: every module. */
  modctl(cmd: 'stat' | 4): ModuleStat[];
  modctl(cmd: string | number, arg?: LoadRequest | string): ModuleStat | ModuleStat[] | undefined {
    return this.enter(() => {
      switch (cmd) {
        case 'load':
        case 0:
          return this.modules.load(arg as LoadRequest);
        case 'unload':
        case 1:
          this.modules.unload(arg as string);
          return undefined;
        case 'stat':
        case 4:
          return this.modules.stat();
        default:
          throw new KernelError(`modctl: unknown command ${String(cmd)}`);
      }
    });
  }

  /**
   * sys_modctl: `cmd` with its argument in guest memory (what rump_sys_modctl passes).
   * Returns 0 or a NetBSD errno; a panic or fault during the module's init still throws.
   */
  sysModctl(cmd: number, arg: bigint): number {
    return this.enter(() => this.modules.modctlGuest(cmd, arg));
  }

  /**
   * reboot(2) as a rump kernel's cpu_reboot does it: unless RB_NOSYNC, sync every file system;
   * unmount everything and close the disks (vfs_shutdown); then halt. A rump kernel would exit
   * the host process here; this one stays in memory, refusing every later call with
   * KernelHalted. Returns whether every file system unmounted cleanly.
   */
  reboot(howto = 0): boolean {
    const RB_NOSYNC = 0x4;
    const ok = this.enter(() => {
      if (!(howto & RB_NOSYNC)) this.console.print('syncing disks... ');
      const clean = this.vfs.shutdown(howto);
      if (!(howto & RB_NOSYNC)) this.console.print('done\n');
      if (!clean) this.console.print('WARNING: some file systems would not unmount\n');
      return clean;
    });
    this.console.print('rump kernel halted\n');
    this.halted = howto;
    return ok;
  }

  /**
   * Memory in use: the arena's page runs (bounded by RUMP_MEMLIMIT) by owner — module sections,
   * kmem size classes, pools, stacks — and the live kmem allocations.
   */
  memstat(): {
    limit: number;
    inUse: number;
    peak: number;
    byOwner: Record<string, number>;
    kmemAllocations: number;
    kmemBytes: number;
  } {
    const a = this.arena.stats();
    const k = this.kmem.stats();
    return {
      limit: a.limit,
      inUse: a.inUse,
      peak: a.peak,
      byOwner: Object.fromEntries([...this.arena.usage()].sort(([x], [y]) => x.localeCompare(y))),
      kmemAllocations: k.allocations,
      kmemBytes: k.bytesRequested,
    };
  }

  /** Kernel output so far (the message buffer). */
  dmesg(): string {
    return this.console.dmesg();
  }
}

/** Boots a kernel instance. */
export function createKernel(options: KernelOptions): Kernel {
  return new Kernel(options);
}
