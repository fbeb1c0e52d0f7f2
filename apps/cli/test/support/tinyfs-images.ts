/** tinyfs images for the tests that run the real kernel with tools/test-modules' tinyfs.kmod. */
import { writeFileSync } from 'node:fs';
import { mkfsTinyfs, type TinyfsEntrySpec, type TinyfsMkfsOptions } from '@rump/tinyfs';

/** 2025-01-11 00:00 UTC: the time of the images the tests make, so that listings show a known date. */
export const IMAGE_TIME = 1736553600;

/** Writes a new tinyfs image to `path`, stamped IMAGE_TIME unless `options.time` is given. */
export function writeTinyfs(path: string, options: TinyfsMkfsOptions = {}): void {
  writeFileSync(path, mkfsTinyfs({ time: IMAGE_TIME, ...options }));
}

/** A tree of one file, /etc/motd. */
export function etcMotd(content: string): Readonly<Record<string, TinyfsEntrySpec>> {
  return { etc: { type: 'dir', entries: { motd: { type: 'file', content } } } };
}
