/** Copying between the host and an image: get (copy out) and put (copy in), recursive with -r. */
import {
  chmodSync,
  closeSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  type Stats,
  statSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { Command, CommandContext } from '../../cli/command.js';
import { fromHostError, OperationError, UsageError } from '../../cli/errors.js';
import { formatTarget, type Target } from '../../cli/target.js';
import { type Progress, progressFor } from '../../progress.js';
import {
  type FileStat,
  type FileSystemSession,
  fileTypeOfMode,
  O,
  SessionError,
} from '../../session.js';
import { atPath, PRESERVE, RECURSIVE, readWhole, TARGET_HELP } from './common.js';
import { imageTargets, type SessionRun, withSession } from './run-session.js';
import { baseName, joinPath, readDir } from './walk.js';

const CHUNK = 256 * 1024;
const PROGRESS_CHUNK = 64 * 1024;

function hostStat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

interface CopyOptions {
  readonly recursive: boolean;
  readonly preserve: boolean;
  readonly warn: (msg: string) => void;
  /** The progress bar on a terminal (progress.ts), one file at a time. */
  readonly progress: Progress | undefined;
}

// ---- get ----

async function getOne(
  run: SessionRun,
  src: string,
  dst: string,
  o: CopyOptions,
  img: Target,
): Promise<number> {
  const s = run.session;
  run.checkInterrupted();
  const st = await s.lstat(src);
  const type = fileTypeOfMode(st.mode);
  let copied = 0;
  try {
    if (type === 'dir') {
      if (!o.recursive) throw new SessionError('EISDIR', src, 'Is a directory (use -r to copy it)');
      mkdirSync(dst, { recursive: false, mode: 0o700 });
      for (const e of await readDir(s, src))
        copied += await getOne(run, joinPath(src, e.name), join(dst, e.name), o, img);
      chmodSync(dst, o.preserve ? st.mode & 0o7777 : st.mode & 0o777 & ~process.umask());
    } else if (type === 'lnk') {
      symlinkSync(await s.readlink(src), dst);
    } else if (type === 'reg') {
      const fd = openSync(dst, 'w', 0o600);
      o.progress?.start(`get ${src}`, st.size);
      try {
        copied += await readWhole(
          s,
          src,
          (chunk) => {
            for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
            o.progress?.add(chunk.length);
          },
          run.checkInterrupted,
        );
      } finally {
        o.progress?.finish();
        closeSync(fd);
      }
      chmodSync(dst, o.preserve ? st.mode & 0o7777 : st.mode & 0o777 & ~process.umask());
    } else {
      o.warn(
        `${formatTarget({ ...img, path: src })}: ${type} file not copied (only files, directories and symlinks are)`,
      );
      return copied;
    }
  } catch (e) {
    if (e instanceof SessionError || e instanceof OperationError) throw e;
    throw fromHostError(e, dst);
  }
  if (o.preserve) preserveHost(dst, st, o, type === 'lnk');
  return copied;
}

function preserveHost(dst: string, st: FileStat, _o: CopyOptions, isLink: boolean): void {
  try {
    lchownSync(dst, st.uid, st.gid);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EPERM') throw fromHostError(e, dst);
    if (process.getuid?.() === 0) throw fromHostError(e, dst);
    // Not root: ownership cannot be given away; cp -p behaves the same way.
  }
  const atime = st.atime.sec + st.atime.nsec / 1e9;
  const mtime = st.mtime.sec + st.mtime.nsec / 1e9;
  // A symlink's own times (lutimes), never its target's.
  if (isLink) lutimesSync(dst, atime, mtime);
  else utimesSync(dst, atime, mtime);
}

export const get: Command = {
  name: 'get',
  group: 'files',
  usage: ['get [-r] [-p] IMAGE:PATH... [LOCAL]'],
  summary: 'copy files out of an image to the host',
  description: `Copies each PATH out of the image. With one PATH, LOCAL is the new name (default: the base name, in the current directory) unless it is an existing directory; with several, LOCAL must be a directory. LOCAL '-' writes a file to standard output. Directories need -r; symlinks are copied as symlinks; -p keeps modes, times and (as root) ownership. On a terminal, a progress bar on stderr follows each copy that takes longer than a tenth of a second (not with --json, --trace or -v). ${TARGET_HELP}`,
  options: [RECURSIVE, PRESERVE],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'rump get ffs.img:/etc/motd',
    'rump get -rp ffs.img:/etc ./etc-copy',
    'rump get ffs.img:/bin/sh - | file -',
  ],
  async run(ctx) {
    const ops = ctx.options.operands;
    const sources = ops.length === 1 ? ops : ops.slice(0, -1);
    const local = ops.length === 1 ? undefined : ops[ops.length - 1]!;
    const targets = imageTargets(sources);
    const o = copyOptions(ctx);
    const localIsDir =
      local !== undefined && local !== '-' && hostStat(local)?.isDirectory() === true;
    if (targets.length > 1 && local !== undefined && !localIsDir)
      throw new UsageError(`'${local}' must be an existing directory when copying several files`);
    let failures = 0;
    const warn = (m: string) => {
      failures++;
      o.warn(m);
    };
    return withSession(ctx, targets[0]!, true, async (run) => {
      let bytes = 0;
      for (const t of targets) {
        if (local === '-') {
          const write =
            ctx.io.outBytes ?? ((b: Uint8Array) => ctx.io.out(Buffer.from(b).toString('latin1')));
          if (fileTypeOfMode((await run.session.stat(t.path!)).mode) === 'dir')
            throw new SessionError('EISDIR', t.path!, 'Is a directory (cannot write it to stdout)');
          bytes += await readWhole(run.session, t.path!, write, run.checkInterrupted);
          continue;
        }
        const name = baseName(t.path!);
        const dst = local === undefined ? name : localIsDir ? join(local, name) : local;
        bytes += await getOne(run, t.path!, dst, { ...o, warn }, t);
      }
      if (ctx.global.json)
        ctx.json({ copied: targets.map((t) => t.path), bytes, skipped: failures });
      return failures ? 1 : 0;
    });
  },
};

