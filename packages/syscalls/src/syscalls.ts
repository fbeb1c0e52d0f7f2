/**
 * The rump_sys_* system calls over one kernel instance: a process's file-descriptor table on top
 * of the kernel's vnode-level file API, NetBSD's flags and errno values, and struct results
 * decoded into typed objects. A failed call throws SyscallError (what C sees as -1 and errno);
 * a kernel panic or guest fault during a call is not an errno and passes through as the kernel's
 * own typed error. After reboot(2) every call throws KernelHaltedError.
 */
import {
  ErrnoError,
  errno,
  type Kernel,
  type ModuleStat,
  parseDirents,
  type VnodeFile,
} from '@rump/kernel-core';
import { KernelHaltedError, SyscallError } from './errors.js';
import { MODCTL, O, RB } from './flags.js';
import { MountArgs } from './mountArgs.js';
import type { DirectoryEntry, ModctlLoad, Stat, Statvfs } from './types.js';

/** Arguments of a ufs-family mount (ffs, and file systems taking `struct ufs_args`). */
export interface UfsArgs {
  /** Path of the block device inside the rump kernel, e.g. an etfs key. */
  readonly fspec: string;
}

/**
 * Mount data: a file system's args struct as raw bytes, ufs_args by its fields, or a struct with
 * pointer fields (`mountArgs.msdos({ fspec })` ...).
 */
export type MountData = UfsArgs | Uint8Array | MountArgs;

const { EBADF, EINVAL, EMFILE } = errno;

/** OPEN_MAX of a rump process's descriptor table. */
export const OPEN_MAX = 128;

export class RumpSys {
  private readonly files = new Map<number, VnodeFile>();

  constructor(readonly kernel: Kernel) {}

  /** Runs a system call: refuses after reboot, turns kernel errnos into SyscallError. */
  private call<T>(name: string, fn: () => T): T {
    if (this.kernel.halted !== undefined) throw new KernelHaltedError(name);
    try {
      return fn();
    } catch (e) {
      if (e instanceof ErrnoError) throw new SyscallError(name, e.errno, e.detail, { cause: e });
      throw e;
    }
  }

  private file(name: string, fd: number): VnodeFile {
    const f = this.files.get(fd);
    if (!f) throw new SyscallError(name, EBADF, `fd ${fd} is not open`);
    return f;
  }

  // ---------------------------------------------------------------- descriptors

  /** open(2): returns the lowest free descriptor. */
  open(path: string, flags: number = O.RDONLY, mode = 0o644): number {
    return this.call('open', () => {
      let fd = 0;
      while (this.files.has(fd)) fd++;
      if (fd >= OPEN_MAX) throw new SyscallError('open', EMFILE);
      this.files.set(fd, this.kernel.vfs.open(path, flags, mode));
      return fd;
    });
  }

  close(fd: number): void {
    this.call('close', () => {
      const f = this.file('close', fd);
      this.files.delete(fd);
      this.kernel.vfs.close(f);
    });
  }

  /** Open descriptors, lowest first. */
  descriptors(): number[] {
    return [...this.files.keys()].sort((a, b) => a - b);
  }

  /** read(2) into `buf`; returns the bytes read (0 at end of file). */
  read(fd: number, buf: Uint8Array): number {
    return this.call('read', () => {
      return this.kernel.vfs.readInto(this.file('read', fd), buf);
    });
  }

  pread(fd: number, buf: Uint8Array, offset: bigint | number): number {
    return this.call('pread', () => {
      if (BigInt(offset) < 0n) throw new SyscallError('pread', EINVAL, 'negative offset');
      return this.kernel.vfs.preadInto(this.file('pread', fd), buf, offset);
    });
  }

  /** readv(2): fills the buffers in order; stops early at end of file. */
  readv(fd: number, iov: readonly Uint8Array[]): number {
    return this.call('readv', () => {
      const f = this.file('readv', fd);
      let total = 0;
      for (const b of iov) {
        if (b.length === 0) continue;
        const d = this.kernel.vfs.read(f, b.length);
        b.set(d);
        total += d.length;
        if (d.length < b.length) break;
      }
      return total;
    });
  }

