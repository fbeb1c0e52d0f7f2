import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/disk/crc32.js';
import { dkcksum, FS_BSDFFS, FS_SWAP, findDisklabel, fstypeName } from '../src/disk/disklabel.js';
import { guidToBytes, guidToString, readGpt } from '../src/disk/gpt.js';
import { blockDeviceSize, FileImage, MemoryImage, SliceSource } from '../src/disk/image.js';
import { notMbrReason, readMbr } from '../src/disk/mbr.js';
import { findPartition, scanPartitions } from '../src/disk/partitions.js';
import { detectFileSystem } from '../src/fsdetect.js';
import { ffsImage, gptDisk, label, mbrSector, put, SECTOR } from './support/images.js';

const NETBSD_FFS = '49f48d5a-b10e-11dc-b99b-0019d1879648';
const NETBSD_SWAP = '49f48d32-b10e-11dc-b99b-0019d1879648';
const EFI = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const MS_DATA = 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7';
const LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4';

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('MBR', () => {
  it('reads primary entries and follows the EBR chain of an extended partition', () => {
    const disk = new Uint8Array(4096 * SECTOR);
    put(
      disk,
      0,
      mbrSector([
        { type: 0x0c, start: 63, sectors: 1000, active: true },
        { type: 0x05, start: 2048, sectors: 2048 },
        { type: 0xa9, start: 1100, sectors: 900 },
      ]),
    );
    // EBR 1 at 2048: logical at +1 (2049), next EBR at ext+1024.
    put(
      disk,
      2048,
      mbrSector([
        { type: 0x83, start: 1, sectors: 500 },
        { type: 0x05, start: 1024, sectors: 1024 },
      ]),
    );
    put(disk, 3072, mbrSector([{ type: 0x82, start: 8, sectors: 100 }]));
    const mbr = readMbr(new MemoryImage(disk))!;
    expect(mbr.problems).toEqual([]);
    expect(mbr.entries.map((e) => [e.slot, e.typeName, e.start, e.sectors, e.logical])).toEqual([
      [1, 'FAT32 (LBA)', 63, 1000, false],
      [2, 'extended', 2048, 2048, false],
      [3, 'NetBSD', 1100, 900, false],
      [5, 'Linux', 2049, 500, true],
      [6, 'Linux swap', 3080, 100, true],
    ]);
    expect(mbr.entries[0]!.active).toBe(true);
    expect(mbr.entries[1]!.extended).toBe(true);
  });

  it('stops at an EBR chain that loops and says so', () => {
    const disk = new Uint8Array(4096 * SECTOR);
    put(disk, 0, mbrSector([{ type: 0x0f, start: 100, sectors: 1000 }]));
    put(
      disk,
      100,
      mbrSector([
        { type: 0x83, start: 1, sectors: 10 },
        { type: 0x05, start: 0x200, sectors: 10 },
      ]),
    );
    put(
      disk,
      612,
      mbrSector([
        { type: 0x83, start: 1, sectors: 10 },
        { type: 0x05, start: 0x200, sectors: 10 },
      ]),
    );
    const mbr = readMbr(new MemoryImage(disk))!;
    expect(mbr.entries.filter((e) => e.logical)).toHaveLength(2);
    expect(mbr.problems.join()).toMatch(/loops at sector 612/);
  });

  it('tells a file-system boot sector from an MBR', () => {
    const boot = new Uint8Array(SECTOR);
    boot.fill(0x90, 446, 510); // boot code where the entries would be
    boot[510] = 0x55;
    boot[511] = 0xaa;
    expect(notMbrReason(boot)).toMatch(/boot flag 0x90/);
    expect(notMbrReason(new Uint8Array(SECTOR))).toMatch(/no 0x55aa/);
    expect(readMbr(new MemoryImage(boot))).toBeUndefined();
  });

  it('notes partitions that run past the end of the image', () => {
    const disk = new Uint8Array(100 * SECTOR);
    put(disk, 0, mbrSector([{ type: 0x83, start: 50, sectors: 100 }]));
    expect(readMbr(new MemoryImage(disk))!.problems.join()).toMatch(/past the end/);
  });
});

