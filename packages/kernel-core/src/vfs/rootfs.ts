/**
 * The root file system of the rump kernel (model: sys/rump/librump/rumpvfs/rumpfs.c): an
 * in-memory tree of directories, symbolic links and etfs nodes, in TypeScript. Every node owns
 * one vnode for its whole life (the node holds a reference), so rootfs vnodes are never
 * inactivated or reclaimed. etfs keys become nodes: REG keys are regular files read from the
 * host file, BLK keys are block-device vnodes of the rumpblk disk registered for the host file.
 * As in rumpfs, an etfs key may contain '/': at the root, VOP_PARSEPATH answers the length of a
 * registered key so that the whole key is one component.
 * Device vnodes use rumpfs's split vector: attribute, lock and life-cycle operations here,
 * everything else (open, close, ioctl, strategy, fsync, pager ...) in the spec vector.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import { kmflags, vnode as VF, vtype } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { type Kva, kvaBig, kvaOf, loadKva, loadU64, storeKva, storeU64 } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import type { EtfsEntry } from '../rump/etfs.js';
import { readHostFile } from '../rump/etfs.js';
import type { Vfs } from './vfs.js';

const EJUSTRETURN = -2;
/** DT_* by vtype (sys/dirent.h): VNON..VBAD. */
const VTTODT = [0, 8, 4, 6, 2, 10, 12, 1, 0];
const DIRENT_HDR = 13;
const NAME_MAX = 255;

export interface RNode {
  readonly fileid: number;
  type: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  parent: RNode | undefined;
  readonly children: Map<string, RNode>;
  /** Symbolic link target. */
  target?: Uint8Array;
  /** Contents of a regular file created inside the rump kernel (not etfs). */
  data?: Uint8Array;
  /** Unlinked: the node's own vnode reference is gone and the vnode may be reclaimed. */
  removed?: boolean;
  /** etfs entry behind a REG/BLK/CHR node. */
  etfs?: EtfsEntry;
  rdev: bigint;
  size: bigint;
  mtimeNs: bigint;
  vp: bigint;
}

const utf8 = new TextDecoder();

/** A component name (`len` bytes at a Kva) as a string: ASCII directly, else UTF-8 decoded. */
function nameString(m: GuestMemory, p: Kva, len: number): string {
  const u8 = m.windowU8();
  const off = p + 0x8000_0000;
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = u8[off + i]!;
    if (c >= 0x80) return utf8.decode(u8.slice(off, off + len));
    s += String.fromCharCode(c);
  }
  return s;
}

export class Rootfs {
  /** The root mount and its root vnode (rootvnode). */
  mount = 0n;
  rootvp = 0n;
  root!: RNode;
  private vector = 0n;
  private specVector = 0n;
  private nextId = 2;
  /** Nodes by their vnode's Kva. */
  private readonly byVp = new Map<Kva, RNode>();
  readonly fn = new Map<string, bigint>();
  /** rootvp as a Kva. */
  private rootK = 0;
  /** The etfs entries the last full syncEtfs saw, and whether a busy node awaits removal. */
  private etfsSeen: EtfsEntry[] = [];
  private etfsPending = false;
  /** UTF-8 bytes of the registered etfs keys containing '/' (they span path components). */
  private etfsSlashKeys: Uint8Array[] = [];

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {}

  node(vp: bigint): RNode {
    return (
      this.byVp.get(kvaOf(vp)) ??
      this.k.panic(`rumpfs: vnode ${this.k.describeAddress(vp)} is not a rootfs node`)
    );
  }

  private a64(ap: bigint, st: string, field: string): bigint {
    const s = (this.k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]!;
    return this.k.mem.read64(ap + BigInt(s[field]!.offset));
  }
  private a32(ap: bigint, st: string, field: string): number {
    const s = (this.k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]!;
    return this.k.mem.read32(ap + BigInt(s[field]!.offset)) | 0;
  }

  private now(): bigint {
    return this.k.host.clockGettime('wall');
  }

  /** Creates a node with its vnode (one reference, owned by the node). */
  private makeNode(
    type: number,
    mode: number,
    parent: RNode | undefined,
    extra: Partial<RNode> = {},
  ): RNode {
    const n: RNode = {
      fileid: this.nextId++,
      type,
      mode: mode & 0o7777,
      uid: 0,
      gid: 0,
      nlink: type === vtype.VDIR ? 2 : 1,
      parent,
      children: new Map(),
      rdev: 0n,
      size: 0n,
      mtimeNs: this.now(),
      vp: 0n,
      ...extra,
    };
    const isDev = type === vtype.VBLK || type === vtype.VCHR;
    const vp = this.vfs.vnodes.kernelVnode(
      this.mount,
      type,
      isDev ? this.specVector : this.vector,
      0n,
    );
    n.vp = vp;
    this.byVp.set(kvaOf(vp), n);
    if (isDev) this.vfs.spec.nodeInit(vp, n.rdev);
    this.vfs.io().uvn.setsize(vp, isDev ? 0n : n.size);
    if (parent) parent.nlink += type === vtype.VDIR ? 1 : 0;
    return n;
  }

