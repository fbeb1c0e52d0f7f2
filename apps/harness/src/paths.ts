/**
 * Where the harness finds files of its own repository: its committed fixtures and the project's
 * example module. The same relative paths work from src/ (tests, tsx) and from dist/ (the bundle).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/harness */
export const HARNESS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root. */
export const REPO_DIR = join(HARNESS_DIR, '../..');
export const FIXTURES_DIR = join(HARNESS_DIR, 'fixtures');
export const TINYFS_KMOD = join(REPO_DIR, 'tools/test-modules/kmod/tinyfs.kmod');