describe('GPT', () => {
  const parts = [
    { type: EFI, first: 34, last: 99, name: 'EFI system' },
    { type: NETBSD_FFS, first: 100, last: 1099, name: 'netbsd-root' },
    { type: NETBSD_SWAP, first: 1100, last: 1199, name: 'swap' },
    { type: MS_DATA, first: 1200, last: 1299, name: 'data' },
    { type: LINUX, first: 1300, last: 1399, name: 'linux' },
  ];

  it('round-trips GUID text', () => {
    expect(guidToString(guidToBytes(NETBSD_FFS))).toBe(NETBSD_FFS);
    // Mixed endian: the first field is stored little-endian.
    expect([...guidToBytes(NETBSD_FFS).subarray(0, 4)]).toEqual([0x5a, 0x8d, 0xf4, 0x49]);
  });

  it('reads entries, names and type names with both CRCs checked', () => {
    const gpt = readGpt(new MemoryImage(gptDisk(2048, parts)))!;
    expect(gpt.fromBackup).toBe(false);
    expect(gpt.problems).toEqual([]);
    expect(gpt.header.headerCrcOk && gpt.header.entriesCrcOk).toBe(true);
    expect(gpt.entries.map((e) => [e.index, e.typeName, e.name, e.first, e.sectors])).toEqual([
      [1, 'EFI system', 'EFI system', 34, 66],
      [2, 'NetBSD FFS', 'netbsd-root', 100, 1000],
      [3, 'NetBSD swap', 'swap', 1100, 100],
      [4, 'Microsoft basic data', 'data', 1200, 100],
      [5, 'Linux filesystem', 'linux', 1300, 100],
    ]);
  });

  it('falls back to the backup header when the primary fails its CRC', () => {
    const disk = gptDisk(2048, parts);
    disk[SECTOR + 40]! ^= 0xff; // first usable LBA of the primary header
    const gpt = readGpt(new MemoryImage(disk))!;
    expect(gpt.fromBackup).toBe(true);
    expect(gpt.problems.join()).toMatch(/primary GPT header at LBA 1 fails its CRC-32/);
    expect(gpt.entries).toHaveLength(5);
  });

  it('refuses entries whose CRC fails in both copies', () => {
    const disk = gptDisk(2048, parts);
    disk[2 * SECTOR + 60]! ^= 1;
    disk[(2047 - 32) * SECTOR + 60]! ^= 1;
    const scan = scanPartitions(new MemoryImage(disk));
    expect(scan.partitions.map((p) => p.type)).toEqual(['GPT protective']);
    expect(scan.notes.join()).toMatch(/GPT found but unusable: entry array .* fails its CRC-32/);
  });

  it('is used behind a protective MBR by scanPartitions', () => {
    const scan = scanPartitions(new MemoryImage(gptDisk(2048, parts)));
    expect(scan.schemes).toEqual(['gpt']);
    const p = findPartition(scan, '2');
    expect([p.offset, p.size, p.fsHint]).toEqual([100 * SECTOR, 1000 * SECTOR, 'ffs']);
  });
});

describe('NetBSD disklabel', () => {
  const partitions = [
    { offset: 1100, size: 500, fstype: FS_BSDFFS, fsize: 2048, frag: 8 },
    { offset: 1600, size: 300, fstype: FS_SWAP },
    { offset: 1100, size: 900, fstype: 0 },
    { offset: 0, size: 4096, fstype: 0 },
    { offset: 0, size: 0, fstype: 0 },
  ];

  it('has NetBSD fstype names', () => {
    expect(fstypeName(7)).toBe('4.2BSD');
    expect(fstypeName(9)).toBe('4.4LFS');
    expect(fstypeName(17)).toBe('Linux Ext2');
    expect(fstypeName(200)).toBe('fstype 200');
  });

  it('is found at sector 1 of a NetBSD MBR partition, with ids Nx', () => {
    const disk = new Uint8Array(4096 * SECTOR);
    put(disk, 0, mbrSector([{ type: 0xa9, start: 1100, sectors: 900 }]));
    put(disk, 1101, label({ partitions }));
    const scan = scanPartitions(new MemoryImage(disk));
    expect(scan.schemes).toEqual(['mbr', 'disklabel']);
    expect(scan.partitions.map((p) => [p.id, p.type, p.offset / SECTOR, p.raw])).toEqual([
      ['1', 'NetBSD', 1100, false],
      ['1a', '4.2BSD', 1100, false],
      ['1b', 'swap', 1600, false],
      ['1c', 'unused', 1100, true],
      ['1d', 'unused', 0, true],
    ]);
    expect(findPartition(scan, '1a').fsHint).toBe('ffs');
    expect(scan.disklabels[0]!.label.at).toBe(1101 * SECTOR);
  });

  it('is found at the start of a whole disk, with letter ids, in either byte order', () => {
    for (const littleEndian of [true, false]) {
      const disk = new Uint8Array(4096 * SECTOR);
      put(disk, 1, label({ partitions, littleEndian }));
      const scan = scanPartitions(new MemoryImage(disk));
      expect(scan.schemes).toEqual(['disklabel']);
      expect(scan.disklabels[0]!.label.swapped).toBe(!littleEndian);
      expect(findPartition(scan, 'a').offset).toBe(1100 * SECTOR);
      expect(findPartition(scan, 'b').type).toBe('swap');
    }
  });

  it('is refused when its checksum fails, and the refusal is reported', () => {
    const disk = new Uint8Array(4096 * SECTOR);
    const l = label({ partitions });
    expect(dkcksum(l, partitions.length)).toBe(0);
    l[148]! ^= 1; // p_size of partition a
    put(disk, 1, l);
    const scan = scanPartitions(new MemoryImage(disk));
    expect(scan.partitions).toEqual([]);
    expect(scan.notes.join()).toMatch(/checksum fails/);
    expect(findDisklabel(new MemoryImage(disk), 0).refused).toHaveLength(1);
  });

  it('is found at any 4-byte offset of the three sectors scanned', () => {
    const disk = new Uint8Array(64 * SECTOR);
    put(disk, 2, label({ partitions }), 124);
    expect(findDisklabel(new MemoryImage(disk), 0).label?.at).toBe(2 * SECTOR + 124);
  });
});