  /** Boots the root file system: vfsops, vectors, the mount and the root directory. */
  boot(): void {
    const k = this.k;
    const vfs = this.vfs;
    this.defineOps();
    const g = vfs.genfs.fn;
    const f = this.fn;
    this.vector = vfs.init.buildVector('rumpfs', {
      default: g.get('vn_default_error')!,
      parsepath: f.get('rump_vop_parsepath')!,
      lookup: f.get('rump_vop_lookup')!,
      getattr: f.get('rump_vop_getattr')!,
      setattr: f.get('rump_vop_setattr')!,
      mkdir: f.get('rump_vop_mkdir')!,
      create: f.get('rump_vop_create')!,
      write: f.get('rump_vop_write')!,
      remove: f.get('rump_vop_remove')!,
      rename: f.get('rump_vop_rename')!,
      rmdir: f.get('rump_vop_rmdir')!,
      symlink: f.get('rump_vop_symlink')!,
      readlink: f.get('rump_vop_readlink')!,
      access: f.get('rump_vop_access')!,
      accessx: g.get('genfs_access')!,
      readdir: f.get('rump_vop_readdir')!,
      read: f.get('rump_vop_read')!,
      open: f.get('rump_vop_open')!,
      close: g.get('genfs_nullop')!,
      seek: g.get('genfs_seek')!,
      getpages: f.get('rump_vop_getpages')!,
      putpages: f.get('rump_vop_putpages')!,
      fsync: g.get('genfs_nullop')!,
      lock: g.get('genfs_lock')!,
      unlock: g.get('genfs_unlock')!,
      islocked: g.get('genfs_islocked')!,
      inactive: f.get('rump_vop_inactive')!,
      reclaim: f.get('rump_vop_reclaim')!,
      link: g.get('genfs_eopnotsupp')!,
      pathconf: f.get('rump_vop_pathconf')!,
      print: g.get('genfs_nullop')!,
      abortop: g.get('genfs_abortop')!,
      fcntl: g.get('genfs_fcntl')!,
    });
    this.specVector = vfs.init.buildVector('rumpfs spec', {
      default: f.get('rump_vop_spec')!,
      access: f.get('rump_vop_access')!,
      accessx: g.get('genfs_access')!,
      getattr: f.get('rump_vop_getattr')!,
      setattr: f.get('rump_vop_setattr')!,
      lock: g.get('genfs_lock')!,
      unlock: g.get('genfs_unlock')!,
      islocked: g.get('genfs_islocked')!,
      inactive: f.get('rump_vop_inactive')!,
      reclaim: f.get('rump_vop_reclaim')!,
    });
    const ops = this.vfsops();
    vfs.init.attachKernel('rumpfs', ops);
    this.mount = vfs.mounts.alloc(ops, 0n);
    const m = k.mem;
    m.write32(vfs.mounts.field(this.mount, 'mnt_fs_bshift'), 12);
    m.write32(vfs.mounts.field(this.mount, 'mnt_dev_bshift'), 9);
    vfs.mounts.setFlag(this.mount, 0x1000 /* MNT_LOCAL */ | 0x4000 /* MNT_ROOTFS */);
    vfs.mounts.setIflag(this.mount, 0x100 /* IMNT_MPSAFE */);
    const st = (n: keyof Kernel['S']['statvfs']) => vfs.mounts.stat(this.mount, n);
    m.write(st('f_fstypename'), new TextEncoder().encode('rumpfs'));
    m.write(st('f_mntonname'), new TextEncoder().encode('/'));
    m.write(st('f_mntfromname'), new TextEncoder().encode('rumpfs'));
    m.write64(st('f_namemax'), BigInt(NAME_MAX));
    m.write64(st('f_bsize'), 4096n);
    m.write64(st('f_frsize'), 4096n);
    m.write64(st('f_iosize'), 4096n);
    vfs.mounts.append(this.mount);
    this.root = this.makeNode(vtype.VDIR, 0o755, undefined);
    this.rootvp = this.root.vp;
    this.rootK = kvaOf(this.rootvp);
    vfs.vn.setVflag(this.rootvp, vfs.vn.vflag(this.rootvp) | VF.VV_ROOT);
    const rv = k.ksyms.resolve('rootvnode');
    if (rv !== undefined) m.write64(rv, this.rootvp);
  }

