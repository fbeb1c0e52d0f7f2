/**
 * File-system detection: which of the file systems NetBSD mounts from a disk is on an image (or
 * a partition), by the superblock checks NetBSD's own mount code (or the format's definition)
 * makes. Each probe answers with what it matched or why it did not match, so a failed mount can
 * say exactly what was tried. `fs` is NetBSD's mount name (the MOUNT_* string, also the module
 * name: ffs.kmod, msdos.kmod ...); `module` is undefined for formats NetBSD has no driver for
 * (they are recognised only to say so).
 *
 * Not probed, having no on-disk image: tmpfs, mfs (memory), kernfs, procfs, ptyfs, nullfs, umapfs,
 * union, overlay, puffs (userspace); chfs lives on raw NAND/NOR flash, not on a disk image.
 */
import { ascii, type ByteSource, view } from './disk/image.js';

export interface ProbeResult {
  /** NetBSD mount name: `ffs`, `msdos`, `ext2fs` ... (or a descriptive name for foreign formats). */
  readonly fs: string;
  /** Kernel module that mounts it (`ffs` → ffs.kmod), undefined when NetBSD has none. */
  readonly module: string | undefined;
  readonly matched: boolean;
  /** What was found: `FFSv2 (UFS2), little-endian, 32768-byte blocks`. */
  readonly variant?: string;
  /** Volume label when the format has one. */
  readonly label?: string;
  /** Which check matched, or why none did. */
  readonly reason: string;
}

export interface Detection {
  /** Every probe's answer, in probe order. */
  readonly tried: readonly ProbeResult[];
  /** The probes that matched. */
  readonly matches: readonly ProbeResult[];
  /** The match to use (the first one; probes with a strong magic come first). */
  readonly best: ProbeResult | undefined;
}

export const NOT_PROBED: Readonly<Record<string, string>> = {
  tmpfs: 'memory only, no image',
  mfs: 'memory only, no image',
  kernfs: 'synthetic',
  procfs: 'synthetic',
  ptyfs: 'synthetic',
  nullfs: 'a layer over another mount',
  umapfs: 'a layer over another mount',
  union: 'a layer over other mounts',
  puffs: 'file systems in user space',
  chfs: 'lives on raw flash (NAND/NOR), not on a disk image',
};

type Probe = (src: ByteSource) => ProbeResult;

const u16 = (b: Uint8Array, o: number, le = true) =>
  o + 2 <= b.length ? view(b).getUint16(o, le) : -1;
const u32 = (b: Uint8Array, o: number, le = true) =>
  o + 4 <= b.length ? view(b).getUint32(o, le) : -1;
const hex = (n: number) => `0x${n.toString(16)}`;
const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
const tooSmall = (src: ByteSource, need: number) => src.size < need;

function result(
  fs: string,
  module: string | undefined,
  matched: boolean,
  reason: string,
  extra: { variant?: string; label?: string } = {},
): ProbeResult {
  return { fs, module, matched, reason, ...extra };
}

// ---- FFS (ufs/ffs/fs.h, ffs_vfsops.c:ffs_mountfs) ----

export const SBLOCKSEARCH = [65536, 8192, 0, 262144] as const;
export const SBLOCKSIZE = 8192;
export const FS_UFS1_MAGIC = 0x011954;
export const FS_UFS2_MAGIC = 0x19540119;
export const FS_UFS2EA_MAGIC = 0x19012038;
const FS_OFF = {
  fs_bsize: 48,
  fs_fsize: 52,
  fs_sbsize: 104,
  fs_old_flags: 211,
  fs_volname: 680,
  fs_sblockloc: 1000,
  fs_magic: 1372,
};
const SIZEOF_FS = 1376;
const FS_FLAGS_UPDATED = 0x80;
const MINBSIZE = 4096;
const MAXBSIZE = 65536;

