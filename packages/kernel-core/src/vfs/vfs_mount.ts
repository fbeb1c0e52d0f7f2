/**
 * kern/vfs_mount.c: mount structures, the mount list, mounting and unmounting.
 *
 * A mount is a zeroed guest `struct mount` (mnt_op, mnt_flag, mnt_stat ... where modules read
 * them). Its vnodes are kept in a TypeScript list (the mount's vnode list) in insertion order,
 * and its reference count is the guest mnt_refcnt: the mount list holds one, every vnode on the
 * mount one, vfs_busy one; at zero the mount is destroyed.
 */
import { kmflags, mnt as M, vnode as VF, vtype } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';
import type { Vfs } from './vfs.js';

export const MNT_BASIC_FLAGS =
  0x40 |
  0x10000000 |
  0x800000 |
  0x1000000 |
  0x2000000 |
  0x4000000 |
  0x8000 |
  0x10 |
  0x40000000 |
  0x4 |
  0x8 |
  0x1 |
  0x20000 |
  0x80000000 |
  0x20000000 |
  0x2 |
  0x20 |
  0x200000 |
  0x800;
export const MNT_OP_FLAGS = M.MNT_UPDATE | M.MNT_RELOAD | M.MNT_FORCE | M.MNT_GETARGS;
const MNT_EXPORTED = 0x100;
const VFS_MAX_MOUNT_DATA = 8192;
const MNT_WAIT = 1;
const MNT_NOWAIT = 2;
const SUSPEND_SUSPEND = 0x1;
const SUSPEND_RESUME = 0x2;

type VfsopsField = keyof Kernel['S']['vfsops'] & `vfs_${string}`;

/** makefstype(name): the `long` NetBSD derives from a file-system type name. */
export function makefstype(name: string): bigint {
  let rv = 0n;
  for (const c of new TextEncoder().encode(name)) rv = BigInt.asIntN(64, (rv << 2n) ^ BigInt(c));
  return rv;
}

export class Mounts {
  /** The mount list, oldest first (mountlist_append). */
  readonly list: bigint[] = [];
  private readonly vnodes = new Map<bigint, Set<bigint>>();
  private readonly busyCount = new Map<bigint, number>();
  private gen = 0n;
  private readonly o: { refcnt: bigint; flag: bigint; iflag: bigint; op: bigint; stat: bigint };

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {
    const S = k.S.mount;
    this.o = {
      refcnt: BigInt(S.mnt_refcnt.offset),
      flag: BigInt(S.mnt_flag.offset),
      iflag: BigInt(S.mnt_iflag.offset),
      op: BigInt(S.mnt_op.offset),
      stat: BigInt(S.mnt_stat.offset),
    };
  }

  field(mp: bigint, name: keyof Kernel['S']['mount']): bigint {
    return mp + BigInt((this.k.S.mount[name] as { offset: number }).offset);
  }
  /** &mp->mnt_stat.<name> */
  stat(mp: bigint, name: keyof Kernel['S']['statvfs']): bigint {
    return mp + this.o.stat + BigInt((this.k.S.statvfs[name] as { offset: number }).offset);
  }
  flag(mp: bigint): number {
    return this.k.mem.read32(mp + this.o.flag) | 0;
  }
  setFlag(mp: bigint, f: number): void {
    this.k.mem.write32(mp + this.o.flag, f >>> 0);
  }
  iflag(mp: bigint): number {
    return this.k.mem.read32(mp + this.o.iflag) | 0;
  }
  setIflag(mp: bigint, f: number): void {
    this.k.mem.write32(mp + this.o.iflag, f >>> 0);
  }
  vfsops(mp: bigint): bigint {
    return this.k.mem.read64(mp + this.o.op);
  }
  /** The function pointer vfsops->name of the mount's file system (panics when NULL). */
  op(mp: bigint, name: VfsopsField): bigint {
    const f = this.k.mem.read64(
      this.vfsops(mp) + BigInt((this.k.S.vfsops[name] as { offset: number }).offset),
    );
    if (f === 0n)
      this.k.panic(`${name}: mount ${this.k.describeAddress(mp)} has no such operation`);
    return f;
  }
  /** Calls vfsops->name(args...) and returns its int result. */
  call(mp: bigint, name: VfsopsField, ...args: (bigint | number)[]): number {
    return Number(BigInt.asIntN(32, this.k.callGuest(this.op(mp, name), ...args)));
  }

