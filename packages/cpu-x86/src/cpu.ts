/**
 * The public CPU: registers, the run loop over decoded blocks, host<->guest calls through trap
 * addresses, budget/interrupt, single-stepping, breakpoints and fault reporting.
 */
import { Block, BlockCache, blockKey } from './block-cache.js';
import { addShared, findShared, regionKey, sameBlock, sharedAt } from './code-share.js';
import * as ctl from './control.js';
import { Decoder } from './decode.js';
import {
  BreakpointHit,
  BudgetExhausted,
  CpuFault,
  CpuInterrupted,
  hex,
  UnknownTrap,
} from './faults.js';
import { materialize } from './flags.js';
import { Insn } from './insn.js';
import { compileRegion, type RegionFn } from './jit.js';
import {
  fromPair,
  type GuestMemory,
  hiOf,
  KERNEL_WINDOW_BASE,
  loOf,
  MAX_WINDOW_SIZE,
  signedOf,
  toPair,
} from './memory.js';
import { CpuState, Lazy } from './state.js';

export enum Reg {
  RAX = 0,
  RCX = 1,
  RDX = 2,
  RBX = 3,
  RSP = 4,
  RBP = 5,
  RSI = 6,
  RDI = 7,
  R8 = 8,
  R9 = 9,
  R10 = 10,
  R11 = 11,
  R12 = 12,
  R13 = 13,
  R14 = 14,
  R15 = 15,
}

export const REG_NAMES = [
  'rax',
  'rcx',
  'rdx',
  'rbx',
  'rsp',
  'rbp',
  'rsi',
  'rdi',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'r13',
  'r14',
  'r15',
] as const;

/** A host (TypeScript) function callable from guest code; its return value goes to RAX. */
export type HostFunction = (cpu: Cpu) => bigint | number | undefined | void;

export interface CpuOptions {
  /** Where host-function trap addresses are allocated (default: the top 32 MiB of the kernel window range). */
  trapBase?: bigint;
  /** How many trap addresses to reserve (default 16384; one is the return-to-host trap). */
  trapCount?: number;
  /**
   * Share compiled regions with the other Cpus of this process (default true): code compiled by
   * any Cpu for the same bytes at the same addresses is used as soon as a block is decoded,
   * without interpreting it `jitThreshold` times or compiling it again (see code-share.ts).
   */
  shareCode?: boolean;
}

/** Default trap area: just above the largest possible window, still inside the top 2 GiB. */
export const DEFAULT_TRAP_BASE = KERNEL_WINDOW_BASE + BigInt(MAX_WINDOW_SIZE);
/** Bytes between consecutive trap addresses (each looks like an aligned function of int3 bytes). */
export const TRAP_STRIDE = 16;

/** Region size limits: V8's optimizing compile time grows fast with function size. */
let MAX_REGION_BLOCKS = 4;
let MAX_REGION_INSNS = 60;
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
if (env?.['RB']) MAX_REGION_BLOCKS = Number(env['RB']);
if (env?.['RI']) MAX_REGION_INSNS = Number(env['RI']);
const STOP_RETURN = 1;
const STOP_INTERRUPT = 2;
const SYSV_ARGS = [Reg.RDI, Reg.RSI, Reg.RDX, Reg.RCX, Reg.R8, Reg.R9];
const TWO32 = 4294967296;
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Runs a compiled region. The run loop calls every region through this one call site, which is
 * made megamorphic when the module loads: with monomorphic feedback (one region compiled so far)
 * V8 inlined that region into the run loop, made the loop's optimizing compile several times
 * longer, and deoptimized the loop as soon as a second region ran.
 */
function runRegion(fn: RegionFn, c: Cpu, entry: number, blocks: readonly Block[]): void {
  fn(c, entry, blocks);
}
const notRegions: RegionFn[] = [() => {}, () => {}, () => {}];
for (const fn of notRegions) runRegion(fn, undefined as unknown as Cpu, 0, []);

/** The block ends in a call (its successor after the callee returns starts at its end). */
function endsInCall(b: Block): boolean {
  const fn = b.insns[b.n - 1]!.fn;
  return fn === ctl.callRel || fn === ctl.callE;
}

/** r[n], r[n+16] = the halves of v, a Number holding a 64-bit integer (exact below 2^53). */
function setHalves(r: Int32Array, n: number, v: number): void {
  if ((v | 0) === v) {
    r[n] = v;
    r[n + 16] = v >> 31;
    return;
  }
  if (!Number.isSafeInteger(v)) {
    // Beyond 2^53 a Number is still an integer (or not): convert exactly, or raise RangeError.
    const b = BigInt(v);
    r[n] = loOf(b);
    r[n + 16] = hiOf(b);
    return;
  }
  r[n] = v | 0;
  r[n + 16] = Math.floor(v / TWO32) | 0;
}

