/**
 * The `rump` command's V8 code cache: the bytecode of the command bundle (dist/rump-command.cjs),
 * kept in the per-user cache folder so that a start deserializes it instead of parsing and
 * compiling ~800 kB of JavaScript again. Only compilation is cached; every run does its work
 * from scratch.
 *
 * The bundle is compiled by node:vm's Script with `cachedData` (Node 20 has no
 * module.enableCompileCache, and vm.SourceTextModule needs a flag, hence a CommonJS bundle).
 * The cache is written when the process exits, so the functions V8 compiled lazily while the
 * command ran are in it too — most of the bundle is such functions.
 *
 *   <cache>/compile-cache/<bundle hash>-<node version>-<arch>-<flags hash>/rump-command.v8
 *
 * where <cache> is fetch-modules' folder ($RUMP_CACHE_DIR, else $XDG_CACHE_HOME/rump, else
 * ~/.cache/rump). The folder name changes with the bundle's content, the Node version and the
 * V8 flags, so a new bundle or a new Node never reads an old cache. The file is:
 *
 *   "RUMPV8C1" | crc32 of the rest (u32 LE) | length of the list (u32 LE) |
 *   the commands it has run, comma-separated | V8's cached data
 *
 * A file that is not that (garbage, cut short), or that V8 rejects, is ignored and rewritten.
 * A cache made by one command holds the functions that command ran: when another command runs
 * on it, the cache is rewritten at its exit with both (what V8 deserialized plus what it
 * compiled), so it grows to cover the commands in use and then stays as it is. Folders of other
 * bundles or Nodes unused for a week go when a cache is written. Written to a
 * temporary file and renamed into place; when that fails (read-only home, no HOME) nothing is
 * written and the command runs as it would without a cache.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';
import type { Env } from '../cli/command.js';
import { cacheRoot } from '../fetch/cache.js';

/** The file's first bytes; the digit changes with the layout. */
const MAGIC = 'RUMPV8C1';
const HEADER_BYTES = 16;
/** The cache file's name in its folder. */
export const CACHE_FILE = 'rump-command.v8';

/** zlib.crc32 came in Node 20.15; without it there is no cache (no cheap checksum). */
const crc32: ((data: Uint8Array) => number) | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32
    : undefined;

/** RUMP_NO_COMPILE_CACHE=1 (any value but empty and 0) turns the cache off. */
export function compileCacheDisabled(env: Env): boolean {
  const v = env.RUMP_NO_COMPILE_CACHE;
  return v !== undefined && v !== '' && v !== '0';
}

/** FNV-1a, 32 bits, as 8 hex digits: names a set of flags in a folder name. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The V8 flags this process may run with: Node's own options (`node --max-old-space-size=…`)
 * and NODE_OPTIONS. V8 rejects a cache made under other flags; a folder of their own keeps two
 * flag sets from rewriting each other's cache.
 */
export function flagsHash(execArgv: readonly string[], env: Env): string {
  return fnv1a(`${execArgv.join('\0')}\0\0${env.NODE_OPTIONS ?? ''}`);
}

/** The cache folder for this bundle under this Node, or undefined (no cache folder, or off). */
export function compileCacheDir(
  env: Env,
  bundleHash: string,
  node: { version: string; arch: string; execArgv: readonly string[] } = process,
): string | undefined {
  if (compileCacheDisabled(env) || crc32 === undefined) return undefined;
  const root = cacheRoot(env);
  if (root === undefined) return undefined;
  return join(
    root,
    'compile-cache',
    `${bundleHash}-node${node.version.replace(/^v/, '')}-${node.arch}-${flagsHash(node.execArgv, env)}`,
  );
}

export interface CacheContents {
  /** The commands whose runs made it (see the header comment). */
  readonly commands: readonly string[];
  /** V8's cached data. */
  readonly data: Uint8Array;
}

