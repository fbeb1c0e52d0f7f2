/**
 * The real NetBSD ffs.kmod over the I/O path (RUMP_TEST_FFS_KMOD, ufs.kmod beside it or in
 * RUMP_TEST_MODULE_PATH): FFSv1 and FFSv2 images made by makefs mount read-only, every file
 * reads back with the SHA-256 of its source, symlinks read back, and the image is byte-for-byte
 * unchanged afterwards. A read-write mount writes through the page cache and the buffer cache;
 * a second kernel reads the new bytes, and the superblock says clean after the unmount.
 * The tiny images are committed fixtures; the full ones are read from /work/netbsd/images
 * (RUMP_TEST_FFS_IMAGES) when present.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { mnt } from '../src/abi/netbsd-10.99/constants.js';
import { createKernel, type Kernel } from '../src/index.js';
import { writeStress } from './support/io.js';

const ffsPath = process.env.RUMP_TEST_FFS_KMOD;
const moduleDir = process.env.RUMP_TEST_MODULE_PATH ?? (ffsPath ? dirname(ffsPath) : undefined);
const ufsPath = moduleDir ? join(moduleDir, 'ufs.kmod') : undefined;
const have = !!ffsPath && existsSync(ffsPath) && !!ufsPath && existsSync(ufsPath);
const imagesDir = process.env.RUMP_TEST_FFS_IMAGES ?? '/work/netbsd/images';
const haveImages =
  existsSync(join(imagesDir, 'ffs1.img')) && existsSync(join(imagesDir, 'tree.sha256'));

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const fixture = (name: string) =>
  new Uint8Array(gunzipSync(readFileSync(join(__dirname, 'fixtures', `${name}.img.gz`))));
const TINY_README = 'bfe88787c2c4dc3ca459b5b4daa586332493917996c2f9ac5c4d4f8ea4223461';
/** struct fs (ufs/ffs/fs.h): fs_clean, a byte at 0xd1 of the superblock; FS_ISCLEAN 1. */
const FS_CLEAN_OFFSET = 0xd1;

function boot(img: Uint8Array): { k: Kernel; host: MemoryHost } {
  const host = new MemoryHost();
  host.addFile('/m/ffs.kmod', readFileSync(ffsPath!));
  host.addFile('/m/ufs.kmod', readFileSync(ufsPath!));
  host.addFile('/img/ffs.img', img);
  const k = createKernel({ host, modulePath: ['/m'] });
  k.etfs.register('/ffs.kmod', '/m/ffs.kmod', 'REG');
  k.modctl('load', { filename: '/ffs.kmod' });
  k.etfs.register('/dev/ffs', '/img/ffs.img', 'BLK');
  k.vfs.mkdir('/mnt');
  return { k, host };
}

/** The superblock: at 8192 in makefs images (both UFS1 and UFS2), else at 65536; fs_magic at 0x55c. */
function fsClean(img: Uint8Array): number {
  const magicAt = (off: number) =>
    new DataView(img.buffer, img.byteOffset).getUint32(off + 0x55c, true);
  const sb = [0x011954, 0x19540119].includes(magicAt(8192)) ? 8192 : 65536;
  return img[sb + FS_CLEAN_OFFSET]!;
}

