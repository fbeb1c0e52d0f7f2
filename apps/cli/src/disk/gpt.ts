/**
 * The GUID partition table (UEFI spec ch. 5; NetBSD <sys/disklabel_gpt.h>): a header at LBA 1
 * ("EFI PART", CRC-32 over its first hdr_size bytes with the CRC field zeroed), an array of
 * entries (CRC-32 over entries × entry size), and a backup header at the last LBA. Entries are
 * read from the primary header when its CRCs hold, else from the backup. Sector sizes 512 and
 * 4096 are tried.
 */
import { crc32 } from './crc32.js';
import { type ByteSource, view } from './image.js';

export const GPT_HDR_SIG = 'EFI PART';
export const GPT_HDR_MIN_SIZE = 92;
/** Most entries read (the spec's minimum array is 128 × 128 bytes; allow generous tables). */
export const GPT_MAX_ENTRIES = 4096;

/** Type GUIDs by name (a selection of NetBSD's GPT_ENT_TYPE_* and common others). */
export const GPT_TYPES: Readonly<Record<string, string>> = {
  'c12a7328-f81f-11d2-ba4b-00a0c93ec93b': 'EFI system',
  '024dee41-33e7-11d3-9d69-0008c781f39f': 'MBR partition scheme',
  '21686148-6449-6e6f-744e-656564454649': 'BIOS boot',
  '49f48d32-b10e-11dc-b99b-0019d1879648': 'NetBSD swap',
  '49f48d5a-b10e-11dc-b99b-0019d1879648': 'NetBSD FFS',
  '49f48d82-b10e-11dc-b99b-0019d1879648': 'NetBSD LFS',
  '49f48daa-b10e-11dc-b99b-0019d1879648': 'NetBSD RAIDframe',
  '2db519c4-b10f-11dc-b99b-0019d1879648': 'NetBSD ccd',
  '2db519ec-b10f-11dc-b99b-0019d1879648': 'NetBSD cgd',
  '516e7cb4-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD',
  '516e7cb5-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD swap',
  '516e7cb6-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD UFS',
  '516e7cb8-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD Vinum',
  '516e7cba-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD ZFS',
  '83bd6b9d-7f41-11dc-be0b-001560b84f0f': 'FreeBSD boot',
  '824cc7a0-36a8-11e3-890a-952519ad3f61': 'OpenBSD data',
  'e3c9e316-0b5c-4db8-817d-f92df00215ae': 'Microsoft reserved',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': 'Microsoft basic data',
  'de94bba4-06d1-4d40-a16a-bfd50179d6ac': 'Windows recovery',
  '5808c8aa-7e8f-42e0-85d2-e1e90434cfb3': 'Windows LDM metadata',
  'af9b60a0-1431-4f62-bc68-3311714a69ad': 'Windows LDM data',
  '0fc63daf-8483-4772-8e79-3d69d8477de4': 'Linux filesystem',
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709': 'Linux root (x86-64)',
  '933ac7e1-2eb4-4f13-b844-0e14e2aef915': 'Linux home',
  'a19d880f-05fc-4d3b-a006-743f0f84911e': 'Linux RAID',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': 'Linux swap',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': 'Linux LVM',
  '48465300-0000-11aa-aa11-00306543ecac': 'Apple HFS+',
  '55465300-0000-11aa-aa11-00306543ecac': 'Apple UFS',
  '7c3457ef-0000-11aa-aa11-00306543ecac': 'Apple APFS',
  '6a898cc3-1dd2-11b2-99a6-080020736631': 'Solaris /usr or ZFS',
  '9d275380-40ad-11db-bf97-000c2911d1b8': 'VMware vmkcore',
  'aa31e02a-400f-11db-9590-000c2911d1b8': 'VMware VMFS',
  '9198effc-31c0-11db-8f78-000c2911d1b8': 'VMware reserved',
};

export const GPT_TYPE_UNUSED = '00000000-0000-0000-0000-000000000000';

