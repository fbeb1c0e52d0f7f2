/**
 * miscfs/genfs/genfs_rename.c: the rename protocol file systems delegate to. VOP_RENAME's
 * "insane" interface (vnodes from an earlier, unlocked lookup) is turned into a "sane" one:
 * drop those vnodes, lock the directories in an order that cannot deadlock (the file system's
 * gro_genealogy says whether one is an ancestor of the other), look both names up again with
 * gro_lookup, check possibility and permission, and call gro_rename / gro_remove. The
 * `struct genfs_rename_ops` is the file system's table of those callbacks (guest functions).
 * Also the ufs-like permission helpers those callbacks use, and genfs_can_* (chmod, chown,
 * times, flags, sticky directories).
 */
import { vnode as VF, vtype } from '../../abi/netbsd-10.99/constants.js';
import { errno } from '../../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../../kernel.js';
import type { Vfs } from '../../vfs/vfs.js';

/** struct genfs_rename_ops (miscfs/genfs/genfs.h): function pointers in this order. */
const GRO = [
  'gro_directory_empty_p',
  'gro_rename_check_possible',
  'gro_rename_check_permitted',
  'gro_remove_check_possible',
  'gro_remove_check_permitted',
  'gro_rename',
  'gro_remove',
  'gro_lookup',
  'gro_genealogy',
  'gro_lock_directory',
] as const;
type Gro = (typeof GRO)[number];

const KAUTH_VNODE_DELETE = 1n << 3n;
const KAUTH_VNODE_RENAME = 1n << 11n;
const ISDOTDOT = 0x2000;
const S_ISTXT = 0o1000;
const S_ISGID = 0o2000;
const S_ISUID = 0o4000;
const VWRITE = 0o200;
const VWRITE_ATTRIBUTES = 0o4000000;
const VWRITE_ACL = 0o40000000;
const VWRITE_OWNER = 0o100000000;
const VA_UTIMES_NULL = 0x1;

export class GenfsRename {
  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {}

  private gro(ops: bigint, name: Gro, ...args: (bigint | number)[]): number {
    const fn = this.k.mem.read64(ops + BigInt(8 * GRO.indexOf(name)));
    return Number(BigInt.asIntN(32, this.k.callGuest(fn, ...args)));
  }

  private authorizeVnode(
    cred: bigint,
    action: bigint,
    vp: bigint,
    dvp: bigint,
    decision: number,
  ): number {
    const f =
      this.k.ksyms.resolve('kauth_authorize_vnode') ??
      this.k.panic('kauth_authorize_vnode is not defined');
    return Number(BigInt.asIntN(32, this.k.callGuest(f, cred, action, vp, dvp, decision)));
  }

  private lockv(vp: bigint): void {
    this.vfs.vnops.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
  }
  private unlock(vp: bigint): void {
    this.vfs.vop.unlock(vp);
  }
  private vrele(vp: bigint): void {
    this.vfs.vnodes.vrele(vp);
  }
  private lookup(ops: bigint, mp: bigint, dvp: bigint, cnp: bigint, de: bigint): [number, bigint] {
    return this.vfs.vop.withScratch(8, (p) => {
      const e = this.gro(ops, 'gro_lookup', mp, dvp, cnp, de, p);
      return [e, e ? 0n : this.k.mem.read64(p)];
    });
  }

  private cn(cnp: bigint): { flags: number; name: string } {
    const C = this.k.S.componentname;
    const m = this.k.mem;
    return {
      flags: m.read32(cnp + BigInt(C.cn_flags.offset)),
      name: new TextDecoder().decode(
        m.read(
          m.read64(cnp + BigInt(C.cn_nameptr.offset)),
          Number(m.read64(cnp + BigInt(C.cn_namelen.offset))),
        ),
      ),
    };
  }

