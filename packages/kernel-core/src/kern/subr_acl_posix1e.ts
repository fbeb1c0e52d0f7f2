/**
 * POSIX.1e ACL support the file systems call (kern/subr_acl_posix1e.c) and the ACL object
 * helpers of kern/vfs_acl.c: allocate, free, and convert between struct acl and the old
 * 32-entry struct oldacl. Pure functions over struct acl in guest memory, with NetBSD's rules:
 * a valid POSIX.1e ACL has exactly one USER_OBJ, GROUP_OBJ and OTHER entry, a MASK when it has
 * named USER or GROUP entries, and only read/write/execute permissions.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';

export const ACL_MAX_ENTRIES = 254;
export const OLDACL_MAX_ENTRIES = 32;
export const ACL_USER_OBJ = 0x1;
export const ACL_USER = 0x2;
export const ACL_GROUP_OBJ = 0x4;
export const ACL_GROUP = 0x8;
export const ACL_MASK = 0x10;
export const ACL_OTHER = 0x20;
export const ACL_EXECUTE = 0x1;
export const ACL_WRITE = 0x2;
export const ACL_READ = 0x4;
const ACL_PERM_BITS = ACL_EXECUTE | ACL_WRITE | ACL_READ;
const ACL_UNDEFINED_ID = 0xffffffff;
/** S_IRWXU | S_IRWXG | S_IRWXO */
const ACL_OVERRIDE_MASK = 0o777;

/** acl_posix1e_mode_to_perm: the rwx bits of `mode` for one of the three base entries. */
export function modeToPerm(tag: number, mode: number): number {
  const shift = tag === ACL_USER_OBJ ? 6 : tag === ACL_GROUP_OBJ ? 3 : tag === ACL_OTHER ? 0 : -1;
  if (shift < 0) return -1;
  const bits = (mode >> shift) & 7; // r=4 w=2 x=1, the same values as ACL_READ/WRITE/EXECUTE
  return bits;
}

