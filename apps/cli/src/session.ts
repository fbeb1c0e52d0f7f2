/**
 * FileSystemSession: one mounted file system of an image, as the file commands use it. It is the
 * CLI's view of what @rump/syscalls offers — each method is one rump_sys_* call on the mounted
 * tree, with NetBSD's results and errors — and its lifetime is the classic rump sequence:
 * boot a kernel, load the modules (modctl), register the image with etfs (with offset and size),
 * mount, operate, unmount, reboot.
 *
 * Paths are absolute paths inside the image's file system. Failures are SessionErrors with a
 * NetBSD errno name (ENOENT, ENOTDIR, EROFS ...), which the commands turn into one-line
 * messages: `rump: cat: disk.img:/etc/x: No such file or directory (ENOENT)`.
 *
 * `openSession` uses @rump/syscalls (rump-session.ts); were it missing, it would fail with "needs
 * @rump/syscalls: not available yet" after the work that does not need it (target, partition,
 * file-system type, modules, lock). Tests and embedders may install another implementation with
 * setSessionFactory.
 */
import type { NetBSDErrnoName } from '@rump/hypercall';
import * as syscalls from '@rump/syscalls';
import { OperationError } from './cli/errors.js';
import type { Partition } from './disk/partitions.js';
import type { Detection } from './fsdetect.js';
import type { FoundModule } from './modules.js';

/** File types (from st_mode's S_IFMT, or a dirent's d_type). */
export type FileType = 'reg' | 'dir' | 'lnk' | 'chr' | 'blk' | 'fifo' | 'sock' | 'wht' | 'unknown';

export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFBLK = 0o060000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFSOCK = 0o140000;
export const S_IFWHT = 0o160000;
export const ALLPERMS = 0o7777;

export function fileTypeOfMode(mode: number): FileType {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return 'reg';
    case S_IFDIR:
      return 'dir';
    case S_IFLNK:
      return 'lnk';
    case S_IFCHR:
      return 'chr';
    case S_IFBLK:
      return 'blk';
    case S_IFIFO:
      return 'fifo';
    case S_IFSOCK:
      return 'sock';
    case S_IFWHT:
      return 'wht';
    default:
      return 'unknown';
  }
}

/** DT_* values of struct dirent's d_type (<sys/dirent.h>). */
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

export interface Timespec {
  readonly sec: number;
  readonly nsec: number;
}

/** struct stat, decoded (NetBSD's field names without the st_ prefix). */
export interface FileStat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: bigint;
  readonly size: number;
  readonly blocks: number;
  readonly blksize: number;
  readonly flags: number;
  readonly gen: number;
  readonly atime: Timespec;
  readonly mtime: Timespec;
  readonly ctime: Timespec;
  readonly birthtime: Timespec;
}

/** One entry of getdents (struct dirent). */
export interface DirEntry {
  readonly name: string;
  readonly ino: bigint;
  readonly type: FileType;
}

/** struct statvfs, decoded. */
export interface StatVfs {
  readonly bsize: number;
  readonly frsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
  readonly favail: number;
  readonly flag: number;
  readonly namemax: number;
  readonly fstypename: string;
  readonly mntonname: string;
  readonly mntfromname: string;
}

/** open(2) flags (NetBSD <sys/fcntl.h> values). */
export const O = {
  RDONLY: 0x0,
  WRONLY: 0x1,
  RDWR: 0x2,
  APPEND: 0x8,
  CREAT: 0x200,
  TRUNC: 0x400,
  EXCL: 0x800,
  NOFOLLOW: 0x100,
  DIRECTORY: 0x200000,
} as const;

/** What to mount: decided by the CLI before any kernel exists. */
export interface MountPlan {
  /** Host path of the image file. */
  readonly image: string;
  /** Byte range of the file system inside the image (registered with etfs_register_withsize). */
  readonly offset: number;
  readonly size: number;
  readonly partition: Partition | undefined;
  /** NetBSD mount name (`ffs`). */
  readonly fs: string;
  /** How `fs` was chosen: --fs, or detection (with every probe's answer). */
  readonly fsSource: 'option' | 'detected';
  readonly detection: Detection | undefined;
  /** Module files to load, in order; their required modules come from `modulePath`. */
  readonly modules: readonly FoundModule[];
  readonly modulePath: readonly string[];
  readonly readOnly: boolean;
  /** Kernel console verbosity (-v, RUMP_VERBOSE). */
  readonly verbose: number;
}

export interface SessionOptions {
  /** Where the kernel console goes (shown with -v). */
  readonly console?: (text: string) => void;
  /** --trace: each system call, vnode operation and hypercall as one line (no newline). */
  readonly trace?: (line: string) => void;
}

/** A failed operation, with NetBSD's errno name. */
export class SessionError extends Error {
  override name = 'SessionError';
  constructor(
    readonly errno: NetBSDErrnoName,
    /** The path (inside the image) or operation it is about. */
    readonly path: string | undefined,
    message?: string,
  ) {
    super(message ?? errno);
  }
}

export interface FileSystemSession {
  readonly plan: MountPlan;

  open(path: string, flags: number, mode?: number): Promise<number>;
  /** Reads into `buf` at the file offset; 0 at end of file. */
  read(fd: number, buf: Uint8Array): Promise<number>;
  write(fd: number, buf: Uint8Array): Promise<number>;
  close(fd: number): Promise<void>;
  /** The next entries of an open directory; an empty array at the end. */
  getdents(fd: number): Promise<DirEntry[]>;

  stat(path: string): Promise<FileStat>;
  lstat(path: string): Promise<FileStat>;
  readlink(path: string): Promise<string>;
  statvfs(path: string): Promise<StatVfs>;

  mkdir(path: string, mode: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** lchown when `follow` is false. uid or gid -1 leaves that one unchanged. */
  chown(path: string, uid: number, gid: number, follow?: boolean): Promise<void>;
  /** lutimes when `follow` is false. */
  utimes(path: string, atime: Timespec, mtime: Timespec, follow?: boolean): Promise<void>;

  /** Syncs, unmounts and halts the kernel (rump_sys_unmount, rump_sys_reboot). Safe to call twice. */
  unmount(): Promise<void>;
}

export type SessionFactory = (
  plan: MountPlan,
  options: SessionOptions,
) => Promise<FileSystemSession>;

let installed: SessionFactory | undefined;

/** Installs the implementation openSession uses (tests; the @rump/syscalls adapter). */
export function setSessionFactory(factory: SessionFactory | undefined): void {
  installed = factory;
}

export const SYSCALLS_NOT_AVAILABLE = 'needs @rump/syscalls: not available yet';

/** Whether @rump/syscalls offers what the session needs (bootRump and RumpSys). */
export function syscallsAvailable(): boolean {
  const have = syscalls as Readonly<Record<string, unknown>>;
  return ['bootRump', 'RumpSys'].every((name) => name in have && typeof have[name] === 'function');
}

/** Boots a kernel and mounts `plan` (through @rump/syscalls unless a factory is installed). */
export async function openSession(
  plan: MountPlan,
  options: SessionOptions = {},
): Promise<FileSystemSession> {
  if (installed) return installed(plan, options);
  if (!syscallsAvailable())
    throw new OperationError(SYSCALLS_NOT_AVAILABLE, { subject: plan.image, errno: 'ENOSYS' });
  const { openRumpSession } = await import('./rump-session.js');
  return openRumpSession(plan, options);
}