/** r[n], r[n+16] = the halves of a (modulo 2^64), with one BigInt operation when it is < 2^53. */
function setBigHalves(r: Int32Array, n: number, a: bigint): void {
  const v = signedOf(a);
  if (v >= -SAFE && v <= SAFE) {
    r[n] = v | 0;
    r[n + 16] = Math.floor(v / TWO32) | 0;
  } else {
    r[n] = loOf(a);
    r[n + 16] = hiOf(a);
  }
}

/** Register n = a call argument (a 64-bit integer as bigint or Number). */
function setArg(r: Int32Array, n: number, a: bigint | number): void {
  if (typeof a === 'number') setHalves(r, n, a);
  else setBigHalves(r, n, a);
}

/** What the code cache and the block compiler did so far (plain numbers; `Cpu.resetCounters()`). */
export interface JitCounters {
  /** Instructions retired in interpreted blocks (the rest of `instructionsRetired` ran compiled). */
  interpretedInstructions: number;
  /** Blocks decoded. */
  blocksDecoded: number;
  /** Regions compiled to JavaScript by this Cpu (source generated and `new Function` run). */
  regionsCompiled: number;
  /** Regions taken from the process-wide cache of compiled code instead (same address, same bytes). */
  regionsShared: number;
  /** Milliseconds spent compiling regions (generating source and `new Function`, not V8's later tiers). */
  compileMs: number;
  /** Blocks dropped because their code bytes were written. */
  blocksInvalidated: number;
  /** Whole code-cache flushes (`flushCodeCache`, breakpoints). */
  flushes: number;
}

export class Cpu extends CpuState {
  /**
   * Interpreted executions after which a block heading a loop and its hot successors are compiled
   * to JavaScript (jit.ts; other blocks wait for `jitLoopFreeThreshold`); 0 = never compile. Blocks already compiled stay compiled. With `shareCode`, a block
   * that starts a region some Cpu of this process already compiled (same bytes, same addresses)
   * runs compiled from its first execution, whatever the threshold (except 0).
   */
  jitThreshold = 200;
  /**
   * Interpreted executions after which a block that does not head a loop (no block of its region
   * jumps back to it) is compiled; values below `jitThreshold` act as `jitThreshold`. Straight-line
   * kernel code runs tens to hundreds of times per operation and V8's optimizing compile of a
   * region costs tens of milliseconds, so compiling it at `jitThreshold` costs more than it saves;
   * loops and truly hot functions still compile.
   */
  jitLoopFreeThreshold = 10000;
  /** Formats a code address for fault messages and backtraces (`module+0x12 symbol+0x4`). */
  symbolizer?: (a: bigint) => string | undefined;
  /** Disassembles one instruction for fault messages (e.g. from `@rump/cpu-x86/disasm`). */
  disassembler?: (bytes: Uint8Array, rip: bigint) => string;

  private readonly decoder: Decoder;
  private readonly cache: BlockCache;
  private readonly trapCount: number;
  private readonly hostFns: (HostFunction | undefined)[] = [undefined];
  private readonly hostNames: string[] = ['<return to host>'];
  private readonly trapBlocks: (Block | undefined)[] = [];
  /** The trap area's base as a bigint (a boot defines thousands of host functions, one address each). */
  private readonly trapBase: bigint;
  /** A breakpoint at this block key is skipped once (resuming from it). */
  private skipBreakpoint = Number.NaN;
  /** How many call()s are active (guest -> host -> guest nesting). */
  callDepth = 0;
  /** Calls of each host function, by trap index (see hostCallCounts()). */
  private readonly hostCalls: Uint32Array;
  /** Instructions between RIP samples (0 = off); see `sampleInterval`. */
  private sampleEvery = 0;
  /**
   * Receives a RIP sample (the start of the block about to run, as int32 halves) every
   * `sampleInterval` instructions, at block boundaries (also inside compiled regions).
   */
  onSample: ((ripLo: number, ripHi: number) => void) | null = null;
  /** Instructions retired by interpreted blocks (jitCounters()). */
  private interpreted = 0;
  private regionsCompiled = 0;
  private regionsShared = 0;
  /**
   * Compile time so far, in a typed array: a fractional number stored in a field first holding 0
   * changes the field's representation (small integer to double), which gives every Cpu a new
   * hidden class and deoptimized every handler compiled for the old one.
   */
  private readonly compileTime = new Float64Array(1);
  /** Take compiled regions from (and give them to) the process-wide cache (CpuOptions.shareCode). */
  private readonly shareCode: boolean;
  /** Set while binding a shared region (its other blocks are decoded then: no nested binding). */
  private attaching = false;

