/**
 * VFS benchmarks (vfs-core): name lookup (stat of a deep path), directory listing, open/close,
 * and a whole-tree walk reading every file — on tinyfs.kmod always, and on the real ffs.kmod
 * with /work/netbsd/images/ffs1.img when RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH are set.
 *
 *   pnpm exec tsx --conditions=@rump/source bench/vfs.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { mkfsTinyfs, type TinyfsEntrySpec } from '@rump/tinyfs';
import { createKernel, type Kernel } from '../src/index.js';

const kmodDir = join(import.meta.dirname, '..', '..', '..', 'tools', 'test-modules', 'kmod');
const MNT_RDONLY = 1;

function time(label: string, n: number, fn: () => void): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ms = (performance.now() - t0) / n;
  console.log(`${label.padEnd(48)} ${ms.toFixed(3).padStart(9)} ms/op  (${n} ops)`);
}

function walk(k: Kernel, dir: string): number {
  let bytes = 0;
  for (const e of k.vfs.readdir(dir)) {
    if (e.name === '.' || e.name === '..') continue;
    const p = `${dir}/${e.name}`;
    if (e.type === 4) bytes += walk(k, p);
    else if (e.type === 8) bytes += k.vfs.readFile(p).length;
  }
  return bytes;
}

function treeWalk(label: string, k: Kernel): void {
  const t0 = performance.now();
  const bytes = walk(k, '/mnt');
  const ms = performance.now() - t0;
  console.log(
    `${label.padEnd(48)} ${ms.toFixed(1).padStart(9)} ms     ${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(2)} MiB/s (${bytes} bytes)`,
  );
}

// tinyfs: a tree of 8 directories × 16 files of 16 KiB, plus a deep path.
{
  const dirs: Record<string, TinyfsEntrySpec> = {};
  for (let d = 0; d < 8; d++) {
    const files: Record<string, TinyfsEntrySpec> = {};
    for (let f = 0; f < 16; f++)
      files[`f${f}`] = { type: 'file', content: new Uint8Array(16384).fill(d + f) };
    dirs[`d${d}`] = { type: 'dir', entries: files };
  }
  dirs.a = {
    type: 'dir',
    entries: {
      b: {
        type: 'dir',
        entries: { c: { type: 'dir', entries: { leaf: { type: 'file', content: 'x' } } } },
      },
    },
  };
  const host = new MemoryHost();
  host.addFile('/host/tinyfs.kmod', readFileSync(join(kmodDir, 'tinyfs.kmod')));
  host.addFile('/host/tiny.img', mkfsTinyfs({ entries: dirs }));
  const k = createKernel({ host });
  k.etfs.register('/tinyfs.kmod', '/host/tinyfs.kmod', 'REG');
  k.etfs.register('/tiny.img', '/host/tiny.img', 'BLK');
  k.modctl('load', { filename: '/tinyfs.kmod' });
  k.vfs.mkdir('/mnt');
  k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', MNT_RDONLY);
  treeWalk('tinyfs: walk + read every file (cold)', k);
  treeWalk('tinyfs: walk + read every file (warm)', k);
  time('tinyfs: stat /mnt/a/b/c/leaf', 2000, () => k.vfs.stat('/mnt/a/b/c/leaf'));
  time('tinyfs: readdir of 16 entries', 1000, () => k.vfs.readdir('/mnt/d0'));
  time('tinyfs: open + close', 2000, () => k.vfs.close(k.vfs.open('/mnt/d1/f1', 0)));
  time('rootfs: stat /mnt', 5000, () => k.vfs.stat('/mnt'));
}

const FFS = process.env.RUMP_TEST_FFS_KMOD;
const MODPATH = process.env.RUMP_TEST_MODULE_PATH;
const IMG = '/work/netbsd/images/ffs1.img';
if (FFS && MODPATH && existsSync(IMG)) {
  const host = new MemoryHost();
  host.addFile('/modules/ufs.kmod', readFileSync(join(MODPATH, 'ufs.kmod')));
  host.addFile('/host/ffs.kmod', readFileSync(FFS));
  host.addFile('/host/ffs.img', new Uint8Array(readFileSync(IMG)));
  const k = createKernel({ host, modulePath: ['/modules'] });
  k.etfs.register('/ffs.kmod', '/host/ffs.kmod', 'REG');
  k.etfs.register('/ffs.img', '/host/ffs.img', 'BLK');
  k.modctl('load', { filename: '/ffs.kmod' });
  k.vfs.mkdir('/mnt');
  k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', MNT_RDONLY);
  treeWalk('ffs.kmod ffs1.img: walk + read every file (cold)', k);
  treeWalk('ffs.kmod ffs1.img: walk + read every file (warm)', k);
  time('ffs.kmod: stat /mnt/deep/a/b/c/d/e/leaf.txt', 1000, () =>
    k.vfs.stat('/mnt/deep/a/b/c/d/e/leaf.txt'),
  );
} else {
  console.log(
    'ffs.kmod benchmarks skipped (needs RUMP_TEST_FFS_KMOD, RUMP_TEST_MODULE_PATH and /work/netbsd/images/ffs1.img)',
  );
}
