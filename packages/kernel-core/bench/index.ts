/**
 * kernel-core benchmarks: boot time, a module load/unload cycle, and kernel-function calls
 * from the guest (kmem_alloc/kmem_free round trips through the CPU's host-function traps).
 *
 *   pnpm bench     (tsx bench/index.ts)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { createKernel } from '../src/index.js';

const kmodDir = join(import.meta.dirname, '..', '..', '..', 'tools', 'test-modules', 'kmod');

function time(label: string, n: number, fn: () => void): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ms = (performance.now() - t0) / n;
  console.log(`${label.padEnd(40)} ${ms.toFixed(3).padStart(9)} ms/op  (${n} ops)`);
}

time('boot (createKernel)', 50, () => {
  createKernel({ host: new MemoryHost() });
});

const host = new MemoryHost();
host.addFile('/kc_hello.kmod', readFileSync(join(kmodDir, 'kc_hello.kmod')));
host.addFile('/kc_pools.kmod', readFileSync(join(kmodDir, 'kc_pools.kmod')));
const k = createKernel({ host });
k.etfs.register('/kc_hello.kmod', '/kc_hello.kmod', 'REG');
k.etfs.register('/kc_pools.kmod', '/kc_pools.kmod', 'REG');
time('modctl load+unload kc_hello', 200, () => {
  k.modctl('load', { filename: '/kc_hello.kmod' });
  k.modctl('unload', 'kc_hello');
});
time('modctl load+unload kc_pools', 200, () => {
  k.modctl('load', { filename: '/kc_pools.kmod' });
  k.modctl('unload', 'kc_pools');
});
const alloc = k.ksyms.resolve('kmem_alloc')!;
const free = k.ksyms.resolve('kmem_free')!;
time('kmem_alloc+kmem_free via the CPU', 20_000, () => {
  const p = k.callGuest(alloc, 64, 1);
  k.callGuest(free, p, 64);
});

// The I/O path (vfs-io): disk driver, buffer cache, page cache through tinyfs.kmod.
await import('./io.js');
