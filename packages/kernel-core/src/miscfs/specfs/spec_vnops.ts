/**
 * miscfs/specfs/spec_vnops.c: vnodes of block devices. A device vnode's v_specnode points at a
 * guest `struct specnode`, whose sn_dev is the `struct specdev` shared by every vnode of the same
 * dev_t (sd_mountpoint is where ffs records that the device is mounted). The spec vector's
 * operations call the block device switch (the disk side of the kernel): open/close/ioctl/
 * strategy, fsync through the mounted file system (VFS_FSYNC) or the buffers, and the pager.
 * `spec_vnodeop_p` (data symbol) points at the vector: ffs's ufsspec_* operations bypass to it.
 * Character devices are not served (no cdevsw): opening one fails with ENXIO.
 */
import { kmflags, vnode as VF, vtype } from '../../abi/netbsd-10.99/constants.js';
import { errno } from '../../abi/netbsd-10.99/errno.js';
import { dkio, partinfo } from '../../dev/subr_disk.js';
import type { Kernel } from '../../kernel.js';
import type { Vfs } from '../../vfs/vfs.js';

const FREAD = 1;
const FNONBLOCK = 0x4;
const S_IFBLK = 0o060000;
const MAXBSIZE = 0x10000;
const BLKDEV_IOSIZE = 2048;
const DEV_BSHIFT = 9;
const EOPNOTSUPP = errno.EOPNOTSUPP;

export class Specfs {
  /** dev_t → struct specdev (shared by all vnodes of the device). */
  private readonly devs = new Map<bigint, bigint>();
  /** The spec vector (spec_vnodeop_p). */
  vector = 0n;
  readonly fn = new Map<string, bigint>();

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {}

  private sn(vp: bigint, f: keyof Kernel['S']['specnode']): bigint {
    return this.vfs.vn.specnode(vp) + BigInt((this.k.S.specnode[f] as { offset: number }).offset);
  }
  private sdOf(vp: bigint): bigint {
    return this.k.mem.read64(this.sn(vp, 'sn_dev'));
  }
  private sd(sd: bigint, f: keyof Kernel['S']['specdev']): bigint {
    return sd + BigInt((this.k.S.specdev[f] as { offset: number }).offset);
  }

  /** spec_node_init(vp, rdev) */
  nodeInit(vp: bigint, rdev: bigint): void {
    const k = this.k;
    const m = k.mem;
    let sd = this.devs.get(rdev);
    if (sd === undefined) {
      sd = k.kmem.alloc(k.S.specdev.$size, kmflags.KM_SLEEP, true, 'specdev');
      this.devs.set(rdev, sd);
    }
    m.write32(this.sd(sd, 'sd_refcnt'), m.read32(this.sd(sd, 'sd_refcnt')) + 1);
    const sn = k.kmem.alloc(k.S.specnode.$size, kmflags.KM_SLEEP, true, 'specnode');
    m.write64(sn + BigInt(k.S.specnode.sn_dev.offset), sd);
    m.write64(sn + BigInt(k.S.specnode.sn_rdev.offset), rdev);
    this.vfs.vn.setUn(vp, sn);
  }

  /** spec_node_destroy(vp): drop the vnode's specnode (and the specdev with its last user). */
  nodeDestroy(vp: bigint): void {
    const k = this.k;
    const m = k.mem;
    const sn = this.vfs.vn.specnode(vp);
    if (sn === 0n) return;
    const sd = this.sdOf(vp);
    if (m.read32(this.sn(vp, 'sn_opencnt')) !== 0)
      k.panic(`spec_node_destroy: ${k.describeAddress(vp)} is still open`);
    const rdev = m.read64(this.sn(vp, 'sn_rdev'));
    const refs = m.read32(this.sd(sd, 'sd_refcnt')) - 1;
    m.write32(this.sd(sd, 'sd_refcnt'), refs);
    if (refs === 0) {
      this.devs.delete(rdev);
      k.kmem.free(sd, k.S.specdev.$size, 'specdev');
    }
    k.kmem.free(sn, k.S.specnode.$size, 'specnode');
    this.vfs.vn.setUn(vp, 0n);
  }

