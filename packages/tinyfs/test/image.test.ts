import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkTinyfs,
  DT_DIR,
  DT_LNK,
  DT_REG,
  flattenTinyfs,
  mkfsTinyfs,
  readTinyfs,
  readTinyfsDirents,
  readTinyfsInode,
  readTinyfsSuperblock,
  S_IFDIR,
  S_IFREG,
  TINYFS_BSIZE,
  TINYFS_DIRENT_SIZE,
  TINYFS_DIRENTS_PER_BLOCK,
  TINYFS_FASTLINK_MAX,
  TINYFS_INODE_SIZE,
  TINYFS_MAGIC,
  TINYFS_MAXFILESIZE,
  TINYFS_NAME_MAX,
  TINYFS_NDIRECT,
  TINYFS_ROOTINO,
  TINYFS_VERSION,
  TinyfsImageError,
  type TinyfsReadNode,
} from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';

const text = (node: TinyfsReadNode | undefined): string => {
  if (node?.type !== 'file') throw new Error(`not a file: ${node?.type}`);
  return new TextDecoder().decode(node.content);
};

/** Deterministic bytes that are never all zero within a block. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x & 0xff) | 1;
  }
  return out;
}

/** Byte equality without vitest's element-by-element deep diff (slow on megabytes). */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

const u32 = (image: Uint8Array, off: number) =>
  new DataView(image.buffer, image.byteOffset).getUint32(off, true);