  constructor(memory: GuestMemory, options: CpuOptions = {}) {
    super(memory);
    const base = options.trapBase ?? DEFAULT_TRAP_BASE;
    this.trapCount = options.trapCount ?? 16384;
    const size = Math.ceil((this.trapCount * TRAP_STRIDE) / 4096) * 4096;
    if (!memory.isMapped(base, size)) {
      memory.mapRegion(base, size, 'host traps');
      memory.fill(base, size, 0xcc);
    }
    [this.trapLo, this.trapHi] = toPair(base);
    this.trapBase = BigInt.asUintN(64, base);
    this.trapBytes = this.trapCount * TRAP_STRIDE;
    this.hostCalls = new Uint32Array(this.trapCount);
    this.decoder = new Decoder(memory);
    this.cache = new BlockCache(
      memory,
      this.decoder,
      (lo, hi) => this.trapBlockAt(lo, hi),
      this.trapLo,
      this.trapHi,
      this.trapBytes,
    );
    this.shareCode = options.shareCode ?? true;
    if (this.shareCode) this.cache.onDecoded = (b) => this.bindShared(b);
  }

  // ------------------------------------------------------------------ registers

  getReg(r: Reg): bigint {
    return fromPair(this.r[r]!, this.r[r + 16]!);
  }
  setReg(r: Reg, v: bigint): void {
    setBigHalves(this.r, r, v);
  }
  get rip(): bigint {
    return fromPair(this.ripLo, this.ripHi);
  }
  set rip(v: bigint) {
    this.ripLo = loOf(v);
    this.ripHi = hiOf(v);
  }
  get rflags(): bigint {
    return BigInt(materialize(this) >>> 0);
  }
  set rflags(v: bigint) {
    this.lazy = Lazy.None;
    this.flags = (Number(v & 0xffffffffn) | 2) & 0x3f7fd7;
  }
  get fsBase(): bigint {
    return fromPair(this.fsLo, this.fsHi);
  }
  set fsBase(v: bigint) {
    [this.fsLo, this.fsHi] = toPair(v);
  }
  get gsBase(): bigint {
    return fromPair(this.gsLo, this.gsHi);
  }
  set gsBase(v: bigint) {
    [this.gsLo, this.gsHi] = toPair(v);
  }

  /** A register's signed 64-bit value as a Number (exact below 2^53: ints, sizes, Kvas). */
  regNum(r: Reg): number {
    return this.r[r + 16]! * TWO32 + (this.r[r]! >>> 0);
  }
  /** Sets a register from a Number holding a signed (or unsigned) 64-bit integer, exact below 2^53. */
  setRegNum(r: Reg, v: number): void {
    setHalves(this.r, r, v);
  }

  /** Integer argument i of the current host call (SysV AMD64). */
  arg(i: number): bigint {
    if (i < 6) {
      const n = SYSV_ARGS[i]!;
      return fromPair(this.r[n]!, this.r[n + 16]!);
    }
    return fromPair(this.stackArg(i), this.memory.hi);
  }
  /** Low int32 half of argument i (an `int` argument, or a Kva when it is a window pointer). */
  argLo(i: number): number {
    return i < 6 ? this.r[SYSV_ARGS[i]!]! : this.stackArg(i);
  }
  /** High int32 half of argument i. */
  argHi(i: number): number {
    if (i < 6) return this.r[SYSV_ARGS[i]! + 16]!;
    this.stackArg(i);
    return this.memory.hi;
  }
  /**
   * Argument i's signed 64-bit value as a Number, with no BigInt: exact below 2^53 (sizes,
   * offsets, negative errnos), and a kernel-window pointer comes out as its Kva (an int32 < 0).
   */
  argNum(i: number): number {
    if (i < 6) {
      const n = SYSV_ARGS[i]!;
      return this.r[n + 16]! * TWO32 + (this.r[n]! >>> 0);
    }
    const lo = this.stackArg(i);
    return this.memory.hi * TWO32 + (lo >>> 0);
  }
  /** Loads stack argument i (>= 6): returns the low half, the high half is in memory.hi. */
  private stackArg(i: number): number {
    const r = this.r;
    const s = (r[4]! >>> 0) + 8 * (i - 5);
    return this.memory.load64(s | 0, s >= TWO32 ? (r[20]! + 1) | 0 : r[20]!);
  }

  /** All registers by name (for dumps and fault reports). */
  registers(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    REG_NAMES.forEach((n, k) => {
      out[n] = this.getReg(k);
    });
    out['rip'] = this.rip;
    out['rflags'] = this.rflags;
    out['fs_base'] = this.fsBase;
    out['gs_base'] = this.gsBase;
    return out;
  }

