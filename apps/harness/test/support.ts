import { existsSync } from 'node:fs';
import { ffsProfilesFromEnv } from '../src/profiles/ffs.js';

/** The real ffs profiles (FFSv1, FFSv2) when RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH are set. */
export const FFS_PROFILES = ffsProfilesFromEnv();
export const HAVE_FFS = FFS_PROFILES.length > 0;
export const NEED_FFS = '(needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH with ufs.kmod)';
export const HAVE_MAKEFS = ['/usr/sbin/makefs', '/usr/bin/makefs'].some((p) => existsSync(p));