  /** spec_node_revoke(vp): a device vnode going away closes what it still has open. */
  nodeRevoke(vp: bigint): void {
    const m = this.k.mem;
    if (m.read8(this.sn(vp, 'sn_gone'))) return;
    if (m.read32(this.sn(vp, 'sn_opencnt')) !== 0) this.close(vp, FNONBLOCK);
    m.write8(this.sn(vp, 'sn_gone'), 1);
  }

  getMountedfs(devvp: bigint): bigint {
    return this.k.mem.read64(this.sd(this.sdOf(devvp), 'sd_mountpoint'));
  }

  setMountedfs(devvp: bigint, mp: bigint): void {
    const a = this.sd(this.sdOf(devvp), 'sd_mountpoint');
    if (this.vfs.vn.type(devvp) !== vtype.VBLK)
      this.k.panic(
        'kernel diagnostic assertion "devvp->v_type == VBLK" failed: spec_node_setmountedfs',
      );
    if (mp !== 0n && this.k.mem.read64(a) !== 0n) {
      this.k.panic(
        'kernel diagnostic assertion "mp == NULL || devvp->v_specmountpoint == NULL" failed: spec_node_setmountedfs',
      );
    }
    this.k.mem.write64(a, mp);
  }

  private devsw() {
    return this.vfs.io().devsw;
  }

  /** spec_open for a locked block-device vnode. */
  open(vp: bigint, mode: number): number {
    const k = this.k;
    const m = k.mem;
    const vn = this.vfs.vn;
    if (this.vfs.vop.islocked(vp) !== VF.LK_EXCLUSIVE)
      k.panic('kernel diagnostic assertion "VOP_ISLOCKED(vp) == LK_EXCLUSIVE" failed: spec_open');
    const mp = vn.mount(vp);
    if (mp !== 0n && this.vfs.mounts.flag(mp) & 0x10 /* MNT_NODEV */) return errno.ENXIO;
    if (vn.type(vp) !== vtype.VBLK) return errno.ENXIO;
    const dev = vn.rdev(vp);
    const sd = this.sdOf(vp);
    if (
      m.read32(this.sd(sd, 'sd_opencnt')) !== 0 ||
      m.read64(this.sd(sd, 'sd_mountpoint')) !== 0n ||
      m.read8(this.sd(sd, 'sd_closing'))
    ) {
      return errno.EBUSY;
    }
    m.write32(this.sn(vp, 'sn_opencnt'), 1);
    m.write32(this.sd(sd, 'sd_opencnt'), 1);
    m.write64(this.sd(sd, 'sd_bdevvp'), vp);
    this.vfs.vop.unlock(vp);
    let error = this.devsw().bdevOpen(dev, mode, S_IFBLK);
    this.vfs.vnops.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    if (error) {
      m.write32(this.sd(sd, 'sd_opencnt'), 0);
      m.write32(this.sn(vp, 'sn_opencnt'), 0);
      m.write64(this.sd(sd, 'sd_bdevvp'), 0n);
      return error;
    }
    m.write8(this.sd(sd, 'sd_opened'), 1);
    // A disk: the vnode's size is the partition's (DIOCGPARTINFO, else DIOCGMEDIASIZE).
    error = this.vfs.vop.withScratch(partinfo.$size, (pi) => {
      let e = this.devsw().bdevIoctl(dev, dkio.DIOCGPARTINFO, pi, FREAD);
      let sz = 0n;
      if (e === 0)
        sz =
          m.read64(pi + BigInt(partinfo.pi_size)) *
          BigInt(m.read32(pi + BigInt(partinfo.pi_secsize)));
      else if (e === errno.ENOTTY) {
        e = this.devsw().bdevIoctl(dev, dkio.DIOCGMEDIASIZE, pi, FREAD);
        if (e === 0) sz = m.read64(pi);
      }
      if (e === 0) this.vfs.io().uvn.setsize(vp, sz);
      return 0;
    });
    return error;
  }

