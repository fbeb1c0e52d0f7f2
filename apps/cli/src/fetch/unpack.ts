/**
 * Unpacking a release set into a folder, and nothing outside it: only regular files and
 * directories are written (links, devices and fifos are counted and skipped), and a name that is
 * absolute or has a `..` component refuses the whole archive before anything is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { readTar, type TarEntry } from './tar.js';

export interface UnpackResult {
  readonly files: number;
  readonly directories: number;
  /** Bytes written into files. */
  readonly bytes: number;
  /** Entries that are neither files nor directories, by name: not written. */
  readonly skipped: readonly string[];
  /** The unpacked files' names relative to the folder (`stand/amd64/10.1/modules/ffs/ffs.kmod`). */
  readonly names: readonly string[];
}

/** An archive entry this unpacker refuses to write: the name and why. */
export class UnsafeEntryError extends Error {
  override name = 'UnsafeEntryError';
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`refusing archive entry '${entry}': ${reason}`);
  }
}

/**
 * The components of an entry name inside the destination (`./stand/amd64` → stand, amd64), or
 * an UnsafeEntryError for names that could leave it.
 */
export function safeComponents(name: string): string[] {
  if (name.startsWith('/')) throw new UnsafeEntryError(name, 'absolute path');
  if (/^[A-Za-z]:/.test(name) || name.includes('\\'))
    throw new UnsafeEntryError(name, 'drive letter or backslash in a path');
  if (name.includes('\0')) throw new UnsafeEntryError(name, 'NUL in a path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeEntryError(name, "'..' in a path");
  return parts;
}

/** Unpacks tar `archive` into the existing folder `dest`. */
export function unpackTar(archive: Uint8Array, dest: string): UnpackResult {
  const root = resolve(dest);
  // Check every name first: a refused archive leaves nothing behind, even partly.
  const entries: Array<{ entry: TarEntry; parts: string[] }> = [];
  for (const entry of readTar(archive)) {
    const parts = safeComponents(entry.name);
    entries.push({ entry, parts });
  }
  let directories = 0;
  let bytes = 0;
  const skipped: string[] = [];
  const names: string[] = [];
  const made = new Set<string>();
  const written = new Set<string>();
  const mkdirs = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    made.add(dir);
  };
  for (const { entry, parts } of entries) {
    if (entry.type !== 'file' && entry.type !== 'directory') {
      skipped.push(entry.name);
      continue;
    }
    if (parts.length === 0) {
      if (entry.type === 'directory') continue; // `./` itself
      throw new UnsafeEntryError(entry.name, 'a file without a name');
    }
    const target = join(root, ...parts);
    // Belt and braces: the joined path must stay below the destination.
    if (!target.startsWith(root + sep)) throw new UnsafeEntryError(entry.name, 'outside the cache');
    if (entry.type === 'directory') {
      mkdirs(target);
      directories++;
      continue;
    }
    mkdirs(join(root, ...parts.slice(0, -1)));
    // Nothing but files and directories is ever created here, so a later entry of the same
    // name (tar's rule: the last one wins) can only replace a file this unpacker wrote.
    writeFileSync(target, entry.data, { mode: entry.mode & 0o111 ? 0o755 : 0o644 });
    bytes += entry.size;
    const rel = parts.join('/');
    if (!written.has(rel)) {
      written.add(rel);
      names.push(rel);
    }
  }
  return { files: names.length, directories, bytes, skipped, names };
}