  vnodesOf(mp: bigint): Iterable<bigint> {
    return this.vnodes.get(mp) ?? [];
  }

  /** vfs_insmntque: move vp to mp's vnode list (mp 0: to none), releasing the old mount. */
  insmntque(vp: bigint, mp: bigint): void {
    const vn = this.vfs.vn;
    const omp = vn.mount(vp);
    if (omp !== 0n) this.vnodes.get(omp)?.delete(vp);
    vn.setMount(vp, mp);
    if (mp !== 0n) {
      let s = this.vnodes.get(mp);
      if (!s) this.vnodes.set(mp, (s = new Set()));
      s.add(vp);
    }
    if (omp !== 0n) this.rele(omp);
  }

  ref(mp: bigint): void {
    const a = mp + this.o.refcnt;
    const n = this.k.mem.read32(a) | 0;
    if (n <= 0) this.k.panic(`vfs_ref: mount ${this.k.describeAddress(mp)} has refcount ${n}`);
    this.k.mem.write32(a, n + 1);
  }

  /** vfs_rele: the last reference destroys the mount (vfs_destroy). */
  rele(mp: bigint): void {
    const a = mp + this.o.refcnt;
    const n = (this.k.mem.read32(a) | 0) - 1;
    if (n < 0) this.k.panic(`vfs_rele: mount ${this.k.describeAddress(mp)} refcount below zero`);
    this.k.mem.write32(a, n);
    if (n === 0) this.destroy(mp);
  }

  busy(mp: bigint): number {
    if (this.iflag(mp) & M.IMNT_GONE) return errno.ENOENT;
    this.ref(mp);
    this.busyCount.set(mp, (this.busyCount.get(mp) ?? 0) + 1);
    return 0;
  }

  unbusy(mp: bigint): void {
    const n = this.busyCount.get(mp) ?? 0;
    if (n <= 0) this.k.panic(`vfs_unbusy: mount ${this.k.describeAddress(mp)} is not busy`);
    if (n === 1) this.busyCount.delete(mp);
    else this.busyCount.set(mp, n - 1);
    this.rele(mp);
  }

  private newMutex(): bigint {
    const m = this.k.kmem.alloc(this.k.S.kmutex.$size, kmflags.KM_SLEEP, true, 'mount mutex');
    this.k.mutexes.init(m, 2, 0);
    return m;
  }

  /** vfs_mountalloc(vfsops, vp): a new mount with one reference, fstrans state, locks. */
  alloc(vfsops: bigint, covered: bigint): bigint {
    const k = this.k;
    const mp = k.kmem.alloc(k.S.mount.$size, kmflags.KM_SLEEP, true, 'vfs_mountalloc');
    const m = k.mem;
    m.write64(this.field(mp, 'mnt_op'), vfsops);
    m.write32(mp + this.o.refcnt, 1);
    const vl = this.field(mp, 'mnt_vnodelist');
    m.write64(vl, 0n);
    m.write64(vl + 8n, vl);
    m.write64(this.field(mp, 'mnt_vnodelock'), this.newMutex());
    m.write64(this.field(mp, 'mnt_renamelock'), this.newMutex());
    m.write64(this.field(mp, 'mnt_updating'), this.newMutex());
    m.write64(this.field(mp, 'mnt_vnodecovered'), covered);
    m.write64(this.field(mp, 'mnt_gen'), ++this.gen);
    this.vfs.trans.mount(mp);
    return mp;
  }

