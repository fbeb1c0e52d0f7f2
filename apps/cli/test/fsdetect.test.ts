import { describe, expect, it } from 'vitest';
import { MemoryImage } from '../src/disk/image.js';
import { detectFileSystem, probeFfs, probeMsdos, probeV7fs } from '../src/fsdetect.js';
import { gunzipFixture } from './support/fixtures.js';
import { ffsImage } from './support/images.js';

const fixture = (name: string) => new MemoryImage(gunzipFixture(name));

function img(size: number, fill: (b: Uint8Array, v: DataView) => void): MemoryImage {
  const b = new Uint8Array(size);
  fill(b, new DataView(b.buffer));
  return new MemoryImage(b);
}
const text = (b: Uint8Array, at: number, s: string) => b.set(new TextEncoder().encode(s), at);

function fat(kind: 12 | 16 | 32): MemoryImage {
  const sectors = kind === 12 ? 2880 : kind === 16 ? 65536 : 1_100_000;
  return img(64 * 1024, (b, v) => {
    b[0] = 0xeb;
    b[1] = 0x3c;
    b[2] = 0x90;
    text(b, 3, 'MSWIN4.1');
    v.setUint16(11, 512, true);
    b[13] = kind === 32 ? 8 : 1;
    v.setUint16(14, kind === 32 ? 32 : 1, true);
    b[16] = 2;
    v.setUint16(17, kind === 32 ? 0 : 224, true);
    if (kind === 12) v.setUint16(19, sectors, true);
    else v.setUint32(32, sectors, true);
    b[21] = 0xf8;
    if (kind !== 32) v.setUint16(22, kind === 12 ? 9 : 256, true);
    else v.setUint32(36, 1100, true);
    v.setUint16(24, 63, true);
    text(b, kind === 32 ? 71 : 43, 'MYVOLUME   ');
    b[510] = 0x55;
    b[511] = 0xaa;
  });
}

describe('FFS detection (ffs_mountfs rules)', () => {
  it('finds the real makefs images (UFS1 and UFS2 at 8192)', () => {
    const v1 = detectFileSystem(fixture('tiny-ffs1.img.gz')).best!;
    expect([v1.fs, v1.module]).toEqual(['ffs', 'ffs']);
    expect(v1.variant).toMatch(/^FFSv1 \(UFS1\), little-endian/);
    expect(v1.reason).toBe('fs_magic 0x11954 in the superblock at byte 8192');
    const v2 = detectFileSystem(fixture('tiny-ffs2.img.gz')).best!;
    expect(v2.variant).toMatch(/^FFSv2 \(UFS2\), little-endian/);
    expect(v2.reason).toBe('fs_magic 0x19540119 in the superblock at byte 8192');
  });

  it('finds both versions in both byte orders at every search location', () => {
    for (const loc of [0, 8192, 65536, 262144])
      for (const ufs of [1, 2] as const)
        for (const bigEndian of [false, true]) {
          const r = probeFfs(
            new MemoryImage(ffsImage(512 * 1024, { ufs, loc, bigEndian, volname: 'vol' })),
          );
          expect(r.matched, `${ufs} ${loc} ${bigEndian}`).toBe(true);
          expect(r.variant).toContain(`FFSv${ufs}`);
          expect(r.variant).toContain(bigEndian ? 'big-endian' : 'little-endian');
          expect(r.reason).toContain(`at byte ${loc}`);
          expect(r.label).toBe('vol');
        }
  });

  it('skips alternates, old UFS1 at 64k, and bad block sizes, saying why', () => {
    const alt = probeFfs(
      new MemoryImage(ffsImage(512 * 1024, { ufs: 2, loc: 65536, sblockloc: 8192 })),
    );
    expect(alt.matched).toBe(false);
    expect(alt.reason).toMatch(/65536: an alternate superblock \(fs_sblockloc 8192\)/);
    const old = probeFfs(
      new MemoryImage(ffsImage(512 * 1024, { ufs: 1, loc: 65536, updated: false })),
    );
    expect(old.reason).toMatch(/first alternate of a 64k-block fs/);
    const bs = probeFfs(new MemoryImage(ffsImage(512 * 1024, { ufs: 2, loc: 8192, bsize: 3000 })));
    expect(bs.reason).toMatch(/fs_bsize 3000 is not a power of two/);
    const fr = probeFfs(new MemoryImage(ffsImage(512 * 1024, { ufs: 2, loc: 8192, fsize: 32768 })));
    expect(fr.reason).toMatch(/fs_fsize 32768/);
  });
});

