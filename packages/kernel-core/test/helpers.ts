import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { mkfsTinyfs, type TinyfsMkfsOptions } from '@rump/tinyfs';
import { createKernel, type Kernel, type KernelOptions } from '../src/index.js';

export const KMOD_DIR = join(__dirname, '..', '..', '..', 'tools', 'test-modules', 'kmod');

export function kmod(name: string): Uint8Array {
  return readFileSync(join(KMOD_DIR, `${name}.kmod`));
}

/** A kernel on a MemoryHost with the named test modules registered at /<name>.kmod. */
export function bootWith(
  modules: string[],
  params: Record<string, string> = {},
  options: Partial<KernelOptions> = {},
): { k: Kernel; host: MemoryHost } {
  const host = new MemoryHost({ params });
  for (const m of modules) host.addFile(`/host/${m}.kmod`, kmod(m));
  const k = createKernel({ host, ...options });
  for (const m of modules) k.etfs.register(`/${m}.kmod`, `/host/${m}.kmod`, 'REG');
  return { k, host };
}

export const haveKmod = (name: string) => existsSync(join(KMOD_DIR, `${name}.kmod`));

/**
 * A kernel with tinyfs.kmod loaded and a tinyfs image of `entries` (registered at /tiny.img)
 * mounted read-write on /mnt.
 */
export function mountTinyfs(entries: TinyfsMkfsOptions['entries']): {
  k: Kernel;
  host: MemoryHost;
} {
  const { k, host } = bootWith(['tinyfs']);
  host.addFile('/host/tiny.img', mkfsTinyfs({ entries }));
  k.etfs.register('/tiny.img', '/host/tiny.img', 'BLK');
  k.modctl('load', { filename: '/tinyfs.kmod' });
  k.vfs.mkdir('/mnt');
  k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 0);
  return { k, host };
}
