export type { OptionKind, OptionSpec } from './cli/args.js';
export { ParsedOptions, parseArgs } from './cli/args.js';
export type { Command, CommandContext, Env, Io } from './cli/command.js';
export * from './cli/errors.js';
export { GLOBAL_OPTIONS, type GlobalOptions, parseByteCount } from './cli/global.js';
export { formatTarget, normalizeImagePath, parseTarget, type Target } from './cli/target.js';
export { COMMANDS, findCommand } from './commands/index.js';
export { FSTYPE_NAMES, findDisklabel, fstypeName } from './disk/disklabel.js';
export { readGpt } from './disk/gpt.js';
export { type ByteSource, FileImage, MemoryImage, SliceSource } from './disk/image.js';
export { readMbr } from './disk/mbr.js';
export {
  findPartition,
  type Partition,
  type PartitionScan,
  scanPartitions,
} from './disk/partitions.js';
export { type Detection, detectFileSystem, PROBES, type ProbeResult } from './fsdetect.js';
export { checkImports, type ImportCheck, type KernelCheck } from './kernel-check.js';
export { type ImageLock, lockImage } from './lock.js';
export { type Console, main, VERSION } from './main.js';
export * from './session.js';