  write(fd: number, data: Uint8Array): number {
    return this.call('write', () => this.kernel.vfs.write(this.file('write', fd), data));
  }

  pwrite(fd: number, data: Uint8Array, offset: bigint | number): number {
    return this.call('pwrite', () => {
      if (BigInt(offset) < 0n) throw new SyscallError('pwrite', EINVAL, 'negative offset');
      return this.kernel.vfs.pwrite(this.file('pwrite', fd), data, offset);
    });
  }

  writev(fd: number, iov: readonly Uint8Array[]): number {
    return this.call('writev', () => {
      const f = this.file('writev', fd);
      let total = 0;
      for (const b of iov) {
        if (b.length === 0) continue;
        const n = this.kernel.vfs.write(f, b);
        total += n;
        if (n < b.length) break;
      }
      return total;
    });
  }

  lseek(fd: number, offset: bigint | number, whence: number): bigint {
    return this.call('lseek', () => this.kernel.vfs.lseek(this.file('lseek', fd), offset, whence));
  }

  fstat(fd: number): Stat {
    return this.call('fstat', () => this.kernel.vfs.fstat(this.file('fstat', fd)));
  }

  fsync(fd: number): void {
    this.call('fsync', () => this.kernel.vfs.fsync(this.file('fsync', fd)));
  }

  ftruncate(fd: number, length: bigint | number): void {
    this.call('ftruncate', () => this.kernel.vfs.ftruncate(this.file('ftruncate', fd), length));
  }

  fchmod(fd: number, mode: number): void {
    this.call('fchmod', () => this.kernel.vfs.fchmod(this.file('fchmod', fd), mode));
  }

  fchown(fd: number, uid: number, gid: number): void {
    this.call('fchown', () => this.kernel.vfs.fchown(this.file('fchown', fd), uid, gid));
  }

  /** futimes(2) with times in nanoseconds since the epoch. */
  futimes(fd: number, atimeNs: bigint, mtimeNs: bigint): void {
    this.call('futimes', () => this.kernel.vfs.futimes(this.file('futimes', fd), atimeNs, mtimeNs));
  }

  /**
   * getdents(2): raw NetBSD `struct dirent` records into `buf`; returns the bytes filled
   * (0 at the end of the directory). Decode them with `parseDirents`.
   */
  getdents(fd: number, buf: Uint8Array): number {
    return this.call('getdents', () =>
      this.kernel.vfs.getdentsInto(this.file('getdents', fd), buf),
    );
  }

  // ---------------------------------------------------------------- paths

  stat(path: string): Stat {
    return this.call('stat', () => this.kernel.vfs.stat(path));
  }

  lstat(path: string): Stat {
    return this.call('lstat', () => this.kernel.vfs.lstat(path));
  }

  /** readlink(2): the target into `buf`, truncated to its length as NetBSD does; returns bytes. */
  readlink(path: string, buf: Uint8Array): number {
    return this.call('readlink', () => {
      const t = this.kernel.vfs.readlink(path);
      const n = Math.min(t.length, buf.length);
      buf.set(t.subarray(0, n));
      return n;
    });
  }

  access(path: string, mode: number): void {
    this.call('access', () => this.kernel.vfs.access(path, mode));
  }

  mkdir(path: string, mode = 0o777): void {
    this.call('mkdir', () => this.kernel.vfs.mkdir(path, mode));
  }

  rmdir(path: string): void {
    this.call('rmdir', () => this.kernel.vfs.rmdir(path));
  }

  unlink(path: string): void {
    this.call('unlink', () => this.kernel.vfs.unlink(path));
  }

  rename(from: string, to: string): void {
    this.call('rename', () => this.kernel.vfs.rename(from, to));
  }

  link(existing: string, path: string): void {
    this.call('link', () => this.kernel.vfs.link(existing, path));
  }

  symlink(target: string, path: string): void {
    this.call('symlink', () => this.kernel.vfs.symlink(target, path));
  }

  chmod(path: string, mode: number): void {
    this.call('chmod', () => this.kernel.vfs.chmod(path, mode));
  }

  lchmod(path: string, mode: number): void {
    this.call('lchmod', () => this.kernel.vfs.lchmod(path, mode));
  }

