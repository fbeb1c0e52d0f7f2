import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../src/index.js';

const ffsPath = process.env.RUMP_TEST_FFS_KMOD;
const moduleDir = process.env.RUMP_TEST_MODULE_PATH ?? (ffsPath ? dirname(ffsPath) : undefined);
const ufsPath = moduleDir ? join(moduleDir, 'ufs.kmod') : undefined;
const have = !!ffsPath && existsSync(ffsPath) && !!ufsPath && existsSync(ufsPath);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!have)('ffs.kmod through the I/O path (needs RUMP_TEST_FFS_KMOD)', () => {
  it('mounts tiny-ffs1 read-only, reads README, unmounts; image unchanged', () => {
    const img = readFileSync('/work/netbsd/images/tiny-ffs1.img');
    const host = new MemoryHost();
    host.addFile('/m/ffs.kmod', readFileSync(ffsPath!));
    host.addFile('/m/ufs.kmod', readFileSync(ufsPath!));
    host.addFile('/img/ffs.img', new Uint8Array(img));
    const k = createKernel({ host, modulePath: ['/m'] });
    k.etfs.register('/ffs.kmod', '/m/ffs.kmod', 'REG');
    k.modctl('load', { filename: '/ffs.kmod' });
    k.etfs.register('/dev/ffs', '/img/ffs.img', 'BLK');
    k.vfs.mkdir('/mnt');
    k.vfs.mountUfs('ffs', '/dev/ffs', '/mnt', 1 /* MNT_RDONLY */);
    console.log(k.vfs.readdir('/mnt'));
    console.log(k.vfs.readdir('/mnt/a_directory'));
    const readme = k.vfs.readFile('/mnt/a_directory/README');
    console.log(sha(readme), new TextDecoder().decode(readme).slice(0, 100));
    k.vfs.unmount('/mnt');
    expect(sha(host.readFile('/img/ffs.img'))).toBe(sha(img));
  });
});