export const probeFfs: Probe = (src) => {
  const why: string[] = [];
  for (const loc of SBLOCKSEARCH) {
    const sb = src.read(loc, SBLOCKSIZE);
    if (sb.length < SIZEOF_FS) {
      why.push(`${loc}: beyond the image`);
      continue;
    }
    const le = u32(sb, FS_OFF.fs_magic, true);
    const be = u32(sb, FS_OFF.fs_magic, false);
    let ufs: 1 | 2 | undefined;
    let little = true;
    let ea = false;
    for (const [m, isLe] of [
      [le, true],
      [be, false],
    ] as const) {
      if (m === FS_UFS1_MAGIC) ufs = 1;
      else if (m === FS_UFS2_MAGIC) ufs = 2;
      else if (m === FS_UFS2EA_MAGIC) {
        ufs = 2;
        ea = true;
      } else continue;
      little = isLe;
      break;
    }
    if (!ufs) {
      why.push(`${loc}: fs_magic ${hex(le)}`);
      continue;
    }
    const at = `superblock at byte ${loc}`;
    const dv = view(sb);
    let sblockloc: number;
    if (ufs === 1 && !(sb[FS_OFF.fs_old_flags]! & FS_FLAGS_UPDATED)) {
      if (loc === 65536) {
        why.push(
          `${loc}: UFS1 magic, but an old-format UFS1 superblock here is the first alternate of a 64k-block fs`,
        );
        continue;
      }
      sblockloc = loc;
    } else sblockloc = Number(dv.getBigInt64(FS_OFF.fs_sblockloc, little));
    if (sblockloc !== loc) {
      why.push(`${loc}: an alternate superblock (fs_sblockloc ${sblockloc})`);
      continue;
    }
    const sbsize = dv.getInt32(FS_OFF.fs_sbsize, little);
    const bsize = dv.getInt32(FS_OFF.fs_bsize, little);
    const fsize = dv.getInt32(FS_OFF.fs_fsize, little);
    if (sbsize > SBLOCKSIZE || sbsize < SIZEOF_FS) {
      why.push(`${loc}: fs_sbsize ${sbsize} outside ${SIZEOF_FS}..${SBLOCKSIZE}`);
      continue;
    }
    if (bsize > MAXBSIZE || bsize < MINBSIZE || !pow2(bsize)) {
      why.push(`${loc}: fs_bsize ${bsize} is not a power of two in ${MINBSIZE}..${MAXBSIZE}`);
      continue;
    }
    if (!pow2(fsize) || fsize > bsize) {
      why.push(`${loc}: fs_fsize ${fsize} is not a power of two ≤ fs_bsize`);
      continue;
    }
    const variant = `FFSv${ufs} (UFS${ufs}${ea ? ' with extended attributes' : ''}), ${little ? 'little' : 'big'}-endian, ${bsize}/${fsize}-byte blocks/fragments`;
    return result('ffs', 'ffs', true, `fs_magic ${hex(little ? le : be)} in the ${at}`, {
      variant,
      label: ascii(sb, FS_OFF.fs_volname, 32),
    });
  }
  return result('ffs', 'ffs', false, `no FFS superblock (${why.join('; ')})`);
};

// ---- LFS (ufs/lfs/lfs.h: struct dlfs at LFS_LABELPAD) ----

export const LFS_LABELPAD = 8192;
export const LFS_MAGIC = 0x070162;
export const LFS64_MAGIC = (0x19620701 ^ 0xffffffff) >>> 0;

export const probeLfs: Probe = (src) => {
  const sb = src.read(LFS_LABELPAD, 512);
  if (sb.length < 8) return result('lfs', 'lfs', false, 'image ends before byte 8192');
  for (const le of [true, false]) {
    const m = u32(sb, 0, le);
    if (m === LFS_MAGIC || m === LFS64_MAGIC) {
      const version = u32(sb, 4, le);
      return result('lfs', 'lfs', true, `dlfs_magic ${hex(m)} at byte 8192`, {
        variant: `LFS${m === LFS64_MAGIC ? '64' : '32'} version ${version}, ${le ? 'little' : 'big'}-endian`,
      });
    }
  }
  return result(
    'lfs',
    'lfs',
    false,
    `dlfs_magic at byte 8192 is ${hex(u32(sb, 0))}, not ${hex(LFS_MAGIC)}`,
  );
};

