/**
 * From a target (`IMAGE`, `IMAGE@PART`, with --partition or --offset) to the bytes of one file
 * system: opens the image read-only, finds the partition, and gives a window onto it.
 */
import { fromHostError, OperationError, UsageError } from './cli/errors.js';
import type { GlobalOptions } from './cli/global.js';
import type { Target } from './cli/target.js';
import { type ByteSource, FileImage, SliceSource } from './disk/image.js';
import {
  findPartition,
  type Partition,
  PartitionError,
  type PartitionScan,
  scanPartitions,
} from './disk/partitions.js';

export interface ImageRegion {
  readonly file: FileImage;
  /** The file system's bytes: the whole image, a partition, or from --offset on. */
  readonly source: ByteSource;
  readonly partition: Partition | undefined;
  /** Byte offset of `source` in the image, and its size. */
  readonly offset: number;
  readonly size: number;
  /** The partition scan, when one was needed. */
  readonly scan: PartitionScan | undefined;
}

export function openImageFile(path: string): FileImage {
  try {
    return new FileImage(path);
  } catch (e) {
    throw fromHostError(e, path);
  }
}

/** The partition id from IMAGE@PART or --partition (they must agree), and --offset. */
export function regionRequest(
  target: Target,
  global: GlobalOptions,
): { partition: string | undefined; offset: number | undefined } {
  const partition = target.partition ?? global.partition;
  if (target.partition && global.partition && target.partition !== global.partition)
    throw new UsageError(
      `${target.text}: partition @${target.partition} and --partition ${global.partition} disagree`,
    );
  if (partition !== undefined && global.offset !== undefined)
    throw new UsageError('give a partition or --offset, not both');
  return { partition, offset: global.offset };
}

export function openRegion(target: Target, global: GlobalOptions): ImageRegion {
  const { partition: id, offset } = regionRequest(target, global);
  const file = openImageFile(target.image);
  try {
    if (offset !== undefined) {
      if (offset >= file.size)
        throw new OperationError(
          `--offset ${offset} is at or past the end of the image (${file.size} bytes)`,
          {
            subject: target.image,
            errno: 'EINVAL',
          },
        );
      return {
        file,
        source: new SliceSource(file, offset, file.size - offset),
        partition: undefined,
        offset,
        size: file.size - offset,
        scan: undefined,
      };
    }
    if (id === undefined)
      return {
        file,
        source: file,
        partition: undefined,
        offset: 0,
        size: file.size,
        scan: undefined,
      };
    const scan = scanPartitions(file);
    let p: Partition;
    try {
      p = findPartition(scan, id);
    } catch (e) {
      if (e instanceof PartitionError)
        throw new OperationError(e.message, { subject: target.image, errno: 'ENXIO' });
      throw e;
    }
    if (p.offset + p.size > file.size)
      throw new OperationError(
        `partition ${id} (bytes ${p.offset}..${p.offset + p.size}) runs past the end of the image (${file.size} bytes)`,
        { subject: target.image, errno: 'ENXIO' },
      );
    return {
      file,
      source: new SliceSource(file, p.offset, p.size),
      partition: p,
      offset: p.offset,
      size: p.size,
      scan,
    };
  } catch (e) {
    file.close();
    throw e;
  }
}