  /** spec_close for a locked block-device vnode: the last close flushes and closes the device. */
  close(vp: bigint, flags: number): number {
    const k = this.k;
    const m = k.mem;
    const vn = this.vfs.vn;
    if (vn.type(vp) !== vtype.VBLK) k.panic('spec_close: not special');
    const sd = this.sdOf(vp);
    if (m.read64(this.sd(sd, 'sd_bdevvp')) !== vp)
      k.panic(
        'kernel diagnostic assertion "vp == vp->v_specnode->sn_dev->sd_bdevvp" failed: spec_close',
      );
    const error = this.vfs.io().bufcache.vinvalbuf(vp, VF.V_SAVE, this.vfs.cred());
    if (error) return error;
    const snc = m.read32(this.sn(vp, 'sn_opencnt'));
    const sdc = m.read32(this.sd(sd, 'sd_opencnt'));
    if (snc === 0 || sdc === 0) k.panic('spec_close: device is not open');
    m.write32(this.sn(vp, 'sn_opencnt'), snc - 1);
    m.write32(this.sd(sd, 'sd_opencnt'), sdc - 1);
    m.write64(this.sd(sd, 'sd_bdevvp'), 0n);
    if (sdc - 1 !== 0) k.panic(`spec_close: block device with ${sdc} opens`);
    m.write8(this.sd(sd, 'sd_opened'), 0);
    const relock = !(flags & FNONBLOCK);
    if (relock) this.vfs.vop.unlock(vp);
    const e = this.devsw().bdevClose(vn.rdev(vp), flags, S_IFBLK);
    if (relock) this.vfs.vnops.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    return e;
  }

  /** spec_strategy: a buffer for this device goes to its driver. */
  strategy(vp: bigint, bp: bigint): number {
    const k = this.k;
    const m = k.mem;
    const B = k.S.buf;
    const dev = this.vfs.vn.rdev(vp);
    m.write64(bp + BigInt(B.b_dev.offset), dev);
    const isRead = (m.read32(bp + BigInt(B.b_flags.offset)) & 0x100000) !== 0;
    if (!isRead && this.getMountedfs(vp) !== 0n) {
      const e = this.vfs.trans.cowRun(bp);
      if (e) {
        m.write32(bp + BigInt(B.b_error.offset), e);
        m.write32(bp + BigInt(B.b_resid.offset), m.read32(bp + BigInt(B.b_bcount.offset)));
        this.vfs.io().bufcache.biodone(bp);
        return e;
      }
    }
    this.devsw().bdevStrategy(bp);
    return 0;
  }

  /**
   * spec_read / spec_write of a block device: through the buffer cache in blocks of the
   * partition's block size (DIOCGPARTINFO pi_bsize, else BLKDEV_IOSIZE); whole-block writes are
   * asynchronous, partial ones delayed (read-modify-write), as NetBSD does. No read-ahead.
   */
  rdwr(vp: bigint, uio: bigint, write: boolean): number {
    const k = this.k;
    const m = k.mem;
    const vn = this.vfs.vn;
    if (vn.type(vp) !== vtype.VBLK) return errno.EOPNOTSUPP;
    const U = k.S.uio;
    const B = k.S.buf;
    const offA = uio + BigInt(U.uio_offset.offset);
    const residA = uio + BigInt(U.uio_resid.offset);
    if (BigInt.asIntN(64, m.read64(offA)) < 0n) return errno.EINVAL;
    if (m.read64(residA) === 0n) return 0;
    const dev = vn.rdev(vp);
    const bsize = this.vfs.vop.withScratch(partinfo.$size, (pi) => {
      if (this.devsw().bdevIoctl(dev, dkio.DIOCGPARTINFO, pi, FREAD) !== 0) return BLKDEV_IOSIZE;
      return Math.min(
        Math.max(m.read32(pi + BigInt(partinfo.pi_bsize)), 1 << DEV_BSHIFT),
        MAXBSIZE,
      );
    });
    const bscale = bsize >> DEV_BSHIFT;
    const bc = this.vfs.io().bufcache;
    for (;;) {
      const off = Number(m.read64(offA));
      const resid = Number(m.read64(residA));
      if (resid <= 0) return 0;
      const bn = Math.floor(off / (1 << DEV_BSHIFT)) & ~(bscale - 1);
      const on = off % bsize;
      let n = Math.min(bsize - on, resid);
      let bp: bigint;
      let error = 0;
      if (write && n === bsize) bp = bc.getblk(vp, bn, bsize);
      else {
        [error, bp] = bc.bread(vp, bn, bsize, write ? 1 /* B_MODIFY */ : 0);
        if (error) return error;
      }
      n = Math.min(n, bsize - m.read32(bp + BigInt(B.b_resid.offset)));
      if (n <= 0) {
        bc.brelse(bp, 0);
        return write ? errno.ENOSPC : 0;
      }
      error = this.vfs.vnops.uiomove(m.read64(bp + BigInt(B.b_data.offset)) + BigInt(on), n, uio);
      if (error || !write) bc.brelse(bp, 0);
      else if (n + on === bsize) bc.bawrite(bp);
      else bc.bdwrite(bp);
      if (error) return error;
    }
  }