// ---- ext2/3/4 (ext2fs superblock at byte 1024) ----

export const EXT2_MAGIC = 0xef53;

export const probeExt2: Probe = (src) => {
  const sb = src.read(1024, 1024);
  const magic = u16(sb, 56);
  if (magic !== EXT2_MAGIC)
    return result('ext2fs', 'ext2fs', false, `s_magic at byte 1080 is ${hex(magic)}, not 0xef53`);
  const logBlock = u32(sb, 24);
  if (logBlock > 6)
    return result('ext2fs', 'ext2fs', false, `s_magic 0xef53 but s_log_block_size ${logBlock} > 6`);
  const compat = u32(sb, 92);
  const incompat = u32(sb, 96);
  const kind = incompat & (0x40 | 0x80 | 0x200) ? 'ext4' : compat & 0x4 ? 'ext3 (journal)' : 'ext2';
  return result('ext2fs', 'ext2fs', true, 's_magic 0xef53 at byte 1080', {
    variant: `${kind}, ${1024 << logBlock}-byte blocks, revision ${u32(sb, 76)}`,
    label: ascii(sb, 120, 16),
  });
};

// ---- FAT (msdosfs_vfsops.c:msdosfs_mountfs) ----

export const probeMsdos: Probe = (src) => {
  const b = src.read(0, 512);
  if (b.length < 512) return result('msdos', 'msdos', false, 'image smaller than a boot sector');
  const oem = ascii(b, 3, 8);
  if (oem === 'NTFS    ' || oem === 'EXFAT   ')
    return result('msdos', 'msdos', false, `boot sector OEM id '${oem.trim()}': not FAT`);
  if (!(b[0] === 0xeb || b[0] === 0xe9))
    return result(
      'msdos',
      'msdos',
      false,
      `boot sector starts with ${hex(b[0]!)}, not a jump (0xeb/0xe9)`,
    );
  const bps = u16(b, 11);
  const spc = b[13]!;
  const res = u16(b, 14);
  const nfats = b[16]!;
  const rootEnts = u16(b, 17);
  const sectors16 = u16(b, 19);
  const fatsz16 = u16(b, 22);
  const secPerTrack = u16(b, 24);
  const sectors = sectors16 || u32(b, 32);
  if (!pow2(spc) || !pow2(bps) || bps < 512 || spc * bps > MAXBSIZE || sectors === 0)
    return result(
      'msdos',
      'msdos',
      false,
      `BPB fails NetBSD's checks (bytes/sector ${bps}, sectors/cluster ${spc}, sectors ${sectors})`,
    );
  if (secPerTrack > 63)
    return result('msdos', 'msdos', false, `BPB sectors/track ${secPerTrack} > 63`);
  if (nfats < 1 || nfats > 2 || res === 0)
    return result('msdos', 'msdos', false, `BPB has ${nfats} FATs and ${res} reserved sectors`);
  let fatsz = fatsz16;
  let fat32 = false;
  if (rootEnts === 0) {
    if (sectors16 || fatsz16 || u16(b, 42))
      return result(
        'msdos',
        'msdos',
        false,
        'no root entries (FAT32) but a 16-bit size, FAT size or FS version set',
      );
    fatsz = u32(b, 36);
    fat32 = true;
  }
  const rootSecs = Math.ceil((rootEnts * 32) / bps);
  const data = sectors - (res + nfats * fatsz + rootSecs);
  const clusters = Math.floor(data / spc);
  if (!(clusters > 0))
    return result('msdos', 'msdos', false, `BPB leaves no data clusters (${data} data sectors)`);
  const type = fat32 ? 'FAT32' : clusters < 4085 ? 'FAT12' : 'FAT16';
  const labelAt = fat32 ? 71 : 43;
  const sig = b[510] === 0x55 && b[511] === 0xaa;
  return result(
    'msdos',
    'msdos',
    true,
    `valid BPB at byte 0 (${clusters} clusters)${sig ? ', 0x55aa signature' : ''}`,
    {
      variant: `${type}, ${bps}-byte sectors, ${spc * bps}-byte clusters`,
      label: ascii(b, labelAt, 11).trim(),
    },
  );
};

