/**
 * The I/O path end to end with our own compiled file system (tinyfs.kmod): mount an image made by
 * mkfsTinyfs, read every file through the page cache and the buffer cache, check the bytes and
 * the disk traffic, unmount; a read-only mount must leave the image byte-for-byte unchanged, and
 * writes must reach the image so that the image checker and a second mount see them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { NodeHost } from '@rump/hypercall/node';
import { checkTinyfs, flattenTinyfs, mkfsTinyfs, readTinyfs } from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';
import { mnt } from '../src/abi/netbsd-10.99/constants.js';
import { createKernel } from '../src/index.js';
import { haveKmod, kmod } from './helpers.js';
import { patterned, writeStress } from './support/io.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const text = (s: string) => new TextEncoder().encode(s);

function image(): { img: Uint8Array; big: Uint8Array; sparse: Uint8Array } {
  const big = patterned(300 * 1024 + 123); // direct and indirect blocks
  const sparse = new Uint8Array(64 * 1024);
  sparse.set(text('head'), 0);
  sparse.set(text('tail'), sparse.length - 4);
  const img = mkfsTinyfs({
    entries: {
      README: { type: 'file', content: 'hello from tinyfs\n' },
      big: { type: 'file', content: big },
      sparse: { type: 'file', content: sparse, sparse: true },
      a_directory: { type: 'dir', entries: { nested: { type: 'file', content: 'nested\n' } } },
      link: { type: 'symlink', target: 'a_directory/nested' },
    },
  });
  return { img, big, sparse };
}

function boot(img: Uint8Array) {
  const host = new MemoryHost();
  host.addFile('/m/tinyfs.kmod', kmod('tinyfs'));
  host.addFile('/img/tinyfs.img', img);
  const k = createKernel({ host });
  k.etfs.register('/tinyfs.kmod', '/m/tinyfs.kmod', 'REG');
  k.modctl('load', { filename: '/tinyfs.kmod' });
  k.etfs.register('/dev/tfs', '/img/tinyfs.img', 'BLK');
  k.vfs.mkdir('/mnt');
  return { k, host };
}

describe.skipIf(!haveKmod('tinyfs'))('tinyfs.kmod through the I/O path', () => {
  it('read-only mount: every file reads back, the page cache serves rereads, the image is unchanged', () => {
    const { img, big, sparse } = image();
    const before = sha(img);
    const { k, host } = boot(img.slice());
    k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', mnt.MNT_RDONLY);
    expect(new TextDecoder().decode(k.vfs.readFile('/mnt/README'))).toBe('hello from tinyfs\n');
    expect(sha(k.vfs.readFile('/mnt/big'))).toBe(sha(big));
    expect(sha(k.vfs.readFile('/mnt/sparse'))).toBe(sha(sparse));
    expect(new TextDecoder().decode(k.vfs.readFile('/mnt/link'))).toBe('nested\n');
    const ios = k.io.rumpblk.stats.ios;
    expect(sha(k.vfs.readFile('/mnt/big'))).toBe(sha(big));
    expect(k.io.rumpblk.stats.ios).toBe(ios);
    expect(k.io.rumpblk.stats.bytesWritten).toBe(0);
    k.vfs.unmount('/mnt');
    expect(k.io.rumpblk.stats.bytesWritten).toBe(0);
    // Unmount reclaimed every vnode and closed the device: no buf or page of it is left.
    expect(k.io.bufcache.stats.buffers).toBe(0);
    expect(k.io.pages.stats.resident).toBe(0);
    expect(sha(host.readFile('/img/tinyfs.img'))).toBe(before);
  });

  it('read-write mount: written files reach the image, which checks clean and remounts with them', () => {
    const { img } = image();
    const { k, host } = boot(img);
    k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', 0);
    const data = patterned(70_000).map((b) => b ^ 0x5a);
    const f = k.vfs.open('/mnt/new', 0x2 | 0x200 /* O_RDWR|O_CREAT */, 0o644);
    expect(k.vfs.pwrite(f, data, 0)).toBe(data.length);
    expect(k.vfs.pwrite(f, text('patch'), 5000)).toBe(5);
    k.vfs.close(f);
    data.set(text('patch'), 5000);
    expect(sha(k.vfs.readFile('/mnt/new'))).toBe(sha(data));
    k.vfs.unmount('/mnt');
    const after = host.readFile('/img/tinyfs.img');
    expect(checkTinyfs(after).problems).toEqual([]);
    const node = flattenTinyfs(readTinyfs(after)).get('/new');
    expect(node?.type).toBe('file');
    expect(sha((node as { content: Uint8Array }).content)).toBe(sha(data));
    const again = boot(after.slice());
    again.k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', mnt.MNT_RDONLY);
    expect(sha(again.k.vfs.readFile('/mnt/new'))).toBe(sha(data));
    again.k.vfs.unmount('/mnt');
  });

  it('odd-offset writes and truncations match a model, through sync, unmount, fsck and remount', () => {
    const { img } = image();
    const { k, host } = boot(img);
    k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', 0);
    const check = (what: string, got: Uint8Array, want: Uint8Array) =>
      expect(`${what}: ${got.length} ${sha(got)}`).toBe(`${what}: ${want.length} ${sha(want)}`);
    const want = writeStress(
      k,
      '/mnt/stress.bin',
      { span: 400_000, rounds: 40, maxWrite: 30_000, seed: 3 },
      check,
    );
    k.vfs.sync();
    k.vfs.unmount('/mnt');
    const after = host.readFile('/img/tinyfs.img');
    expect(checkTinyfs(after).problems).toEqual([]);
    const node = flattenTinyfs(readTinyfs(after)).get('/stress.bin') as { content: Uint8Array };
    check('in the image', node.content, want);
    const again = boot(after.slice());
    again.k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', mnt.MNT_RDONLY);
    check('after remount', again.k.vfs.readFile('/mnt/stress.bin'), want);
    again.k.vfs.unmount('/mnt');
  });

  it('on the Node host, an image the host keeps read-only mounts read-only, refuses a read-write mount, and stays byte-identical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rump-io-'));
    try {
      const { img, big } = image();
      writeFileSync(join(dir, 'tinyfs.img'), img);
      writeFileSync(join(dir, 'tinyfs.kmod'), kmod('tinyfs'));
      const host = new NodeHost({ readOnly: true, env: false, console: { write: () => true } });
      const k = createKernel({ host });
      k.etfs.register('/tinyfs.kmod', join(dir, 'tinyfs.kmod'), 'REG');
      k.modctl('load', { filename: '/tinyfs.kmod' });
      k.etfs.register('/dev/tfs', join(dir, 'tinyfs.img'), 'BLK');
      k.vfs.mkdir('/mnt');
      expect(() => k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', 0)).toThrow(/EACCES|EROFS/);
      k.vfs.mountUfs('tinyfs', '/dev/tfs', '/mnt', mnt.MNT_RDONLY);
      expect(sha(k.vfs.readFile('/mnt/big'))).toBe(sha(big));
      k.vfs.unmount('/mnt');
      expect(k.io.rumpblk.stats.bytesWritten).toBe(0);
      expect(sha(readFileSync(join(dir, 'tinyfs.img')))).toBe(sha(img));
      host.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
