/**
 * Just enough of the FFS on-disk format (NetBSD's sys/ufs/ffs/fs.h and dinode.h) to find an
 * image's metadata: the superblock (its clean flag for the classic scenario's check), the
 * cylinder-group blocks, the inode blocks and the directory blocks reachable from the root —
 * the regions the corruption mode mutates. Offsets of `struct fs` are those of NetBSD 10.99's
 * compiler (shared/netbsd/struct-layouts.json).
 */

export const FS_UFS1_MAGIC = 0x011954;
export const FS_UFS2_MAGIC = 0x19540119;
/** Where NetBSD looks for a superblock (SBLOCKSEARCH: UFS2, UFS1, piggy, none). */
export const SBLOCKSEARCH = [65536, 8192, 0, 262144] as const;
export const UFS_ROOTINO = 2;
const NDADDR = 12;

/** struct fs member offsets (bytes into the superblock). */
export const FS_OFFSETS = {
  fs_sblkno: 8,
  fs_cblkno: 12,
  fs_iblkno: 16,
  fs_dblkno: 20,
  fs_old_cgoffset: 24,
  fs_old_cgmask: 28,
  fs_ncg: 44,
  fs_bsize: 48,
  fs_fsize: 52,
  fs_frag: 56,
  fs_sbsize: 104,
  fs_inopb: 120,
  fs_cgsize: 160,
  fs_ipg: 184,
  fs_fpg: 188,
  fs_fmod: 208,
  fs_clean: 209,
  fs_ronly: 210,
  fs_old_flags: 211,
  fs_sblockloc: 1000,
  fs_size: 1080,
  fs_flags: 1312,
  fs_maxsymlinklen: 1320,
  fs_maxfilesize: 1328,
  fs_magic: 1372,
} as const;
export const SIZEOF_STRUCT_FS = 1376;

/** A malformed FFS image, naming where. */
export class FfsImageError extends Error {
  override name = 'FfsImageError';
}

export interface FfsSuperblock {
  /** Byte offset of the superblock in the image. */
  readonly offset: number;
  readonly version: 1 | 2;
  readonly clean: boolean;
  readonly ncg: number;
  readonly bsize: number;
  readonly fsize: number;
  readonly frag: number;
  readonly fpg: number;
  readonly ipg: number;
  readonly cblkno: number;
  readonly iblkno: number;
  readonly dblkno: number;
  readonly oldCgoffset: number;
  readonly oldCgmask: number;
  readonly cgsize: number;
  /** Bytes of one on-disk inode: 128 for UFS1, 256 for UFS2. */
  readonly inodeSize: number;
  readonly maxSymlinkLen: number;
}

function view(image: Uint8Array): DataView {
  return new DataView(image.buffer, image.byteOffset, image.byteLength);
}

/** Finds and decodes the superblock, trying NetBSD's search locations in order. */
export function readFfsSuperblock(image: Uint8Array): FfsSuperblock {
  const v = view(image);
  for (const offset of SBLOCKSEARCH) {
    if (offset + SIZEOF_STRUCT_FS > image.length) continue;
    const magic = v.getInt32(offset + FS_OFFSETS.fs_magic, true);
    if (magic !== FS_UFS1_MAGIC && magic !== FS_UFS2_MAGIC) continue;
    const i32 = (o: number) => v.getInt32(offset + o, true);
    const sb: FfsSuperblock = {
      offset,
      version: magic === FS_UFS1_MAGIC ? 1 : 2,
      clean: image[offset + FS_OFFSETS.fs_clean] !== 0,
      ncg: i32(FS_OFFSETS.fs_ncg),
      bsize: i32(FS_OFFSETS.fs_bsize),
      fsize: i32(FS_OFFSETS.fs_fsize),
      frag: i32(FS_OFFSETS.fs_frag),
      fpg: i32(FS_OFFSETS.fs_fpg),
      ipg: i32(FS_OFFSETS.fs_ipg),
      cblkno: i32(FS_OFFSETS.fs_cblkno),
      iblkno: i32(FS_OFFSETS.fs_iblkno),
      dblkno: i32(FS_OFFSETS.fs_dblkno),
      oldCgoffset: i32(FS_OFFSETS.fs_old_cgoffset),
      oldCgmask: i32(FS_OFFSETS.fs_old_cgmask),
      cgsize: i32(FS_OFFSETS.fs_cgsize),
      inodeSize: magic === FS_UFS1_MAGIC ? 128 : 256,
      maxSymlinkLen: i32(FS_OFFSETS.fs_maxsymlinklen),
    };
    if (sb.fsize <= 0 || sb.bsize < sb.fsize || sb.ncg <= 0 || sb.ipg <= 0 || sb.fpg <= 0)
      throw new FfsImageError(`superblock at ${offset}: implausible geometry`);
    return sb;
  }
  throw new FfsImageError('no FFS superblock at 65536, 8192, 0 or 262144');
}