// ---- NTFS ----

export const probeNtfs: Probe = (src) => {
  const b = src.read(0, 512);
  const oem = ascii(b, 3, 8);
  if (oem !== 'NTFS    ')
    return result('ntfs', 'ntfs', false, `OEM id at byte 3 is '${oem}', not 'NTFS    '`);
  const bps = u16(b, 11);
  if (!pow2(bps) || bps < 256)
    return result('ntfs', 'ntfs', false, `'NTFS' OEM id but bytes/sector ${bps}`);
  return result('ntfs', 'ntfs', true, "OEM id 'NTFS    ' at byte 3", {
    variant: `${bps}-byte sectors`,
  });
};

// ---- ISO 9660 and UDF (volume recognition sequence from byte 32768) ----

const VRS_START = 32768;
const VRS_STEP = 2048;

function volumeDescriptors(
  src: ByteSource,
): { id: string; type: number; at: number; b: Uint8Array }[] {
  const out: { id: string; type: number; at: number; b: Uint8Array }[] = [];
  for (let i = 0; i < 32; i++) {
    const at = VRS_START + i * VRS_STEP;
    const b = src.read(at, VRS_STEP);
    if (b.length < 7) break;
    const id = ascii(b, 1, 5);
    if (!/^(CD001|BEA01|NSR0[23]|TEA01|BOOT2|CDW02)$/.test(id)) break;
    out.push({ id, type: b[0]!, at, b: b.slice(0, 256) });
    if (id === 'CD001' && b[0] === 255) break;
    if (id === 'TEA01') break;
  }
  return out;
}

export const probeCd9660: Probe = (src) => {
  const vds = volumeDescriptors(src);
  const pvd = vds.find((d) => d.id === 'CD001' && d.type === 1);
  if (!pvd)
    return result(
      'cd9660',
      'cd9660',
      false,
      vds.length
        ? `volume descriptors ${vds.map((d) => d.id).join(', ')} but no ISO 9660 primary`
        : "no 'CD001' at byte 32769",
    );
  const joliet = vds.some((d) => d.id === 'CD001' && d.type === 2);
  return result('cd9660', 'cd9660', true, `primary volume descriptor 'CD001' at byte ${pvd.at}`, {
    variant: `ISO 9660${joliet ? ' with Joliet' : ''}, ${u16(pvd.b, 128)}-byte logical blocks`,
    label: ascii(pvd.b, 40, 32).trim(),
  });
};

export const probeUdf: Probe = (src) => {
  const vds = volumeDescriptors(src);
  const nsr = vds.find((d) => d.id === 'NSR02' || d.id === 'NSR03');
  if (!nsr || !vds.some((d) => d.id === 'BEA01'))
    return result(
      'udf',
      'udf',
      false,
      "no 'BEA01' … 'NSR02'/'NSR03' volume recognition sequence at byte 32768",
    );
  return result('udf', 'udf', true, `'${nsr.id}' descriptor at byte ${nsr.at}`, {
    variant: nsr.id === 'NSR03' ? 'UDF 2.00 or later' : 'UDF 1.50 or earlier',
  });
};

// ---- HFS+ (fs/hfs/libhfs.h: volume header at byte 1024, big-endian) ----