  private vfsops(): bigint {
    const k = this.k;
    const O = k.S.vfsops;
    const ops = k.kdata.allocate(O.$size, 8);
    const m = k.mem;
    const set = (f: { offset: number }, v: bigint) => m.write64(ops + BigInt(f.offset), v);
    set(O.vfs_name, k.kdata.string('rumpfs'));
    const fn = (name: string, impl: (c: { arg(i: number): bigint }) => number) =>
      k.ksyms.function(name, 'rumpfs', impl);
    set(
      O.vfs_start,
      fn('rumpfs_start', () => 0),
    );
    set(
      O.vfs_unmount,
      fn('rumpfs_unmount', () => errno.EBUSY),
    );
    set(
      O.vfs_root,
      fn('rumpfs_root', (c) => {
        const vpp = c.arg(2);
        const e = this.vfs.vnops.lock(this.rootvp, Number(c.arg(1) & 0xffffffffn) | VF.LK_RETRY);
        if (e) return e;
        this.vfs.vnodes.vref(this.rootvp);
        m.write64(vpp, this.rootvp);
        return 0;
      }),
    );
    set(
      O.vfs_statvfs,
      fn('rumpfs_statvfs', (c) => {
        this.vfs.subr.copyStatvfsInfo(c.arg(1), c.arg(0));
        return 0;
      }),
    );
    set(
      O.vfs_sync,
      fn('rumpfs_sync', () => 0),
    );
    for (const f of [
      O.vfs_vget,
      O.vfs_loadvnode,
      O.vfs_newvnode,
      O.vfs_fhtovp,
      O.vfs_vptofh,
      O.vfs_quotactl,
      O.vfs_snapshot,
      O.vfs_extattrctl,
    ]) {
      set(
        f,
        k.ksyms.resolve('rumpfs_eopnotsupp') ?? fn('rumpfs_eopnotsupp', () => errno.EOPNOTSUPP),
      );
    }
    set(O.vfs_suspendctl, k.ksyms.resolve('genfs_suspendctl')!);
    set(O.vfs_renamelock_enter, k.ksyms.resolve('genfs_renamelock_enter')!);
    set(O.vfs_renamelock_exit, k.ksyms.resolve('genfs_renamelock_exit')!);
    set(O.vfs_fsync, k.ksyms.resolve('rumpfs_eopnotsupp')!);
    return ops;
  }

  // ---------------------------------------------------------------- etfs

  /** Makes the nodes of the etfs registry match it (keys registered or removed since last time). */
  syncEtfs(): void {
    // Every lookup in the root directory comes here: nothing to do while the registry is the
    // one last seen and no busy node waits to be removed.
    const list = this.k.etfs.list();
    const seen = this.etfsSeen;
    if (!this.etfsPending && list.length === seen.length) {
      let same = true;
      for (let i = 0; i < list.length; i++) if (list[i] !== seen[i]) same = false;
      if (same) return;
    }
    const want = new Map(list.map((e) => [e.key.slice(1), e]));
    for (const [name, n] of this.root.children) {
      if (!n.etfs) continue;
      const e = want.get(name);
      if (e === undefined || e !== n.etfs) this.removeEtfs(name, n);
    }
    for (const [name, e] of want) if (!this.root.children.has(name)) this.addEtfs(name, e);
    this.etfsSeen = list;
    this.etfsPending = false;
    this.etfsSlashKeys = [];
    for (const [name, n] of this.root.children) {
      if (!n.etfs) continue;
      if (want.get(name) !== n.etfs) this.etfsPending = true;
      if (name.includes('/')) this.etfsSlashKeys.push(new TextEncoder().encode(name));
    }
  }

  private addEtfs(name: string, e: EtfsEntry): void {
    if (e.type === 'BLK') {
      const dev = this.vfs.io().rumpblk.attach(e.hostPath, { offset: e.begin, size: e.size });
      const n = this.makeNode(vtype.VBLK, 0o600, this.root, { etfs: e, rdev: dev.dev });
      this.root.children.set(name, n);
    } else if (e.type === 'CHR') {
      const n = this.makeNode(vtype.VCHR, 0o600, this.root, { etfs: e, rdev: 0n });
      this.root.children.set(name, n);
    } else {
      const f = this.k.host.open(e.hostPath, { access: 'read-only' });
      const size = e.size ?? Math.max(0, f.size() - e.begin);
      f.close();
      const n = this.makeNode(vtype.VREG, 0o644, this.root, { etfs: e, size: BigInt(size) });
      this.root.children.set(name, n);
    }
  }

  /** Whether an etfs node is in use (open, mounted, or referenced beyond the node itself). */
  etfsBusy(name: string): boolean {
    const n = this.root.children.get(name);
    if (!n?.etfs) return false;
    const vn = this.vfs.vn;
    if ((n.type === vtype.VBLK || n.type === vtype.VCHR) && vn.specnode(n.vp) !== 0n) {
      if (this.vfs.spec.getMountedfs(n.vp) !== 0n) return true;
    }
    return vn.usecount(n.vp) > 1;
  }

