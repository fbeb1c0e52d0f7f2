/**
 * kern/vfs_subr.c helpers: vattr_null, the statvfs bookkeeping a file system calls while
 * mounting (set_statvfs_info, copy_statvfs_info), vfs_unixify_accmode, and short-lived guest
 * strings for paths the kernel hands to file systems.
 */
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { argKva } from '../kern/hostcall.js';
import { type Kva, kvaHi } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';

const VEXPLICIT_DENY = 0o100000;
const VDELETE_CHILD = 0o1000000;
const VREAD_ATTRIBUTES = 0o2000000;
const VWRITE_ATTRIBUTES = 0o4000000;
const VDELETE = 0o10000000;
const VREAD_ACL = 0o20000000;
const VWRITE_ACL = 0o40000000;
const VWRITE_OWNER = 0o100000000;
const VSYNCHRONIZE = 0o200000000;
const VADMIN = 0o10000;
const VADMIN_PERMS = VADMIN | VWRITE_ATTRIBUTES | VWRITE_ACL | VWRITE_OWNER;
const VSTAT_PERMS = VREAD_ATTRIBUTES | VREAD_ACL;

/** vfs_unixify_accmode: NFSv4-style access bits folded into the classic ones; [error, accmode]. */
export function unixifyAccmode(accmode: number): [number, number] {
  if (accmode & VEXPLICIT_DENY) return [0, 0];
  if (accmode & (VDELETE_CHILD | VDELETE)) return [errno.EPERM, accmode];
  let a = accmode;
  if (a & VADMIN_PERMS) a = (a & ~VADMIN_PERMS) | VADMIN;
  a &= ~(VSTAT_PERMS | VSYNCHRONIZE);
  return [0, a >>> 0];
}

/** NUL-terminated strings in kernel memory, freed by the caller (paths given to file systems). */
export class GuestStrings {
  private readonly sizes = new Map<bigint, number>();
  constructor(private readonly k: Kernel) {}

  dup(s: string): bigint {
    const bytes = new TextEncoder().encode(s);
    const p = this.k.kmem.alloc(bytes.length + 1, kmflags.KM_SLEEP, true, 'vfs string');
    this.k.mem.write(p, bytes);
    this.sizes.set(p, bytes.length + 1);
    return p;
  }

  free(p: bigint): void {
    const n = this.sizes.get(p);
    if (n === undefined) this.k.panic(`vfs string ${this.k.describeAddress(p)} was not allocated`);
    this.sizes.delete(p);
    this.k.kmem.free(p, n, 'vfs string');
  }
}

export class VfsSubr {
  /** A null vattr's bytes: copied in one piece by vattr_null. */
  private readonly vattrTemplate: Uint8Array;

  constructor(private readonly k: Kernel) {
    const A = k.S.vattr;
    const t = new Uint8Array(A.$size);
    const none = (f: { offset: number; size: number }, size = f.size) =>
      t.fill(0xff, f.offset, f.offset + size);
    for (const f of [
      A.va_mode,
      A.va_nlink,
      A.va_uid,
      A.va_gid,
      A.va_fsid,
      A.va_fileid,
      A.va_size,
      A.va_blocksize,
      A.va_gen,
      A.va_flags,
      A.va_rdev,
      A.va_bytes,
    ])
      none(f, f.size === 4 ? 4 : 8);
    for (const f of [A.va_atime, A.va_mtime, A.va_ctime, A.va_birthtime]) none(f, 16);
    this.vattrTemplate = t;
  }

  /** vattr_null(vap): every field VNOVAL (-1 of its width), va_type VNON, va_vaflags 0. */
  vattrNull(vap: bigint): void {
    this.k.mem.write(vap, this.vattrTemplate);
  }

  /** vattr_null of a vattr in kernel scratch memory (a Kva: the args stack, never code). */
  vattrNullK(vap: Kva): void {
    this.k.mem.windowU8().set(this.vattrTemplate, vap + 0x8000_0000);
  }

