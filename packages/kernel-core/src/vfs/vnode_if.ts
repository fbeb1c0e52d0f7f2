/**
 * kern/vnode_if.c: the vnode-operation descriptors and the VOP_* calls.
 *
 * The 55 `vop_*_desc` objects (placed at boot by vfs_data.ts) live in kernel data with NetBSD's layout (`struct vnodeop_desc`):
 * modules put their addresses in `vnodeopv_entry_desc.opve_op` and in every args block's
 * `a_desc`, and vfs_opv_init reads `vdesc_offset` back from them. A VOP call builds the
 * `struct vop_X_args` in guest memory (first field `a_desc`) and calls `vp->v_op[offset]`:
 * module code through the CPU, or — when the slot holds a vnode operation written in TypeScript
 * (genfs_lock, spec_strategy ...) — that function directly, with the same args block.
 *
 * Args blocks come from a small LIFO stack of kernel memory: calls nest strictly (TS → guest →
 * TS ...), so a bump pointer restored in `finally` is exact.
 */

import type { Cpu } from '@rump/cpu-x86';
import type { Field, StructMeta } from '../abi/layout.js';
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import { VDESC_FACTS } from '../abi/netbsd-10.99/vdesc-table.js';
import { argHi, argKva, argLo } from '../kern/hostcall.js';
import { type Kva, kvaBig, kvaHi, kvaOf, loadKva, storeKva } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';

/** A vnode operation implemented in TypeScript: gets the args block, returns an errno. */
export type VopImpl = (ap: bigint) => number;
/** A vnode operation implemented in TypeScript taking its args block as a Kva. */
export type VopImplK = (ap: Kva) => number;
/**
 * The args-free form of a TypeScript vnode operation: its C arguments (the vnode first) as
 * Numbers — (vp, a_flags) for VOP_LOCK, (vp) for VOP_UNLOCK/ISLOCKED, (dvp, name, retval) for
 * VOP_PARSEPATH — returning the errno (LK_* for VOP_ISLOCKED).
 */
export type FastVop = (a0: Kva, a1: number, a2: number) => number;

/** fstrans entry points used by the VOP_* wrappers (kern/vfs_trans.c), installed by vfs_trans. */
export interface FstransHooks {
  start(mp: bigint): void;
  startNowait(mp: bigint): number;
  done(mp: bigint): void;
  /** The same with the mount as a Kva (the VOP dispatch path). */
  startK(mp: Kva): void;
  startNowaitK(mp: Kva): number;
  doneK(mp: Kva): void;
}

/** vdesc_offset of every operation by name: VOP.lookup === 3. */
export const VOP: Readonly<Record<string, number>> = Object.fromEntries(
  VDESC_FACTS.map((d, i) => [d.name.replace(/^vop_/, ''), i]),
);

const VOP_LOOKUP = VOP.lookup!;
const VOP_LOCK = VOP.lock!;
const VOP_UNLOCK = VOP.unlock!;
const VOP_ISLOCKED = VOP.islocked!;
const VOP_PARSEPATH = VOP.parsepath!;
const VOP_GETATTR = VOP.getattr!;
const VOP_ACCESS = VOP.access!;
const VOP_ACCESSX = VOP.accessx!;
const VOP_OPEN = VOP.open!;
const VOP_CLOSE = VOP.close!;
const VOP_INACTIVE = VOP.inactive!;
const VOP_READ = VOP.read!;

/** fstrans handling of a VOP_* wrapper (vnode_if.c vop_pre/vop_post). */
type FstOp = 'no' | 'yes' | 'lock' | 'unlock';

/** Operations whose VOP_* wrapper runs inside an fstrans transaction (vnode_if.c: FST_YES). */
const FST_YES = new Set([
  'bwrite',
  'poll',
  'kqfilter',
  'mmap',
  'seek',
  'rename',
  'abortop',
  'bmap',
  'print',
  'getacl',
  'aclcheck',
]);

