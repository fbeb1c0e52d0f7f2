/**
 * Images for the benchmark: an FFSv2 image of 128 MiB made by makefs (when installed) or a tinyfs
 * image made by the project's mkfs, holding the big file, `files/` with the small files and
 * `a_directory/README` for the classic scenario. Built once per workload into a cache folder
 * (RUMP_BENCH_DIR, default <tmp>/rump-bench); each run works on a fresh copy.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkfsTinyfs, type TinyfsEntrySpec } from '@rump/tinyfs';
import {
  bigFileContent,
  README_TEXT,
  smallFileContent,
  smallFileName,
  type Workload,
} from './workload.js';

export const FFS_IMAGE_BYTES = 128 * 2 ** 20;

export function benchDir(): string {
  const dir = process.env.RUMP_BENCH_DIR ?? join(tmpdir(), 'rump-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function haveMakefs(): boolean {
  try {
    execFileSync('makefs', [], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // makefs without arguments prints its usage and exits 1: present. ENOENT: absent.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Path of the pristine image for `w`, building it when missing. */
export function pristineImage(w: Workload): string {
  const name = `${w.fs}-r${w.readBytes}-w${w.writeBytes}-n${w.smallFiles}-c${w.createFiles}${w.fs === 'ffs' ? `-s${FFS_IMAGE_BYTES}` : ''}.img`;
  const path = join(benchDir(), name);
  if (existsSync(path)) return path;
  if (w.fs === 'ffs') makeFfsImage(w, path);
  else writeFileSync(path, makeTinyfsImage(w));
  return path;
}

function makeFfsImage(w: Workload, path: string): void {
  const src = join(benchDir(), `src-${process.pid}`);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(join(src, 'files'), { recursive: true });
  mkdirSync(join(src, 'a_directory'));
  writeFileSync(join(src, 'big'), bigFileContent(w.readBytes));
  for (let i = 0; i < w.smallFiles; i++)
    writeFileSync(join(src, 'files', smallFileName(i)), smallFileContent(i));
  writeFileSync(join(src, 'a_directory', 'README'), README_TEXT);
  // -f: inodes to spare for the create test (makefs sizes the inode table to the tree otherwise).
  // The issue's 128 MiB holds the full workload (64 + 32 MiB, 3000 small files) with room to spare.
  const size = FFS_IMAGE_BYTES;
  try {
    execFileSync(
      'makefs',
      [
        '-t',
        'ffs',
        '-o',
        'version=2',
        '-B',
        'le',
        '-s',
        String(size),
        '-f',
        String(w.createFiles + 256),
        path,
        src,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

function makeTinyfsImage(w: Workload): Uint8Array {
  const files: Record<string, TinyfsEntrySpec> = {};
  for (let i = 0; i < w.smallFiles; i++)
    files[smallFileName(i)] = { type: 'file', content: smallFileContent(i) };
  const blocks = Math.ceil((w.writeBytes + w.createFiles * 4096) / 4096) + 1024;
  return mkfsTinyfs({
    entries: {
      big: { type: 'file', content: bigFileContent(w.readBytes) },
      files: { type: 'dir', entries: files },
      a_directory: { type: 'dir', entries: { README: { type: 'file', content: README_TEXT } } },
    },
    spareBlocks: blocks,
    spareInodes: w.createFiles + 64,
  });
}

/**
 * A scratch copy of a pristine image, flushed to the disk: the copy's dirty pages belong to the
 * set-up, not to the first synchronous write of the measured kernel (mount marks the superblock
 * unclean, and one fsync would otherwise write back the whole 128 MiB copy).
 */
export function copyImage(pristine: string, scratch: string): void {
  copyFileSync(pristine, scratch);
  const fd = openSync(scratch, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
