/**
 * Constants of the NetBSD 10.99 kernel ABI that module code has compiled in
 * (sys/module.h, sys/kmem.h, sys/pool.h, sys/vnode.h, sys/buf.h, sys/fstypes.h, sys/namei.h,
 * sys/fcntl.h, sys/sysctl.h, sys/evcnt.h, sys/kauth.h, x86 intrdefs.h).
 */

/** sys/module.h */
export const modclass = {
  MODULE_CLASS_ANY: 0,
  MODULE_CLASS_MISC: 1,
  MODULE_CLASS_VFS: 2,
  MODULE_CLASS_DRIVER: 3,
  MODULE_CLASS_EXEC: 4,
  MODULE_CLASS_SECMODEL: 5,
  MODULE_CLASS_BUFQ: 6,
} as const;
export const MODULE_CLASS_NAMES = ['any', 'misc', 'vfs', 'driver', 'exec', 'secmodel', 'bufq'];

export const modsrc = {
  MODULE_SOURCE_KERNEL: 0,
  MODULE_SOURCE_BOOT: 1,
  MODULE_SOURCE_FILESYS: 2,
} as const;

export const modcmd = {
  MODULE_CMD_INIT: 0,
  MODULE_CMD_FINI: 1,
  MODULE_CMD_STAT: 2,
  MODULE_CMD_AUTOUNLOAD: 3,
} as const;

export const modctl = {
  MODCTL_LOAD: 0,
  MODCTL_UNLOAD: 1,
  MODCTL_OSTAT: 2,
  MODCTL_EXISTS: 3,
  MODCTL_STAT: 4,
  /** modctl_load_t.ml_flags */
  MODCTL_LOAD_FORCE: 0x1,
  MODCTL_NO_PROP: 0x2,
  /** module_t.mod_flags */
  MODFLG_MUST_FORCE: 0x01,
  MODFLG_AUTO_LOADED: 0x02,
  MAXMODNAME: 32,
  MAXMODDEPS: 10,
} as const;

/** sys/kmem.h and sys/pool.h allocation flags. */
export const kmflags = {
  KM_SLEEP: 0x1,
  KM_NOSLEEP: 0x2,
  PR_WAITOK: 0x01,
  PR_NOWAIT: 0x02,
  PR_LIMITFAIL: 0x100,
  PR_NOTOUCH: 0x400,
  PR_NOALIGN: 0x800,
  PR_LARGECACHE: 0x1000,
  PR_ZERO: 0x8000,
  PR_PSERIALIZE: 0x20000,
} as const;

/** x86 interrupt priority levels (arch/x86/include/intrdefs.h). */
export const ipl = {
  IPL_NONE: 0,
  IPL_PREEMPT: 1,
  IPL_SOFTCLOCK: 2,
  IPL_SOFTBIO: 3,
  IPL_SOFTNET: 4,
  IPL_SOFTSERIAL: 5,
  IPL_VM: 6,
  IPL_SCHED: 7,
  IPL_HIGH: 8,
} as const;

/** sys/mutex.h kmutex_type_t and sys/rwlock.h krw_t */
export const locks = {
  MUTEX_SPIN: 0,
  MUTEX_ADAPTIVE: 1,
  MUTEX_DEFAULT: 2,
  MUTEX_DRIVER: 3,
  MUTEX_NODEBUG: 4,
  RW_READER: 0,
  RW_WRITER: 1,
} as const;

/** enum vtype (sys/vnode.h) */
export const vtype = {
  VNON: 0,
  VREG: 1,
  VDIR: 2,
  VBLK: 3,
  VCHR: 4,
  VLNK: 5,
  VSOCK: 6,
  VFIFO: 7,
  VBAD: 8,
} as const;
export const VTYPE_NAMES = [
  'VNON',
  'VREG',
  'VDIR',
  'VBLK',
  'VCHR',
  'VLNK',
  'VSOCK',
  'VFIFO',
  'VBAD',
];

/** enum vtagtype: the few a rump kernel's own file systems use. */
export const vtagtype = { VT_NON: 0, VT_UFS: 1, VT_TMPFS: 25, VT_RUMP: 32 } as const;

