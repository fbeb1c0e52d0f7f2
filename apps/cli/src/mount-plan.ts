/**
 * Deciding what to mount before any kernel exists: the image region (partition or offset), the
 * file-system type (--fs, or detection with every probe's answer), and the module files (-m and
 * the module path). Every refusal says why in one line.
 */
import { OperationError, UsageError } from './cli/errors.js';
import type { GlobalOptions } from './cli/global.js';
import { formatTarget, type Target } from './cli/target.js';
import { SliceSource } from './disk/image.js';
import { scanPartitions } from './disk/partitions.js';
import { type Detection, detectFileSystem } from './fsdetect.js';
import { openRegion } from './image-source.js';
import { describeModuleFile, type FoundModule, findModule } from './modules.js';
import type { MountPlan } from './session.js';

/** NetBSD mount names whose module has another name. */
const MODULE_OF_FS: Readonly<Record<string, string>> = { ados: 'adosfs' };

export function moduleForFs(fs: string): string {
  return MODULE_OF_FS[fs] ?? fs;
}

function detectionSummary(d: Detection): string {
  return d.tried.map((t) => `${t.fs}: ${t.reason}`).join('; ');
}

export function planMount(target: Target, global: GlobalOptions, readOnly: boolean): MountPlan {
  const region = openRegion(target, global);
  const where = formatTarget({ ...target, path: undefined });
  try {
    let { partition, offset, size } = region;
    const { source } = region;
    let detection: Detection | undefined;
    let fs = global.fs;
    if (fs === undefined) {
      detection = detectFileSystem(source);
      if (!detection.best && partition === undefined && global.offset === undefined) {
        // A whole disk: use its one partition holding a file system NetBSD can mount.
        const scan = scanPartitions(region.file);
        const usable = scan.partitions
          .filter((p) => !p.container && !p.raw && p.size > 0)
          .map((p) => ({ p, d: detectFileSystem(new SliceSource(region.file, p.offset, p.size)) }))
          .filter((x) => x.d.best?.module !== undefined);
        if (usable.length === 1) {
          const only = usable[0]!;
          ({ p: partition, d: detection } = only);
          offset = only.p.offset;
          size = only.p.size;
        } else if (usable.length > 1) {
          throw new OperationError(
            `a partitioned disk with ${usable.length} file systems: pick one with ${target.image}@N (${usable.map((u) => `${u.p.id}: ${u.d.best!.fs}`).join(', ')})`,
            { subject: where, errno: 'EINVAL' },
          );
        }
      }
      const best = detection.best;
      if (!best)
        throw new OperationError(
          `no file system recognised (tried ${detectionSummary(detection)}); give --fs TYPE to force one`,
          { subject: where, errno: 'EFTYPE' },
        );
      if (best.module === undefined)
        throw new OperationError(`${best.variant ?? best.fs}: ${best.reason}`, {
          subject: where,
          errno: 'EOPNOTSUPP',
        });
      fs = best.fs;
    } else if (!/^[a-z0-9_]+$/.test(fs)) {
      throw new UsageError(`--fs '${fs}' is not a file-system name (ffs, msdos, ext2fs ...)`);
    }
    const explicit = global.modules.map(describeModuleFile);
    let fsModule: FoundModule;
    try {
      fsModule = findModule(moduleForFs(fs), explicit, global.modulePath);
    } catch (e) {
      if (!(e instanceof OperationError)) throw e;
      throw new OperationError(`${fs} file system: ${e.message}`, {
        subject: where,
        errno: 'ENOENT',
      });
    }
    const modules: FoundModule[] = [...explicit.filter((m) => m !== fsModule), fsModule];
    return {
      image: target.image,
      offset,
      size,
      partition,
      fs,
      fsSource: global.fs === undefined ? 'detected' : 'option',
      detection,
      modules,
      modulePath: global.modulePath,
      readOnly,
      verbose: global.verbose,
    };
  } finally {
    region.file.close();
  }
}
