/**
 * I/O path benchmarks (vfs-io): the disk driver alone, buffer-cache hits, and file reads and
 * writes through tinyfs.kmod, the page cache and genfs (cold = pages read from the disk,
 * warm = pages already resident).
 *
 *   pnpm exec tsx --conditions=@rump/source bench/io.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { mkfsTinyfs } from '@rump/tinyfs';
import { mnt } from '../src/abi/netbsd-10.99/constants.js';
import { createKernel } from '../src/index.js';
import { ubc } from '../src/uvm/uvm_bio.js';
import { attachGenfsNode, blockVnode, patterned, rawBuf, sysUio } from '../test/support/io.js';

const kmodDir = join(import.meta.dirname, '..', '..', '..', 'tools', 'test-modules', 'kmod');

function rate(label: string, bytes: number, n: number, fn: () => void): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ms = (performance.now() - t0) / n;
  const mbs = bytes / 1024 / 1024 / (ms / 1000);
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(3).padStart(9)} ms/op ${mbs.toFixed(1).padStart(8)} MiB/s  (${n} ops)`,
  );
}

// The driver: 64 KiB reads straight from the host file.
{
  const host = new MemoryHost();
  host.addFile('/disk.img', patterned(16 << 20));
  const k = createKernel({ host });
  const d = k.io.rumpblk.attach('/disk.img');
  let blk = 0;
  rate('rumpblk strategy, 64 KiB reads', 65536, 2000, () => {
    const { bp, data } = rawBuf(k, { dev: d.dev, blkno: blk, bcount: 65536, read: true });
    k.io.rumpblk.strategy(bp);
    k.io.bufcache.putiobuf(bp);
    k.kmem.free(data, 65536);
    blk = (blk + 128) % ((16 << 20) / 512);
  });
  const vp = blockVnode(k, d.dev);
  const [, bp] = k.io.bufcache.bread(vp, 64, 8192, 0);
  k.io.bufcache.brelse(bp, 0);
  rate('bread + brelse, cache hit (8 KiB)', 8192, 100_000, () => {
    const [, b] = k.io.bufcache.bread(vp, 64, 8192, 0);
    k.io.bufcache.brelse(b, 0);
  });
}

// Streaming a 64 MiB device through a page cache held to 1024 pages (reclaim at work).
{
  const size = 64 << 20;
  const host = new MemoryHost();
  host.addFile('/disk.img', patterned(size));
  const k = createKernel({ host });
  const d = k.io.rumpblk.attach('/disk.img');
  const vp = blockVnode(k, d.dev);
  attachGenfsNode(k, vp);
  k.io.uvn.setsize(vp, BigInt(size));
  k.io.pages.maxResident = 1024;
  const chunk = 1 << 20;
  const buf = k.kmem.alloc(chunk, 1, true);
  rate('ubc_uiomove 64 MiB device, 4 MiB of pages', size, 2, () => {
    for (let off = 0; off < size; off += chunk) {
      const uio = sysUio(k, buf, chunk, off, false);
      k.io.ubc.uiomove(vp, uio, BigInt(chunk), 0, ubc.UBC_READ);
    }
  });
  console.log(
    `  pages reclaimed ${k.io.pages.stats.reclaimed}, resident ${k.io.pages.stats.resident}`,
  );
}

// Files through tinyfs.kmod and the page cache.
{
  const size = 4 << 20;
  const host = new MemoryHost();
  host.addFile('/m/tinyfs.kmod', readFileSync(join(kmodDir, 'tinyfs.kmod')));
  host.addFile(
    '/img/t.img',
    mkfsTinyfs({ entries: { big: { type: 'file', content: patterned(size) } }, spareBlocks: 2048 }),
  );
  const k = createKernel({ host });
  k.etfs.register('/tinyfs.kmod', '/m/tinyfs.kmod', 'REG');
  k.modctl('load', { filename: '/tinyfs.kmod' });
  k.etfs.register('/dev/tfs', '/img/t.img', 'BLK');
  k.vfs.mkdir('/mnt');
  const cold = () => {
    k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', mnt.MNT_RDONLY);
    k.vfs.readFile('/mnt/big');
    k.vfs.unmount('/mnt');
  };
  rate('tinyfs mount + cold read 4 MiB + unmount', size, 5, cold);
  k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', 0);
  rate('tinyfs warm read 4 MiB (resident pages)', size, 10, () => {
    k.vfs.readFile('/mnt/big');
  });
  const data = patterned(size).map((b) => b ^ 0x55);
  rate('tinyfs pwrite 4 MiB + fsync', size, 5, () => {
    const f = k.vfs.open('/mnt/big', 0x2);
    k.vfs.pwrite(f, data, 0);
    k.vfs.fsync(f);
    k.vfs.close(f);
  });
  k.vfs.unmount('/mnt');
}