/** The file's bytes for `contents`. */
export function encodeCache(contents: CacheContents): Buffer {
  if (crc32 === undefined) throw new Error('encodeCache: this Node has no zlib.crc32');
  const list = Buffer.from(contents.commands.join(','), 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + list.length + contents.data.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(list.length, 12);
  list.copy(out, HEADER_BYTES);
  out.set(contents.data, HEADER_BYTES + list.length);
  out.writeUInt32LE(crc32(out.subarray(12)), 8);
  return out;
}

/** The contents of a cache file, or undefined when it is not one (or is damaged). */
export function decodeCache(bytes: Buffer): CacheContents | undefined {
  if (crc32 === undefined || bytes.length < HEADER_BYTES) return undefined;
  if (bytes.toString('latin1', 0, 8) !== MAGIC) return undefined;
  if (crc32(bytes.subarray(12)) !== bytes.readUInt32LE(8)) return undefined;
  const listLength = bytes.readUInt32LE(12);
  if (HEADER_BYTES + listLength > bytes.length) return undefined;
  const list = bytes.toString('utf8', HEADER_BYTES, HEADER_BYTES + listLength);
  return {
    commands: list === '' ? [] : list.split(','),
    data: bytes.subarray(HEADER_BYTES + listLength),
  };
}

/**
 * Writes `bytes` to `file` so that a reader sees the old file or the new one, never a part:
 * a temporary file in the same folder, renamed over it. Throws when it cannot (the temporary
 * file is removed).
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** A cache folder unused this long is removed when a new cache is written beside it. */
export const UNUSED_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * Removes the cache folders beside `keep` (other bundles, other Nodes) whose cache has not been
 * used for UNUSED_DAYS: their file's modification time, which a run that uses a cache moves
 * forward once a day (markUsed). Two rump versions in use at once both keep their folders.
 */
export function pruneUnused(keep: string, now: number = Date.now()): string[] {
  const parent = dirname(keep);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(parent, name);
    if (dir === keep) continue;
    try {
      if (now - statSync(join(dir, CACHE_FILE)).mtimeMs < UNUSED_DAYS * DAY_MS) continue;
    } catch {
      // No cache file in it (a write that never finished): as old as the folder.
      try {
        if (now - statSync(dir).mtimeMs < UNUSED_DAYS * DAY_MS) continue;
      } catch {
        continue;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** Marks a cache as used today (at most one utimes a day), for pruneUnused. */
function markUsed(file: string, now: number = Date.now()): void {
  try {
    if (now - statSync(file).mtimeMs > DAY_MS) utimesSync(file, now / 1000, now / 1000);
  } catch {
    // A read-only cache is used all the same.
  }
}

/**
 * The cache file, if this user owns it and nobody else may write it. V8 runs the bytecode in a
 * cache as it is, so a file someone else could have written (another user's, say root running
 * `sudo rump` with the user's HOME, or one in a shared folder) is never used; it is rewritten.
 */
function readOwnFile(file: string): Buffer | 'absent' | 'foreign' {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 'absent';
  }
  try {
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0)
      return 'foreign';
    return readFileSync(fd);
  } catch {
    return 'absent';
  } finally {
    closeSync(fd);
  }
}

/** What happened to the cache in one run (the debug line says it). */
export type CacheState =
  | 'off' // RUMP_NO_COMPILE_CACHE, or no cache folder, or no zlib.crc32
  | 'absent' // no file yet
  | 'foreign' // a file another user owns, or others may write: never run (see readOwnFile)
  | 'damaged' // a file that is not a cache, or fails its checksum
  | 'rejected' // V8 refused the data (script.cachedDataRejected)
  | 'accepted'; // V8 used the data

export interface RunBundleOptions {
  /** Absolute path of the CommonJS bundle. */
  readonly bundle: string;
  /** Its content hash (made at build time). */
  readonly bundleHash: string;
  /** The command this run is, for the cache's list: a name without commas. */
  readonly command: string;
  readonly env: Env;
  /** Receives the debug lines (RUMP_DEBUG_COMPILE_CACHE). */
  readonly debug?: (line: string) => void;
}

/** The CommonJS wrapper, as Node's loader puts around a module; kept on the bundle's first line. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_TAIL = '\n})';

/**
 * Compiles the bundle through node:vm — from the cache when there is a good one — and runs it as
 * Node runs a CommonJS module. Returns what happened to the cache; when it has to be written,
 * that happens at process exit.
 */
export function runBundle(options: RunBundleOptions): CacheState {
  const { bundle, debug } = options;
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true) {
    // node --enable-source-maps maps the stacks of what its module loader loads, not those of a
    // vm.Script: the bundle is loaded as a plain CommonJS module, without the cache.
    debug?.('(none): off (--enable-source-maps)');
    createRequire(bundle)(bundle);
    return 'off';
  }
  const source = readFileSync(bundle, 'utf8');
  const dir = compileCacheDir(options.env, options.bundleHash);
  const file = dir === undefined ? undefined : join(dir, CACHE_FILE);
  let contents: CacheContents | undefined;
  let state: CacheState = 'off';
  if (file !== undefined) {
    const bytes = readOwnFile(file);
    if (bytes === 'absent' || bytes === 'foreign') state = bytes;
    else {
      contents = decodeCache(bytes);
      state = contents === undefined ? 'damaged' : 'accepted';
    }
  }
  const script = new Script(`${WRAPPER_HEAD}${source}${WRAPPER_TAIL}`, {
    filename: bundle,
    ...(contents === undefined ? {} : { cachedData: contents.data }),
  });
  if (contents !== undefined && script.cachedDataRejected === true) state = 'rejected';
  debug?.(
    `${file ?? '(none)'}: ${state}${contents === undefined ? '' : ` (cachedDataRejected=${script.cachedDataRejected === true})`}`,
  );
  if (file !== undefined) {
    if (state === 'accepted') markUsed(file);
    const known = state === 'accepted' ? (contents?.commands ?? []) : [];
    if (state !== 'accepted' || !known.includes(options.command)) {
      const commands = [...known, options.command];
      // At exit, so that the functions compiled while the command ran are in it.
      process.once('exit', () => saveCache(file, script, commands, debug));
    }
  }
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {}, filename: bundle, id: '.', loaded: false };
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return state;
}

function saveCache(
  file: string,
  script: Script,
  commands: readonly string[],
  debug: ((line: string) => void) | undefined,
): void {
  try {
    const bytes = encodeCache({ commands, data: script.createCachedData() });
    writeFileAtomic(file, bytes);
    debug?.(`${file}: written (${bytes.length} bytes, commands ${commands.join(',') || '(none)'})`);
  } catch (e) {
    // An unwritable cache folder: the command ran all the same.
    debug?.(`${file}: not written (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  try {
    for (const dir of pruneUnused(dirname(file))) debug?.(`${dir}: removed (unused)`);
  } catch {
    // Another user's folder, say: left as it is.
  }
}
