export { KernelHaltedError, SyscallError } from './errors.js';
export { ACCESS, DT, MNT, MODCTL, O, RB, S, SEEK, ST } from './flags.js';
export { FileSystemApi } from './fs.js';
export {
  BYTE_ORDER,
  EFS_MNT_VERSION,
  MountArgs,
  MSDOSFSMNT_VERSION,
  mountArgs,
  NILFSMNT_VERSION,
  NOBODY_GID,
  NOBODY_UID,
  NTFS_MFLAG,
  TMPFS_ARGS_VERSION,
  UDFMNT_CLOSESESSION,
  UDFMNT_VERSION,
} from './mountArgs.js';
export { bootRump, type Rump, type RumpOptions } from './rump.js';
export { decodeDirents, type MountData, OPEN_MAX, RumpSys, type UfsArgs } from './syscalls.js';
export type { DirectoryEntry, ModctlLoad, Stat, Statvfs, Timespec } from './types.js';
