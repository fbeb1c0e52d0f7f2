/**
 * The credential check for extended attributes (kern/vfs_xattr.c extattr_check_cred, with
 * genfs_can_extattr's rule as the file system's decision): the kernel itself (NOCRED) may do
 * anything; the "system" namespace needs KAUTH_SYSTEM_FS_EXTATTR; the "user" namespace needs
 * VOP_ACCESS with the requested mode; other namespaces are refused. kauth then has the last word
 * (root is allowed), as for every vnode request.
 */
import { kauth } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';
import { NOCRED } from './kern_auth.js';

const EXTATTR_NAMESPACE_USER = 1;
const EXTATTR_NAMESPACE_SYSTEM = 2;
/** KAUTH_SYSTEM_FS_EXTATTR in sys/kauth.h's system-scope action enum. */
const KAUTH_SYSTEM_FS_EXTATTR = 25n;
const VWRITE = 0o200;
const VREAD = 0o400;
const KAUTH_VNODE_READ_EXTATTRIBUTES = 1n << 17n;
const KAUTH_VNODE_WRITE_EXTATTRIBUTES = 1n << 18n;

export function registerXattr(k: Kernel): void {
  // extattr_check_cred(vp, attrnamespace, cred, accmode)
  k.ksyms.function('extattr_check_cred', 'vfs', (cpu) => {
    const [vp, space, cred, accmode] = [
      cpu.arg(0),
      Number(cpu.arg(1) & 0xffffffffn),
      cpu.arg(2),
      Number(cpu.arg(3) & 0xffffffffn),
    ];
    if (cred === NOCRED) return 0;
    let fsDecision: number;
    if (space === EXTATTR_NAMESPACE_SYSTEM) {
      const mp = k.mem.read64(vp + BigInt(k.S.vnode.v_mount.offset));
      fsDecision = k.kauth.authorize(kauth.KAUTH_SCOPE_SYSTEM, cred, KAUTH_SYSTEM_FS_EXTATTR, [
        0n,
        mp,
        0n,
        0n,
      ]);
    } else if (space === EXTATTR_NAMESPACE_USER) {
      fsDecision = k.vfs.vop.access(vp, accmode, cred);
    } else {
      fsDecision = errno.EPERM;
    }
    let action = 0n;
    if (accmode & VREAD) action |= KAUTH_VNODE_READ_EXTATTRIBUTES;
    if (accmode & VWRITE) action |= KAUTH_VNODE_WRITE_EXTATTRIBUTES;
    return k.kauth.authorizeVnode(cred, action, vp, 0n, fsDecision);
  });
}
