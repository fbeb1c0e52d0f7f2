/**
 * Fetching a NetBSD release's kernel-module set into the cache: read the release's SHA512 list,
 * pick the set it names (modules.tar.xz from NetBSD 10 on, modules.tgz before), download it
 * into a work folder inside the cache, check its SHA-512, unpack it there, and rename the
 * finished tree into place. Any failure removes the work folder: a set is in the cache
 * completely, with its fetch.json, or not at all.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  FETCH_RECORD,
  type FetchRecord,
  readFetchRecord,
  releaseDir,
  setModuleDirs,
} from './cache.js';
import { decompressFile } from './decompress.js';
import { downloadFile, fetchText, type ProgressListener } from './http.js';
import { checkArch, checkRelease, FetchModulesError } from './release-names.js';
import { parseSha512List, pickModuleSet } from './sha512-list.js';
import { unpackTar } from './unpack.js';

export {
  checkArch,
  checkRelease,
  DEFAULT_ARCH,
  DEFAULT_MIRROR,
  DEFAULT_RELEASE,
  FetchModulesError,
} from './release-names.js';

export interface FetchModulesOptions {
  readonly release: string;
  readonly arch: string;
  /** The folder holding NetBSD-<release>/ (default DEFAULT_MIRROR). */
  readonly mirror: string;
  /** The cache folder (cacheRoot(env)). */
  readonly cache: string;
  /** Fetch again even when the set is already in the cache. */
  readonly force?: boolean;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface FetchModulesResult {
  readonly release: string;
  readonly arch: string;
  /** `modules.tar.xz` or `modules.tgz`. */
  readonly set: string;
  readonly url: string;
  readonly sha512: string;
  /** `<cache>/modules/<release>/<arch>`. */
  readonly path: string;
  /** The folders the module path gains: `<path>/stand/<arch>/<version>/modules`. */
  readonly moduleDirs: readonly string[];
  readonly files: number;
  /** Whether the set was in the cache already (nothing was downloaded). */
  readonly alreadyCached: boolean;
  /** Download size (0 when already cached). */
  readonly downloaded: number;
  /** Bytes unpacked into files (0 when already cached). */
  readonly unpackedBytes: number;
  /** Archive entries that were neither files nor directories, so not written. */
  readonly skipped: readonly string[];
}

/** `<mirror>/NetBSD-<release>/<arch>/binary/sets/`, NetBSD's release tree layout. */
export function setsUrl(mirror: string, release: string, arch: string): string {
  let base: URL;
  try {
    base = new URL(mirror.endsWith('/') ? mirror : `${mirror}/`);
  } catch {
    throw new FetchModulesError(`'${mirror}' is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new FetchModulesError(`'${mirror}' is not an http or https URL`);
  return new URL(`NetBSD-${release}/${arch}/binary/sets/`, base).href;
}

/** Work folders are `.fetch-<pid>-…`; those of processes that are gone are removed. */
function removeStaleWork(modules: string): void {
  let names: string[];
  try {
    names = readdirSync(modules);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.fetch-([0-9]+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // still running (or not ours to signal): leave it
    } catch (e) {
      if ((e as { code?: string }).code !== 'ESRCH') continue;
    }
    rmSync(join(modules, name), { recursive: true, force: true });
  }
}

function head(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = new Uint8Array(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function shortHash(hex: string): string {
  return `${hex.slice(0, 16)}…`;
}

/** Fetches (or finds in the cache) the module set of `release` for `arch`. */
export async function fetchModules(o: FetchModulesOptions): Promise<FetchModulesResult> {
  checkRelease(o.release);
  checkArch(o.arch);
  const base = setsUrl(o.mirror, o.release, o.arch);
  const dest = releaseDir(o.cache, o.release, o.arch);
  const cached = readFetchRecord(dest);
  if (cached && !o.force)
    return {
      release: o.release,
      arch: o.arch,
      set: cached.set,
      url: cached.url,
      sha512: cached.sha512,
      path: dest,
      moduleDirs: setModuleDirs(dest, o.arch),
      files: cached.files,
      alreadyCached: true,
      downloaded: 0,
      unpackedBytes: 0,
      skipped: [],
    };

  const listUrl = `${base}SHA512`;
  let sums: Map<string, string>;
  try {
    sums = parseSha512List(await fetchText(listUrl, o.signal));
  } catch (e) {
    throw new FetchModulesError((e as Error).message, listUrl, { cause: e });
  }
  const pick = pickModuleSet(sums);
  if (!pick)
    throw new FetchModulesError(
      'no checksum line for modules.tar.xz or modules.tgz: nothing to verify a download against',
      listUrl,
    );
  const url = `${base}${pick.set}`;

  const modules = join(o.cache, 'modules');
  mkdirSync(modules, { recursive: true });
  removeStaleWork(modules);
  const work = mkdtempSync(join(modules, `.fetch-${process.pid}-`));
  try {
    const archive = join(work, pick.set);
    let got: { bytes: number; sha512: string };
    try {
      got = await downloadFile(url, archive, o.onProgress, o.signal);
    } catch (e) {
      throw new FetchModulesError((e as Error).message, url, { cause: e });
    }
    if (got.sha512 !== pick.sha512)
      throw new FetchModulesError(
        `SHA512 mismatch: the release lists ${shortHash(pick.sha512)}, the download is ${shortHash(got.sha512)}; nothing was kept`,
        url,
      );
    let tar: Uint8Array;
    try {
      tar = await decompressFile(archive, head(archive, 8));
    } catch (e) {
      throw new FetchModulesError(`cannot decompress: ${(e as Error).message}`, pick.set, {
        cause: e,
      });
    }
    rmSync(archive);
    const tree = join(work, 'tree');
    mkdirSync(tree);
    let unpacked: ReturnType<typeof unpackTar>;
    try {
      unpacked = unpackTar(tar, tree);
    } catch (e) {
      throw new FetchModulesError(`${(e as Error).message}; nothing was kept`, pick.set, {
        cause: e,
      });
    }
    const found = setModuleDirs(tree, o.arch);
    if (found.length === 0)
      throw new FetchModulesError(
        `holds no stand/${o.arch}/<version>/modules folder: not a ${o.arch} module set`,
        pick.set,
      );
    const record: FetchRecord = {
      release: o.release,
      arch: o.arch,
      set: pick.set,
      url,
      sha512: got.sha512,
      files: unpacked.files,
      fetched: new Date().toISOString(),
    };
    writeFileSync(join(tree, FETCH_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    // Into place: the old copy (with --force) moves aside first, and goes with the work folder.
    mkdirSync(dirname(dest), { recursive: true });
    if (existsSync(dest)) renameSync(dest, join(work, 'old'));
    renameSync(tree, dest);
    return {
      release: o.release,
      arch: o.arch,
      set: pick.set,
      url,
      sha512: got.sha512,
      path: dest,
      moduleDirs: setModuleDirs(dest, o.arch),
      files: unpacked.files,
      alreadyCached: false,
      downloaded: got.bytes,
      unpackedBytes: unpacked.bytes,
      skipped: unpacked.skipped,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
