/**
 * More of miscfs/genfs for file systems beyond ffs: genfs_accessx (VOP_ACCESSX answered by the
 * file system's VOP_ACCESS after vfs_unixify_accmode), genfs_pathconf (PATH_MAX and "no ACLs"),
 * genfs_erofs_link (link/symlink on a read-only file system: abort the lookup, EROFS) and
 * genfs_rename_cache_purge (the name-cache purge after a rename).
 */
import { errno } from '../../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../../kernel.js';
import { VADMIN } from './genfs_vnops.js';

/** accmode_t bits (sys/vnode.h) beyond the classic ones. */
export const VEXPLICIT_DENY = 0o100000;
export const VDELETE_CHILD = 0o1000000;
export const VREAD_ATTRIBUTES = 0o2000000;
export const VWRITE_ATTRIBUTES = 0o4000000;
export const VDELETE = 0o10000000;
export const VREAD_ACL = 0o20000000;
export const VWRITE_ACL = 0o40000000;
export const VWRITE_OWNER = 0o100000000;
export const VSYNCHRONIZE = 0o200000000;
const VADMIN_PERMS = VADMIN | VWRITE_ATTRIBUTES | VWRITE_ACL | VWRITE_OWNER;
const VSTAT_PERMS = VREAD_ATTRIBUTES | VREAD_ACL;

const _PC_PATH_MAX = 5;
const _PC_ACL_EXTENDED = 14;
const _PC_ACL_NFS4 = 17;
const PATH_MAX = 1024;
const PURGE_PARENTS = 1;
const PURGE_CHILDREN = 2;
const VDIR = 2;

/** vfs_unixify_accmode: NFSv4-style bits folded into the classic ones, or EPERM. */
export function unixifyAccmode(accmode: number): { error: number; accmode: number } {
  if (accmode & VEXPLICIT_DENY) return { error: 0, accmode: 0 };
  if (accmode & (VDELETE_CHILD | VDELETE)) return { error: errno.EPERM, accmode };
  let a = accmode;
  if (a & VADMIN_PERMS) a = (a & ~VADMIN_PERMS) | VADMIN;
  a &= ~(VSTAT_PERMS | VSYNCHRONIZE);
  return { error: 0, accmode: a };
}

export function registerGenfsExtra(k: Kernel): void {
  const vop = k.vfs.vop;
  const m = k.mem;
  const S = k.S;
  vop.define('genfs_accessx', 'genfs', (ap) => {
    const A = S.vop_accessx_args;
    const r = unixifyAccmode(m.read32(ap + BigInt(A.a_accmode.offset)));
    if (r.error) return r.error;
    if (r.accmode === 0) return 0;
    return vop.access(
      m.read64(ap + BigInt(A.a_vp.offset)),
      r.accmode,
      m.read64(ap + BigInt(A.a_cred.offset)),
    );
  });
  vop.define('genfs_pathconf', 'genfs', (ap) => {
    const A = S.vop_pathconf_args;
    const name = m.read32(ap + BigInt(A.a_name.offset)) | 0;
    const retval = m.read64(ap + BigInt(A.a_retval.offset));
    if (name === _PC_PATH_MAX) m.write64(retval, BigInt(PATH_MAX));
    else if (name === _PC_ACL_EXTENDED || name === _PC_ACL_NFS4) m.write64(retval, 0n);
    else return errno.EINVAL;
    return 0;
  });
  // Also in symlink vectors: vop_link_v2_args and vop_symlink_v3_args both have a_dvp at 8
  // and a_cnp at 24.
  vop.define('genfs_erofs_link', 'genfs', (ap) => {
    const A = S.vop_link_v2_args;
    vop.abortop(m.read64(ap + BigInt(A.a_dvp.offset)), m.read64(ap + BigInt(A.a_cnp.offset)));
    return errno.EROFS;
  });
  k.ksyms.function('genfs_rename_cache_purge', 'genfs', (cpu) => {
    const [fdvp, fvp, tdvp, tvp] = [cpu.arg(0), cpu.arg(1), cpu.arg(2), cpu.arg(3)];
    const type = (vp: bigint) => m.read32(vp + BigInt(S.vnode.v_type.offset));
    if (fdvp === 0n || fvp === 0n || tdvp === 0n || fdvp === fvp || fdvp === tvp)
      k.panic('kernel diagnostic assertion failed: genfs_rename_cache_purge: bad vnodes');
    if (tdvp === fvp || tdvp === tvp || fvp === tvp || type(fdvp) !== VDIR || type(tdvp) !== VDIR)
      k.panic('kernel diagnostic assertion failed: genfs_rename_cache_purge: bad vnodes');
    const purge1 = k.ksyms.resolve('cache_purge1')!;
    const purge = (vp: bigint) => k.callGuest(purge1, vp, 0n, 0n, PURGE_PARENTS | PURGE_CHILDREN);
    purge(fdvp);
    if (type(fvp) === VDIR) purge(fvp);
    if (tdvp !== fdvp) purge(tdvp);
    if (tvp !== 0n && type(tvp) === VDIR) purge(tvp);
  });
}
