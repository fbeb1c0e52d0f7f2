/**
 * The PC master boot record (NetBSD <sys/bootblock.h>, `struct mbr_sector`): four 16-byte
 * partition entries at byte 446 and the signature 0x55 0xAA at byte 510. Extended partitions
 * (0x05, 0x0f, 0x85) hold a chain of extended boot records, each with one logical partition
 * (entry 0, relative to that EBR) and a link to the next EBR (entry 1, relative to the start of
 * the outermost extended partition). Primary entries are numbered 1-4, logical ones 5 and up.
 */
import { type ByteSource, DEV_BSIZE, view } from './image.js';

export const MBR_PART_OFFSET = 446;
export const MBR_MAGIC_OFFSET = 510;
export const MBR_MAGIC = 0xaa55;
export const MBR_PTYPE_EXT = 0x05;
export const MBR_PTYPE_EXT_LBA = 0x0f;
export const MBR_PTYPE_EXT_LNX = 0x85;
export const MBR_PTYPE_NETBSD = 0xa9;
export const MBR_PTYPE_PMBR = 0xee;
/** Most logical partitions followed before a chain is taken as a loop. */
export const MAX_LOGICAL = 128;

/** Names of the partition types (a selection of NetBSD's MBR_PTYPE_* list). */
export const MBR_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'unused',
  1: 'FAT12',
  4: 'FAT16 (<32M)',
  5: 'extended',
  6: 'FAT16',
  7: 'NTFS/HPFS/exFAT',
  11: 'FAT32',
  12: 'FAT32 (LBA)',
  14: 'FAT16 (LBA)',
  15: 'extended (LBA)',
  17: 'hidden FAT12',
  20: 'hidden FAT16 (<32M)',
  22: 'hidden FAT16',
  23: 'hidden NTFS/HPFS',
  27: 'hidden FAT32',
  28: 'hidden FAT32 (LBA)',
  30: 'hidden FAT16 (LBA)',
  39: 'Windows recovery',
  57: 'Plan 9',
  77: 'QNX4',
  99: 'Unix System V/386',
  129: 'Minix',
  130: 'Linux swap',
  131: 'Linux',
  133: 'Linux extended',
  142: 'Linux LVM',
  165: 'FreeBSD',
  166: 'OpenBSD',
  168: 'Apple UFS',
  169: 'NetBSD',
  171: 'Apple boot',
  175: 'Apple HFS',
  183: 'BSDI',
  191: 'Solaris',
  218: 'non-FS data',
  235: 'BeOS',
  238: 'GPT protective',
  239: 'EFI system',
  251: 'VMware VMFS',
  252: 'VMware vmkcore',
  253: 'Linux RAID',
};

export function mbrTypeName(type: number): string {
  return MBR_TYPE_NAMES[type] ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}

export function isExtendedType(type: number): boolean {
  return type === MBR_PTYPE_EXT || type === MBR_PTYPE_EXT_LBA || type === MBR_PTYPE_EXT_LNX;
}

export interface MbrEntry {
  /** 1-4 for primary entries, 5 and up for logical partitions in chain order. */
  readonly slot: number;
  readonly type: number;
  readonly typeName: string;
  readonly active: boolean;
  /** First sector, absolute (from the start of the disk). */
  readonly start: number;
  readonly sectors: number;
  /** An extended partition (a container of logical ones). */
  readonly extended: boolean;
  readonly logical: boolean;
}

export interface MbrTable {
  readonly entries: readonly MbrEntry[];
  /** A GPT protective entry (0xee) is present. */
  readonly protective: boolean;
  /** Things that looked wrong but did not stop reading (cut chains, entries past the end). */
  readonly problems: readonly string[];
}

interface RawEntry {
  status: number;
  type: number;
  start: number;
  sectors: number;
}

