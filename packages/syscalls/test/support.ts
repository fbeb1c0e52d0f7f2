import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryHost } from '@rump/hypercall';
import { bootRump, MODCTL, type Rump } from '../src/index.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TINYFS_KMOD = join(REPO, 'tools/test-modules/kmod/tinyfs.kmod');

export { checkTinyfs, mkfsTinyfs } from '@rump/tinyfs';

/** A kernel on `host` with tinyfs loaded through modctl and the image registered as a block device. */
export function bootTinyfs(host: MemoryHost): Rump {
  if (!host.hasFile('/host/tinyfs.kmod'))
    host.addFile('/host/tinyfs.kmod', readFileSync(TINYFS_KMOD));
  const rump = bootRump({ host });
  rump.etfsRegister('/tinyfs.kmod', '/host/tinyfs.kmod', 'REG');
  rump.etfsRegister('/img', '/host/fs.img', 'BLK');
  rump.sys.modctl(MODCTL.LOAD, { ml_filename: '/tinyfs.kmod' });
  rump.sys.mkdir('/mnt', 0o755);
  return rump;
}

export const text = (b: Uint8Array) => new TextDecoder().decode(b);
export const bytes = (s: string) => new TextEncoder().encode(s);
