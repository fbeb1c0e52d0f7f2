/**
 * The images committed in apps/harness/fixtures (gzip-compressed) and their expected trees,
 * recorded as hashes in fixtures/manifests.json (written by scripts/record-fixtures.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIXTURES_DIR } from '../paths.js';
import type { TreeManifest } from './manifest.js';
import type { TreeEntries } from './tree.js';

export interface FixtureInfo {
  /** File name in fixtures/ without `.gz`. */
  readonly name: string;
  /** The profile family that mounts it. */
  readonly fs: 'tinyfs' | 'ffs';
  readonly description: string;
}

export const FIXTURES: readonly FixtureInfo[] = [
  {
    name: 'tinyfs-classic.img',
    fs: 'tinyfs',
    description: 'tinyfs, the classic tree plus a few more entries',
  },
  { name: 'tiny-ffs1.img', fs: 'ffs', description: 'makefs FFSv1, 1 MiB, a_directory/README' },
  { name: 'tiny-ffs2.img', fs: 'ffs', description: 'makefs FFSv2, 1 MiB, a_directory/README' },
];

export interface FixtureManifest {
  /** sha256 of the uncompressed image. */
  readonly sha256: string;
  readonly tree: TreeManifest;
}

/** The uncompressed bytes of a committed fixture. */
export function loadFixture(name: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(FIXTURES_DIR, `${name}.gz`))));
}

export function fixtureManifests(): Record<string, FixtureManifest> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'manifests.json'), 'utf8'));
}

/** The README text of the classic tree (tinyfs fixture). */
export const CLASSIC_README_TEXT =
  'This is the README of a tinyfs image.\nRead me through rump_sys_read, then replace me.\n';

/** The tree of tinyfs-classic.img (and of classic images made at run time). */
export const CLASSIC_TREE: TreeEntries = {
  a_directory: {
    type: 'dir',
    entries: { README: { type: 'file', content: CLASSIC_README_TEXT } },
  },
  docs: {
    type: 'dir',
    entries: {
      nested: { type: 'dir', entries: { 'deep.txt': { type: 'file', content: 'deep\n' } } },
      'empty.txt': { type: 'file', content: '' },
    },
  },
  'readme.link': { type: 'symlink', target: 'a_directory/README' },
};
