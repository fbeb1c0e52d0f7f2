/**
 * The VFS layer of the kernel (vfs-core): built at boot right after the VFS data symbols, before
 * the not-implemented names are filled in, so that every function defined here replaces a
 * panicking placeholder. The parts that need the I/O half (the kernel's own vectors, which hold
 * genfs_getpages/putpages, and the root file system) are built on first use, once the kernel has
 * finished booting. `kernel.vfs` is also the TypeScript face of the file system calls.
 */
import { kmflags, mnt as M, vtype } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { IoSubsystems } from '../dev/io.js';
import { ErrnoError } from '../errors.js';
import { kvaOf } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import { GenfsRename } from '../miscfs/genfs/genfs_rename.js';
import { GenfsVnops } from '../miscfs/genfs/genfs_vnops.js';
import { Specfs } from '../miscfs/specfs/spec_vnops.js';
import { type EtfsType, etfsKey } from '../rump/etfs.js';
import { Rootfs } from './rootfs.js';
import { NameCache } from './vfs_cache.js';
import { VfsInit } from './vfs_init.js';
import { Namei } from './vfs_lookup.js';
import { Mounts } from './vfs_mount.js';
import { GuestStrings, VfsSubr } from './vfs_subr.js';
import { Fstrans } from './vfs_trans.js';
import { VnodeCache } from './vfs_vnode.js';
import { type Dirent, type VnodeFile, VnodeOps, type VnodeStat } from './vfs_vnops.js';
import { Vnodes } from './vnode.js';
import { VnodeIf } from './vnode_if.js';

export interface StatvfsInfo {
  flag: bigint;
  bsize: bigint;
  frsize: bigint;
  iosize: bigint;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
  fsid: bigint;
  namemax: bigint;
  fstypename: string;
  mntonname: string;
  mntfromname: string;
}

export class Vfs {
  /** VOP_* calls and TypeScript vnode operations. */
  readonly vop: VnodeIf;
  /** struct vnode field accessors. */
  readonly vn: Vnodes;
  readonly trans: Fstrans;
  readonly genfs: GenfsVnops;
  readonly genfsRename: GenfsRename;
  readonly init: VfsInit;
  readonly mounts: Mounts;
  readonly vnodes: VnodeCache;
  readonly cache: NameCache;
  readonly subr: VfsSubr;
  readonly strings: GuestStrings;
  readonly lookup: Namei;
  readonly vnops: VnodeOps;
  readonly spec: Specfs;
  readonly rootfs: Rootfs;
  private booted = false;

  constructor(readonly k: Kernel) {
    this.vop = new VnodeIf(k);
    this.vn = new Vnodes(k);
    this.trans = new Fstrans(k);
    this.vop.fstrans = this.trans;
    this.genfs = new GenfsVnops(k, this.vop);
    this.genfsRename = new GenfsRename(k, this);
    this.init = new VfsInit(k, this.vop);
    this.mounts = new Mounts(k, this);
    this.vnodes = new VnodeCache(k, this);
    this.cache = new NameCache(k, this);
    this.subr = new VfsSubr(k);
    this.strings = new GuestStrings(k);
    this.lookup = new Namei(k, this);
    this.vnops = new VnodeOps(k, this);
    this.spec = new Specfs(k, this);
    this.rootfs = new Rootfs(k, this);
    this.trans.register();
    this.genfs.register();
    this.genfsRename.register();
    this.init.register();
    this.mounts.register();
    this.vnodes.register();
    this.cache.register();
    this.subr.register();
    this.lookup.register();
    this.vnops.register();
    this.spec.register();
    this.defineDeadOps();
  }

  /** The kernel's I/O half (buffer cache, pages, disks). */
  io(): IoSubsystems {
    return (
      (this.k as unknown as { io?: IoSubsystems }).io ??
      this.k.panic('vfs: the I/O subsystems are not initialised')
    );
  }

  /** curlwp's credentials (l_cred). */
  cred(): bigint {
    return this.k.mem.read64(this.k.curlwp + BigInt(this.k.S.lwp.l_cred.offset));
  }

  /**
   * cred() as a Number for the Kva VOP wrappers: the credential's Kva, or its signed 64-bit
   * value for the NOCRED (-1) / FSCRED (-2) tokens.
   */
  credK(): number {
    const m = this.k.mem;
    const at = this.k.curlwpK() + this.k.S.lwp.l_cred.offset;
    const lo = m.load64(at, -1);
    const hi = m.hi;
    if ((hi === -1 && lo < 0) || (hi === 0 && lo >= 0)) return lo;
    return Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
  }

