/**
 * Mount arguments per file system (src/mount-args.ts), and the CLI on NetBSD's msdos.kmod and
 * cd9660.kmod when RUMP_TEST_MSDOS_KMOD / RUMP_TEST_CD9660_KMOD and RUMP_TEST_SECOND_IMAGES (a
 * folder with msdos.img, cd9660.img and the tree they were made from) are set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOUNTABLE_FILESYSTEMS, mountArgsFor } from '../src/mount-args.js';
import { runRump } from './support/run.js';

const u32 = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);

describe('mountArgsFor', () => {
  it('gives struct ufs_args for ffs, lfs, ext2fs and tinyfs', () => {
    for (const fs of ['ffs', 'lfs', 'ext2fs', 'tinyfs']) {
      const a = mountArgsFor(fs, '/dev/rumpimg');
      expect(a?.bytes.length).toBe(8);
      expect(a?.strings).toEqual([{ offset: 0, value: '/dev/rumpimg' }]);
    }
  });
  it('gives struct msdosfs_args (version 3, masks 0755, root) for msdos', () => {
    const a = mountArgsFor('msdos', '/dev/x');
    expect(a?.bytes.length).toBe(168);
    expect(a?.strings).toEqual([{ offset: 0, value: '/dev/x' }]);
    const b = a?.bytes ?? new Uint8Array(168);
    expect([u32(b, 136), u32(b, 140), u32(b, 144), u32(b, 152), u32(b, 156)]).toEqual([
      0, 0, 0o755, 3, 0o755,
    ]);
  });
  it('gives struct iso_args (fmask/dmask 0777) for cd9660', () => {
    const a = mountArgsFor('cd9660', '/dev/x');
    expect(a?.bytes.length).toBe(160);
    const b = a?.bytes ?? new Uint8Array(160);
    expect([u32(b, 136), u32(b, 148), u32(b, 152)]).toEqual([0, 0o777, 0o777]);
  });
  it('knows nothing of other file systems', () => {
    expect(mountArgsFor('udf', '/dev/x')).toBeUndefined();
    expect(mountArgsFor('toString', '/dev/x')).toBeUndefined();
    expect(MOUNTABLE_FILESYSTEMS).toContain('msdos');
  });
});

const MSDOS = process.env.RUMP_TEST_MSDOS_KMOD;
const CD9660 = process.env.RUMP_TEST_CD9660_KMOD;
const IMAGES = process.env.RUMP_TEST_SECOND_IMAGES;

const rump = runRump;

describe('other file systems with NetBSD modules', () => {
  const readme = () => readFileSync(join(IMAGES ?? '', 'tree/a_directory/README'), 'utf8');

  it.skipIf(!MSDOS || !IMAGES)(
    'rump ls / cat on a FAT image with msdos.kmod (needs RUMP_TEST_MSDOS_KMOD, RUMP_TEST_SECOND_IMAGES)',
    async () => {
      const img = join(IMAGES ?? '', 'msdos.img');
      const ls = await rump('-m', MSDOS ?? '', 'ls', img);
      expect(ls.err).toBe('');
      expect(ls.status).toBe(0);
      expect(ls.out).toMatch(/a_directory/i);
      const cat = await rump('-m', MSDOS ?? '', 'cat', `${img}:/a_directory/README`);
      expect(cat.status).toBe(0);
      expect(cat.out).toBe(readme());
    },
  );

  it.skipIf(!CD9660 || !IMAGES)(
    'rump ls / cat on an ISO 9660 image with cd9660.kmod (needs RUMP_TEST_CD9660_KMOD, RUMP_TEST_SECOND_IMAGES)',
    async () => {
      const img = join(IMAGES ?? '', 'cd9660.img');
      const ls = await rump('-m', CD9660 ?? '', 'ls', img);
      expect(ls.err).toBe('');
      expect(ls.status).toBe(0);
      expect(ls.out).toMatch(/a_directory/);
      const cat = await rump('-m', CD9660 ?? '', 'cat', `${img}:/a_directory/README`);
      expect(cat.status).toBe(0);
      expect(cat.out).toBe(readme());
    },
  );
});
