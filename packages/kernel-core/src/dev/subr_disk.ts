/**
 * Device numbers, the block device switch and the disk helpers file systems call at mount
 * (kern/subr_devsw.c, kern/subr_disk_open.c). A `struct bdevsw` lives in guest memory where a
 * module can read it (bdevsw_lookup hands out its address); its slots point at kernel thunks,
 * and the kernel's own bdev_* calls go straight to the TypeScript driver behind them.
 */

import { fcntl } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { IoKernel, KernelCalls } from './io.js';

/** Disk ioctls (sys/dkio.h; _IOR/_IOW encodings of NetBSD amd64). */
export const dkio = {
  DIOCGDINFO: 0x41986465,
  DIOCGPARTINFO: 0x80206468,
  DIOCCACHESYNC: 0x80046476,
  DIOCGWEDGEINFO: 0x40d0647a,
  DIOCGMEDIASIZE: 0x40086484,
  DIOCGSECTORSIZE: 0x40046485,
} as const;

/** sys/disklabel.h, sys/conf.h, sys/param.h facts used by the disk code. */
export const disk = {
  DISKMAGIC: 0x82564557,
  /** amd64 MAXPARTITIONS */
  MAXPARTITIONS: 16,
  DKTYPE_RUMPD: 21,
  FS_UNUSED: 0,
  BLKDEV_IOSIZE: 2048,
  MAXBSIZE: 0x10000,
  D_DISK: 0x2,
  S_IFBLK: 0o060000,
  NODEV: 0xffffffffffffffffn,
} as const;

/** struct partinfo (sys/disklabel.h; not in the DWARF facts): 0x20 bytes. */
export const partinfo = {
  $size: 0x20,
  pi_offset: 0x0,
  pi_size: 0x8,
  pi_secsize: 0x10,
  pi_bsize: 0x14,
  pi_fstype: 0x18,
  pi_frag: 0x19,
  pi_cpg: 0x1a,
  pi_fsize: 0x1c,
} as const;

/** dkw_ptype names by disklabel fstype (sys/disk.h DKW_PTYPE_* for FSTYPE_DEFN). */
const DKW_PTYPES = [
  'unused',
  'swap',
  'v6',
  'v7',
  'sysv',
  'v71k',
  'v8',
  'ffs',
  'msdos',
  'lfs',
  'other',
  'hpfs',
  'cd9660',
  'boot',
  'ados',
  'hfs',
  'filecore',
  'ext2fs',
  'ntfs',
  'raidframe',
  'ccd',
  'jfs2',
  'appleufs',
  'vinum',
  'udf',
  'sysvbfs',
  'efs',
  'nilfs',
  'cgd',
  'minixfs3',
  'vmkcore',
  'vmfs',
];

export function getfstypename(fstype: number): string {
  return DKW_PTYPES[fstype] ?? '';
}

/** makedev(9) of NetBSD: 12-bit major, 20-bit minor split around it. */
export function makedev(major: number, minor: number): bigint {
  const x = BigInt(major >>> 0);
  const y = BigInt(minor >>> 0);
  return ((x << 8n) & 0xfff00n) | ((y << 12n) & 0xfff00000n) | (y & 0xffn);
}

export function major(dev: bigint): number {
  return Number((BigInt.asUintN(32, dev) & 0xfff00n) >> 8n);
}

export function minor(dev: bigint): number {
  const d = BigInt.asUintN(32, dev);
  return Number(((d & 0xfff00000n) >> 12n) | (d & 0xffn));
}

export const DISKPART = (dev: bigint): number => minor(dev) % disk.MAXPARTITIONS;
export const DISKUNIT = (dev: bigint): number => Math.floor(minor(dev) / disk.MAXPARTITIONS);

/** A block driver written in TypeScript (what the bdevsw slots lead to). Results are errnos. */
export interface BlockDriver {
  readonly name: string;
  open(dev: bigint, flag: number, fmt: number, l: bigint): number;
  close(dev: bigint, flag: number, fmt: number, l: bigint): number;
  /** Starts (and, here, completes) the transfer; reports through biodone(bp). */
  strategy(bp: bigint): void;
  ioctl(dev: bigint, cmd: number, data: bigint, flag: number, l: bigint): number;
}

interface BdevEntry {
  readonly driver: BlockDriver;
  /** Guest address of the struct bdevsw. */
  readonly bdevsw: bigint;
}

export class DevSw {
  private readonly bdevs = new Map<number, BdevEntry>();
  /** Thunks shared by every bdevsw: nodump / nosize / nodiscard (kern/subr_devsw.c no* functions). */
  private nodump = 0n;
  private nosize = 0n;
  private nodiscard = 0n;
  /** biodone(9) of the buffer cache, for bufs that fail before reaching a driver. */
  biodone: (bp: bigint) => void = () => this.k.panic('bdev_strategy: no buffer cache attached');

