/**
 * kern/vfs_lookup.c: path name lookup (namei) over VOP_PARSEPATH and VOP_LOOKUP, crossing mount
 * points in both directions and following symbolic links with VOP_READLINK; namei_simple_* and the
 * NSM_* flag objects modules pass to it; pathbuf.
 *
 * The path lives in a guest buffer (the pathbuf) because file systems read component names
 * through `cn_nameptr`, which points into it (not NUL-terminated at the component). Directories
 * are locked exclusively while they are searched (always correct; NetBSD may use shared locks).
 */
import {
  kauth as KA,
  kmflags,
  mnt as M,
  namei as N,
  uio as U,
  vnode as VF,
  vtype,
} from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { type Kva, kvaBig, kvaOf, loadKva, loadU64, storeKva, storeU64 } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import type { Vfs } from './vfs.js';

export const MAXPATHLEN = N.MAXPATHLEN;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 32;
const EJUSTRETURN = -2;
const KAUTH_SCOPE_VNODE = KA.KAUTH_SCOPE_VNODE;
/** accmode VEXEC and ALLPERMS (sys/vnode.h, sys/stat.h). */
const VEXEC = 0o100;
const ALLPERMS = 0o7777;

const FOLLOW: NameiOptions = { follow: true };
const NOFOLLOW: NameiOptions = { follow: false };

export type NameiOp = 'lookup' | 'create' | 'delete' | 'rename';
const NAMEIOP: Record<NameiOp, number> = {
  lookup: N.LOOKUP,
  create: N.CREATE,
  delete: N.DELETE,
  rename: N.RENAME,
};

export interface NameiOptions {
  readonly op?: NameiOp;
  /** Follow a symbolic link in the last component (FOLLOW). */
  readonly follow?: boolean;
  /** Return the result vnode locked (LOCKLEAF). */
  readonly lockleaf?: boolean;
  /** Return the parent directory referenced and locked (LOCKPARENT). */
  readonly lockparent?: boolean;
  /** Do not enter the last component in the name cache (NOCACHE). */
  readonly nocache?: boolean;
  /** The last component will be a directory (CREATEDIR: trailing slashes allowed). */
  readonly createdir?: boolean;
}

export interface NameiResult {
  readonly error: number;
  /** ni_vp: referenced (locked with lockleaf); 0 when a create/rename target does not exist. */
  readonly vp: bigint;
  /** ni_dvp: referenced and locked with lockparent, else 0. */
  readonly dvp: bigint;
  /** The last component's guest componentname (valid until `release()`). */
  readonly cnp: bigint;
  /** Frees the pathbuf and componentname (call once the vnodes are dealt with). */
  release(): void;
}

/**
 * One lookup's guest buffers (pathbuf, componentname) and its result. Walks are pooled: a
 * namei allocates nothing once the pool holds one per nesting level.
 */
export interface NameiWalk {
  readonly buf: Kva;
  readonly cnp: Kva;
  /** Results of nameiK: errno, ni_vp, ni_dvp (Kvas; 0 when absent). */
  error: number;
  vp: Kva;
  dvp: Kva;
  busy: boolean;
}

/** Kva + WINDOW_BIAS = offset in the kernel window. */
const WINDOW_BIAS = 0x8000_0000;
const utf8 = new TextEncoder();

export class Namei {
  /** NSM_* objects by address → FOLLOW flag. */
  private readonly nsm = new Map<bigint, boolean>();
  private readonly pool: NameiWalk[] = [];
  /** componentname field offsets. */
  private readonly o: {
    nameiop: number;
    flags: number;
    cred: number;
    nameptr: number;
    namelen: number;
    covered: number;
    mntFlag: number;
    mntIflag: number;
    mntOp: number;
    euid: number;
    vfsRoot: number;
  };
  private rootBig = -1n;
  private rootK = 0;

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {
    const C = k.S.componentname;
    this.o = {
      nameiop: C.cn_nameiop.offset,
      flags: C.cn_flags.offset,
      cred: C.cn_cred.offset,
      nameptr: C.cn_nameptr.offset,
      namelen: C.cn_namelen.offset,
      covered: k.S.mount.mnt_vnodecovered.offset,
      mntFlag: k.S.mount.mnt_flag.offset,
      mntIflag: k.S.mount.mnt_iflag.offset,
      euid: k.S.kauth_cred.cr_euid.offset,
      mntOp: k.S.mount.mnt_op.offset,
      vfsRoot: k.S.vfsops.vfs_root.offset,
    };
  }