  chown(path: string, uid: number, gid: number): void {
    this.call('chown', () => this.kernel.vfs.chown(path, uid, gid));
  }

  lchown(path: string, uid: number, gid: number): void {
    this.call('lchown', () => this.kernel.vfs.lchown(path, uid, gid));
  }

  /** utimes(2) with times in nanoseconds since the epoch. */
  utimes(path: string, atimeNs: bigint, mtimeNs: bigint): void {
    this.call('utimes', () => this.kernel.vfs.utimes(path, atimeNs, mtimeNs));
  }

  /** lutimes(2): utimes on a symbolic link itself, not on its target. */
  lutimes(path: string, atimeNs: bigint, mtimeNs: bigint): void {
    this.call('lutimes', () => this.kernel.vfs.lutimes(path, atimeNs, mtimeNs));
  }

  truncate(path: string, length: bigint | number): void {
    this.call('truncate', () => this.kernel.vfs.truncate(path, length));
  }

  // ---------------------------------------------------------------- file systems

  /** mount(2): `data` is the file system's args (ufs_args by fields, or raw bytes). */
  mount(fstype: string, path: string, flags: number, data: MountData): void {
    this.call('mount', () => {
      if (data instanceof Uint8Array) this.kernel.vfs.mount(fstype, path, flags, data);
      else if (data instanceof MountArgs)
        data.withStrings(this.kernel, (b) => this.kernel.vfs.mount(fstype, path, flags, b));
      else this.kernel.vfs.mountUfs(fstype, data.fspec, path, flags);
    });
  }

  unmount(path: string, flags = 0): void {
    this.call('unmount', () => this.kernel.vfs.unmount(path, flags));
  }

  /** statvfs1(2); ST_WAIT and ST_NOWAIT both ask the file system (there is no cached copy). */
  statvfs1(path: string, _flags = 1): Statvfs {
    return this.call('statvfs1', () => this.kernel.vfs.statvfs(path));
  }

  sync(): void {
    this.call('sync', () => this.kernel.vfs.sync());
  }

  // ---------------------------------------------------------------- kernel

  /** modctl(2): MODCTL_LOAD with modctl_load_t, MODCTL_UNLOAD with a name, MODCTL_STAT. */
  modctl(cmd: typeof MODCTL.LOAD, arg: ModctlLoad): ModuleStat;
  modctl(cmd: typeof MODCTL.UNLOAD, arg: string): void;
  modctl(cmd: typeof MODCTL.STAT): ModuleStat[];
  modctl(cmd: number, arg?: ModctlLoad | string): ModuleStat | ModuleStat[] | undefined {
    return this.call('modctl', () => {
      switch (cmd) {
        case MODCTL.LOAD: {
          const l = arg as ModctlLoad;
          return this.kernel.modctl('load', {
            filename: l.ml_filename,
            flags: l.ml_flags ?? 0,
            ...(l.ml_props === undefined ? {} : { props: l.ml_props }),
          });
        }
        case MODCTL.UNLOAD:
          this.kernel.modctl('unload', arg as string);
          return undefined;
        case MODCTL.STAT:
          return this.kernel.modctl('stat');
        default:
          throw new SyscallError('modctl', EINVAL, `unknown command ${cmd}`);
      }
    });
  }

  /**
   * reboot(2): closes every descriptor, syncs (unless RB_NOSYNC) and unmounts every file system,
   * closes the disks, and halts the kernel: later calls throw KernelHaltedError. Returns whether
   * every file system unmounted cleanly.
   */
  reboot(howto: number = RB.AUTOBOOT): boolean {
    return this.call('reboot', () => {
      for (const fd of this.descriptors()) {
        const f = this.files.get(fd)!;
        this.files.delete(fd);
        this.kernel.vfs.close(f);
      }
      return this.kernel.reboot(howto);
    });
  }

  /** Whether reboot(2) has halted this kernel. */
  get isHalted(): boolean {
    return this.kernel.halted !== undefined;
  }
}

/** Decodes the raw records getdents(2) filled in. */
export function decodeDirents(raw: Uint8Array): DirectoryEntry[] {
  return parseDirents(raw);
}
