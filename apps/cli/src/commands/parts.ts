/** `rump parts IMAGE`: the partitions of a whole-disk image (GPT, MBR, NetBSD disklabels). */
import type { Command } from '../cli/command.js';
import { parseTarget } from '../cli/target.js';
import { SliceSource } from '../disk/image.js';
import { scanPartitions } from '../disk/partitions.js';
import { columns, humanBytes } from '../format.js';
import { detectFileSystem } from '../fsdetect.js';
import { openImageFile } from '../image-source.js';

export const parts: Command = {
  name: 'parts',
  group: 'images',
  usage: ['parts [--no-detect] IMAGE'],
  summary:
    'list the partitions of a disk image (GPT, MBR, NetBSD disklabel) and their file systems',
  description:
    'Reads the partition tables of a whole-disk image the way NetBSD does: a GPT (behind a protective MBR; header and entry CRCs checked, the backup used when the primary is damaged), an MBR with its extended/logical partitions, and NetBSD disklabels inside NetBSD (0xa9) MBR partitions or at the start of the disk (checksum verified, either byte order). The ID column is what IMAGE@ID and --partition take: N for a GPT or MBR entry, Nx for disklabel partition x inside MBR partition N, x for a disklabel at the start of the disk. The FS column is what `rump detect` finds there. Large images are read with positioned reads, never loaded whole.',
  options: [
    { long: 'no-detect', kind: 'flag', help: 'do not look for file systems in the partitions' },
  ],
  operands: { min: 1, max: 1 },
  examples: ['rump parts disk.img', 'rump ls disk.img@1a:/etc', 'rump parts --json disk.img'],
  async run(ctx) {
    const target = parseTarget(ctx.options.operands[0]!);
    const file = openImageFile(target.image);
    try {
      const scan = scanPartitions(file);
      const detect = !ctx.options.flag('no-detect');
      const fsOf = (offset: number, size: number) => {
        if (!detect || size === 0) return undefined;
        return detectFileSystem(new SliceSource(file, offset, size)).best;
      };
      const rows = scan.partitions.map((p) => {
        const fs = p.container || p.raw ? undefined : fsOf(p.offset, p.size);
        return { ...p, fs };
      });
      if (ctx.global.json) {
        ctx.json({
          image: target.image,
          size: file.size,
          schemes: scan.schemes,
          partitions: rows.map((r) => ({
            ...r,
            fs: r.fs
              ? {
                  fs: r.fs.fs,
                  module: r.fs.module ?? null,
                  variant: r.fs.variant ?? null,
                  label: r.fs.label ?? null,
                }
              : null,
          })),
          disklabels: scan.disklabels,
          notes: scan.notes,
        });
        return 0;
      }
      const out: string[] = [];
      const kind = scan.schemes.length
        ? scan.schemes
            .map((s) => (s === 'mbr' ? 'MBR' : s === 'gpt' ? 'GPT' : 'disklabel'))
            .join(' + ')
        : 'no partition table';
      out.push(`${target.image}: ${humanBytes(file.size)} (${file.size} bytes), ${kind}`);
      if (rows.length) {
        const table = [['ID', 'START', 'SECTORS', 'SIZE', 'TYPE', 'NAME', 'FS']];
        for (const r of rows) {
          const fsText = r.container
            ? '(extended)'
            : r.raw
              ? '(raw: whole)'
              : r.fs
                ? `${r.fs.fs}${r.fs.variant ? ` — ${r.fs.variant}` : ''}${r.fs.label ? ` '${r.fs.label}'` : ''}`
                : '';
          table.push([
            r.id,
            String(r.offset / r.sectorSize),
            String(r.size / r.sectorSize),
            humanBytes(r.size),
            `${r.type}${r.scheme === 'mbr' ? ` (${r.typeCode})` : ''}`,
            r.name,
            fsText,
          ]);
        }
        out.push(...columns(table, [1, 2, 3]));
      } else {
        const whole = fsOf(0, file.size);
        if (whole)
          out.push(
            `the whole image holds ${whole.fs}${whole.variant ? ` (${whole.variant})` : ''}: use it without @N`,
          );
      }
      for (const n of scan.notes) out.push(`note: ${n}`);
      ctx.io.out(`${out.join('\n')}\n`);
      return 0;
    } finally {
      file.close();
    }
  },
};
