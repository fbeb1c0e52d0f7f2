/**
 * The vnode operations in vnode-operation-vector order (vdesc_offset, sys/vnode_if.h of 10.99.12):
 * module code indexes vectors with these compile-time constants, so a kernel's vectors must use
 * exactly these indices. Index 0 is vop_default_desc.
 */
export const VOP_NAMES = [
  'default',
  'bwrite',
  'parsepath',
  'lookup',
  'create',
  'mknod',
  'open',
  'close',
  'access',
  'accessx',
  'getattr',
  'setattr',
  'read',
  'write',
  'fallocate',
  'fdiscard',
  'ioctl',
  'fcntl',
  'poll',
  'kqfilter',
  'revoke',
  'mmap',
  'fsync',
  'seek',
  'remove',
  'link',
  'rename',
  'mkdir',
  'rmdir',
  'symlink',
  'readdir',
  'readlink',
  'abortop',
  'inactive',
  'reclaim',
  'lock',
  'unlock',
  'bmap',
  'strategy',
  'print',
  'islocked',
  'pathconf',
  'advlock',
  'whiteout',
  'getpages',
  'putpages',
  'getacl',
  'setacl',
  'aclcheck',
  'closeextattr',
  'getextattr',
  'listextattr',
  'openextattr',
  'deleteextattr',
  'setextattr',
] as const;

export type VopName = (typeof VOP_NAMES)[number];

/** vdesc_offset of each operation: VOP_DESCOFFSET.read === 12. */
export const VOP_DESCOFFSET: Readonly<Record<VopName, number>> = Object.fromEntries(
  VOP_NAMES.map((n, i) => [n, i]),
) as Record<VopName, number>;

/** Number of slots in a vnode-operation vector. */
export const VNODE_OPS_COUNT = VOP_NAMES.length;
