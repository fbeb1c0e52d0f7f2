/**
 * FileSystemSession over @rump/syscalls: the classic rump sequence for one command. Boots a
 * kernel on a NodeHost (read-only for read-only mounts: the host then opens no file for writing),
 * loads the modules with modctl (their required modules come from the module path), registers the
 * image's byte range as a block device with etfs, mounts it on /mnt, and maps each session method
 * to one rump_sys_* call; unmount() is reboot(2), which syncs, unmounts and halts.
 *
 * Errors: a SyscallError becomes a SessionError with NetBSD's errno name; a kernel panic or guest
 * fault becomes one line naming the reason (the full report goes to the console with -v).
 */
import type { NetBSDErrnoName } from '@rump/hypercall';
import { isNetBSDErrnoName, netbsdStrerror } from '@rump/hypercall';
import { NodeHost } from '@rump/hypercall/node';
import { errno, KernelDeath } from '@rump/kernel-core';
import {
  bootRump,
  decodeDirents,
  KernelHaltedError,
  MNT,
  MODCTL,
  type Rump,
  type RumpSys,
  SEEK,
  type Stat,
  DT as SYS_DT,
  SyscallError,
} from '@rump/syscalls';
import { OperationError } from './cli/errors.js';
import { MOUNTABLE_FILESYSTEMS, mountArgsFor, mountTypeFor } from './mount-args.js';
import {
  type DirEntry,
  type FileStat,
  type FileSystemSession,
  type FileType,
  type MountPlan,
  SessionError,
  type SessionOptions,
  type StatVfs,
  type Timespec,
} from './session.js';
import { SessionTrace } from './trace.js';

export const MOUNT_POINT = '/mnt';
export const IMAGE_KEY = '/dev/rumpimg';

const DT_TYPES: Readonly<Record<number, FileType>> = {
  [SYS_DT.FIFO]: 'fifo',
  [SYS_DT.CHR]: 'chr',
  [SYS_DT.DIR]: 'dir',
  [SYS_DT.BLK]: 'blk',
  [SYS_DT.REG]: 'reg',
  [SYS_DT.LNK]: 'lnk',
  [SYS_DT.SOCK]: 'sock',
  [SYS_DT.WHT]: 'wht',
};

const ts = (t: { sec: bigint; nsec: bigint }): Timespec => ({
  sec: Number(t.sec),
  nsec: Number(t.nsec),
});
const ns = (t: Timespec): bigint => BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);

function fileStat(s: Stat): FileStat {
  return {
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    size: Number(s.size),
    blocks: Number(s.blocks),
    blksize: s.blksize,
    flags: s.flags,
    gen: s.gen,
    atime: ts(s.atime),
    mtime: ts(s.mtime),
    ctime: ts(s.ctime),
    birthtime: ts(s.birthtime),
  };
}

/** Keeps the last console lines, to explain a failed mount in one line. */
class ConsoleTail {
  private text = '';
  constructor(private readonly echo: ((t: string) => void) | undefined) {}
  write(chunk: Uint8Array | string): void {
    const s = typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    this.echo?.(s);
    this.text = (this.text + s).slice(-4000);
  }
  lastLines(n: number): string[] {
    return this.text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .slice(-n);
  }
}

function errnoOf(e: SyscallError): NetBSDErrnoName {
  return isNetBSDErrnoName(e.code) ? e.code : 'EIO';
}

/** A syscall failure as a SessionError about `path` (inside the image). */
function sessionError(e: unknown, path: string | undefined, verbose = 0): unknown {
  if (e instanceof SyscallError) {
    // The kernel's detail names its own paths (/mnt/...): shown only with -v.
    const errno = errnoOf(e);
    const detail = verbose > 0 && e.detail ? ` (${e.detail})` : '';
    return new SessionError(errno, path, `${netbsdStrerror(errno)}${detail}`);
  }
  if (e instanceof KernelDeath)
    return new OperationError(`the kernel died: ${e.reason}`, { cause: e });
  if (e instanceof KernelHaltedError) return new OperationError(e.message, { cause: e });
  return e;
}