  // ------------------------------------------------------------------ profiling

  /**
   * Instructions between RIP samples delivered to `onSample` (0 = off, the default). Samples are
   * taken at block boundaries, so the spacing is approximate (a block is at most 64 instructions).
   * Costs one subtraction and comparison per block when off.
   */
  get sampleInterval(): number {
    return this.sampleEvery;
  }
  set sampleInterval(n: number) {
    if (!(n >= 0)) throw new RangeError(`Cpu.sampleInterval: ${n} must be >= 0`);
    this.sampleEvery = n;
    this.sampleLeft = n > 0 ? n : Number.POSITIVE_INFINITY;
  }

  override sample(lo: number, hi: number): void {
    const every = this.sampleEvery;
    this.sampleLeft = every > 0 ? this.sampleLeft + every : Number.POSITIVE_INFINITY;
    if (this.sampleLeft <= 0) this.sampleLeft = every;
    this.onSample?.(lo, hi);
  }

  /** A snapshot of the code-cache and compiler counters. */
  jitCounters(): JitCounters {
    const c = this.cache;
    return {
      interpretedInstructions: this.interpreted,
      blocksDecoded: c.decoded,
      regionsCompiled: this.regionsCompiled,
      regionsShared: this.regionsShared,
      compileMs: this.compileTime[0]!,
      blocksInvalidated: c.invalidated,
      flushes: c.flushes,
    };
  }

  /** Zeroes the JIT counters and the host-call counts. */
  resetCounters(): void {
    this.interpreted = 0;
    this.regionsCompiled = 0;
    this.regionsShared = 0;
    this.compileTime[0] = 0;
    this.cache.decoded = 0;
    this.cache.invalidated = 0;
    this.cache.flushes = 0;
    this.hostCalls.fill(0);
  }

  // ------------------------------------------------------------------ host functions

  defineHostFunction(name: string, fn: HostFunction): bigint {
    const idx = this.hostFns.length;
    if (idx >= this.trapCount)
      throw new RangeError(
        `defineHostFunction(${name}): all ${this.trapCount} trap addresses are used`,
      );
    this.hostFns.push(fn);
    this.hostNames.push(name);
    return this.trapAddress(idx);
  }

  hostFunctionName(address: bigint): string | undefined {
    const idx = this.trapIndex(...toPair(address));
    return idx > 0 && idx < this.hostFns.length ? this.hostNames[idx] : undefined;
  }

  /** Names of the host functions by trap index (0 is the return-to-host trap). Live; do not modify. */
  hostFunctionNames(): readonly string[] {
    return this.hostNames;
  }

  /**
   * Calls of each host function so far, indexed like `hostFunctionNames()` (always counted; one
   * increment per call). The live array: copy it to take a snapshot, `fill(0)` to reset.
   */
  hostCallCounts(): Uint32Array {
    return this.hostCalls;
  }

  private trapAddress(idx: number): bigint {
    return this.trapBase + BigInt(idx * TRAP_STRIDE);
  }

  /** Trap index of (lo, hi), or -1 outside the trap area / not on a trap address. */
  private trapIndex(lo: number, hi: number): number {
    if (hi !== this.trapHi) return -1;
    const d = (lo >>> 0) - (this.trapLo >>> 0);
    if (d < 0 || d >= this.trapCount * TRAP_STRIDE) return -1;
    return d % TRAP_STRIDE === 0 ? d / TRAP_STRIDE : -2;
  }

  private trapBlockAt(lo: number, hi: number): Block | undefined {
    const idx = this.trapIndex(lo, hi);
    if (idx === -1) return undefined;
    if (idx === -2) throw new UnknownTrap(fromPair(lo, hi));
    let b = this.trapBlocks[idx];
    if (b === undefined) {
      const insn = new Insn();
      insn.fn = (c) => c.hostTrap(insn);
      // `| 0`: idx comes from a division of doubles; storing it unconverted would make Insn.op a
      // double field for every instruction (V8 generalizes the field), slowing every handler.
      insn.op = idx | 0;
      insn.ripLo = lo;
      insn.ripHi = hi;
      insn.nextLo = lo;
      insn.nextHi = hi;
      b = new Block(lo, hi, lo, hi, [insn], false, true);
      this.trapBlocks[idx] = b;
    }
    return b;
  }

  /** Executes a trap: return-to-host, or a host function followed by an emulated `ret`. */
  override hostTrap(i: Insn): void {
    const idx = i.op;
    if (idx === 0) {
      this.stop |= STOP_RETURN;
      return;
    }
    if (this.hostFns[idx] === undefined) throw new UnknownTrap(fromPair(i.ripLo, i.ripHi));
    this.callHost(idx, i.ripLo, i.ripHi);
  }

