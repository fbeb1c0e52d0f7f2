/**
 * Field accessors for `struct vnode` (sys/vnode.h) in guest memory. The guest copy is the source
 * of truth for everything a module can see, so kernel code reads and writes these fields in
 * place instead of caching them. Offsets come from the release profile's layout.
 */
import { type Kva, loadKva } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';

/** VSIZENOTSET: v_size / v_writesize of a vnode whose size is not known yet. */
export const VSIZENOTSET = -1n;

export class Vnodes {
  private readonly o: {
    size: bigint;
    writesize: bigint;
    iflag: bigint;
    uflag: bigint;
    usecount: bigint;
    numoutput: bigint;
    writecount: bigint;
    holdcnt: bigint;
    cleanblkhd: bigint;
    dirtyblkhd: bigint;
    vflag: bigint;
    interlock: bigint;
    mount: bigint;
    op: bigint;
    un: bigint;
    type: bigint;
    tag: bigint;
    data: bigint;
    vmobjlock: bigint;
    snRdev: bigint;
  };

  /** Field offsets as Numbers, for the Kva accessors (`typeK` ...). */
  private readonly n: {
    type: number;
    mount: number;
    op: number;
    usecount: number;
    writecount: number;
    holdcnt: number;
    iflag: number;
    vflag: number;
    un: number;
  };

  constructor(private readonly k: Kernel) {
    const V = k.S.vnode;
    this.n = {
      type: V.v_type.offset,
      mount: V.v_mount.offset,
      op: V.v_op.offset,
      usecount: V.v_usecount.offset,
      writecount: V.v_writecount.offset,
      holdcnt: V.v_holdcnt.offset,
      iflag: V.v_iflag.offset,
      vflag: V.v_vflag.offset,
      un: V.v_un.offset,
    };
    const b = (n: number) => BigInt(n);
    this.o = {
      size: b(V.v_size.offset),
      writesize: b(V.v_writesize.offset),
      iflag: b(V.v_iflag.offset),
      uflag: b(V.v_uflag.offset),
      usecount: b(V.v_usecount.offset),
      numoutput: b(V.v_numoutput.offset),
      writecount: b(V.v_writecount.offset),
      holdcnt: b(V.v_holdcnt.offset),
      cleanblkhd: b(V.v_cleanblkhd.offset),
      dirtyblkhd: b(V.v_dirtyblkhd.offset),
      vflag: b(V.v_vflag.offset),
      interlock: b(V.v_interlock.offset),
      mount: b(V.v_mount.offset),
      op: b(V.v_op.offset),
      un: b(V.v_un.offset),
      type: b(V.v_type.offset),
      tag: b(V.v_tag.offset),
      data: b(V.v_data.offset),
      vmobjlock: b(V.v_uobj.offset + k.S.uvm_object.vmobjlock.offset),
      snRdev: b(k.S.specnode.sn_rdev.offset),
    };
  }

  private r32(vp: bigint, off: bigint): number {
    return this.k.mem.read32(vp + off) | 0;
  }
  private w32(vp: bigint, off: bigint, v: number): void {
    this.k.mem.write32(vp + off, v >>> 0);
  }
  private r64(vp: bigint, off: bigint): bigint {
    return this.k.mem.read64(vp + off);
  }
  private w64(vp: bigint, off: bigint, v: bigint): void {
    this.k.mem.write64(vp + off, BigInt.asUintN(64, v));
  }

