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
  kmflags,
  namei as N,
  uio as U,
  vnode as VF,
  vtype,
} from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';
import type { Vfs } from './vfs.js';

export const MAXPATHLEN = N.MAXPATHLEN;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 32;
const EJUSTRETURN = -2;

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

interface Walk {
  buf: bigint;
  cnp: bigint;
}

export class Namei {
  /** NSM_* objects by address → FOLLOW flag. */
  private readonly nsm = new Map<bigint, boolean>();

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {}

  private cn(cnp: bigint, field: keyof Kernel['S']['componentname']): bigint {
    return cnp + BigInt((this.k.S.componentname[field] as { offset: number }).offset);
  }

  private alloc(): Walk {
    const k = this.k;
    const buf = k.kmem.alloc(MAXPATHLEN, kmflags.KM_SLEEP, false, 'pathbuf');
    const cnp = k.kmem.alloc(k.S.componentname.$size, kmflags.KM_SLEEP, true, 'componentname');
    k.mem.write64(this.cn(cnp, 'cn_cred'), this.vfs.cred());
    return { buf, cnp };
  }

  private free(w: Walk): void {
    this.k.kmem.free(w.buf, MAXPATHLEN, 'pathbuf');
    this.k.kmem.free(w.cnp, this.k.S.componentname.$size, 'componentname');
  }

