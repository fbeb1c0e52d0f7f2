/** Reading commands: cat, stat, df (read-only mounts). */
import type { Command } from '../../cli/command.js';
import { columns, humanBytes } from '../../format.js';
import { fileTypeOfMode, SessionError } from '../../session.js';
import { isoTime, readWhole, statJson, TARGET_HELP } from './common.js';
import { modeString } from './mode.js';
import { imageTargets, withSession } from './run-session.js';

export const cat: Command = {
  name: 'cat',
  group: 'files',
  usage: ['cat IMAGE:PATH...'],
  summary: 'write files from an image to standard output',
  description: `Copies each file, in order, to standard output, byte for byte. ${TARGET_HELP}`,
  options: [],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: ['rump cat ffs.img:/etc/motd', 'rump cat disk.img@1a:/etc/passwd | grep root'],
  async run(ctx) {
    const targets = imageTargets(ctx.options.operands);
    return withSession(ctx, targets[0]!, true, async ({ session: s, checkInterrupted }) => {
      const write =
        ctx.io.outBytes ?? ((b: Uint8Array) => ctx.io.out(Buffer.from(b).toString('latin1')));
      for (const t of targets) {
        // read(2) of a directory is allowed by ffs (raw entries); cat refuses it, as on Linux.
        if (fileTypeOfMode((await s.stat(t.path!)).mode) === 'dir')
          throw new SessionError('EISDIR', t.path!);
        await readWhole(s, t.path!, write, checkInterrupted);
      }
      return 0;
    });
  },
};

export const stat: Command = {
  name: 'stat',
  group: 'files',
  usage: ['stat [-L] IMAGE:PATH...'],
  summary: 'show inode details of files inside an image',
  description: `Prints struct stat of each PATH: type, mode, inode, links, owner, size, blocks, flags and the four times. Symlinks are described themselves unless -L is given. ${TARGET_HELP}`,
  options: [{ long: 'dereference', short: 'L', kind: 'flag', help: 'follow symlinks' }],
  operands: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: ['rump stat ffs.img:/etc/passwd', 'rump stat --json ffs.img:/bin/sh'],
  async run(ctx) {
    const targets = imageTargets(ctx.options.operands);
    const follow = ctx.options.flag('dereference');
    return withSession(ctx, targets[0]!, true, async ({ session: s }) => {
      const json: unknown[] = [];
      const out: string[] = [];
      for (const t of targets) {
        const st = follow ? await s.stat(t.path!) : await s.lstat(t.path!);
        const target = fileTypeOfMode(st.mode) === 'lnk' ? await s.readlink(t.path!) : undefined;
        const isDevice = fileTypeOfMode(st.mode) === 'chr' || fileTypeOfMode(st.mode) === 'blk';
        json.push(statJson(t.path!, st, target === undefined ? {} : { target }));
        out.push(
          `  File: ${t.path}${target === undefined ? '' : ` -> ${target}`}`,
          `  Type: ${fileTypeOfMode(st.mode)}  Mode: 0${(st.mode & 0o7777).toString(8)} (${modeString(st.mode)})  Flags: 0x${st.flags.toString(16)}`,
          ` Inode: ${st.ino}  Links: ${st.nlink}  Uid: ${st.uid}  Gid: ${st.gid}  Gen: ${st.gen}`,
          `  Size: ${st.size}  Blocks: ${st.blocks}  IO Block: ${st.blksize}${isDevice ? `  Device: ${st.rdev}` : ''}`,
          `Access: ${isoTime(st.atime)}`,
          `Modify: ${isoTime(st.mtime)}`,
          `Change: ${isoTime(st.ctime)}`,
          ` Birth: ${isoTime(st.birthtime)}`,
        );
      }
      if (ctx.global.json) ctx.json(json);
      else ctx.io.out(`${out.join('\n')}\n`);
      return 0;
    });
  },
};

export const df: Command = {
  name: 'df',
  group: 'files',
  usage: ['df [-h] IMAGE[:PATH]'],
  summary: 'show free space and inodes of the file system in an image',
  description: `Prints struct statvfs of the mounted file system: size, used, available (for non-root users), inodes and mount flags. ${TARGET_HELP}`,
  options: [{ long: 'human-readable', short: 'h', kind: 'flag', help: 'sizes in KiB, MiB, GiB' }],
  operands: { min: 1, max: 1 },
  examples: ['rump df ffs.img', 'rump df --json disk.img@1a'],
  async run(ctx) {
    const [t] = imageTargets(ctx.options.operands, false);
    return withSession(ctx, t!, true, async ({ session: s }) => {
      const v = await s.statvfs(t!.path ?? '/');
      const size = v.blocks * v.frsize;
      const free = v.bfree * v.frsize;
      const avail = v.bavail * v.frsize;
      if (ctx.global.json) {
        ctx.json({ ...v, sizeBytes: size, usedBytes: size - free, availBytes: avail });
        return 0;
      }
      const fmt = (n: number) =>
        ctx.options.flag('human-readable') ? humanBytes(n) : String(Math.floor(n / 1024));
      const rows = [
        [
          'Filesystem',
          'Type',
          ctx.options.flag('human-readable') ? 'Size' : '1K-blocks',
          'Used',
          'Avail',
          'Capacity',
          'iused',
          'ifree',
        ],
        [
          t!.image,
          v.fstypename,
          fmt(size),
          fmt(size - free),
          fmt(avail),
          `${size ? Math.round(((size - free) / (size - free + avail || 1)) * 100) : 0}%`,
          String(v.files - v.ffree),
          String(v.ffree),
        ],
      ];
      ctx.io.out(`${columns(rows, [2, 3, 4, 5, 6, 7]).join('\n')}\n`);
      return 0;
    });
  },
};
