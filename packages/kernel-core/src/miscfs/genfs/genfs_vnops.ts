/**
 * miscfs/genfs/genfs_vnops.c: the generic vnode operations file systems put in their vectors
 * (locks on vnode_impl.vi_lock, parsepath, seek, the constant-result ops), genfs_can_access
 * (the owner/group/other permission check ufs_accessx hands to kauth), the rename lock, and
 * vn_default_error / vn_bwrite (kern/vfs_vnops.c) which vectors reference the same way.
 * Each is defined with VnodeIf.define, so VOP calls reach them without entering the CPU.
 */
import { locks, vnode as V } from '../../abi/netbsd-10.99/constants.js';
import { errno } from '../../abi/netbsd-10.99/errno.js';
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
const NOCRED = 0xffff_ffff_ffff_ffffn;
const FSCRED = 0xffff_ffff_ffff_fffen;

export class GenfsVnops {
  /** Addresses of the operations by NetBSD name, for building vectors. */
  readonly fn = new Map<string, bigint>();
  private readonly viLock: bigint;

  constructor(
    private readonly k: Kernel,
    private readonly vop: VnodeIf,
  ) {
    this.viLock = BigInt(k.S.vnode_impl.vi_lock.offset);
  }

  /** &VNODE_TO_VIMPL(vp)->vi_lock. */
  lockOf(vp: bigint): bigint {
    return vp + this.viLock;
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
    const rw = this.k.rwlocks;
    const l = this.lockOf(vp);
    if (flags & V.LK_DOWNGRADE) rw.downgrade(l);
    else if (flags & V.LK_UPGRADE) {
      if (!(flags & V.LK_NOWAIT))
        this.k.panic(
          'kernel diagnostic assertion "ISSET(flags, LK_NOWAIT)" failed: genfs_lock LK_UPGRADE',
        );
      if (!rw.tryUpgrade(l)) return errno.EBUSY;
    } else if (flags & (V.LK_EXCLUSIVE | V.LK_SHARED)) {
      const op = flags & V.LK_EXCLUSIVE ? locks.RW_WRITER : locks.RW_READER;
      if (flags & V.LK_NOWAIT) {
        if (!rw.tryEnter(l, op)) return errno.EBUSY;
      } else rw.enter(l, op);
    }
    return 0;
  }

  unlock(vp: bigint): number {
    this.k.rwlocks.exit(this.lockOf(vp));
    return 0;
  }

  /** LK_EXCLUSIVE when curlwp write-holds the vnode lock, LK_SHARED when read-held, else 0. */
  islocked(vp: bigint): number {
    const l = this.lockOf(vp);
    if (this.k.rwlocks.writeHeld(l)) return V.LK_EXCLUSIVE;
    if (this.k.rwlocks.readHeld(l)) return V.LK_SHARED;
    return V.LK_NONE;
  }

  /** kauth_cred_geteuid, with NOCRED/FSCRED standing for the kernel itself (uid 0). */
  private credIds(cred: bigint): { euid: number; egid: number; groups: number[] } {
    if (cred === NOCRED || cred === FSCRED || cred === 0n) return { euid: 0, egid: 0, groups: [] };
    const C = this.k.S.kauth_cred;
    const m = this.k.mem;
    const n = Math.min(m.read32(cred + BigInt(C.cr_ngroups.offset)), C.cr_groups.size / 4);
    const groups: number[] = [];
    for (let i = 0; i < n; i++) groups.push(m.read32(cred + BigInt(C.cr_groups.offset + 4 * i)));
    return {
      euid: m.read32(cred + BigInt(C.cr_euid.offset)),
      egid: m.read32(cred + BigInt(C.cr_egid.offset)),
      groups,
    };
  }

  /** genfs_can_access: the discretionary check (owner, then group, then other); EPERM for VADMIN. */
  canAccess(cred: bigint, uid: number, gid: number, mode: number, accmode: number): number {
    if (accmode & ~(VEXEC | VWRITE | VREAD | VADMIN | VAPPEND)) {
      this.k.panic(
        `kernel diagnostic assertion failed: genfs_can_access: accmode 0x${accmode.toString(16)} has unknown bits`,
      );
    }
    const ids = this.credIds(cred);
    let granted = 0;
    if (ids.euid === uid) {
      granted |= VADMIN;
      if (mode & 0o100) granted |= VEXEC;
      if (mode & 0o400) granted |= VREAD;
      if (mode & 0o200) granted |= VWRITE | VAPPEND;
    } else if (ids.egid === gid || ids.groups.includes(gid)) {
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

  private def(name: string, impl: (ap: bigint) => number, subsystem = 'genfs'): void {
    this.fn.set(name, this.vop.define(name, subsystem, impl));
  }

  register(): void {
    const k = this.k;
    const vop = this.vop;
    this.def('genfs_lock', (ap) =>
      this.lock(this.a64(ap, 'vop_lock_args', 'a_vp'), this.a32(ap, 'vop_lock_args', 'a_flags')),
    );
    this.def('genfs_unlock', (ap) => this.unlock(this.a64(ap, 'vop_unlock_args', 'a_vp')));
    this.def('genfs_islocked', (ap) => this.islocked(this.a64(ap, 'vop_islocked_args', 'a_vp')));
    // Dead vnodes (deadfs): lock only with LK_RETRY, else ENOENT.
    this.def('genfs_deadlock', (ap) => {
      const flags = this.a32(ap, 'vop_lock_args', 'a_flags');
      if (!(flags & V.LK_RETRY)) return errno.ENOENT;
      return this.lock(this.a64(ap, 'vop_lock_args', 'a_vp'), flags);
    });
    this.def('genfs_deadunlock', (ap) => this.unlock(this.a64(ap, 'vop_unlock_args', 'a_vp')));
    this.def('genfs_deadislocked', (ap) =>
      this.islocked(this.a64(ap, 'vop_islocked_args', 'a_vp')),
    );
    this.def('genfs_parsepath', (ap) => {
      const name = this.a64(ap, 'vop_parsepath_args', 'a_name');
      let pos = 0;
      for (;;) {
        const c = k.mem.read8(name + BigInt(pos));
        if (c === 0 || c === 0x2f) break;
        pos++;
      }
      k.mem.write64(this.a64(ap, 'vop_parsepath_args', 'a_retval'), BigInt(pos));
      return 0;
    });
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
    this.def('genfs_access', (ap) =>
      vop.accessx(
        this.a64(ap, 'vop_access_args', 'a_vp'),
        this.a32(ap, 'vop_access_args', 'a_accmode'),
        this.a64(ap, 'vop_access_args', 'a_cred'),
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
    k.ksyms.function('genfs_can_access', 'genfs', (cpu) => {
      // (vp, cred, uid, gid, mode, acl, accmode)
      const u32 = (v: bigint) => Number(v & 0xffffffffn);
      return this.canAccess(
        cpu.arg(1),
        u32(cpu.arg(2)),
        u32(cpu.arg(3)),
        u32(cpu.arg(4)),
        u32(cpu.arg(6)),
      );
    });
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
