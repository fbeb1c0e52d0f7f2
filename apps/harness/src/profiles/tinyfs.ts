/** The project's example file system, tinyfs: its committed module and the TypeScript mkfs. */
import { readFileSync } from 'node:fs';
import {
  checkTinyfs,
  mkfsTinyfs,
  readTinyfsDirents,
  readTinyfsInode,
  readTinyfsSuperblock,
  S_IFDIR,
  S_IFMT,
  TINYFS_BSIZE,
  TINYFS_INODE_SIZE,
  TINYFS_MAXFILESIZE,
  TINYFS_NAME_MAX,
  TINYFS_ROOTINO,
  TINYFS_SYMLINK_MAX,
  type TinyfsEntrySpec,
} from '@rump/tinyfs';
import type { MetadataRegion } from '../images/ffs-image.js';
import type { ImageSpec, TreeEntries } from '../images/tree.js';
import { TINYFS_KMOD } from '../paths.js';
import type { FsProfile } from '../profile.js';

function toTinyfs(entries: TreeEntries): Record<string, TinyfsEntrySpec> {
  const out: Record<string, TinyfsEntrySpec> = {};
  for (const [name, e] of Object.entries(entries)) {
    if (e.type === 'dir') out[name] = { type: 'dir', entries: toTinyfs(e.entries), mode: e.mode };
    else if (e.type === 'file') out[name] = { type: 'file', content: e.content, mode: e.mode };
    else out[name] = { type: 'symlink', target: e.target };
  }
  return out;
}

/** A tinyfs image of `spec`: mkfsTinyfs with the block count the size gives. */
export function makeTinyfsImage(spec: ImageSpec): Uint8Array {
  const blocks = Math.ceil(spec.sizeBytes / TINYFS_BSIZE);
  const tree = toTinyfs(spec.tree ?? {});
  const used = 1 + countEntries(spec.tree ?? {});
  return mkfsTinyfs({ entries: tree, blocks, inodes: 1 + used + spec.inodes });
}

function countEntries(entries: TreeEntries): number {
  let n = 0;
  for (const e of Object.values(entries)) n += 1 + (e.type === 'dir' ? countEntries(e.entries) : 0);
  return n;
}

/** Superblock, bitmap, inodes in use and directory blocks reachable from the root. */
export function tinyfsMetadataRegions(image: Uint8Array): MetadataRegion[] {
  const sb = readTinyfsSuperblock(image);
  const out: MetadataRegion[] = [
    { kind: 'superblock', offset: 0, length: 128, what: 'superblock' },
  ];
  for (let b = 0; b < sb.bitmapBlocks; b++)
    out.push({
      kind: 'bitmap',
      offset: (sb.bitmapStart + b) * TINYFS_BSIZE,
      length: Math.min(TINYFS_BSIZE, Math.ceil(sb.nblocks / 8)),
      what: `bitmap block ${b}`,
    });
  const dirs: number[] = [];
  for (let ino = 1; ino < sb.ninodes; ino++) {
    const d = readTinyfsInode(image, sb, ino);
    if (d.mode === 0) continue;
    const off =
      (sb.itableStart + Math.floor(ino / 32)) * TINYFS_BSIZE + (ino % 32) * TINYFS_INODE_SIZE;
    out.push({ kind: 'inode', offset: off, length: TINYFS_INODE_SIZE, what: `inode ${ino}` });
    if ((d.mode & S_IFMT) === S_IFDIR) dirs.push(ino);
  }
  for (const ino of dirs) {
    const d = readTinyfsInode(image, sb, ino);
    d.direct.forEach((b, lbn) => {
      if (b !== 0 && lbn * TINYFS_BSIZE < d.size)
        out.push({
          kind: 'directory',
          offset: b * TINYFS_BSIZE,
          length: TINYFS_BSIZE,
          what: `directory inode ${ino} block ${lbn}`,
        });
    });
    if (ino === TINYFS_ROOTINO) readTinyfsDirents(image, sb, d); // the root must parse
  }
  return out;
}

/** tinyfs with the committed tinyfs.kmod (or the module at `kmodPath`). */
export function tinyfsProfile(kmodPath = TINYFS_KMOD): FsProfile {
  return {
    name: 'tinyfs',
    fstype: 'tinyfs',
    modules: [{ name: 'tinyfs', bytes: new Uint8Array(readFileSync(kmodPath)) }],
    modulePath: [],
    limits: {
      nameMax: TINYFS_NAME_MAX,
      maxFileSize: TINYFS_MAXFILESIZE,
      symlinkMax: TINYFS_SYMLINK_MAX,
    },
    makeImage: makeTinyfsImage,
    isClean: (image) => readTinyfsSuperblock(image).clean,
    check: (image) => checkTinyfs(image).problems,
    metadataRegions: tinyfsMetadataRegions,
  };
}