  /**
   * Called by a compiled region when control leaves its blocks: when rip is a host function's
   * trap (not the return-to-host trap), executes that trap exactly as the run loop would — one
   * instruction of budget, a RIP sample, the call count, the host function with rip on the trap,
   * RAX, `ret` — and returns true, so the region goes on at the return address without returning
   * to the run loop (a hypercall in a compiled loop stays in the loop). Returns false, changing
   * nothing, for any other address or when the budget cannot pay for the trap (the run loop then
   * raises BudgetExhausted at it). A fault raised by the host function names the trap and leaves
   * the trap unretired, as from the run loop.
   */
  override hostCallInline(): boolean {
    const lo = this.ripLo;
    const hi = this.ripHi;
    if (hi !== this.trapHi) return false;
    const d = (lo >>> 0) - (this.trapLo >>> 0);
    if (d <= 0 || d % TRAP_STRIDE !== 0) return false;
    const idx = (d / TRAP_STRIDE) | 0;
    if (idx >= this.hostFns.length || this.hostFns[idx] === undefined || this.budget < 1)
      return false;
    if ((this.sampleLeft -= 1) <= 0) this.sample(lo, hi);
    this.budget -= 1;
    this.blockBase = this.instructionsRetired;
    this.instructionsRetired += 1;
    try {
      this.callHost(idx, lo, hi);
    } catch (e) {
      if (e instanceof CpuFault && !e.attached) {
        this.instructionsRetired = this.blockBase;
        this.ripLo = lo;
        this.ripHi = hi;
        this.attachFault(e);
      }
      throw e;
    }
    return true;
  }

  /** Runs host function idx (its trap at lo, hi): count, call, RAX, then an emulated `ret`. */
  private callHost(idx: number, lo: number, hi: number): void {
    const fn = this.hostFns[idx]!;
    this.hostCalls[idx] = this.hostCalls[idx]! + 1;
    // rip stays on the trap while the host function runs (backtraces, nested calls).
    this.ripLo = lo;
    this.ripHi = hi;
    const result = fn(this);
    const r = this.r;
    if (typeof result === 'number') {
      if ((result | 0) === result) {
        r[0] = result;
        r[16] = result >> 31;
      } else if (Number.isSafeInteger(result)) {
        setHalves(r, 0, result);
      } else {
        if (!Number.isInteger(result))
          throw new TypeError(`host function ${this.hostNames[idx]} returned ${result}`);
        this.setReg(Reg.RAX, BigInt(result));
      }
    } else if (typeof result === 'bigint') setBigHalves(r, 0, result);
    // ret
    const m = this.memory;
    const ret = m.load64(r[4]!, r[20]!);
    this.ripLo = ret;
    this.ripHi = m.hi;
    const s = (r[4]! >>> 0) + 8;
    r[4] = s | 0;
    if (s >= 4294967296) r[20] = (r[20]! + 1) | 0;
  }

  // ------------------------------------------------------------------ calls into the guest

  /**
   * Calls guest code at `address` with SysV arguments; runs until it returns; returns RAX.
   * Number arguments are 64-bit integers (negative ones are two's complement); for calls without
   * any BigInt or allocation see `callNum`.
   */
  call(address: bigint, ...args: (bigint | number)[]): bigint {
    const n = args.length;
    const r = this.r;
    if (r[4] === 0 && r[20] === 0) throw new Error('Cpu.call: set RSP to a mapped stack first');
    for (let k = 0; k < n && k < 6; k++) setArg(r, SYSV_ARGS[k]!, args[k]!);
    const s = this.scratch;
    setBigHalves(s, 1, address);
    this.enter(s[1]!, s[17]!, args, n);
    return fromPair(r[0]!, r[16]!);
  }

  /**
   * `call` without BigInt or allocation, for up to six arguments: the function address and the
   * arguments are signed 64-bit values as Numbers (a Kva — a kernel-window address as an int32 < 0 —
   * ints, sizes; exact below 2^53). Unused argument registers are set to 0. Returns RAX's signed
   * value (exact below 2^53; `cpu.r[Reg.RAX]` holds its low int32 half, e.g. for an `int` result).
   */
  callNum(address: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
    const r = this.r;
    if (r[4] === 0 && r[20] === 0) throw new Error('Cpu.call: set RSP to a mapped stack first');
    setHalves(r, Reg.RDI, a0);
    setHalves(r, Reg.RSI, a1);
    setHalves(r, Reg.RDX, a2);
    setHalves(r, Reg.RCX, a3);
    setHalves(r, Reg.R8, a4);
    setHalves(r, Reg.R9, a5);
    let hi: number;
    let lo: number;
    if ((address | 0) === address) {
      // `| 0`: a caller's Kva may be a boxed double holding an int32 (from arithmetic on
      // doubles); rip must stay a small integer for the fields and code that hold it.
      lo = address | 0;
      hi = address >> 31;
    } else {
      if (!Number.isSafeInteger(address))
        throw new RangeError(`Cpu.callNum: address ${address} is not an exact integer`);
      lo = address | 0;
      hi = Math.floor(address / TWO32) | 0;
    }
    this.enter(lo, hi, null, 0);
    return r[16]! * TWO32 + (r[0]! >>> 0);
  }

