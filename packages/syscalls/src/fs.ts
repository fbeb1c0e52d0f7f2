/**
 * A friendly file API over the system calls, for TypeScript callers who want whole files and
 * typed directory listings rather than descriptors. Every operation is made of rump_sys_* calls,
 * so its semantics and errors are exactly those of the system calls.
 */

import { errno } from '@rump/kernel-core';
import { SyscallError } from './errors.js';
import { O, S, SEEK } from './flags.js';
import { decodeDirents, type RumpSys } from './syscalls.js';
import type { DirectoryEntry, Stat } from './types.js';

const CHUNK = 64 * 1024;

export class FileSystemApi {
  constructor(private readonly sys: RumpSys) {}

  /**
   * Runs `fn` on a descriptor and closes it. When `fn` fails, a failing close must not replace
   * its error: after a panic the close throws KernelDead, and the panic is what the caller needs.
   */
  private withDescriptor<T>(fd: number, fn: (fd: number) => T): T {
    let result: T;
    try {
      result = fn(fd);
    } catch (e) {
      try {
        this.sys.close(fd);
      } catch {
        // the first error is the one to report
      }
      throw e;
    }
    this.sys.close(fd);
    return result;
  }

  /** The whole content of a file. */
  readFile(path: string): Uint8Array {
    return this.withDescriptor(this.sys.open(path, O.RDONLY), (fd) => {
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const buf = new Uint8Array(CHUNK);
        const n = this.sys.read(fd, buf);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        total += n;
      }
      const out = new Uint8Array(total);
      let p = 0;
      for (const c of chunks) {
        out.set(c, p);
        p += c.length;
      }
      return out;
    });
  }

  readTextFile(path: string): string {
    return new TextDecoder().decode(this.readFile(path));
  }

  /** Creates or replaces a file's content. */
  writeFile(path: string, data: Uint8Array | string, options: { mode?: number } = {}): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const fd = this.sys.open(path, O.WRONLY | O.CREAT | O.TRUNC, options.mode ?? 0o644);
    this.withDescriptor(fd, () => {
      let off = 0;
      while (off < bytes.length) {
        const n = this.sys.write(fd, bytes.subarray(off, off + CHUNK));
        if (n <= 0) throw new SyscallError('write', errno.EIO, `short write at ${off}`);
        off += n;
      }
    });
  }

  /**
   * Directory entries, without `.` and `..` unless asked for. getdents until it returns 0, but a
   * call that returns bytes and leaves the offset where an earlier call started (ufs_readdir at a
   * damaged entry or a zeroed block returns the same 16 bytes for ever, as in NetBSD) fails with
   * EIO naming the directory instead of looping.
   */
  readdir(path: string, options: { dots?: boolean } = {}): DirectoryEntry[] {
    return this.withDescriptor(this.sys.open(path, O.RDONLY | O.DIRECTORY), (fd) => {
      const out: DirectoryEntry[] = [];
      const buf = new Uint8Array(8192);
      const seen = new Set<bigint>();
      for (;;) {
        const at = this.sys.lseek(fd, 0, SEEK.CUR);
        seen.add(at);
        const n = this.sys.getdents(fd, buf);
        if (n === 0) break;
        const next = this.sys.lseek(fd, 0, SEEK.CUR);
        if (seen.has(next))
          throw new SyscallError(
            'getdents',
            errno.EIO,
            `${path}: ${n} bytes at offset ${at} left the offset at ${next}: no progress (a damaged directory)`,
          );
        for (const e of decodeDirents(buf.subarray(0, n))) {
          if (!options.dots && (e.name === '.' || e.name === '..')) continue;
          out.push(e);
        }
      }
      return out;
    });
  }

  stat(path: string): Stat {
    return this.sys.stat(path);
  }

  lstat(path: string): Stat {
    return this.sys.lstat(path);
  }

  exists(path: string): boolean {
    try {
      this.sys.lstat(path);
      return true;
    } catch (e) {
      if (e instanceof SyscallError && e.code === 'ENOENT') return false;
      throw e;
    }
  }

  readlink(path: string): string {
    const buf = new Uint8Array(1024);
    return new TextDecoder().decode(buf.subarray(0, this.sys.readlink(path, buf)));
  }

  /** mkdir, optionally creating missing parents (existing directories are fine then). */
  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
    const mode = options.mode ?? 0o755;
    if (!options.recursive) {
      this.sys.mkdir(path, mode);
      return;
    }
    let cur = '';
    for (const part of path.split('/').filter(Boolean)) {
      cur += `/${part}`;
      try {
        this.sys.mkdir(cur, mode);
      } catch (e) {
        if (!(e instanceof SyscallError && e.code === 'EEXIST')) throw e;
        if ((this.sys.stat(cur).mode & S.IFMT) !== S.IFDIR)
          throw new SyscallError('mkdir', errno.ENOTDIR, `${cur} is not a directory`);
      }
    }
  }

  /** Removes a file, a symlink or (with `recursive`) a directory tree. */
  remove(path: string, options: { recursive?: boolean } = {}): void {
    const st = this.sys.lstat(path);
    if ((st.mode & S.IFMT) !== S.IFDIR) {
      this.sys.unlink(path);
      return;
    }
    if (options.recursive) {
      for (const e of this.readdir(path)) this.remove(`${path}/${e.name}`, options);
    }
    this.sys.rmdir(path);
  }

  /** Every path under `root` (depth first, `root` itself first), with its lstat. */
  *walk(root: string): Generator<{ path: string; stat: Stat }> {
    const st = this.sys.lstat(root);
    yield { path: root, stat: st };
    if ((st.mode & S.IFMT) !== S.IFDIR) return;
    for (const e of this.readdir(root)) {
      yield* this.walk(root === '/' ? `/${e.name}` : `${root}/${e.name}`);
    }
  }
}