  /** vfs_destroy: frees a mount whose last reference went away. */
  private destroy(mp: bigint): void {
    const k = this.k;
    const left = this.vnodes.get(mp);
    if (left && left.size > 0)
      k.panic(`vfs_destroy: mount ${k.describeAddress(mp)} still has ${left.size} vnode(s)`);
    this.vnodes.delete(mp);
    this.vfs.trans.unmount(mp);
    for (const f of ['mnt_vnodelock', 'mnt_renamelock', 'mnt_updating'] as const) {
      const mtx = k.mem.read64(this.field(mp, f));
      if (mtx !== 0n) {
        k.mutexes.destroy(mtx);
        k.kmem.free(mtx, k.S.kmutex.$size, 'mount mutex');
      }
    }
    const ops = this.vfsops(mp);
    if (ops !== 0n) {
      const rc = ops + BigInt(k.S.vfsops.vfs_refcount.offset);
      k.mem.write32(rc, (k.mem.read32(rc) | 0) - 1);
    }
    k.kmem.free(mp, k.S.mount.$size, 'vfs_destroy');
  }

  append(mp: bigint): void {
    this.list.push(mp);
  }

  private remove(mp: bigint): void {
    const i = this.list.indexOf(mp);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** vfs_suspend(mp, nowait) / vfs_resume(mp) through VFS_SUSPENDCTL. */
  suspend(mp: bigint): number {
    return this.call(mp, 'vfs_suspendctl', mp, SUSPEND_SUSPEND);
  }
  resume(mp: bigint): void {
    this.call(mp, 'vfs_suspendctl', mp, SUSPEND_RESUME);
  }

  /**
   * mount(2) (do_sys_mount + mount_domount): mounts file system `fstype` on `path`. `data` is the
   * file system's args struct in guest memory (`dataLen` bytes; copied like copyin).
   */
  mount(fstype: string, path: string, flags: number, data: bigint, dataLen: number): number {
    const k = this.k;
    const vfs = this.vfs;
    if (flags & (M.MNT_UPDATE | M.MNT_GETARGS)) return errno.EOPNOTSUPP;
    const nd = vfs.lookup.nameiSimple(path, true);
    if (nd.error) return nd.error;
    const vp = nd.vp;
    const type = vfs.init.byName(fstype);
    if (!type) {
      vfs.vnodes.vrele(vp);
      return errno.ENODEV;
    }
    const rc = type.ops + BigInt(k.S.vfsops.vfs_refcount.offset);
    k.mem.write32(rc, (k.mem.read32(rc) | 0) + 1);
    const delref = () => k.mem.write32(rc, (k.mem.read32(rc) | 0) - 1);
    let len = dataLen;
    if (len === 0)
      len = Number(k.mem.read64(type.ops + BigInt(k.S.vfsops.vfs_min_mount_data.offset)));
    if (len === 0 || len > VFS_MAX_MOUNT_DATA) {
      delref();
      vfs.vnodes.vrele(vp);
      return errno.EINVAL;
    }
    const buf = k.kmem.alloc(len, kmflags.KM_SLEEP, true, 'mount data');
    if (data !== 0n) k.mem.write(buf, k.mem.read(data, Math.min(len, dataLen || len)));
    const pathStr = vfs.strings.dup(path);
    try {
      const error = this.domount(vp, type.ops, pathStr, flags, buf, len, delref);
      if (error) vfs.vnodes.vrele(vp);
      return error;
    } finally {
      vfs.strings.free(pathStr);
      k.kmem.free(buf, len, 'mount data');
    }
  }

  private domount(
    vp: bigint,
    vfsops: bigint,
    path: bigint,
    flags: number,
    data: bigint,
    len: number,
    delref: () => void,
  ): number {
    const k = this.k;
    const vfs = this.vfs;
    const vn = vfs.vn;
    if (vn.type(vp) !== vtype.VDIR) {
      delref();
      return errno.ENOTDIR;
    }
    if (flags & MNT_EXPORTED) {
      delref();
      return errno.EINVAL;
    }
    const mp = this.alloc(vfsops, vp);
    k.mem.write32(this.stat(mp, 'f_owner'), 0);
    this.setFlag(mp, flags & (MNT_BASIC_FLAGS | M.MNT_FORCE | M.MNT_IGNORE));
    let error = vfs.vop.withScratch(8, (lenp) => {
      k.mem.write64(lenp, BigInt(len));
      return this.call(mp, 'vfs_mount', mp, path, data, lenp);
    });
    this.setFlag(mp, this.flag(mp) & ~MNT_OP_FLAGS);
    if (error) {
      this.rele(mp);
      return error;
    }
    const error2 = this.suspend(mp);
    const updating = k.mem.read64(this.field(mp, 'mnt_updating'));
    k.mutexes.enter(updating);
    const nd = vfs.lookup.namei(k.mem.readCString(path), { follow: true, lockleaf: true });
    nd.release();
    error = nd.error;
    if (!error && nd.vp !== vp) {
      vfs.vnodes.vput(nd.vp);
      error = errno.EINVAL;
    } else if (!error && vn.mountedhere(vp) !== 0n) {
      vfs.vnodes.vput(nd.vp);
      error = errno.EBUSY;
    } else if (!error) {
      error = vfs.io().bufcache.vinvalbuf(vp, VF.V_SAVE, vfs.cred());
      if (error) vfs.vnodes.vput(nd.vp);
    }
    if (error) {
      if (this.call(mp, 'vfs_unmount', mp, M.MNT_FORCE) !== 0)
        k.panic('Unmounting fresh file system failed');
      k.mutexes.exit(updating);
      if (error2 === 0) this.resume(mp);
      this.rele(mp);
      return error;
    }
    vfs.cache.purge(vp, 0x3);
    this.setIflag(mp, this.iflag(mp) & ~M.IMNT_WANTRDWR);
    this.append(mp);
    vn.setMountedhere(vp, mp);
    vfs.vnodes.vput(nd.vp);
    k.mutexes.exit(updating);
    if (error2 === 0) this.resume(mp);
    this.ref(mp);
    this.call(mp, 'vfs_statvfs', mp, this.field(mp, 'mnt_stat'));
    error = this.call(mp, 'vfs_start', mp, 0);
    // On success the covered vnode's reference belongs to the mount (released by dounmount).
    if (error) vfs.vnodes.vrele(vp);
    this.rele(mp);
    return error;
  }

  /** unmount(2): the path must be the root of a mount. */
  unmount(path: string, flags: number): number {
    const vfs = this.vfs;
    const nd = vfs.lookup.namei(path, { follow: true, lockleaf: true });
    nd.release();
    if (nd.error) return nd.error;
    const vp = nd.vp;
    const mp = vfs.vn.mount(vp);
    const isRoot = (vfs.vn.vflag(vp) & VF.VV_ROOT) !== 0;
    vfs.vnodes.vput(vp);
    if (!isRoot || mp === vfs.rootfs.mount) return errno.EINVAL;
    return this.dounmount(mp, flags);
  }

  /** dounmount(mp, flags, l) */
  dounmount(mp: bigint, flags: number): number {
    const k = this.k;
    const vfs = this.vfs;
    const wasSuspended = vfs.trans.isOwner(mp);
    if (!wasSuspended) {
      const e = this.suspend(mp);
      if (e) return e;
    }
    if (this.iflag(mp) & M.IMNT_GONE)
      k.panic('kernel diagnostic assertion "(mp->mnt_iflag & IMNT_GONE) == 0" failed: dounmount');
    this.setIflag(mp, this.iflag(mp) | M.IMNT_UNMOUNT);
    const updating = k.mem.read64(this.field(mp, 'mnt_updating'));
    k.mutexes.enter(updating);
    const async = this.flag(mp) & M.MNT_ASYNC;
    this.setFlag(mp, this.flag(mp) & ~M.MNT_ASYNC);
    vfs.cache.purgevfs(mp);
    let error = 0;
    if (!(this.flag(mp) & M.MNT_RDONLY) && !(flags & M.MNT_FORCE)) {
      error = this.call(mp, 'vfs_sync', mp, MNT_WAIT, vfs.cred());
    }
    if (error === 0 || flags & M.MNT_FORCE) error = this.call(mp, 'vfs_unmount', mp, flags);
    if (error) {
      this.setIflag(mp, this.iflag(mp) & ~M.IMNT_UNMOUNT);
      this.setFlag(mp, this.flag(mp) | async);
      k.mutexes.exit(updating);
      if (!wasSuspended) this.resume(mp);
      return error;
    }
    k.mutexes.exit(updating);
    this.setIflag(mp, this.iflag(mp) | M.IMNT_GONE);
    const covered = k.mem.read64(this.field(mp, 'mnt_vnodecovered'));
    if (covered !== 0n) vfs.vn.setMountedhere(covered, 0n);
    if (!wasSuspended) this.resume(mp);
    this.remove(mp);
    const left = this.vnodes.get(mp);
    if (left && left.size > 0) {
      k.panic(`unmount: dangling vnode ${k.describeAddress([...left][0]!)} (${left.size} left)`);
    }
    this.rele(mp);
    if (covered !== 0n) vfs.vnodes.vrele(covered);
    return 0;
  }

  /** sync(2) / vfs_sync_all: VFS_SYNC(MNT_NOWAIT) on every writable mount. */
  syncAll(): void {
    for (const mp of [...this.list]) {
      if (mp === this.vfs.rootfs.mount) continue;
      if (this.flag(mp) & M.MNT_RDONLY) continue;
      if (this.busy(mp)) continue;
      try {
        this.call(mp, 'vfs_sync', mp, MNT_NOWAIT, this.vfs.cred());
      } finally {
        this.unbusy(mp);
      }
    }
  }

  /** vfs_unmountall: force-unmounts every mount, newest first; true if all went. */
  unmountAll(): boolean {
    let ok = true;
    for (const mp of [...this.list].reverse()) {
      if (mp === this.vfs.rootfs.mount) continue;
      if (this.dounmount(mp, M.MNT_FORCE) !== 0) ok = false;
    }
    return ok;
  }

  register(): void {
    const t = this.k.ksyms;
    const k = this.k;
    t.function('vfs_busy', 'vfs', (cpu) => this.busy(cpu.arg(0)));
    t.function('vfs_unbusy', 'vfs', (cpu) => this.unbusy(cpu.arg(0)));
    t.function('vfs_ref', 'vfs', (cpu) => this.ref(cpu.arg(0)));
    t.function('vfs_rele', 'vfs', (cpu) => this.rele(cpu.arg(0)));
    t.function('vfs_suspend', 'vfs', (cpu) => this.suspend(cpu.arg(0)));
    t.function('vfs_resume', 'vfs', (cpu) => this.resume(cpu.arg(0)));
    t.function('mountlist_append', 'vfs', (cpu) => this.append(cpu.arg(0)));
    t.function('makefstype', 'vfs', (cpu) => makefstype(k.mem.readCString(cpu.arg(0), 64)));
    t.function('VFS_ROOT', 'vnode_if', (cpu) =>
      this.call(cpu.arg(0), 'vfs_root', cpu.arg(0), cpu.arg(1), cpu.arg(2)),
    );
    t.function('VFS_SYNC', 'vnode_if', (cpu) =>
      this.call(cpu.arg(0), 'vfs_sync', cpu.arg(0), cpu.arg(1), cpu.arg(2)),
    );
    t.function('VFS_STATVFS', 'vnode_if', (cpu) =>
      this.call(cpu.arg(0), 'vfs_statvfs', cpu.arg(0), cpu.arg(1)),
    );
    t.function('VFS_VGET', 'vnode_if', (cpu) =>
      this.call(cpu.arg(0), 'vfs_vget', cpu.arg(0), cpu.arg(1), cpu.arg(2), cpu.arg(3)),
    );
    t.function('VFS_FSYNC', 'vnode_if', (cpu) =>
      this.call(cpu.arg(0), 'vfs_fsync', cpu.arg(1), cpu.arg(2)),
    );
  }
}
