/** Commands that change an image: mkdir, rm, rmdir, mv, ln, chmod, chown, touch (read-write mounts). */
import type { Command } from '../../cli/command.js';
import { UsageError } from '../../cli/errors.js';
import { hostImageExists, normalizeImagePath, parseTarget, type Target } from '../../cli/target.js';
import {
  type FileSystemSession,
  fileTypeOfMode,
  O,
  SessionError,
  type Timespec,
} from '../../session.js';
import { TARGET_HELP } from './common.js';
import { applyMode } from './mode.js';
import { imageTargets, withSession } from './run-session.js';
import { baseName, joinPath, readDir } from './walk.js';

const RW_NOTE = 'Mounts read-write under the image lock.';

async function lstatOrUndefined(s: FileSystemSession, path: string) {
  try {
    return await s.lstat(path);
  } catch (e) {
    if (e instanceof SessionError && e.errno === 'ENOENT') return undefined;
    throw e;
  }
}

export const mkdir: Command = {
  name: 'mkdir',
  group: 'files',
  usage: ['mkdir [-p] [-m MODE] IMAGE:PATH...'],
  summary: 'create directories inside an image',
  description: `Creates each directory (mode 0755 unless -m). -p creates missing parents and accepts existing directories. ${RW_NOTE} ${TARGET_HELP}`,
  options: [
    {
      long: 'parents',
      short: 'p',
      kind: 'flag',
      help: 'create parents as needed; no error if it exists',
    },
    {
      long: 'mode',
      short: 'm',
      kind: 'value',
      metavar: 'MODE',
      help: 'permissions (octal or symbolic)',
    },
  ],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: ['rump mkdir ffs.img:/new', 'rump mkdir -p -m 700 ffs.img:/a/b/c'],
  async run(ctx) {
    const targets = imageTargets(ctx.options.operands);
    const modeText = ctx.options.value('mode');
    const mode = modeText === undefined ? 0o755 : applyMode(modeText, 0o777, true);
    const parents = ctx.options.flag('parents');
    return withSession(ctx, targets[0]!, false, async ({ session: s }) => {
      for (const t of targets) {
        const path = t.path!;
        if (!parents) {
          await s.mkdir(path, mode);
          continue;
        }
        const parts = path.split('/').filter((p) => p !== '');
        let cur = '';
        for (let i = 0; i < parts.length; i++) {
          cur = `${cur}/${parts[i]}`;
          const st = await lstatOrUndefined(s, cur);
          if (st && fileTypeOfMode(st.mode) === 'dir') continue;
          if (st) throw new SessionError('ENOTDIR', cur, 'Not a directory');
          await s.mkdir(cur, i === parts.length - 1 ? mode : 0o755);
        }
      }
      return 0;
    });
  },
};

async function removeTree(s: FileSystemSession, path: string, check: () => void): Promise<void> {
  check();
  const st = await s.lstat(path);
  if (fileTypeOfMode(st.mode) !== 'dir') return s.unlink(path);
  for (const e of await readDir(s, path)) await removeTree(s, joinPath(path, e.name), check);
  await s.rmdir(path);
}

export const rm: Command = {
  name: 'rm',
  group: 'files',
  usage: ['rm [-r] [-f] IMAGE:PATH...'],
  summary: 'remove files (and with -r, directories) inside an image',
  description: `Unlinks each PATH; -r removes directories and everything in them; -f ignores paths that do not exist. ${RW_NOTE} ${TARGET_HELP}`,
  options: [
    { long: 'recursive', short: 'r', kind: 'flag', help: 'remove directories and their contents' },
    { long: 'force', short: 'f', kind: 'flag', help: 'ignore nonexistent paths' },
  ],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: ['rump rm ffs.img:/tmp/x', 'rump rm -rf ffs.img:/var/tmp/build'],
  async run(ctx) {
    const targets = imageTargets(ctx.options.operands);
    return withSession(ctx, targets[0]!, false, async ({ session: s, checkInterrupted }) => {
      for (const t of targets) {
        const path = t.path!;
        if (path === '/')
          throw new SessionError('EINVAL', path, 'refusing to remove the root directory');
        const st = await lstatOrUndefined(s, path);
        if (!st) {
          if (ctx.options.flag('force')) continue;
          throw new SessionError('ENOENT', path);
        }
        if (fileTypeOfMode(st.mode) === 'dir') {
          if (!ctx.options.flag('recursive'))
            throw new SessionError('EISDIR', path, 'Is a directory (use -r)');
          await removeTree(s, path, checkInterrupted);
        } else await s.unlink(path);
      }
      return 0;
    });
  },
};

export const rmdir: Command = {
  name: 'rmdir',
  group: 'files',
  usage: ['rmdir IMAGE:PATH...'],
  summary: 'remove empty directories inside an image',
  description: `Removes each directory, which must be empty. ${RW_NOTE} ${TARGET_HELP}`,
  options: [],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: ['rump rmdir ffs.img:/empty'],
  async run(ctx) {
    const targets = imageTargets(ctx.options.operands);
    return withSession(ctx, targets[0]!, false, async ({ session: s }) => {
      for (const t of targets) await s.rmdir(t.path!);
      return 0;
    });
  },
};