  private a64(ap: bigint, st: string, field: string): bigint {
    const s = (this.k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]!;
    return this.k.mem.read64(ap + BigInt(s[field]!.offset));
  }
  private a32(ap: bigint, st: string, field: string): number {
    const s = (this.k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]!;
    return this.k.mem.read32(ap + BigInt(s[field]!.offset)) | 0;
  }

  register(): void {
    const k = this.k;
    const vfs = this.vfs;
    const vop = vfs.vop;
    const m = k.mem;
    const def = (name: string, impl: (ap: bigint) => number) =>
      this.fn.set(name, vop.define(name, 'specfs', impl));
    def('spec_lookup', (ap) => {
      m.write64(this.a64(ap, 'vop_lookup_v2_args', 'a_vpp'), 0n);
      return errno.ENOTDIR;
    });
    def('spec_open', (ap) =>
      this.open(this.a64(ap, 'vop_open_args', 'a_vp'), this.a32(ap, 'vop_open_args', 'a_mode')),
    );
    def('spec_close', (ap) =>
      this.close(this.a64(ap, 'vop_close_args', 'a_vp'), this.a32(ap, 'vop_close_args', 'a_fflag')),
    );
    def('spec_ioctl', (ap) => {
      const vp = this.a64(ap, 'vop_ioctl_args', 'a_vp');
      if (vfs.vn.type(vp) !== vtype.VBLK) return errno.ENOTTY;
      return this.devsw().bdevIoctl(
        vfs.vn.rdev(vp),
        this.a32(ap, 'vop_ioctl_args', 'a_command') >>> 0,
        this.a64(ap, 'vop_ioctl_args', 'a_data'),
        this.a32(ap, 'vop_ioctl_args', 'a_fflag'),
      );
    });
    def('spec_fsync', (ap) => {
      const vp = this.a64(ap, 'vop_fsync_args', 'a_vp');
      const flags = this.a32(ap, 'vop_fsync_args', 'a_flags');
      if (vfs.vn.type(vp) === vtype.VBLK) {
        const mp = this.getMountedfs(vp);
        if (mp !== 0n) {
          const e = vfs.mounts.call(mp, 'vfs_fsync', vp, flags);
          if (e !== EOPNOTSUPP) return e;
        }
      }
      return vfs.io().bufcache.vflushbuf(vp, flags);
    });
    def('spec_bmap', (ap) => {
      const A = 'vop_bmap_args';
      const vpp = this.a64(ap, A, 'a_vpp');
      const bnp = this.a64(ap, A, 'a_bnp');
      const runp = this.a64(ap, A, 'a_runp');
      if (vpp !== 0n) m.write64(vpp, this.a64(ap, A, 'a_vp'));
      if (bnp !== 0n) m.write64(bnp, this.a64(ap, A, 'a_bn'));
      if (runp !== 0n) m.write32(runp, (MAXBSIZE >> DEV_BSHIFT) - 1);
      return 0;
    });
    def('spec_strategy', (ap) =>
      this.strategy(
        this.a64(ap, 'vop_strategy_args', 'a_vp'),
        this.a64(ap, 'vop_strategy_args', 'a_bp'),
      ),
    );
    def('spec_inactive', (ap) => {
      m.write8(this.a64(ap, 'vop_inactive_v2_args', 'a_recycle'), 0);
      return 0;
    });
    def('spec_reclaim', (ap) => {
      const vp = this.a64(ap, 'vop_reclaim_v2_args', 'a_vp');
      vop.unlock(vp);
      return 0;
    });
    def('spec_pathconf', () => errno.EINVAL);
    def('spec_advlock', () => errno.EOPNOTSUPP);
    def('spec_poll', () => 0);
    def('spec_kqfilter', () => errno.EOPNOTSUPP);
    def('spec_mmap', () => errno.EOPNOTSUPP);
    def('spec_fdiscard', () => errno.EOPNOTSUPP);
    def('spec_read', (ap) =>
      this.rdwr(
        this.a64(ap, 'vop_read_args', 'a_vp'),
        this.a64(ap, 'vop_read_args', 'a_uio'),
        false,
      ),
    );
    def('spec_write', (ap) =>
      this.rdwr(
        this.a64(ap, 'vop_write_args', 'a_vp'),
        this.a64(ap, 'vop_write_args', 'a_uio'),
        true,
      ),
    );
    k.ksyms.function('spec_node_init', 'specfs', (c) => this.nodeInit(c.arg(0), c.arg(1)));
    k.ksyms.function('spec_node_destroy', 'specfs', (c) => this.nodeDestroy(c.arg(0)));
    k.ksyms.function('spec_node_revoke', 'specfs', (c) => this.nodeRevoke(c.arg(0)));
    k.ksyms.function('spec_node_getmountedfs', 'specfs', (c) => this.getMountedfs(c.arg(0)));
    k.ksyms.function('spec_node_setmountedfs', 'specfs', (c) =>
      this.setMountedfs(c.arg(0), c.arg(1)),
    );
  }

