/**
 * Mount argument structs that carry pointers. mount(2) copies a file system's args struct from
 * the caller, and most structs start with `char *fspec`, the device path — a guest pointer, which
 * raw bytes cannot hold. A `MountArgs` is the struct's bytes plus the strings its pointer fields
 * name; `sys.mount` places the strings in kernel memory for the duration of the call and writes
 * their addresses into the fields. Layouts are NetBSD amd64's (sys/fs/msdosfs/msdosfsmount.h,
 * sys/fs/cd9660/cd9660_mount.h, sys/fs/tmpfs/tmpfs_args.h, sys/ufs/ufs/ufsmount.h,
 * sys/fs/udf/udf_mount.h, sys/fs/ntfs/ntfsmount.h, sys/fs/v7fs/v7fs_args.h,
 * sys/fs/adosfs/adosfs.h, sys/fs/efs/efs_mount.h, sys/fs/nilfs/nilfs_mount.h): pointers and
 * longs are 8 bytes aligned to 8, uid_t/gid_t/mode_t/int 4 bytes, and `struct export_args30`
 * (the unused `_pad1` of the older structs) 128 bytes.
 */
import type { Kernel } from '@rump/kernel-core';

const KM_SLEEP = 0x1;

export class MountArgs {
  constructor(
    /** The struct, pointer fields left zero. */
    readonly bytes: Uint8Array,
    /** Pointer fields: byte offset in the struct and the NUL-terminated string it points at. */
    readonly strings: readonly { readonly offset: number; readonly value: string }[] = [],
  ) {
    for (const s of strings) {
      if (s.offset < 0 || s.offset + 8 > bytes.length || s.offset % 8)
        throw new RangeError(
          `MountArgs: pointer field at ${s.offset} is outside the ${bytes.length}-byte struct`,
        );
    }
  }

  /**
   * Runs `use` with the struct's bytes, pointer fields filled with the addresses of kernel copies
   * of the strings, and frees the copies afterwards.
   */
  withStrings<T>(kernel: Kernel, use: (bytes: Uint8Array) => T): T {
    const out = new Uint8Array(this.bytes);
    const dv = new DataView(out.buffer);
    const placed: { addr: bigint; size: number }[] = [];
    try {
      for (const s of this.strings) {
        const enc = new TextEncoder().encode(s.value);
        const size = enc.length + 1;
        const addr = kernel.kmem.alloc(size, KM_SLEEP, true, 'mount args string');
        placed.push({ addr, size });
        kernel.mem.write(addr, enc);
        dv.setBigUint64(s.offset, addr, true);
      }
      return use(out);
    } finally {
      for (const p of placed) kernel.kmem.free(p.addr, p.size, 'mount args string');
    }
  }
}

function struct(size: number, fields: [offset: number, value: number][]): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  for (const [off, v] of fields) dv.setUint32(off, v >>> 0, true);
  return b;
}

/** MSDOSFSMNT_VERSION: the msdosfs_args revision with dirmask and gmtoff. */
export const MSDOSFSMNT_VERSION = 3;
/** TMPFS_ARGS_VERSION */
export const TMPFS_ARGS_VERSION = 1;
/** UDFMNT_VERSION: udf_mount refuses any other `version` with EINVAL. */
export const UDFMNT_VERSION = 1;
/** NILFSMNT_VERSION: nilfs_mount refuses any other `version` with EINVAL. */
export const NILFSMNT_VERSION = 1;
/** EFS_MNT_VERSION */
export const EFS_MNT_VERSION = 0;
/** NetBSD's `nobody` user and group (etc/master.passwd, etc/group): mount_udf's default mapping. */
export const NOBODY_UID = 32767;
export const NOBODY_GID = 39;
/** <sys/endian.h> byte orders, as v7fs_args.endian takes them (mount_v7fs -B). */
export const BYTE_ORDER = { LITTLE_ENDIAN: 1234, BIG_ENDIAN: 4321, PDP_ENDIAN: 3412 } as const;
/** ntfs_args.flag bits (ntfsmount.h). */
export const NTFS_MFLAG = { CASEINS: 0x1, ALLNAMES: 0x2 } as const;
/** udf_args.udfmflags bits (udf_mount.h). */
export const UDFMNT_CLOSESESSION = 0x1;

function setU64(b: Uint8Array, off: number, v: number | bigint): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(
    off,
    BigInt.asUintN(64, BigInt(v)),
    true,
  );
}