describe('tinyfs images', () => {
  it('lay out the superblock, bitmap, inode table and root directory as FORMAT.md says', () => {
    const image = mkfsTinyfs({ inodes: 64, blocks: 100, time: 1234, volname: 'vol' });
    expect(image.length).toBe(100 * TINYFS_BSIZE);
    expect(u32(image, 0)).toBe(TINYFS_MAGIC);
    const sb = readTinyfsSuperblock(image);
    expect(sb).toMatchObject({
      version: 1,
      bsize: 4096,
      nblocks: 100,
      ninodes: 64,
      bitmapStart: 1,
      bitmapBlocks: 1,
      itableStart: 2,
      itableBlocks: 2,
      dataStart: 4,
      freeBlocks: 95, // 96 data blocks, one holds the root directory
      freeInodes: 62, // 63 slots, the root uses one
      clean: true,
      rootIno: 1,
      time: 1234,
      volname: 'vol',
    });
    // Blocks 0-4 are marked in the bitmap (metadata and the root's block), 5-99 are free.
    expect(image[TINYFS_BSIZE]).toBe(0b11111);
    // Padding bits past block 99 are set.
    expect(image[TINYFS_BSIZE + 12]! >> 4).toBe(0b1111);
    // Root inode: slot 1 of the first inode-table block.
    const root = readTinyfsInode(image, sb, 1);
    expect(root).toMatchObject({ mode: S_IFDIR | 0o755, nlink: 2, size: 4096, blocks: 1 });
    expect(root.direct[0]).toBe(4);
    expect(u32(image, 2 * TINYFS_BSIZE + 128 + 72)).toBe(4);
    // Its block: "." and ".." in slots 0 and 1, both naming inode 1.
    expect(readTinyfsDirents(image, sb, root)).toEqual([
      { name: '.', ino: 1, dtype: DT_DIR, offset: 0 },
      { name: '..', ino: 1, dtype: DT_DIR, offset: TINYFS_DIRENT_SIZE },
    ]);
    expect(checkTinyfs(image).problems).toEqual([]);
  });

  it('round-trip a tree of directories, files, holes, symlinks, hard links and devices', () => {
    const big = pattern(3 * 1024 * 1024 + 123, 7);
    const sparse = new Uint8Array(20 * TINYFS_BSIZE + 10);
    sparse.set(pattern(100, 3), 5 * TINYFS_BSIZE);
    sparse.set(pattern(10, 4), 20 * TINYFS_BSIZE);
    const longTarget = `${'long/'.repeat(40)}target`;
    const image = mkfsTinyfs({
      time: 1700000000,
      entries: {
        README: { type: 'file', content: 'hello, tinyfs\n', mode: 0o600, uid: 1000, gid: 100 },
        empty: { type: 'file' },
        a_directory: {
          type: 'dir',
          mode: 0o700,
          entries: {
            big: { type: 'file', content: big },
            sparse: { type: 'file', content: sparse, sparse: true },
            tail_hole: { type: 'file', content: 'x', size: 50000 },
            nested: { type: 'dir', entries: { deep: { type: 'file', content: 'deep\n' } } },
          },
        },
        short_link: { type: 'symlink', target: 'a_directory/nested/deep' },
        long_link: { type: 'symlink', target: longTarget },
        second_name: { type: 'hardlink', target: '/README' },
        tty: { type: 'chr', rdev: 0x0c01 },
        disk: { type: 'blk', rdev: 0x0300 },
        pipe: { type: 'fifo' },
      },
    });
    const check = checkTinyfs(image);
    expect(check.problems).toEqual([]);
    expect(check.clean).toBe(true);

    const tree = readTinyfs(image);
    const all = flattenTinyfs(tree);
    expect([...all.keys()]).toEqual([
      '/',
      '/README',
      '/empty',
      '/a_directory',
      '/a_directory/big',
      '/a_directory/sparse',
      '/a_directory/tail_hole',
      '/a_directory/nested',
      '/a_directory/nested/deep',
      '/short_link',
      '/long_link',
      '/second_name',
      '/tty',
      '/disk',
      '/pipe',
    ]);
    expect(text(all.get('/README'))).toBe('hello, tinyfs\n');
    expect(all.get('/README')!.inode).toMatchObject({
      mode: S_IFREG | 0o600,
      uid: 1000,
      gid: 100,
      nlink: 2,
      mtime: 1700000000,
    });
    expect(all.get('/second_name')!.inode.ino).toBe(all.get('/README')!.inode.ino);
    expect(text(all.get('/empty'))).toBe('');
    expect(all.get('/empty')!.inode.blocks).toBe(0);

    const bigNode = all.get('/a_directory/big');
    if (bigNode?.type !== 'file') throw new Error('big');
    expect(sameBytes(bigNode.content, big)).toBe(true);
    expect(bigNode.holes).toEqual([]);
    expect(bigNode.inode.indirect).not.toBe(0);
    expect(bigNode.inode.blocks).toBe(Math.ceil(big.length / TINYFS_BSIZE) + 1);

    const sparseNode = all.get('/a_directory/sparse');
    if (sparseNode?.type !== 'file') throw new Error('sparse');
    expect(sameBytes(sparseNode.content, sparse)).toBe(true);
    expect(sparseNode.holes).toEqual([
      0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
    expect(sparseNode.inode.blocks).toBe(3); // blocks 5 and 20, and the indirect block

    const tail = all.get('/a_directory/tail_hole');
    if (tail?.type !== 'file') throw new Error('tail_hole');
    expect(tail.content.length).toBe(50000);
    expect(tail.content[0]).toBe(0x78);
    expect(tail.content.subarray(1).every((b) => b === 0)).toBe(true);
    expect(tail.holes.length).toBe(Math.ceil(50000 / TINYFS_BSIZE) - 1);

    const dir = all.get('/a_directory');
    expect(dir?.inode).toMatchObject({ mode: S_IFDIR | 0o700, nlink: 3 });
    expect(tree.root.inode.nlink).toBe(3);
    expect(text(all.get('/a_directory/nested/deep'))).toBe('deep\n');

    const shortLink = all.get('/short_link');
    expect(shortLink).toMatchObject({ type: 'symlink', target: 'a_directory/nested/deep' });
    expect(shortLink!.inode.blocks).toBe(0);
    const longLink = all.get('/long_link');
    expect(longLink).toMatchObject({ type: 'symlink', target: longTarget });
    expect(longLink!.inode.blocks).toBe(1);

    expect(all.get('/tty')).toMatchObject({ type: 'chr', inode: { rdev: 0x0c01 } });
    expect(all.get('/disk')).toMatchObject({ type: 'blk', inode: { rdev: 0x0300 } });
    expect(all.get('/pipe')?.type).toBe('fifo');

    const rootEntries = readTinyfsDirents(image, tree.superblock, tree.root.inode);
    expect(rootEntries.find((e) => e.name === 'README')?.dtype).toBe(DT_REG);
    expect(rootEntries.find((e) => e.name === 'long_link')?.dtype).toBe(DT_LNK);
  });

  it('grow directories past one block', () => {
    const entries: Record<string, { type: 'file'; content: string }> = {};
    for (let i = 0; i < 40; i++) entries[`file-${i}`] = { type: 'file', content: `${i}\n` };
    const image = mkfsTinyfs({ entries });
    const tree = readTinyfs(image);
    expect(tree.root.inode.size).toBe(3 * TINYFS_BSIZE); // 42 entries, 15 per block
    expect(tree.root.entries.size).toBe(40);
    expect(text(tree.root.entries.get('file-39'))).toBe('39\n');
    expect(checkTinyfs(image).problems).toEqual([]);
  });

  it('take a file of the largest size and refuse one byte more', () => {
    const image = mkfsTinyfs({ entries: { max: { type: 'file', size: TINYFS_MAXFILESIZE } } });
    const node = readTinyfs(image).root.entries.get('max');
    expect(node?.type === 'file' && node.content.length).toBe(TINYFS_MAXFILESIZE);
    expect(() =>
      mkfsTinyfs({ entries: { max: { type: 'file', size: TINYFS_MAXFILESIZE + 1 } } }),
    ).toThrow(TinyfsImageError);
  });

  it('leave the requested free space and honour an explicit size', () => {
    const image = mkfsTinyfs({ spareBlocks: 10, spareInodes: 5 });
    const sb = readTinyfsSuperblock(image);
    expect(sb.freeBlocks).toBe(10);
    expect(sb.freeInodes).toBe(5);
    expect(() =>
      mkfsTinyfs({ blocks: 10, entries: { f: { type: 'file', content: pattern(40000, 1) } } }),
    ).toThrow(/data blocks do not fit/);
    expect(() => mkfsTinyfs({ inodes: 2, entries: { f: { type: 'file' } } })).toThrow(/do not fit/);
  });

  it('refuse impossible names and links', () => {
    expect(() => mkfsTinyfs({ entries: { 'a/b': { type: 'file' } } })).toThrow(/"\/"/);
    expect(() => mkfsTinyfs({ entries: { '..': { type: 'file' } } })).toThrow(TinyfsImageError);
    expect(() => mkfsTinyfs({ entries: { ['n'.repeat(256)]: { type: 'file' } } })).toThrow(
      /1 to 255 bytes/,
    );
    expect(mkfsTinyfs({ entries: { ['n'.repeat(255)]: { type: 'file' } } })).toBeInstanceOf(
      Uint8Array,
    );
    expect(() => mkfsTinyfs({ entries: { l: { type: 'hardlink', target: '/nowhere' } } })).toThrow(
      /not found/,
    );
    expect(() =>
      mkfsTinyfs({ entries: { d: { type: 'dir' }, l: { type: 'hardlink', target: '/d' } } }),
    ).toThrow(/directories/);
    expect(() => mkfsTinyfs({ entries: { s: { type: 'symlink', target: '' } } })).toThrow(
      /symlink target/,
    );
  });

  it('mark unclean images and make identical images from identical descriptions', () => {
    const spec = { clean: false, entries: { f: { type: 'file' as const, content: 'x' } } };
    const a = mkfsTinyfs(spec);
    expect(readTinyfsSuperblock(a).clean).toBe(false);
    expect(checkTinyfs(a).clean).toBe(false);
    expect(sameBytes(mkfsTinyfs(spec), a)).toBe(true);
  });
});

describe('the tinyfs reader and checker', () => {
  const base = () =>
    mkfsTinyfs({
      inodes: 32,
      entries: {
        f: { type: 'file', content: pattern(9000, 5) },
        d: { type: 'dir', entries: { g: { type: 'file', content: 'g' } } },
      },
    });

  it('reject images that are not tinyfs', () => {
    expect(() => readTinyfs(new Uint8Array(100))).toThrow(/no superblock/);
    expect(() => readTinyfs(new Uint8Array(8192))).toThrow(/bad magic/);
    const image = base();
    new DataView(image.buffer).setUint32(36, 99, true);
    expect(() => readTinyfs(image)).toThrow(/inconsistent geometry/);
    expect(() => readTinyfs(base().subarray(0, 3 * TINYFS_BSIZE))).toThrow(/blocks claimed/);
  });

  it('find a block marked free that a file uses, and the wrong free count', () => {
    const image = base();
    const sb = readTinyfsSuperblock(image);
    const f = readTinyfsInode(image, sb, 2);
    const b = f.direct[0]!;
    image[TINYFS_BSIZE + (b >>> 3)]! &= ~(1 << (b & 7));
    const problems = checkTinyfs(image).problems;
    expect(problems).toContain(`block ${b} (inode 2 block 0) is not marked in use`);
    expect(problems.some((p) => p.startsWith('superblock counts'))).toBe(true);
  });

  it('find a block used twice, a wrong link count and an orphan inode', () => {
    const image = base();
    const sb = readTinyfsSuperblock(image);
    const view = new DataView(image.buffer);
    const inodeOff = (ino: number) => sb.itableStart * TINYFS_BSIZE + ino * 128;
    const f = readTinyfsInode(image, sb, 2);
    view.setUint32(inodeOff(2) + 72 + 4, f.direct[0]!, true); // block 1 := block 0
    view.setUint16(inodeOff(3) + 2, 7, true); // directory d: nlink 7
    view.setUint16(inodeOff(10), S_IFREG | 0o644, true); // a named-nowhere inode
    const problems = checkTinyfs(image).problems;
    expect(
      problems.some((p) => p.includes(`used by both inode 2 block 0 and inode 2 block 1`)),
    ).toBe(true);
    expect(problems).toContain('inode 3: nlink 7, expected 2');
    expect(problems).toContain('inode 10 (mode 0100644) is allocated but has no name');
  });

  it('find old bytes past the end of a file', () => {
    const image = base();
    const sb = readTinyfsSuperblock(image);
    const f = readTinyfsInode(image, sb, 2); // 9000 bytes: block 2 holds 808 of them
    image[f.direct[2]! * TINYFS_BSIZE + 900] = 1;
    expect(checkTinyfs(image).problems).toEqual([
      'inode 2: bytes past the end of the file are not zero',
    ]);
  });

  it('find a directory entry whose type disagrees with its inode', () => {
    const image = base();
    const sb = readTinyfsSuperblock(image);
    const root = readTinyfsInode(image, sb, 1);
    const entry = readTinyfsDirents(image, sb, root).find((e) => e.name === 'f')!;
    image[root.direct[0]! * TINYFS_BSIZE + entry.offset + 4] = DT_DIR;
    expect(checkTinyfs(image).problems).toContain('/f: entry type 4 but inode type 8');
  });
});

describe('the TypeScript and C views of the format', () => {
  it('agree on every constant that tinyfs.h defines', () => {
    const header = readFileSync(
      join(
        dirname(fileURLToPath(import.meta.url)),
        '../../../tools/test-modules/src/tinyfs/tinyfs.h',
      ),
      'utf8',
    );
    const define = (name: string): number => {
      const m = new RegExp(`^#define ${name} (\\S+)`, 'm').exec(header);
      if (!m) throw new Error(`${name} not in tinyfs.h`);
      return Number(m[1]!.replace(/u$/, ''));
    };
    expect(define('TINYFS_MAGIC')).toBe(TINYFS_MAGIC);
    expect(define('TINYFS_VERSION')).toBe(TINYFS_VERSION);
    expect(define('TINYFS_BSIZE')).toBe(TINYFS_BSIZE);
    expect(define('TINYFS_ROOTINO')).toBe(TINYFS_ROOTINO);
    expect(define('TINYFS_NDIRECT')).toBe(TINYFS_NDIRECT);
    expect(define('TINYFS_INODE_SIZE')).toBe(TINYFS_INODE_SIZE);
    expect(define('TINYFS_FASTLINK_MAX')).toBe(TINYFS_FASTLINK_MAX);
    expect(define('TINYFS_DIRENT_SIZE')).toBe(TINYFS_DIRENT_SIZE);
    expect(define('TINYFS_DIRENTS_PER_BLOCK')).toBe(TINYFS_DIRENTS_PER_BLOCK);
    expect(define('TINYFS_NAME_MAX')).toBe(TINYFS_NAME_MAX);
  });
});
