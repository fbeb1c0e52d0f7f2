/**
 * The per-user cache `rump fetch-modules` fills and the module path reads:
 *   $RUMP_CACHE_DIR, else $XDG_CACHE_HOME/rump, else $HOME/.cache/rump;
 *   <cache>/modules/<release>/<arch>/ holds a release's module set as NetBSD ships it
 *   (stand/<arch>/<kernel version>/modules/<name>/<name>.kmod) and fetch.json (where it came
 *   from, its SHA512). Only the environment decides where the cache is, so tests and scripts
 *   can move it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Env } from '../cli/command.js';

/** The architecture whose modules this rump kernel runs (its emulator is x86-64). */
export const MODULE_ARCH = 'amd64';

/** What fetch-modules records next to an unpacked set. */
export const FETCH_RECORD = 'fetch.json';

export interface FetchRecord {
  readonly release: string;
  readonly arch: string;
  readonly set: string;
  readonly url: string;
  readonly sha512: string;
  readonly files: number;
  readonly fetched: string;
}

/** The cache folder, or undefined when the environment names none (no HOME either). */
export function cacheRoot(env: Env): string | undefined {
  if (env.RUMP_CACHE_DIR) return env.RUMP_CACHE_DIR;
  // The XDG base-directory spec ignores relative values.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'rump');
  if (env.HOME) return join(env.HOME, '.cache', 'rump');
  return undefined;
}

/** `<cache>/modules/<release>/<arch>`: where one release's set is unpacked. */
export function releaseDir(root: string, release: string, arch: string): string {
  return join(root, 'modules', release, arch);
}

/** NetBSD release names: 9.4, 10.1, 10.0_RC1, 10.99.12. */
export function compareReleases(a: string, b: string): number {
  const pa = a.split(/[._]/);
  const pb = b.split(/[._]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return y !== undefined && /^RC|^BETA/i.test(y) ? 1 : -1;
    if (y === undefined) return /^RC|^BETA/i.test(x) ? -1 : 1;
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isInteger(nx) && Number.isInteger(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The modules folders of one unpacked set: `stand/<arch>/<version>/modules`, newest first. */
export function setModuleDirs(dir: string, arch: string): string[] {
  const stand = join(dir, 'stand', arch);
  return subdirs(stand)
    .sort((a, b) => compareReleases(b, a))
    .map((v) => join(stand, v, 'modules'))
    .filter(isDir);
}

/**
 * The module folders of every set in the cache for `arch`, newest release first (an empty list
 * when there is no cache). Only sets fetch-modules finished are there: it renames a set into
 * place when it is complete.
 */
export function cachedModuleDirs(env: Env, arch: string = MODULE_ARCH): string[] {
  const root = cacheRoot(env);
  if (root === undefined) return [];
  const modules = join(root, 'modules');
  return subdirs(modules)
    .sort((a, b) => compareReleases(b, a))
    .flatMap((release) => setModuleDirs(join(modules, release, arch), arch));
}

/** The record of a set in the cache, if one was fetched. */
export function readFetchRecord(dir: string): FetchRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, FETCH_RECORD), 'utf8')) as FetchRecord;
  } catch {
    return undefined;
  }
}