describe('partition selection', () => {
  it('names the partitions there are when an id is wrong', () => {
    const disk = new Uint8Array(4096 * SECTOR);
    put(
      disk,
      0,
      mbrSector([
        { type: 0x83, start: 64, sectors: 100 },
        { type: 0x05, start: 200, sectors: 100 },
      ]),
    );
    put(disk, 200, mbrSector([{ type: 0x83, start: 1, sectors: 10 }]));
    const scan = scanPartitions(new MemoryImage(disk));
    expect(() => findPartition(scan, '9')).toThrow(/no partition 9 \(partitions: 1, 5\)/);
    expect(() => findPartition(scan, '2')).toThrow(/extended partition .* holds 5/);
    expect(() => findPartition(scanPartitions(new MemoryImage(new Uint8Array(8192))), '1')).toThrow(
      /no partition table found/,
    );
  });
});

describe('images larger than 4 GiB', () => {
  it('reads partitions, labels and superblocks past 4 GiB of a sparse file with positioned reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rump-big-'));
    const path = join(dir, 'big.img');
    try {
      const GiB = 1024 ** 3;
      const size = 6 * GiB;
      const start = 9_000_000; // sectors: 4.6e9 bytes, past 2^32
      const fd = openSync(path, 'w');
      try {
        ftruncateSync(fd, size);
        writeSync(fd, mbrSector([{ type: 0xa9, start, sectors: 2_000_000 }]), 0, SECTOR, 0);
        const l = label({
          partitions: [{ offset: start + 64, size: 1_000_000, fstype: FS_BSDFFS }],
        });
        writeSync(fd, l, 0, l.length, (start + 1) * SECTOR);
        const sb = ffsImage(65536 + 8192, { ufs: 2, loc: 65536 }).subarray(65536);
        writeSync(fd, sb, 0, sb.length, (start + 64) * SECTOR + 65536);
      } finally {
        closeSync(fd);
      }
      const img = new FileImage(path);
      try {
        expect(img.size).toBe(size);
        const scan = scanPartitions(img);
        const p = findPartition(scan, '1a');
        expect(p.offset).toBe((start + 64) * SECTOR);
        expect(p.offset).toBeGreaterThan(2 ** 32);
        const d = detectFileSystem(new SliceSource(img, p.offset, p.size));
        expect(d.best?.fs).toBe('ffs');
        expect(d.best?.reason).toMatch(/0x19540119 in the superblock at byte 65536/);
        // The last bytes read back as zeros; reads past the end are short, not errors.
        expect(img.read(size - 4, 16)).toEqual(new Uint8Array(4));
      } finally {
        img.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('block devices', () => {
  it('decode dev_t as glibc does and name the /sys file they need', () => {
    // major 259, minor 300000: both need the high bits of the encoding.
    const rdev =
      Number((259n & 0xfffn) << 8n) + Number((300000n & 0xffn) | ((300000n & ~0xffn) << 12n)) + 0;
    expect(() => blockDeviceSize('/dev/x', rdev)).toThrow(
      '/dev/x: cannot tell the size of this block device (no /sys/dev/block/259:300000/size); use an image file',
    );
  });

  const loop = '/sys/dev/block/7:0/size';
  it.skipIf(!existsSync(loop))(
    'read the size of a real one from /sys (needs /sys/dev/block/7:0)',
    () => {
      expect(blockDeviceSize('/dev/loop0', 0x700)).toBe(Number(readFileSync(loop, 'utf8')) * 512);
    },
  );
});