/** fs_clean of the image's superblock. */
export function ffsIsClean(image: Uint8Array): boolean {
  return readFfsSuperblock(image).clean;
}

/** cgstart(): the first fragment of cylinder group `c` (UFS1 staggers groups by cgoffset). */
export function cgStart(sb: FfsSuperblock, c: number): number {
  const base = sb.fpg * c;
  return sb.version === 1 ? base + sb.oldCgoffset * (c & ~sb.oldCgmask) : base;
}

/** Byte offset of inode `ino` in the image (ino_to_fsba + ino_to_fsbo). */
export function inodeOffset(sb: FfsSuperblock, ino: number): number {
  const cg = Math.floor(ino / sb.ipg);
  return (cgStart(sb, cg) + sb.iblkno) * sb.fsize + (ino % sb.ipg) * sb.inodeSize;
}

export interface FfsDinode {
  readonly mode: number;
  readonly size: number;
  /** Direct block addresses in fragments (0: hole). */
  readonly direct: readonly number[];
}

export function readFfsInode(image: Uint8Array, sb: FfsSuperblock, ino: number): FfsDinode {
  const off = inodeOffset(sb, ino);
  if (off + sb.inodeSize > image.length) throw new FfsImageError(`inode ${ino} past the image`);
  const v = view(image);
  const direct: number[] = [];
  for (let i = 0; i < NDADDR; i++)
    direct.push(
      sb.version === 1
        ? v.getInt32(off + 40 + i * 4, true)
        : Number(v.getBigInt64(off + 112 + i * 8, true)),
    );
  // di_size: UFS1 at +8 (after di_oldids), UFS2 at +16 (after di_uid, di_gid, di_blksize).
  const size = Number(v.getBigUint64(off + (sb.version === 1 ? 8 : 16), true));
  return { mode: v.getUint16(off, true), size, direct };
}

/** A byte range of the image holding one kind of metadata. */
export interface MetadataRegion {
  readonly kind: string;
  readonly offset: number;
  readonly length: number;
  /** What it is, for reports: `cylinder group 0`, `inode 2`, `directory inode 2 block 0`. */
  readonly what: string;
}

/** The regions the corruption mode mutates: superblock, cylinder groups, inodes, directories. */
export function ffsMetadataRegions(image: Uint8Array): MetadataRegion[] {
  const sb = readFfsSuperblock(image);
  const out: MetadataRegion[] = [
    { kind: 'superblock', offset: sb.offset, length: SIZEOF_STRUCT_FS, what: 'superblock' },
  ];
  for (let c = 0; c < sb.ncg; c++) {
    const off = (cgStart(sb, c) + sb.cblkno) * sb.fsize;
    if (off + sb.cgsize <= image.length)
      out.push({
        kind: 'cylinder-group',
        offset: off,
        length: Math.max(sb.cgsize, 256),
        what: `cylinder group ${c}`,
      });
  }
  // Inodes in use (mode != 0) of the first group: those the walk reaches.
  for (let ino = UFS_ROOTINO; ino < sb.ipg; ino++) {
    const off = inodeOffset(sb, ino);
    if (off + sb.inodeSize > image.length) break;
    if (view(image).getUint16(off, true) === 0) continue;
    out.push({ kind: 'inode', offset: off, length: sb.inodeSize, what: `inode ${ino}` });
  }
  // Directory blocks reachable from the root (direct blocks only; small images).
  const seen = new Set<number>();
  const visit = (ino: number, depth: number) => {
    if (seen.has(ino) || depth > 8) return;
    seen.add(ino);
    let d: FfsDinode;
    try {
      d = readFfsInode(image, sb, ino);
    } catch {
      return;
    }
    if ((d.mode & 0o170000) !== 0o040000) return;
    const nblocks = Math.min(NDADDR, Math.ceil(d.size / sb.bsize));
    for (let lbn = 0; lbn < nblocks; lbn++) {
      const addr = d.direct[lbn]!;
      const off = addr * sb.fsize;
      const len = Math.min(sb.bsize, d.size - lbn * sb.bsize);
      if (addr <= 0 || off + len > image.length) continue;
      out.push({ kind: 'directory', offset: off, length: len, what: `directory inode ${ino}` });
      const v = view(image);
      for (let p = off; p + 8 <= off + len; ) {
        const child = v.getUint32(p, true);
        const reclen = v.getUint16(p + 4, true);
        const type = image[p + 6]!;
        const namlen = image[p + 7]!;
        const name = String.fromCharCode(...image.subarray(p + 8, p + 8 + namlen));
        if (child !== 0 && type === 4 && name !== '.' && name !== '..') visit(child, depth + 1);
        if (reclen < 8) break;
        p += reclen;
      }
    }
  };
  visit(UFS_ROOTINO, 0);
  return out;
}