function copyOptions(ctx: CommandContext): CopyOptions {
  const progress = progressFor(ctx);
  return {
    recursive: ctx.options.flag('recursive'),
    preserve: ctx.options.flag('preserve'),
    warn: (m) => {
      progress?.clear();
      ctx.io.err(`rump: ${ctx.command.name}: ${m}\n`);
    },
    progress,
  };
}

// ---- put ----

async function exists(s: FileSystemSession, path: string): Promise<FileStat | undefined> {
  try {
    return await s.stat(path);
  } catch (e) {
    if (e instanceof SessionError && e.errno === 'ENOENT') return undefined;
    throw e;
  }
}

async function putOne(run: SessionRun, src: string, dst: string, o: CopyOptions): Promise<number> {
  const s = run.session;
  run.checkInterrupted();
  let st: Stats;
  // Times in nanoseconds, taken before reading the file or link (which may update its atime).
  let times: { atimeNs: bigint; mtimeNs: bigint } | undefined;
  try {
    st = lstatSync(src);
    if (o.preserve) times = lstatSync(src, { bigint: true });
  } catch (e) {
    throw fromHostError(e, src);
  }
  const perm = o.preserve ? st.mode & 0o7777 : st.mode & 0o777 & ~process.umask();
  let copied = 0;
  if (st.isDirectory()) {
    if (!o.recursive)
      throw new OperationError('Is a directory (use -r to copy it)', {
        subject: src,
        errno: 'EISDIR',
      });
    const there = await exists(s, dst);
    if (!there) await s.mkdir(dst, 0o700);
    else if (fileTypeOfMode(there.mode) !== 'dir')
      throw new SessionError('EEXIST', dst, 'File exists (not a directory)');
    let names: string[];
    try {
      names = readdirSync(src).sort();
    } catch (e) {
      throw fromHostError(e, src);
    }
    for (const name of names) copied += await putOne(run, join(src, name), joinPath(dst, name), o);
    await s.chmod(dst, perm);
  } else if (st.isSymbolicLink()) {
    await s.symlink(readlinkSync(src), dst);
  } else if (st.isFile()) {
    let hfd: number;
    try {
      hfd = openSync(src, 'r');
    } catch (e) {
      throw fromHostError(e, src);
    }
    try {
      const fd = await s.open(dst, O.WRONLY | O.CREAT | O.TRUNC, perm);
      o.progress?.start(`put ${dst}`, st.size);
      try {
        copied += await copyIn(run, hfd, fd, dst, o.progress);
      } catch (e) {
        throw atPath(e, dst);
      } finally {
        o.progress?.finish();
        await s.close(fd);
      }
      await s.chmod(dst, perm);
    } finally {
      closeSync(hfd);
    }
  } else {
    o.warn(`${src}: not a regular file, directory or symlink; not copied`);
    return copied;
  }
  if (o.preserve) {
    const isLink = st.isSymbolicLink();
    await s.chown(dst, st.uid, st.gid, !isLink);
    const t = times!;
    const ts = (n: bigint) => {
      const nsec = ((n % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
      return { sec: Number((n - nsec) / 1_000_000_000n), nsec: Number(nsec) };
    };
    // A symlink keeps its own times (lutimes), not its target's.
    await s.utimes(dst, ts(t.atimeNs), ts(t.mtimeNs), !isLink);
  }
  return copied;
}

async function copyIn(
  run: SessionRun,
  hfd: number,
  fd: number,
  dst: string,
  progress: Progress | undefined,
): Promise<number> {
  let copied = 0;
  // Smaller writes with a bar: each one is a synchronous system call the bar cannot interrupt.
  const size = progress ? PROGRESS_CHUNK : CHUNK;
  const buf = new Uint8Array(size);
  for (;;) {
    run.checkInterrupted();
    const n = readSync(hfd, buf, 0, size, null);
    if (n === 0) return copied;
    for (let done = 0; done < n; ) {
      const w = await run.session.write(fd, buf.subarray(done, n));
      if (w <= 0) throw new SessionError('EIO', dst, `write returned ${w}`);
      done += w;
      progress?.add(w);
    }
    copied += n;
  }
}

export const put: Command = {
  name: 'put',
  group: 'files',
  usage: ['put [-r] [-p] LOCAL... IMAGE:PATH'],
  summary: 'copy files from the host into an image',
  description: `Copies each LOCAL file into the image. PATH is the new name with one LOCAL, unless PATH is an existing directory (then the files go inside it, as with several LOCALs). Directories need -r; symlinks are copied as symlinks; -p keeps modes, ownership and times (without it, files get the host mode less the umask and root ownership). On a terminal, a progress bar on stderr follows each copy that takes longer than a tenth of a second (not with --json, --trace or -v). ${TARGET_HELP}`,
  options: [RECURSIVE, PRESERVE],
  operands: { min: 2, max: Number.POSITIVE_INFINITY },
  examples: [
    'rump put motd ffs.img:/etc/motd',
    'rump put -rp ./site ffs.img:/var/www',
    'rump put a.txt b.txt ffs.img:/tmp',
  ],
  async run(ctx) {
    const ops = ctx.options.operands;
    const locals = ops.slice(0, -1);
    const [t] = imageTargets([ops[ops.length - 1]!]);
    const o = copyOptions(ctx);
    let failures = 0;
    const warn = (m: string) => {
      failures++;
      o.warn(m);
    };
    return withSession(ctx, t!, false, async (run) => {
      const dest = t!.path!;
      const there = await exists(run.session, dest);
      const intoDir = there !== undefined && fileTypeOfMode(there.mode) === 'dir';
      if (locals.length > 1 && !intoDir)
        throw new SessionError(
          'ENOTDIR',
          dest,
          'Not a directory (copying several files needs an existing directory)',
        );
      let bytes = 0;
      for (const l of locals) {
        const dst = intoDir ? joinPath(dest, basename(l)) : dest;
        bytes += await putOne(run, l, dst, { ...o, warn });
      }
      if (ctx.global.json) ctx.json({ copied: locals, to: dest, bytes, skipped: failures });
      return failures ? 1 : 0;
    });
  },
};