  private cn(cnp: bigint, field: keyof Kernel['S']['componentname']): bigint {
    return cnp + BigInt((this.k.S.componentname[field] as { offset: number }).offset);
  }

  /** The root vnode as a Kva (converted when rootfs changes it). */
  private root(): Kva {
    const r = this.vfs.rootfs.rootvp;
    if (r !== this.rootBig) {
      this.rootBig = r;
      this.rootK = kvaOf(r);
    }
    return this.rootK;
  }

  /** A walk from the pool (or new guest buffers), its componentname zeroed with curlwp's cred. */
  private alloc(): NameiWalk {
    const k = this.k;
    let w = this.pool.pop();
    if (w === undefined) {
      w = {
        buf: kvaOf(k.kmem.alloc(MAXPATHLEN, kmflags.KM_SLEEP, false, 'pathbuf')),
        cnp: kvaOf(k.kmem.alloc(k.S.componentname.$size, kmflags.KM_SLEEP, true, 'componentname')),
        error: 0,
        vp: 0,
        dvp: 0,
        busy: false,
      };
    } else {
      const off = w.cnp + WINDOW_BIAS;
      k.mem.windowU8().fill(0, off, off + k.S.componentname.$size);
    }
    w.busy = true;
    w.error = 0;
    w.vp = 0;
    w.dvp = 0;
    const cred = this.vfs.credK();
    k.mem.store64(w.cnp + this.o.cred, -1, cred | 0, Math.floor(cred / 4294967296) | 0);
    return w;
  }

  /** Gives a walk back (its pathbuf and componentname become invalid). Idempotent. */
  done(w: NameiWalk): void {
    if (!w.busy) return;
    w.busy = false;
    this.pool.push(w);
  }