/**
 * A second path on the same image: `IMAGE:PATH` (the same image) or a bare `/PATH`. An argument
 * whose image part names an existing host file is IMAGE:PATH, so absolute host paths of images
 * work too.
 */
function samePath(text: string, first: Target): string {
  const t = parseTarget(text);
  if (t.path !== undefined && hostImageExists(t.image)) {
    if (t.image !== first.image || t.partition !== first.partition)
      throw new UsageError(`'${text}' is on another image than '${first.text}'`);
    return t.path;
  }
  if (text.startsWith('/')) return normalizeImagePath(text);
  if (t.path === undefined)
    throw new UsageError(`'${text}' names no path inside the image (write IMAGE:PATH or /PATH)`);
  throw new UsageError(`'${text}' is on another image than '${first.text}'`);
}

export const mv: Command = {
  name: 'mv',
  group: 'files',
  usage: ['mv IMAGE:FROM IMAGE:TO', 'mv IMAGE:FROM /TO'],
  summary: 'rename or move a file inside an image',
  description: `Renames FROM to TO (rename(2)); when TO is an existing directory, FROM moves into it. ${RW_NOTE} ${TARGET_HELP}`,
  options: [],
  operands: { min: 2, max: 2 },
  examples: ['rump mv ffs.img:/a ffs.img:/b', 'rump mv ffs.img:/etc/x.conf /etc/x.conf.old'],
  async run(ctx) {
    const [from] = imageTargets([ctx.options.operands[0]!]);
    let to = samePath(ctx.options.operands[1]!, from!);
    return withSession(ctx, from!, false, async ({ session: s }) => {
      const there = await lstatOrUndefined(s, to);
      if (there && fileTypeOfMode(there.mode) === 'dir') to = joinPath(to, baseName(from!.path!));
      await s.rename(from!.path!, to);
      return 0;
    });
  },
};

export const ln: Command = {
  name: 'ln',
  group: 'files',
  usage: ['ln IMAGE:EXISTING IMAGE:NEWPATH|/NEWPATH', 'ln -s TARGET IMAGE:NEWPATH'],
  summary: 'make hard or symbolic links inside an image',
  description: `Without -s, NEWPATH becomes another name of EXISTING (link(2); both on the same image, NEWPATH may be written /PATH). With -s, NEWPATH becomes a symlink whose content is the text TARGET (which need not exist). When NEWPATH is a directory the link goes inside it. ${RW_NOTE} ${TARGET_HELP}`,
  options: [{ long: 'symbolic', short: 's', kind: 'flag', help: 'make a symbolic link' }],
  operands: { min: 2, max: 2 },
  examples: [
    'rump ln ffs.img:/bin/sh ffs.img:/bin/sh2',
    'rump ln -s ../share/doc ffs.img:/usr/doc',
  ],
  async run(ctx) {
    const [sourceText, newText] = ctx.options.operands as [string, string];
    const symbolic = ctx.options.flag('symbolic');
    let image: Target;
    let existing: string;
    let newPath: string;
    if (symbolic) {
      [image] = imageTargets([newText]) as [Target];
      existing = sourceText;
      newPath = image.path!;
    } else {
      [image] = imageTargets([sourceText]) as [Target];
      existing = image.path!;
      newPath = samePath(newText, image);
    }
    return withSession(ctx, image, false, async ({ session: s }) => {
      let path = newPath;
      const there = await lstatOrUndefined(s, path);
      if (there && fileTypeOfMode(there.mode) === 'dir') path = joinPath(path, baseName(existing));
      if (symbolic) await s.symlink(existing, path);
      else await s.link(existing, path);
      return 0;
    });
  },
};

export const chmod: Command = {
  name: 'chmod',
  group: 'files',
  usage: ['chmod [-R] MODE IMAGE:PATH...'],
  summary: 'change file modes inside an image',
  description: `Sets the permission bits of each PATH: octal (755, 4755) or symbolic (u+x, go-w, a=r,u+w). ${RW_NOTE} ${TARGET_HELP}`,
  options: [
    { long: 'recursive', short: 'R', kind: 'flag', help: 'change directories and their contents' },
  ],
  operands: { min: 2, max: Number.POSITIVE_INFINITY },
  examples: ['rump chmod 644 ffs.img:/etc/motd', 'rump chmod -R go-w ffs.img:/home'],
  async run(ctx) {
    const [spec, ...rest] = ctx.options.operands as [string, ...string[]];
    applyMode(spec, 0, false); // a bad MODE is a usage error before anything is mounted
    const targets = imageTargets(rest);
    return withSession(ctx, targets[0]!, false, async ({ session: s, checkInterrupted }) => {
      const apply = async (path: string): Promise<void> => {
        checkInterrupted();
        const st = await s.lstat(path);
        const isDir = fileTypeOfMode(st.mode) === 'dir';
        if (fileTypeOfMode(st.mode) !== 'lnk') await s.chmod(path, applyMode(spec, st.mode, isDir));
        if (isDir && ctx.options.flag('recursive'))
          for (const e of await readDir(s, path)) await apply(joinPath(path, e.name));
      };
      for (const t of targets) await apply(t.path!);
      return 0;
    });
  },
};

