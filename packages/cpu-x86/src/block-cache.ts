/**
 * Decoded basic blocks, keyed by guest address. A block is decoded once and re-executed from its
 * pre-decoded instructions; each block remembers up to two successors so the run loop usually
 * follows a pointer instead of a map lookup. Pages holding decoded code are marked in GuestMemory,
 * and a guest or host write that overlaps a block's bytes invalidates that block.
 */
import * as ctl from './control.js';
import type { Decoder } from './decode.js';
import { CpuFault } from './faults.js';
import { type Handler, Insn } from './insn.js';
import type { RegionFn } from './jit.js';
import { CODE_LINE, type GuestMemory } from './memory.js';
import * as sys from './system.js';

const TWO32 = 4294967296;
const NO_BYTES = new Uint8Array(0);
/** Slots of BlockCache.recent (a power of two). */
const RECENT = 4096;
/** Longest block (instructions); long straight-line code is split so budget checks stay frequent. */
const MAX_BLOCK = 64;

/** Handlers after which a block ends (they may change rip, or always trap). */
const ENDS_BLOCK = new Set<Handler>([
  ctl.jmpRel,
  ctl.jcc,
  ctl.jmpE,
  ctl.callRel,
  ctl.callE,
  ctl.ret,
  ctl.loop,
  ctl.jrcxz,
  sys.int3,
  sys.intN,
  sys.ud2,
  sys.privileged,
]);

export class Block {
  readonly insns: Insn[];
  readonly n: number;
  valid = true;
  /** The compiled region this block is an entry of (see jit.ts), once it is hot. */
  region: RegionFn | null = null;
  /** This block's index inside `region`. */
  regionIndex = 0;
  /** This Cpu's blocks of `region`, in compile order (its `V` argument; fault reports). */
  regionBlocks: readonly Block[] | null = null;
  /** Executions so far while interpreted. */
  hits = 0;
  /** A later execution count at which to try compiling again (0 = none; Cpu.jitLoopFreeThreshold). */
  jitAt = 0;
  /** Successor cache (blocks that followed this one). */
  s1: Block | null = null;
  s2: Block | null = null;
  constructor(
    readonly startLo: number,
    readonly startHi: number,
    readonly endLo: number,
    readonly endHi: number,
    insns: Insn[],
    /** A debugger breakpoint is set on the first instruction. */
    readonly bp: boolean,
    /** A host-function trap (never compiled). */
    readonly trap = false,
    /** The code bytes [start, end) as decoded (the key of shared compiled code, code-share.ts). */
    readonly bytes: Uint8Array = NO_BYTES,
  ) {
    this.insns = insns;
    this.n = insns.length;
  }
}

/**
 * An address as a signed number: exact for every canonical address (|value| < 2^47), and equal to
 * the int32 `lo` for kernel-window addresses. Used as the map key of blocks and pages.
 */
