/** Listing commands: ls, tree, find (read-only mounts). */
import type { Command } from '../../cli/command.js';
import { UsageError } from '../../cli/errors.js';
import { columns } from '../../format.js';
import { type FileStat, fileTypeOfMode } from '../../session.js';
import { shortTime, statJson, TARGET_HELP } from './common.js';
import { modeString } from './mode.js';
import { imageTargets, withSession } from './run-session.js';
import { baseName, joinPath, readDir, walk } from './walk.js';

const S_IFDIR = 0o040000;
const isDir = (st: FileStat) => (st.mode & 0o170000) === S_IFDIR;
const isLink = (st: FileStat) => (st.mode & 0o170000) === 0o120000;

export const ls: Command = {
  name: 'ls',
  group: 'files',
  usage: ['ls [-l] [-R] [-a] [-d] IMAGE[:PATH]...'],
  summary: 'list directory contents inside an image',
  description: `Lists PATH (default /) like ls(1): the entries of a directory, or the file itself. ${TARGET_HELP}`,
  options: [
    {
      long: 'long',
      short: 'l',
      kind: 'flag',
      help: 'long format: mode, links, owner, group, size, mtime, name',
    },
    { long: 'recursive', short: 'R', kind: 'flag', help: 'list subdirectories recursively' },
    { long: 'all', short: 'a', kind: 'flag', help: 'include names starting with a dot' },
    {
      long: 'directory',
      short: 'd',
      kind: 'flag',
      help: 'list directories themselves, not their contents',
    },
  ],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'rump ls ffs.img',
    'rump ls -l ffs.img:/etc',
    'rump ls -lR disk.img@1a:/',
    'rump ls --json ffs.img:/bin',
  ],
  async run(ctx) {
    const targets = imageTargets(ctx.options.operands, false);
    const long = ctx.options.flag('long');
    const recursive = ctx.options.flag('recursive');
    const all = ctx.options.flag('all');
    return withSession(ctx, targets[0]!, true, async ({ session: s, checkInterrupted }) => {
      const json: unknown[] = [];
      const out: string[] = [];
      const line = async (path: string, name: string, st: FileStat) => {
        const target = isLink(st) ? await s.readlink(path) : undefined;
        if (ctx.global.json) json.push(statJson(path, st, target === undefined ? {} : { target }));
        return long
          ? [
              modeString(st.mode),
              String(st.nlink),
              String(st.uid),
              String(st.gid),
              String(st.size),
              shortTime(st.mtime),
              target === undefined ? name : `${name} -> ${target}`,
            ]
          : [name];
      };
      const listDir = async (dir: string, header: boolean): Promise<void> => {
        checkInterrupted();
        const entries = (await readDir(s, dir)).filter((e) => all || !e.name.startsWith('.'));
        const rows: string[][] = [];
        const subdirs: string[] = [];
        for (const e of entries) {
          const p = joinPath(dir, e.name);
          const st = long || recursive || ctx.global.json ? await s.lstat(p) : undefined;
          rows.push(st ? await line(p, e.name, st) : [e.name]);
          if (recursive && st && isDir(st)) subdirs.push(p);
        }
        if (header) out.push(`${out.length ? '\n' : ''}${dir}:`);
        out.push(...(long ? columns(rows, [1, 4]) : rows.map((r) => r[0]!)));
        for (const d of subdirs) await listDir(d, true);
      };
      const many = targets.length > 1 || recursive;
      for (const t of targets) {
        const path = t.path ?? '/';
        let st: FileStat;
        try {
          st = await s.stat(path);
        } catch {
          st = await s.lstat(path);
        }
        if (isDir(st) && !ctx.options.flag('directory')) await listDir(path, many);
        else {
          const row = await line(path, path, long ? await s.lstat(path) : st);
          out.push(long ? columns([row], [1, 4])[0]! : row[0]!);
        }
      }
      if (ctx.global.json) ctx.json(json);
      else if (out.length) ctx.io.out(`${out.join('\n')}\n`);
      return 0;
    });
  },
};

