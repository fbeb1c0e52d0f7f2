/** `rump detect IMAGE[@N]`: which file system is there, and what each probe answered. */
import type { Command } from '../cli/command.js';
import { OperationError } from '../cli/errors.js';
import { formatTarget, parseTarget } from '../cli/target.js';
import { scanPartitions } from '../disk/partitions.js';
import { detectFileSystem, NOT_PROBED } from '../fsdetect.js';
import { openRegion } from '../image-source.js';

export const detect: Command = {
  name: 'detect',
  group: 'images',
  usage: ['detect IMAGE[@PART]'],
  summary: 'identify the file system on an image or partition, with the reason for each type tried',
  description:
    "Runs the superblock checks NetBSD's file systems make (FFSv1/v2 in both byte orders at 0, 8192, 65536 and 262144 as ffs searches, LFS, ext2/3/4, FAT12/16/32, NTFS, ISO 9660, UDF, HFS+, NILFS, EFS, SysV BFS, ADOS, v7fs, the project's tinyfs; ZFS, Minix, exFAT, XFS and Btrfs are recognised to say NetBSD cannot mount them) and prints what matched and, for every other type, why not. This is how the file-system type, and so the module, is chosen when --fs is not given. Exit status 1 when nothing matched.",
  options: [],
  operands: { min: 1, max: 1 },
  examples: [
    'rump detect ffs.img',
    'rump detect disk.img@1a',
    'rump detect --offset 32256 disk.img',
  ],
  async run(ctx) {
    const target = parseTarget(ctx.options.operands[0]!);
    const region = openRegion(target, ctx.global);
    try {
      const d = detectFileSystem(region.source);
      const where = formatTarget({
        ...target,
        partition: region.partition?.id ?? target.partition,
        path: undefined,
      });
      let hint: string | undefined;
      if (!d.best && region.partition === undefined && region.offset === 0) {
        const scan = scanPartitions(region.file);
        if (scan.partitions.length)
          hint = `${target.image} is a partitioned disk (${scan.schemes.join(' + ')}): try ${scan.partitions
            .filter((p) => !p.container)
            .map((p) => `${target.image}@${p.id}`)
            .slice(0, 4)
            .join(', ')} (rump parts ${target.image})`;
      }
      if (ctx.global.json) {
        ctx.json({
          target: where,
          offset: region.offset,
          size: region.size,
          best: d.best ?? null,
          tried: d.tried,
          notProbed: NOT_PROBED,
          hint: hint ?? null,
        });
        return d.best ? 0 : 1;
      }
      const lines: string[] = [];
      if (d.best)
        lines.push(
          `${where}: ${d.best.fs}${d.best.variant ? ` (${d.best.variant})` : ''}${d.best.label ? ` label '${d.best.label}'` : ''}`,
          `  module: ${d.best.module ? `${d.best.module}.kmod` : 'none (NetBSD has no driver for it)'}`,
        );
      for (const t of d.tried)
        lines.push(`  ${t.matched ? '+' : '-'} ${t.fs.padEnd(8)} ${t.reason}`);
      if (d.best) {
        ctx.io.out(`${lines.join('\n')}\n`);
        return 0;
      }
      ctx.io.out(`${lines.join('\n')}\n`);
      throw new OperationError(hint ?? 'no file system recognised (reasons above)', {
        subject: where,
        errno: 'EFTYPE',
      });
    } finally {
      region.file.close();
    }
  },
};