export const probeHfs: Probe = (src) => {
  const b = src.read(1024, 512);
  const sig = u16(b, 0, false);
  if (sig === 0x482b || sig === 0x4858)
    return result(
      'hfs',
      'hfs',
      true,
      `volume header signature '${sig === 0x482b ? 'H+' : 'HX'}' at byte 1024`,
      {
        variant: `${sig === 0x482b ? 'HFS+' : 'HFSX'} version ${u16(b, 2, false)}, ${u32(b, 40, false)}-byte blocks`,
      },
    );
  if (sig === 0x4244) {
    const embedded = u16(b, 124, false);
    return result(
      'hfs',
      'hfs',
      false,
      embedded === 0x482b
        ? "plain HFS ('BD') wrapping an HFS+ volume: NetBSD's hfs reads HFS+ only; mount the embedded volume with --offset"
        : "plain HFS ('BD') at byte 1024: NetBSD's hfs reads HFS+ only",
    );
  }
  return result('hfs', 'hfs', false, `signature at byte 1024 is ${hex(sig)}, not 'H+' or 'HX'`);
};

// ---- v7fs (fs/v7fs: superblock in sector 1, no magic; v7fs_superblock_sanity) ----

const V7FS_MAX_FREEBLOCK = 50;
const V7FS_MAX_FREEINODE = 100;

export const probeV7fs: Probe = (src) => {
  const b = src.read(512, 512);
  if (b.length < 424)
    return result('v7fs', 'v7fs', false, 'image ends before the sector-1 superblock');
  const v = view(b);
  const orders = [
    ['little-endian', (o: number) => v.getUint32(o, true), (o: number) => v.getInt16(o, true)],
    ['big-endian', (o: number) => v.getUint32(o, false), (o: number) => v.getInt16(o, false)],
    [
      'PDP-endian',
      (o: number) => ((v.getUint16(o, true) << 16) | v.getUint16(o + 2, true)) >>> 0,
      (o: number) => v.getInt16(o, true),
    ],
  ] as const;
  const why: string[] = [];
  const sectors = Math.floor(src.size / 512);
  for (const [name, get32, get16] of orders) {
    const dbStart = v.getUint16(0, name !== 'big-endian');
    const volumeSize = get32(2);
    const nfreeblock = get16(6);
    const nfreeinode = get16(208);
    const updateTime = get32(414) | 0;
    const totalFreeblock = get32(418);
    const totalFreeinode = v.getUint16(422, name !== 'big-endian');
    const fail =
      volumeSize < 128
        ? `volume_size ${volumeSize} < 128`
        : dbStart > volumeSize || dbStart <= 2
          ? `datablock_start_sector ${dbStart} not in 3..volume_size`
          : nfreeinode > V7FS_MAX_FREEINODE || nfreeinode < 0
            ? `nfreeinode ${nfreeinode}`
            : nfreeblock > V7FS_MAX_FREEBLOCK || nfreeblock < 0
              ? `nfreeblock ${nfreeblock}`
              : updateTime < 0
                ? 'negative update_time'
                : totalFreeblock > volumeSize
                  ? `total_freeblock ${totalFreeblock} > volume_size`
                  : nfreeinode === 0 &&
                      nfreeblock === 0 &&
                      totalFreeblock === 0 &&
                      totalFreeinode === 0
                    ? 'all free counts zero'
                    : volumeSize > sectors
                      ? `volume_size ${volumeSize} sectors > image (${sectors})`
                      : undefined;
    if (!fail)
      return result('v7fs', 'v7fs', true, 'sector-1 superblock passes v7fs_superblock_sanity', {
        variant: `V7, ${name}, ${volumeSize} sectors`,
      });
    why.push(`${name}: ${fail}`);
  }
  return result('v7fs', 'v7fs', false, `no sane V7 superblock in sector 1 (${why.join('; ')})`);
};

// ---- sysvbfs (fs/sysvbfs/bfs.h: BFS_MAGIC at byte 0) ----

export const BFS_MAGIC = 0x1badface;

