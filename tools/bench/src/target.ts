/**
 * Which file system the benchmark runs: NetBSD's real ffs.kmod (RUMP_BENCH_FFS_KMOD, its folder
 * being the module path where ufs.kmod is found) on a makefs FFSv2 image, or else the project's
 * example module tinyfs on a tinyfs image — clearly labelled, since it is not what native ran.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FsKind } from './workload.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TINYFS_KMOD = join(REPO, 'tools/test-modules/kmod/tinyfs.kmod');

export interface Target {
  readonly fs: FsKind;
  /** Host path of the file-system module loaded with modctl. */
  readonly kmod: string;
  /** Host folders searched for required modules (ufs.kmod for ffs). */
  readonly modulePath: string[];
  /** Why this target, for the report. */
  readonly reason: string;
}

export function chooseTarget(makefs: boolean): Target {
  const ffs = process.env.RUMP_BENCH_FFS_KMOD;
  if (ffs) {
    if (!existsSync(ffs)) throw new Error(`RUMP_BENCH_FFS_KMOD=${ffs}: no such file`);
    const dir = dirname(resolve(ffs));
    if (!existsSync(join(dir, 'ufs.kmod')))
      throw new Error(`RUMP_BENCH_FFS_KMOD=${ffs}: ffs needs ufs.kmod next to it (${dir})`);
    if (makefs)
      return {
        fs: 'ffs',
        kmod: resolve(ffs),
        modulePath: [dir],
        reason: `ffs.kmod from ${dir}, FFSv2 image by makefs`,
      };
    return {
      fs: 'tinyfs',
      kmod: TINYFS_KMOD,
      modulePath: [],
      reason: 'RUMP_BENCH_FFS_KMOD is set but makefs is not installed: tinyfs fallback',
    };
  }
  return {
    fs: 'tinyfs',
    kmod: TINYFS_KMOD,
    modulePath: [],
    reason:
      'RUMP_BENCH_FFS_KMOD not set: the example module tinyfs (set it to NetBSD ffs.kmod for the real comparison)',
  };
}
