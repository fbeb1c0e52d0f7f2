/** NetBSD's flag values for the system calls this package offers (sys/fcntl.h, sys/unistd.h, sys/mount.h, sys/reboot.h). */
export const O = {
  RDONLY: 0x0,
  WRONLY: 0x1,
  RDWR: 0x2,
  ACCMODE: 0x3,
  NONBLOCK: 0x4,
  APPEND: 0x8,
  SYNC: 0x80,
  NOFOLLOW: 0x100,
  CREAT: 0x200,
  TRUNC: 0x400,
  EXCL: 0x800,
  DSYNC: 0x10000,
  RSYNC: 0x20000,
  DIRECTORY: 0x200000,
  CLOEXEC: 0x400000,
} as const;

export const SEEK = { SET: 0, CUR: 1, END: 2 } as const;

/** access(2) modes */
export const ACCESS = { F_OK: 0, X_OK: 1, W_OK: 2, R_OK: 4 } as const;

/** mount(2) / unmount(2) flags */
export const MNT = {
  RDONLY: 0x1,
  SYNCHRONOUS: 0x2,
  NOEXEC: 0x4,
  NOSUID: 0x8,
  NODEV: 0x10,
  ASYNC: 0x40,
  LOG: 0x2000000,
  NOATIME: 0x4000000,
  UPDATE: 0x10000,
  RELOAD: 0x40000,
  FORCE: 0x80000,
} as const;

/** statvfs1(2) flags */
export const ST = { WAIT: 1, NOWAIT: 2 } as const;

/** reboot(2) howto bits */
export const RB = {
  AUTOBOOT: 0,
  ASKNAME: 0x1,
  SINGLE: 0x2,
  NOSYNC: 0x4,
  HALT: 0x8,
  POWERDOWN: 0x808,
} as const;

/** modctl(2) commands */
export const MODCTL = { LOAD: 0, UNLOAD: 1, STAT: 2, EXISTS: 3 } as const;

/** File types in st_mode (sys/stat.h) */
export const S = {
  IFMT: 0o170000,
  IFIFO: 0o010000,
  IFCHR: 0o020000,
  IFDIR: 0o040000,
  IFBLK: 0o060000,
  IFREG: 0o100000,
  IFLNK: 0o120000,
  IFSOCK: 0o140000,
  IFWHT: 0o160000,
} as const;

/** d_type values (sys/dirent.h) */
export const DT = {
  UNKNOWN: 0,
  FIFO: 1,
  CHR: 2,
  DIR: 4,
  BLK: 6,
  REG: 8,
  LNK: 10,
  SOCK: 12,
  WHT: 14,
} as const;