export const mountArgs = {
  /** `struct ufs_args { char *fspec; }` (ffs, ext2fs, lfs ...). */
  ufs(a: { fspec: string }): MountArgs {
    return new MountArgs(new Uint8Array(8), [{ offset: 0, value: a.fspec }]);
  },
  /** `struct msdosfs_args` (168 bytes); mask/dirmask default 0755 as mount_msdos's. */
  msdos(a: {
    fspec: string;
    uid?: number;
    gid?: number;
    mask?: number;
    dirmask?: number;
    flags?: number;
    gmtoff?: number;
  }): MountArgs {
    const mask = a.mask ?? 0o755;
    return new MountArgs(
      struct(168, [
        [136, a.uid ?? 0],
        [140, a.gid ?? 0],
        [144, mask],
        [148, a.flags ?? 0],
        [152, MSDOSFSMNT_VERSION],
        [156, a.dirmask ?? mask],
        [160, a.gmtoff ?? 0],
      ]),
      [{ offset: 0, value: a.fspec }],
    );
  },
  /** `struct iso_args` (160 bytes); fmask/dmask default 0777 as mount_cd9660's (they mask every mode). */
  cd9660(a: {
    fspec: string;
    flags?: number;
    uid?: number;
    gid?: number;
    fmask?: number;
    dmask?: number;
  }): MountArgs {
    return new MountArgs(
      struct(160, [
        [136, a.flags ?? 0],
        [140, a.uid ?? 0],
        [144, a.gid ?? 0],
        [148, a.fmask ?? 0o777],
        [152, a.dmask ?? 0o777],
      ]),
      [{ offset: 0, value: a.fspec }],
    );
  },
  /** `struct tmpfs_args` (40 bytes); 0 for nodesMax/sizeMax means the file system's default. */
  tmpfs(
    a: {
      nodesMax?: number | bigint;
      sizeMax?: number | bigint;
      rootUid?: number;
      rootGid?: number;
      rootMode?: number;
    } = {},
  ): MountArgs {
    const b = struct(40, [
      [0, TMPFS_ARGS_VERSION],
      [24, a.rootUid ?? 0],
      [28, a.rootGid ?? 0],
      [32, a.rootMode ?? 0o755],
    ]);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(8, BigInt(a.nodesMax ?? 0), true);
    dv.setBigUint64(16, BigInt(a.sizeMax ?? 0), true);
    return new MountArgs(b);
  },
  /**
   * `struct udf_args` (80 bytes): version@0, fspec@8, sessionnr@16, udfmflags@20, gmtoff@24,
   * anon_uid@28, anon_gid@32, nobody_uid@36, nobody_gid@40, sector_size@44, reserved[32]@48.
   * Defaults as mount_udf's: files without an owner and nobody:nobody both map to NetBSD's
   * nobody, session 0 (the last one), gmtoff 0 (UTC; mount_udf takes the local zone's),
   * sector_size 0 (the device's).
   */
  udf(a: {
    fspec: string;
    sessionnr?: number;
    flags?: number;
    gmtoff?: number;
    anonUid?: number;
    anonGid?: number;
    nobodyUid?: number;
    nobodyGid?: number;
    sectorSize?: number;
  }): MountArgs {
    return new MountArgs(
      struct(80, [
        [0, UDFMNT_VERSION],
        [16, a.sessionnr ?? 0],
        [20, a.flags ?? 0],
        [24, a.gmtoff ?? 0],
        [28, a.anonUid ?? NOBODY_UID],
        [32, a.anonGid ?? NOBODY_GID],
        [36, a.nobodyUid ?? NOBODY_UID],
        [40, a.nobodyGid ?? NOBODY_GID],
        [44, a.sectorSize ?? 0],
      ]),
      [{ offset: 8, value: a.fspec }],
    );
  },
  /**
   * `struct ntfs_args` (160 bytes): fspec@0, export_args30 _pad1@8, uid@136, gid@140, mode@144,
   * u_long flag@152. mount_ntfs defaults to the mount point's owner and mode: root and 0755 for
   * the CLI's /mnt.
   */
  ntfs(a: { fspec: string; uid?: number; gid?: number; mode?: number; flag?: number }): MountArgs {
    const b = struct(160, [
      [136, a.uid ?? 0],
      [140, a.gid ?? 0],
      [144, a.mode ?? 0o755],
    ]);
    setU64(b, 152, a.flag ?? 0);
    return new MountArgs(b, [{ offset: 0, value: a.fspec }]);
  },
  /**
   * `struct v7fs_args` (16 bytes): fspec@0, endian@8 — the image's byte order as <sys/endian.h>
   * numbers it (1234, 4321, 3412); default little, the host's byte order on amd64 as mount_v7fs's.
   */
  v7fs(a: { fspec: string; endian?: 'little' | 'big' | 'pdp' }): MountArgs {
    const order =
      a.endian === 'big'
        ? BYTE_ORDER.BIG_ENDIAN
        : a.endian === 'pdp'
          ? BYTE_ORDER.PDP_ENDIAN
          : BYTE_ORDER.LITTLE_ENDIAN;
    return new MountArgs(struct(16, [[8, order]]), [{ offset: 0, value: a.fspec }]);
  },
  /**
   * `struct adosfs_args` (152 bytes): fspec@0, export_args30 _pad1@8, uid@136, gid@140,
   * mask@144 (default 0755, root).
   */
  adosfs(a: { fspec: string; uid?: number; gid?: number; mask?: number }): MountArgs {
    return new MountArgs(
      struct(152, [
        [136, a.uid ?? 0],
        [140, a.gid ?? 0],
        [144, a.mask ?? 0o755],
      ]),
      [{ offset: 0, value: a.fspec }],
    );
  },
  /** `struct efs_args` (16 bytes): fspec@0, version@8 (EFS_MNT_VERSION). */
  efs(a: { fspec: string }): MountArgs {
    return new MountArgs(struct(16, [[8, EFS_MNT_VERSION]]), [{ offset: 0, value: a.fspec }]);
  },
  /**
   * `struct nilfs_args` (64 bytes): version@0, fspec@8, nilfsmflags@16, gmtoff@20, int64 cpno@24
   * (0: the last checkpoint), reserved[32]@32.
   */
  nilfs(a: {
    fspec: string;
    flags?: number;
    gmtoff?: number;
    checkpoint?: number | bigint;
  }): MountArgs {
    const b = struct(64, [
      [0, NILFSMNT_VERSION],
      [16, a.flags ?? 0],
      [20, a.gmtoff ?? 0],
    ]);
    setU64(b, 24, a.checkpoint ?? 0);
    return new MountArgs(b, [{ offset: 8, value: a.fspec }]);
  },
};