  private removeEtfs(name: string, n: RNode): void {
    // A node in use stays until it is released (rump_pub_etfs_remove refuses it with EBUSY).
    if (this.etfsBusy(name)) return;
    this.unlinkNode(this.root, name, n);
    if (n.type === vtype.VBLK && n.etfs) this.vfs.io().rumpblk.detach(n.etfs.hostPath);
  }

  /**
   * Length of the registered etfs key the remaining path (`len` bytes at window offset `off`)
   * starts with (0 if none). Only keys spanning components ("dev/fs.img") need this.
   */
  private etfsKeyLen(u8: Uint8Array, off: number, len: number): number {
    let best = 0;
    for (const kb of this.etfsSlashKeys) {
      if (kb.length > len || (len !== kb.length && u8[off + kb.length] !== 0x2f)) continue;
      let i = 0;
      while (i < kb.length && kb[i] === u8[off + i]) i++;
      if (i === kb.length) best = Math.max(best, kb.length);
    }
    return best;
  }

  // ---------------------------------------------------------------- vnode operations

  private getattr(vp: bigint, vap: bigint): number {
    const n = this.node(vp);
    const m = this.k.mem;
    const A = this.k.S.vattr;
    this.vfs.subr.vattrNull(vap);
    const w32 = (f: { offset: number }, v: number) => m.write32(vap + BigInt(f.offset), v >>> 0);
    const w64 = (f: { offset: number }, v: bigint) =>
      m.write64(vap + BigInt(f.offset), BigInt.asUintN(64, v));
    w32(A.va_type, n.type);
    w32(A.va_mode, n.mode);
    w32(A.va_nlink, n.nlink);
    w32(A.va_uid, n.uid);
    w32(A.va_gid, n.gid);
    w64(A.va_fsid, m.read64(this.vfs.mounts.stat(this.mount, 'f_fsid')));
    w64(A.va_fileid, BigInt(n.fileid));
    const size =
      n.type === vtype.VDIR ? 512n : n.type === vtype.VLNK ? BigInt(n.target?.length ?? 0) : n.size;
    w64(A.va_size, size);
    w64(A.va_blocksize, 512n);
    for (const f of [A.va_atime, A.va_mtime, A.va_ctime, A.va_birthtime]) {
      m.write64(vap + BigInt(f.offset), n.mtimeNs / 1_000_000_000n);
      m.write64(vap + BigInt(f.offset + 8), n.mtimeNs % 1_000_000_000n);
    }
    w64(A.va_gen, 0n);
    w64(A.va_flags, 0n);
    w64(A.va_rdev, n.rdev);
    w64(A.va_bytes, size);
    w64(A.va_filerev, 0n);
    w32(A.va_vaflags, 0);
    return 0;
  }

  private lookup(ap: Kva): number {
    const k = this.k;
    const m = k.mem;
    const A = k.S.vop_lookup_v2_args;
    const dvp = loadKva(m, ap + A.a_dvp.offset);
    const vpp = loadKva(m, ap + A.a_vpp.offset);
    const cnp = loadKva(m, ap + A.a_cnp.offset);
    const C = k.S.componentname;
    const op = m.load32(cnp + C.cn_nameiop.offset, -1);
    const flags = m.load32(cnp + C.cn_flags.offset, -1);
    const str = nameString(
      m,
      loadKva(m, cnp + C.cn_nameptr.offset),
      loadU64(m, cnp + C.cn_namelen.offset),
    );
    storeKva(m, vpp, 0);
    const dn = this.byVp.get(dvp) ?? this.node(kvaBig(dvp));
    if (dn.type !== vtype.VDIR) return errno.ENOTDIR;
    if (dvp === this.rootK) this.syncEtfs();
    let n: RNode | undefined;
    if (str === '.') n = dn;
    else if (str === '..') n = dn.parent ?? dn;
    else n = dn.children.get(str);
    const last = (flags & 0x8000) !== 0;
    if (!n) {
      if (last && (op === 1 /* CREATE */ || op === 3) /* RENAME */) return EJUSTRETURN;
      return errno.ENOENT;
    }
    const vp = kvaOf(n.vp);
    this.vfs.vnodes.vrefK(vp);
    storeKva(m, vpp, vp);
    return 0;
  }