/** Vnode flags, lock flags and I/O flags (sys/vnode.h). */
export const vnode = {
  VV_ROOT: 0x1,
  VV_SYSTEM: 0x2,
  VV_ISTTY: 0x4,
  VV_MAPPED: 0x8,
  VV_MPSAFE: 0x10,
  VI_TEXT: 0x100,
  VI_EXECMAP: 0x200,
  VI_WRMAP: 0x400,
  VI_PAGES: 0x800,
  VI_ONWORKLST: 0x4000,
  VI_DEADCHECK: 0x8000,
  VU_DIROP: 0x01000000,
  LK_NONE: 0,
  LK_SHARED: 0x1,
  LK_EXCLUSIVE: 0x2,
  LK_UPGRADE: 0x10,
  LK_DOWNGRADE: 0x20,
  LK_NOWAIT: 0x100,
  LK_RETRY: 0x200,
  SKIPSYSTEM: 0x1,
  FORCECLOSE: 0x2,
  WRITECLOSE: 0x4,
  V_SAVE: 0x1,
  REVOKEALL: 0x1,
  FSYNC_WAIT: 0x1,
  FSYNC_DATAONLY: 0x2,
  FSYNC_RECLAIM: 0x4,
  FSYNC_LAZY: 0x8,
  FSYNC_NOLOG: 0x10,
  FSYNC_CACHE: 0x100,
  IO_UNIT: 0x10,
  IO_APPEND: 0x20,
  IO_SYNC: 0x40 | 0x200,
  IO_NODELOCKED: 0x80,
  IO_NDELAY: 0x100,
  IO_DSYNC: 0x200,
  IO_ALTSEMANTICS: 0x400,
  IO_NORMAL: 0x800,
  IO_EXT: 0x1000,
  IO_DIRECT: 0x2000,
  IO_JOURNALLOCKED: 0x4000,
  IO_ADV_MASK: 0x3,
} as const;

/** Buffer flags (sys/buf.h): b_flags B_*, b_cflags BC_*, b_oflags BO_*, bread/balloc flags. */
export const buf = {
  B_AGE: 0x1,
  B_ASYNC: 0x4,
  B_COWDONE: 0x400,
  B_GATHERED: 0x1000,
  B_LOCKED: 0x4000,
  B_PHYS: 0x40000,
  B_RAW: 0x80000,
  B_READ: 0x100000,
  B_WRITE: 0,
  B_DEVPRIVATE: 0x2000000,
  B_MEDIA_FUA: 0x8000000,
  B_MEDIA_DPO: 0x10000000,
  BC_AGE: 0x1,
  BC_BUSY: 0x10,
  BC_INVAL: 0x2000,
  BC_NOCACHE: 0x8000,
  BC_WANTED: 0x800000,
  BC_VFLUSH: 0x4000000,
  BO_DELWRI: 0x80,
  BO_DONE: 0x200,
  B_CLRBUF: 0x1,
  B_SYNC: 0x2,
  B_METAONLY: 0x4,
  B_CONTIG: 0x8,
  B_MODIFY: 0x1,
  DEV_BSHIFT: 9,
  DEV_BSIZE: 512,
} as const;

/** Mount flags (sys/fstypes.h, sys/mount.h). */
export const mnt = {
  MNT_RDONLY: 0x1,
  MNT_SYNCHRONOUS: 0x2,
  MNT_NOEXEC: 0x4,
  MNT_NOSUID: 0x8,
  MNT_NODEV: 0x10,
  MNT_UNION: 0x20,
  MNT_ASYNC: 0x40,
  MNT_NOCOREDUMP: 0x8000,
  MNT_RELATIME: 0x20000,
  MNT_IGNORE: 0x100000,
  MNT_DISCARD: 0x800000,
  MNT_EXTATTR: 0x1000000,
  MNT_LOG: 0x2000000,
  MNT_NOATIME: 0x4000000,
  MNT_SYMPERM: 0x20000000,
  MNT_NODEVMTIME: 0x40000000,
  MNT_SOFTDEP: 0x80000000,
  MNT_LOCAL: 0x1000,
  MNT_QUOTA: 0x2000,
  MNT_ROOTFS: 0x4000,
  MNT_UPDATE: 0x10000,
  MNT_RELOAD: 0x40000,
  MNT_FORCE: 0x80000,
  MNT_GETARGS: 0x400000,
  IMNT_GONE: 0x1,
  IMNT_UNMOUNT: 0x2,
  IMNT_WANTRDWR: 0x4,
  IMNT_WANTRDONLY: 0x8,
  IMNT_NCLOOKUP: 0x20,
  IMNT_DTYPE: 0x40,
  IMNT_SHRLOOKUP: 0x80,
  IMNT_MPSAFE: 0x100,
  IMNT_CAN_RWTORO: 0x200,
  IMNT_ONWORKLIST: 0x400,
  MFSNAMELEN: 32,
  MNAMELEN: 1024,
} as const;