  private deadFns = new Map<string, bigint>();

  private defineDeadOps(): void {
    const k = this.k;
    const m = k.mem;
    const def = (name: string, impl: (ap: bigint) => number) =>
      this.deadFns.set(name, this.vop.define(name, 'deadfs', impl));
    const a64 = (ap: bigint, st: string, f: string) =>
      m.read64(
        ap +
          BigInt(
            (k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]![f]!.offset,
          ),
      );
    def('dead_default_error', () => errno.EBADF);
    def('dead_lookup', (ap) => {
      m.write64(a64(ap, 'vop_lookup_v2_args', 'a_vpp'), 0n);
      return errno.ENOENT;
    });
    def('dead_open', () => errno.ENXIO);
    def('dead_read', () => errno.EIO);
    def('dead_write', () => errno.EIO);
    def('dead_ioctl', () => errno.EBADF);
    def('dead_poll', () => 0);
    def('dead_bmap', () => errno.EIO);
    def('dead_print', () => 0);
    def('dead_inactive', (ap) => {
      m.write8(a64(ap, 'vop_inactive_v2_args', 'a_recycle'), 0);
      return 0;
    });
    def('dead_strategy', (ap) => {
      const bp = a64(ap, 'vop_strategy_args', 'a_bp');
      m.write32(bp + BigInt(k.S.buf.b_error.offset), errno.EIO);
      this.io().bufcache.biodone(bp);
      return errno.EIO;
    });
    def('dead_getpages', (ap) => {
      const flags = m.read32(ap + BigInt(k.S.vop_getpages_args.a_flags.offset));
      if (!((flags & 0x10) /* PGO_LOCKED */))
        k.rwlocks.exit(this.vn.vmobjlock(a64(ap, 'vop_getpages_args', 'a_vp')));
      return errno.EFAULT;
    });
    def('dead_putpages', (ap) => {
      k.rwlocks.exit(this.vn.vmobjlock(a64(ap, 'vop_putpages_args', 'a_vp')));
      return 0;
    });
  }

  /** Builds what needs the whole kernel: the dead and spec vectors and the root file system. */
  ready(): void {
    if (this.booted) return;
    this.booted = true;
    const g = this.genfs.fn;
    const d = this.deadFns;
    this.vnodes.deadVector = this.init.buildVector('dead', {
      default: d.get('dead_default_error')!,
      bwrite: g.get('vn_bwrite')!,
      parsepath: g.get('genfs_parsepath')!,
      lookup: d.get('dead_lookup')!,
      open: d.get('dead_open')!,
      close: g.get('genfs_nullop')!,
      read: d.get('dead_read')!,
      write: d.get('dead_write')!,
      fallocate: g.get('genfs_eopnotsupp')!,
      fdiscard: g.get('genfs_eopnotsupp')!,
      fcntl: g.get('genfs_nullop')!,
      ioctl: d.get('dead_ioctl')!,
      poll: d.get('dead_poll')!,
      fsync: g.get('genfs_nullop')!,
      seek: g.get('genfs_nullop')!,
      inactive: d.get('dead_inactive')!,
      reclaim: g.get('genfs_nullop')!,
      lock: g.get('genfs_deadlock')!,
      unlock: g.get('genfs_deadunlock')!,
      bmap: d.get('dead_bmap')!,
      strategy: d.get('dead_strategy')!,
      print: d.get('dead_print')!,
      islocked: g.get('genfs_deadislocked')!,
      revoke: g.get('genfs_nullop')!,
      getpages: d.get('dead_getpages')!,
      putpages: d.get('dead_putpages')!,
    });
    // dead_rootmount: holds reclaimed vnodes; no file system, no transactions.
    const dm = this.k.kmem.alloc(this.k.S.mount.$size, kmflags.KM_SLEEP, true, 'dead_rootmount');
    this.k.mem.write32(dm + BigInt(this.k.S.mount.mnt_refcnt.offset), 1);
    this.vnodes.deadMount = dm;
    this.spec.buildVectors();
    this.rootfs.boot();
  }

  private depth = 0;

  private entry<T>(fn: () => T): T {
    return this.k.enter(() => {
      this.ready();
      this.depth++;
      try {
        return fn();
      } finally {
        this.depth--;
        // vdrain: between system calls, keep at most desiredvnodes unreferenced vnodes cached.
        if (this.depth === 0 && !this.k.dead && this.k.halted === undefined) {
          const target = this.desiredvnodes();
          if (this.vnodes.freeCount > target) this.vnodes.drain(target);
        }
      }
    });
  }