  /** genfs_insane_rename(v, sane_rename): releases VOP_RENAME's vnodes and calls sane_rename. */
  insane(ap: bigint, saneRename: bigint): number {
    const m = this.k.mem;
    const A = this.k.S.vop_rename_args;
    const r = (f: { offset: number }) => m.read64(ap + BigInt(f.offset));
    const fdvp = r(A.a_fdvp);
    const fvp = r(A.a_fvp);
    const fcnp = r(A.a_fcnp);
    const tdvp = r(A.a_tdvp);
    const tvp = r(A.a_tvp);
    const tcnp = r(A.a_tcnp);
    const cred = m.read64(fcnp + BigInt(this.k.S.componentname.cn_cred.offset));
    this.unlock(tdvp);
    if (tvp !== 0n && tvp !== tdvp) this.unlock(tvp);
    this.vrele(fvp);
    if (tvp !== 0n) this.vrele(tvp);
    const error = Number(
      BigInt.asIntN(32, this.k.callGuest(saneRename, fdvp, fcnp, tdvp, tcnp, cred, 0)),
    );
    this.vrele(fdvp);
    this.vrele(tdvp);
    return error;
  }

  /** genfs_sane_rename(ops, fdvp, fcnp, fde, tdvp, tcnp, tde, cred, posixly_correct) */
  sane(
    ops: bigint,
    fdvp: bigint,
    fcnp: bigint,
    fde: bigint,
    tdvp: bigint,
    tcnp: bigint,
    tde: bigint,
    cred: bigint,
    posix: boolean,
  ): number {
    const vn = this.vfs.vn;
    const mp = vn.mount(fdvp);
    const f = this.cn(fcnp);
    const t = this.cn(tcnp);
    if ((f.flags | t.flags) & ISDOTDOT) return errno.EINVAL;
    const entered = this.enter(ops, mp, cred, fdvp, fcnp, fde, tdvp, tcnp, tde);
    if (typeof entered === 'number') return entered;
    const { fvp, tvp } = entered;
    const error = this.saneLocked(
      ops,
      mp,
      cred,
      posix,
      fdvp,
      fcnp,
      fde,
      fvp,
      tdvp,
      tcnp,
      tde,
      tvp,
      f.name === t.name,
    );
    this.exit(fdvp, fvp, tdvp, tvp);
    return error;
  }

  /** The part of genfs_sane_rename that runs with all four vnodes locked. */
  private saneLocked(
    ops: bigint,
    mp: bigint,
    cred: bigint,
    posix: boolean,
    fdvp: bigint,
    fcnp: bigint,
    fde: bigint,
    fvp: bigint,
    tdvp: bigint,
    tcnp: bigint,
    tde: bigint,
    tvp: bigint,
    sameName: boolean,
  ): number {
    const vn = this.vfs.vn;
    if (fvp === tvp) {
      if (vn.type(fvp) === vtype.VDIR) return errno.EINVAL;
      if (posix) return 0;
      if (fdvp === tdvp && sameName) return 0;
      return this.remove(ops, mp, cred, fdvp, fcnp, fde, fvp);
    }
    if (tvp !== 0n) {
      const fd = vn.type(fvp) === vtype.VDIR;
      const td = vn.type(tvp) === vtype.VDIR;
      if (fd && td) {
        if ((this.k.callGuest(this.k.mem.read64(ops), mp, cred, tvp, tdvp) & 0xffn) === 0n)
          return errno.ENOTEMPTY;
      } else if (fd && !td) return errno.ENOTDIR;
      else if (!fd && td) return errno.EISDIR;
    }
    let error = this.gro(ops, 'gro_rename_check_possible', mp, fdvp, fvp, tdvp, tvp);
    if (error) return error;
    error = this.gro(ops, 'gro_rename_check_permitted', mp, cred, fdvp, fvp, tdvp, tvp);
    error = this.authorizeVnode(cred, KAUTH_VNODE_DELETE, fvp, fdvp, error);
    error = this.authorizeVnode(cred, KAUTH_VNODE_RENAME, tvp, tdvp, error);
    if (error) return error;
    return this.vfs.vop.withScratch(8, (nl) =>
      this.gro(ops, 'gro_rename', mp, cred, fdvp, fcnp, fde, fvp, tdvp, tcnp, tde, tvp, nl),
    );
  }

