/** The committed fixtures of test/fixtures, and scratch folders removed when a test file ends. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

/** apps/cli/test/fixtures. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** The bytes of a gzipped fixture image (tiny-ffs1.img.gz, tiny-ffs2.img.gz: made by makefs). */
export function gunzipFixture(name: string): Buffer {
  return gunzipSync(readFileSync(join(FIXTURES, name)));
}

/** A new folder below the system's temporary folder, removed after the calling file's tests. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
