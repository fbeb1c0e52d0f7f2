/**
 * The tinyfs on-disk format (tools/test-modules/src/tinyfs/FORMAT.md) in TypeScript: the host-side
 * tools of the project's example file-system module, used by tests, the harness and benchmarks.
 * `mkfsTinyfs` builds an image from a described tree (directories, files with holes, symlinks,
 * hard links, devices, fifos), `readTinyfs` walks an image back into a tree with contents, and
 * `checkTinyfs` verifies its consistency (the fsck the module's writes must pass).
 *
 *   const image = mkfsTinyfs({ entries: { 'README': { type: 'file', content: 'hello\n' } } });
 *   const tree = readTinyfs(image);
 *   flattenTinyfs(tree).get('/README')  // { type: 'file', content: Uint8Array [...], ... }
 *   checkTinyfs(image).problems         // []
 */

export const TINYFS_MAGIC = 0x544e5946;
export const TINYFS_VERSION = 1;
export const TINYFS_BSIZE = 4096;
export const TINYFS_ROOTINO = 1;
export const TINYFS_NDIRECT = 12;
export const TINYFS_NINDIRECT = TINYFS_BSIZE / 4;
export const TINYFS_MAXBLOCKS = TINYFS_NDIRECT + TINYFS_NINDIRECT;
export const TINYFS_MAXFILESIZE = TINYFS_MAXBLOCKS * TINYFS_BSIZE;
export const TINYFS_INODE_SIZE = 128;
export const TINYFS_INOPB = TINYFS_BSIZE / TINYFS_INODE_SIZE;
export const TINYFS_FASTLINK_MAX = 52;
export const TINYFS_DIRENT_SIZE = 264;
export const TINYFS_DIRENTS_PER_BLOCK = 15;
export const TINYFS_NAME_MAX = 255;
export const TINYFS_SYMLINK_MAX = 1023;

export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFBLK = 0o060000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;

/** A malformed image or an impossible description, naming what and where. */
export class TinyfsImageError extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'TinyfsImageError';
  }
}

// ---------------------------------------------------------------- descriptions for mkfs

export interface TinyfsAttrs {
  /** Permission bits (07777); defaults: 0755 for directories, 0644 for files, 0777 for symlinks. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Seconds since the epoch; default: the image's `time`. */
  readonly atime?: number;
  readonly mtime?: number;
  readonly ctime?: number;
}

export interface TinyfsFileSpec extends TinyfsAttrs {
  readonly type: 'file';
  readonly content?: Uint8Array | string;
  /** File size when larger than the content: the rest is a hole. */
  readonly size?: number;
  /** Leave 4 KiB blocks that hold only zeros unallocated (holes). */
  readonly sparse?: boolean;
}

export interface TinyfsDirSpec extends TinyfsAttrs {
  readonly type: 'dir';
  readonly entries?: Readonly<Record<string, TinyfsEntrySpec>>;
}

export interface TinyfsSymlinkSpec extends TinyfsAttrs {
  readonly type: 'symlink';
  readonly target: string;
}

/** Another name for a file described elsewhere in the tree, by its absolute path in the image. */
export interface TinyfsHardlinkSpec {
  readonly type: 'hardlink';
  readonly target: string;
}

export interface TinyfsDeviceSpec extends TinyfsAttrs {
  readonly type: 'chr' | 'blk';
  readonly rdev: number;
}

export interface TinyfsFifoSpec extends TinyfsAttrs {
  readonly type: 'fifo';
}

export type TinyfsEntrySpec =
  | TinyfsFileSpec
  | TinyfsDirSpec
  | TinyfsSymlinkSpec
  | TinyfsHardlinkSpec
  | TinyfsDeviceSpec
  | TinyfsFifoSpec;

export interface TinyfsMkfsOptions extends TinyfsAttrs {
  /** The root directory's entries. */
  readonly entries?: Readonly<Record<string, TinyfsEntrySpec>>;
  /** Total blocks; default: what the tree needs plus `spareBlocks`. */
  readonly blocks?: number;
  /** Free data blocks to leave when `blocks` is not given (default 256, i.e. 1 MiB). */
  readonly spareBlocks?: number;
  /** Inode slots; default: what the tree needs plus `spareInodes` plus slot 0. */
  readonly inodes?: number;
  /** Free inodes to leave when `inodes` is not given (default 64). */
  readonly spareInodes?: number;
  /** Default timestamp of every inode and of the superblock (default 1700000000). */
  readonly time?: number;
  readonly volname?: string;
  /** The superblock's clean flag (default true). */
  readonly clean?: boolean;
}

// ---------------------------------------------------------------- what the reader returns

