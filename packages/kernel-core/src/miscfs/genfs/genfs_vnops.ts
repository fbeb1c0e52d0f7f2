/**
 * miscfs/genfs/genfs_vnops.c: the generic vnode operations file systems put in their vectors
 * (locks on vnode_impl.vi_lock, parsepath, seek, the constant-result ops), genfs_can_access
 * (the owner/group/other permission check ufs_accessx hands to kauth), the rename lock, and
 * vn_default_error / vn_bwrite (kern/vfs_vnops.c) which vectors reference the same way.
 * Each is defined with VnodeIf.define, so VOP calls reach them without entering the CPU.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import { locks, vnode as V } from '../../abi/netbsd-10.99/constants.js';
import { errno } from '../../abi/netbsd-10.99/errno.js';
import { argS64, argStackLo, argU32 } from '../../kern/hostcall.js';
import { type Kva, kvaOf, loadKva, storeU64 } from '../../kern/kva.js';
import type { Kernel } from '../../kernel.js';
import type { VnodeIf } from '../../vfs/vnode_if.js';

/** accmode_t bits (sys/vnode.h). */
export const VEXEC = 0o100;
export const VWRITE = 0o200;
export const VREAD = 0o400;
export const VADMIN = 0o10000;
export const VAPPEND = 0o40000;

const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLRDNORM = 0x40;
const POLLWRNORM = 0x4;
const F_SETFL = 4;
const EPASSTHROUGH = -4;

/** A signed 64-bit field as a Number (credentials: a Kva, or NOCRED -1 / FSCRED -2). */
function loadS64(m: GuestMemory, at: Kva): number {
  const lo = m.load64(at, -1);
  const hi = m.hi;
  return hi * 4294967296 + (lo >>> 0);
}

export class GenfsVnops {
  /** Addresses of the operations by NetBSD name, for building vectors. */
  readonly fn = new Map<string, bigint>();
  private readonly viLock: number;
  /** a_vp / a_flags of vop_lock_args, a_vp of vop_unlock_args and vop_islocked_args. */
  private readonly oLockVp: number;
  private readonly oLockFlags: number;
  private readonly oUnlockVp: number;
  private readonly oIslockedVp: number;

  constructor(
    private readonly k: Kernel,
    private readonly vop: VnodeIf,
  ) {
    this.viLock = k.S.vnode_impl.vi_lock.offset;
    this.oLockVp = k.S.vop_lock_args.a_vp.offset;
    this.oLockFlags = k.S.vop_lock_args.a_flags.offset;
    this.oUnlockVp = k.S.vop_unlock_args.a_vp.offset;
    this.oIslockedVp = k.S.vop_islocked_args.a_vp.offset;
  }

  /** &VNODE_TO_VIMPL(vp)->vi_lock. */
  lockOf(vp: bigint): bigint {
    return vp + BigInt(this.viLock);
  }

  private a64(ap: bigint, st: string, field: string): bigint {
    const s = (this.k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]!;
    return this.k.mem.read64(ap + BigInt(s[field]!.offset));
  }
  private a32(ap: bigint, st: string, field: string): number {
    const s = (this.k.S as unknown as Record<string, Record<string, { offset: number }>>)[st]!;
    return this.k.mem.read32(ap + BigInt(s[field]!.offset)) | 0;
  }

  /** genfs_lock / genfs_deadlock body: take vi_lock as the LK_* flags ask. */
  lock(vp: bigint, flags: number): number {
    return this.lockK(kvaOf(vp), flags);
  }
  lockK(vp: Kva, flags: number): number {
    const rw = this.k.rwlocks;
    const l = vp + this.viLock;
    if (flags & V.LK_DOWNGRADE) rw.downgradeK(l);
    else if (flags & V.LK_UPGRADE) {
      if (!(flags & V.LK_NOWAIT))
        this.k.panic(
          'kernel diagnostic assertion "ISSET(flags, LK_NOWAIT)" failed: genfs_lock LK_UPGRADE',
        );
      if (!rw.tryUpgradeK(l)) return errno.EBUSY;
    } else if (flags & (V.LK_EXCLUSIVE | V.LK_SHARED)) {
      const op = flags & V.LK_EXCLUSIVE ? locks.RW_WRITER : locks.RW_READER;
      if (flags & V.LK_NOWAIT) {
        if (!rw.tryEnterK(l, op)) return errno.EBUSY;
      } else rw.enterK(l, op);
    }
    return 0;
  }

  unlock(vp: bigint): number {
    return this.unlockK(kvaOf(vp));
  }
  unlockK(vp: Kva): number {
    this.k.rwlocks.exitK(vp + this.viLock);
    return 0;
  }

