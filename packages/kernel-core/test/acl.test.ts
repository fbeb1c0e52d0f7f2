import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel, errno, type Kernel, KernelPanic } from '../src/index.js';
import {
  ACL_GROUP,
  ACL_GROUP_OBJ,
  ACL_MASK,
  ACL_OTHER,
  ACL_USER,
  ACL_USER_OBJ,
} from '../src/kern/subr_acl_posix1e.js';

const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  k.callGuest(k.ksyms.resolve(name)!, ...args);

function makeAcl(k: Kernel, entries: [number, number, number][]): bigint {
  const A = k.S.acl;
  const E = k.S.acl_entry;
  const acl = call(k, 'acl_alloc', 1);
  k.mem.write32(acl + BigInt(A.acl_cnt.offset), entries.length);
  entries.forEach(([tag, id, perm], i) => {
    const e = acl + BigInt(A.acl_entry.offset + i * E.$size);
    k.mem.write32(e + BigInt(E.ae_tag.offset), tag);
    k.mem.write32(e + BigInt(E.ae_id.offset), id);
    k.mem.write32(e + BigInt(E.ae_perm.offset), perm);
  });
  return acl;
}

describe('POSIX.1e ACL helpers', () => {
  const U = 0xffffffff;
  it('converts between modes and ACLs; the mask stands for the group bits', () => {
    const k = createKernel({ host: new MemoryHost() });
    expect(call(k, 'acl_posix1e_mode_to_perm', ACL_USER_OBJ, 0o754)).toBe(7n);
    expect(call(k, 'acl_posix1e_mode_to_perm', ACL_GROUP_OBJ, 0o754)).toBe(5n);
    expect(call(k, 'acl_posix1e_mode_to_perm', ACL_OTHER, 0o754)).toBe(4n);
    const base = makeAcl(k, [
      [ACL_USER_OBJ, U, 6],
      [ACL_GROUP_OBJ, U, 4],
      [ACL_OTHER, U, 0],
    ]);
    expect(call(k, 'acl_posix1e_acl_to_mode', base)).toBe(0o640n);
    const masked = makeAcl(k, [
      [ACL_USER_OBJ, U, 7],
      [ACL_USER, 1000, 7],
      [ACL_GROUP_OBJ, U, 7],
      [ACL_MASK, U, 5],
      [ACL_OTHER, U, 1],
    ]);
    expect(call(k, 'acl_posix1e_acl_to_mode', masked)).toBe(0o751n);
    // newfilemode keeps non-permission bits and ANDs the permission bits with the ACL's.
    expect(call(k, 'acl_posix1e_newfilemode', 0o4777, masked)).toBe(0o4751n);
    expect(call(k, 'acl_posix1e_check', masked)).toBe(0n);
    call(k, 'acl_free', base);
  });

  it('checks ACLs as NetBSD does', () => {
    const k = createKernel({ host: new MemoryHost() });
    const noMask = makeAcl(k, [
      [ACL_USER_OBJ, U, 7],
      [ACL_GROUP, 20, 7],
      [ACL_GROUP_OBJ, U, 7],
      [ACL_OTHER, U, 0],
    ]);
    expect(Number(call(k, 'acl_posix1e_check', noMask))).toBe(errno.EINVAL);
    const badPerm = makeAcl(k, [
      [ACL_USER_OBJ, U, 8],
      [ACL_GROUP_OBJ, U, 7],
      [ACL_OTHER, U, 0],
    ]);
    expect(Number(call(k, 'acl_posix1e_check', badPerm))).toBe(errno.EINVAL);
    const missing = makeAcl(k, [[ACL_USER_OBJ, U, 7]]);
    expect(() => call(k, 'acl_posix1e_acl_to_mode', missing)).toThrow(KernelPanic);
  });

  it('copies to and from the old 32-entry format, refusing what does not fit', () => {
    const k = createKernel({ host: new MemoryHost() });
    const acl = makeAcl(k, [
      [ACL_USER_OBJ, U, 7],
      [ACL_GROUP_OBJ, U, 5],
      [ACL_OTHER, U, 1],
    ]);
    const old = k.kmem.alloc(k.S.oldacl.$size, 1, true);
    expect(call(k, 'acl_copy_acl_into_oldacl', acl, old)).toBe(0n);
    const back = call(k, 'acl_alloc', 1);
    expect(call(k, 'acl_copy_oldacl_into_acl', old, back)).toBe(0n);
    expect(call(k, 'acl_posix1e_acl_to_mode', back)).toBe(0o751n);
    expect(k.mem.read32(back + BigInt(k.S.acl.acl_maxcnt.offset))).toBe(254);
    k.mem.write32(acl + BigInt(k.S.acl.acl_cnt.offset), 40);
    expect(Number(call(k, 'acl_copy_acl_into_oldacl', acl, old))).toBe(errno.EINVAL);
  });
});