export const tree: Command = {
  name: 'tree',
  group: 'files',
  usage: ['tree [-L DEPTH] [-a] IMAGE[:PATH]'],
  summary: 'show a directory tree inside an image',
  description: `Draws PATH (default /) and everything below it, symlinks shown with their targets. ${TARGET_HELP}`,
  options: [
    {
      long: 'level',
      short: 'L',
      kind: 'value',
      metavar: 'DEPTH',
      help: 'descend at most DEPTH levels',
    },
    { long: 'all', short: 'a', kind: 'flag', help: 'include names starting with a dot' },
  ],
  operands: { min: 1, max: 1 },
  examples: ['rump tree ffs.img', 'rump tree -L 2 ffs.img:/usr'],
  async run(ctx) {
    const [t] = imageTargets(ctx.options.operands, false);
    const levelText = ctx.options.value('level');
    const level = levelText === undefined ? Number.POSITIVE_INFINITY : Number(levelText);
    if (!(level >= 0) || (!Number.isInteger(level) && level !== Number.POSITIVE_INFINITY))
      throw new UsageError(`-L '${levelText}' is not a depth`);
    const all = ctx.options.flag('all');
    return withSession(ctx, t!, true, async ({ session: s, checkInterrupted }) => {
      const root = t!.path ?? '/';
      const lines = [root];
      let dirs = 0;
      let files = 0;
      const json: unknown[] = [];
      const draw = async (dir: string, prefix: string, depth: number) => {
        checkInterrupted();
        const entries = (await readDir(s, dir)).filter((e) => all || !e.name.startsWith('.'));
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i]!;
          const p = joinPath(dir, e.name);
          const st = await s.lstat(p);
          const last = i === entries.length - 1;
          const target = isLink(st) ? await s.readlink(p) : undefined;
          json.push(statJson(p, st, { depth, ...(target === undefined ? {} : { target }) }));
          lines.push(
            `${prefix}${last ? '└── ' : '├── '}${e.name}${target === undefined ? '' : ` -> ${target}`}`,
          );
          if (isDir(st)) {
            dirs++;
            if (depth < level) await draw(p, `${prefix}${last ? '    ' : '│   '}`, depth + 1);
          } else files++;
        }
      };
      if (level > 0) await draw(root, '', 1);
      if (ctx.global.json) ctx.json(json);
      else
        ctx.io.out(
          `${lines.join('\n')}\n\n${dirs} director${dirs === 1 ? 'y' : 'ies'}, ${files} file${files === 1 ? '' : 's'}\n`,
        );
      return 0;
    });
  },
};

/** fnmatch-style glob (`*`, `?`, `[...]`) as a RegExp over a whole name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const FIND_TYPES: Readonly<Record<string, string>> = {
  f: 'reg',
  d: 'dir',
  l: 'lnk',
  c: 'chr',
  b: 'blk',
  p: 'fifo',
  s: 'sock',
};

export const find: Command = {
  name: 'find',
  group: 'files',
  usage: ['find [--name GLOB] [--type f|d|l|c|b|p|s] [--maxdepth N] IMAGE[:PATH]'],
  summary: 'search for files inside an image',
  description: `Walks PATH (default /) without following symlinks and prints every path that matches all the given tests. ${TARGET_HELP}`,
  options: [
    { long: 'name', kind: 'value', metavar: 'GLOB', help: 'base name matches GLOB (*, ?, [...])' },
    { long: 'type', kind: 'value', metavar: 'T', help: 'file type: f, d, l, c, b, p, s' },
    { long: 'maxdepth', kind: 'value', metavar: 'N', help: 'descend at most N levels' },
  ],
  operands: { min: 1, max: 1 },
  examples: ["rump find --name '*.conf' ffs.img:/etc", 'rump find --type d --maxdepth 2 ffs.img'],
  async run(ctx) {
    const [t] = imageTargets(ctx.options.operands, false);
    const name = ctx.options.value('name');
    const type = ctx.options.value('type');
    const depthText = ctx.options.value('maxdepth');
    if (type !== undefined && !FIND_TYPES[type])
      throw new UsageError(`--type '${type}' is not one of f, d, l, c, b, p, s`);
    const maxDepth = depthText === undefined ? Number.POSITIVE_INFINITY : Number(depthText);
    if (!(Number.isInteger(maxDepth) && maxDepth >= 0) && maxDepth !== Number.POSITIVE_INFINITY)
      throw new UsageError(`--maxdepth '${depthText}' is not a depth`);
    const re = name === undefined ? undefined : globToRegExp(name);
    return withSession(ctx, t!, true, async ({ session: s, checkInterrupted }) => {
      const hits: unknown[] = [];
      const lines: string[] = [];
      for await (const e of walk(s, t!.path ?? '/', maxDepth, checkInterrupted)) {
        if (re && !re.test(baseName(e.path))) continue;
        if (type && fileTypeOfMode(e.stat.mode) !== FIND_TYPES[type]) continue;
        lines.push(e.path);
        if (ctx.global.json) hits.push(statJson(e.path, e.stat, { depth: e.depth }));
      }
      if (ctx.global.json) ctx.json(hits);
      else if (lines.length) ctx.io.out(`${lines.join('\n')}\n`);
      return 0;
    });
  },
};