  private lock(vp: bigint): void {
    const e = this.vfs.vnops.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    if (e) this.k.panic(`namei: cannot lock ${this.k.describeAddress(vp)}: ${e}`);
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
    const bytes = new TextEncoder().encode(path);
    const fail = (error: number): NameiResult => ({
      error,
      vp: 0n,
      dvp: 0n,
      cnp: 0n,
      release: () => undefined,
    });
    if (bytes.length === 0) return fail(errno.ENOENT);
    if (bytes.length >= MAXPATHLEN) return fail(errno.ENAMETOOLONG);
    if (bytes.includes(0)) return fail(errno.EINVAL);
    const w = this.alloc();
    this.k.mem.write(w.buf, bytes);
    this.k.mem.write8(w.buf + BigInt(bytes.length), 0);
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.free(w);
      }
    };
    try {
      const r = this.walk(w, bytes.length, opts);
      if (r.error) release();
      return { ...r, cnp: w.cnp, release };
    } catch (e) {
      release();
      throw e;
    }
  }

  private walk(
    w: Walk,
    pathLen: number,
    opts: NameiOptions,
  ): { error: number; vp: bigint; dvp: bigint } {
    const k = this.k;
    const m = k.mem;
    const vfs = this.vfs;
    const vn = vfs.vn;
    const vc = vfs.vnodes;
    const root = vfs.rootfs.rootvp;
    const op = NAMEIOP[opts.op ?? 'lookup'];
    let len = pathLen;
    let loops = 0;
    let dvp = root;
    vc.vref(dvp);
    this.lock(dvp);
    let pos = 0;
    const at = (i: number) => (i < len ? m.read8(w.buf + BigInt(i)) : 0);
    const out = (error: number) => {
      vc.vput(dvp);
      return { error, vp: 0n, dvp: 0n };
    };
    for (;;) {
      while (at(pos) === 0x2f) pos++;
      if (pos >= len) {
        // The path names the directory itself ("/", or everything was a symlink to "/").
        if (op !== N.LOOKUP) return out(op === N.CREATE ? errno.EEXIST : errno.EBUSY);
        vc.vref(dvp);
        return this.finish(dvp, dvp, opts);
      }
      const namep = w.buf + BigInt(pos);
      const clen = vfs.vop.withScratch(8, (rp) => {
        const e = vfs.vop.parsepath(dvp, namep, rp);
        return e ? -e : Number(m.read64(rp));
      });
      if (clen < 0) return out(-clen);
      if (clen > NAME_MAX) return out(errno.ENAMETOOLONG);
      const next = pos + clen;
      let after = next;
      while (at(after) === 0x2f) after++;
      const last = after >= len;
      const trailingSlash = last && after > next;
      const isDotDot = clen === 2 && at(pos) === 0x2e && at(pos + 1) === 0x2e;
      // ".." from the root of a mounted file system: continue in the covered directory.
      if (isDotDot) {
        while (dvp !== root && vn.vflag(dvp) & VF.VV_ROOT) {
          const covered = m.read64(vfs.mounts.field(vn.mount(dvp), 'mnt_vnodecovered'));
          if (covered === 0n) break;
          vc.vput(dvp);
          dvp = covered;
          vc.vref(dvp);
          this.lock(dvp);
        }
      }
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
      if (vfs.mounts.flag(vn.mount(dvp)) & 0x1) flags |= N.RDONLY;
      m.write32(this.cn(w.cnp, 'cn_nameiop'), last ? op : N.LOOKUP);
      m.write32(this.cn(w.cnp, 'cn_flags'), flags);
      m.write64(this.cn(w.cnp, 'cn_nameptr'), namep);
      m.write64(this.cn(w.cnp, 'cn_namelen'), BigInt(clen));
      let vp: bigint;
      if (isDotDot && dvp === root) {
        vp = dvp;
        vc.vref(vp);
      } else {
        if (vn.type(dvp) !== vtype.VDIR) return out(errno.ENOTDIR);
        const [error, found] = vfs.vop.withScratch(8, (vpp) => {
          const e = vfs.vop.lookup(dvp, vpp, w.cnp);
          return [e, e ? 0n : m.read64(vpp)] as const;
        });
        if (error === EJUSTRETURN && last && (op === N.CREATE || op === N.RENAME)) {
          if (!opts.lockparent) return out(errno.EINVAL);
          return { error: 0, vp: 0n, dvp };
        }
        if (error) return out(error === EJUSTRETURN ? errno.ENOENT : error);
        vp = found;
      }
      // Mount points: continue at the root of the file system mounted on vp.
      while (vn.type(vp) === vtype.VDIR && vn.mountedhere(vp) !== 0n) {
        const mp = vn.mountedhere(vp);
        const [error, rootvp] = vfs.vop.withScratch(8, (vpp) => {
          const e = vfs.mounts.call(mp, 'vfs_root', mp, VF.LK_EXCLUSIVE, vpp);
          return [e, e ? 0n : m.read64(vpp)] as const;
        });
        vc.vrele(vp);
        if (error) return out(error);
        vfs.vop.unlock(rootvp);
        vp = rootvp;
      }
      if (vn.type(vp) === vtype.VLNK && (!last || opts.follow)) {
        if (++loops > MAXSYMLINKS) {
          vc.vrele(vp);
          return out(errno.ELOOP);
        }
        this.lock(vp);
        const [error, target] = this.readlink(vp);
        vc.vput(vp);
        if (error) return out(error);
        if (target.length === 0) return out(errno.ENOENT);
        const rest = m.read(w.buf + BigInt(next), len - next);
        if (target.length + rest.length >= MAXPATHLEN) return out(errno.ENAMETOOLONG);
        m.write(w.buf, target);
        m.write(w.buf + BigInt(target.length), rest);
        len = target.length + rest.length;
        m.write8(w.buf + BigInt(len), 0);
        pos = 0;
        if (target[0] === 0x2f) {
          vc.vput(dvp);
          dvp = root;
          vc.vref(dvp);
          this.lock(dvp);
        }
        continue;
      }
      if (!last) {
        if (vn.type(vp) !== vtype.VDIR) {
          vc.vrele(vp);
          return out(errno.ENOTDIR);
        }
        vc.vput(dvp);
        dvp = vp;
        this.lock(dvp);
        pos = next;
        continue;
      }
      if (trailingSlash && vn.type(vp) !== vtype.VDIR) {
        vc.vrele(vp);
        return out(errno.ENOTDIR);
      }
      return this.finish(vp, dvp, opts);
    }
  }

  /** Leaves vp and dvp as the options ask: vp locked iff lockleaf, dvp kept locked iff lockparent. */
  private finish(
    vp: bigint,
    dvp: bigint,
    opts: NameiOptions,
  ): { error: number; vp: bigint; dvp: bigint } {
    const vc = this.vfs.vnodes;
    if (vp === dvp) {
      // dvp is locked; vp is the same vnode with an extra reference.
      if (opts.lockparent) return { error: 0, vp, dvp };
      if (opts.lockleaf) {
        vc.vrele(dvp);
        return { error: 0, vp, dvp: 0n };
      }
      vc.vput(dvp);
      return { error: 0, vp, dvp: 0n };
    }
    if (opts.lockleaf) this.lock(vp);
    if (opts.lockparent) return { error: 0, vp, dvp };
    vc.vput(dvp);
    return { error: 0, vp, dvp: 0n };
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
    const r = this.namei(path, { follow });
    r.release();
    return { error: r.error, vp: r.vp };
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