  /** LK_EXCLUSIVE when curlwp write-holds the vnode lock, LK_SHARED when read-held, else 0. */
  islocked(vp: bigint): number {
    return this.islockedK(kvaOf(vp));
  }
  islockedK(vp: Kva): number {
    const l = vp + this.viLock;
    if (this.k.rwlocks.writeHeldK(l)) return V.LK_EXCLUSIVE;
    if (this.k.rwlocks.readHeldK(l)) return V.LK_SHARED;
    return V.LK_NONE;
  }

  /** genfs_can_access: the discretionary check (owner, then group, then other); EPERM for VADMIN. */
  canAccess(cred: bigint, uid: number, gid: number, mode: number, accmode: number): number {
    return this.canAccessK(Number(BigInt.asIntN(64, cred)), uid, gid, mode, accmode);
  }

  /**
   * canAccess with the credential as a Number: its Kva, or -1 / -2 for NOCRED / FSCRED (the
   * kernel itself, uid 0), 0 for NULL (also the kernel).
   */
  canAccessK(cred: number, uid: number, gid: number, mode: number, accmode: number): number {
    if (accmode & ~(VEXEC | VWRITE | VREAD | VADMIN | VAPPEND)) {
      this.k.panic(
        `kernel diagnostic assertion failed: genfs_can_access: accmode 0x${accmode.toString(16)} has unknown bits`,
      );
    }
    const kernel = cred === -1 || cred === -2 || cred === 0;
    const m = this.k.mem;
    const C = this.k.S.kauth_cred;
    const euid = kernel ? 0 : m.load32(cred + C.cr_euid.offset, -1) >>> 0;
    let granted = 0;
    if (euid === uid) {
      granted |= VADMIN;
      if (mode & 0o100) granted |= VEXEC;
      if (mode & 0o400) granted |= VREAD;
      if (mode & 0o200) granted |= VWRITE | VAPPEND;
    } else if (!kernel && this.inGroup(cred, gid)) {
      if (mode & 0o010) granted |= VEXEC;
      if (mode & 0o040) granted |= VREAD;
      if (mode & 0o020) granted |= VWRITE | VAPPEND;
    } else if (kernel && gid === 0) {
      // The kernel's egid is 0 too.
      if (mode & 0o010) granted |= VEXEC;
      if (mode & 0o040) granted |= VREAD;
      if (mode & 0o020) granted |= VWRITE | VAPPEND;
    } else {
      if (mode & 0o001) granted |= VEXEC;
      if (mode & 0o004) granted |= VREAD;
      if (mode & 0o002) granted |= VWRITE | VAPPEND;
    }
    if ((accmode & granted) === accmode) return 0;
    return accmode & VADMIN ? errno.EPERM : errno.EACCES;
  }

  /** egid or one of the supplementary groups of a credential (a Kva) is gid. */
  private inGroup(cred: Kva, gid: number): boolean {
    const m = this.k.mem;
    const C = this.k.S.kauth_cred;
    if (m.load32(cred + C.cr_egid.offset, -1) >>> 0 === gid) return true;
    const n = Math.min(m.load32(cred + C.cr_ngroups.offset, -1) >>> 0, C.cr_groups.size / 4);
    for (let i = 0; i < n; i++)
      if (m.load32(cred + C.cr_groups.offset + 4 * i, -1) >>> 0 === gid) return true;
    return false;
  }

  private def(name: string, impl: (ap: bigint) => number, subsystem = 'genfs'): void {
    this.fn.set(name, this.vop.define(name, subsystem, impl));
  }

