/**
 * NetBSD's FFS with the real ffs.kmod (and ufs.kmod, which it requires), from a NetBSD build:
 * never part of this repository. Images come from makefs when it is installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffsIsClean, ffsMetadataRegions } from '../images/ffs-image.js';
import { findMakefs, makefsFfs } from '../images/makefs.js';
import type { FsProfile, ModuleFile } from '../profile.js';

export interface FfsProfileOptions {
  /** ffs.kmod */
  readonly ffsKmod: string;
  /** Folder holding ufs.kmod (`<dir>/ufs.kmod` or `<dir>/ufs/ufs.kmod`). */
  readonly modulePath: string;
  /** UFS1 or UFS2 images (default 2). */
  readonly version?: 1 | 2;
}

/** A required module from a NetBSD-style module folder. */
export function findModuleFile(dir: string, name: string): ModuleFile | undefined {
  for (const p of [join(dir, `${name}.kmod`), join(dir, name, `${name}.kmod`)])
    if (existsSync(p)) return { name, bytes: new Uint8Array(readFileSync(p)) };
  return undefined;
}

/** The ffs profile, or undefined when the files are not there. */
export function ffsProfile(options: FfsProfileOptions): FsProfile {
  const version = options.version ?? 2;
  const ufs = findModuleFile(options.modulePath, 'ufs');
  if (!ufs) throw new Error(`ufs.kmod not found in ${options.modulePath}`);
  const makefs = findMakefs();
  return {
    name: `ffs${version}`,
    fstype: 'ffs',
    modules: [{ name: 'ffs', bytes: new Uint8Array(readFileSync(options.ffsKmod)) }],
    modulePath: [ufs],
    // NetBSD: FFS_MAXNAMLEN 255, MAXPATHLEN 1024 for link targets; files up to fs_maxfilesize.
    limits: { nameMax: 255, maxFileSize: 2 ** 40, symlinkMax: 1023 },
    ...(makefs ? {} : { imageMakerMissing: 'makefs is not installed (Debian package makefs)' }),
    makeImage: (spec) => makefsFfs(spec, version),
    isClean: ffsIsClean,
    metadataRegions: ffsMetadataRegions,
  };
}

/** The ffs profiles from RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH, when both are set. */
export function ffsProfilesFromEnv(env: NodeJS.ProcessEnv = process.env): FsProfile[] {
  const ffsKmod = env.RUMP_TEST_FFS_KMOD;
  const modulePath = env.RUMP_TEST_MODULE_PATH;
  if (!ffsKmod || !modulePath || !existsSync(ffsKmod)) return [];
  if (!findModuleFile(modulePath, 'ufs')) return [];
  return [1, 2].map((v) => ffsProfile({ ffsKmod, modulePath, version: v as 1 | 2 }));
}
