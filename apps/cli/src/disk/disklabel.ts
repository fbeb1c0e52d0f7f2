/**
 * NetBSD disklabels (<sys/disklabel.h>, `struct disklabel`, 148 bytes + 16 per partition).
 * Found like NetBSD's subr_disk_mbr.c `validate_label` does: read three sectors from the label
 * sector's partition start (LABELSECTOR 1 on amd64: sector 1 of a NetBSD MBR partition, or of the
 * whole disk) and look at every 4-byte step for d_magic and d_magic2 (0x82564557), in either byte
 * order; the label counts when d_npartitions ≤ MAXPARTITIONS and the 16-bit XOR of the label up
 * to the end of its partition table is zero (dkcksum). Partition offsets are absolute sectors.
 */
import { ascii, type ByteSource, DEV_BSIZE, view } from './image.js';

export const DISKMAGIC = 0x82564557;
/** amd64 and i386 (`MAXPARTITIONS`); labels from other ports may have up to MAXMAXPARTITIONS. */
export const MAXPARTITIONS = 16;
export const MAXMAXPARTITIONS = 22;
/** Sectors read when looking for a label (`SCANBLOCKS`). */
export const SCANBLOCKS = 3;
export const LABEL_SIZE = 148;
export const PARTITION_SIZE = 16;
export const RAW_PART = 3;

const O = {
  d_magic: 0,
  d_type: 4,
  d_typename: 8,
  d_packname: 24,
  d_secsize: 40,
  d_nsectors: 44,
  d_ntracks: 48,
  d_ncylinders: 52,
  d_secpercyl: 56,
  d_secperunit: 60,
  d_magic2: 132,
  d_checksum: 136,
  d_npartitions: 138,
  d_bbsize: 140,
  d_sbsize: 144,
  d_partitions: 148,
} as const;

/** p_fstype names, as NetBSD's fstypenames[] (FS_BSDFFS = 7 is "4.2BSD"). */
export const FSTYPE_NAMES: readonly string[] = [
  'unused',
  'swap',
  'Version 6',
  'Version 7',
  'System V',
  '4.1BSD',
  'Eighth Edition',
  '4.2BSD',
  'MSDOS',
  '4.4LFS',
  'unknown',
  'HPFS',
  'ISO9660',
  'boot',
  'ADOS',
  'HFS',
  'FILECORE',
  'Linux Ext2',
  'NTFS',
  'RAID',
  'ccd',
  'jfs',
  'Apple UFS',
  'vinum',
  'UDF',
  'SysVBFS',
  'EFS',
  'NiLFS',
  'cgd',
  'MINIX FSv3',
  'VMware vmkcore',
  'VMware VMFS',
  'VMware Reserved',
  'ZFS',
];

/** NetBSD's mount names per p_fstype (mountnames[]): the file-system module to use. */
export const FSTYPE_MOUNT_NAMES: Readonly<Record<number, string>> = {
  3: 'v7fs',
  7: 'ffs',
  8: 'msdos',
  9: 'lfs',
  12: 'cd9660',
  14: 'ados',
  16: 'filecore',
  17: 'ext2fs',
  18: 'ntfs',
  22: 'ffs',
  24: 'udf',
  25: 'sysvbfs',
  26: 'efs',
  27: 'nilfs',
  33: 'zfs',
};

export const FS_UNUSED = 0;
export const FS_SWAP = 1;
export const FS_BSDFFS = 7;
export const FS_MSDOS = 8;
export const FS_BSDLFS = 9;
export const FS_EX2FS = 17;

export function fstypeName(t: number): string {
  return FSTYPE_NAMES[t] ?? `fstype ${t}`;
}

export interface DisklabelPartition {
  /** `a`, `b`, ... */
  readonly letter: string;
  readonly offset: number;
  readonly size: number;
  readonly fstype: number;
  readonly fstypeName: string;
  readonly fsize: number;
  readonly frag: number;
  readonly cpg: number;
}

export interface Disklabel {
  /** Byte offset in the image where the label was found. */
  readonly at: number;
  /** The label is in the other byte order (big-endian). */
  readonly swapped: boolean;
  readonly typename: string;
  readonly packname: string;
  readonly secsize: number;
  readonly secperunit: number;
  readonly npartitions: number;
  readonly checksum: number;
  /** Every slot up to d_npartitions, unused ones included (fstype 0, size 0). */
  readonly partitions: readonly DisklabelPartition[];
}

/** dkcksum: the XOR of the label's 16-bit words up to the end of partition `n`. Zero when valid. */
export function dkcksum(label: Uint8Array, npartitions: number, littleEndian = true): number {
  const end = LABEL_SIZE + PARTITION_SIZE * npartitions;
  const v = view(label);
  let sum = 0;
  for (let o = 0; o + 1 < end; o += 2) sum ^= v.getUint16(o, littleEndian);
  return sum;
}