export interface TinyfsSuperblock {
  readonly magic: number;
  readonly version: number;
  readonly bsize: number;
  readonly nblocks: number;
  readonly ninodes: number;
  readonly bitmapStart: number;
  readonly bitmapBlocks: number;
  readonly itableStart: number;
  readonly itableBlocks: number;
  readonly dataStart: number;
  readonly freeBlocks: number;
  readonly freeInodes: number;
  readonly clean: boolean;
  readonly rootIno: number;
  readonly time: number;
  readonly volname: string;
}

export interface TinyfsDinode {
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly flags: number;
  readonly size: number;
  readonly atime: number;
  readonly mtime: number;
  readonly ctime: number;
  readonly atimensec: number;
  readonly mtimensec: number;
  readonly ctimensec: number;
  readonly gen: number;
  readonly rdev: number;
  readonly blocks: number;
  readonly direct: readonly number[];
  readonly indirect: number;
}

interface TinyfsReadBase {
  readonly inode: TinyfsDinode;
}
export interface TinyfsReadFile extends TinyfsReadBase {
  readonly type: 'file';
  readonly content: Uint8Array;
  /** Logical blocks below the size with no disk block. */
  readonly holes: readonly number[];
}
export interface TinyfsReadDir extends TinyfsReadBase {
  readonly type: 'dir';
  /** Entries other than "." and "..", in directory order. */
  readonly entries: ReadonlyMap<string, TinyfsReadNode>;
}
export interface TinyfsReadSymlink extends TinyfsReadBase {
  readonly type: 'symlink';
  readonly target: string;
}
export interface TinyfsReadSpecial extends TinyfsReadBase {
  readonly type: 'chr' | 'blk' | 'fifo' | 'socket';
}
export type TinyfsReadNode = TinyfsReadFile | TinyfsReadDir | TinyfsReadSymlink | TinyfsReadSpecial;

export interface TinyfsTree {
  readonly superblock: TinyfsSuperblock;
  readonly root: TinyfsReadDir;
}

// ---------------------------------------------------------------- geometry

interface Geometry {
  nblocks: number;
  ninodes: number;
  bitmapBlocks: number;
  itableStart: number;
  itableBlocks: number;
  dataStart: number;
}