  /**
   * Pushes stack arguments 6..n-1 of `args` and the return-to-host trap, runs the guest from
   * (lo, hi) until it returns, and restores rsp/rip (saved as halves: no BigInt).
   */
  private enter(
    lo: number,
    hi: number,
    args: readonly (bigint | number)[] | null,
    n: number,
  ): void {
    const r = this.r;
    const m = this.memory;
    const savedRipLo = this.ripLo;
    const savedRipHi = this.ripHi;
    const savedRspLo = r[4]!;
    const savedRspHi = r[20]!;
    let spLo = savedRspLo & ~15;
    let spHi = savedRspHi;
    let s: number;
    if (n > 6 && (n - 6) % 2 === 1) {
      s = (spLo >>> 0) - 8;
      spLo = s | 0;
      if (s < 0) spHi = (spHi - 1) | 0;
    }
    for (let k = n - 1; k >= 6; k--) {
      s = (spLo >>> 0) - 8;
      spLo = s | 0;
      if (s < 0) spHi = (spHi - 1) | 0;
      const a = args![k]!;
      setArg(this.scratch, 0, a);
      m.store64(spLo, spHi, this.scratch[0]!, this.scratch[16]!);
    }
    s = (spLo >>> 0) - 8;
    spLo = s | 0;
    if (s < 0) spHi = (spHi - 1) | 0;
    m.store64(spLo, spHi, this.trapLo, this.trapHi);
    r[4] = spLo;
    r[20] = spHi;
    this.ripLo = lo;
    this.ripHi = hi;
    this.callDepth++;
    try {
      this.run();
    } catch (e) {
      // A CPU fault leaves the machine state where it happened (for dumps, and so resume() can
      // continue after a breakpoint, the budget or interrupt()). A host exception (e.g. a kernel
      // panic) unwinds this level, restoring rsp and rip, so the Cpu stays usable.
      if (!(e instanceof CpuFault)) {
        r[4] = savedRspLo;
        r[20] = savedRspHi;
        this.ripLo = savedRipLo;
        this.ripHi = savedRipHi;
      }
      throw e;
    } finally {
      this.callDepth--;
    }
    r[4] = savedRspLo;
    r[20] = savedRspHi;
    this.ripLo = savedRipLo;
    this.ripHi = savedRipHi;
  }
  /** Halves of a stack argument being pushed (index 0 and 16, like a register). */
  private readonly scratch = new Int32Array(32);

  /**
   * Continues after a BreakpointHit / BudgetExhausted / CpuInterrupted raised out of an outermost
   * `call()`: runs until that call's guest function returns, then returns RAX.
   */
  resume(): bigint {
    this.run();
    return fromPair(this.r[0]!, this.r[16]!);
  }

