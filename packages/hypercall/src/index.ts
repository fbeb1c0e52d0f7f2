export {
  isNetBSDErrnoName,
  NETBSD_ELAST,
  NetBSDErrno,
  NetBSDErrnoAliases,
  type NetBSDErrnoName,
  netbsdErrnoName,
  netbsdStrerror,
} from './errno.js';
export type { FileBackend } from './FileBackend.js';
export { FileBlockDevice, isValidSectorSize } from './FileBlockDevice.js';
export { HandleTable, type OpenHandle } from './HandleTable.js';
export {
  type BioDone,
  type BioOp,
  type BioRequest,
  HOST_EXIT_PANIC,
  type Host,
  type HostAccess,
  type HostBlockDevice,
  type HostBlockDeviceOptions,
  type HostClock,
  type HostFile,
  type HostOpenOptions,
  type HostV1,
} from './Host.js';
export { HostBase } from './HostBase.js';
export {
  HostError,
  type HostErrorDetail,
  hostErrorFrom,
  netbsdErrnoForHostCode,
} from './HostError.js';
export { hostFailure } from './hostFailure.js';
export { HostExit, MemoryHost, type MemoryHostOptions } from './memory/MemoryHost.js';
export {
  HOST_PARAM_NAMES,
  HostParamDefaults,
  type HostParamName,
  type HostParams,
  isHostParamName,
  MAX_HOSTNAME_BYTES,
  MAX_NCPU,
  parseHostname,
  parseMemlimit,
  parseNcpu,
  parseVerbose,
  readHostParams,
  resolveHostParams,
  validateHostParam,
} from './params.js';