class RumpSession implements FileSystemSession {
  private halted = false;

  constructor(
    readonly plan: MountPlan,
    private readonly sys: RumpSys,
  ) {}

  private at(path: string): string {
    return path === '/' ? MOUNT_POINT : `${MOUNT_POINT}${path}`;
  }

  private run<T>(path: string | undefined, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(sessionError(e, path, this.plan.verbose));
    }
  }

  open(path: string, flags: number, mode = 0o644) {
    return this.run(path, () => this.sys.open(this.at(path), flags, mode));
  }
  read(fd: number, buf: Uint8Array) {
    return this.run(undefined, () => this.sys.read(fd, buf));
  }
  write(fd: number, buf: Uint8Array) {
    return this.run(undefined, () => this.sys.write(fd, buf));
  }
  close(fd: number) {
    return this.run(undefined, () => this.sys.close(fd));
  }
  getdents(fd: number): Promise<DirEntry[]> {
    return this.run(undefined, () => {
      const buf = new Uint8Array(8192);
      // A batch may hold only free slots (d_fileno 0), which decode to nothing: read on, so that
      // an empty answer means the end. A call that returns bytes but leaves the offset where it
      // was (ufs_readdir at a d_reclen of 0) would repeat forever: EIO, as FileSystemApi says.
      for (;;) {
        const at = this.sys.lseek(fd, 0, SEEK.CUR);
        const n = this.sys.getdents(fd, buf);
        if (n === 0) return [];
        const next = this.sys.lseek(fd, 0, SEEK.CUR);
        if (next === at)
          throw new SyscallError(
            'getdents',
            errno.EIO,
            `${n} bytes at offset ${at} without progress (a damaged directory)`,
          );
        const entries = decodeDirents(buf.subarray(0, n));
        if (entries.length > 0)
          return entries.map((e) => ({
            name: e.name,
            ino: e.fileno,
            type: DT_TYPES[e.type] ?? 'unknown',
          }));
      }
    });
  }
  stat(path: string) {
    return this.run(path, () => fileStat(this.sys.stat(this.at(path))));
  }
  lstat(path: string) {
    return this.run(path, () => fileStat(this.sys.lstat(this.at(path))));
  }
  readlink(path: string) {
    return this.run(path, () => {
      const buf = new Uint8Array(4096);
      const n = this.sys.readlink(this.at(path), buf);
      return new TextDecoder().decode(buf.subarray(0, n));
    });
  }
  statvfs(path: string): Promise<StatVfs> {
    return this.run(path, () => {
      const v = this.sys.statvfs1(this.at(path));
      return {
        bsize: Number(v.bsize),
        frsize: Number(v.frsize),
        blocks: Number(v.blocks),
        bfree: Number(v.bfree),
        bavail: Number(v.bavail),
        files: Number(v.files),
        ffree: Number(v.ffree),
        favail: Number(v.ffree),
        flag: Number(v.flag),
        namemax: Number(v.namemax),
        fstypename: v.fstypename,
        mntonname: v.mntonname,
        mntfromname: v.mntfromname,
      };
    });
  }
  mkdir(path: string, mode: number) {
    return this.run(path, () => this.sys.mkdir(this.at(path), mode));
  }
  rmdir(path: string) {
    return this.run(path, () => this.sys.rmdir(this.at(path)));
  }
  unlink(path: string) {
    return this.run(path, () => this.sys.unlink(this.at(path)));
  }
  rename(from: string, to: string) {
    return this.run(from, () => this.sys.rename(this.at(from), this.at(to)));
  }
  link(existing: string, path: string) {
    return this.run(path, () => this.sys.link(this.at(existing), this.at(path)));
  }
  symlink(target: string, path: string) {
    return this.run(path, () => this.sys.symlink(target, this.at(path)));
  }
  chmod(path: string, mode: number) {
    return this.run(path, () => this.sys.chmod(this.at(path), mode));
  }
  chown(path: string, uid: number, gid: number, follow = true) {
    return this.run(path, () =>
      follow ? this.sys.chown(this.at(path), uid, gid) : this.sys.lchown(this.at(path), uid, gid),
    );
  }
  utimes(path: string, atime: Timespec, mtime: Timespec, follow = true) {
    return this.run(path, () =>
      follow
        ? this.sys.utimes(this.at(path), ns(atime), ns(mtime))
        : this.sys.lutimes(this.at(path), ns(atime), ns(mtime)),
    );
  }
  async unmount(): Promise<void> {
    if (this.halted) return;
    this.halted = true;
    let clean: boolean;
    try {
      clean = this.sys.reboot(0);
    } catch (e) {
      throw sessionError(e, undefined);
    }
    if (!clean) throw new SessionError('EIO', undefined, 'a file system did not unmount cleanly');
  }
}