  /** enum vtype (VREG 1, VDIR 2, VBLK 3 ...). */
  type(vp: bigint): number {
    return this.r32(vp, this.o.type);
  }
  setType(vp: bigint, t: number): void {
    this.w32(vp, this.o.type, t);
  }
  tag(vp: bigint): number {
    return this.r32(vp, this.o.tag);
  }
  setTag(vp: bigint, t: number): void {
    this.w32(vp, this.o.tag, t);
  }
  /** v_op: the operations vector (array of function pointers). */
  op(vp: bigint): bigint {
    return this.r64(vp, this.o.op);
  }
  setOp(vp: bigint, v: bigint): void {
    this.w64(vp, this.o.op, v);
  }
  mount(vp: bigint): bigint {
    return this.r64(vp, this.o.mount);
  }
  setMount(vp: bigint, mp: bigint): void {
    this.w64(vp, this.o.mount, mp);
  }
  data(vp: bigint): bigint {
    return this.r64(vp, this.o.data);
  }
  setData(vp: bigint, d: bigint): void {
    this.w64(vp, this.o.data, d);
  }
  /** v_size (signed voff_t; VSIZENOTSET = -1). */
  size(vp: bigint): bigint {
    return BigInt.asIntN(64, this.r64(vp, this.o.size));
  }
  setSize(vp: bigint, s: bigint): void {
    this.w64(vp, this.o.size, s);
  }
  writesize(vp: bigint): bigint {
    return BigInt.asIntN(64, this.r64(vp, this.o.writesize));
  }
  setWritesize(vp: bigint, s: bigint): void {
    this.w64(vp, this.o.writesize, s);
  }
  /** &vp->v_uobj (the uvm_object is the first member). */
  uobj(vp: bigint): bigint {
    return vp;
  }
  /** vp->v_uobj.vmobjlock (krwlock_t *). */
  vmobjlock(vp: bigint): bigint {
    return this.r64(vp, this.o.vmobjlock);
  }
  setVmobjlock(vp: bigint, lock: bigint): void {
    this.w64(vp, this.o.vmobjlock, lock);
  }
  /** v_interlock (kmutex_t *). */
  interlock(vp: bigint): bigint {
    return this.r64(vp, this.o.interlock);
  }
  setInterlock(vp: bigint, m: bigint): void {
    this.w64(vp, this.o.interlock, m);
  }
  iflag(vp: bigint): number {
    return this.r32(vp, this.o.iflag);
  }
  setIflag(vp: bigint, f: number): void {
    this.w32(vp, this.o.iflag, f);
  }
  uflag(vp: bigint): number {
    return this.r32(vp, this.o.uflag);
  }
  setUflag(vp: bigint, f: number): void {
    this.w32(vp, this.o.uflag, f);
  }
  vflag(vp: bigint): number {
    return this.r32(vp, this.o.vflag);
  }
  setVflag(vp: bigint, f: number): void {
    this.w32(vp, this.o.vflag, f);
  }
  /** v_usecount (the raw word; vrefcnt masks VUSECOUNT_MASK). */
  usecount(vp: bigint): number {
    return this.r32(vp, this.o.usecount);
  }
  setUsecount(vp: bigint, n: number): void {
    this.w32(vp, this.o.usecount, n);
  }
  numoutput(vp: bigint): number {
    return this.r32(vp, this.o.numoutput);
  }
  setNumoutput(vp: bigint, n: number): void {
    this.w32(vp, this.o.numoutput, n);
  }
  writecount(vp: bigint): number {
    return this.r32(vp, this.o.writecount);
  }
  setWritecount(vp: bigint, n: number): void {
    this.w32(vp, this.o.writecount, n);
  }
  holdcnt(vp: bigint): number {
    return this.r32(vp, this.o.holdcnt);
  }
  setHoldcnt(vp: bigint, n: number): void {
    this.w32(vp, this.o.holdcnt, n);
  }
  /** &vp->v_cleanblkhd (LIST_HEAD: lh_first). */
  cleanblkhd(vp: bigint): bigint {
    return vp + this.o.cleanblkhd;
  }
  /** &vp->v_dirtyblkhd (LIST_HEAD: lh_first). */
  dirtyblkhd(vp: bigint): bigint {
    return vp + this.o.dirtyblkhd;
  }
  /** v_mountedhere (VDIR), v_specnode (VBLK/VCHR): the same union word. */
  un(vp: bigint): bigint {
    return this.r64(vp, this.o.un);
  }
  setUn(vp: bigint, v: bigint): void {
    this.w64(vp, this.o.un, v);
  }
  mountedhere(vp: bigint): bigint {
    return this.un(vp);
  }
  setMountedhere(vp: bigint, mp: bigint): void {
    this.setUn(vp, mp);
  }
  specnode(vp: bigint): bigint {
    return this.un(vp);
  }
  /** v_rdev = v_specnode->sn_rdev (VBLK/VCHR only). */
  rdev(vp: bigint): bigint {
    const sn = this.un(vp);
    if (sn === 0n) this.k.panic(`v_rdev: vnode ${this.k.describeAddress(vp)} has no specnode`);
    return this.k.mem.read64(sn + this.o.snRdev);
  }

  // ---------------------------------------------------------------- Kva accessors (hot paths)
  // The same fields with the vnode as a Kva (kern/kva.ts): int32 reads, no BigInt.

  typeK(vp: Kva): number {
    return this.k.mem.load32(vp + this.n.type, -1);
  }
  mountK(vp: Kva): Kva {
    return loadKva(this.k.mem, vp + this.n.mount);
  }
  opK(vp: Kva): Kva {
    return loadKva(this.k.mem, vp + this.n.op);
  }
  usecountK(vp: Kva): number {
    return this.k.mem.load32(vp + this.n.usecount, -1);
  }
  setUsecountK(vp: Kva, n: number): void {
    this.k.mem.store32(vp + this.n.usecount, -1, n | 0);
  }
  writecountK(vp: Kva): number {
    return this.k.mem.load32(vp + this.n.writecount, -1);
  }
  setWritecountK(vp: Kva, n: number): void {
    this.k.mem.store32(vp + this.n.writecount, -1, n | 0);
  }
  holdcntK(vp: Kva): number {
    return this.k.mem.load32(vp + this.n.holdcnt, -1);
  }
  iflagK(vp: Kva): number {
    return this.k.mem.load32(vp + this.n.iflag, -1);
  }
  setIflagK(vp: Kva, f: number): void {
    this.k.mem.store32(vp + this.n.iflag, -1, f | 0);
  }
  vflagK(vp: Kva): number {
    return this.k.mem.load32(vp + this.n.vflag, -1);
  }
  setVflagK(vp: Kva, f: number): void {
    this.k.mem.store32(vp + this.n.vflag, -1, f | 0);
  }
  /** v_mountedhere (VDIR) / v_specnode: the union word, as a Kva. */
  unK(vp: Kva): Kva {
    return loadKva(this.k.mem, vp + this.n.un);
  }
}