  private readdir(ap: bigint): number {
    const k = this.k;
    const m = k.mem;
    const A = 'vop_readdir_args';
    const vp = this.a64(ap, A, 'a_vp');
    const uio = this.a64(ap, A, 'a_uio');
    const eofp = this.a64(ap, A, 'a_eofflag');
    const n = this.node(vp);
    if (n.type !== vtype.VDIR) return errno.ENOTDIR;
    if (vp === this.rootvp) this.syncEtfs();
    const entries: [string, RNode][] = [['.', n], ['..', n.parent ?? n], ...n.children];
    const U0 = k.S.uio;
    let idx = Number(m.read64(uio + BigInt(U0.uio_offset.offset)));
    const D = k.S.dirent;
    const buf = k.kmem.alloc(D.$size, kmflags.KM_SLEEP, true, 'rumpfs dirent');
    try {
      while (idx < entries.length) {
        const [name, e] = entries[idx]!;
        const nb = new TextEncoder().encode(name);
        const reclen = (DIRENT_HDR + nb.length + 1 + 7) & ~7;
        if (Number(m.read64(uio + BigInt(U0.uio_resid.offset))) < reclen) break;
        m.fill(buf, reclen, 0);
        m.write64(buf + BigInt(D.d_fileno.offset), BigInt(e.fileid));
        m.write16(buf + BigInt(D.d_reclen.offset), reclen);
        m.write16(buf + BigInt(D.d_namlen.offset), nb.length);
        m.write8(buf + BigInt(D.d_type.offset), VTTODT[e.type] ?? 0);
        m.write(buf + BigInt(D.d_name.offset), nb);
        const err = this.vfs.vnops.uiomove(buf, reclen, uio);
        if (err) return err;
        idx++;
        // uio_offset counts entries, not bytes (the cookie rumpfs uses).
        m.write64(uio + BigInt(U0.uio_offset.offset), BigInt(idx));
      }
      if (eofp !== 0n) m.write32(eofp, idx >= entries.length ? 1 : 0);
      return 0;
    } finally {
      k.kmem.free(buf, D.$size, 'rumpfs dirent');
    }
  }

  private read(ap: bigint): number {
    const k = this.k;
    const m = k.mem;
    const A = 'vop_read_args';
    const vp = this.a64(ap, A, 'a_vp');
    const uio = this.a64(ap, A, 'a_uio');
    const n = this.node(vp);
    if (n.type === vtype.VDIR) return errno.EISDIR;
    if (n.type !== vtype.VREG) return errno.EOPNOTSUPP;
    const U0 = k.S.uio;
    const off = BigInt.asIntN(64, m.read64(uio + BigInt(U0.uio_offset.offset)));
    if (off < 0n) return errno.EINVAL;
    const resid = Number(m.read64(uio + BigInt(U0.uio_resid.offset)));
    if (off >= n.size || resid === 0) return 0;
    const len = Math.min(resid, Number(n.size - off));
    const data = n.etfs
      ? readHostFile(k.host, n.etfs.hostPath, n.etfs.begin + Number(off), len)
      : (n.data ?? new Uint8Array(0)).subarray(Number(off), Number(off) + len);
    const buf = k.kmem.alloc(Math.max(data.length, 1), kmflags.KM_SLEEP, false, 'rumpfs read');
    try {
      m.write(buf, data);
      return this.vfs.vnops.uiomove(buf, data.length, uio);
    } finally {
      k.kmem.free(buf, Math.max(data.length, 1), 'rumpfs read');
    }
  }

  /** VOP_WRITE of an in-memory regular file (IO_APPEND writes at the end). */
  private write(ap: bigint): number {
    const k = this.k;
    const m = k.mem;
    const A = 'vop_write_args';
    const vp = this.a64(ap, A, 'a_vp');
    const uio = this.a64(ap, A, 'a_uio');
    const ioflag = this.a32(ap, A, 'a_ioflag');
    const n = this.node(vp);
    if (n.type !== vtype.VREG) return n.type === vtype.VDIR ? errno.EISDIR : errno.EOPNOTSUPP;
    if (n.etfs) return errno.EROFS;
    const U0 = k.S.uio;
    const offA = uio + BigInt(U0.uio_offset.offset);
    if (ioflag & VF.IO_APPEND) m.write64(offA, n.size);
    const off = Number(BigInt.asIntN(64, m.read64(offA)));
    if (off < 0) return errno.EINVAL;
    const len = Number(m.read64(uio + BigInt(U0.uio_resid.offset)));
    if (len === 0) return 0;
    const buf = k.kmem.alloc(len, kmflags.KM_SLEEP, false, 'rumpfs write');
    try {
      const e = this.vfs.vnops.uiomove(buf, len, uio);
      if (e) return e;
      this.resize(n, BigInt(Math.max(Number(n.size), off + len)));
      n.data!.set(m.read(buf, len), off);
      n.mtimeNs = this.now();
      return 0;
    } finally {
      k.kmem.free(buf, len, 'rumpfs write');
    }
  }

  private resize(n: RNode, size: bigint): void {
    const old = n.data ?? new Uint8Array(0);
    if (BigInt(old.length) !== size) {
      const d = new Uint8Array(Number(size));
      d.set(old.subarray(0, Math.min(old.length, d.length)));
      n.data = d;
    }
    n.size = size;
    this.vfs.io().uvn.setsize(n.vp, size);
  }

