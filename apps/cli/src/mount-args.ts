/**
 * The mount(2) data for each file system the CLI mounts. ffs, lfs, ext2fs and tinyfs take
 * `struct ufs_args { char *fspec; }`; msdos takes `struct msdosfs_args` and cd9660 `struct
 * iso_args`, both with `fspec` first and mount options after it (NetBSD amd64 layouts, built by
 * @rump/syscalls' mountArgs). The defaults are those of mount_msdos / mount_cd9660 without
 * options: owner root, every file's mode allowed by a 0755 (msdos) / 0777 (cd9660) mask.
 */
import { type MountArgs, mountArgs } from '@rump/syscalls';

const BUILDERS: Readonly<Record<string, (fspec: string) => MountArgs>> = {
  ffs: (fspec) => mountArgs.ufs({ fspec }),
  lfs: (fspec) => mountArgs.ufs({ fspec }),
  ext2fs: (fspec) => mountArgs.ufs({ fspec }),
  tinyfs: (fspec) => mountArgs.ufs({ fspec }),
  msdos: (fspec) => mountArgs.msdos({ fspec }),
  cd9660: (fspec) => mountArgs.cd9660({ fspec }),
};

/** File systems this CLI knows the mount(2) arguments of. */
export const MOUNTABLE_FILESYSTEMS: readonly string[] = Object.keys(BUILDERS);

/** The args struct for mounting `fs` from the block device `fspec`; undefined when unknown. */
export function mountArgsFor(fs: string, fspec: string): MountArgs | undefined {
  return Object.hasOwn(BUILDERS, fs) ? BUILDERS[fs]?.(fspec) : undefined;
}