const LK_SHARED = 0x1;
const LK_EXCLUSIVE = 0x2;
const LK_UPGRADE = 0x10;
const LK_DOWNGRADE = 0x20;
const LK_NOWAIT = 0x100;
const ARG_STACK_BYTES = 64 * 1024;

interface ArgField {
  readonly offset: number;
  readonly size: number;
}

interface Op {
  readonly name: string;
  readonly fst: FstOp;
  readonly offset: number;
  readonly size: number;
  /** The C arguments of VOP_X(...), in order (the `a_*` fields after a_desc). */
  readonly fields: readonly ArgField[];
  readonly upper: string;
}

/** fstrans handling as a small integer (no string compares on the dispatch path). */
const FST_NO = 0;
const FST_YES_ = 1;
const FST_LOCK = 2;
const FST_UNLOCK = 3;
const FST_CODE: Record<FstOp, number> = {
  no: FST_NO,
  yes: FST_YES_,
  lock: FST_LOCK,
  unlock: FST_UNLOCK,
};
/** Kva + WINDOW_BIAS = offset in the kernel window. */
const WINDOW_BIAS = 0x8000_0000;
const TWO32 = 4294967296;

export class VnodeIf {
  /** Guest address of each vop_X_desc, indexed by vdesc_offset. */
  readonly descs: bigint[] = [];
  fstrans: FstransHooks | undefined;
  /**
   * Observer of every VOP_* call made through the wrappers (for tracing tools): operation name
   * (`VOP_LOOKUP`), the vnode, the errno and the nesting depth. Unset: no cost.
   */
  trace: ((op: string, vp: bigint, error: number, depth: number) => void) | undefined;
  private depth = 0;
  private readonly ops: Op[] = [];
  /** Per vdesc_offset: the desc's Kva, the args block size, the fstrans code. */
  private readonly descK: Int32Array;
  private readonly sizeOf: Int32Array;
  private readonly fstOf: Uint8Array;
  /** Per vdesc_offset: argument field offsets and sizes (8 slots each, -1 past the last). */
  private readonly fieldOff: Int32Array;
  private readonly fieldSize: Int32Array;
  private readonly nfields: Uint8Array;
  /** TypeScript vnode operations by the Kva of their function address. */
  private readonly direct = new Map<number, VopImplK>();
  /** Args-free forms of TypeScript lock operations (genfs_lock ...), by function Kva. */
  private readonly fast = new Map<number, FastVop>();
  /**
   * Operations that may have an args-free form: 1 from TypeScript and guest callers (lock,
   * unlock, islocked), 2 from TypeScript callers only (parsepath).
   */
  private readonly fastOps: Uint8Array;
  private readonly argBase: Kva;
  private argTop: Kva;
  private readonly argEnd: Kva;
  private readonly vOpOff: number;
  private readonly vMountOff: number;
  private readonly vSizeOff: number;
  private readonly vWritesizeOff: number;
  private readonly lookupVppOff: number;