/** `UID`, `UID:GID`, `:GID` (numbers: an image has no user database the host could use). */
export function parseOwner(text: string): { uid: number; gid: number } {
  const m = /^(\d*)(?::(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === ''))
    throw new UsageError(`'${text}' is not OWNER[:GROUP] with numeric ids (e.g. 0:0, 1000, :5)`);
  const id = (s: string | undefined) => (s === undefined || s === '' ? -1 : Number(s));
  const uid = id(m[1]);
  const gid = id(m[2]);
  for (const v of [uid, gid]) if (v > 0xffffffff - 1) throw new UsageError(`id ${v} is too large`);
  return { uid, gid };
}

export const chown: Command = {
  name: 'chown',
  group: 'files',
  usage: ['chown [-R] [-h] UID[:GID] IMAGE:PATH...'],
  summary: 'change file owner and group inside an image',
  description: `Sets the owner and/or group of each PATH, as numbers (:GID changes only the group). -h changes a symlink itself (lchown). ${RW_NOTE} ${TARGET_HELP}`,
  options: [
    { long: 'recursive', short: 'R', kind: 'flag', help: 'change directories and their contents' },
    {
      long: 'no-dereference',
      short: 'h',
      kind: 'flag',
      help: 'change symlinks, not what they point to',
    },
  ],
  operands: { min: 2, max: Number.POSITIVE_INFINITY },
  examples: ['rump chown 1000:100 ffs.img:/home/me', 'rump chown -R 0:0 ffs.img:/etc'],
  async run(ctx) {
    const [spec, ...rest] = ctx.options.operands as [string, ...string[]];
    const { uid, gid } = parseOwner(spec);
    const targets = imageTargets(rest);
    const follow = !ctx.options.flag('no-dereference');
    return withSession(ctx, targets[0]!, false, async ({ session: s, checkInterrupted }) => {
      const apply = async (path: string, top: boolean): Promise<void> => {
        checkInterrupted();
        await s.chown(path, uid, gid, top ? follow : false);
        if (!ctx.options.flag('recursive')) return;
        const st = await s.lstat(path);
        if (fileTypeOfMode(st.mode) === 'dir')
          for (const e of await readDir(s, path)) await apply(joinPath(path, e.name), false);
      };
      for (const t of targets) await apply(t.path!, true);
      return 0;
    });
  },
};

/** `-d` dates: ISO 8601 or `@SECONDS`. */
export function parseDate(text: string): Timespec {
  if (/^@\d+(\.\d+)?$/.test(text)) {
    const v = Number(text.slice(1));
    return { sec: Math.floor(v), nsec: Math.round((v % 1) * 1e9) };
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new UsageError(
      `'${text}' is not a date (ISO 8601 like 2025-01-11T12:00:00Z, or @SECONDS)`,
    );
  return { sec: Math.floor(ms / 1000), nsec: (((ms % 1000) + 1000) % 1000) * 1e6 };
}

export const touch: Command = {
  name: 'touch',
  group: 'files',
  usage: ['touch [-c] [-d DATE] IMAGE:PATH...'],
  summary: 'create files or set their times inside an image',
  description: `Sets the access and modification times of each PATH to now (or DATE), creating empty files that do not exist unless -c. ${RW_NOTE} ${TARGET_HELP}`,
  options: [
    { long: 'no-create', short: 'c', kind: 'flag', help: 'do not create missing files' },
    {
      long: 'date',
      short: 'd',
      kind: 'value',
      metavar: 'DATE',
      help: 'use DATE (ISO 8601 or @SECONDS) instead of now',
    },
  ],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: ['rump touch ffs.img:/etc/stamp', 'rump touch -d 2025-01-11T00:00:00Z ffs.img:/README'],
  async run(ctx) {
    const dateText = ctx.options.value('date');
    const when = dateText === undefined ? undefined : parseDate(dateText);
    const targets = imageTargets(ctx.options.operands);
    return withSession(ctx, targets[0]!, false, async ({ session: s }) => {
      for (const t of targets) {
        const path = t.path!;
        const st = await lstatOrUndefined(s, path);
        if (!st) {
          if (ctx.options.flag('no-create')) continue;
          await s.close(await s.open(path, O.WRONLY | O.CREAT, 0o644));
        }
        const now = when ?? parseDate(`@${Date.now() / 1000}`);
        await s.utimes(path, now, now);
      }
      return 0;
    });
  },
};
