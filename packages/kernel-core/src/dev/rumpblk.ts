/**
 * rumpblk: the block device behind etfs BLK nodes (sys/rump/librump/rumpvfs/rumpblk.c).
 * Each registered host file is one minor of major 197, seen through the host's block device
 * interface in whole 512-byte sectors. Transfers complete inside strategy: the host call
 * returns, then biodone. A host file the host will only open read-only becomes a read-only
 * disk: opening it for writing fails with EACCES and a write buf fails with EROFS, so no code
 * path can write it.
 */
import { type HostBlockDevice, HostError } from '@rump/hypercall';
import { buf as bufc, fcntl } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { ErrnoError } from '../errors.js';
import { type Kva, kvaBig, kvaOf, loadKva, loadU32, storeU32 } from '../kern/kva.js';
import type { IoKernel } from './io.js';
import {
  type BlockDriver,
  type DevSw,
  DISKPART,
  disk,
  dkio,
  makedev,
  minor,
  partinfo,
} from './subr_disk.js';

/** sys/rump/include/rump-sys/vfs.h */
export const RUMPBLK_DEVMAJOR = 197;
/** Minors rumpblk has (RUMPBLK_SIZE). */
export const RUMPBLK_SIZE = 16;
const SECTOR = bufc.DEV_BSIZE;

export interface RumpBlkOptions {
  /** Where the disk starts in the host file, in bytes (a multiple of 512). Default 0. */
  readonly offset?: number;
  /** Disk size in bytes; default: the rest of the file. offset + size must fit in the file. */
  readonly size?: number;
  /** Open the host file read-only even if it could be written. */
  readonly readOnly?: boolean;
}

/** One registered disk (struct rblkdev). */
export interface RumpBlkDevice {
  readonly minor: number;
  readonly dev: bigint;
  readonly path: string;
  /** FREAD, or FREAD|FWRITE. */
  readonly mode: number;
  /** Bytes the disk has (whole sectors). */
  readonly size: number;
  readonly hostOffset: number;
  /** The default disk label (struct disklabel bytes). */
  readonly label: Uint8Array;
}

interface Rblk extends RumpBlkDevice {
  readonly disk: HostBlockDevice;
}

export interface RumpBlkStats {
  ios: number;
  bytesRead: number;
  bytesWritten: number;
}

export class RumpBlk implements BlockDriver {
  readonly name = 'rumpblk';
  private readonly minors: (Rblk | undefined)[] = new Array(RUMPBLK_SIZE).fill(undefined);
  readonly stats: RumpBlkStats = { ios: 0, bytesRead: 0, bytesWritten: 0 };

  constructor(
    private readonly k: IoKernel,
    private readonly devsw: DevSw,
    private readonly biodone: (bp: bigint) => void,
  ) {}

  /** devsw_attach("rumpblk", ...) at RUMPBLK_DEVMAJOR. */
  register(): void {
    this.devsw.attachBdev(RUMPBLK_DEVMAJOR, this);
  }