  /** Runs blocks from rip until the return-to-host trap. */
  private run(): void {
    let block: Block | null = null;
    let k = 0;
    let atBoundary = true;
    let inRegion = false;
    const cache = this.cache;
    try {
      let cur: Block = cache.get(this.ripLo, this.ripHi);
      for (;;) {
        block = cur;
        const n = cur.n;
        atBoundary = true;
        if (this.budget < n) throw new BudgetExhausted();
        if (cur.bp) {
          const key = blockKey(cur.startLo, cur.startHi);
          if (key !== this.skipBreakpoint) {
            this.skipBreakpoint = key;
            throw new BreakpointHit(fromPair(cur.startLo, cur.startHi));
          }
        }
        this.skipBreakpoint = Number.NaN;
        atBoundary = false;
        const region = cur.region;
        if (region !== null) {
          // Compiled: the region accounts for its own blocks and returns when control leaves it.
          inRegion = true;
          runRegion(region, this, cur.regionIndex, cur.regionBlocks!);
          inRegion = false;
        } else {
          if ((this.sampleLeft -= n) <= 0) this.sample(cur.startLo, cur.startHi);
          this.budget -= n;
          this.blockBase = this.instructionsRetired;
          this.instructionsRetired += n;
          this.interpreted += n;
          this.ripLo = cur.endLo;
          this.ripHi = cur.endHi;
          const insns = cur.insns;
          for (k = 0; k < n; k++) {
            const i = insns[k]!;
            i.fn(this, i);
          }
          const hits = ++cur.hits;
          if ((hits === this.jitThreshold || hits === cur.jitAt) && !cur.trap)
            this.compileFrom(cur);
        }
        atBoundary = true;
        if (this.stop !== 0) {
          if (this.stop & STOP_RETURN) {
            this.stop &= ~STOP_RETURN;
            return;
          }
          this.stop &= ~STOP_INTERRUPT;
          throw new CpuInterrupted();
        }
        // Follow the successor cache, else look the block up (and remember it).
        const lo = this.ripLo;
        const hi = this.ripHi;
        const s1: Block | null = cur.s1;
        if (s1 !== null && s1.startLo === lo && s1.startHi === hi && s1.valid) {
          cur = s1;
          continue;
        }
        const s2: Block | null = cur.s2;
        if (s2 !== null && s2.startLo === lo && s2.startHi === hi && s2.valid) {
          cur = s2;
          continue;
        }
        const next = cache.get(lo, hi);
        if (region === null) {
          if (cur.s1 === null || !cur.s1.valid) cur.s1 = next;
          else cur.s2 = next;
        }
        cur = next;
      }
    } catch (e) {
      if (e instanceof CpuFault && !e.attached) {
        if (inRegion && block !== null && block.regionBlocks !== null) {
          block = block.regionBlocks[this.blk] ?? null;
          k = this.k;
        }
        if (!atBoundary && block !== null && k < block.n) {
          // Raised by instruction k of the block: it did not retire, and rip names it.
          const i = block.insns[k]!;
          this.instructionsRetired = this.blockBase + k;
          this.ripLo = i.ripLo;
          this.ripHi = i.ripHi;
        }
        this.attachFault(e);
      }
      throw e;
    }
  }

  /**
   * Compiles `entry` and the blocks that have followed it (transitively, through the successor
   * caches) into one region, so loops spanning several blocks run inside one JavaScript function.
   * The same region compiled before (by any Cpu: same addresses, same bytes) is reused.
   */
  private compileFrom(entry: Block): void {
    const blocks: Block[] = [];
    const seen = new Set<Block>();
    const queue: Block[] = [entry];
    let insns = 0;
    while (queue.length > 0 && blocks.length < MAX_REGION_BLOCKS && insns < MAX_REGION_INSNS) {
      const b = queue.shift()!;
      if (seen.has(b) || !b.valid || b.trap || b.bp) continue;
      seen.add(b);
      if (b !== entry && b.hits === 0) continue;
      blocks.push(b);
      insns += b.n;
      for (const s of [b.s1, b.s2]) {
        if (s === null) continue;
        if (!s.trap) queue.push(s);
        else if (endsInCall(b)) {
          // A call of a host function runs inside the region (hostCallInline): the block at the
          // return address follows it there.
          const ret = this.cache.peek(b.endLo, b.endHi);
          if (ret !== undefined) queue.push(ret);
        }
      }
    }
    if (
      entry.hits < this.jitLoopFreeThreshold &&
      !blocks.some((b) => b.s1 === entry || b.s2 === entry)
    ) {
      // Not a loop header: wait until it proves hot (see jitLoopFreeThreshold).
      entry.jitAt = this.jitLoopFreeThreshold;
      return;
    }
    const t0 = performance.now();
    const entries = blocks.map((b) => b.region === null || b === entry);
    let fn: RegionFn;
    if (this.shareCode) {
      const key = regionKey(blocks);
      const shared = findShared(key);
      if (shared !== undefined) {
        fn = shared.fn;
        this.regionsShared++;
      } else {
        fn = compileRegion(blocks);
        addShared(key, fn, blocks, entries);
        this.regionsCompiled++;
      }
    } else {
      fn = compileRegion(blocks);
      this.regionsCompiled++;
    }
    this.compileTime[0] = this.compileTime[0]! + (performance.now() - t0);
    blocks.forEach((b, idx) => {
      if (entries[idx]) {
        b.region = fn;
        b.regionIndex = idx;
        b.regionBlocks = blocks;
      }
    });
  }