function rawEntries(sector: Uint8Array): RawEntry[] {
  const v = view(sector);
  const out: RawEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const o = MBR_PART_OFFSET + 16 * i;
    out.push({
      status: v.getUint8(o),
      type: v.getUint8(o + 4),
      start: v.getUint32(o + 8, true),
      sectors: v.getUint32(o + 12, true),
    });
  }
  return out;
}

function hasSignature(sector: Uint8Array): boolean {
  return sector.length >= 512 && view(sector).getUint16(MBR_MAGIC_OFFSET, true) === MBR_MAGIC;
}

/** Why sector 0 is not an MBR, or undefined when it is one. */
export function notMbrReason(sector0: Uint8Array): string | undefined {
  if (!hasSignature(sector0)) return 'no 0x55aa signature at byte 510 of sector 0';
  const raw = rawEntries(sector0);
  for (let i = 0; i < 4; i++) {
    const e = raw[i]!;
    if (e.type === 0) continue;
    // A boot sector of a file system (FAT, NTFS) has the signature but boot code here.
    if (e.status !== 0 && e.status !== 0x80)
      return `entry ${i + 1} has boot flag 0x${e.status.toString(16)} (not 0x00 or 0x80): a boot sector, not an MBR`;
    if (e.sectors === 0) return `entry ${i + 1} (type 0x${e.type.toString(16)}) has no sectors`;
  }
  if (raw.every((e) => e.type === 0)) return 'all four entries are unused';
  return undefined;
}

/** Reads the MBR of `src`, or returns undefined (with the reason from notMbrReason) when none. */
export function readMbr(src: ByteSource, sectorSize = DEV_BSIZE): MbrTable | undefined {
  const sector0 = src.read(0, sectorSize);
  if (notMbrReason(sector0) !== undefined) return undefined;
  const disk = Math.floor(src.size / sectorSize);
  const problems: string[] = [];
  const entries: MbrEntry[] = [];
  let protective = false;
  let nextLogical = 5;
  const check = (e: MbrEntry) => {
    if (e.start + e.sectors > disk && e.type !== MBR_PTYPE_PMBR)
      problems.push(
        `partition ${e.slot} ends at sector ${e.start + e.sectors}, past the end of the image (${disk} sectors)`,
      );
  };

  rawEntries(sector0).forEach((r, i) => {
    if (r.type === 0) return;
    if (r.type === MBR_PTYPE_PMBR) protective = true;
    const e: MbrEntry = {
      slot: i + 1,
      type: r.type,
      typeName: mbrTypeName(r.type),
      active: r.status === 0x80,
      start: r.start,
      sectors: r.sectors,
      extended: isExtendedType(r.type),
      logical: false,
    };
    entries.push(e);
    check(e);
  });

  for (const ext of entries.filter((e) => e.extended)) {
    const seen = new Set<number>();
    let ebr = ext.start;
    for (let n = 0; ; n++) {
      if (n >= MAX_LOGICAL || seen.has(ebr)) {
        problems.push(`extended partition ${ext.slot}: the EBR chain loops at sector ${ebr}`);
        break;
      }
      seen.add(ebr);
      const sector = src.read(ebr * sectorSize, sectorSize);
      if (!hasSignature(sector)) {
        problems.push(
          `extended partition ${ext.slot}: no EBR signature at sector ${ebr}; chain cut there`,
        );
        break;
      }
      const [logical, link] = rawEntries(sector);
      if (logical && logical.type !== 0 && logical.sectors > 0) {
        const e: MbrEntry = {
          slot: nextLogical++,
          type: logical.type,
          typeName: mbrTypeName(logical.type),
          active: logical.status === 0x80,
          start: ebr + logical.start,
          sectors: logical.sectors,
          extended: false,
          logical: true,
        };
        entries.push(e);
        check(e);
      }
      if (!link || link.type === 0 || !isExtendedType(link.type) || link.start === 0) break;
      ebr = ext.start + link.start;
    }
  }
  return { entries, protective, problems };
}
