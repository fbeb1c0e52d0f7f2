/** Synthetic disk images for tests: MBRs, EBR chains, GPTs, disklabels and superblocks, in memory. */
import { crc32 } from '../../src/disk/crc32.js';
import { encodeDisklabel, type LabelInput } from '../../src/disk/disklabel.js';
import { guidToBytes } from '../../src/disk/gpt.js';

export const SECTOR = 512;

export interface MbrPart {
  readonly type: number;
  readonly start: number;
  readonly sectors: number;
  readonly active?: boolean;
}

/** A 512-byte MBR (or EBR) sector with up to four entries and the 0x55aa signature. */
export function mbrSector(parts: readonly MbrPart[]): Uint8Array {
  const b = new Uint8Array(SECTOR);
  const v = new DataView(b.buffer);
  parts.forEach((p, i) => {
    const o = 446 + 16 * i;
    b[o] = p.active ? 0x80 : 0;
    b[o + 4] = p.type;
    v.setUint32(o + 8, p.start, true);
    v.setUint32(o + 12, p.sectors, true);
  });
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

export function put(disk: Uint8Array, sector: number, bytes: Uint8Array, offset = 0): void {
  disk.set(bytes, sector * SECTOR + offset);
}

export interface GptPart {
  readonly type: string;
  readonly first: number;
  readonly last: number;
  readonly name?: string;
  readonly guid?: string;
}

function gptHeader(
  current: number,
  backup: number,
  entriesLba: number,
  lastUsable: number,
  entriesCrc: number,
): Uint8Array {
  const h = new Uint8Array(SECTOR);
  const v = new DataView(h.buffer);
  h.set(new TextEncoder().encode('EFI PART'), 0);
  v.setUint32(8, 0x00010000, true);
  v.setUint32(12, 92, true);
  v.setBigUint64(24, BigInt(current), true);
  v.setBigUint64(32, BigInt(backup), true);
  v.setBigUint64(40, 34n, true);
  v.setBigUint64(48, BigInt(lastUsable), true);
  h.set(guidToBytes('12345678-1234-5678-9abc-def012345678'), 56);
  v.setBigUint64(72, BigInt(entriesLba), true);
  v.setUint32(80, 128, true);
  v.setUint32(84, 128, true);
  v.setUint32(88, entriesCrc, true);
  v.setUint32(16, crc32(h.subarray(0, 92)), true);
  return h;
}

/** A whole disk of `sectors` sectors with a protective MBR, primary and backup GPT. */
export function gptDisk(sectors: number, parts: readonly GptPart[]): Uint8Array {
  const disk = new Uint8Array(sectors * SECTOR);
  put(disk, 0, mbrSector([{ type: 0xee, start: 1, sectors: sectors - 1 }]));
  const entries = new Uint8Array(128 * 128);
  const ev = new DataView(entries.buffer);
  parts.forEach((p, i) => {
    const o = i * 128;
    entries.set(guidToBytes(p.type), o);
    entries.set(
      guidToBytes(
        p.guid ?? `00000000-0000-0000-0000-0000000000${(i + 1).toString(16).padStart(2, '0')}`,
      ),
      o + 16,
    );
    ev.setBigUint64(o + 32, BigInt(p.first), true);
    ev.setBigUint64(o + 40, BigInt(p.last), true);
    const name = p.name ?? '';
    for (let k = 0; k < name.length && k < 36; k++)
      ev.setUint16(o + 56 + 2 * k, name.charCodeAt(k), true);
  });
  const ecrc = crc32(entries);
  const last = sectors - 1;
  put(disk, 1, gptHeader(1, last, 2, last - 33, ecrc));
  disk.set(entries, 2 * SECTOR);
  disk.set(entries, (last - 32) * SECTOR);
  put(disk, last, gptHeader(last, 1, last - 32, last - 33, ecrc));
  return disk;
}

export function label(input: LabelInput): Uint8Array {
  return encodeDisklabel(input);
}

export interface FfsSb {
  readonly ufs: 1 | 2;
  readonly loc: number;
  readonly bigEndian?: boolean;
  readonly bsize?: number;
  readonly fsize?: number;
  /** fs_sblockloc written (default `loc`). */
  readonly sblockloc?: number;
  /** fs_old_flags FS_FLAGS_UPDATED (default true). */
  readonly updated?: boolean;
  readonly volname?: string;
}

/** An FFS superblock with the fields ffs_mountfs checks, at `loc` of an image of `size` bytes. */
export function ffsImage(size: number, sb: FfsSb): Uint8Array {
  const img = new Uint8Array(size);
  const b = img.subarray(sb.loc, sb.loc + 8192);
  const v = new DataView(b.buffer, b.byteOffset, 8192);
  const le = !sb.bigEndian;
  v.setInt32(48, sb.bsize ?? 16384, le);
  v.setInt32(52, sb.fsize ?? 2048, le);
  v.setInt32(104, 2048, le);
  if (sb.updated ?? true) b[211] = 0x80;
  v.setBigInt64(1000, BigInt(sb.sblockloc ?? sb.loc), le);
  v.setUint32(1372, sb.ufs === 1 ? 0x011954 : 0x19540119, le);
  const name = sb.volname ?? '';
  for (let i = 0; i < name.length; i++) b[680 + i] = name.charCodeAt(i);
  return img;
}

/**
 * An image of `size` bytes holding only the start of a tinyfs superblock (magic, version, block
 * size, `nblocks`): enough for detection to pick tinyfs, not for a kernel to mount it.
 */
export function tinyfsSuperblock(size: number, nblocks = 0): Uint8Array {
  const sb = new Uint8Array(size);
  const v = new DataView(sb.buffer);
  v.setUint32(0, 0x544e5946, true); // TINYFS_MAGIC
  v.setUint32(4, 1, true);
  v.setUint32(8, 4096, true);
  v.setUint32(12, nblocks, true);
  return sb;
}