describe.skipIf(!have)('ffs.kmod over the I/O path (needs RUMP_TEST_FFS_KMOD)', () => {
  for (const v of ['tiny-ffs1', 'tiny-ffs2']) {
    it(`${v}: read-only mount reads README; the image is unchanged and nothing was written`, () => {
      const img = fixture(v);
      const before = sha(img);
      const { k, host } = boot(img.slice());
      k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', mnt.MNT_RDONLY);
      expect(k.vfs.readdir('/mnt/a_directory').map((d) => d.name)).toContain('README');
      expect(sha(k.vfs.readFile('/mnt/a_directory/README'))).toBe(TINY_README);
      k.vfs.unmount('/mnt');
      expect(k.io.rumpblk.stats.bytesWritten).toBe(0);
      expect(k.io.bufcache.stats.buffers).toBe(0);
      expect(k.io.pages.stats.resident).toBe(0);
      expect(sha(host.readFile('/img/ffs.img'))).toBe(before);
    });

    it(`${v}: read-write mount, replace README's contents, unmount clean; a new kernel reads them`, () => {
      const img = fixture(v);
      const { k, host } = boot(img);
      k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', 0);
      const text = new TextEncoder().encode('Is that a rump kernel in your pocket?\n'.repeat(200));
      const f = k.vfs.open('/mnt/a_directory/README', 0x2 /* O_RDWR */);
      expect(k.vfs.pwrite(f, text, 0)).toBe(text.length);
      k.vfs.close(f);
      k.vfs.unmount('/mnt');
      const after = host.readFile('/img/ffs.img');
      expect(fsClean(after)).toBe(1);
      const again = boot(after.slice());
      again.k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', mnt.MNT_RDONLY);
      expect(sha(again.k.vfs.readFile('/mnt/a_directory/README'))).toBe(sha(text));
      again.k.vfs.unmount('/mnt');
      expect(sha(again.host.readFile('/img/ffs.img'))).toBe(sha(after));
    });
  }

  it('tiny-ffs2: odd-offset writes and truncations match a model, through sync, unmount and remount', () => {
    const { k, host } = boot(fixture('tiny-ffs2'));
    k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', 0);
    const check = (what: string, got: Uint8Array, want: Uint8Array) =>
      expect(`${what}: ${got.length} ${sha(got)}`).toBe(`${what}: ${want.length} ${sha(want)}`);
    const want = writeStress(
      k,
      '/mnt/stress.bin',
      { span: 300_000, rounds: 40, maxWrite: 20_000, seed: 7 },
      check,
    );
    k.vfs.sync();
    check('after sync', k.vfs.readFile('/mnt/stress.bin'), want);
    k.vfs.unmount('/mnt');
    const after = host.readFile('/img/ffs.img');
    expect(fsClean(after)).toBe(1);
    const again = boot(after.slice());
    again.k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', mnt.MNT_RDONLY);
    check('after remount', again.k.vfs.readFile('/mnt/stress.bin'), want);
    expect(sha(again.k.vfs.readFile('/mnt/a_directory/README'))).toBe(TINY_README);
    again.k.vfs.unmount('/mnt');
  });

  describe.skipIf(!haveImages)(
    'full makefs images (needs the images in RUMP_TEST_FFS_IMAGES)',
    () => {
      const sums = haveImages
        ? readFileSync(join(imagesDir, 'tree.sha256'), 'utf8')
            .trim()
            .split('\n')
            .map((l) => [l.slice(66).replace(/^\.\//, ''), l.slice(0, 64)] as const)
        : [];
      const links = haveImages
        ? readFileSync(join(imagesDir, 'tree.symlinks'), 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.replace(/^\.\//, '').split(' -> ') as [string, string])
        : [];
      for (const v of ['ffs1', 'ffs2']) {
        it(`${v}.img: every file's SHA-256, every symlink, image unchanged`, () => {
          const img = new Uint8Array(readFileSync(join(imagesDir, `${v}.img`)));
          const before = sha(img);
          const { k, host } = boot(img);
          k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', mnt.MNT_RDONLY);
          for (const [path, sum] of sums)
            expect(`${path} ${sha(k.vfs.readFile(`/mnt/${path}`))}`).toBe(`${path} ${sum}`);
          for (const [path, target] of links)
            expect(new TextDecoder().decode(k.vfs.readlink(`/mnt/${path}`))).toBe(target);
          k.vfs.unmount('/mnt');
          expect(k.io.rumpblk.stats.bytesWritten).toBe(0);
          expect(sha(host.readFile('/img/ffs.img'))).toBe(before);
        });

        it(`${v}.img: a 3 MiB file written at odd offsets and truncated survives unmount and remount`, () => {
          const { k, host } = boot(new Uint8Array(readFileSync(join(imagesDir, `${v}.img`))));
          k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', 0);
          const check = (what: string, got: Uint8Array, want: Uint8Array) =>
            expect(`${what}: ${got.length} ${sha(got)}`).toBe(
              `${what}: ${want.length} ${sha(want)}`,
            );
          const opts = { span: 3 << 20, rounds: 60, maxWrite: 65_000, seed: 11 };
          const want = writeStress(k, '/mnt/stress.bin', opts, check);
          k.vfs.unmount('/mnt');
          const again = boot(host.readFile('/img/ffs.img').slice());
          again.k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', mnt.MNT_RDONLY);
          check('after remount', again.k.vfs.readFile('/mnt/stress.bin'), want);
          for (const [path, sum] of sums.slice(0, 40))
            expect(sha(again.k.vfs.readFile(`/mnt/${path}`))).toBe(sum);
          again.k.vfs.unmount('/mnt');
        });
      }
    },
  );
});