function geometry(nblocks: number, ninodes: number): Geometry {
  const bitmapBlocks = Math.ceil(nblocks / (TINYFS_BSIZE * 8));
  const itableBlocks = Math.ceil(ninodes / TINYFS_INOPB);
  const itableStart = 1 + bitmapBlocks;
  return {
    nblocks,
    ninodes,
    bitmapBlocks,
    itableStart,
    itableBlocks,
    dataStart: itableStart + itableBlocks,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

function bytesOf(content: Uint8Array | string | undefined): Uint8Array {
  if (content === undefined) return new Uint8Array(0);
  return typeof content === 'string' ? encoder.encode(content) : content;
}

function dtypeOfMode(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

// ---------------------------------------------------------------- mkfs

/** One inode to be written, with its data laid out in logical blocks (undefined: hole). */
interface PlannedInode {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  atime: number;
  mtime: number;
  ctime: number;
  rdev: number;
  size: number;
  /** Logical blocks of data; undefined entries are holes. */
  blocks: (Uint8Array | undefined)[];
  /** Inline (fast) symlink target. */
  fastlink?: Uint8Array;
  /** For directories: their entries, "." and ".." first. */
  dirents?: { name: Uint8Array; ino: number; dtype: number }[];
  parent?: number;
}

function checkName(name: string, where: string): Uint8Array {
  const bytes = encoder.encode(name);
  if (bytes.length === 0 || bytes.length > TINYFS_NAME_MAX)
    throw new TinyfsImageError(`name must be 1 to ${TINYFS_NAME_MAX} bytes`, where);
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    throw new TinyfsImageError('name may not be "." or ".." or contain "/" or NUL', where);
  return bytes;
}

function fileBlocks(
  spec: TinyfsFileSpec,
  where: string,
): { size: number; blocks: (Uint8Array | undefined)[] } {
  const content = bytesOf(spec.content);
  const size = Math.max(spec.size ?? 0, content.length);
  if (size > TINYFS_MAXFILESIZE)
    throw new TinyfsImageError(`file of ${size} bytes exceeds ${TINYFS_MAXFILESIZE}`, where);
  const blocks: (Uint8Array | undefined)[] = [];
  const nblocks = Math.ceil(size / TINYFS_BSIZE);
  for (let lbn = 0; lbn < nblocks; lbn++) {
    const start = lbn * TINYFS_BSIZE;
    if (start >= content.length) {
      blocks.push(undefined);
      continue;
    }
    const block = new Uint8Array(TINYFS_BSIZE);
    block.set(content.subarray(start, Math.min(start + TINYFS_BSIZE, content.length)));
    blocks.push(spec.sparse && block.every((b) => b === 0) ? undefined : block);
  }
  return { size, blocks };
}

/** Builds a tinyfs image holding the described tree. */
export function mkfsTinyfs(options: TinyfsMkfsOptions = {}): Uint8Array {
  const time = options.time ?? 1700000000;
  const inodes: PlannedInode[] = [];
  const byPath = new Map<string, PlannedInode>();
  const hardlinks: {
    dirent: { name: Uint8Array; ino: number; dtype: number };
    target: string;
    where: string;
  }[] = [];

  const newInode = (mode: number, attrs: TinyfsAttrs, defaultPerm: number): PlannedInode => {
    const perm = attrs.mode ?? defaultPerm;
    if (perm < 0 || perm > 0o7777) throw new TinyfsImageError(`bad mode ${perm}`, 'mkfs');
    const inode: PlannedInode = {
      ino: TINYFS_ROOTINO + inodes.length,
      mode: mode | perm,
      nlink: 0,
      uid: attrs.uid ?? 0,
      gid: attrs.gid ?? 0,
      atime: attrs.atime ?? time,
      mtime: attrs.mtime ?? time,
      ctime: attrs.ctime ?? time,
      rdev: 0,
      size: 0,
      blocks: [],
    };
    inodes.push(inode);
    return inode;
  };

  const addDir = (
    spec: TinyfsAttrs & { entries?: Readonly<Record<string, TinyfsEntrySpec>> },
    parent: PlannedInode | undefined,
    path: string,
  ): PlannedInode => {
    const dir = newInode(S_IFDIR, spec, 0o755);
    const parentIno = parent?.ino ?? dir.ino;
    dir.nlink = 2;
    dir.parent = parentIno;
    dir.dirents = [
      { name: encoder.encode('.'), ino: dir.ino, dtype: DT_DIR },
      { name: encoder.encode('..'), ino: parentIno, dtype: DT_DIR },
    ];
    byPath.set(path === '' ? '/' : path, dir);
    for (const [name, child] of Object.entries(spec.entries ?? {})) {
      const where = `${path}/${name}`;
      const nameBytes = checkName(name, where);
      if (child.type === 'hardlink') {
        // Resolved once the whole tree exists: the target may come later.
        const dirent = { name: nameBytes, ino: 0, dtype: 0 };
        dir.dirents.push(dirent);
        hardlinks.push({ dirent, target: child.target, where });
        continue;
      }
      let node: PlannedInode;
      switch (child.type) {
        case 'dir':
          node = addDir(child, dir, where);
          dir.nlink++;
          break;
        case 'file': {
          node = newInode(S_IFREG, child, 0o644);
          const { size, blocks } = fileBlocks(child, where);
          node.size = size;
          node.blocks = blocks;
          node.nlink = 1;
          break;
        }
        case 'symlink': {
          node = newInode(S_IFLNK, child, 0o777);
          const target = encoder.encode(child.target);
          if (target.length === 0 || target.length > TINYFS_SYMLINK_MAX)
            throw new TinyfsImageError(
              `symlink target must be 1 to ${TINYFS_SYMLINK_MAX} bytes`,
              where,
            );
          node.size = target.length;
          if (target.length <= TINYFS_FASTLINK_MAX) node.fastlink = target;
          else {
            const block = new Uint8Array(TINYFS_BSIZE);
            block.set(target);
            node.blocks = [block];
          }
          node.nlink = 1;
          break;
        }
        case 'chr':
        case 'blk':
          node = newInode(child.type === 'chr' ? S_IFCHR : S_IFBLK, child, 0o600);
          node.rdev = child.rdev >>> 0;
          node.nlink = 1;
          break;
        case 'fifo':
          node = newInode(S_IFIFO, child, 0o644);
          node.nlink = 1;
          break;
      }
      byPath.set(where, node);
      dir.dirents.push({ name: nameBytes, ino: node.ino, dtype: dtypeOfMode(node.mode) });
    }
    return dir;
  };

  addDir(options, undefined, '');
  for (const link of hardlinks) {
    const target = byPath.get(link.target);
    if (!target)
      throw new TinyfsImageError(`hard link target ${link.target} not found`, link.where);
    if ((target.mode & S_IFMT) === S_IFDIR)
      throw new TinyfsImageError('hard links to directories are not allowed', link.where);
    target.nlink++;
    link.dirent.ino = target.ino;
    link.dirent.dtype = dtypeOfMode(target.mode);
  }
  for (const inode of inodes) {
    if (!inode.dirents) continue;
    const nblocks = Math.max(1, Math.ceil(inode.dirents.length / TINYFS_DIRENTS_PER_BLOCK));
    if (nblocks > TINYFS_MAXBLOCKS)
      throw new TinyfsImageError('directory too large', `inode ${inode.ino}`);
    inode.size = nblocks * TINYFS_BSIZE;
    inode.blocks = [];
    for (let b = 0; b < nblocks; b++) {
      const block = new Uint8Array(TINYFS_BSIZE);
      const view = new DataView(block.buffer);
      for (let s = 0; s < TINYFS_DIRENTS_PER_BLOCK; s++) {
        const e = inode.dirents[b * TINYFS_DIRENTS_PER_BLOCK + s];
        if (!e) break;
        const off = s * TINYFS_DIRENT_SIZE;
        view.setUint32(off, e.ino, true);
        view.setUint8(off + 4, e.dtype);
        view.setUint8(off + 5, e.name.length);
        block.set(e.name, off + 8);
      }
      inode.blocks.push(block);
    }
  }

  // Data blocks each inode needs, its indirect block included.
  const need = (inode: PlannedInode): number => {
    const data = inode.blocks.filter((b) => b !== undefined).length;
    const indirect = inode.blocks.slice(TINYFS_NDIRECT).some((b) => b !== undefined) ? 1 : 0;
    return data + indirect;
  };
  const dataNeeded = inodes.reduce((n, i) => n + need(i), 0);
  const ninodes = options.inodes ?? 1 + inodes.length + (options.spareInodes ?? 64);
  if (ninodes < 1 + inodes.length)
    throw new TinyfsImageError(
      `${inodes.length} inodes do not fit in ${ninodes - 1} slots`,
      'mkfs',
    );
  let geo: Geometry;
  if (options.blocks !== undefined) {
    geo = geometry(options.blocks, ninodes);
    if (geo.dataStart + dataNeeded > geo.nblocks)
      throw new TinyfsImageError(
        `${dataNeeded} data blocks do not fit in ${geo.nblocks - geo.dataStart}`,
        'mkfs',
      );
  } else {
    let nblocks = 0;
    geo = geometry(1, ninodes);
    for (;;) {
      nblocks = geo.dataStart + dataNeeded + (options.spareBlocks ?? 256);
      const next = geometry(nblocks, ninodes);
      if (next.dataStart === geo.dataStart) {
        geo = next;
        break;
      }
      geo = next;
    }
  }

  const image = new Uint8Array(geo.nblocks * TINYFS_BSIZE);
  const view = new DataView(image.buffer);
  const bitmapOff = TINYFS_BSIZE;
  const setBit = (b: number) => {
    image[bitmapOff + (b >>> 3)]! |= 1 << (b & 7);
  };
  for (let b = 0; b < geo.dataStart; b++) setBit(b);
  for (let b = geo.nblocks; b < geo.bitmapBlocks * TINYFS_BSIZE * 8; b++) setBit(b);

  let nextBlock = geo.dataStart;
  const place = (block: Uint8Array): number => {
    const b = nextBlock++;
    image.set(block, b * TINYFS_BSIZE);
    setBit(b);
    return b;
  };

  for (const inode of inodes) {
    const off =
      (geo.itableStart + Math.floor(inode.ino / TINYFS_INOPB)) * TINYFS_BSIZE +
      (inode.ino % TINYFS_INOPB) * TINYFS_INODE_SIZE;
    view.setUint16(off, inode.mode, true);
    view.setUint16(off + 2, inode.nlink, true);
    view.setUint32(off + 4, inode.uid, true);
    view.setUint32(off + 8, inode.gid, true);
    view.setBigUint64(off + 16, BigInt(inode.size), true);
    view.setBigInt64(off + 24, BigInt(inode.atime), true);
    view.setBigInt64(off + 32, BigInt(inode.mtime), true);
    view.setBigInt64(off + 40, BigInt(inode.ctime), true);
    view.setUint32(off + 60, 1, true); // gen
    view.setUint32(off + 64, inode.rdev, true);
    if (inode.fastlink) {
      image.set(inode.fastlink, off + 72);
      continue;
    }
    let held = 0;
    let indirect: DataView | undefined;
    let indirectBlock: Uint8Array | undefined;
    inode.blocks.forEach((block, lbn) => {
      if (!block) return;
      const b = place(block);
      held++;
      if (lbn < TINYFS_NDIRECT) view.setUint32(off + 72 + lbn * 4, b, true);
      else {
        if (!indirect) {
          indirectBlock = new Uint8Array(TINYFS_BSIZE);
          indirect = new DataView(indirectBlock.buffer);
        }
        indirect.setUint32((lbn - TINYFS_NDIRECT) * 4, b, true);
      }
    });
    if (indirectBlock) {
      view.setUint32(off + 120, place(indirectBlock), true);
      held++;
    }
    view.setUint32(off + 68, held, true);
  }

  // Superblock.
  view.setUint32(0, TINYFS_MAGIC, true);
  view.setUint32(4, TINYFS_VERSION, true);
  view.setUint32(8, TINYFS_BSIZE, true);
  view.setUint32(12, geo.nblocks, true);
  view.setUint32(16, geo.ninodes, true);
  view.setUint32(20, 1, true);
  view.setUint32(24, geo.bitmapBlocks, true);
  view.setUint32(28, geo.itableStart, true);
  view.setUint32(32, geo.itableBlocks, true);
  view.setUint32(36, geo.dataStart, true);
  view.setUint32(40, geo.nblocks - nextBlock, true);
  view.setUint32(44, geo.ninodes - 1 - inodes.length, true);
  view.setUint32(48, options.clean === false ? 0 : 1, true);
  view.setUint32(52, TINYFS_ROOTINO, true);
  view.setBigInt64(56, BigInt(time), true);
  const vol = encoder.encode(options.volname ?? '');
  if (vol.length > 31) throw new TinyfsImageError('volname longer than 31 bytes', 'mkfs');
  image.set(vol, 64);
  return image;
}

// ---------------------------------------------------------------- reading

/** Parses the superblock and checks the geometry it claims. */
export function readTinyfsSuperblock(image: Uint8Array): TinyfsSuperblock {
  if (image.length < TINYFS_BSIZE)
    throw new TinyfsImageError(`image of ${image.length} bytes has no superblock`, 'superblock');
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const volBytes = image.subarray(64, 96);
  const nul = volBytes.indexOf(0);
  const sb: TinyfsSuperblock = {
    magic: view.getUint32(0, true),
    version: view.getUint32(4, true),
    bsize: view.getUint32(8, true),
    nblocks: view.getUint32(12, true),
    ninodes: view.getUint32(16, true),
    bitmapStart: view.getUint32(20, true),
    bitmapBlocks: view.getUint32(24, true),
    itableStart: view.getUint32(28, true),
    itableBlocks: view.getUint32(32, true),
    dataStart: view.getUint32(36, true),
    freeBlocks: view.getUint32(40, true),
    freeInodes: view.getUint32(44, true),
    clean: view.getUint32(48, true) === 1,
    rootIno: view.getUint32(52, true),
    time: Number(view.getBigInt64(56, true)),
    volname: decoder.decode(nul < 0 ? volBytes : volBytes.subarray(0, nul)),
  };
  if (sb.magic !== TINYFS_MAGIC)
    throw new TinyfsImageError(`bad magic 0x${sb.magic.toString(16)}`, 'superblock');
  if (sb.version !== TINYFS_VERSION || sb.bsize !== TINYFS_BSIZE)
    throw new TinyfsImageError(
      `version ${sb.version}, bsize ${sb.bsize} unsupported`,
      'superblock',
    );
  const geo = geometry(sb.nblocks, sb.ninodes);
  if (
    sb.bitmapStart !== 1 ||
    sb.bitmapBlocks !== geo.bitmapBlocks ||
    sb.itableStart !== geo.itableStart ||
    sb.itableBlocks !== geo.itableBlocks ||
    sb.dataStart !== geo.dataStart ||
    sb.dataStart >= sb.nblocks ||
    sb.rootIno !== TINYFS_ROOTINO
  )
    throw new TinyfsImageError('inconsistent geometry', 'superblock');
  if (sb.nblocks * TINYFS_BSIZE > image.length)
    throw new TinyfsImageError(
      `${sb.nblocks} blocks claimed, image has ${Math.floor(image.length / TINYFS_BSIZE)}`,
      'superblock',
    );
  return sb;
}

/** Reads inode `ino` from the inode table. */
export function readTinyfsInode(
  image: Uint8Array,
  sb: TinyfsSuperblock,
  ino: number,
): TinyfsDinode {
  if (ino <= 0 || ino >= sb.ninodes)
    throw new TinyfsImageError(`inode number ${ino} out of range`, `inode ${ino}`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const off =
    (sb.itableStart + Math.floor(ino / TINYFS_INOPB)) * TINYFS_BSIZE +
    (ino % TINYFS_INOPB) * TINYFS_INODE_SIZE;
  const direct: number[] = [];
  for (let i = 0; i < TINYFS_NDIRECT; i++) direct.push(view.getUint32(off + 72 + i * 4, true));
  return {
    ino,
    mode: view.getUint16(off, true),
    nlink: view.getUint16(off + 2, true),
    uid: view.getUint32(off + 4, true),
    gid: view.getUint32(off + 8, true),
    flags: view.getUint32(off + 12, true),
    size: Number(view.getBigUint64(off + 16, true)),
    atime: Number(view.getBigInt64(off + 24, true)),
    mtime: Number(view.getBigInt64(off + 32, true)),
    ctime: Number(view.getBigInt64(off + 40, true)),
    atimensec: view.getUint32(off + 48, true),
    mtimensec: view.getUint32(off + 52, true),
    ctimensec: view.getUint32(off + 56, true),
    gen: view.getUint32(off + 60, true),
    rdev: view.getUint32(off + 64, true),
    blocks: view.getUint32(off + 68, true),
    direct,
    indirect: view.getUint32(off + 120, true),
  };
}

function isFastlink(inode: TinyfsDinode): boolean {
  return (
    (inode.mode & S_IFMT) === S_IFLNK && inode.blocks === 0 && inode.size <= TINYFS_FASTLINK_MAX
  );
}

function checkBlock(sb: TinyfsSuperblock, b: number, where: string): void {
  if (b < sb.dataStart || b >= sb.nblocks)
    throw new TinyfsImageError(`block ${b} outside the data area`, where);
}

/** Physical blocks of an inode's logical blocks 0 … n-1 (0: hole), and its indirect block. */
export function tinyfsBlockMap(
  image: Uint8Array,
  sb: TinyfsSuperblock,
  inode: TinyfsDinode,
): { map: number[]; indirect: number } {
  const where = `inode ${inode.ino}`;
  if (isFastlink(inode)) return { map: [], indirect: 0 };
  if (inode.size > TINYFS_MAXFILESIZE)
    throw new TinyfsImageError(`size ${inode.size} exceeds the maximum`, where);
  const n = Math.ceil(inode.size / TINYFS_BSIZE);
  const map: number[] = [];
  for (let lbn = 0; lbn < Math.min(n, TINYFS_NDIRECT); lbn++) map.push(inode.direct[lbn]!);
  if (inode.indirect !== 0) {
    checkBlock(sb, inode.indirect, `${where} indirect`);
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    for (let lbn = TINYFS_NDIRECT; lbn < n; lbn++)
      map.push(view.getUint32(inode.indirect * TINYFS_BSIZE + (lbn - TINYFS_NDIRECT) * 4, true));
  } else {
    for (let lbn = TINYFS_NDIRECT; lbn < n; lbn++) map.push(0);
  }
  map.forEach((b, lbn) => {
    if (b !== 0) checkBlock(sb, b, `${where} block ${lbn}`);
  });
  return { map, indirect: inode.indirect };
}

function readData(
  image: Uint8Array,
  sb: TinyfsSuperblock,
  inode: TinyfsDinode,
): { data: Uint8Array; holes: number[] } {
  const { map } = tinyfsBlockMap(image, sb, inode);
  const data = new Uint8Array(inode.size);
  const holes: number[] = [];
  map.forEach((b, lbn) => {
    if (b === 0) {
      holes.push(lbn);
      return;
    }
    const start = lbn * TINYFS_BSIZE;
    const len = Math.min(TINYFS_BSIZE, inode.size - start);
    data.set(image.subarray(b * TINYFS_BSIZE, b * TINYFS_BSIZE + len), start);
  });
  return { data, holes };
}

export interface TinyfsRawDirent {
  readonly name: string;
  readonly ino: number;
  readonly dtype: number;
  /** Directory offset: block * 4096 + slot * 264. */
  readonly offset: number;
}

/** Every used slot of a directory inode, "." and ".." included, in order. */
export function readTinyfsDirents(
  image: Uint8Array,
  sb: TinyfsSuperblock,
  inode: TinyfsDinode,
): TinyfsRawDirent[] {
  const where = `directory inode ${inode.ino}`;
  if (inode.size % TINYFS_BSIZE !== 0)
    throw new TinyfsImageError(`size ${inode.size} is not a multiple of the block size`, where);
  const { map } = tinyfsBlockMap(image, sb, inode);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const out: TinyfsRawDirent[] = [];
  map.forEach((b, lbn) => {
    if (b === 0) throw new TinyfsImageError(`hole at block ${lbn}`, where);
    for (let s = 0; s < TINYFS_DIRENTS_PER_BLOCK; s++) {
      const off = b * TINYFS_BSIZE + s * TINYFS_DIRENT_SIZE;
      const ino = view.getUint32(off, true);
      if (ino === 0) continue;
      const namlen = view.getUint8(off + 5);
      const nameBytes = image.subarray(off + 8, off + 8 + namlen);
      if (namlen === 0 || nameBytes.includes(0) || nameBytes.includes(0x2f))
        throw new TinyfsImageError(`bad name at block ${lbn} slot ${s}`, where);
      out.push({
        name: decoder.decode(nameBytes),
        ino,
        dtype: view.getUint8(off + 4),
        offset: lbn * TINYFS_BSIZE + s * TINYFS_DIRENT_SIZE,
      });
    }
  });
  return out;
}

function readNode(
  image: Uint8Array,
  sb: TinyfsSuperblock,
  ino: number,
  path: string,
  visiting: Set<number>,
): TinyfsReadNode {
  const inode = readTinyfsInode(image, sb, ino);
  switch (inode.mode & S_IFMT) {
    case S_IFREG: {
      const { data, holes } = readData(image, sb, inode);
      return { type: 'file', inode, content: data, holes };
    }
    case S_IFLNK: {
      if (inode.size === 0 || inode.size > TINYFS_SYMLINK_MAX)
        throw new TinyfsImageError(`symlink of ${inode.size} bytes`, path);
      const off =
        (sb.itableStart + Math.floor(ino / TINYFS_INOPB)) * TINYFS_BSIZE +
        (ino % TINYFS_INOPB) * TINYFS_INODE_SIZE;
      const bytes = isFastlink(inode)
        ? image.subarray(off + 72, off + 72 + inode.size)
        : readData(image, sb, inode).data;
      return { type: 'symlink', inode, target: decoder.decode(bytes) };
    }
    case S_IFDIR: {
      if (visiting.has(ino)) throw new TinyfsImageError('directory cycle', path);
      visiting.add(ino);
      const entries = new Map<string, TinyfsReadNode>();
      for (const e of readTinyfsDirents(image, sb, inode)) {
        if (e.name === '.' || e.name === '..') continue;
        entries.set(
          e.name,
          readNode(image, sb, e.ino, `${path === '/' ? '' : path}/${e.name}`, visiting),
        );
      }
      visiting.delete(ino);
      return { type: 'dir', inode, entries };
    }
    case S_IFCHR:
      return { type: 'chr', inode };
    case S_IFBLK:
      return { type: 'blk', inode };
    case S_IFIFO:
      return { type: 'fifo', inode };
    case 0o140000:
      return { type: 'socket', inode };
    default:
      throw new TinyfsImageError(`inode ${ino} has mode 0${inode.mode.toString(8)}`, path);
  }
}

/** Walks an image from the root and returns the whole tree with file contents. */
export function readTinyfs(image: Uint8Array): TinyfsTree {
  const superblock = readTinyfsSuperblock(image);
  const root = readNode(image, superblock, TINYFS_ROOTINO, '/', new Set());
  if (root.type !== 'dir') throw new TinyfsImageError('root inode is not a directory', '/');
  return { superblock, root };
}

/** The tree as absolute paths (the root is "/") to nodes, parents before children. */
export function flattenTinyfs(tree: TinyfsTree): Map<string, TinyfsReadNode> {
  const out = new Map<string, TinyfsReadNode>();
  const walk = (path: string, node: TinyfsReadNode) => {
    out.set(path, node);
    if (node.type === 'dir')
      for (const [name, child] of node.entries) walk(`${path === '/' ? '' : path}/${name}`, child);
  };
  walk('/', tree.root);
  return out;
}

// ---------------------------------------------------------------- checking

export interface TinyfsCheckResult {
  /** Everything inconsistent, one sentence each; empty for a sound file system. */
  readonly problems: readonly string[];
  readonly clean: boolean;
  readonly usedBlocks: number;
  readonly usedInodes: number;
}

/**
 * Checks an image as fsck would: reachability and link counts of inodes, "." and "..", entry
 * types, block ownership (no block used twice, every used block marked, no marked block
 * unused), inode block counts and the superblock's free counts.
 */
export function checkTinyfs(image: Uint8Array): TinyfsCheckResult {
  const problems: string[] = [];
  const sb = readTinyfsSuperblock(image);
  const owner = new Map<number, string>();
  const refs = new Map<number, number>();
  const subdirs = new Map<number, number>();
  const seenDirs = new Set<number>();
  const inodes = new Map<number, TinyfsDinode>();

  const inode = (ino: number): TinyfsDinode => {
    let d = inodes.get(ino);
    if (!d) {
      d = readTinyfsInode(image, sb, ino);
      inodes.set(ino, d);
    }
    return d;
  };
  const claim = (b: number, who: string) => {
    const prev = owner.get(b);
    if (prev !== undefined) problems.push(`block ${b} used by both ${prev} and ${who}`);
    else owner.set(b, who);
  };

  const visitDir = (ino: number, parent: number, path: string) => {
    if (seenDirs.has(ino)) {
      problems.push(`directory inode ${ino} reached twice (at ${path})`);
      return;
    }
    seenDirs.add(ino);
    const d = inode(ino);
    let entries: TinyfsRawDirent[];
    try {
      entries = readTinyfsDirents(image, sb, d);
    } catch (e) {
      problems.push((e as Error).message);
      return;
    }
    const dot = entries.filter((e) => e.name === '.');
    const dotdot = entries.filter((e) => e.name === '..');
    if (dot.length !== 1 || dot[0]!.ino !== ino || dot[0]!.offset !== 0)
      problems.push(`${path}: "." is not the first entry naming the directory itself`);
    if (
      dotdot.length !== 1 ||
      dotdot[0]!.ino !== parent ||
      dotdot[0]!.offset !== TINYFS_DIRENT_SIZE
    )
      problems.push(`${path}: ".." is not the second entry naming inode ${parent}`);
    const names = new Set<string>();
    for (const e of entries) {
      if (e.name === '.' || e.name === '..') continue;
      const childPath = `${path === '/' ? '' : path}/${e.name}`;
      if (names.has(e.name)) problems.push(`${path}: name ${e.name} appears twice`);
      names.add(e.name);
      if (e.ino <= 0 || e.ino >= sb.ninodes) {
        problems.push(`${childPath}: inode ${e.ino} out of range`);
        continue;
      }
      const child = inode(e.ino);
      if (child.mode === 0) {
        problems.push(`${childPath}: names free inode ${e.ino}`);
        continue;
      }
      if (e.dtype !== dtypeOfMode(child.mode))
        problems.push(
          `${childPath}: entry type ${e.dtype} but inode type ${dtypeOfMode(child.mode)}`,
        );
      refs.set(e.ino, (refs.get(e.ino) ?? 0) + 1);
      if ((child.mode & S_IFMT) === S_IFDIR) {
        subdirs.set(ino, (subdirs.get(ino) ?? 0) + 1);
        visitDir(e.ino, ino, childPath);
      }
    }
  };
  visitDir(TINYFS_ROOTINO, TINYFS_ROOTINO, '/');

  let usedInodes = 0;
  for (let ino = 1; ino < sb.ninodes; ino++) {
    const d = inode(ino);
    if (d.mode === 0) continue;
    usedInodes++;
    const type = d.mode & S_IFMT;
    const isDir = type === S_IFDIR;
    if (ino !== TINYFS_ROOTINO && !refs.has(ino)) {
      problems.push(`inode ${ino} (mode 0${d.mode.toString(8)}) is allocated but has no name`);
    }
    const expectedLinks = isDir ? 2 + (subdirs.get(ino) ?? 0) : (refs.get(ino) ?? 0);
    if (d.nlink !== expectedLinks)
      problems.push(`inode ${ino}: nlink ${d.nlink}, expected ${expectedLinks}`);
    if (isDir && refs.has(ino) && refs.get(ino)! > 1)
      problems.push(`directory inode ${ino} has ${refs.get(ino)} names`);
    let held = 0;
    try {
      const { map, indirect } = tinyfsBlockMap(image, sb, d);
      map.forEach((b, lbn) => {
        if (b !== 0) {
          claim(b, `inode ${ino} block ${lbn}`);
          held++;
        }
      });
      // Past the end of a file or symlink its last block holds zeros, so that growing the
      // file later cannot bring old bytes back.
      const tailBlock = map[map.length - 1];
      const tail = d.size % TINYFS_BSIZE;
      if ((type === S_IFREG || type === S_IFLNK) && tailBlock && tail !== 0) {
        const start = tailBlock * TINYFS_BSIZE;
        if (image.subarray(start + tail, start + TINYFS_BSIZE).some((x) => x !== 0))
          problems.push(`inode ${ino}: bytes past the end of the file are not zero`);
      }
      if (indirect !== 0) {
        claim(indirect, `inode ${ino} indirect`);
        held++;
        // Pointers past the end of the file must be zero.
        const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
        for (let i = Math.max(0, map.length - TINYFS_NDIRECT); i < TINYFS_NINDIRECT; i++)
          if (view.getUint32(indirect * TINYFS_BSIZE + i * 4, true) !== 0) {
            problems.push(`inode ${ino}: indirect pointer ${i} set past the end of the file`);
            break;
          }
      }
      for (let lbn = map.length; lbn < TINYFS_NDIRECT; lbn++)
        if (!isFastlink(d) && d.direct[lbn] !== 0)
          problems.push(`inode ${ino}: direct pointer ${lbn} set past the end of the file`);
    } catch (e) {
      problems.push((e as Error).message);
    }
    if ((type === S_IFCHR || type === S_IFBLK || type === S_IFIFO) && held !== 0)
      problems.push(`inode ${ino}: special file holds blocks`);
    if (d.blocks !== held) problems.push(`inode ${ino}: blocks ${d.blocks}, holds ${held}`);
  }

  let marked = 0;
  for (let b = sb.dataStart; b < sb.nblocks; b++) {
    const bit = (image[TINYFS_BSIZE + (b >>> 3)]! >>> (b & 7)) & 1;
    if (bit) marked++;
    if (bit && !owner.has(b)) problems.push(`block ${b} is marked in use but belongs to nothing`);
    if (!bit && owner.has(b)) problems.push(`block ${b} (${owner.get(b)}) is not marked in use`);
  }
  for (let b = 0; b < sb.dataStart; b++)
    if (((image[TINYFS_BSIZE + (b >>> 3)]! >>> (b & 7)) & 1) === 0)
      problems.push(`metadata block ${b} is not marked in use`);
  const freeBlocks = sb.nblocks - sb.dataStart - marked;
  if (sb.freeBlocks !== freeBlocks)
    problems.push(`superblock counts ${sb.freeBlocks} free blocks, the bitmap ${freeBlocks}`);
  const freeInodes = sb.ninodes - 1 - usedInodes;
  if (sb.freeInodes !== freeInodes)
    problems.push(`superblock counts ${sb.freeInodes} free inodes, the table ${freeInodes}`);
  return { problems, clean: sb.clean, usedBlocks: owner.size, usedInodes };
}