  register(): void {
    const k = this.k;
    const vop = this.vop;
    const m = k.mem;
    // The lock operations and parsepath run for every path component and vnode use: Kva args
    // blocks, fields at precomputed offsets.
    const defK = (name: string, impl: (ap: Kva) => number) =>
      this.fn.set(name, vop.defineK(name, 'genfs', impl));
    const lockVp = (ap: Kva) => loadKva(m, ap + this.oLockVp);
    const lockFlags = (ap: Kva) => m.load32(ap + this.oLockFlags, -1);
    // Each also has an args-free form the VOP wrappers call directly (defineLockOp).
    const defL = (
      name: string,
      impl: (ap: Kva) => number,
      fast: (vp: Kva, flags: number) => number,
    ) => this.fn.set(name, vop.defineLockOp(name, 'genfs', impl, fast));
    const lock = (vp: Kva, flags: number) => this.lockK(vp, flags);
    const unlock = (vp: Kva) => this.unlockK(vp);
    const islocked = (vp: Kva) => this.islockedK(vp);
    // Dead vnodes (deadfs): lock only with LK_RETRY, else ENOENT.
    const deadlock = (vp: Kva, flags: number) =>
      flags & V.LK_RETRY ? this.lockK(vp, flags) : errno.ENOENT;
    defL('genfs_lock', (ap) => lock(lockVp(ap), lockFlags(ap)), lock);
    defL('genfs_unlock', (ap) => unlock(loadKva(m, ap + this.oUnlockVp)), unlock);
    defL('genfs_islocked', (ap) => islocked(loadKva(m, ap + this.oIslockedVp)), islocked);
    defL('genfs_deadlock', (ap) => deadlock(lockVp(ap), lockFlags(ap)), deadlock);
    defL('genfs_deadunlock', (ap) => unlock(loadKva(m, ap + this.oUnlockVp)), unlock);
    defL('genfs_deadislocked', (ap) => islocked(loadKva(m, ap + this.oIslockedVp)), islocked);
    const ppName = k.S.vop_parsepath_args.a_name.offset;
    const ppRetval = k.S.vop_parsepath_args.a_retval.offset;
    // (dvp, name, retval): the component is everything up to '/' or the end.
    const parsepath = (_dvp: Kva, name: Kva, retval: Kva) => {
      let pos = 0;
      for (;;) {
        const c = m.load8(name + pos, -1);
        if (c === 0 || c === 0x2f) break;
        pos++;
      }
      storeU64(m, retval, pos);
      return 0;
    };
    this.fn.set(
      'genfs_parsepath',
      vop.defineFast(
        'genfs_parsepath',
        'genfs',
        (ap) => parsepath(0, loadKva(m, ap + ppName), loadKva(m, ap + ppRetval)),
        parsepath,
      ),
    );
    this.def('genfs_seek', (ap) =>
      BigInt.asIntN(64, this.a64(ap, 'vop_seek_args', 'a_newoff')) < 0n ? errno.EINVAL : 0,
    );
    this.def('genfs_abortop', () => 0);
    this.def('genfs_fcntl', (ap) =>
      this.a32(ap, 'vop_fcntl_args', 'a_command') === F_SETFL ? 0 : errno.EOPNOTSUPP,
    );
    this.def(
      'genfs_poll',
      (ap) =>
        this.a32(ap, 'vop_poll_args', 'a_events') & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM),
    );
    this.def('genfs_mmap', () => 0);
    this.def('genfs_nullop', () => 0);
    this.def('genfs_einval', () => errno.EINVAL);
    this.def('genfs_eopnotsupp', () => errno.EOPNOTSUPP);
    this.def('genfs_enoioctl', () => EPASSTHROUGH);
    this.def('genfs_kqfilter', () => errno.EOPNOTSUPP);
    this.def('genfs_badop', () => k.panic('genfs: bad op'));
    this.def('genfs_revoke', () => k.panic('genfs_revoke: revoking vnodes is not implemented yet'));
    // genfs_access: VOP_ACCESS is answered by the file system's VOP_ACCESSX.
    const AA = k.S.vop_access_args;
    defK('genfs_access', (ap) =>
      vop.accessxK(
        loadKva(m, ap + AA.a_vp.offset),
        m.load32(ap + AA.a_accmode.offset, -1),
        loadS64(m, ap + AA.a_cred.offset),
      ),
    );
    this.def('vn_default_error', () => errno.EOPNOTSUPP, 'vfs');
    // vn_bwrite: VOP_BWRITE of an ordinary vnode is bwrite(9) (the buffer cache's).
    this.def(
      'vn_bwrite',
      (ap) =>
        Number(
          BigInt.asIntN(
            32,
            k.callGuest(this.resolve('bwrite'), this.a64(ap, 'vop_bwrite_args', 'a_bp')),
          ),
        ),
      'vfs',
    );
    // (vp, cred, uid, gid, mode, acl, accmode): accmode is the seventh, on the stack.
    k.ksyms.function('genfs_can_access', 'genfs', (cpu) =>
      this.canAccessK(
        argS64(cpu, 1),
        argU32(cpu, 2),
        argU32(cpu, 3),
        argU32(cpu, 4),
        argStackLo(cpu, 6) >>> 0,
      ),
    );
    k.ksyms.function('genfs_renamelock_enter', 'genfs', (cpu) => {
      k.mutexes.enter(k.mem.read64(cpu.arg(0) + BigInt(k.S.mount.mnt_renamelock.offset)));
      return 0;
    });
    k.ksyms.function('genfs_renamelock_exit', 'genfs', (cpu) =>
      k.mutexes.exit(k.mem.read64(cpu.arg(0) + BigInt(k.S.mount.mnt_renamelock.offset))),
    );
  }

  private resolve(name: string): bigint {
    return this.k.ksyms.resolve(name) ?? this.k.panic(`kernel function ${name} does not exist`);
  }
}