  /** copyinstr/copystr into a fixed field: [error, length without NUL]. */
  private copyField(src: bigint, dst: bigint, max: number): [number, number] {
    const m = this.k.mem;
    for (let i = 0; i < max; i++) {
      if (!m.isMapped(src + BigInt(i), 1)) return [errno.EFAULT, i];
      const b = m.read8(src + BigInt(i));
      m.write8(dst + BigInt(i), b);
      if (b === 0) return [0, i];
    }
    return [errno.ENAMETOOLONG, max];
  }

  /** set_statvfs_info(onp, ukon, fromp, ukfrom, vfsname, mp, l) (no chroot in a rump kernel's lwps). */
  setStatvfsInfo(onp: bigint, fromp: bigint, vfsname: bigint, mp: bigint): number {
    const m = this.k.mem;
    const st = mp + BigInt(this.k.S.mount.mnt_stat.offset);
    const V = this.k.S.statvfs;
    const tn = st + BigInt(V.f_fstypename.offset);
    const name = m.readCString(vfsname, 256);
    const bytes = new TextEncoder().encode(name).subarray(0, V.f_fstypename.size - 1);
    m.fill(tn, V.f_fstypename.size, 0);
    m.write(tn, bytes);
    for (const [p, f] of [
      [onp, V.f_mntonname],
      [fromp, V.f_mntfromname],
    ] as const) {
      if (p === 0n) continue;
      const dst = st + BigInt(f.offset);
      const [e, n] = this.copyField(p, dst, f.size - 1);
      if (e) return e;
      m.fill(dst + BigInt(n), f.size - n, 0);
    }
    return 0;
  }

  /** copy_statvfs_info(sbp, mp): the mount-describing fields of mp->mnt_stat into sbp. */
  copyStatvfsInfo(sbp: bigint, mp: bigint): void {
    const m = this.k.mem;
    const mbp = mp + BigInt(this.k.S.mount.mnt_stat.offset);
    if (sbp === mbp) return;
    const V = this.k.S.statvfs;
    for (const f of [
      V.f_fsidx,
      V.f_fsid,
      V.f_owner,
      V.f_flag,
      V.f_syncwrites,
      V.f_asyncwrites,
      V.f_syncreads,
      V.f_asyncreads,
      V.f_spare,
      V.f_fstypename,
      V.f_mntonname,
      V.f_mntfromname,
      V.f_mntfromlabel,
      V.f_namemax,
    ]) {
      m.write(sbp + BigInt(f.offset), m.read(mbp + BigInt(f.offset), f.size));
    }
  }

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    t.function('vattr_null', 'vfs', (cpu) => this.vattrNull(cpu.arg(0)));
    t.function('set_statvfs_info', 'vfs', (cpu) =>
      this.setStatvfsInfo(cpu.arg(0), cpu.arg(2), cpu.arg(4), cpu.arg(5)),
    );
    t.function('copy_statvfs_info', 'vfs', (cpu) => this.copyStatvfsInfo(cpu.arg(0), cpu.arg(1)));
    t.function('vfs_unixify_accmode', 'vfs', (cpu) => {
      const p = argKva(cpu, 0);
      if (Number.isNaN(p)) {
        const q = cpu.arg(0);
        const [e, a] = unixifyAccmode(m.read32(q));
        m.write32(q, a);
        return e;
      }
      // unixifyAccmode inline: no result array per call (every ufs access check calls this).
      const acc = m.load32(p, kvaHi(p)) >>> 0;
      if (acc & VEXPLICIT_DENY) {
        m.store32(p, kvaHi(p), 0);
        return 0;
      }
      if (acc & (VDELETE_CHILD | VDELETE)) return errno.EPERM;
      let a = acc;
      if (a & VADMIN_PERMS) a = (a & ~VADMIN_PERMS) | VADMIN;
      a &= ~(VSTAT_PERMS | VSYNCHRONIZE);
      m.store32(p, kvaHi(p), a | 0);
      return 0;
    });
    // NetBSD's own vfs_stdextattrctl: no extended-attribute control by default.
    t.function('vfs_stdextattrctl', 'vfs', () => errno.EOPNOTSUPP);
  }
}
