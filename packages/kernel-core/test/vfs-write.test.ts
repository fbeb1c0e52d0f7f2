import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryHost } from '@rump/hypercall';
import { checkTinyfs, flattenTinyfs, mkfsTinyfs, readTinyfs } from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../src/index.js';
import { checkTree, runWriteSuite } from './support/vfs-write-suite.js';

const KMOD = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../tools/test-modules/kmod/tinyfs.kmod',
);
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0x200;
const O_TRUNC = 0x400;
const te = new TextEncoder();
const td = new TextDecoder();

function boot(host: MemoryHost) {
  const k = createKernel({ host });
  k.etfs.register('/tinyfs.kmod', '/host/tinyfs.kmod', 'REG');
  k.etfs.register('/tiny.img', '/host/tiny.img', 'BLK');
  k.modctl('load', { filename: '/tinyfs.kmod' });
  k.vfs.mkdir('/mnt');
  return k;
}

describe('tinyfs writes through the VFS', () => {
  it('creates, writes, truncates and reads back across a remount', () => {
    const host = new MemoryHost();
    host.addFile('/host/tinyfs.kmod', readFileSync(KMOD));
    host.addFile(
      '/host/tiny.img',
      mkfsTinyfs({ entries: { README: { type: 'file', content: 'old text\n' } } }),
    );
    let k = boot(host);
    k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 0);
    const f = k.vfs.open('/mnt/README', O_RDWR);
    expect(td.decode(k.vfs.read(f, 100))).toBe('old text\n');
    k.vfs.close(f);
    const g = k.vfs.open('/mnt/new.txt', O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    const big = new Uint8Array(70000).map((_, i) => i & 0xff);
    expect(k.vfs.write(g, big)).toBe(big.length);
    expect(k.vfs.pwrite(g, te.encode('XYZ'), 5)).toBe(3);
    k.vfs.close(g);
    k.vfs.mkdir('/mnt/sub');
    k.vfs.unmount('/mnt');
    const tree = flattenTinyfs(readTinyfs(host.readFile('/host/tiny.img')));
    expect(checkTinyfs(host.readFile('/host/tiny.img')).problems).toEqual([]);
    const nf = tree.get('/new.txt');
    expect(nf?.type).toBe('file');
    k = boot(host);
    k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 1);
    const back = k.vfs.readFile('/mnt/new.txt');
    const want = big.slice();
    want.set(te.encode('XYZ'), 5);
    expect(Buffer.from(back).equals(Buffer.from(want))).toBe(true);
    expect(k.vfs.stat('/mnt/sub').mode & 0o170000).toBe(0o040000);
  });

  it('write suite: many files, odd offsets, truncate, rename, remove trees, ENOSPC; remount equal', () => {
    const host = new MemoryHost();
    host.addFile('/host/tinyfs.kmod', readFileSync(KMOD));
    host.addFile('/host/tiny.img', mkfsTinyfs({ blocks: 600, inodes: 256 }));
    const k = boot(host);
    k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 0);
    const model = runWriteSuite(k, { bigFile: 400000, fill: true });
    expect(k.vfs.shutdown(0)).toBe(true);
    expect(checkTinyfs(host.readFile('/host/tiny.img')).problems).toEqual([]);
    const k2 = boot(host);
    k2.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 1);
    checkTree(k2, model);
  });
});