  constructor(private readonly k: Kernel) {
    const S = k.S as unknown as Record<string, StructMeta & Record<string, Field>>;
    this.vOpOff = k.S.vnode.v_op.offset;
    this.vMountOff = k.S.vnode.v_mount.offset;
    this.vSizeOff = k.S.vnode.v_size.offset;
    this.vWritesizeOff = k.S.vnode.v_writesize.offset;
    this.lookupVppOff = k.S.vop_lookup_v2_args.a_vpp.offset;
    // The descriptors themselves are kernel data placed at boot (vfs_data.ts) in k.vdescs.
    if (k.vdescs.length !== VDESC_FACTS.length) {
      throw new Error(
        `vnode_if: ${k.vdescs.length} vop_*_desc objects at boot, expected ${VDESC_FACTS.length}`,
      );
    }
    const n = VDESC_FACTS.length;
    this.descK = new Int32Array(n);
    this.sizeOf = new Int32Array(n);
    this.fstOf = new Uint8Array(n);
    this.fieldOff = new Int32Array(8 * n).fill(-1);
    this.fieldSize = new Int32Array(8 * n);
    this.nfields = new Uint8Array(n);
    this.fastOps = new Uint8Array(n);
    this.fastOps[VOP_LOCK] = 1;
    this.fastOps[VOP_UNLOCK] = 1;
    this.fastOps[VOP_ISLOCKED] = 1;
    this.fastOps[VOP_PARSEPATH] = 2;
    VDESC_FACTS.forEach((facts, offset) => {
      const desc = k.vdescs[offset]!;
      const stored = k.mem.read32(desc + BigInt(k.S.vnodeop_desc.vdesc_offset.offset));
      if (stored !== offset)
        throw new Error(
          `vnode_if: ${facts.name}_desc has vdesc_offset ${stored}, expected ${offset}`,
        );
      const layout = facts.args ? S[facts.args] : undefined;
      if (facts.args && !layout)
        throw new Error(`vnode_if: no ABI layout for struct ${facts.args}`);
      const fields: ArgField[] = [];
      if (layout) {
        for (const [n, fl] of Object.entries(layout)) {
          if (n.startsWith('a_') && n !== 'a_desc')
            fields.push({ offset: fl.offset, size: fl.size });
        }
      }
      if (fields.length > 8)
        throw new Error(`vnode_if: ${facts.name} has ${fields.length} arguments`);
      const name = facts.name.replace(/^vop_/, '');
      const fst: FstOp =
        name === 'lock' ? 'lock' : name === 'unlock' ? 'unlock' : FST_YES.has(name) ? 'yes' : 'no';
      this.descs.push(desc);
      this.ops.push({
        name,
        fst,
        offset,
        size: layout ? layout.$size : 8,
        fields,
        upper: `VOP_${name.toUpperCase()}`,
      });
      this.descK[offset] = kvaOf(desc);
      this.sizeOf[offset] = layout ? layout.$size : 8;
      this.fstOf[offset] = FST_CODE[fst];
      this.nfields[offset] = fields.length;
      fields.forEach((f, i) => {
        if (f.size !== 8 && f.size !== 4 && f.size !== 1)
          throw new Error(`vnode_if: ${facts.name} argument field of size ${f.size}`);
        this.fieldOff[8 * offset + i] = f.offset;
        this.fieldSize[8 * offset + i] = f.size;
      });
    });
    this.argBase = kvaOf(k.kmem.alloc(ARG_STACK_BYTES, kmflags.KM_SLEEP, true, 'vnode_if args'));
    this.argTop = this.argBase;
    this.argEnd = this.argBase + ARG_STACK_BYTES;
    // The VOP_* functions modules import (ufs_readwrite.c calls VOP_GETPAGES, ffs calls VOP_BMAP ...).
    for (const op of this.ops) {
      if (op.offset === 0) continue;
      const offset = op.offset;
      k.ksyms.function(op.upper, 'vnode_if', (cpu) => this.vopFromGuest(offset, cpu));
    }
  }

  /** Number of operations (VNODE_OPS_COUNT). */
  get count(): number {
    return this.ops.length;
  }

  /** The vdesc_offset of an operation name (`lookup` → 3); throws for an unknown name. */
  offsetOf(name: string): number {
    const o = VOP[name];
    if (o === undefined) throw new Error(`vnode_if: no vnode operation named ${name}`);
    return o;
  }

  /**
   * Defines a vnode operation written in TypeScript under its NetBSD name (`genfs_lock`): a kernel
   * symbol whose address vectors can hold, and which VOP calls run without entering the CPU.
   */
  define(name: string, subsystem: string, impl: VopImpl): bigint {
    const address = this.k.ksyms.function(name, subsystem, (cpu) => impl(cpu.arg(0)));
    this.direct.set(kvaOf(address), (ap) => impl(kvaBig(ap)));
    return address;
  }

  /** define() for an operation that takes its args block as a Kva (no BigInt per call). */
  defineK(name: string, subsystem: string, impl: VopImplK): bigint {
    const address = this.k.ksyms.function(name, subsystem, (cpu) => impl(argKva(cpu, 0)));
    this.direct.set(kvaOf(address), impl);
    return address;
  }