  /** Where desiredvnodes lives (a Kva), once the symbol exists. */
  private desiredAt: number | undefined;

  /** The desiredvnodes tunable (kernel data; modules read it too). */
  desiredvnodes(): number {
    let at = this.desiredAt;
    if (at === undefined) {
      const a = this.k.ksyms.resolve('desiredvnodes');
      if (a === undefined) return 2048;
      at = this.desiredAt = kvaOf(a);
      if (Number.isNaN(at)) {
        this.desiredAt = undefined;
        return this.k.mem.read32(a) | 0;
      }
    }
    return this.k.mem.load32(at, -1);
  }

  // ---------------------------------------------------------------- the TypeScript file API

  /**
   * rump_pub_etfs_register(_withsize): makes host file `hostPath` appear at `key` as a regular
   * file (REG) or a block/character device (BLK/CHR); the node exists at once.
   */
  etfsRegister(
    key: string,
    hostPath: string,
    type: EtfsType,
    options: { begin?: number; size?: number } = {},
  ): void {
    this.entry(() => {
      this.k.etfs.register(key, hostPath, type, options);
      try {
        this.rootfs.syncEtfs();
      } catch (e) {
        this.k.etfs.remove(key);
        throw e;
      }
    });
  }

  /** rump_pub_etfs_remove: EBUSY while the node is open or mounted. */
  etfsRemove(key: string): void {
    this.entry(() => {
      const name = etfsKey(key).slice(1);
      if (this.rootfs.etfsBusy(name))
        throw new ErrnoError(errno.EBUSY, `etfs_remove ${key}: in use`);
      this.k.etfs.remove(key);
      this.rootfs.syncEtfs();
    });
  }

  /** open(2): O_* flags of NetBSD (O_RDONLY 0, O_WRONLY 1, O_RDWR 2, O_CREAT 0x200 ...). */
  open(path: string, flags = 0, mode = 0o644): VnodeFile {
    return this.entry(() => this.vnops.open(path, flags, mode));
  }
  close(f: VnodeFile): void {
    this.entry(() => this.vnops.close(f));
  }
  read(f: VnodeFile, length: number): Uint8Array {
    return this.entry(() => this.vnops.read(f, length));
  }
  pread(f: VnodeFile, length: number, offset: bigint | number): Uint8Array {
    return this.entry(() => this.vnops.pread(f, length, BigInt(offset)));
  }
  /** read(2) into the caller's buffer (up to its length): the bytes read. */
  readInto(f: VnodeFile, into: Uint8Array): number {
    return this.entry(() => this.vnops.readInto(f, into));
  }
  /** pread(2) into the caller's buffer: the bytes read. */
  preadInto(f: VnodeFile, into: Uint8Array, offset: bigint | number): number {
    return this.entry(() => this.vnops.preadInto(f, into, BigInt(offset)));
  }
  write(f: VnodeFile, data: Uint8Array): number {
    return this.entry(() => this.vnops.write(f, data));
  }
  pwrite(f: VnodeFile, data: Uint8Array, offset: bigint | number): number {
    return this.entry(() => this.vnops.pwrite(f, data, BigInt(offset)));
  }
  lseek(f: VnodeFile, offset: bigint | number, whence: number): bigint {
    return this.entry(() => this.vnops.lseek(f, BigInt(offset), whence));
  }
  fstat(f: VnodeFile): VnodeStat {
    return this.entry(() => this.vnops.fstat(f));
  }
  fsync(f: VnodeFile): void {
    this.entry(() => this.vnops.fsync(f));
  }
  /** getdents(2): raw NetBSD dirent records (up to `bufsize` bytes) from the file offset. */
  getdents(f: VnodeFile, bufsize = 8192): Uint8Array {
    return this.entry(() => this.vnops.getdentsRaw(f, bufsize));
  }
  /** getdents(2) into `into` (up to MAXBSIZE bytes of it): the bytes filled, 0 at the end. */
  getdentsInto(f: VnodeFile, into: Uint8Array): number {
    return this.entry(() => this.vnops.getdentsInto(f, into));
  }
  stat(path: string): VnodeStat {
    return this.entry(() => this.vnops.stat(path, true));
  }
  lstat(path: string): VnodeStat {
    return this.entry(() => this.vnops.stat(path, false));
  }
  readdir(path: string): Dirent[] {
    return this.entry(() => this.vnops.readdir(path));
  }
  readlink(path: string): Uint8Array {
    return this.entry(() => this.vnops.readlink(path));
  }
  access(path: string, mode: number): void {
    this.entry(() => this.vnops.access(path, mode));
  }
  mkdir(path: string, mode = 0o755): void {
    this.entry(() => this.vnops.mkdir(path, mode));
  }
  /** Whole-file read: open, read to EOF, close. */
  readFile(path: string): Uint8Array {
    return this.entry(() => {
      const f = this.vnops.open(path, 0);
      try {
        const size = this.vnops.fstat(f).size;
        const chunks: Uint8Array[] = [];
        let total = 0;
        for (;;) {
          const d = this.vnops.read(
            f,
            Math.max(65536, Math.min(Number(size) - total + 1, 1 << 22)),
          );
          if (d.length === 0) break;
          chunks.push(d);
          total += d.length;
        }
        const out = new Uint8Array(total);
        let p = 0;
        for (const c of chunks) {
          out.set(c, p);
          p += c.length;
        }
        return out;
      } finally {
        this.vnops.close(f);
      }
    });
  }

