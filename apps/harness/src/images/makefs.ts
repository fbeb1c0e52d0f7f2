/**
 * FFS images made at run time by `makefs` (Debian's port of NetBSD's makefs) when it is
 * installed: the tree is written to a temporary folder, makefs packs it into a UFS1 or UFS2
 * image with fixed timestamps (makefs still picks a random fs_id and inode generation numbers,
 * so two images of one spec hold the same tree, not the same bytes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSpec, TreeEntries } from './tree.js';

/** The timestamp makefs stamps on every inode (-T): 2025-01-11, as the committed fixtures. */
export const MAKEFS_TIME = 1736553600;

let found: string | null | undefined;

/** The makefs binary, or null when none is installed. */
export function findMakefs(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const p of ['/usr/sbin/makefs', '/usr/bin/makefs', '/usr/local/sbin/makefs']) {
    try {
      execFileSync(p, [], { stdio: 'ignore' });
      found = p;
    } catch (e) {
      // makefs without arguments prints usage and exits 1: it exists.
      if ((e as { status?: number }).status !== undefined) found = p;
    }
    if (found) break;
  }
  return found;
}

function writeTree(dir: string, entries: TreeEntries): void {
  for (const [name, e] of Object.entries(entries)) {
    const p = join(dir, name);
    if (e.type === 'dir') {
      mkdirSync(p, { mode: e.mode ?? 0o755 });
      writeTree(p, e.entries);
    } else if (e.type === 'file') writeFileSync(p, e.content, { mode: e.mode ?? 0o644 });
    else symlinkSync(e.target, p);
  }
}

/** An FFS image (version 1 or 2, little-endian) holding `spec.tree`. */
export function makefsFfs(spec: ImageSpec, version: 1 | 2): Uint8Array {
  const makefs = findMakefs();
  if (!makefs) throw new Error('makefs is not installed (Debian package makefs)');
  const tmp = mkdtempSync(join(tmpdir(), 'rump-harness-makefs-'));
  try {
    const root = join(tmp, 'root');
    mkdirSync(root);
    writeTree(root, spec.tree ?? {});
    const img = join(tmp, 'fs.img');
    const sizeK = Math.ceil(spec.sizeBytes / 1024);
    execFileSync(
      makefs,
      ['-t', 'ffs', '-B', 'le', '-o', `version=${version}`, '-s', `${sizeK}k`].concat([
        '-f',
        String(spec.inodes),
        '-T',
        String(MAKEFS_TIME),
        img,
        root,
      ]),
      { stdio: 'pipe' },
    );
    return new Uint8Array(readFileSync(img));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
