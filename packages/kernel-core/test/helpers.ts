import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
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