export const probeSysvbfs: Probe = (src) => {
  const b = src.read(0, 8);
  const m = u32(b, 0);
  return m === BFS_MAGIC
    ? result('sysvbfs', 'sysvbfs', true, 'magic 0x1badface at byte 0', {
        variant: 'System V boot file system',
      })
    : result('sysvbfs', 'sysvbfs', false, `word at byte 0 is ${hex(m)}, not 0x1badface`);
};

// ---- ADOSFS (AmigaDOS boot block "DOS" + flags) ----

export const probeAdos: Probe = (src) => {
  const b = src.read(0, 4);
  if (ascii(b, 0, 3) === 'DOS' && b[3]! <= 7) {
    const f = b[3]!;
    const kind = `${f & 1 ? 'FFS' : 'OFS'}${f & 2 ? ', international' : ''}${f & 4 ? ', directory cache' : ''}`;
    return result('ados', 'adosfs', true, `boot block 'DOS\\${f}' at byte 0`, {
      variant: `AmigaDOS ${kind}`,
    });
  }
  return result('ados', 'adosfs', false, "no 'DOS' boot block at byte 0");
};

// ---- EFS (fs/efs/efs_sb.h: superblock in basic block 1, big-endian) ----

export const EFS_SB_MAGIC = 0x072959;
export const EFS_SB_NEWMAGIC = 0x07295a;

export const probeEfs: Probe = (src) => {
  const b = src.read(512, 512);
  const m = u32(b, 28, false);
  if (m !== EFS_SB_MAGIC && m !== EFS_SB_NEWMAGIC)
    return result('efs', 'efs', false, `sb_magic at byte 540 is ${hex(m)}, not 0x72959/0x7295a`);
  const size = u32(b, 0, false);
  if (size <= 0 || size > Math.ceil(src.size / 512))
    return result(
      'efs',
      'efs',
      false,
      `sb_magic ${hex(m)} but sb_size ${size} basic blocks does not fit the image`,
    );
  return result('efs', 'efs', true, `sb_magic ${hex(m)} at byte 540`, {
    variant: `SGI EFS${m === EFS_SB_NEWMAGIC ? ' (grown)' : ''}`,
    label: ascii(b, 32, 6),
  });
};

// ---- NILFS2 (fs/nilfs/nilfs_fs.h: superblock at byte 1024, s_magic at +6) ----

export const NILFS_SUPER_MAGIC = 0x3434;

export const probeNilfs: Probe = (src) => {
  const b = src.read(1024, 1024);
  const m = u16(b, 6);
  return m === NILFS_SUPER_MAGIC
    ? result('nilfs', 'nilfs', true, 's_magic 0x3434 at byte 1030', {
        variant: `NILFS2 revision ${u32(b, 0)}.${u16(b, 4)}`,
      })
    : result('nilfs', 'nilfs', false, `s_magic at byte 1030 is ${hex(m)}, not 0x3434`);
};

// ---- tinyfs (the project's example file system: tools/test-modules/src/tinyfs/FORMAT.md) ----

export const TINYFS_MAGIC = 0x544e5946;

export const probeTinyfs: Probe = (src) => {
  const b = src.read(0, 128);
  const m = u32(b, 0);
  if (m !== TINYFS_MAGIC)
    return result('tinyfs', 'tinyfs', false, `word at byte 0 is ${hex(m)}, not 0x544e5946`);
  const version = u32(b, 4);
  const bsize = u32(b, 8);
  if (version !== 1 || bsize !== 4096)
    return result(
      'tinyfs',
      'tinyfs',
      false,
      `tinyfs magic but version ${version}, bsize ${bsize} (want 1, 4096)`,
    );
  return result('tinyfs', 'tinyfs', true, 'magic 0x544e5946 at byte 0, version 1', {
    variant: `tinyfs v1, ${u32(b, 12)} blocks${u32(b, 48) === 1 ? ', clean' : ', not clean'}`,
    label: ascii(b, 64, 32),
  });
};

