/**
 * All partitions of a disk image, from its GPT, its MBR (with logical partitions) and NetBSD
 * disklabels (inside NetBSD MBR partitions, or at the start of the disk), in one numbered list.
 * Ids, as `IMAGE@ID` and `--partition ID` take them:
 *   `N`   GPT entry N, or MBR entry N (1-4 primary, 5+ logical)
 *   `Nx`  disklabel partition x inside MBR partition N
 *   `x`   disklabel partition x of a label at the start of the disk
 * What is searched follows NetBSD: a protective MBR (0xee) means GPT; otherwise the MBR, and a
 * label in each NetBSD (0xa9) partition; with no MBR, GPT or label there, a label at sector 0.
 */
import { type Disklabel, FSTYPE_MOUNT_NAMES, findDisklabel, RAW_PART } from './disklabel.js';
import { type GptEntry, GptError, readGpt } from './gpt.js';
import { type ByteSource, DEV_BSIZE, SliceSource } from './image.js';
import { MBR_PTYPE_NETBSD, type MbrEntry, notMbrReason, readMbr } from './mbr.js';

export type PartitionScheme = 'gpt' | 'mbr' | 'disklabel';

export interface Partition {
  readonly id: string;
  readonly scheme: PartitionScheme;
  /** Byte offset and size in the image. */
  readonly offset: number;
  readonly size: number;
  readonly sectorSize: number;
  /** Type as text: `NetBSD`, `NetBSD FFS`, `4.2BSD`. */
  readonly type: string;
  /** Type as stored: `0xa9`, a GUID, or the disklabel fstype number. */
  readonly typeCode: string;
  /** GPT partition name, or '' */
  readonly name: string;
  /** The NetBSD file-system module its type suggests (detection decides), or undefined. */
  readonly fsHint: string | undefined;
  /** An MBR extended partition (holds logical ones; never mounted itself). */
  readonly container: boolean;
  /** A disklabel raw partition (`c` or `d`: the whole NetBSD partition or disk). */
  readonly raw: boolean;
}

export interface PartitionScan {
  /** Schemes found, outermost first: `['mbr', 'disklabel']`. */
  readonly schemes: readonly PartitionScheme[];
  readonly partitions: readonly Partition[];
  /** Problems and refusals met while reading (bad CRCs, cut chains, corrupted labels). */
  readonly notes: readonly string[];
  readonly disklabels: readonly { readonly in: string; readonly label: Disklabel }[];
}

const MBR_FS_HINT: Readonly<Record<number, string>> = {
  1: 'msdos',
  4: 'msdos',
  6: 'msdos',
  11: 'msdos',
  12: 'msdos',
  14: 'msdos',
  7: 'ntfs',
  131: 'ext2fs',
  169: 'ffs',
  165: 'ffs',
  166: 'ffs',
  168: 'ffs',
  175: 'hfs',
  239: 'msdos',
};

const GPT_FS_HINT: Readonly<Record<string, string>> = {
  'NetBSD FFS': 'ffs',
  'NetBSD LFS': 'lfs',
  'FreeBSD UFS': 'ffs',
  'Apple UFS': 'ffs',
  'EFI system': 'msdos',
  'Linux filesystem': 'ext2fs',
  'Linux root (x86-64)': 'ext2fs',
  'Linux home': 'ext2fs',
  'Apple HFS+': 'hfs',
  'FreeBSD ZFS': 'zfs',
};

function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

function fromMbr(e: MbrEntry): Partition {
  return {
    id: String(e.slot),
    scheme: 'mbr',
    offset: e.start * DEV_BSIZE,
    size: e.sectors * DEV_BSIZE,
    sectorSize: DEV_BSIZE,
    type: e.typeName,
    typeCode: hex2(e.type),
    name: e.active ? 'active' : '',
    fsHint: MBR_FS_HINT[e.type],
    container: e.extended,
    raw: false,
  };
}