  /** Unlinks `n` from `dn`: the node gives up its own vnode reference (the vnode is reclaimed when unused). */
  private unlinkNode(dn: RNode, name: string, n: RNode): void {
    dn.children.delete(name);
    if (n.type === vtype.VDIR) dn.nlink--;
    n.nlink = 0;
    n.removed = true;
    dn.mtimeNs = this.now();
    this.vfs.vnodes.vrele(n.vp);
  }

  private nameOf(cnp: bigint): string {
    const m = this.k.mem;
    const C = this.k.S.componentname;
    return new TextDecoder().decode(
      m.read(
        m.read64(cnp + BigInt(C.cn_nameptr.offset)),
        Number(m.read64(cnp + BigInt(C.cn_namelen.offset))),
      ),
    );
  }

  /** VOP_RENAME (fdvp, fvp released; tdvp, tvp put). */
  private rename(ap: bigint): number {
    const A = 'vop_rename_args';
    const fdvp = this.a64(ap, A, 'a_fdvp');
    const fvp = this.a64(ap, A, 'a_fvp');
    const tdvp = this.a64(ap, A, 'a_tdvp');
    const tvp = this.a64(ap, A, 'a_tvp');
    const fname = this.nameOf(this.a64(ap, A, 'a_fcnp'));
    const tname = this.nameOf(this.a64(ap, A, 'a_tcnp'));
    const vc = this.vfs.vnodes;
    let error = 0;
    const fdn = this.node(fdvp);
    const tdn = this.node(tdvp);
    const fn = this.node(fvp);
    const tn = tvp !== 0n ? this.node(tvp) : undefined;
    if (fdn.children.get(fname) !== fn) error = errno.ENOENT;
    else if (fn.etfs) error = errno.EBUSY;
    else if (tn && tn.type === vtype.VDIR && tn.children.size > 0) error = errno.ENOTEMPTY;
    else if (tn?.etfs) error = errno.EBUSY;
    else {
      // A directory cannot move below itself.
      for (let p: RNode | undefined = tdn; p; p = p.parent) if (p === fn) error = errno.EINVAL;
    }
    if (!error && fn !== tn) {
      if (tn) this.unlinkNode(tdn, tname, tn);
      fdn.children.delete(fname);
      tdn.children.set(tname, fn);
      if (fn.type === vtype.VDIR && fdn !== tdn) {
        fdn.nlink--;
        tdn.nlink++;
      }
      fn.parent = tdn;
      fdn.mtimeNs = tdn.mtimeNs = this.now();
    }
    vc.vrele(fdvp);
    vc.vrele(fvp);
    if (tvp !== 0n && tvp !== tdvp) vc.vput(tvp);
    else if (tvp !== 0n) vc.vrele(tvp);
    vc.vput(tdvp);
    return error;
  }

  private newChild(ap: bigint, st: string, type: number): number {
    const k = this.k;
    const m = k.mem;
    const dvp = this.a64(ap, st, 'a_dvp');
    const vpp = this.a64(ap, st, 'a_vpp');
    const cnp = this.a64(ap, st, 'a_cnp');
    const vap = this.a64(ap, st, 'a_vap');
    const C = k.S.componentname;
    const name = new TextDecoder().decode(
      m.read(
        m.read64(cnp + BigInt(C.cn_nameptr.offset)),
        Number(m.read64(cnp + BigInt(C.cn_namelen.offset))),
      ),
    );
    const dn = this.node(dvp);
    if (dn.children.has(name)) return errno.EEXIST;
    const mode = m.read32(vap + BigInt(k.S.vattr.va_mode.offset)) & 0o7777;
    const extra: Partial<RNode> = {};
    if (type === vtype.VREG) extra.data = new Uint8Array(0);
    if (type === vtype.VLNK) {
      const target = m.readCString(this.a64(ap, st, 'a_target'), 1024);
      extra.target = new TextEncoder().encode(target);
    }
    const n = this.makeNode(type, mode, dn, extra);
    dn.children.set(name, n);
    dn.mtimeNs = this.now();
    // The new vnode goes to the caller referenced and unlocked (v3 ops); the node keeps its own.
    this.vfs.vnodes.vref(n.vp);
    m.write64(vpp, n.vp);
    return 0;
  }