/** A GUID as text: the first three fields are little-endian, the last two big-endian bytes. */
export function guidToString(b: Uint8Array, at = 0): string {
  const h = (i: number) => b[at + i]!.toString(16).padStart(2, '0');
  const r = (idx: number[]) => idx.map(h).join('');
  return `${r([3, 2, 1, 0])}-${r([5, 4])}-${r([7, 6])}-${r([8, 9])}-${r([10, 11, 12, 13, 14, 15])}`;
}

/** The 16 bytes of a GUID written as text (inverse of guidToString). */
export function guidToBytes(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`'${text}' is not a GUID`);
  const raw = Uint8Array.from({ length: 16 }, (_, i) =>
    Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order, (i) => raw[i]!);
}

export function gptTypeName(guid: string): string {
  return GPT_TYPES[guid.toLowerCase()] ?? guid;
}

export interface GptEntry {
  /** 1-based index in the entry array (unused entries keep their numbers). */
  readonly index: number;
  readonly typeGuid: string;
  readonly typeName: string;
  readonly guid: string;
  readonly name: string;
  /** First and last LBA (inclusive) and the sector count. */
  readonly first: number;
  readonly last: number;
  readonly sectors: number;
  readonly attributes: bigint;
}

export interface GptHeaderInfo {
  readonly lba: number;
  readonly revision: string;
  readonly headerSize: number;
  readonly headerCrcOk: boolean;
  readonly entriesCrcOk: boolean;
  readonly currentLba: number;
  readonly backupLba: number;
  readonly firstUsable: number;
  readonly lastUsable: number;
  readonly diskGuid: string;
  readonly entriesLba: number;
  readonly entryCount: number;
  readonly entrySize: number;
}

export interface GptTable {
  readonly sectorSize: number;
  /** The header the entries were read from. */
  readonly header: GptHeaderInfo;
  /** Whether that is the backup (the primary was missing or failed its CRCs). */
  readonly fromBackup: boolean;
  readonly entries: readonly GptEntry[];
  readonly problems: readonly string[];
}

/** The 64-bit little-endian LBA at `o` as a safe integer, or NaN when too large. */
function lba(v: DataView, o: number): number {
  const n = v.getBigUint64(o, true);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : Number.NaN;
}

