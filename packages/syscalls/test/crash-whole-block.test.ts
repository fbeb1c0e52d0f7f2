/**
 * Crash safety, the block-device half: every host write the kernel makes to an image is a
 * whole number of aligned sectors, one host transfer per buffer (as rumpblk's dostrategy issues
 * one rumpuser_bio per struct buf), so a crash can only leave whole buffers old or new; and a
 * read-only mount never writes the image at all.
 */
import { describe, expect, it } from 'vitest';
import { MNT, O, type Rump } from '../src/index.js';
import { bootTinyfs, checkTinyfs, mkfsTinyfs } from './support.js';
import {
  bootFfs,
  ffsFixture,
  HAVE_FFS,
  misalignedTransfers,
  NEED_FFS,
  RecordingMemoryHost,
  readFfsSuperblock,
  sha256,
  snapshotTree,
} from './support-crash.js';

const SECTOR = 512;
const TINYFS_BSIZE = 4096;
/** MAXPHYS on amd64: the largest single transfer genfs or the buffer cache asks for. */
const MAXPHYS = 65536;

/** Deterministic bytes for a file: a seeded xorshift stream. */
function pattern(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A write-heavy workload: many small files, large files at odd offsets and sizes, a hole,
 * truncation both ways, renames across directories, removals, fsync and sync.
 */
function workload(rump: Rump, big: number): void {
  const { sys, fs } = rump;
  fs.mkdir('/mnt/w/a/b', { recursive: true });
  fs.mkdir('/mnt/w/c', { recursive: true });
  for (let i = 0; i < 20; i++) fs.writeFile(`/mnt/w/a/f${i}`, pattern(i, 1 + i * 37));
  const fd = sys.open('/mnt/w/big', O.RDWR | O.CREAT, 0o644);
  sys.pwrite(fd, pattern(100, big), 0);
  sys.pwrite(fd, pattern(101, 3001), 777);
  sys.pwrite(fd, pattern(102, 1234), big + 5000); // leaves a hole before it
  sys.fsync(fd);
  sys.ftruncate(fd, 10_001);
  sys.ftruncate(fd, 20_003);
  sys.pwrite(fd, pattern(103, 513), 4095);
  sys.close(fd);
  for (let i = 0; i < 20; i += 2) sys.rename(`/mnt/w/a/f${i}`, `/mnt/w/c/g${i}`);
  for (let i = 1; i < 20; i += 4) sys.unlink(`/mnt/w/a/f${i}`);
  fs.writeFile('/mnt/w/a/b/deep', pattern(7, 9000));
  sys.symlink('../big', '/mnt/w/a/link');
  sys.sync();
  fs.remove('/mnt/w/a/b', { recursive: true });
}

describe('crash safety: whole-block host I/O on tinyfs', () => {
  it('writes the image only in whole, aligned 4 KiB blocks, one host write per buffer', () => {
    const host = new RecordingMemoryHost();
    host.addFile('/host/fs.img', mkfsTinyfs({ spareBlocks: 200, spareInodes: 64 }));
    const rump = bootTinyfs(host);
    rump.sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
    workload(rump, 70_000);
    const before = snapshotTree(rump, '/mnt');
    const stats = rump.kernel.io.rumpblk.stats;
    expect(rump.sys.reboot(0)).toBe(true);

    const writes = host.writes('/host/fs.img');
    expect(writes.length).toBeGreaterThan(10);
    expect(misalignedTransfers(writes, SECTOR)).toEqual([]);
    // tinyfs's buffers and pages are its 4 KiB block: nothing smaller or unaligned reaches the host.
    expect(misalignedTransfers(writes, TINYFS_BSIZE, MAXPHYS)).toEqual([]);
    // Every byte rumpblk counted as written went out in these transfers: one host write per buf.
    expect(writes.reduce((n, t) => n + t.length, 0)).toBe(stats.bytesWritten);

    const image = host.readFile('/host/fs.img');
    const check = checkTinyfs(image);
    expect(check.problems).toEqual([]);
    expect(check.clean).toBe(true);
    const again = bootTinyfs(new RecordingMemoryHost({ files: { '/host/fs.img': image } }));
    again.sys.mount('tinyfs', '/mnt', MNT.RDONLY, { fspec: '/img' });
    expect(snapshotTree(again, '/mnt')).toEqual(before);
  });
});

describe('crash safety: whole-block host I/O on the real ffs', () => {
  it.skipIf(!HAVE_FFS).each(['tiny-ffs1.img', 'tiny-ffs2.img'] as const)(
    `%s: every host write is whole fragments, at most MAXPHYS ${NEED_FFS}`,
    (img) => {
      const host = new RecordingMemoryHost();
      host.addFile('/host/ffs.img', ffsFixture(img));
      const sb = readFfsSuperblock(host.readFile('/host/ffs.img'));
      const rump = bootFfs(host);
      rump.sys.mount('ffs', '/mnt', 0, { fspec: '/ffsimg' });
      workload(rump, 70_000);
      const before = snapshotTree(rump, '/mnt');
      const stats = rump.kernel.io.rumpblk.stats;
      expect(rump.sys.reboot(0)).toBe(true);

      const writes = host.writes('/host/ffs.img');
      expect(writes.length).toBeGreaterThan(5);
      expect(misalignedTransfers(writes, SECTOR)).toEqual([]);
      // ffs reads and writes whole fragments (the superblock and cylinder groups included).
      expect(misalignedTransfers(writes, sb.fsize, MAXPHYS)).toEqual([]);
      expect(writes.reduce((n, t) => n + t.length, 0)).toBe(stats.bytesWritten);

      const image = host.readFile('/host/ffs.img');
      expect(readFfsSuperblock(image).clean).toBe(1); // FS_ISCLEAN after the clean unmount
      const again = bootFfs(new RecordingMemoryHost({ files: { '/host/ffs.img': image } }));
      again.sys.mount('ffs', '/mnt', MNT.RDONLY, { fspec: '/ffsimg' });
      expect(snapshotTree(again, '/mnt')).toEqual(before);
    },
  );
});

describe('crash safety: a read-only mount never writes the image', () => {
  it('tinyfs: mount -r, walk and read everything, reboot: not one host write, same bytes', () => {
    const image = mkfsTinyfs({
      entries: {
        d: {
          type: 'dir',
          entries: {
            f: { type: 'file', content: pattern(1, 50_000) },
            h: { type: 'file', content: 'x', size: 100_000, sparse: true },
          },
        },
        l: { type: 'symlink', target: 'd/f' },
      },
    });
    const host = new RecordingMemoryHost();
    host.addFile('/host/fs.img', image);
    const hash = sha256(image);
    const rump = bootTinyfs(host);
    rump.sys.mount('tinyfs', '/mnt', MNT.RDONLY, { fspec: '/img' });
    const tree = snapshotTree(rump, '/mnt');
    expect(tree.size).toBe(5); // /mnt, d, d/f, d/h, l
    rump.sys.sync();
    expect(rump.sys.reboot(0)).toBe(true);
    expect(host.writes('/host/fs.img')).toEqual([]);
    expect(sha256(host.readFile('/host/fs.img'))).toBe(hash);
  });

  it.skipIf(!HAVE_FFS).each(['tiny-ffs1.img', 'tiny-ffs2.img'] as const)(
    `ffs %s: mount -r, walk, reboot: not one host write ${NEED_FFS}`,
    (img) => {
      const host = new RecordingMemoryHost();
      host.addFile('/host/ffs.img', ffsFixture(img));
      const hash = sha256(host.readFile('/host/ffs.img'));
      const rump = bootFfs(host);
      rump.sys.mount('ffs', '/mnt', MNT.RDONLY, { fspec: '/ffsimg' });
      expect(snapshotTree(rump, '/mnt').size).toBeGreaterThan(0);
      rump.sys.sync();
      expect(rump.sys.reboot(0)).toBe(true);
      expect(host.writes('/host/ffs.img')).toEqual([]);
      expect(sha256(host.readFile('/host/ffs.img'))).toBe(hash);
    },
  );
});
