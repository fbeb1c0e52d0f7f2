/** A point in time as NetBSD's struct timespec has it. */
export interface Timespec {
  readonly sec: bigint;
  readonly nsec: bigint;
}

/** struct stat, decoded (sys/stat.h). */
export interface Stat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: bigint;
  readonly atime: Timespec;
  readonly mtime: Timespec;
  readonly ctime: Timespec;
  readonly birthtime: Timespec;
  readonly size: bigint;
  readonly blocks: bigint;
  readonly blksize: number;
  readonly flags: number;
  readonly gen: number;
}

/** struct dirent, decoded (sys/dirent.h). */
export interface DirectoryEntry {
  readonly fileno: bigint;
  readonly name: string;
  /** DT_* */
  readonly type: number;
}

/** struct statvfs, decoded (sys/statvfs.h). */
export interface Statvfs {
  readonly flag: bigint;
  readonly bsize: bigint;
  readonly frsize: bigint;
  readonly iosize: bigint;
  readonly blocks: bigint;
  readonly bfree: bigint;
  readonly bavail: bigint;
  readonly files: bigint;
  readonly ffree: bigint;
  readonly fsid: bigint;
  readonly namemax: bigint;
  readonly fstypename: string;
  readonly mntonname: string;
  readonly mntfromname: string;
}

/** modctl(MODCTL_LOAD) argument, as modctl_load_t. */
export interface ModctlLoad {
  readonly ml_filename: string;
  readonly ml_flags?: number;
  readonly ml_props?: string;
}