  /**
   * mount(2): `data` is the file system's args struct in guest memory, or bytes to place there
   * (for ffs: `struct ufs_args { char *fspec; }` — see mountArgsFspec).
   */
  mount(
    fstype: string,
    path: string,
    flags: number,
    data: bigint | Uint8Array,
    dataLen?: number,
  ): void {
    this.entry(() => {
      let addr: bigint;
      let len: number;
      let owned = 0;
      if (data instanceof Uint8Array) {
        len = data.length;
        owned = Math.max(len, 1);
        addr = this.k.kmem.alloc(owned, kmflags.KM_SLEEP, true, 'mount args');
        this.k.mem.write(addr, data);
      } else {
        addr = data;
        len = dataLen ?? 0;
      }
      try {
        const e = this.mounts.mount(fstype, path, flags, addr, len);
        if (e) throw new ErrnoError(e, `mount ${fstype} on ${path}`);
      } finally {
        if (owned) this.k.kmem.free(addr, owned, 'mount args');
      }
    });
  }

  /** Mounts a ufs-family file system (ffs): builds `struct ufs_args` with the device path. */
  mountUfs(fstype: string, fspec: string, path: string, flags = 0): void {
    this.entry(() => {
      const s = this.strings.dup(fspec);
      const args = this.k.kmem.alloc(this.k.S.ufs_args.$size, kmflags.KM_SLEEP, true, 'ufs_args');
      try {
        this.k.mem.write64(args + BigInt(this.k.S.ufs_args.fspec.offset), s);
        const e = this.mounts.mount(fstype, path, flags, args, this.k.S.ufs_args.$size);
        if (e) throw new ErrnoError(e, `mount ${fstype} ${fspec} on ${path}`);
      } finally {
        this.k.kmem.free(args, this.k.S.ufs_args.$size, 'ufs_args');
        this.strings.free(s);
      }
    });
  }

  unmount(path: string, flags = 0): void {
    this.entry(() => {
      const e = this.mounts.unmount(path, flags);
      if (e) throw new ErrnoError(e, `unmount ${path}`);
    });
  }

  /** statvfs(2) of the file system holding `path` (VFS_STATVFS, as statvfs1(ST_WAIT)). */
  statvfs(path: string): StatvfsInfo {
    return this.entry(() => {
      const r = this.lookup.nameiSimple(path, true);
      if (r.error) throw new ErrnoError(r.error, `statvfs ${path}`);
      const mp = this.vn.mount(r.vp);
      this.vnodes.vrele(r.vp);
      const V = this.k.S.statvfs;
      return this.vop.withScratch(V.$size, (sb) => {
        const e = this.mounts.call(mp, 'vfs_statvfs', mp, sb);
        if (e) throw new ErrnoError(e, `statvfs ${path}`);
        this.subr.copyStatvfsInfo(sb, mp);
        const m = this.k.mem;
        const r64 = (f: { offset: number }) => m.read64(sb + BigInt(f.offset));
        const str = (f: { offset: number; size: number }) =>
          m.readCString(sb + BigInt(f.offset), f.size);
        return {
          flag: r64(V.f_flag) | BigInt(this.mounts.flag(mp) >>> 0),
          bsize: r64(V.f_bsize),
          frsize: r64(V.f_frsize),
          iosize: r64(V.f_iosize),
          blocks: r64(V.f_blocks),
          bfree: r64(V.f_bfree),
          bavail: r64(V.f_bavail),
          files: r64(V.f_files),
          ffree: r64(V.f_ffree),
          fsid: r64(V.f_fsid),
          namemax: r64(V.f_namemax),
          fstypename: str(V.f_fstypename),
          mntonname: str(V.f_mntonname),
          mntfromname: str(V.f_mntfromname),
        };
      });
    });
  }