  /**
   * defineK for VOP_LOCK / VOP_UNLOCK / VOP_ISLOCKED implementations, with their args-free form
   * `fast(vp, flags)` (flags: a_flags for VOP_LOCK, 0 otherwise). VOP calls on vnodes whose
   * vector holds the operation run `fast` directly: no args block, same fstrans bracket.
   */
  defineLockOp(name: string, subsystem: string, impl: VopImplK, fast: FastVop): bigint {
    return this.defineFast(name, subsystem, impl, fast);
  }

  /**
   * defineK with an args-free form for the operations that take one (VOP_LOCK, VOP_UNLOCK,
   * VOP_ISLOCKED, VOP_PARSEPATH): TypeScript VOP calls run `fast` with the C arguments.
   */
  defineFast(name: string, subsystem: string, impl: VopImplK, fast: FastVop): bigint {
    const address = this.defineK(name, subsystem, impl);
    this.fast.set(kvaOf(address), fast);
    return address;
  }

  /** The TypeScript implementation behind a vector slot value, if it is one. */
  implAt(fn: bigint): VopImpl | undefined {
    const impl = this.direct.get(kvaOf(fn));
    return impl === undefined ? undefined : (ap: bigint) => impl(kvaOf(ap));
  }

  /**
   * VCALL: runs the operation at `offset` of vector `vector` with a prepared args block
   * (what VOCALL(vector, offset, ap) does in bypass routines such as ufsspec_* and rumpfs's spec
   * redirect). No fstrans or locking rules are applied here.
   */
  vocall(vector: bigint, offset: number, ap: bigint): number {
    const fn = this.k.mem.read64(vector + BigInt(8 * offset));
    if (fn === 0n) {
      this.k.panic(
        `VOCALL: vector ${this.k.describeAddress(vector)} has no entry for vop_${this.ops[offset]?.name ?? offset}`,
      );
    }
    const impl = this.direct.get(kvaOf(fn));
    if (impl !== undefined) return impl(kvaOf(ap)) | 0;
    return this.k.callGuestInt(fn, ap);
  }