/** namei operations and flags (sys/namei.h) */
export const namei = {
  LOOKUP: 0,
  CREATE: 1,
  DELETE: 2,
  RENAME: 3,
  OPMASK: 3,
  LOCKLEAF: 0x4,
  LOCKPARENT: 0x8,
  TRYEMULROOT: 0x10,
  NOCACHE: 0x20,
  FOLLOW: 0x40,
  NOFOLLOW: 0,
  EMULROOTSET: 0x80,
  LOCKSHARED: 0x100,
  NOCROSSMOUNT: 0x800,
  RDONLY: 0x1000,
  ISDOTDOT: 0x2000,
  MAKEENTRY: 0x4000,
  ISLASTCN: 0x8000,
  ISWHITEOUT: 0x20000,
  DOWHITEOUT: 0x40000,
  REQUIREDIR: 0x80000,
  CREATEDIR: 0x200000,
  PARAMASK: 0x2ff800,
  MAXPATHLEN: 1024,
  MAXNAMLEN: 511,
} as const;

/** sys/fcntl.h open flags and the kernel's FREAD/FWRITE. */
export const fcntl = {
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_ACCMODE: 3,
  FREAD: 1,
  FWRITE: 2,
  O_NONBLOCK: 0x4,
  O_APPEND: 0x8,
  O_SYNC: 0x80,
  O_NOFOLLOW: 0x100,
  O_CREAT: 0x200,
  O_TRUNC: 0x400,
  O_EXCL: 0x800,
  O_DSYNC: 0x10000,
  O_RSYNC: 0x20000,
  O_DIRECT: 0x80000,
  O_DIRECTORY: 0x200000,
  O_CLOEXEC: 0x400000,
} as const;

/** enum uio_rw, enum uio_seg (sys/uio.h) */
export const uio = { UIO_READ: 0, UIO_WRITE: 1, UIO_USERSPACE: 0, UIO_SYSSPACE: 1 } as const;

/** sys/sysctl.h */
export const sysctl = {
  CTL_MAXNAME: 12,
  SYSCTL_NAMELEN: 32,
  CTLTYPE_NODE: 1,
  CTLTYPE_INT: 2,
  CTLTYPE_STRING: 3,
  CTLTYPE_QUAD: 4,
  CTLTYPE_STRUCT: 5,
  CTLTYPE_BOOL: 6,
  CTLFLAG_READONLY: 0,
  CTLFLAG_READWRITE: 0x70,
  CTLFLAG_ANYWRITE: 0x80,
  CTLFLAG_PRIVATE: 0x100,
  CTLFLAG_PERMANENT: 0x200,
  CTLFLAG_OWNDATA: 0x400,
  CTLFLAG_IMMEDIATE: 0x800,
  CTLFLAG_HEX: 0x1000,
  CTLFLAG_ROOT: 0x2000,
  CTLFLAG_ANYNUMBER: 0x4000,
  CTLFLAG_HIDDEN: 0x8000,
  CTLFLAG_ALIAS: 0x10000,
  CTLFLAG_MMAP: 0x20000,
  CTLFLAG_OWNDESC: 0x40000,
  CTLFLAG_UNSIGNED: 0x80000,
  SYSCTL_VERS_MASK: 0xff000000,
  SYSCTL_VERSION: 0x01000000,
  SYSCTL_TYPEMASK: 0xf,
  SYSCTL_FLAGMASK: 0x00fffff0,
  CTL_EOL: -1,
  CTL_QUERY: -2,
  CTL_CREATE: -3,
  CTL_CREATESYM: -4,
  CTL_DESTROY: -5,
  CTL_DESCRIBE: -7,
  CTL_UNSPEC: 0,
  CTL_KERN: 1,
  CTL_VM: 2,
  CTL_VFS: 3,
  CTL_HW: 6,
} as const;

/** sys/evcnt.h */
export const evcnt = {
  EVCNT_TYPE_ANY: -1,
  EVCNT_TYPE_MISC: 0,
  EVCNT_TYPE_INTR: 1,
  EVCNT_TYPE_TRAP: 2,
} as const;

/** sys/kauth.h */
export const kauth = {
  KAUTH_RESULT_ALLOW: 0,
  KAUTH_RESULT_DENY: 1,
  KAUTH_RESULT_DEFER: 2,
  KAUTH_SCOPE_GENERIC: 'org.netbsd.kauth.generic',
  KAUTH_SCOPE_SYSTEM: 'org.netbsd.kauth.system',
  KAUTH_SCOPE_PROCESS: 'org.netbsd.kauth.process',
  KAUTH_SCOPE_NETWORK: 'org.netbsd.kauth.network',
  KAUTH_SCOPE_MACHDEP: 'org.netbsd.kauth.machdep',
  KAUTH_SCOPE_DEVICE: 'org.netbsd.kauth.device',
  KAUTH_SCOPE_CRED: 'org.netbsd.kauth.cred',
  KAUTH_SCOPE_VNODE: 'org.netbsd.kauth.vnode',
} as const;

/** Machine parameters (amd64 param.h). */
export const param = {
  PAGE_SIZE: 4096,
  PAGE_SHIFT: 12,
  HZ: 100,
  MAXCPUS: 256,
  ALIGNBYTES: 7,
} as const;