export function blockKey(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

export class BlockCache {
  private readonly blocks = new Map<number, Block>();
  /** Blocks by the code line(s) their bytes occupy, for invalidation. */
  private readonly byPage = new Map<number, Block[]>();
  /** Breakpoint addresses as keys. */
  readonly breakpoints = new Set<number>();

  /** Blocks decoded, dropped by code writes, and whole flushes (Cpu.counters). */
  decoded = 0;
  invalidated = 0;
  flushes = 0;
  /** Called once for every newly decoded (non-trap) block, after it is in the cache. */
  onDecoded: ((b: Block) => void) | null = null;

  constructor(
    private readonly memory: GuestMemory,
    private readonly decoder: Decoder,
    /** Builds the block for an address in the host-trap area, or returns undefined. */
    private readonly trapBlock: (lo: number, hi: number) => Block | undefined,
    /**
     * The host-trap area [trapLo:trapHi, + trapBytes): a block being decoded ends before it. Given
     * as numbers so that decodeBlock tests each instruction's successor inline (a call of
     * `trapBlock` per decoded instruction cost measurable boot time).
     */
    private readonly trapLo = 0,
    private readonly trapHi = 0,
    private readonly trapBytes = 0,
  ) {
    memory.onCodeWrite((lo, hi, len) => this.invalidate(lo, hi, len));
  }

  /**
   * Direct-mapped cache in front of `blocks`: the run loop looks up every block it reaches without
   * a successor pointer (call entries, returns from host functions, indirect jumps); a Map lookup
   * with a double key costs several times more. Dropped blocks are caught by their `valid` flag.
   */
  private readonly recent: (Block | undefined)[] = new Array<Block | undefined>(RECENT).fill(
    undefined,
  );

  get(lo: number, hi: number): Block {
    const slot = (lo ^ (lo >>> 11)) & (RECENT - 1);
    const r = this.recent[slot];
    if (r !== undefined && r.startLo === lo && r.startHi === hi && r.valid) return r;
    const key = blockKey(lo, hi);
    const b = this.blocks.get(key);
    if (b !== undefined) {
      this.recent[slot] = b;
      return b;
    }
    const trap = this.trapBlock(lo, hi);
    const nb = trap ?? this.decodeBlock(lo, hi);
    this.blocks.set(key, nb);
    this.recent[slot] = nb;
    if (trap === undefined && this.onDecoded !== null) this.onDecoded(nb);
    return nb;
  }

  /** The valid block already decoded at (lo, hi), without decoding one. */
  peek(lo: number, hi: number): Block | undefined {
    const b = this.blocks.get(blockKey(lo, hi));
    return b?.valid ? b : undefined;
  }

  private decodeBlock(lo: number, hi: number): Block {
    const insns: Insn[] = [];
    let cl = lo;
    let ch = hi;
    for (;;) {
      let insn: Insn;
      try {
        insn = this.decoder.decode(cl, ch, new Insn());
      } catch (e) {
        // The first instruction faults now; a later one faults only if execution reaches it.
        if (insns.length === 0 || !(e instanceof CpuFault)) throw e;
        break;
      }
      insn.index0 = insns.length;
      insns.push(insn);
      cl = insn.nextLo;
      ch = insn.nextHi;
      if (ENDS_BLOCK.has(insn.fn) || insns.length >= MAX_BLOCK) break;
      if (this.breakpoints.size !== 0 && this.breakpoints.has(blockKey(cl, ch))) break;
      // Into the trap area: ends the block (the run loop gets the trap block there, or UnknownTrap).
      if (ch === this.trapHi && ((cl >>> 0) - (this.trapLo >>> 0)) >>> 0 < this.trapBytes) break;
    }
    const last = insns[insns.length - 1]!;
    const len = blockKey(last.ripLo, last.ripHi) + last.len - blockKey(lo, hi);
    const block = new Block(
      lo,
      hi,
      cl,
      ch,
      insns,
      this.breakpoints.has(blockKey(lo, hi)),
      false,
      this.codeBytes(lo, hi, len),
    );
    this.decoded++;
    for (let off = 0; off < len + CODE_LINE; off += CODE_LINE) {
      const at = Math.min(off, len - 1);
      const s = (lo >>> 0) + at;
      this.register(block, s | 0, s >= TWO32 ? (hi + 1) | 0 : hi);
    }
    return block;
  }

  /** The `len` bytes at (lo, hi), just decoded (so mapped). */
  private codeBytes(lo: number, hi: number, len: number): Uint8Array {
    const m = this.memory;
    if (hi === -1 && lo < 0) {
      const o = lo & 0x7fffffff;
      if (o + len <= m.windowSize) return m.u8.slice(o, o + len);
    }
    const out = new Uint8Array(len);
    let l = lo;
    let h = hi;
    for (let k = 0; k < len; k++) {
      out[k] = m.fetch8(l, h);
      l = (l + 1) | 0;
      if (l === 0) h = (h + 1) | 0;
    }
    return out;
  }

  private pageKey(lo: number, hi: number): number {
    return Math.floor(blockKey(lo, hi) / CODE_LINE);
  }

  private register(block: Block, lo: number, hi: number): void {
    const key = this.pageKey(lo, hi);
    let list = this.byPage.get(key);
    if (list === undefined) {
      list = [];
      this.byPage.set(key, list);
    }
    if (!list.includes(block)) list.push(block);
    this.memory.markCode(lo, hi);
  }

  /** Drops blocks whose bytes overlap [lo:hi, +len). */
  invalidate(lo: number, hi: number, len: number): void {
    const start = blockKey(lo, hi);
    const end = start + len;
    for (let p = Math.floor(start / CODE_LINE); p * CODE_LINE < end; p++) {
      const list = this.byPage.get(p);
      if (list === undefined) continue;
      for (const b of list) {
        if (!b.valid) continue;
        const bs = blockKey(b.startLo, b.startHi);
        const be = blockKey(b.endLo, b.endHi);
        if (bs < end && start < be) this.drop(b);
      }
    }
  }

  private drop(b: Block): void {
    b.valid = false;
    this.invalidated++;
    const key = blockKey(b.startLo, b.startHi);
    if (this.blocks.get(key) === b) this.blocks.delete(key);
  }

  /** Forgets every decoded block (e.g. after host code rewrote code through windowU8()). */
  flush(): void {
    this.flushes++;
    for (const b of this.blocks.values()) b.valid = false;
    this.blocks.clear();
    this.byPage.clear();
    this.memory.clearCodeMarks();
  }
}