export function registerAclPosix1e(k: Kernel): void {
  const t = k.ksyms;
  const m = k.mem;
  const A = k.S.acl;
  const E = k.S.acl_entry;
  const O = k.S.oldacl;
  const OE = k.S.oldacl_entry;
  const entry = (acl: bigint, i: number) => acl + BigInt(A.acl_entry.offset + i * E.$size);
  const tag = (e: bigint) => m.read32(e + BigInt(E.ae_tag.offset));
  const perm = (e: bigint) => m.read32(e + BigInt(E.ae_perm.offset));
  const count = (acl: bigint) => m.read32(acl + BigInt(A.acl_cnt.offset));

  t.function('acl_posix1e_mode_to_perm', 'acl', (cpu) => {
    const tg = Number(cpu.arg(0) & 0xffffffffn);
    const p = modeToPerm(tg, Number(cpu.arg(1) & 0xffffn));
    if (p < 0) {
      k.console.print(`acl_posix1e_mode_to_perm: invalid tag (${tg})\n`);
      return 0;
    }
    return p;
  });

  const aclToMode = (acl: bigint): number => {
    let user: bigint | undefined;
    let group: bigint | undefined;
    let other: bigint | undefined;
    let mask: bigint | undefined;
    for (let i = 0; i < count(acl); i++) {
      const e = entry(acl, i);
      switch (tag(e)) {
        case ACL_USER_OBJ:
          user = e;
          break;
        case ACL_GROUP_OBJ:
          group = e;
          break;
        case ACL_OTHER:
          other = e;
          break;
        case ACL_MASK:
          mask = e;
          break;
        case ACL_USER:
        case ACL_GROUP:
          break;
        default:
          k.panic('acl_posix1e_acl_to_mode: bad ae_tag');
      }
    }
    if (!user || !group || !other) k.panic('acl_posix1e_acl_to_mode: missing base ae_tags');
    // With a MASK entry, the mode's group bits are the mask's permissions.
    return ((perm(user) & 7) << 6) | ((perm(mask ?? group) & 7) << 3) | (perm(other) & 7);
  };
  t.function('acl_posix1e_acl_to_mode', 'acl', (cpu) => aclToMode(cpu.arg(0)));

  t.function('acl_posix1e_check', 'acl', (cpu) => {
    const acl = cpu.arg(0);
    const n = count(acl);
    if (n > ACL_MAX_ENTRIES) return errno.EINVAL;
    const seen = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const e = entry(acl, i);
      const tg = tag(e);
      const idAddr = e + BigInt(E.ae_id.offset);
      switch (tg) {
        case ACL_USER_OBJ:
        case ACL_GROUP_OBJ:
        case ACL_OTHER:
        case ACL_MASK:
          // NetBSD normalizes the qualifier of the unnamed entries.
          m.write32(idAddr, ACL_UNDEFINED_ID);
          break;
        case ACL_USER:
        case ACL_GROUP:
          if (m.read32(idAddr) === ACL_UNDEFINED_ID) return errno.EINVAL;
          break;
        default:
          return errno.EINVAL;
      }
      if ((perm(e) | ACL_PERM_BITS) !== ACL_PERM_BITS) return errno.EINVAL;
      seen.set(tg, (seen.get(tg) ?? 0) + 1);
    }
    const c = (tg: number) => seen.get(tg) ?? 0;
    if (c(ACL_USER_OBJ) !== 1 || c(ACL_GROUP_OBJ) !== 1 || c(ACL_OTHER) !== 1 || c(ACL_MASK) > 1)
      return errno.EINVAL;
    if ((c(ACL_GROUP) !== 0 || c(ACL_USER) !== 0) && c(ACL_MASK) !== 1) return errno.EINVAL;
    return 0;
  });

  // A bit must be in both the creation mode and the default ACL to survive.
  t.function('acl_posix1e_newfilemode', 'acl', (cpu) => {
    const cmode = Number(cpu.arg(0) & 0xffffn);
    return (
      (cmode & ~ACL_OVERRIDE_MASK & 0xffff) | (ACL_OVERRIDE_MASK & cmode & aclToMode(cpu.arg(1)))
    );
  });

  t.function('acl_alloc', 'acl', (cpu) => {
    const acl = k.kmem.alloc(A.$size, Number(cpu.arg(0) & 0xffffffffn), true, 'acl_alloc');
    if (acl !== 0n) m.write32(acl + BigInt(A.acl_maxcnt.offset), ACL_MAX_ENTRIES);
    return acl;
  });
  t.function('acl_free', 'acl', (cpu) => k.kmem.free(cpu.arg(0), A.$size, 'acl_free'));

  t.function('acl_copy_oldacl_into_acl', 'acl', (cpu) => {
    const [src, dst] = [cpu.arg(0), cpu.arg(1)];
    const n = m.read32(src + BigInt(O.acl_cnt.offset)) | 0;
    if (n < 0 || n > OLDACL_MAX_ENTRIES) return errno.EINVAL;
    m.fill(dst, A.$size, 0);
    m.write32(dst + BigInt(A.acl_cnt.offset), n);
    m.write32(dst + BigInt(A.acl_maxcnt.offset), ACL_MAX_ENTRIES);
    for (let i = 0; i < n; i++) {
      const s = src + BigInt(O.acl_entry.offset + i * OE.$size);
      const d = entry(dst, i);
      m.write32(d + BigInt(E.ae_tag.offset), m.read32(s + BigInt(OE.ae_tag.offset)));
      m.write32(d + BigInt(E.ae_id.offset), m.read32(s + BigInt(OE.ae_id.offset)));
      m.write32(d + BigInt(E.ae_perm.offset), m.read32(s + BigInt(OE.ae_perm.offset)));
    }
    return 0;
  });
  t.function('acl_copy_acl_into_oldacl', 'acl', (cpu) => {
    const [src, dst] = [cpu.arg(0), cpu.arg(1)];
    const n = count(src);
    if (n > OLDACL_MAX_ENTRIES) return errno.EINVAL;
    m.fill(dst, O.$size, 0);
    m.write32(dst + BigInt(O.acl_cnt.offset), n);
    for (let i = 0; i < n; i++) {
      const s = entry(src, i);
      const d = dst + BigInt(O.acl_entry.offset + i * OE.$size);
      m.write32(d + BigInt(OE.ae_tag.offset), tag(s));
      m.write32(d + BigInt(OE.ae_id.offset), m.read32(s + BigInt(E.ae_id.offset)));
      m.write32(d + BigInt(OE.ae_perm.offset), perm(s));
    }
    return 0;
  });
}