  private remove(
    ops: bigint,
    mp: bigint,
    cred: bigint,
    dvp: bigint,
    cnp: bigint,
    de: bigint,
    vp: bigint,
  ): number {
    let error = this.gro(ops, 'gro_remove_check_possible', mp, dvp, vp);
    if (error) return error;
    error = this.gro(ops, 'gro_remove_check_permitted', mp, cred, dvp, vp);
    error = this.authorizeVnode(cred, KAUTH_VNODE_DELETE, vp, dvp, error);
    if (error) return error;
    return this.vfs.vop.withScratch(8, (nl) =>
      this.gro(ops, 'gro_remove', mp, cred, dvp, cnp, de, vp, nl),
    );
  }

  private enter(
    ops: bigint,
    mp: bigint,
    cred: bigint,
    fdvp: bigint,
    fcnp: bigint,
    fde: bigint,
    tdvp: bigint,
    tcnp: bigint,
    tde: bigint,
  ): number | { fvp: bigint; tvp: bigint } {
    if (fdvp === tdvp) return this.enterCommon(ops, mp, fdvp, fcnp, fde, tcnp, tde);
    const [ge, inter] = this.vfs.vop.withScratch(8, (p) => {
      const e = this.gro(ops, 'gro_genealogy', mp, cred, fdvp, tdvp, p);
      return [e, e ? 0n : this.k.mem.read64(p)] as const;
    });
    if (ge) return ge;
    let r: number | { a: bigint; b: bigint };
    let fvp: bigint;
    let tvp: bigint;
    if (inter === 0n) {
      r = this.lock2(
        ops,
        mp,
        errno.ENOTEMPTY,
        errno.EISDIR,
        errno.EINVAL,
        tdvp,
        tcnp,
        true,
        tde,
        fdvp,
        fcnp,
        false,
        fde,
      );
      if (typeof r !== 'number') {
        tvp = r.a;
        fvp = r.b;
      }
    } else {
      r = this.lock2(
        ops,
        mp,
        errno.EINVAL,
        errno.EISDIR,
        errno.EINVAL,
        fdvp,
        fcnp,
        false,
        fde,
        tdvp,
        tcnp,
        true,
        tde,
      );
      if (typeof r !== 'number') {
        fvp = r.a;
        tvp = r.b;
      }
    }
    let result: number | { fvp: bigint; tvp: bigint };
    if (typeof r === 'number') result = r;
    else if (fvp! === inter) {
      this.exit(fdvp, fvp!, tdvp, tvp!);
      result = errno.EINVAL;
    } else result = { fvp: fvp!, tvp: tvp! };
    if (inter !== 0n) this.vrele(inter);
    return result;
  }

  private enterCommon(
    ops: bigint,
    mp: bigint,
    dvp: bigint,
    fcnp: bigint,
    fde: bigint,
    tcnp: bigint,
    tde: bigint,
  ): number | { fvp: bigint; tvp: bigint } {
    const vn = this.vfs.vn;
    const error = this.gro(ops, 'gro_lock_directory', mp, dvp);
    if (error) return error;
    const fail1 = (e: number) => {
      this.unlock(dvp);
      return e;
    };
    if (vn.mountedhere(dvp) !== 0n) return fail1(errno.EBUSY);
    const [fe, fvp] = this.lookup(ops, mp, dvp, fcnp, fde);
    if (fe) return fail1(fe);
    const fail2 = (e: number) => {
      this.vrele(fvp);
      return fail1(e);
    };
    if (fvp === dvp) return fail2(errno.EINVAL);
    let [te, tvp] = this.lookup(ops, mp, dvp, tcnp, tde);
    if (te === errno.ENOENT) tvp = 0n;
    else if (te) return fail2(te);
    else if (tvp === dvp) {
      this.vrele(tvp);
      return fail2(errno.EISDIR);
    }
    this.lockv(fvp);
    const fail3 = (e: number) => {
      this.unlock(fvp);
      if (tvp !== 0n) this.vrele(tvp);
      return fail2(e);
    };
    if (vn.type(fvp) === vtype.VDIR && vn.mountedhere(fvp) !== 0n) return fail3(errno.EBUSY);
    if (tvp !== 0n && tvp !== fvp) {
      this.lockv(tvp);
      if (vn.type(tvp) === vtype.VDIR && vn.mountedhere(tvp) !== 0n) {
        this.unlock(tvp);
        return fail3(errno.EBUSY);
      }
    }
    return { fvp, tvp };
  }