  /** vocall() with the vector and args block as Kvas. */
  vocallK(vector: Kva, offset: number, ap: Kva): number {
    const m = this.k.mem;
    const at = vector + 8 * offset;
    const lo = m.load64(at, kvaHi(at));
    const hi = m.hi;
    if (hi === -1 && lo < 0) {
      const impl = this.direct.get(lo);
      if (impl !== undefined) return impl(ap) | 0;
    } else if (lo === 0 && hi === 0) {
      this.k.panic(
        `VOCALL: vector ${this.k.describeAddress(kvaBig(vector))} has no entry for vop_${this.ops[offset]?.name ?? offset}`,
      );
    }
    if (hi === -1 && lo < 0) return this.k.callGuestNum(lo, ap) | 0;
    return this.k.callGuestInt(BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)), ap);
  }

  /**
   * Reserves `size` bytes of zeroed kernel memory on the args stack; give it back with
   * `release(p)` (strict LIFO: calls nest TS → guest → TS ...).
   */
  scratch(size: number): Kva {
    const p = this.argTop;
    const top = p + ((size + 15) & ~15);
    if (top > this.argEnd)
      this.k.panic(
        `vnode_if: args stack exhausted (${ARG_STACK_BYTES} bytes): VOP calls nested too deep`,
      );
    this.argTop = top;
    // The args stack is kernel heap (never code): zero it straight in the window.
    const off = p + WINDOW_BIAS;
    this.k.mem.windowU8().fill(0, off, off + size);
    return p;
  }

  /** Gives back what scratch() returned (and everything reserved after it). */
  release(p: Kva): void {
    this.argTop = p;
  }

  /**
   * Reserves `size` bytes of guest memory for an args block (or any short-lived kernel scratch,
   * e.g. a `struct vnode *` out-parameter) for the duration of `fn`. Zero-filled.
   */
  withScratch<T>(size: number, fn: (p: bigint) => T): T {
    const p = this.scratch(size);
    try {
      return fn(kvaBig(p));
    } finally {
      this.argTop = p;
    }
  }

  /**
   * VOP_X(args...): builds `struct vop_X_args` from the C arguments in declaration order,
   * applies vnode_if.c's fstrans bracket, calls `vp->v_op[offset]` (vp = the first argument)
   * and returns the errno.
   */
  vop(offset: number, args: readonly (bigint | number)[]): number {
    const op = this.ops[offset];
    if (op === undefined || offset === 0)
      return this.k.panic(`vnode_if: no VOP with vdesc_offset ${offset}`);
    if (args.length !== op.fields.length) {
      throw new Error(`${op.upper} takes ${op.fields.length} arguments, got ${args.length}`);
    }
    const m = this.k.mem;
    const ap = this.scratch(this.sizeOf[offset]!);
    try {
      storeKva(m, ap, this.descK[offset]!);
      const base = 8 * offset;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        let lo: number;
        let hi: number;
        if (typeof a === 'number') {
          lo = a | 0;
          hi = Math.floor(a / TWO32) | 0;
        } else {
          lo = Number(BigInt.asIntN(32, a));
          hi = Number(BigInt.asIntN(32, a >> 32n));
        }
        this.storeField(ap + this.fieldOff[base + i]!, this.fieldSize[base + i]!, lo, hi);
      }
      const a0 = args[0]!;
      const vp = typeof a0 === 'number' ? a0 : kvaOf(a0);
      const a1 = args[1];
      return this.dispatch(offset, vp, ap, op.fst === 'lock' ? Number(a1) | 0 : 0);
    } finally {
      this.argTop = ap;
    }
  }

  private storeField(at: Kva, size: number, lo: number, hi: number): void {
    const m = this.k.mem;
    if (size === 8) m.store64(at, -1, lo, hi);
    else if (size === 4) m.store32(at, -1, lo);
    else m.store8(at, -1, lo & 0xff);
  }

  /**
   * VOP_X with every argument a Number: a Kva for pointers (vnodes, componentnames, out
   * parameters), an integer for flags, modes and offsets (exact below 2^53). Unused trailing
   * arguments are ignored. No BigInt, array or closure per call.
   */
  vopK(offset: number, a0: Kva, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
    if (this.fastOps[offset] !== 0) {
      const fast = this.fastOf(a0, offset);
      if (fast !== undefined)
        return this.dispatch(offset, a0, 0, offset === VOP_LOCK ? a1 : 0, fast, a1, a2);
    }
    const m = this.k.mem;
    const ap = this.scratch(this.sizeOf[offset]!);
    try {
      storeKva(m, ap, this.descK[offset]!);
      const base = 8 * offset;
      const n = this.nfields[offset]!;
      for (let i = 0; i < n; i++) {
        const a = i === 0 ? a0 : i === 1 ? a1 : i === 2 ? a2 : i === 3 ? a3 : i === 4 ? a4 : a5;
        this.storeField(
          ap + this.fieldOff[base + i]!,
          this.fieldSize[base + i]!,
          a | 0,
          Math.floor(a / TWO32) | 0,
        );
      }
      return this.dispatch(offset, a0, ap, offset === VOP_LOCK ? a1 : 0);
    } finally {
      this.argTop = ap;
    }
  }

  /** VOP_X called by guest code: the C arguments straight from the register file. */
  private vopFromGuest(offset: number, cpu: Cpu): number {
    if (this.fastOps[offset] === 1) {
      const vp = argKva(cpu, 0);
      const fast = this.fastOf(vp, offset);
      if (fast !== undefined)
        return this.dispatch(
          offset,
          vp,
          0,
          offset === VOP_LOCK ? argLo(cpu, 1) : 0,
          fast,
          argLo(cpu, 1),
        );
    }
    const m = this.k.mem;
    const ap = this.scratch(this.sizeOf[offset]!);
    try {
      storeKva(m, ap, this.descK[offset]!);
      const base = 8 * offset;
      const n = this.nfields[offset]!;
      for (let i = 0; i < n; i++) {
        let lo: number;
        let hi: number;
        if (i < 6) {
          lo = argLo(cpu, i);
          hi = argHi(cpu, i);
        } else {
          const v = cpu.arg(i);
          lo = Number(BigInt.asIntN(32, v));
          hi = Number(BigInt.asIntN(32, v >> 32n));
        }
        this.storeField(ap + this.fieldOff[base + i]!, this.fieldSize[base + i]!, lo, hi);
      }
      const vp = argKva(cpu, 0);
      return this.dispatch(offset, vp, ap, offset === VOP_LOCK ? argLo(cpu, 1) : 0);
    } finally {
      this.argTop = ap;
    }
  }

  /**
   * The TypeScript lock operation a vnode's vector holds at `offset` (VOP_LOCK, VOP_UNLOCK,
   * VOP_ISLOCKED) when it has an args-free form, else undefined.
   */
  private fastOf(vp: Kva, offset: number): FastVop | undefined {
    const m = this.k.mem;
    const fn = loadKva(m, loadKva(m, vp + this.vOpOff) + 8 * offset);
    return this.fast.get(fn);
  }

  /**
   * Calls `vp->v_op[offset]` with the fstrans bracket of vnode_if.c; `fast` (the args-free form
   * of a TypeScript lock operation) replaces the call through the vector and args block `ap`.
   */
  private dispatch(
    offset: number,
    vp: Kva,
    ap: Kva,
    lockFlags: number,
    fast: FastVop | undefined = undefined,
    a1 = 0,
    a2 = 0,
  ): number {
    const m = this.k.mem;
    const fst = this.fstOf[offset]!;
    let pre = 0; // 0 no, 1 yes, 2 try
    if (fst === FST_YES_) pre = 1;
    else if (fst === FST_LOCK && lockFlags & (LK_SHARED | LK_EXCLUSIVE)) {
      pre = lockFlags & LK_NOWAIT ? 2 : 1;
    }
    const mp = loadKva(m, vp + this.vMountOff);
    if (pre !== 0) {
      const t = this.fstrans ?? this.noFstrans(offset);
      if (pre === 2) {
        const e = t.startNowaitK(mp);
        if (e) return e;
      } else t.startK(mp);
    }
    this.depth++;
    let error: number;
    try {
      error =
        fast === undefined
          ? this.vocallK(loadKva(m, vp + this.vOpOff), offset, ap)
          : fast(vp, a1, a2) | 0;
    } finally {
      this.depth--;
    }
    if (this.trace) this.trace(this.ops[offset]!.upper, kvaBig(vp), error, this.depth);
    let post = false;
    if (fst === FST_YES_ || fst === FST_UNLOCK) post = true;
    else if (fst === FST_LOCK)
      post = !(lockFlags & (LK_UPGRADE | LK_DOWNGRADE)) && error !== 0 && pre !== 0;
    if (post) (this.fstrans ?? this.noFstrans(offset)).doneK(mp);
    if (offset === VOP_LOOKUP && error === 0) this.checkLookupResult(ap);
    return error;
  }

  private noFstrans(offset: number): never {
    return this.k.panic(`${this.ops[offset]!.upper}: fstrans is not initialised`);
  }

  /** vnode_if.c (DIAGNOSTIC): a vnode returned by VOP_LOOKUP has its sizes set. */
  private checkLookupResult(ap: Kva): void {
    const m = this.k.mem;
    const vp = loadKva(m, loadKva(m, ap + this.lookupVppOff));
    // VSIZENOTSET is -1: both halves all ones.
    const s = vp + this.vSizeOff;
    const w = vp + this.vWritesizeOff;
    const sl = m.load64(s, -1);
    const sh = m.hi;
    const wl = m.load64(w, -1);
    const wh = m.hi;
    if ((sl === -1 && sh === -1) || (wl === -1 && wh === -1)) {
      this.k.panic(
        `kernel diagnostic assertion "(*vpp)->v_size != VSIZENOTSET && (*vpp)->v_writesize != VSIZENOTSET" failed: VOP_LOOKUP returned ${this.k.describeAddress(kvaBig(vp))}`,
      );
    }
  }

  // ---------------------------------------------------------------- Kva wrappers (hot paths)

  lockK(vp: Kva, flags: number): number {
    return this.vopK(VOP_LOCK, vp, flags);
  }
  unlockK(vp: Kva): number {
    return this.vopK(VOP_UNLOCK, vp);
  }
  islockedK(vp: Kva): number {
    return this.vopK(VOP_ISLOCKED, vp);
  }
  parsepathK(dvp: Kva, name: Kva, retval: Kva): number {
    return this.vopK(VOP_PARSEPATH, dvp, name, retval);
  }
  lookupK(dvp: Kva, vpp: Kva, cnp: Kva): number {
    return this.vopK(VOP_LOOKUP, dvp, vpp, cnp);
  }
  getattrK(vp: Kva, vap: Kva, cred: Kva): number {
    return this.vopK(VOP_GETATTR, vp, vap, cred);
  }
  accessK(vp: Kva, accmode: number, cred: Kva): number {
    return this.vopK(VOP_ACCESS, vp, accmode, cred);
  }
  accessxK(vp: Kva, accmode: number, cred: Kva): number {
    return this.vopK(VOP_ACCESSX, vp, accmode, cred);
  }
  openK(vp: Kva, mode: number, cred: Kva): number {
    return this.vopK(VOP_OPEN, vp, mode, cred);
  }
  closeK(vp: Kva, fflag: number, cred: Kva): number {
    return this.vopK(VOP_CLOSE, vp, fflag, cred);
  }
  inactiveK(vp: Kva, recycle: Kva): number {
    return this.vopK(VOP_INACTIVE, vp, recycle);
  }
  readK(vp: Kva, uio: Kva, ioflag: number, cred: Kva): number {
    return this.vopK(VOP_READ, vp, uio, ioflag, cred);
  }

  // ---------------------------------------------------------------- typed wrappers (kernel callers)

  bwrite(vp: bigint, bp: bigint): number {
    return this.vop(VOP.bwrite!, [vp, bp]);
  }
  parsepath(dvp: bigint, name: bigint, retval: bigint): number {
    return this.vop(VOP.parsepath!, [dvp, name, retval]);
  }
  lookup(dvp: bigint, vpp: bigint, cnp: bigint): number {
    return this.vop(VOP.lookup!, [dvp, vpp, cnp]);
  }
  create(dvp: bigint, vpp: bigint, cnp: bigint, vap: bigint): number {
    return this.vop(VOP.create!, [dvp, vpp, cnp, vap]);
  }
  mknod(dvp: bigint, vpp: bigint, cnp: bigint, vap: bigint): number {
    return this.vop(VOP.mknod!, [dvp, vpp, cnp, vap]);
  }
  open(vp: bigint, mode: number, cred: bigint): number {
    return this.vop(VOP.open!, [vp, mode, cred]);
  }
  close(vp: bigint, fflag: number, cred: bigint): number {
    return this.vop(VOP.close!, [vp, fflag, cred]);
  }
  access(vp: bigint, accmode: number, cred: bigint): number {
    return this.vop(VOP.access!, [vp, accmode, cred]);
  }
  accessx(vp: bigint, accmode: number, cred: bigint): number {
    return this.vop(VOP.accessx!, [vp, accmode, cred]);
  }
  getattr(vp: bigint, vap: bigint, cred: bigint): number {
    return this.vop(VOP.getattr!, [vp, vap, cred]);
  }
  setattr(vp: bigint, vap: bigint, cred: bigint): number {
    return this.vop(VOP.setattr!, [vp, vap, cred]);
  }
  read(vp: bigint, uio: bigint, ioflag: number, cred: bigint): number {
    return this.vop(VOP.read!, [vp, uio, ioflag, cred]);
  }
  write(vp: bigint, uio: bigint, ioflag: number, cred: bigint): number {
    return this.vop(VOP.write!, [vp, uio, ioflag, cred]);
  }
  ioctl(vp: bigint, command: bigint | number, data: bigint, fflag: number, cred: bigint): number {
    return this.vop(VOP.ioctl!, [vp, command, data, fflag, cred]);
  }
  fsync(
    vp: bigint,
    cred: bigint,
    flags: number,
    offlo: bigint | number,
    offhi: bigint | number,
  ): number {
    return this.vop(VOP.fsync!, [vp, cred, flags, offlo, offhi]);
  }
  seek(vp: bigint, oldoff: bigint, newoff: bigint, cred: bigint): number {
    return this.vop(VOP.seek!, [vp, oldoff, newoff, cred]);
  }
  remove(dvp: bigint, vp: bigint, cnp: bigint): number {
    return this.vop(VOP.remove!, [dvp, vp, cnp]);
  }
  link(dvp: bigint, vp: bigint, cnp: bigint): number {
    return this.vop(VOP.link!, [dvp, vp, cnp]);
  }
  rename(fdvp: bigint, fvp: bigint, fcnp: bigint, tdvp: bigint, tvp: bigint, tcnp: bigint): number {
    return this.vop(VOP.rename!, [fdvp, fvp, fcnp, tdvp, tvp, tcnp]);
  }
  mkdir(dvp: bigint, vpp: bigint, cnp: bigint, vap: bigint): number {
    return this.vop(VOP.mkdir!, [dvp, vpp, cnp, vap]);
  }
  rmdir(dvp: bigint, vp: bigint, cnp: bigint): number {
    return this.vop(VOP.rmdir!, [dvp, vp, cnp]);
  }
  symlink(dvp: bigint, vpp: bigint, cnp: bigint, vap: bigint, target: bigint): number {
    return this.vop(VOP.symlink!, [dvp, vpp, cnp, vap, target]);
  }
  readdir(
    vp: bigint,
    uio: bigint,
    cred: bigint,
    eofflag: bigint,
    cookies: bigint,
    ncookies: bigint,
  ): number {
    return this.vop(VOP.readdir!, [vp, uio, cred, eofflag, cookies, ncookies]);
  }
  readlink(vp: bigint, uio: bigint, cred: bigint): number {
    return this.vop(VOP.readlink!, [vp, uio, cred]);
  }
  abortop(dvp: bigint, cnp: bigint): number {
    return this.vop(VOP.abortop!, [dvp, cnp]);
  }
  inactive(vp: bigint, recycle: bigint): number {
    return this.vop(VOP.inactive!, [vp, recycle]);
  }
  reclaim(vp: bigint): number {
    return this.vop(VOP.reclaim!, [vp]);
  }
  lock(vp: bigint, flags: number): number {
    return this.vop(VOP.lock!, [vp, flags]);
  }
  unlock(vp: bigint): number {
    return this.vop(VOP.unlock!, [vp]);
  }
  bmap(vp: bigint, bn: bigint, vpp: bigint, bnp: bigint, runp: bigint): number {
    return this.vop(VOP.bmap!, [vp, bn, vpp, bnp, runp]);
  }
  strategy(vp: bigint, bp: bigint): number {
    return this.vop(VOP.strategy!, [vp, bp]);
  }
  islocked(vp: bigint): number {
    return this.vop(VOP.islocked!, [vp]);
  }
  pathconf(vp: bigint, name: number, retval: bigint): number {
    return this.vop(VOP.pathconf!, [vp, name, retval]);
  }
  getpages(
    vp: bigint,
    offset: bigint,
    m: bigint,
    count: bigint,
    centeridx: number,
    accessType: number,
    advice: number,
    flags: number,
  ): number {
    return this.vop(VOP.getpages!, [vp, offset, m, count, centeridx, accessType, advice, flags]);
  }
  putpages(vp: bigint, offlo: bigint, offhi: bigint, flags: number): number {
    return this.vop(VOP.putpages!, [vp, offlo, offhi, flags]);
  }
}