  constructor(
    private readonly k: IoKernel,
    private readonly call: KernelCalls,
  ) {}

  /**
   * devsw_attach for a TypeScript block driver at a fixed major: builds its struct bdevsw in
   * guest memory with thunks `<name>_open`, `_close`, `_strategy`, `_ioctl` (D_DISK).
   */
  attachBdev(majorNo: number, driver: BlockDriver): bigint {
    if (this.bdevs.has(majorNo))
      this.k.panic(`devsw_attach: block major ${majorNo} is already taken`);
    const B = this.k.S.bdevsw;
    const t = this.k.ksyms;
    const sw = this.k.kmem.alloc(B.$size, 1, true, 'bdevsw');
    const m = this.k.mem;
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    const slot = (f: { offset: number }, v: bigint) => m.write64(sw + BigInt(f.offset), v);
    slot(
      B.d_open,
      t.function(`${driver.name}_open`, 'disk', (c) =>
        driver.open(c.arg(0), i32(c.arg(1)), i32(c.arg(2)), c.arg(3)),
      ),
    );
    slot(
      B.d_close,
      t.function(`${driver.name}_close`, 'disk', (c) =>
        driver.close(c.arg(0), i32(c.arg(1)), i32(c.arg(2)), c.arg(3)),
      ),
    );
    slot(
      B.d_strategy,
      t.function(`${driver.name}_strategy`, 'disk', (c) => {
        driver.strategy(c.arg(0));
      }),
    );
    slot(
      B.d_ioctl,
      t.function(`${driver.name}_ioctl`, 'disk', (c) =>
        driver.ioctl(c.arg(0), Number(c.arg(1) & 0xffffffffn), c.arg(2), i32(c.arg(3)), c.arg(4)),
      ),
    );
    slot(B.d_dump, this.nodump);
    slot(B.d_psize, this.nosize);
    slot(B.d_discard, this.nodiscard);
    m.write32(sw + BigInt(B.d_flag.offset), disk.D_DISK);
    this.bdevs.set(majorNo, { driver, bdevsw: sw });
    return sw;
  }

  /** bdevsw_lookup: the guest struct bdevsw of dev's major, or 0n. */
  bdevswLookup(dev: bigint): bigint {
    if (BigInt.asUintN(64, dev) === disk.NODEV) return 0n;
    return this.bdevs.get(major(dev))?.bdevsw ?? 0n;
  }

  driverOf(dev: bigint): BlockDriver | undefined {
    return this.bdevs.get(major(dev))?.driver;
  }

  bdevOpen(dev: bigint, flag: number, fmt: number, l = this.k.curlwp): number {
    const d = this.driverOf(dev);
    return d ? d.open(dev, flag, fmt, l) : errno.ENXIO;
  }

  bdevClose(dev: bigint, flag: number, fmt: number, l = this.k.curlwp): number {
    const d = this.driverOf(dev);
    return d ? d.close(dev, flag, fmt, l) : errno.ENXIO;
  }

  bdevIoctl(dev: bigint, cmd: number, data: bigint, flag: number, l = this.k.curlwp): number {
    const d = this.driverOf(dev);
    return d ? d.ioctl(dev, cmd, data, flag, l) : errno.ENXIO;
  }

  /** bdev_strategy: hands the buf to its device's driver; no driver → ENXIO through biodone. */
  bdevStrategy(bp: bigint): void {
    const B = this.k.S.buf;
    const dev = this.k.mem.read64(bp + BigInt(B.b_dev.offset));
    const d = this.driverOf(dev);
    if (!d) {
      this.k.mem.write32(bp + BigInt(B.b_error.offset), errno.ENXIO);
      this.biodone(bp);
      return;
    }
    d.strategy(bp);
  }

  /** bdev_type: D_DISK for every block device here, -1 without a driver. */
  bdevType(dev: bigint): number {
    return this.driverOf(dev) ? disk.D_DISK : -1;
  }

  /**
   * getdisksize(vp, &numsec, &secsize): wedge info first (rumpblk has none), then the partition
   * info; EINVAL for a sector size that is zero, not a power of two or over MAXBSIZE, or no sectors.
   */
  getdisksize(vp: bigint): { error: number; numsec: bigint; secsize: number } {
    const pi = this.call.scratch(partinfo.$size);
    const m = this.k.mem;
    try {
      // A wedge answer needs its parent disk's sector size (disk_find): no wedges exist here, so
      // either way the partition info decides, as it does in NetBSD when the wedge ioctl fails.
      this.vopIoctlWedge(vp);
      const error = this.vopIoctl(vp, dkio.DIOCGPARTINFO, pi);
      if (error) return { error, numsec: 0n, secsize: 0 };
      const secsize = m.read32(pi + BigInt(partinfo.pi_secsize));
      const numsec = m.read64(pi + BigInt(partinfo.pi_size));
      const bad =
        secsize === 0 ||
        secsize > disk.MAXBSIZE ||
        (secsize & (secsize - 1)) !== 0 ||
        numsec === 0n;
      return { error: bad ? errno.EINVAL : 0, numsec, secsize };
    } finally {
      this.call.release(pi, partinfo.$size);
    }
  }