  /** Builds the spec vector and stores it in spec_vnodeop_p (and a dead fifo vector in fifo_vnodeop_p). */
  buildVectors(): void {
    const g = this.vfs.genfs.fn;
    const f = this.fn;
    const io = (name: string) =>
      this.k.ksyms.resolve(name) ?? this.k.panic(`specfs: ${name} is not defined`);
    this.vector = this.vfs.init.buildVector('spec', {
      default: g.get('vn_default_error')!,
      lookup: f.get('spec_lookup')!,
      open: f.get('spec_open')!,
      close: f.get('spec_close')!,
      read: f.get('spec_read')!,
      write: f.get('spec_write')!,
      fdiscard: f.get('spec_fdiscard')!,
      ioctl: f.get('spec_ioctl')!,
      fcntl: g.get('genfs_fcntl')!,
      poll: f.get('spec_poll')!,
      kqfilter: f.get('spec_kqfilter')!,
      revoke: g.get('genfs_revoke')!,
      mmap: f.get('spec_mmap')!,
      fsync: f.get('spec_fsync')!,
      seek: g.get('genfs_seek')!,
      inactive: f.get('spec_inactive')!,
      reclaim: f.get('spec_reclaim')!,
      lock: g.get('genfs_lock')!,
      unlock: g.get('genfs_unlock')!,
      bmap: f.get('spec_bmap')!,
      strategy: f.get('spec_strategy')!,
      print: g.get('genfs_nullop')!,
      islocked: g.get('genfs_islocked')!,
      pathconf: f.get('spec_pathconf')!,
      advlock: f.get('spec_advlock')!,
      bwrite: g.get('vn_bwrite')!,
      getpages: io('genfs_getpages'),
      putpages: io('genfs_putpages'),
    });
    const fifo = this.vfs.init.buildVector('fifo', {
      default: g.get('vn_default_error')!,
      lock: g.get('genfs_lock')!,
      unlock: g.get('genfs_unlock')!,
      islocked: g.get('genfs_islocked')!,
    });
    for (const [sym, vec] of [
      ['spec_vnodeop_p', this.vector],
      ['fifo_vnodeop_p', fifo],
    ] as const) {
      const a = this.k.ksyms.resolve(sym);
      if (a !== undefined) this.k.mem.write64(a, vec);
    }
    // The spec vector is complete; the fifo one only has what a dead fifo needs.
    this.k.ksyms.setImplemented('spec_vnodeop_p');
  }
}