  private lockK(vp: Kva): void {
    const e = this.vfs.vnops.lockK(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    if (e) this.k.panic(`namei: cannot lock ${this.k.describeAddress(kvaBig(vp))}: ${e}`);
  }

  /** Reads a symbolic link's target with VOP_READLINK: [error, bytes]. */
  readlink(vp: bigint): [number, Uint8Array] {
    const k = this.k;
    const vfs = this.vfs;
    const buf = k.kmem.alloc(MAXPATHLEN, kmflags.KM_SLEEP, true, 'readlink');
    try {
      const [error, n] = vfs.vnops.rdwrSys(vp, buf, MAXPATHLEN, 0n, U.UIO_READ, (uio) =>
        vfs.vop.readlink(vp, uio, vfs.cred()),
      );
      return [error, error ? new Uint8Array(0) : k.mem.read(buf, n)];
    } finally {
      k.kmem.free(buf, MAXPATHLEN, 'readlink');
    }
  }

  /** namei(path): see NameiOptions. Relative paths start at the root (a rump lwp's cwd). */
  namei(path: string, opts: NameiOptions = {}): NameiResult {
    const w = this.nameiK(path, opts);
    const error = w.error;
    if (error) this.done(w);
    return {
      error,
      vp: kvaBig(w.vp),
      dvp: kvaBig(w.dvp),
      cnp: kvaBig(w.cnp),
      release: () => this.done(w),
    };
  }

  /**
   * namei with Kva results: the walk holds error, vp and dvp (and cnp, the last component);
   * give it back with done(w) once the vnodes are dealt with (also after an error).
   */
  nameiK(path: string, opts: NameiOptions): NameiWalk {
    const k = this.k;
    const w = this.alloc();
    const n = path.length;
    if (n === 0) {
      w.error = errno.ENOENT;
      return w;
    }
    // ASCII goes straight into the pathbuf; anything else through the UTF-8 encoder.
    let u8 = k.mem.windowU8();
    const off = w.buf + WINDOW_BIAS;
    let len = 0;
    let ascii = n < MAXPATHLEN;
    if (ascii) {
      for (let i = 0; i < n; i++) {
        const c = path.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        if (c === 0) {
          w.error = errno.EINVAL;
          return w;
        }
        u8[off + i] = c;
      }
      len = n;
    }
    if (!ascii) {
      const bytes = utf8.encode(path);
      if (bytes.length >= MAXPATHLEN) {
        w.error = errno.ENAMETOOLONG;
        return w;
      }
      if (bytes.includes(0)) {
        w.error = errno.EINVAL;
        return w;
      }
      u8 = k.mem.windowU8();
      u8.set(bytes, off);
      len = bytes.length;
    }
    u8[off + len] = 0;
    try {
      this.walk(w, len, opts);
    } catch (e) {
      this.done(w);
      throw e;
    }
    return w;
  }

  /** Byte i of the pathbuf (0 past the end). */
  private at(w: NameiWalk, len: number, i: number): number {
    return i < len ? this.k.mem.windowU8()[w.buf + WINDOW_BIAS + i]! : 0;
  }

  /** Ends a walk with an error, releasing the directory (unlocking it if `locked`). */
  private out(w: NameiWalk, dvp: Kva, locked: boolean, error: number): number {
    if (locked) this.vfs.vnodes.vputK(dvp);
    else this.vfs.vnodes.vreleK(dvp);
    w.error = error;
    w.vp = 0;
    w.dvp = 0;
    return error;
  }

  /**
   * cache_lookup_linked's permission check: whether `cred` may search the directory `dir` by
   * the identity its file system cached (cache_enter_id), decided as kauth_authorize_vnode with
   * genfs_can_access would (the caller made sure no module listens on the vnode scope). False
   * when no identity is cached, or for a credential that is not a kernel address: the slow
   * path (VOP_LOOKUP, whose VOP_ACCESS decides) takes those.
   */
  private searchable(dir: Kva, cred: number): boolean {
    const nc = this.vfs.cache;
    if (cred === -2) return true; // FSCRED: no check at all
    if (!nc.haveIdK(dir)) return false;
    if (cred === -1) return true; // NOCRED: the kernel itself, which kauth allows
    if (!(cred < 0 && cred >= -0x8000_0000)) return false;
    if (this.k.mem.load32(cred + this.o.euid, -1) === 0) return true; // secmodel_suser
    return this.vfs.genfs.canAccessK(cred, nc.idUid, nc.idGid, nc.idMode & ALLPERMS, VEXEC) === 0;
  }

  /**
   * The lookup proper: sets w.error, w.vp, w.dvp and returns the errno.
   *
   * Like NetBSD's namei_oneroot, each component first tries lookup_fastforward: a name-cache
   * hit in a directory whose file system caches names for it (IMNT_NCLOOKUP) and whose owner
   * and mode are cached (cache_enter_id), after a search-permission check on those — no
   * VOP_LOOKUP, no directory lock, and no reference on the directories passed through (the
   * cache keeps them; this lwp is the only one). Anything else (a miss, "..", the last
   * component of anything but a plain LOOKUP, LOCKPARENT, a denied or undecidable permission)
   * goes through lookup_once: the directory referenced and locked, VOP_LOOKUP.
   */
  private walk(w: NameiWalk, pathLen: number, opts: NameiOptions): number {
    const k = this.k;
    const m = k.mem;
    const vfs = this.vfs;
    const vn = vfs.vn;
    const vc = vfs.vnodes;
    const vop = vfs.vop;
    const nc = vfs.cache;
    const o = this.o;
    const root = this.root();
    const op = NAMEIOP[opts.op ?? 'lookup'];
    const cnp = w.cnp;
    // Module listeners on the vnode scope run in the guest: leave those lookups to VOP_ACCESS.
    const fastOk = nc.enabled && !k.kauth.hasListeners(KAUTH_SCOPE_VNODE);
    const cred = fastOk ? vfs.credK() : 0;
    const lastFast = op === N.LOOKUP && !opts.lockparent;
    let len = pathLen;
    let loops = 0;
    // dvp is referenced (and locked iff dlocked). sdir is the directory being searched: dvp,
    // or within a run of name-cache hits a directory held by the cache alone.
    let dvp = root;
    let dlocked = false;
    let sdir = root;
    vc.vrefK(dvp);
    let pos = 0;
    for (;;) {
      while (this.at(w, len, pos) === 0x2f) pos++;
      if (pos >= len) {
        // The path names the directory itself ("/", or everything was a symlink to "/").
        if (sdir !== dvp) {
          dvp = this.commit(sdir, dvp, dlocked);
          dlocked = false;
        }
        if (!dlocked) {
          this.lockK(dvp);
          dlocked = true;
        }
        if (op !== N.LOOKUP)
          return this.out(w, dvp, true, op === N.CREATE ? errno.EEXIST : errno.EBUSY);
        vc.vrefK(dvp);
        return this.finish(w, dvp, dvp, true, opts);
      }
      const namep = w.buf + pos;
      let clen: number;
      const rp = vop.scratch(8);
      try {
        const e = vop.parsepathK(sdir, namep, rp);
        clen = e ? -e : loadU64(m, rp);
      } finally {
        vop.release(rp);
      }
      if (clen < 0) return this.out(w, dvp, dlocked, -clen);
      if (clen > NAME_MAX) return this.out(w, dvp, dlocked, errno.ENAMETOOLONG);
      const next = pos + clen;
      let after = next;
      while (this.at(w, len, after) === 0x2f) after++;
      const last = after >= len;
      const trailingSlash = last && after > next;
      const isDotDot =
        clen === 2 && this.at(w, len, pos) === 0x2e && this.at(w, len, pos + 1) === 0x2e;
      // ".." from the root of a mounted file system: continue in the covered directory.
      if (isDotDot) {
        if (sdir !== dvp) {
          dvp = this.commit(sdir, dvp, dlocked);
          dlocked = false;
        }
        while (dvp !== root && vn.vflagK(dvp) & VF.VV_ROOT) {
          const covered = loadKva(m, vn.mountK(dvp) + o.covered);
          if (covered === 0) break;
          if (dlocked) vc.vputK(dvp);
          else vc.vreleK(dvp);
          dvp = covered;
          dlocked = false;
          vc.vrefK(dvp);
        }
        sdir = dvp;
      }
      const dmp = vn.mountK(sdir);
      let flags = opts.follow ? N.FOLLOW : 0;
      if (last) flags |= N.ISLASTCN;
      if (opts.lockparent) flags |= N.LOCKPARENT;
      if (opts.lockleaf) flags |= N.LOCKLEAF;
      if (isDotDot) flags |= N.ISDOTDOT;
      if (!(last && (op === N.DELETE || op === N.RENAME)) && !(last && opts.nocache))
        flags |= N.MAKEENTRY;
      if (last && opts.nocache) flags |= N.NOCACHE;
      if (last && opts.createdir) flags |= N.CREATEDIR;
      if (trailingSlash) flags |= N.REQUIREDIR;
      const mntFlag = m.load32(dmp + o.mntFlag, -1);
      if (mntFlag & 0x1) flags |= N.RDONLY;
      m.store32(cnp + o.nameiop, -1, last ? op : N.LOOKUP);
      m.store32(cnp + o.flags, -1, flags);
      storeKva(m, cnp + o.nameptr, namep);
      storeU64(m, cnp + o.namelen, clen);
      let vp: Kva = 0;
      // lookup_fastforward: this component from the name cache.
      if (
        fastOk &&
        !isDotDot &&
        (lastFast || !last) &&
        m.load32(dmp + o.mntIflag, -1) & M.IMNT_NCLOOKUP &&
        vn.typeK(sdir) === vtype.VDIR &&
        this.searchable(sdir, cred)
      ) {
        const e = nc.peekK(sdir, namep, clen);
        if (e !== undefined) {
          const found = e.vp;
          if (found === 0) {
            // A negative hit, unless a union mount may have the name below. For the last
            // component the directory simply goes (terminal); before it, the run's directory
            // is referenced and released as lookup_fastforward and namei_oneroot do.
            if (!(vn.vflagK(sdir) & VF.VV_ROOT && mntFlag & M.MNT_UNION)) {
              if (!last && sdir !== dvp) {
                dvp = this.commit(sdir, dvp, dlocked);
                dlocked = false;
              }
              return this.out(w, dvp, dlocked, errno.ENOENT);
            }
          } else if (found !== sdir && vc.canVgetK(found)) {
            let f = found;
            if (vn.typeK(f) === vtype.VDIR) {
              // Across the mount points the cache knows (cache_cross_mount).
              while (vn.unK(f) !== 0) {
                const r = nc.mountRootK(f);
                if (r === 0 || !vc.canVgetK(r) || vn.typeK(r) !== vtype.VDIR) break;
                f = r;
              }
              if (!last && vn.unK(f) === 0) {
                // Into the directory: no reference (the cache holds it).
                sdir = f;
                pos = next;
                continue;
              }
            }
            vc.tryVgetK(f);
            if (
              last &&
              vn.typeK(f) !== vtype.VLNK &&
              !(vn.typeK(f) === vtype.VDIR && vn.unK(f) !== 0)
            ) {
              // Terminal: the parent "disappears into thin air" (no reference taken on it);
              // only the run's starting directory is released.
              if (dlocked) vc.vputK(dvp);
              else vc.vreleK(dvp);
              if (trailingSlash && vn.typeK(f) !== vtype.VDIR) {
                vc.vreleK(f);
                w.error = errno.ENOTDIR;
                w.vp = 0;
                w.dvp = 0;
                return errno.ENOTDIR;
              }
              w.error = 0;
              w.vp = f;
              w.dvp = 0;
              if (opts.lockleaf) this.lockK(f);
              return 0;
            }
            vp = f;
            if (sdir !== dvp) {
              dvp = this.commit(sdir, dvp, dlocked);
              dlocked = false;
            }
          }
        }
      }
      if (vp === 0) {
        // lookup_once: VOP_LOOKUP in the locked directory.
        if (sdir !== dvp) {
          dvp = this.commit(sdir, dvp, dlocked);
          dlocked = false;
        }
        if (!dlocked) {
          this.lockK(dvp);
          dlocked = true;
        }
        if (isDotDot && dvp === root) {
          vp = dvp;
          vc.vrefK(vp);
        } else {
          if (vn.typeK(dvp) !== vtype.VDIR) return this.out(w, dvp, true, errno.ENOTDIR);
          let error: number;
          const vpp = vop.scratch(8);
          try {
            error = vop.lookupK(dvp, vpp, cnp);
            vp = error ? 0 : loadKva(m, vpp);
          } finally {
            vop.release(vpp);
          }
          if (error === EJUSTRETURN && last && (op === N.CREATE || op === N.RENAME)) {
            if (!opts.lockparent) return this.out(w, dvp, true, errno.EINVAL);
            w.error = 0;
            w.vp = 0;
            w.dvp = dvp;
            return 0;
          }
          if (error) return this.out(w, dvp, true, error === EJUSTRETURN ? errno.ENOENT : error);
        }
      }
      // Mount points: continue at the root of the file system mounted on vp (lookup_crossmount:
      // the name cache's mount entry first, else VFS_ROOT, remembered with cache_enter_mount).
      while (vn.typeK(vp) === vtype.VDIR && vn.unK(vp) !== 0) {
        const cached = nc.mountRootK(vp);
        if (cached !== 0 && vc.tryVgetK(cached) === 0) {
          vc.vreleK(vp);
          vp = cached;
          continue;
        }
        const mp = vn.unK(vp);
        let error: number;
        let rootvp: Kva = 0;
        const vpp = vop.scratch(8);
        try {
          // VFS_ROOT(mp, LK_EXCLUSIVE, &rootvp): mp->mnt_op->vfs_root.
          const fn = loadKva(m, loadKva(m, mp + o.mntOp) + o.vfsRoot);
          if (fn !== 0 && !Number.isNaN(fn))
            error = k.callGuestNum(fn, mp, VF.LK_EXCLUSIVE, vpp) | 0;
          else {
            const mpB = kvaBig(mp);
            error = k.callGuestInt(vfs.mounts.op(mpB, 'vfs_root'), mpB, VF.LK_EXCLUSIVE, vpp);
          }
          if (!error) rootvp = loadKva(m, vpp);
        } finally {
          vop.release(vpp);
        }
        if (!error && vn.typeK(rootvp) === vtype.VDIR) nc.enterMountK(vp, rootvp);
        vc.vreleK(vp);
        if (error) return this.out(w, dvp, dlocked, error);
        vop.unlockK(rootvp);
        vp = rootvp;
      }
      if (vn.typeK(vp) === vtype.VLNK && (!last || opts.follow)) {
        if (++loops > MAXSYMLINKS) {
          vc.vreleK(vp);
          return this.out(w, dvp, dlocked, errno.ELOOP);
        }
        this.lockK(vp);
        const [error, target] = this.readlink(kvaBig(vp));
        vc.vputK(vp);
        if (error) return this.out(w, dvp, dlocked, error);
        if (target.length === 0) return this.out(w, dvp, dlocked, errno.ENOENT);
        const bufB = kvaBig(w.buf);
        const rest = m.read(bufB + BigInt(next), len - next);
        if (target.length + rest.length >= MAXPATHLEN)
          return this.out(w, dvp, dlocked, errno.ENAMETOOLONG);
        m.write(bufB, target);
        m.write(bufB + BigInt(target.length), rest);
        len = target.length + rest.length;
        m.write8(bufB + BigInt(len), 0);
        pos = 0;
        if (target[0] === 0x2f) {
          if (dlocked) vc.vputK(dvp);
          else vc.vreleK(dvp);
          dvp = root;
          dlocked = false;
          vc.vrefK(dvp);
        }
        sdir = dvp;
        continue;
      }
      if (!last) {
        if (vn.typeK(vp) !== vtype.VDIR) {
          vc.vreleK(vp);
          return this.out(w, dvp, dlocked, errno.ENOTDIR);
        }
        if (dlocked) vc.vputK(dvp);
        else vc.vreleK(dvp);
        dvp = vp;
        dlocked = false;
        sdir = vp;
        pos = next;
        continue;
      }
      if (trailingSlash && vn.typeK(vp) !== vtype.VDIR) {
        vc.vreleK(vp);
        return this.out(w, dvp, dlocked, errno.ENOTDIR);
      }
      return this.finish(w, vp, dvp, dlocked, opts);
    }
  }

  /**
   * The end of a run of name-cache hits: sdir (which every directory the run entered passed
   * canVgetK for, and nothing ran since) gets a reference, the run's starting directory dvp
   * loses its own (and its lock if `dlocked`). Returns sdir, the new, unlocked dvp.
   */
  private commit(sdir: Kva, dvp: Kva, dlocked: boolean): Kva {
    const vc = this.vfs.vnodes;
    if (vc.tryVgetK(sdir) !== 0)
      this.k.panic(
        `namei: directory ${this.k.describeAddress(kvaBig(sdir))} went away during lookup`,
      );
    if (dlocked) vc.vputK(dvp);
    else vc.vreleK(dvp);
    return sdir;
  }

  /**
   * Leaves vp and dvp as the options ask: vp locked iff lockleaf, dvp kept locked iff lockparent.
   * dvp is locked iff `dlocked` (an unlocked dvp comes from a name-cache hit: vp !== dvp, no
   * lockparent).
   */
  private finish(w: NameiWalk, vp: Kva, dvp: Kva, dlocked: boolean, opts: NameiOptions): number {
    const vc = this.vfs.vnodes;
    w.error = 0;
    w.vp = vp;
    w.dvp = 0;
    if (!dlocked) {
      if (vp !== dvp && !opts.lockparent) {
        if (opts.lockleaf) this.lockK(vp);
        vc.vreleK(dvp);
        return 0;
      }
      this.lockK(dvp);
    }
    if (vp === dvp) {
      // dvp is locked; vp is the same vnode with an extra reference.
      if (opts.lockparent) {
        w.dvp = dvp;
        return 0;
      }
      if (opts.lockleaf) {
        vc.vreleK(dvp);
        return 0;
      }
      vc.vputK(dvp);
      return 0;
    }
    if (opts.lockleaf) this.lockK(vp);
    if (opts.lockparent) {
      w.dvp = dvp;
      return 0;
    }
    vc.vputK(dvp);
    return 0;
  }

  /**
   * relookup(dvp, &vp, cnp): VOP_LOOKUP of the one component `cnp` already describes, in the
   * locked directory dvp; the result (0 for a missing create/rename target) comes back locked.
   */
  relookup(dvp: bigint, cnp: bigint): [number, bigint] {
    const k = this.k;
    const m = k.mem;
    const flags = m.read32(this.cn(cnp, 'cn_flags'));
    const op = m.read32(this.cn(cnp, 'cn_nameiop'));
    const name = m.read64(this.cn(cnp, 'cn_nameptr'));
    if (m.read8(name) === 0) k.panic('relookup: null name');
    if (flags & N.ISDOTDOT) k.panic('relookup: lookup on dot-dot');
    const [error, vp] = this.vfs.vop.withScratch(8, (vpp) => {
      const e = this.vfs.vop.lookup(dvp, vpp, cnp);
      return [e, m.read64(vpp)] as const;
    });
    if (error && error !== EJUSTRETURN) return [error, 0n];
    const found = error ? 0n : vp;
    if (flags & N.RDONLY && op !== N.LOOKUP) {
      if (found) this.vfs.vnodes.vrele(found);
      return [errno.EROFS, 0n];
    }
    if (found && found !== dvp) {
      const e = this.vfs.vnops.lock(found, VF.LK_EXCLUSIVE);
      if (e) {
        this.vfs.vnodes.vrele(found);
        return [e, 0n];
      }
    }
    return [0, found];
  }

  /** namei_simple_*: a referenced, unlocked vnode. */
  nameiSimple(path: string, follow: boolean): { error: number; vp: bigint } {
    const w = this.nameiK(path, follow ? FOLLOW : NOFOLLOW);
    this.done(w);
    return { error: w.error, vp: kvaBig(w.vp) };
  }

  /**
   * namei_simple_* with the vnode as a Kva: the walk is already back in the pool, so read its
   * error and vp at once (before any other lookup); vp is referenced and unlocked, 0 on error.
   */
  nameiSimpleK(path: string, follow: boolean): NameiWalk {
    const w = this.nameiK(path, follow ? FOLLOW : NOFOLLOW);
    this.done(w);
    return w;
  }

  register(): void {
    const k = this.k;
    const t = k.ksyms;
    const m = k.mem;
    // NSM_* (kern/vfs_lookup.c): pointers to private objects compared by identity.
    const imported = t.resolve('NSM_FOLLOW_NOEMULROOT');
    if (imported !== undefined) this.nsm.set(m.read64(imported), true);
    for (const [name, follow] of [
      ['NSM_NOFOLLOW_NOEMULROOT', false],
      ['NSM_NOFOLLOW_TRYEMULROOT', false],
      ['NSM_FOLLOW_TRYEMULROOT', true],
    ] as const) {
      if (t.has(name)) continue;
      const obj = k.kdata.allocate(8);
      const sym = k.kdata.allocate(8);
      m.write64(sym, obj);
      t.dataAt(name, 'vfs', sym, 8);
      this.nsm.set(obj, follow);
    }
    const simple = (user: boolean) => (cpu: { arg(i: number): bigint }) => {
      const path = cpu.arg(0);
      const vpp = cpu.arg(2);
      const follow =
        this.nsm.get(cpu.arg(1)) ??
        k.panic(`namei_simple: unknown flags object ${k.describeAddress(cpu.arg(1))}`);
      const [e, s] = this.copyinPath(path);
      if (e) return e;
      const r = this.nameiSimple(s, follow);
      m.write64(vpp, r.vp);
      void user;
      return r.error;
    };
    t.function('namei_simple_user', 'vfs', simple(true));
    t.function('relookup', 'vfs', (cpu) => {
      const dvp = cpu.arg(0);
      const vpp = cpu.arg(1);
      const cnp = cpu.arg(2);
      const [e, vp] = this.relookup(dvp, cnp);
      m.write64(vpp, vp);
      return e;
    });
    t.function('namei_simple_kernel', 'vfs', simple(false));
    t.function('pathbuf_create', 'vfs', (cpu) => {
      const [e, s] = this.copyinPath(cpu.arg(0));
      if (e) return 0n;
      const P = k.S.pathbuf;
      const pb = k.kmem.alloc(P.$size, kmflags.KM_SLEEP, true, 'pathbuf');
      const buf = k.kmem.alloc(MAXPATHLEN, kmflags.KM_SLEEP, true, 'pathbuf');
      m.write(buf, new TextEncoder().encode(s));
      m.write64(pb + BigInt(P.pb_path.offset), buf);
      return pb;
    });
    t.function('pathbuf_destroy', 'vfs', (cpu) => {
      const pb = cpu.arg(0);
      const P = k.S.pathbuf;
      k.kmem.free(m.read64(pb + BigInt(P.pb_path.offset)), MAXPATHLEN, 'pathbuf');
      k.kmem.free(pb, P.$size, 'pathbuf');
    });
  }

  /** copyinstr of a path: [error, string]. */
  copyinPath(p: bigint): [number, string] {
    const m = this.k.mem;
    const bytes: number[] = [];
    for (let i = 0; i < MAXPATHLEN; i++) {
      if (!m.isMapped(p + BigInt(i), 1)) return [errno.EFAULT, ''];
      const b = m.read8(p + BigInt(i));
      if (b === 0) return [0, new TextDecoder().decode(new Uint8Array(bytes))];
      bytes.push(b);
    }
    return [errno.ENAMETOOLONG, ''];
  }
}
