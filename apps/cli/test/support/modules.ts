/**
 * Where the tests find kernel modules: the project's own test modules (committed under
 * tools/test-modules/kmod, so every run has tinyfs.kmod), and NetBSD's real ones, which a fresh
 * machine lacks and which are never committed: RUMP_TEST_FFS_KMOD (ffs.kmod) and
 * RUMP_TEST_MODULE_PATH (a folder with ufs.kmod). Tests that need those skip with NEEDS_NETBSD_FFS.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tools/test-modules/kmod: NAME.kmod for every test module (tinyfs, link_requires_a, ...). */
export const TEST_MODULES = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../tools/test-modules/kmod',
);
export const TINYFS_KMOD = join(TEST_MODULES, 'tinyfs.kmod');

/** NetBSD's ffs.kmod, when given. */
export const NETBSD_FFS_KMOD = process.env.RUMP_TEST_FFS_KMOD;
/** A folder with the modules ffs.kmod requires (ufs.kmod), when given. */
export const NETBSD_MODULE_PATH = process.env.RUMP_TEST_MODULE_PATH;
/** For it.skipIf: false when either of the two is missing. */
export const HAS_NETBSD_FFS = Boolean(NETBSD_FFS_KMOD && NETBSD_MODULE_PATH);

/** Global options that mount with the project's tinyfs.kmod. */
export const TINYFS = ['-m', TINYFS_KMOD] as const;
/** Global options that mount with NetBSD's ffs.kmod and find ufs.kmod (only where HAS_NETBSD_FFS). */
export const netbsdFfs = (): string[] => [
  '-m',
  NETBSD_FFS_KMOD ?? '',
  '--module-path',
  NETBSD_MODULE_PATH ?? '',
];