function fromGpt(e: GptEntry, sectorSize: number): Partition {
  return {
    id: String(e.index),
    scheme: 'gpt',
    offset: e.first * sectorSize,
    size: e.sectors * sectorSize,
    sectorSize,
    type: e.typeName,
    typeCode: e.typeGuid,
    name: e.name,
    fsHint: GPT_FS_HINT[e.typeName],
    container: false,
    raw: false,
  };
}

function fromLabel(prefix: string, label: Disklabel): Partition[] {
  const secsize = label.secsize > 0 ? label.secsize : DEV_BSIZE;
  return label.partitions
    .filter((p) => p.size > 0)
    .map((p, _i, _a) => {
      const index = p.letter.charCodeAt(0) - 97;
      return {
        id: `${prefix}${p.letter}`,
        scheme: 'disklabel' as const,
        offset: p.offset * secsize,
        size: p.size * secsize,
        sectorSize: secsize,
        type: p.fstypeName,
        typeCode: String(p.fstype),
        name: '',
        fsHint: FSTYPE_MOUNT_NAMES[p.fstype],
        container: false,
        raw: index === RAW_PART || (index === 2 && prefix !== ''),
      };
    });
}

export function scanPartitions(src: ByteSource): PartitionScan {
  const notes: string[] = [];
  const schemes: PartitionScheme[] = [];
  const partitions: Partition[] = [];
  const disklabels: { in: string; label: Disklabel }[] = [];
  const addLabel = (where: string, prefix: string, sector: number) => {
    const scan = findDisklabel(src, sector);
    notes.push(...scan.refused.map((r) => `${where}: ${r}`));
    if (!scan.label) return false;
    if (!schemes.includes('disklabel')) schemes.push('disklabel');
    disklabels.push({ in: where, label: scan.label });
    partitions.push(...fromLabel(prefix, scan.label));
    return true;
  };

  const mbr = readMbr(src);
  if (!mbr) {
    const why = notMbrReason(src.read(0, DEV_BSIZE));
    if (why) notes.push(`no MBR: ${why}`);
  }
  if (!mbr || mbr.protective) {
    let gpt: ReturnType<typeof readGpt>;
    try {
      gpt = readGpt(src);
    } catch (e) {
      if (!(e instanceof GptError)) throw e;
      notes.push(e.message);
    }
    if (gpt) {
      schemes.push('gpt');
      notes.push(...gpt.problems);
      partitions.push(...gpt.entries.map((e) => fromGpt(e, gpt.sectorSize)));
      return { schemes, partitions, notes, disklabels };
    }
    if (mbr?.protective) notes.push('protective MBR (0xee) but no usable GPT');
  }
  if (mbr) {
    schemes.push('mbr');
    notes.push(...mbr.problems);
    for (const e of mbr.entries) {
      partitions.push(fromMbr(e));
      if (e.type === MBR_PTYPE_NETBSD) addLabel(`MBR partition ${e.slot}`, String(e.slot), e.start);
    }
    if (disklabels.length > 0) return { schemes, partitions, notes, disklabels };
  }
  addLabel('start of disk', '', 0);
  return { schemes, partitions, notes, disklabels };
}

export class PartitionError extends Error {
  override name = 'PartitionError';
}

/** The partition with `id`, or a PartitionError listing the ids there are. */
export function findPartition(scan: PartitionScan, id: string): Partition {
  const p = scan.partitions.find((x) => x.id === id);
  if (p && !p.container) return p;
  const usable = scan.partitions.filter((x) => !x.container).map((x) => x.id);
  if (p)
    throw new PartitionError(
      `partition ${id} is an extended partition (it holds ${usable.filter((u) => Number(u) > 4).join(', ') || 'no logical partitions'})`,
    );
  throw new PartitionError(
    usable.length
      ? `no partition ${id} (partitions: ${usable.join(', ')})`
      : `no partition ${id}: no partition table found${scan.notes.length ? ` (${scan.notes.join('; ')})` : ''}`,
  );
}

/** A byte source for the partition (a window onto the image). */
export function partitionSource(src: ByteSource, p: Partition): SliceSource {
  return new SliceSource(src, p.offset, p.size);
}