function utf16name(b: Uint8Array, at: number, bytes: number): string {
  let s = '';
  const v = view(b);
  for (let i = 0; i + 1 < bytes; i += 2) {
    const c = v.getUint16(at + i, true);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Reads and checks the header at `at`; undefined when there is no "EFI PART" there. */
export function readGptHeader(
  src: ByteSource,
  at: number,
  sectorSize: number,
): { header: GptHeaderInfo; entries: Uint8Array | undefined } | undefined {
  const b = src.read(at * sectorSize, sectorSize);
  if (b.length < GPT_HDR_MIN_SIZE) return undefined;
  let sig = '';
  for (let i = 0; i < 8; i++) sig += String.fromCharCode(b[i]!);
  if (sig !== GPT_HDR_SIG) return undefined;
  const v = view(b);
  const headerSize = v.getUint32(12, true);
  const storedCrc = v.getUint32(16, true);
  let headerCrcOk = false;
  if (headerSize >= GPT_HDR_MIN_SIZE && headerSize <= sectorSize) {
    const copy = b.slice(0, headerSize);
    view(copy).setUint32(16, 0, true);
    headerCrcOk = crc32(copy) === storedCrc;
  }
  const rev = v.getUint32(8, true);
  const header: GptHeaderInfo = {
    lba: at,
    revision: `${rev >>> 16}.${rev & 0xffff}`,
    headerSize,
    headerCrcOk,
    entriesCrcOk: false,
    currentLba: lba(v, 24),
    backupLba: lba(v, 32),
    firstUsable: lba(v, 40),
    lastUsable: lba(v, 48),
    diskGuid: guidToString(b, 56),
    entriesLba: lba(v, 72),
    entryCount: v.getUint32(80, true),
    entrySize: v.getUint32(84, true),
  };
  const sane =
    headerCrcOk &&
    Number.isFinite(header.entriesLba) &&
    header.entrySize >= 128 &&
    header.entrySize % 8 === 0 &&
    header.entrySize <= 4096 &&
    header.entryCount <= GPT_MAX_ENTRIES;
  if (!sane) return { header, entries: undefined };
  const entries = src.read(header.entriesLba * sectorSize, header.entryCount * header.entrySize);
  const entriesCrcOk =
    entries.length === header.entryCount * header.entrySize &&
    crc32(entries) === v.getUint32(88, true);
  return { header: { ...header, entriesCrcOk }, entries: entriesCrcOk ? entries : undefined };
}

function describeBad(h: GptHeaderInfo): string {
  return !h.headerCrcOk
    ? `header at LBA ${h.lba} fails its CRC-32`
    : `entry array of the header at LBA ${h.lba} (LBA ${h.entriesLba}, ${h.entryCount} × ${h.entrySize}) fails its CRC-32 or is cut`;
}

/**
 * Reads the GPT of `src`. Returns undefined when no "EFI PART" header exists at LBA 1 (512 or
 * 4096-byte sectors) or at the last LBA; otherwise the table, or throws a GptError when every
 * header found fails its checks.
 */
export function readGpt(src: ByteSource): GptTable | undefined {
  for (const sectorSize of [512, 4096]) {
    const last = Math.floor(src.size / sectorSize) - 1;
    if (last < 2) continue;
    const primary = readGptHeader(src, 1, sectorSize);
    const backupAt =
      primary?.header.headerCrcOk && Number.isFinite(primary.header.backupLba)
        ? primary.header.backupLba
        : last;
    const problems: string[] = [];
    let use = primary?.entries ? primary : undefined;
    let fromBackup = false;
    if (!use) {
      const backup = readGptHeader(src, backupAt, sectorSize);
      if (!primary && !backup) continue;
      if (primary) problems.push(`primary GPT ${describeBad(primary.header)}; using the backup`);
      else problems.push(`no primary GPT header at LBA 1; using the backup at LBA ${backupAt}`);
      if (!backup?.entries) {
        const why = [primary, backup]
          .filter((h) => h !== undefined)
          .map((h) => describeBad(h!.header));
        throw new GptError(`GPT found but unusable: ${why.join('; ')}`);
      }
      use = backup;
      fromBackup = true;
    } else {
      const backup = readGptHeader(src, backupAt, sectorSize);
      if (!backup) problems.push(`no backup GPT header at LBA ${backupAt}`);
      else if (!backup.entries) problems.push(`backup GPT ${describeBad(backup.header)}`);
    }
    const { header, entries: raw } = use;
    const entries: GptEntry[] = [];
    for (let i = 0; i < header.entryCount; i++) {
      const e = raw!.subarray(i * header.entrySize, (i + 1) * header.entrySize);
      const typeGuid = guidToString(e, 0);
      if (typeGuid === GPT_TYPE_UNUSED) continue;
      const v = view(e);
      const first = lba(v, 32);
      const lastLba = lba(v, 40);
      if (!(lastLba >= first)) {
        problems.push(`entry ${i + 1}: last LBA ${lastLba} before first LBA ${first}; skipped`);
        continue;
      }
      if (lastLba > last)
        problems.push(`entry ${i + 1} ends at LBA ${lastLba}, past the end of the image (${last})`);
      entries.push({
        index: i + 1,
        typeGuid,
        typeName: gptTypeName(typeGuid),
        guid: guidToString(e, 16),
        name: utf16name(e, 56, Math.min(72, header.entrySize - 56)),
        first,
        last: lastLba,
        sectors: lastLba - first + 1,
        attributes: v.getBigUint64(48, true),
      });
    }
    return { sectorSize, header, fromBackup, entries, problems };
  }
  return undefined;
}

export class GptError extends Error {
  override name = 'GptError';
}