  /** getdiskinfo(vp, dkw): the wedge info, else one synthesized from the partition info. */
  getdiskinfo(vp: bigint, dkw: bigint): number {
    if (this.vopIoctl(vp, dkio.DIOCGWEDGEINFO, dkw) === 0) return 0;
    const pi = this.call.scratch(partinfo.$size);
    const m = this.k.mem;
    const W = this.k.S.dkwedge_info;
    try {
      const error = this.vopIoctl(vp, dkio.DIOCGPARTINFO, pi);
      if (error) return error;
      const V = this.k.S.vnode;
      const sn = m.read64(vp + BigInt(V.v_un.offset));
      const dev = m.read64(sn + BigInt(this.k.S.specnode.sn_rdev.offset));
      const name = this.driverOf(dev)?.name ?? '';
      const cstr = (at: number, size: number, s: string) => {
        const bytes = new TextEncoder().encode(s).subarray(0, size - 1);
        m.fill(dkw + BigInt(at), size, 0);
        m.write(dkw + BigInt(at), bytes);
      };
      cstr(
        W.dkw_devname.offset,
        W.dkw_devname.size,
        `${name}${DISKUNIT(dev)}${String.fromCharCode(97 + DISKPART(dev))}`,
      );
      m.write8(dkw + BigInt(W.dkw_wname.offset), 0);
      cstr(W.dkw_parent.offset, W.dkw_parent.size, `${name}${DISKUNIT(dev)}`);
      m.write64(dkw + BigInt(W.dkw_size.offset), m.read64(pi + BigInt(partinfo.pi_size)));
      m.write64(dkw + BigInt(W.dkw_offset.offset), m.read64(pi + BigInt(partinfo.pi_offset)));
      cstr(
        W.dkw_ptype.offset,
        W.dkw_ptype.size,
        getfstypename(m.read8(pi + BigInt(partinfo.pi_fstype))),
      );
      return 0;
    } finally {
      this.call.release(pi, partinfo.$size);
    }
  }

  private vopIoctl(vp: bigint, cmd: number, data: bigint): number {
    return this.call.int('VOP_IOCTL', vp, cmd, data, fcntl.FREAD, -1n /* NOCRED */);
  }

  private vopIoctlWedge(vp: bigint): number {
    const W = this.k.S.dkwedge_info;
    const dkw = this.call.scratch(W.$size);
    try {
      return this.vopIoctl(vp, dkio.DIOCGWEDGEINFO, dkw);
    } finally {
      this.call.release(dkw, W.$size);
    }
  }

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    this.nodump = t.function('nodump', 'devsw', () => errno.ENODEV);
    this.nosize = t.function('nosize', 'devsw', () => -1);
    this.nodiscard = t.function('nodiscard', 'devsw', () => errno.ENODEV);
    t.function('bdevsw_lookup', 'devsw', (c) => this.bdevswLookup(c.arg(0)));
    t.function('bdev_open', 'devsw', (c) =>
      this.bdevOpen(
        c.arg(0),
        Number(BigInt.asIntN(32, c.arg(1))),
        Number(BigInt.asIntN(32, c.arg(2))),
        c.arg(3),
      ),
    );
    t.function('bdev_close', 'devsw', (c) =>
      this.bdevClose(
        c.arg(0),
        Number(BigInt.asIntN(32, c.arg(1))),
        Number(BigInt.asIntN(32, c.arg(2))),
        c.arg(3),
      ),
    );
    t.function('bdev_ioctl', 'devsw', (c) =>
      this.bdevIoctl(
        c.arg(0),
        Number(c.arg(1) & 0xffffffffn),
        c.arg(2),
        Number(BigInt.asIntN(32, c.arg(3))),
        c.arg(4),
      ),
    );
    t.function('bdev_strategy', 'devsw', (c) => {
      this.bdevStrategy(c.arg(0));
    });
    t.function('bdev_type', 'devsw', (c) => this.bdevType(c.arg(0)));
    t.function('getdisksize', 'disk', (c) => {
      const [vp, numsecp, secsizep] = [c.arg(0), c.arg(1), c.arg(2)];
      const r = this.getdisksize(vp);
      if (r.error === 0) {
        m.write64(numsecp, r.numsec);
        m.write32(secsizep, r.secsize);
      }
      return r.error;
    });
    t.function('getdiskinfo', 'disk', (c) => this.getdiskinfo(c.arg(0), c.arg(1)));
  }
}
