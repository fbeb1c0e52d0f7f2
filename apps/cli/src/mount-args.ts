/**
 * The mount(2) type name and data for each file system the CLI mounts, built by @rump/syscalls'
 * mountArgs with NetBSD amd64's layouts. ffs, lfs, ext2fs, sysvbfs, hfs and tinyfs take
 * `struct ufs_args { char *fspec; }` (or a struct of that shape); the others have their own:
 * msdos `struct msdosfs_args`, cd9660 `struct iso_args`, udf `struct udf_args`, ntfs
 * `struct ntfs_args`, v7fs `struct v7fs_args`, adosfs `struct adosfs_args`, efs `struct
 * efs_args`, nilfs `struct nilfs_args`, and tmpfs `struct tmpfs_args`, which names no device (a
 * tmpfs is empty memory, whatever the image holds). Defaults are those of the mount_* commands
 * without options for the CLI's mount point /mnt (root, 0755).
 */
import { type MountArgs, mountArgs } from '@rump/syscalls';

/** What the mount planning knows besides the type: how detection described the image. */
export interface MountHints {
  /** The detected variant, e.g. `V7, big-endian, 2048 sectors`. */
  readonly variant?: string;
}

/** v7fs has no magic number to tell byte orders apart: detection tried each; use the one it found. */
function v7fsEndian(variant: string | undefined): 'little' | 'big' | 'pdp' {
  if (variant?.includes('big-endian')) return 'big';
  if (variant?.includes('PDP-endian')) return 'pdp';
  return 'little';
}

type Builder = (fspec: string, hints: MountHints) => MountArgs;

const BUILDERS: Readonly<Record<string, Builder>> = {
  ffs: (fspec) => mountArgs.ufs({ fspec }),
  lfs: (fspec) => mountArgs.ufs({ fspec }),
  ext2fs: (fspec) => mountArgs.ufs({ fspec }),
  tinyfs: (fspec) => mountArgs.ufs({ fspec }),
  // struct sysvbfs_args and struct hfs_args are { char *fspec; }, the shape of ufs_args.
  sysvbfs: (fspec) => mountArgs.ufs({ fspec }),
  hfs: (fspec) => mountArgs.ufs({ fspec }),
  msdos: (fspec) => mountArgs.msdos({ fspec }),
  cd9660: (fspec) => mountArgs.cd9660({ fspec }),
  udf: (fspec) => mountArgs.udf({ fspec }),
  ntfs: (fspec) => mountArgs.ntfs({ fspec }),
  v7fs: (fspec, hints) => mountArgs.v7fs({ fspec, endian: v7fsEndian(hints.variant) }),
  adosfs: (fspec) => mountArgs.adosfs({ fspec }),
  efs: (fspec) => mountArgs.efs({ fspec }),
  nilfs: (fspec) => mountArgs.nilfs({ fspec }),
  tmpfs: () => mountArgs.tmpfs({ rootMode: 0o755 }),
};

/** Names the CLI uses that are not NetBSD's MOUNT_* type names. */
const MOUNT_TYPE: Readonly<Record<string, string>> = { ados: 'adosfs' };

/** NetBSD's mount(2) type name (MOUNT_ADOSFS is "adosfs" where detection says "ados"). */
export function mountTypeFor(fs: string): string {
  return Object.hasOwn(MOUNT_TYPE, fs) ? (MOUNT_TYPE[fs] ?? fs) : fs;
}

/** File systems this CLI knows the mount(2) arguments of (by NetBSD type name). */
export const MOUNTABLE_FILESYSTEMS: readonly string[] = Object.keys(BUILDERS);

/** The args struct for mounting `fs` from the block device `fspec`; undefined when unknown. */
export function mountArgsFor(
  fs: string,
  fspec: string,
  hints: MountHints = {},
): MountArgs | undefined {
  const type = mountTypeFor(fs);
  return Object.hasOwn(BUILDERS, type) ? BUILDERS[type]?.(fspec, hints) : undefined;
}