export interface LabelScan {
  readonly label: Disklabel | undefined;
  /** Why a candidate with the magic was refused (`disk label corrupted` in NetBSD). */
  readonly refused: readonly string[];
}

/** Decodes a label at byte `at` of `buf` (magic already seen) or says why it is refused. */
function decode(buf: Uint8Array, at: number, le: boolean, base: number): Disklabel | string {
  const rest = buf.subarray(at);
  const v = view(rest);
  const n = v.getUint16(O.d_npartitions, le);
  if (n > MAXMAXPARTITIONS) return `d_npartitions ${n} > ${MAXMAXPARTITIONS}`;
  if (rest.length < LABEL_SIZE + PARTITION_SIZE * n) return 'label cut by the end of the scan';
  const sum = dkcksum(rest, n, le);
  if (sum !== 0) return `checksum fails (XOR is 0x${sum.toString(16)}, expected 0)`;
  const partitions: DisklabelPartition[] = [];
  for (let i = 0; i < n; i++) {
    const o = O.d_partitions + PARTITION_SIZE * i;
    const fstype = v.getUint8(o + 12);
    partitions.push({
      letter: String.fromCharCode(97 + i),
      size: v.getUint32(o, le),
      offset: v.getUint32(o + 4, le),
      fsize: v.getUint32(o + 8, le),
      fstype,
      fstypeName: fstypeName(fstype),
      frag: v.getUint8(o + 13),
      cpg: v.getUint16(o + 14, le),
    });
  }
  return {
    at: base + at,
    swapped: !le,
    typename: ascii(rest, O.d_typename, 16),
    packname: ascii(rest, O.d_packname, 16),
    secsize: v.getUint32(O.d_secsize, le),
    secperunit: v.getUint32(O.d_secperunit, le),
    npartitions: n,
    checksum: v.getUint16(O.d_checksum, le),
    partitions,
  };
}

/**
 * Looks for a label in the SCANBLOCKS sectors starting at `sector` (the start of a NetBSD MBR
 * partition, or 0 for the whole disk), as validate_label() does.
 */
export function findDisklabel(src: ByteSource, sector: number, sectorSize = DEV_BSIZE): LabelScan {
  const base = sector * sectorSize;
  const buf = src.read(base, SCANBLOCKS * sectorSize);
  const v = view(buf);
  const refused: string[] = [];
  for (let at = 0; at + LABEL_SIZE <= buf.length; at += 4) {
    for (const le of [true, false]) {
      if (v.getUint32(at + O.d_magic, le) !== DISKMAGIC) continue;
      if (v.getUint32(at + O.d_magic2, le) !== DISKMAGIC) continue;
      const r = decode(buf, at, le, base);
      if (typeof r === 'string') refused.push(`label at byte ${base + at}: ${r}`);
      else return { label: r, refused };
    }
  }
  return { label: undefined, refused };
}

export interface LabelInput {
  readonly partitions: readonly {
    offset: number;
    size: number;
    fstype: number;
    fsize?: number;
    frag?: number;
    cpg?: number;
  }[];
  readonly typename?: string;
  readonly secperunit?: number;
  readonly littleEndian?: boolean;
}

/** Builds a label with a correct checksum (for tests and for tools that write images). */
export function encodeDisklabel(input: LabelInput): Uint8Array {
  const le = input.littleEndian ?? true;
  const n = input.partitions.length;
  const b = new Uint8Array(LABEL_SIZE + PARTITION_SIZE * n);
  const v = view(b);
  v.setUint32(O.d_magic, DISKMAGIC, le);
  v.setUint32(O.d_magic2, DISKMAGIC, le);
  const name = input.typename ?? 'rump';
  for (let i = 0; i < Math.min(16, name.length); i++) b[O.d_typename + i] = name.charCodeAt(i);
  v.setUint32(O.d_secsize, DEV_BSIZE, le);
  v.setUint32(O.d_secperunit, input.secperunit ?? 0, le);
  v.setUint16(O.d_npartitions, n, le);
  v.setUint32(O.d_bbsize, 8192, le);
  v.setUint32(O.d_sbsize, 65536, le);
  input.partitions.forEach((p, i) => {
    const o = O.d_partitions + PARTITION_SIZE * i;
    v.setUint32(o, p.size, le);
    v.setUint32(o + 4, p.offset, le);
    v.setUint32(o + 8, p.fsize ?? 0, le);
    v.setUint8(o + 12, p.fstype);
    v.setUint8(o + 13, p.frag ?? 0);
    v.setUint16(o + 14, p.cpg ?? 0, le);
  });
  v.setUint16(O.d_checksum, dkcksum(b, n, le), le);
  return b;
}