  private defineOps(): void {
    const k = this.k;
    const m = k.mem;
    const vop = this.vfs.vop;
    const def = (name: string, impl: (ap: bigint) => number) =>
      this.fn.set(name, vop.define(name, 'rumpfs', impl));
    const PP = k.S.vop_parsepath_args;
    const defK = (name: string, impl: (ap: Kva) => number) =>
      this.fn.set(name, vop.defineK(name, 'rumpfs', impl));
    const parsepath = (dvp: Kva, namep: Kva, retval: Kva) => {
      // The name is in a pathbuf (kernel memory): scan it in the window.
      const u8 = m.windowU8();
      const off = namep + 0x8000_0000;
      let n = 0;
      while (n < 1024 && u8[off + n] !== 0) n++;
      let len = 0;
      while (len < n && u8[off + len] !== 0x2f) len++;
      if (dvp === this.rootK) {
        this.syncEtfs(); // may allocate (new etfs nodes): read the window afresh
        len = Math.max(len, this.etfsKeyLen(m.windowU8(), off, n));
      }
      storeU64(m, retval, len);
      return 0;
    };
    this.fn.set(
      'rump_vop_parsepath',
      vop.defineFast(
        'rump_vop_parsepath',
        'rumpfs',
        (ap) =>
          parsepath(
            loadKva(m, ap + PP.a_dvp.offset),
            loadKva(m, ap + PP.a_name.offset),
            loadKva(m, ap + PP.a_retval.offset),
          ),
        parsepath,
      ),
    );
    defK('rump_vop_lookup', (ap) => this.lookup(ap));
    def('rump_vop_getattr', (ap) =>
      this.getattr(
        this.a64(ap, 'vop_getattr_args', 'a_vp'),
        this.a64(ap, 'vop_getattr_args', 'a_vap'),
      ),
    );
    def('rump_vop_setattr', (ap) => {
      const A = k.S.vattr;
      const vap = this.a64(ap, 'vop_setattr_args', 'a_vap');
      const n = this.node(this.a64(ap, 'vop_setattr_args', 'a_vp'));
      const mode = m.read32(vap + BigInt(A.va_mode.offset));
      if (mode !== 0xffffffff) n.mode = mode & 0o7777;
      const uid = m.read32(vap + BigInt(A.va_uid.offset));
      if (uid !== 0xffffffff) n.uid = uid;
      const gid = m.read32(vap + BigInt(A.va_gid.offset));
      if (gid !== 0xffffffff) n.gid = gid;
      const size = m.read64(vap + BigInt(A.va_size.offset));
      if (size !== 0xffff_ffff_ffff_ffffn) {
        if (n.type === vtype.VDIR) return errno.EISDIR;
        if (n.type !== vtype.VREG || n.etfs) return errno.EOPNOTSUPP;
        this.resize(n, size);
      }
      const mt = m.read64(vap + BigInt(A.va_mtime.offset));
      if (mt !== 0xffff_ffff_ffff_ffffn)
        n.mtimeNs = mt * 1_000_000_000n + m.read64(vap + BigInt(A.va_mtime.offset + 8));
      return 0;
    });
    def('rump_vop_mkdir', (ap) => this.newChild(ap, 'vop_mkdir_v3_args', vtype.VDIR));
    def('rump_vop_create', (ap) => this.newChild(ap, 'vop_create_v3_args', vtype.VREG));
    def('rump_vop_write', (ap) => this.write(ap));
    def('rump_vop_rename', (ap) => this.rename(ap));
    def('rump_vop_remove', (ap) => {
      const A = 'vop_remove_v3_args';
      const dvp = this.a64(ap, A, 'a_dvp');
      const vp = this.a64(ap, A, 'a_vp');
      const dn = this.node(dvp);
      const n = this.node(vp);
      const name = this.nameOf(this.a64(ap, A, 'a_cnp'));
      let error = 0;
      if (n.type === vtype.VDIR) error = errno.EPERM;
      else if (dn.children.get(name) !== n) error = errno.ENOENT;
      else if (n.etfs) error = errno.EBUSY;
      k.mem.write32(
        ap + BigInt(k.S.vop_remove_v3_args.ctx_vp_new_nlink.offset),
        error ? n.nlink : 0,
      );
      // VOP_REMOVE puts vp (VDESC_VP1_WILLPUT); dvp stays locked.
      this.vfs.vnodes.vput(vp);
      if (!error) this.unlinkNode(dn, name, n);
      return error;
    });
    def('rump_vop_symlink', (ap) => this.newChild(ap, 'vop_symlink_v3_args', vtype.VLNK));
    def('rump_vop_rmdir', (ap) => {
      const A = 'vop_rmdir_v2_args';
      const dvp = this.a64(ap, A, 'a_dvp');
      const vp = this.a64(ap, A, 'a_vp');
      const dn = this.node(dvp);
      const n = this.node(vp);
      let error = 0;
      if (n.type !== vtype.VDIR) error = errno.ENOTDIR;
      else if (n.children.size > 0) error = errno.ENOTEMPTY;
      else if (vp === this.rootvp || this.vfs.vn.mountedhere(vp) !== 0n) error = errno.EBUSY;
      // VOP_RMDIR puts vp (VDESC_VP1_WILLPUT); dvp stays locked.
      this.vfs.vnodes.vput(vp);
      if (!error) this.unlinkNode(dn, this.nameOf(this.a64(ap, A, 'a_cnp')), n);
      return error;
    });
    def('rump_vop_readlink', (ap) => {
      const n = this.node(this.a64(ap, 'vop_readlink_args', 'a_vp'));
      if (n.type !== vtype.VLNK || !n.target) return errno.EINVAL;
      const t = n.target;
      const buf = k.kmem.alloc(Math.max(t.length, 1), kmflags.KM_SLEEP, false, 'rumpfs readlink');
      try {
        m.write(buf, t);
        return this.vfs.vnops.uiomove(buf, t.length, this.a64(ap, 'vop_readlink_args', 'a_uio'));
      } finally {
        k.kmem.free(buf, Math.max(t.length, 1), 'rumpfs readlink');
      }
    });
    def('rump_vop_access', (ap) => {
      const n = this.node(this.a64(ap, 'vop_access_args', 'a_vp'));
      const accmode = this.a32(ap, 'vop_access_args', 'a_accmode');
      return this.vfs.genfs.canAccess(
        this.a64(ap, 'vop_access_args', 'a_cred'),
        n.uid,
        n.gid,
        n.mode,
        accmode & 0o57700,
      ) === 0
        ? 0
        : this.isRoot(this.a64(ap, 'vop_access_args', 'a_cred'))
          ? 0
          : errno.EACCES;
    });
    def('rump_vop_readdir', (ap) => this.readdir(ap));
    def('rump_vop_read', (ap) => this.read(ap));
    def('rump_vop_open', (ap) => {
      const n = this.node(this.a64(ap, 'vop_open_args', 'a_vp'));
      const mode = this.a32(ap, 'vop_open_args', 'a_mode');
      if (n.etfs && n.type === vtype.VREG && mode & 2) return errno.EROFS;
      return 0;
    });
    def('rump_vop_getpages', () => errno.EINVAL);
    def('rump_vop_putpages', (ap) => {
      const vp = this.a64(ap, 'vop_putpages_args', 'a_vp');
      const uobjPages = m.read32(
        vp + BigInt(k.S.vnode.v_uobj.offset + k.S.uvm_object.uo_npages.offset),
      );
      if (uobjPages !== 0) k.panic(`rumpfs: vnode ${k.describeAddress(vp)} has ${uobjPages} pages`);
      k.rwlocks.exit(this.vfs.vn.vmobjlock(vp));
      return 0;
    });
    def('rump_vop_inactive', (ap) => {
      const n = this.byVp.get(kvaOf(this.a64(ap, 'vop_inactive_v2_args', 'a_vp')));
      m.write8(this.a64(ap, 'vop_inactive_v2_args', 'a_recycle'), n?.removed ? 1 : 0);
      return 0;
    });
    def('rump_vop_reclaim', (ap) => {
      const vp = this.a64(ap, 'vop_reclaim_v2_args', 'a_vp');
      vop.unlock(vp);
      const t = this.vfs.vn.type(vp);
      if (t === vtype.VBLK || t === vtype.VCHR) this.vfs.spec.nodeDestroy(vp);
      this.byVp.delete(kvaOf(vp));
      this.vfs.vn.setData(vp, 0n);
      return 0;
    });
    def('rump_vop_pathconf', (ap) => {
      const name = this.a32(ap, 'vop_pathconf_args', 'a_name');
      const ret = this.a64(ap, 'vop_pathconf_args', 'a_retval');
      // _PC_LINK_MAX 1, _PC_NAME_MAX 4, _PC_PATH_MAX 5, _PC_PIPE_BUF 6, _PC_CHOWN_RESTRICTED 7,
      // _PC_NO_TRUNC 8, _PC_SYNC_IO 10, _PC_FILESIZEBITS 11 (sys/unistd.h), rumpfs's answers.
      const values: Record<number, bigint> = {
        1: 32767n,
        4: 255n,
        5: 1024n,
        6: 512n,
        7: 1n,
        8: 1n,
        10: 1n,
        11: 43n,
      };
      const v = values[name];
      if (v === undefined) return errno.EINVAL;
      m.write64(ret, v);
      return 0;
    });
    // rump_vop_spec: device vnodes send every other operation to the spec vector.
    def('rump_vop_spec', (ap) => {
      const desc = m.read64(ap);
      const off = m.read32(desc + BigInt(k.S.vnodeop_desc.vdesc_offset.offset));
      return vop.vocall(this.vfs.spec.vector, off, ap);
    });
  }

  private isRoot(cred: bigint): boolean {
    if (cred === 0xffff_ffff_ffff_ffffn || cred === 0xffff_ffff_ffff_fffen) return true;
    return this.k.mem.read32(cred + BigInt(this.k.S.kauth_cred.cr_euid.offset)) === 0;
  }
}
