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

import { KERNEL_WINDOW_BASE } from '@rump/cpu-x86';
import type { Field, StructMeta } from '../abi/layout.js';
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import { VDESC_FACTS } from '../abi/netbsd-10.99/vdesc-table.js';
import type { Kernel } from '../kernel.js';

/** A vnode operation implemented in TypeScript: gets the args block, returns an errno. */
export type VopImpl = (ap: bigint) => number;

/** fstrans entry points used by the VOP_* wrappers (kern/vfs_trans.c), installed by vfs_trans. */
export interface FstransHooks {
  start(mp: bigint): void;
  startNowait(mp: bigint): number;
  done(mp: bigint): void;
}

/** vdesc_offset of every operation by name: VOP.lookup === 3. */
export const VOP: Readonly<Record<string, number>> = Object.fromEntries(
  VDESC_FACTS.map((d, i) => [d.name.replace(/^vop_/, ''), i]),
);

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

const VSIZENOTSET = -1n;
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
  private readonly direct = new Map<bigint, VopImpl>();
  private readonly argBase: bigint;
  private argTop: bigint;
  private readonly argEnd: bigint;
  private readonly vOpOff: bigint;
  private readonly vMountOff: bigint;

  constructor(private readonly k: Kernel) {
    const S = k.S as unknown as Record<string, StructMeta & Record<string, Field>>;
    this.vOpOff = BigInt(k.S.vnode.v_op.offset);
    this.vMountOff = BigInt(k.S.vnode.v_mount.offset);
    // The descriptors themselves are kernel data placed at boot (vfs_data.ts) in k.vdescs.
    if (k.vdescs.length !== VDESC_FACTS.length) {
      throw new Error(
        `vnode_if: ${k.vdescs.length} vop_*_desc objects at boot, expected ${VDESC_FACTS.length}`,
      );
    }
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
      const name = facts.name.replace(/^vop_/, '');
      this.descs.push(desc);
      this.ops.push({
        name,
        fst:
          name === 'lock'
            ? 'lock'
            : name === 'unlock'
              ? 'unlock'
              : FST_YES.has(name)
                ? 'yes'
                : 'no',
        offset,
        size: layout ? layout.$size : 8,
        fields,
        upper: `VOP_${name.toUpperCase()}`,
      });
    });
    this.argBase = k.kmem.alloc(ARG_STACK_BYTES, kmflags.KM_SLEEP, true, 'vnode_if args');
    this.argTop = this.argBase;
    this.argEnd = this.argBase + BigInt(ARG_STACK_BYTES);
    // The VOP_* functions modules import (ufs_readwrite.c calls VOP_GETPAGES, ffs calls VOP_BMAP ...).
    for (const op of this.ops) {
      if (op.offset === 0) continue;
      k.ksyms.function(op.upper, 'vnode_if', (cpu) => {
        const args: bigint[] = [];
        for (let i = 0; i < op.fields.length; i++) args.push(cpu.arg(i));
        return this.vop(op.offset, args);
      });
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
    this.direct.set(address, impl);
    return address;
  }

  /** The TypeScript implementation behind a vector slot value, if it is one. */
  implAt(fn: bigint): VopImpl | undefined {
    return this.direct.get(fn);
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
    const impl = this.direct.get(fn);
    if (impl !== undefined) return impl(ap) | 0;
    return Number(BigInt.asIntN(32, this.k.callGuest(fn, ap)));
  }

  /**
   * Reserves `size` bytes of guest memory for an args block (or any short-lived kernel scratch,
   * e.g. a `struct vnode *` out-parameter) for the duration of `fn`. Zero-filled.
   */
  withScratch<T>(size: number, fn: (p: bigint) => T): T {
    const p = this.argTop;
    const top = p + BigInt((size + 15) & ~15);
    if (top > this.argEnd)
      this.k.panic(
        `vnode_if: args stack exhausted (${ARG_STACK_BYTES} bytes): VOP calls nested too deep`,
      );
    this.argTop = top;
    // The args stack is kernel heap (never code): zero it straight in the window.
    const off = Number(p - KERNEL_WINDOW_BASE);
    this.k.mem.windowU8().fill(0, off, off + size);
    try {
      return fn(p);
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
    const mem = this.k.mem;
    return this.withScratch(op.size, (ap) => {
      mem.write64(ap, this.descs[offset]!);
      for (let i = 0; i < op.fields.length; i++) {
        const fl = op.fields[i]!;
        const v = BigInt(args[i]!);
        if (fl.size === 8) mem.write64(ap + BigInt(fl.offset), BigInt.asUintN(64, v));
        else if (fl.size === 4) mem.write32(ap + BigInt(fl.offset), Number(BigInt.asUintN(32, v)));
        else if (fl.size === 1) mem.write8(ap + BigInt(fl.offset), Number(v & 0xffn));
        else throw new Error(`${op.upper}: argument field of size ${fl.size}`);
      }
      const vp = BigInt(args[0]!);
      return this.dispatch(op, vp, ap, Number(op.fst === 'lock' ? BigInt(args[1]!) : 0n));
    });
  }

  private dispatch(op: Op, vp: bigint, ap: bigint, lockFlags: number): number {
    const mem = this.k.mem;
    let pre: 'no' | 'yes' | 'try' = 'no';
    if (op.fst === 'yes') pre = 'yes';
    else if (op.fst === 'lock' && lockFlags & (LK_SHARED | LK_EXCLUSIVE)) {
      pre = lockFlags & LK_NOWAIT ? 'try' : 'yes';
    }
    const mp = mem.read64(vp + this.vMountOff);
    if (pre !== 'no') {
      const t = this.fstransHooks(op);
      if (pre === 'try') {
        const e = t.startNowait(mp);
        if (e) return e;
      } else t.start(mp);
    }
    this.depth++;
    let error: number;
    try {
      error = this.vocall(mem.read64(vp + this.vOpOff), op.offset, ap);
    } finally {
      this.depth--;
    }
    if (this.trace) this.trace(op.upper, vp, error, this.depth);
    let post = false;
    if (op.fst === 'yes') post = true;
    else if (op.fst === 'unlock') post = true;
    else if (op.fst === 'lock')
      post = !(lockFlags & (LK_UPGRADE | LK_DOWNGRADE)) && error !== 0 && pre !== 'no';
    if (post) this.fstransHooks(op).done(mp);
    if (op.offset === VOP.lookup && error === 0) this.checkLookupResult(ap);
    return error;
  }

  private fstransHooks(op: Op): FstransHooks {
    return this.fstrans ?? this.k.panic(`${op.upper}: fstrans is not initialised`);
  }

  /** vnode_if.c (DIAGNOSTIC): a vnode returned by VOP_LOOKUP has its sizes set. */
  private checkLookupResult(ap: bigint): void {
    const mem = this.k.mem;
    const vpp = mem.read64(ap + BigInt(this.k.S.vop_lookup_v2_args.a_vpp.offset));
    const vp = mem.read64(vpp);
    const V = this.k.S.vnode;
    if (
      BigInt.asIntN(64, mem.read64(vp + BigInt(V.v_size.offset))) === VSIZENOTSET ||
      BigInt.asIntN(64, mem.read64(vp + BigInt(V.v_writesize.offset))) === VSIZENOTSET
    ) {
      this.k.panic(
        `kernel diagnostic assertion "(*vpp)->v_size != VSIZENOTSET && (*vpp)->v_writesize != VSIZENOTSET" failed: VOP_LOOKUP returned ${this.k.describeAddress(vp)}`,
      );
    }
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
