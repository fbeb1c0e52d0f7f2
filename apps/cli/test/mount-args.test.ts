/**
 * Mount arguments per file system (src/mount-args.ts), and the CLI on NetBSD's msdos.kmod and
 * cd9660.kmod when RUMP_TEST_MSDOS_KMOD / RUMP_TEST_CD9660_KMOD and RUMP_TEST_SECOND_IMAGES (a
 * folder with msdos.img, cd9660.img and the tree they were made from) are set.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkfsTinyfs } from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';
import { describeModuleFile } from '../src/modules.js';
import { MOUNTABLE_FILESYSTEMS, mountArgsFor, mountTypeFor } from '../src/mount-args.js';
import { openRumpSession } from '../src/rump-session.js';
import type { MountPlan } from '../src/session.js';
import { TINYFS_KMOD } from './support/modules.js';
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
  it('gives struct udf_args (version 1, fspec at 8, nobody mappings) for udf', () => {
    const a = mountArgsFor('udf', '/dev/x');
    expect(a?.bytes.length).toBe(80);
    expect(a?.strings).toEqual([{ offset: 8, value: '/dev/x' }]);
    const b = a?.bytes ?? new Uint8Array(80);
    expect([0, 16, 28, 32, 36, 40, 44].map((o) => u32(b, o))).toEqual([
      1, 0, 32767, 39, 32767, 39, 0,
    ]);
  });
  it('gives struct ntfs_args (root, 0755) for ntfs', () => {
    const a = mountArgsFor('ntfs', '/dev/x');
    expect(a?.bytes.length).toBe(160);
    expect(a?.strings).toEqual([{ offset: 0, value: '/dev/x' }]);
    const b = a?.bytes ?? new Uint8Array(160);
    expect([136, 140, 144, 152, 156].map((o) => u32(b, o))).toEqual([0, 0, 0o755, 0, 0]);
  });
  it('gives struct v7fs_args with the byte order detection found', () => {
    const endian = (variant?: string) =>
      u32(
        mountArgsFor('v7fs', '/dev/x', variant ? { variant } : {})?.bytes ?? new Uint8Array(16),
        8,
      );
    expect(mountArgsFor('v7fs', '/dev/x')?.bytes.length).toBe(16);
    expect(endian()).toBe(1234);
    expect(endian('V7, little-endian, 2048 sectors')).toBe(1234);
    expect(endian('V7, big-endian, 2048 sectors')).toBe(4321);
    expect(endian('V7, PDP-endian, 2048 sectors')).toBe(3412);
  });
  it('gives struct tmpfs_args (version 1, root 0755, no device) for tmpfs', () => {
    const a = mountArgsFor('tmpfs', '/dev/x');
    expect(a?.bytes.length).toBe(40);
    expect(a?.strings).toEqual([]);
    const b = a?.bytes ?? new Uint8Array(40);
    expect([0, 24, 28, 32].map((o) => u32(b, o))).toEqual([1, 0, 0, 0o755]);
  });
  it("mounts ados as NetBSD's adosfs, with struct adosfs_args", () => {
    expect(mountTypeFor('ados')).toBe('adosfs');
    expect(mountTypeFor('ffs')).toBe('ffs');
    expect(mountArgsFor('ados', '/dev/x')?.bytes.length).toBe(152);
  });
  it('knows nothing of other file systems', () => {
    expect(mountArgsFor('zfs', '/dev/x')).toBeUndefined();
    expect(mountArgsFor('toString', '/dev/x')).toBeUndefined();
    expect(MOUNTABLE_FILESYSTEMS).toEqual(
      expect.arrayContaining(['msdos', 'cd9660', 'udf', 'ntfs', 'v7fs', 'tmpfs', 'ext2fs']),
    );
  });
});

describe('the session passes the args struct to mount(2)', () => {
  const image = join(mkdtempSync(join(tmpdir(), 'rump-margs-')), 'fs.img');
  writeFileSync(image, mkfsTinyfs({ entries: {} }));
  const plan = (fs: string, variant?: string): MountPlan => ({
    image,
    offset: 0,
    size: statSync(image).size,
    partition: undefined,
    fs,
    fsSource: variant ? 'detected' : 'option',
    detection: variant
      ? {
          tried: [],
          matches: [],
          best: { fs, module: fs, matched: true, variant, reason: 'test' },
        }
      : undefined,
    modules: [describeModuleFile(TINYFS_KMOD)],
    modulePath: [],
    readOnly: true,
    verbose: 0,
  });
  // No udf/ntfs/v7fs module exists here: mount(2) fails for want of the file system, after the
  // trace shows what it was given.
  const mountLine = async (fs: string, variant?: string) => {
    const lines: string[] = [];
    await expect(
      openRumpSession(plan(fs, variant), { trace: (l) => lines.push(l) }),
    ).rejects.toThrow(/mounting it as/);
    return lines.find((l) => l.startsWith('CALL mount('));
  };

  it('udf', async () => {
    expect(await mountLine('udf')).toBe(
      'CALL mount("udf", "/mnt", 1, {80 bytes, @0=0x1, @8="/dev/rumpimg", @28=0x7fff, @32=0x27, @36=0x7fff, @40=0x27})',
    );
  });
  it('ntfs', async () => {
    expect(await mountLine('ntfs')).toBe(
      'CALL mount("ntfs", "/mnt", 1, {160 bytes, @0="/dev/rumpimg", @144=0x1ed})',
    );
  });
  it('v7fs, big-endian as detected', async () => {
    expect(await mountLine('v7fs', 'V7, big-endian, 256 sectors')).toBe(
      'CALL mount("v7fs", "/mnt", 1, {16 bytes, @0="/dev/rumpimg", @8=0x10e1})',
    );
  });
  it('tmpfs, which names no device', async () => {
    expect(await mountLine('tmpfs')).toBe(
      'CALL mount("tmpfs", "/mnt", 1, {40 bytes, @0=0x1, @32=0x1ed})',
    );
  });
  it('ados as adosfs', async () => {
    expect(await mountLine('ados')).toBe(
      'CALL mount("adosfs", "/mnt", 1, {152 bytes, @0="/dev/rumpimg", @144=0x1ed})',
    );
  });
  it('and a refusal names the file systems it knows', async () => {
    await expect(openRumpSession(plan('zfs'))).rejects.toThrow(/only for ffs, .*udf, ntfs, v7fs/);
  });
});

const MSDOS = process.env.RUMP_TEST_MSDOS_KMOD;
const CD9660 = process.env.RUMP_TEST_CD9660_KMOD;
const IMAGES = process.env.RUMP_TEST_SECOND_IMAGES;

describe('other file systems with NetBSD modules', () => {
  /** rump ls finds a_directory in images/NAME, and rump cat reads its README as in the tree. */
  async function lsAndCat(kmod: string, name: string, listing: RegExp) {
    const img = join(IMAGES ?? '', name);
    const ls = await runRump('-m', kmod, 'ls', img);
    expect(ls.err).toBe('');
    expect(ls.status).toBe(0);
    expect(ls.out).toMatch(listing);
    const cat = await runRump('-m', kmod, 'cat', `${img}:/a_directory/README`);
    expect(cat.status).toBe(0);
    expect(cat.out).toBe(readFileSync(join(IMAGES ?? '', 'tree/a_directory/README'), 'utf8'));
  }

  it.skipIf(!MSDOS || !IMAGES)(
    'rump ls / cat on a FAT image with msdos.kmod (needs RUMP_TEST_MSDOS_KMOD, RUMP_TEST_SECOND_IMAGES)',
    () => lsAndCat(MSDOS ?? '', 'msdos.img', /a_directory/i),
  );

  it.skipIf(!CD9660 || !IMAGES)(
    'rump ls / cat on an ISO 9660 image with cd9660.kmod (needs RUMP_TEST_CD9660_KMOD, RUMP_TEST_SECOND_IMAGES)',
    () => lsAndCat(CD9660 ?? '', 'cd9660.img', /a_directory/),
  );
});