// ---- Formats NetBSD has no driver for: recognised to say so. ----

export const probeMinix: Probe = (src) => {
  const b = src.read(1024, 64);
  const v12 = u16(b, 16);
  const v3 = u16(b, 24);
  const kind =
    v12 === 0x137f || v12 === 0x138f
      ? 'Minix v1'
      : v12 === 0x2468 || v12 === 0x2478
        ? 'Minix v2'
        : v3 === 0x4d5a
          ? 'Minix v3'
          : undefined;
  return kind
    ? result(
        'minix',
        undefined,
        true,
        `${kind} magic at byte ${kind === 'Minix v3' ? 1048 : 1040}; NetBSD has no Minix file-system driver`,
        { variant: kind },
      )
    : result('minix', undefined, false, 'no Minix v1/v2/v3 magic at byte 1040/1048');
};

export const probeZfs: Probe = (src) => {
  // A vdev label's uberblock ring starts 128 KiB into the label; ub_magic 0x00bab10c.
  const b = src.read(131072, 8);
  const le = b.length === 8 ? view(b).getBigUint64(0, true) : 0n;
  const be = b.length === 8 ? view(b).getBigUint64(0, false) : 0n;
  return le === 0xbab10cn || be === 0xbab10cn
    ? result(
        'zfs',
        'zfs',
        true,
        'uberblock magic 0x00bab10c at byte 131072 (a ZFS pool member: import the pool, not mountable alone)',
        { variant: 'ZFS vdev' },
      )
    : result('zfs', 'zfs', false, 'no uberblock magic 0x00bab10c at byte 131072');
};

export const probeForeign: Probe = (src) => {
  const b0 = src.read(0, 16);
  if (ascii(b0, 3, 8) === 'EXFAT   ')
    return result(
      'exfat',
      undefined,
      true,
      "OEM id 'EXFAT' at byte 3; NetBSD has no exFAT driver",
      { variant: 'exFAT' },
    );
  if (ascii(b0, 0, 4) === 'XFSB')
    return result('xfs', undefined, true, "'XFSB' at byte 0; NetBSD has no XFS driver", {
      variant: 'XFS',
    });
  const bt = src.read(65536 + 64, 8);
  if (ascii(bt, 0, 8) === '_BHRfS_M')
    return result(
      'btrfs',
      undefined,
      true,
      "'_BHRfS_M' at byte 65600; NetBSD has no Btrfs driver",
      { variant: 'Btrfs' },
    );
  return result('other', undefined, false, 'not exFAT, XFS or Btrfs either');
};

/** Probes in order: strong magics first, formats without a magic (v7fs) and foreign ones last. */
export const PROBES: readonly Probe[] = [
  probeFfs,
  probeLfs,
  probeExt2,
  probeNtfs,
  probeMsdos,
  probeUdf,
  probeCd9660,
  probeHfs,
  probeNilfs,
  probeEfs,
  probeSysvbfs,
  probeTinyfs,
  probeAdos,
  probeZfs,
  probeMinix,
  probeForeign,
  probeV7fs,
];

export function detectFileSystem(src: ByteSource): Detection {
  if (tooSmall(src, 512))
    return {
      tried: [
        result('any', undefined, false, `image is ${src.size} bytes, smaller than one sector`),
      ],
      matches: [],
      best: undefined,
    };
  const tried = PROBES.map((p) => p(src));
  const matches = tried.filter((r) => r.matched);
  const best = matches.find((m) => m.module !== undefined) ?? matches[0];
  return { tried, matches, best };
}

/** One line saying what detection found or why nothing matched (for mount errors). */
export function describeDetection(d: Detection): string {
  if (d.best) return `${d.best.fs} (${d.best.variant ?? ''}: ${d.best.reason})`;
  return `no file system recognised; tried ${d.tried.map((t) => `${t.fs}: ${t.reason}`).join('; ')}`;
}
