/**
 * The genfs node (miscfs/genfs/genfs_node.h, genfs_vnops.c): the first member of a file
 * system's inode (`*(vp->v_data)`), holding the file system's genfs_ops (gop_size, gop_alloc,
 * gop_write, gop_markupdate, gop_putrange) and the node's g_glock, which serializes block
 * allocation against the pager.
 */
import { locks } from '../../abi/netbsd-10.99/constants.js';
import type { IoKernel } from '../../dev/io.js';
import { type Kva, kvaBig, kvaOf, loadKva } from '../../kern/kva.js';

export class GenfsNodes {
  private readonly oData: bigint;
  private readonly oGop: bigint;
  private readonly oGlock: bigint;
  private readonly oMount: bigint;
  private readonly oBshift: bigint;
  private readonly oDataN: number;
  private readonly oGopN: number;
  private readonly oGlockN: number;

  constructor(private readonly k: IoKernel) {
    this.oDataN = k.S.vnode.v_data.offset;
    this.oGopN = k.S.genfs_node.g_op.offset;
    this.oGlockN = k.S.genfs_node.g_glock.offset;
    this.oData = BigInt(k.S.vnode.v_data.offset);
    this.oGop = BigInt(k.S.genfs_node.g_op.offset);
    this.oGlock = BigInt(k.S.genfs_node.g_glock.offset);
    this.oMount = BigInt(k.S.vnode.v_mount.offset);
    this.oBshift = BigInt(k.S.mount.mnt_fs_bshift.offset);
  }

  /** VTOG(vp): the genfs_node at the start of v_data. */
  node(vp: bigint): bigint {
    const gp = this.k.mem.read64(vp + this.oData);
    if (gp === 0n) this.k.panic(`VTOG: vnode ${this.k.describeAddress(vp)} has no v_data`);
    return gp;
  }

  /** The node's struct genfs_ops. */
  ops(vp: bigint): bigint {
    const ops = this.k.mem.read64(this.node(vp) + this.oGop);
    if (ops === 0n)
      this.k.panic(
        `genfs: vnode ${this.k.describeAddress(vp)} has no genfs_ops (genfs_node_init not called)`,
      );
    return ops;
  }

  /** VTOG(vp) of a vnode given as a Kva (the pager's paths: no BigInt). */
  nodeK(vp: Kva): Kva {
    const gp = loadKva(this.k.mem, vp + this.oDataN);
    if (gp === 0) this.k.panic(`VTOG: vnode ${this.k.describeAddress(kvaBig(vp))} has no v_data`);
    return gp;
  }

  /** The node's struct genfs_ops, as a Kva. */
  opsK(vp: Kva): Kva {
    const ops = loadKva(this.k.mem, this.nodeK(vp) + this.oGopN);
    if (ops === 0) return kvaOf(this.ops(kvaBig(vp)));
    return ops;
  }

  glockK(vp: Kva): Kva {
    return this.nodeK(vp) + this.oGlockN;
  }
  wrlockK(vp: Kva): void {
    this.k.rwlocks.enterK(this.glockK(vp), locks.RW_WRITER);
  }
  rdlockK(vp: Kva): void {
    this.k.rwlocks.enterK(this.glockK(vp), locks.RW_READER);
  }
  unlockK(vp: Kva): void {
    this.k.rwlocks.exitK(this.glockK(vp));
  }

  glock(vp: bigint): bigint {
    return this.node(vp) + this.oGlock;
  }

  init(vp: bigint, ops: bigint): void {
    const gp = this.node(vp);
    this.k.rwlocks.init(gp + this.oGlock);
    this.k.mem.write64(gp + this.oGop, ops);
  }

  destroy(vp: bigint): void {
    this.k.rwlocks.destroy(this.glock(vp));
  }

  wrlock(vp: bigint): void {
    this.k.rwlocks.enter(this.glock(vp), locks.RW_WRITER);
  }

  rdlock(vp: bigint): void {
    this.k.rwlocks.enter(this.glock(vp), locks.RW_READER);
  }

  rdtrylock(vp: bigint): boolean {
    return this.k.rwlocks.tryEnter(this.glock(vp), locks.RW_READER);
  }

  unlock(vp: bigint): void {
    this.k.rwlocks.exit(this.glock(vp));
  }

  wrlocked(vp: bigint): boolean {
    return this.k.rwlocks.writeHeld(this.glock(vp));
  }

  /** genfs_size: the end of the block holding byte `size` (gop_size of simple file systems). */
  size(vp: bigint, size: bigint): bigint {
    const mp = this.k.mem.read64(vp + this.oMount);
    const bsize = 1n << BigInt(this.k.mem.read32(mp + this.oBshift));
    return (size + bsize - 1n) & ~(bsize - 1n);
  }

  register(): void {
    const t = this.k.ksyms;
    t.function('genfs_node_init', 'genfs', (c) => this.init(c.arg(0), c.arg(1)));
    t.function('genfs_node_destroy', 'genfs', (c) => this.destroy(c.arg(0)));
    t.function('genfs_node_wrlock', 'genfs', (c) => this.wrlock(c.arg(0)));
    t.function('genfs_node_rdlock', 'genfs', (c) => this.rdlock(c.arg(0)));
    t.function('genfs_node_rdtrylock', 'genfs', (c) => this.rdtrylock(c.arg(0)));
    t.function('genfs_node_unlock', 'genfs', (c) => this.unlock(c.arg(0)));
    t.function('genfs_node_wrlocked', 'genfs', (c) => this.wrlocked(c.arg(0)));
    t.function('genfs_size', 'genfs', (c) => {
      const [vp, size, eobp] = [c.arg(0), BigInt.asIntN(64, c.arg(1)), c.arg(2)];
      this.k.mem.write64(eobp, BigInt.asUintN(64, this.size(vp, size)));
    });
  }
}