  /** genfs_rename_lock: lock a_dvp, look up a, lock b_dvp, look up b, lock the results. */
  private lock2(
    ops: bigint,
    mp: bigint,
    overlapError: number,
    aDotError: number,
    bDotError: number,
    aDvp: bigint,
    aCnp: bigint,
    aMissingOk: boolean,
    aDe: bigint,
    bDvp: bigint,
    bCnp: bigint,
    bMissingOk: boolean,
    bDe: bigint,
  ): number | { a: bigint; b: bigint } {
    const vn = this.vfs.vn;
    const isDir = (vp: bigint) => vp !== 0n && vn.type(vp) === vtype.VDIR;
    let error = this.gro(ops, 'gro_lock_directory', mp, aDvp);
    if (error) return error;
    const fail1 = (e: number) => {
      this.unlock(aDvp);
      return e;
    };
    if (vn.mountedhere(aDvp) !== 0n) return fail1(errno.EBUSY);
    let [ae, aVp] = this.lookup(ops, mp, aDvp, aCnp, aDe);
    if (ae) {
      if (aMissingOk && ae === errno.ENOENT) aVp = 0n;
      else return fail1(ae);
    }
    const fail2 = (e: number) => {
      if (aVp !== 0n) this.vrele(aVp);
      return fail1(e);
    };
    if (aVp !== 0n) {
      if (aVp === aDvp) return fail2(aDotError);
      if (aVp === bDvp) return fail2(overlapError);
    }
    const fail3 = (e: number) => {
      if (isDir(aVp)) this.unlock(aVp);
      return fail2(e);
    };
    if (isDir(aVp)) {
      this.lockv(aVp);
      if (vn.mountedhere(aVp) !== 0n) return fail3(errno.EBUSY);
    }
    error = this.gro(ops, 'gro_lock_directory', mp, bDvp);
    if (error) return fail3(error);
    const fail4 = (e: number) => {
      this.unlock(bDvp);
      return fail3(e);
    };
    if (vn.mountedhere(bDvp) !== 0n) return fail4(errno.EBUSY);
    let [be, bVp] = this.lookup(ops, mp, bDvp, bCnp, bDe);
    if (be) {
      if (bMissingOk && be === errno.ENOENT) bVp = 0n;
      else return fail4(be);
    }
    const fail5 = (e: number) => {
      if (bVp !== 0n) this.vrele(bVp);
      return fail4(e);
    };
    if (bVp !== 0n) {
      if (bVp === bDvp) return fail5(bDotError);
      if (bVp === aDvp) return fail5(errno.EIO);
    }
    if (aVp !== 0n && !isDir(aVp)) this.lockv(aVp);
    if (bVp !== 0n && bVp !== aVp) {
      this.lockv(bVp);
      if (isDir(bVp) && vn.mountedhere(bVp) !== 0n) {
        this.unlock(bVp);
        if (aVp !== 0n && !isDir(aVp)) this.unlock(aVp);
        return fail5(errno.EBUSY);
      }
    }
    return { a: aVp, b: bVp };
  }