  /**
   * A block was just decoded: if some Cpu compiled a region with an entry here, and this memory
   * holds the same bytes at the same addresses for all of its blocks, bind that region's function
   * to this Cpu's blocks now (decoding the others), instead of interpreting and compiling again.
   */
  private bindShared(b: Block): void {
    if (this.attaching || this.jitThreshold <= 0 || b.bp) return;
    const candidates = sharedAt(b.startLo, b.startHi);
    if (candidates === undefined) return;
    this.attaching = true;
    try {
      for (let c = candidates.length - 1; c >= 0; c--) {
        const shared = candidates[c]!;
        const blocks: Block[] = [];
        for (const s of shared.blocks) {
          let mine: Block;
          if (s.startLo === b.startLo && s.startHi === b.startHi) mine = b;
          else {
            try {
              mine = this.cache.get(s.startLo, s.startHi);
            } catch {
              break; // no longer decodable here: not the same code
            }
          }
          if (!mine.valid || mine.bp || mine.trap || !sameBlock(mine, s)) break;
          blocks.push(mine);
        }
        if (blocks.length !== shared.blocks.length) continue;
        shared.blocks.forEach((s, idx) => {
          const mine = blocks[idx]!;
          if (s.entry && mine.region === null) {
            mine.region = shared.fn;
            mine.regionIndex = idx;
            mine.regionBlocks = blocks;
          }
        });
        this.regionsShared++;
        if (b.region !== null) return;
      }
    } finally {
      this.attaching = false;
    }
  }

  /** Instructions retired before `i` in the current block (for rdtsc). */
  override retiredAt(i: Insn): number {
    return this.blockBase + i.index0;
  }

  // ------------------------------------------------------------------ debugging

  /** Executes one instruction at rip (a host trap counts as one). Ignores breakpoints. */
  step(): void {
    const lo = this.ripLo;
    const hi = this.ripHi;
    const trap = this.trapBlockAt(lo, hi);
    let i: Insn;
    try {
      i = trap !== undefined ? trap.insns[0]! : this.decoder.decode(lo, hi, new Insn());
      this.blockBase = this.instructionsRetired;
      if (this.budget < 1) throw new BudgetExhausted();
      this.ripLo = i.nextLo;
      this.ripHi = i.nextHi;
      i.fn(this, i);
      this.instructionsRetired++;
      this.interpreted++;
      this.budget--;
      this.stop &= ~STOP_RETURN;
    } catch (e) {
      if (e instanceof CpuFault) {
        this.ripLo = lo;
        this.ripHi = hi;
        this.attachFault(e);
      }
      throw e;
    }
  }

  addBreakpoint(a: bigint): void {
    this.cache.breakpoints.add(blockKey(...toPair(a)));
    this.cache.flush();
  }
  removeBreakpoint(a: bigint): void {
    this.cache.breakpoints.delete(blockKey(...toPair(a)));
    this.cache.flush();
  }

  /** Requests a CpuInterrupted fault at the next block boundary. */
  interrupt(): void {
    this.stop |= STOP_INTERRUPT;
  }

  /** Forgets decoded code (needed only after rewriting code bytes through windowU8()/windowView()). */
  flushCodeCache(): void {
    this.cache.flush();
  }

  /** rip, then the return addresses found by walking the rbp chain (at most 64 frames). */
  backtrace(): bigint[] {
    const out = [this.rip];
    const m = this.memory;
    if (this.trapIndex(this.ripLo, this.ripHi) > 0) {
      // Inside a host function: the guest's return address is on top of the stack.
      const sp = this.getReg(Reg.RSP);
      if (m.isMapped(sp, 8)) out.push(m.read64(sp));
    }
    let bp = this.getReg(Reg.RBP);
    for (let n = 0; n < 64; n++) {
      if (bp === 0n || bp % 8n !== 0n || !m.isMapped(bp, 16)) break;
      const ret = m.read64(bp + 8n);
      if (ret === 0n) break;
      out.push(ret);
      const next = m.read64(bp);
      if (next <= bp) break;
      bp = next;
    }
    return out;
  }

  /** `module+0x12 symbol+0x4` via the symbolizer, the host function name, or hex. */
  describe(a: bigint): string {
    const name = this.hostFunctionName(a);
    if (name !== undefined) return `${hex(a)} <host ${name}>`;
    if (this.trapIndex(...toPair(a)) === 0) return `${hex(a)} <return to host>`;
    const s = this.symbolizer?.(a);
    return s !== undefined ? `${hex(a)} ${s}` : hex(a);
  }

  private attachFault(e: CpuFault): void {
    if (e.attached) return;
    let disassembly: string | undefined;
    try {
      if (this.memory.isMapped(this.rip, 1)) {
        const bytes: number[] = [];
        for (let k = 0; k < 15 && this.memory.isMapped(this.rip + BigInt(k), 1); k++) {
          bytes.push(this.memory.read8(this.rip + BigInt(k)));
        }
        const b = Uint8Array.from(bytes);
        disassembly = this.disassembler?.(b, this.rip);
      }
    } catch {
      disassembly = undefined;
    }
    e.attach({
      rip: this.rip,
      registers: this.registers(),
      backtrace: this.backtrace(),
      describe: (a) => this.describe(a),
      ...(disassembly !== undefined ? { disassembly } : {}),
    });
  }
}