  /**
   * rumpblk_register: the minor for a host file (the same one if it is registered already).
   * Opens it read-write, falling back to read-only as rumpblk's backend_open does.
   * Throws ErrnoError: EBUSY (all minors taken), EINVAL (bad offset/size), host errors.
   */
  attach(path: string, options: RumpBlkOptions = {}): RumpBlkDevice {
    const same = this.minors.find((r) => r?.path === path);
    if (same) return same;
    const i = this.minors.indexOf(undefined);
    if (i < 0)
      throw new ErrnoError(
        errno.EBUSY,
        `rumpblk_register(${path}): all ${RUMPBLK_SIZE} minors are in use`,
      );
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % SECTOR !== 0) {
      throw new ErrnoError(
        errno.EINVAL,
        `rumpblk_register(${path}): offset ${offset} is not a whole number of sectors`,
      );
    }
    let hostDisk: HostBlockDevice | undefined;
    let mode = fcntl.FREAD | fcntl.FWRITE;
    if (!options.readOnly) {
      try {
        hostDisk = this.k.host.openBlockDevice(path, { access: 'read-write' });
      } catch (e) {
        if (!(e instanceof HostError)) throw e;
      }
    }
    if (!hostDisk) {
      try {
        hostDisk = this.k.host.openBlockDevice(path, { access: 'read-only' });
        mode = fcntl.FREAD;
      } catch (e) {
        if (e instanceof HostError)
          throw new ErrnoError(e.errno, `rumpblk_register(${path}): ${e.message}`);
        throw e;
      }
    }
    const flen = hostDisk.sectorCount * hostDisk.sectorSize;
    let size: number;
    if (options.size !== undefined) {
      if (!Number.isSafeInteger(options.size) || options.size < 0 || offset + options.size > flen) {
        hostDisk.close();
        throw new ErrnoError(
          errno.EINVAL,
          `rumpblk_register(${path}): offset ${offset} + size ${options.size} exceeds the file's ${flen} bytes`,
        );
      }
      size = options.size;
    } else {
      if (offset >= flen) {
        hostDisk.close();
        throw new ErrnoError(
          errno.EINVAL,
          `rumpblk_register(${path}): offset ${offset} is not inside the file (${flen} bytes)`,
        );
      }
      size = flen - offset;
    }
    // A disk has whole sectors: a partial last sector is not addressable.
    size -= size % SECTOR;
    const r: Rblk = {
      minor: i,
      dev: makedev(RUMPBLK_DEVMAJOR, i),
      path,
      mode,
      size,
      hostOffset: offset,
      label: this.makeDefaultLabel(size, i),
      disk: hostDisk,
    };
    this.minors[i] = r;
    return r;
  }

  /** rumpblk_deregister: closes the host file; ENOENT if the path is not registered. */
  detach(path: string): void {
    const i = this.minors.findIndex((r) => r?.path === path);
    if (i < 0) throw new ErrnoError(errno.ENOENT, `rumpblk_deregister(${path}): not registered`);
    const r = this.minors[i]!;
    this.minors[i] = undefined;
    r.disk.close();
  }

  device(minorNo: number): RumpBlkDevice | undefined {
    return this.minors[minorNo];
  }

  /** rumpblk_fini: closes every host file (kernel shutdown), after flushing written data. */
  fini(): void {
    for (let i = 0; i < RUMPBLK_SIZE; i++) {
      const r = this.minors[i];
      if (!r) continue;
      if (r.mode & fcntl.FWRITE) r.disk.flush();
      r.disk.close();
      this.minors[i] = undefined;
    }
  }

  private rblk(dev: bigint): Rblk | undefined {
    return this.minors[minor(dev)];
  }

  open(dev: bigint, flag: number): number {
    const r = this.rblk(dev);
    if (!r) return errno.ENXIO;
    if ((flag & (fcntl.FREAD | fcntl.FWRITE) & ~r.mode) !== 0) return errno.EACCES;
    return 0;
  }

  close(): number {
    return 0;
  }

  ioctl(dev: bigint, cmd: number, data: bigint): number {
    const r = this.rblk(dev);
    if (!r) return errno.ENXIO;
    const m = this.k.mem;
    switch (cmd) {
      case dkio.DIOCGDINFO:
        m.write(data, r.label);
        return 0;
      case dkio.DIOCGPARTINFO: {
        const P = this.k.S.partition;
        const L = this.k.S.disklabel;
        const dv = new DataView(r.label.buffer, r.label.byteOffset, r.label.byteLength);
        const p = L.d_partitions.offset + DISKPART(dev) * P.$size;
        const at = (o: number) => data + BigInt(o);
        m.write64(at(partinfo.pi_offset), BigInt(dv.getUint32(p + P.p_offset.offset, true)));
        m.write64(at(partinfo.pi_size), BigInt(dv.getUint32(p + P.p_size.offset, true)));
        m.write32(at(partinfo.pi_secsize), dv.getUint32(L.d_secsize.offset, true));
        m.write32(at(partinfo.pi_bsize), disk.BLKDEV_IOSIZE);
        m.write8(at(partinfo.pi_fstype), dv.getUint8(p + P.p_fstype.offset));
        m.write32(at(partinfo.pi_fsize), dv.getUint32(p + P.__partition_u2.offset, true));
        m.write8(at(partinfo.pi_frag), dv.getUint8(p + P.p_frag.offset));
        m.write16(at(partinfo.pi_cpg), dv.getUint16(p + P.__partition_u1.offset, true));
        return 0;
      }
      case dkio.DIOCCACHESYNC:
        // The host makes the image durable here (rumpblk relies on synchronous writes instead).
        try {
          if (r.mode & fcntl.FWRITE) r.disk.flush();
        } catch (e) {
          if (e instanceof HostError) return e.errno;
          throw e;
        }
        return 0;
      case dkio.DIOCGMEDIASIZE:
        m.write64(data, BigInt(r.size));
        return 0;
      default:
        return errno.ENOTTY;
    }
  }

  /**
   * dostrategy: byte offset b_blkno << DEV_BSHIFT; b_bcount must be whole sectors (EINVAL);
   * a transfer starting exactly at the end is EOF (b_resid = b_bcount, no error), one starting
   * beyond is EINVAL, one crossing the end is cut to the disk. Then one host transfer straight
   * between the host file and b_data, and biodone.
   */
  strategy(bp: bigint): void {
    this.strategyK(kvaOf(bp));
  }

  strategyK(bp: Kva): void {
    const B = this.k.S.buf;
    const m = this.k.mem;
    const count = this.transfer(bp);
    const error = count < 0 ? -count : 0;
    storeU32(m, bp + B.b_resid.offset, loadU32(m, bp + B.b_bcount.offset) - Math.max(count, 0));
    storeU32(m, bp + B.b_error.offset, error);
    this.biodone(kvaBig(bp));
  }

  /** The transfer of dostrategy: bytes moved, or -errno. */
  private transfer(bp: Kva): number {
    const B = this.k.S.buf;
    const m = this.k.mem;
    // b_dev: the minor is in its low bits (major 197 << 8 | minor, see makedev).
    const r = this.rblk(m.read64(kvaBig(bp + B.b_dev.offset)));
    if (!r) return -errno.ENXIO;
    let bcount = loadU32(m, bp + B.b_bcount.offset);
    if (bcount % SECTOR !== 0) return -errno.EINVAL;
    const flags = loadU32(m, bp + B.b_flags.offset);
    const isRead = (flags & bufc.B_READ) !== 0;
    const blo = m.load64(bp + B.b_blkno.offset, -1);
    const off = (m.hi * 4294967296 + (blo >>> 0)) * SECTOR;
    this.stats.ios++;
    if (off + bcount > r.size) {
      const sz = r.size - off;
      if (sz === 0) return 0; // EOF: nothing moved, no error
      if (sz < 0) return -errno.EINVAL;
      bcount = sz;
      storeU32(m, bp + B.b_bcount.offset, bcount);
    }
    if (!isRead && !(r.mode & fcntl.FWRITE)) return -errno.EROFS;
    if (bcount === 0) return 0;
    const data = loadKva(m, bp + B.b_data.offset);
    const wo = Number.isNaN(data) || data === 0 ? -1 : data & 0x7fffffff;
    if (wo < 0 || wo + bcount > m.windowSize) {
      this.k.panic(
        `rumpblk_strategy: b_data ${this.k.describeAddress(m.read64(kvaBig(bp + B.b_data.offset)))} is not kernel memory`,
      );
    }
    try {
      r.disk.bio({
        op: isRead ? 'read' : 'write',
        sector: (off + r.hostOffset) / SECTOR,
        data: m.u8.subarray(wo, wo + bcount),
        // A synchronous write is on stable storage when it completes (RUMPUSER_BIO_SYNC).
        sync: !isRead && !(flags & bufc.B_ASYNC),
      });
    } catch (e) {
      if (e instanceof HostError) return -e.errno;
      throw e;
    }
    if (isRead) this.stats.bytesRead += bcount;
    else this.stats.bytesWritten += bcount;
    return bcount;
  }

  /** makedefaultlabel: one fictitious track holding partition `part` (= the minor) of the whole disk. */
  private makeDefaultLabel(size: number, part: number): Uint8Array {
    const L = this.k.S.disklabel;
    const P = this.k.S.partition;
    const label = new Uint8Array(L.$size);
    const dv = new DataView(label.buffer);
    const sectors = size / SECTOR;
    dv.setUint32(L.d_secperunit.offset, size >>> 0, true); // rumpblk stores the byte size here (sic)
    dv.setUint32(L.d_secsize.offset, SECTOR, true);
    dv.setUint32(L.d_nsectors.offset, sectors, true);
    dv.setUint32(L.d_ntracks.offset, 1, true);
    dv.setUint32(L.d_ncylinders.offset, 1, true);
    dv.setUint32(L.d_secpercyl.offset, sectors, true);
    label.set(new TextEncoder().encode('rumpd'), L.d_typename.offset);
    label.set(new TextEncoder().encode('fictitious'), L.d_un.offset);
    dv.setUint16(L.d_type.offset, disk.DKTYPE_RUMPD, true);
    dv.setUint16(L.d_rpm.offset, 11, true);
    dv.setUint16(L.d_interleave.offset, 1, true);
    const p = L.d_partitions.offset + part * P.$size;
    dv.setUint32(p + P.p_size.offset, sectors, true);
    label[p + P.p_fstype.offset] = disk.FS_UNUSED;
    dv.setUint16(L.d_npartitions.offset, part + 1, true);
    dv.setUint32(L.d_magic.offset, disk.DISKMAGIC, true);
    dv.setUint32(L.d_magic2.offset, disk.DISKMAGIC, true);
    return label;
  }
}