  /** genfs_rename_exit: unlock and release what genfs_rename_enter gave. */
  private exit(fdvp: bigint, fvp: bigint, tdvp: bigint, tvp: bigint): void {
    if (tvp !== 0n && tvp !== fvp) this.unlock(tvp);
    this.unlock(fvp);
    if (tvp !== 0n) this.vrele(tvp);
    if (tdvp !== fdvp) this.unlock(tdvp);
    this.vrele(fvp);
    this.unlock(fdvp);
  }

  // ---------------------------------------------------------------- permission helpers

  private euid(cred: bigint): number {
    if (cred === 0xffff_ffff_ffff_ffffn || cred === 0xffff_ffff_ffff_fffen) return 0;
    return this.k.mem.read32(cred + BigInt(this.k.S.kauth_cred.cr_euid.offset));
  }
  private egid(cred: bigint): number {
    if (cred === 0xffff_ffff_ffff_ffffn || cred === 0xffff_ffff_ffff_fffen) return 0;
    return this.k.mem.read32(cred + BigInt(this.k.S.kauth_cred.cr_egid.offset));
  }
  private isMember(cred: bigint, gid: number): boolean {
    if (this.egid(cred) === gid) return true;
    if (cred === 0xffff_ffff_ffff_ffffn || cred === 0xffff_ffff_ffff_fffen) return false;
    const C = this.k.S.kauth_cred;
    const m = this.k.mem;
    const n = Math.min(m.read32(cred + BigInt(C.cr_ngroups.offset)), C.cr_groups.size / 4);
    for (let i = 0; i < n; i++)
      if (m.read32(cred + BigInt(C.cr_groups.offset + 4 * i)) === gid) return true;
    return false;
  }

  /** genfs_can_sticky: in a sticky directory only the directory's or the file's owner may remove. */
  canSticky(cred: bigint, dirUid: number, fileUid: number): number {
    const e = this.euid(cred);
    return e !== dirUid && e !== fileUid ? errno.EPERM : 0;
  }