describe('other file systems', () => {
  const cases: [string, MemoryImage, string, RegExp][] = [
    [
      'lfs',
      img(16384, (_b, v) => {
        v.setUint32(8192, 0x070162, true);
        v.setUint32(8196, 2, true);
      }),
      'lfs',
      /LFS32 version 2/,
    ],
    [
      'ext2',
      img(4096, (_b, v) => {
        v.setUint16(1080, 0xef53, true);
      }),
      'ext2fs',
      /^ext2, 1024-byte/,
    ],
    [
      'ext3',
      img(4096, (_b, v) => {
        v.setUint16(1080, 0xef53, true);
        v.setUint32(1024 + 92, 4, true);
        v.setUint32(1024 + 24, 2, true);
      }),
      'ext2fs',
      /^ext3 \(journal\), 4096-byte/,
    ],
    [
      'ext4',
      img(4096, (_b, v) => {
        v.setUint16(1080, 0xef53, true);
        v.setUint32(1024 + 96, 0x40, true);
      }),
      'ext2fs',
      /^ext4/,
    ],
    ['fat12', fat(12), 'msdos', /^FAT12/],
    ['fat16', fat(16), 'msdos', /^FAT16/],
    ['fat32', fat(32), 'msdos', /^FAT32/],
    [
      'ntfs',
      img(4096, (b, v) => {
        b[0] = 0xeb;
        text(b, 3, 'NTFS    ');
        v.setUint16(11, 512, true);
      }),
      'ntfs',
      /512-byte sectors/,
    ],
    [
      'iso',
      img(40 * 2048, (b, v) => {
        b[32768] = 1;
        text(b, 32769, 'CD001');
        b[32774] = 1;
        text(b, 32768 + 40, 'MY_CD');
        v.setUint16(32768 + 128, 2048, true);
        b[34816] = 255;
        text(b, 34817, 'CD001');
      }),
      'cd9660',
      /ISO 9660, 2048-byte/,
    ],
    [
      'udf',
      img(40 * 2048, (b) => {
        text(b, 32769, 'BEA01');
        text(b, 34817, 'NSR03');
        text(b, 36865, 'TEA01');
      }),
      'udf',
      /UDF 2.00/,
    ],
    [
      'hfs+',
      img(4096, (_b, v) => {
        v.setUint16(1024, 0x482b, false);
        v.setUint16(1026, 4, false);
        v.setUint32(1024 + 40, 4096, false);
      }),
      'hfs',
      /HFS\+ version 4, 4096-byte/,
    ],
    [
      'nilfs',
      img(4096, (_b, v) => {
        v.setUint32(1024, 2, true);
        v.setUint16(1030, 0x3434, true);
      }),
      'nilfs',
      /NILFS2 revision 2/,
    ],
    [
      'efs',
      img(8192, (b, v) => {
        v.setUint32(512, 16, false);
        v.setUint32(540, 0x07295a, false);
        text(b, 544, 'root');
      }),
      'efs',
      /grown/,
    ],
    [
      'sysvbfs',
      img(4096, (_b, v) => {
        v.setUint32(0, 0x1badface, true);
      }),
      'sysvbfs',
      /System V boot/,
    ],
    [
      'tinyfs',
      img(8192, (b, v) => {
        v.setUint32(0, 0x544e5946, true);
        v.setUint32(4, 1, true);
        v.setUint32(8, 4096, true);
        v.setUint32(12, 2, true);
        v.setUint32(48, 1, true);
        text(b, 64, 'tiny');
      }),
      'tinyfs',
      /tinyfs v1, 2 blocks, clean/,
    ],
    [
      'ados',
      img(4096, (b) => {
        text(b, 0, 'DOS');
        b[3] = 3;
      }),
      'ados',
      /AmigaDOS FFS, international/,
    ],
    [
      'zfs',
      img(140 * 1024, (_b, v) => {
        v.setBigUint64(131072, 0xbab10cn, true);
      }),
      'zfs',
      /ZFS vdev/,
    ],
    [
      'v7fs',
      img(128 * 512, (_b, v) => {
        v.setUint16(512, 10, true);
        v.setUint32(514, 128, true);
        v.setInt16(518, 5, true);
        v.setInt16(512 + 208, 3, true);
        v.setUint32(512 + 418, 100, true);
      }),
      'v7fs',
      /V7, little-endian, 128 sectors/,
    ],
  ];
  for (const [name, image, fs, variant] of cases)
    it(`recognises ${name}`, () => {
      const d = detectFileSystem(image);
      expect(d.best?.fs, d.tried.map((t) => `${t.fs}: ${t.reason}`).join('\n')).toBe(fs);
      expect(d.best!.variant).toMatch(variant);
    });

  it('recognises formats NetBSD cannot mount, and says so', () => {
    const minix = detectFileSystem(img(4096, (_b, v) => v.setUint16(1024 + 24, 0x4d5a, true)));
    expect(minix.best?.module).toBeUndefined();
    expect(minix.best?.reason).toMatch(/NetBSD has no Minix/);
    const exfat = detectFileSystem(img(4096, (b) => text(b, 3, 'EXFAT   ')));
    expect(exfat.best?.fs).toBe('exfat');
    expect(
      detectFileSystem(
        img(4096, (b) => {
          b[1024] = 0x42;
          b[1025] = 0x44;
        }),
      ).tried.find((t) => t.fs === 'hfs')!.reason,
    ).toMatch(/HFS\+ only/);
  });

  it('keeps FAT and NTFS apart', () => {
    const ntfs = img(4096, (b, v) => {
      b[0] = 0xeb;
      text(b, 3, 'NTFS    ');
      v.setUint16(11, 512, true);
      b[13] = 8;
    });
    expect(probeMsdos(ntfs).matched).toBe(false);
    expect(probeMsdos(ntfs).reason).toMatch(/'NTFS': not FAT/);
  });

  it('gives every reason when nothing matches', () => {
    const d = detectFileSystem(img(1024 * 1024, (b) => b.fill(0)));
    expect(d.best).toBeUndefined();
    expect(d.tried.length).toBeGreaterThan(15);
    expect(d.tried.every((t) => !t.matched && t.reason.length > 0)).toBe(true);
    expect(probeV7fs(new MemoryImage(new Uint8Array(4096))).reason).toMatch(/volume_size 0 < 128/);
    expect(detectFileSystem(new MemoryImage(new Uint8Array(100))).tried[0]!.reason).toMatch(
      /smaller than one sector/,
    );
  });
});
