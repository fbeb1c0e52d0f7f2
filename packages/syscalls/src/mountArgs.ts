/**
 * Mount argument structs that carry pointers. mount(2) copies a file system's args struct from
 * the caller, and most structs start with `char *fspec`, the device path — a guest pointer, which
 * raw bytes cannot hold. A `MountArgs` is the struct's bytes plus the strings its pointer fields
 * name; `sys.mount` places the strings in kernel memory for the duration of the call and writes
 * their addresses into the fields. Layouts are NetBSD amd64's (sys/fs/msdosfs/msdosfsmount.h,
 * sys/fs/cd9660/cd9660_mount.h, sys/fs/tmpfs/tmpfs_args.h, sys/ufs/ufs/ufsmount.h).
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
};