  truncate(path: string, length: bigint | number): void {
    this.entry(() => this.vnops.truncate(path, BigInt(length)));
  }
  ftruncate(f: VnodeFile, length: bigint | number): void {
    this.entry(() => this.vnops.ftruncate(f, BigInt(length)));
  }
  unlink(path: string): void {
    this.entry(() => this.vnops.remove(path, false));
  }
  rmdir(path: string): void {
    this.entry(() => this.vnops.remove(path, true));
  }
  symlink(target: string, path: string): void {
    this.entry(() => this.vnops.symlink(target, path));
  }
  link(existing: string, path: string): void {
    this.entry(() => this.vnops.link(existing, path));
  }
  rename(from: string, to: string): void {
    this.entry(() => this.vnops.rename(from, to));
  }
  chmod(path: string, mode: number): void {
    this.entry(() => this.vnops.chmod(path, mode));
  }
  lchmod(path: string, mode: number): void {
    this.entry(() => this.vnops.chmod(path, mode, false));
  }
  chown(path: string, uid: number, gid: number): void {
    this.entry(() => this.vnops.chown(path, uid, gid));
  }
  lchown(path: string, uid: number, gid: number): void {
    this.entry(() => this.vnops.chown(path, uid, gid, false));
  }
  /** utimes(2) with times in ns since the epoch. */
  utimes(path: string, atimeNs: bigint, mtimeNs: bigint): void {
    this.entry(() => this.vnops.utimes(path, atimeNs, mtimeNs));
  }
  /** lutimes(2): like utimes, but a final symbolic link's own times change. */
  lutimes(path: string, atimeNs: bigint, mtimeNs: bigint): void {
    this.entry(() => this.vnops.utimes(path, atimeNs, mtimeNs, false));
  }
  fchmod(f: VnodeFile, mode: number): void {
    this.entry(() => this.vnops.fchmod(f, mode));
  }
  fchown(f: VnodeFile, uid: number, gid: number): void {
    this.entry(() => this.vnops.fchown(f, uid, gid));
  }
  futimes(f: VnodeFile, atimeNs: bigint, mtimeNs: bigint): void {
    this.entry(() => this.vnops.futimes(f, atimeNs, mtimeNs));
  }

  /**
   * The file-system half of reboot(2) (cpu_reboot → vfs_shutdown): unless RB_NOSYNC, sync every
   * file system, then force-unmount everything and close the disks (host fsync of written
   * images). Returns whether every file system unmounted.
   */
  shutdown(howto = 0): boolean {
    return this.entry(() => {
      const RB_NOSYNC = 0x4;
      if (!(howto & RB_NOSYNC)) this.mounts.syncAll();
      const ok = this.mounts.unmountAll();
      this.io().rumpblk.fini();
      return ok;
    });
  }

  /** pathconf(2): _PC_LINK_MAX 1, _PC_NAME_MAX 4, _PC_PATH_MAX 5, _PC_PIPE_BUF 6, _PC_CHOWN_RESTRICTED 7, _PC_NO_TRUNC 8 ... */
  pathconf(path: string, name: number): bigint {
    return this.entry(() => this.vnops.pathconf(path, name));
  }
  fpathconf(f: VnodeFile, name: number): bigint {
    return this.entry(() => this.vnops.fpathconf(f, name));
  }

  /** sync(2) */
  sync(): void {
    this.entry(() => this.mounts.syncAll());
  }

  /** vfs_unmountall (reboot): force-unmounts everything but the root. */
  unmountAll(): boolean {
    return this.entry(() => this.mounts.unmountAll());
  }

  /** Mount points, oldest first. */
  mountList(): { fstype: string; on: string; from: string; flags: number }[] {
    return this.entry(() =>
      this.mounts.list.map((mp) => {
        const V = this.k.S.statvfs;
        const m = this.k.mem;
        const s = (f: { offset: number; size: number }) =>
          m.readCString(this.mounts.stat(mp, 'f_flag') + BigInt(f.offset), f.size);
        return {
          fstype: s(V.f_fstypename),
          on: s(V.f_mntonname),
          from: s(V.f_mntfromname),
          flags: this.mounts.flag(mp),
        };
      }),
    );
  }

  /** Live vnodes (for leak checks in tests). */
  vnodeCount(): number {
    return this.vnodes.live.size;
  }

  static readonly VTYPE = vtype;
  static readonly MNT = M;
}

/** Boot hook: builds the VFS layer of kernel `k`. */
export function registerVfs(k: Kernel): Vfs {
  return new Vfs(k);
}