/** The SessionFactory over @rump/syscalls. */
export async function openRumpSession(
  plan: MountPlan,
  options: SessionOptions = {},
): Promise<FileSystemSession> {
  const args = mountArgsFor(plan.fs, IMAGE_KEY, { variant: plan.detection?.best?.variant });
  if (!args)
    throw new OperationError(
      `mounting ${plan.fs} needs its mount(2) arguments, which this CLI passes only for ${MOUNTABLE_FILESYSTEMS.join(', ')} so far`,
      { subject: plan.image, errno: 'EOPNOTSUPP' },
    );
  const tail = new ConsoleTail(options.console);
  const tracer = options.trace ? new SessionTrace(options.trace) : undefined;
  const nodeHost = new NodeHost({
    readOnly: plan.readOnly,
    params: { RUMP_VERBOSE: plan.verbose > 0 ? String(plan.verbose) : '0' },
    console: tail,
    debug: tail,
    onExit: (status) => {
      throw new OperationError(`the kernel asked the host to exit (status ${status})`);
    },
  });
  const host = tracer ? tracer.host(nodeHost) : nodeHost;
  let rump: Rump;
  try {
    rump = bootRump({ host, modulePath: plan.modulePath });
  } catch (e) {
    throw sessionError(e, undefined);
  }
  const sys = tracer ? tracer.attach(rump.sys, rump.kernel) : rump.sys;
  const fail = (what: string, e: unknown): never => {
    try {
      if (!sys.isHalted) sys.reboot(0);
    } catch {
      // the first error is the one to report
    }
    const err = sessionError(e, undefined, 1);
    const console = tail.lastLines(2).join(' | ');
    if (err instanceof SessionError)
      throw new OperationError(
        `${what}: ${err.message}${console ? ` [console: ${console}]` : ''}`,
        {
          subject: plan.image,
          errno: err.errno,
        },
      );
    if (err instanceof OperationError)
      throw new OperationError(`${what}: ${err.message}`, { subject: plan.image });
    throw err;
  };
  for (const m of plan.modules) {
    const key = `/rump-modules/${m.name}.kmod`;
    try {
      rump.etfsRegister(key, m.path, 'REG');
      sys.modctl(MODCTL.LOAD, { ml_filename: key });
    } catch (e) {
      fail(`loading ${m.path}`, e);
    }
  }
  try {
    rump.etfsRegisterWithSize(IMAGE_KEY, plan.image, 'BLK', plan.offset, plan.size);
    sys.mkdir(MOUNT_POINT, 0o755);
    sys.mount(mountTypeFor(plan.fs), MOUNT_POINT, plan.readOnly ? MNT.RDONLY : 0, args);
  } catch (e) {
    const how =
      plan.fsSource === 'detected' && plan.detection?.best
        ? ` (detected: ${plan.detection.best.reason})`
        : '';
    fail(`mounting it as ${plan.fs}${how}${plan.readOnly ? ' read-only' : ''}`, e);
  }
  return new RumpSession(plan, sys);
}