  register(): void {
    const k = this.k;
    const t = k.ksyms;
    const vop = this.vfs.vop;
    const u32 = (v: bigint) => Number(v & 0xffffffffn);
    t.function('genfs_insane_rename', 'genfs', (c) => this.insane(c.arg(0), c.arg(1)));
    t.function('genfs_sane_rename', 'genfs', (c) => {
      const a = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => c.arg(i));
      return this.sane(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        (a[8]! & 0xffn) !== 0n,
      );
    });
    t.function('genfs_can_sticky', 'genfs', (c) =>
      this.canSticky(c.arg(1), u32(c.arg(2)), u32(c.arg(3))),
    );
    // genfs_can_chmod(vp, cred, cur_uid, cur_gid, new_mode)
    t.function('genfs_can_chmod', 'genfs', (c) => {
      const [vp, cred, uid, gid, mode] = [
        c.arg(0),
        c.arg(1),
        u32(c.arg(2)),
        u32(c.arg(3)),
        u32(c.arg(4)),
      ];
      const e = vop.accessx(vp, VWRITE_ACL, cred);
      if (e) return e;
      if (this.vfs.vn.type(vp) !== vtype.VDIR && mode & S_ISTXT) return errno.EFTYPE;
      if (mode & S_ISGID && !this.isMember(cred, gid)) return errno.EPERM;
      if (mode & S_ISUID && uid !== this.euid(cred)) return errno.EPERM;
      return 0;
    });
    // genfs_can_chown(vp, cred, cur_uid, cur_gid, new_uid, new_gid)
    t.function('genfs_can_chown', 'genfs', (c) => {
      const [vp, cred, uid, gid, nuid, ngid] = [
        c.arg(0),
        c.arg(1),
        u32(c.arg(2)),
        u32(c.arg(3)),
        u32(c.arg(4)),
        u32(c.arg(5)),
      ];
      const e = vop.accessx(vp, VWRITE_OWNER, cred);
      if (e) return e;
      if (this.euid(cred) === uid) {
        if (nuid !== uid) return errno.EPERM;
        if (ngid === gid || this.egid(cred) === ngid || this.isMember(cred, ngid)) return 0;
      }
      return errno.EPERM;
    });
    // genfs_can_chtimes(vp, cred, owner_uid, vaflags)
    t.function('genfs_can_chtimes', 'genfs', (c) => {
      const [vp, cred, vaflags] = [c.arg(0), c.arg(1), u32(c.arg(3))];
      let e = vop.accessx(vp, VWRITE_ATTRIBUTES, cred);
      if (e && vaflags & VA_UTIMES_NULL) e = vop.access(vp, VWRITE, cred);
      if (e) return vaflags & VA_UTIMES_NULL ? errno.EACCES : errno.EPERM;
      return 0;
    });
    // genfs_can_chflags(vp, cred, owner_uid, changing_sysflags)
    t.function('genfs_can_chflags', 'genfs', (c) => {
      const [vp, cred, uid, sys] = [c.arg(0), c.arg(1), u32(c.arg(2)), (c.arg(3) & 0xffn) !== 0n];
      if (this.euid(cred) !== uid || sys) return errno.EPERM;
      const ty = this.vfs.vn.type(vp);
      return ty === vtype.VCHR || ty === vtype.VBLK ? errno.EPERM : 0;
    });
    // genfs_ufslike_rename_check_possible(fdflags, fflags, tdflags, tflags, clobber, immutable, append)
    t.function('genfs_ufslike_rename_check_possible', 'genfs', (c) => {
      const [fd, f, td, tf, clobber, imm, app] = [0, 1, 2, 3, 4, 5, 6].map((i) => c.arg(i));
      const cl = (clobber! & 0xffn) !== 0n;
      if ((fd! | f!) & (imm! | app!)) return errno.EPERM;
      if (td! & (imm! | (cl ? app! : 0n))) return errno.EPERM;
      if (cl && tf! & (imm! | app!)) return errno.EPERM;
      return 0;
    });
    t.function('genfs_ufslike_remove_check_possible', 'genfs', (c) =>
      (c.arg(0) | c.arg(1)) & (c.arg(2) | c.arg(3)) ? errno.EPERM : 0,
    );
    const sticky = (cred: bigint, dmode: number, duid: number, vp: bigint, uid: number) =>
      dmode & S_ISTXT && vp !== 0n ? this.canSticky(cred, duid, uid) : 0;
    // genfs_ufslike_rename_check_permitted(cred, fdvp, fdmode, fduid, fvp, fuid, tdvp, tdmode, tduid, tvp, tuid)
    t.function('genfs_ufslike_rename_check_permitted', 'genfs', (c) => {
      const a = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => c.arg(i));
      const [cred, fdvp, fdmode, fduid, fvp, fuid, tdvp, tdmode, tduid, tvp, tuid] = a as bigint[];
      let e = vop.access(fdvp!, VWRITE, cred!);
      if (e) return e;
      if (fdvp !== tdvp) {
        e = vop.access(tdvp!, VWRITE, cred!);
        if (e) return e;
        if (this.vfs.vn.type(fvp!) === vtype.VDIR) {
          e = vop.access(fvp!, VWRITE, cred!);
          if (e) return e;
        }
      }
      e = sticky(cred!, u32(fdmode!), u32(fduid!), fvp!, u32(fuid!));
      if (e) return e;
      return sticky(cred!, u32(tdmode!), u32(tduid!), tvp!, u32(tuid!));
    });
    // genfs_ufslike_remove_check_permitted(cred, dvp, dmode, duid, vp, uid)
    t.function('genfs_ufslike_remove_check_permitted', 'genfs', (c) => {
      const [cred, dvp, dmode, duid, vp, uid] = [0, 1, 2, 3, 4, 5].map((i) => c.arg(i)) as bigint[];
      const e = vop.access(dvp!, VWRITE, cred!);
      if (e) return e;
      return sticky(cred!, u32(dmode!), u32(duid!), vp!, u32(uid!));
    });
  }
}
