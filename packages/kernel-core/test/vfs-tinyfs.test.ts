import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryHost } from '@rump/hypercall';
import { mkfsTinyfs } from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../src/index.js';

const KMOD = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../tools/test-modules/kmod/tinyfs.kmod',
);
const MNT_RDONLY = 1;

function boot(image: Uint8Array) {
  const host = new MemoryHost();
  host.addFile('/host/tinyfs.kmod', readFileSync(KMOD));
  host.addFile('/host/tiny.img', image);
  const k = createKernel({ host });
  k.etfs.register('/tinyfs.kmod', '/host/tinyfs.kmod', 'REG');
  k.etfs.register('/tiny.img', '/host/tiny.img', 'BLK');
  k.modctl('load', { filename: '/tinyfs.kmod' });
  k.vfs.mkdir('/mnt');
  return { host, k };
}

describe('tinyfs through the VFS', () => {
  const big = new Uint8Array(300 * 1024).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
  const image = mkfsTinyfs({
    entries: {
      README: { type: 'file', content: 'hello from tinyfs\n' },
      a_directory: {
        type: 'dir',
        entries: {
          inner: { type: 'file', content: 'inner file\n' },
          link: { type: 'symlink', target: '../README' },
        },
      },
      big: { type: 'file', content: big },
    },
  });

  it('mounts read-only, lists, stats, reads and follows symlinks; unmount leaves no vnodes', () => {
    const { k, host } = boot(image);
    const imageBefore = host.readFile('/host/tiny.img').slice();
    const vnodesBefore = k.vfs.vnodeCount();
    k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', MNT_RDONLY);
    const sv = k.vfs.statvfs('/mnt');
    expect(sv.fstypename).toBe('tinyfs');
    expect(sv.mntonname).toBe('/mnt');
    expect(sv.mntfromname).toBe('/tiny.img');
    const names = k.vfs
      .readdir('/mnt')
      .map((d) => d.name)
      .sort();
    expect(names).toEqual(['.', '..', 'README', 'a_directory', 'big']);
    expect(new TextDecoder().decode(k.vfs.readFile('/mnt/README'))).toBe('hello from tinyfs\n');
    expect(new TextDecoder().decode(k.vfs.readFile('/mnt/a_directory/inner'))).toBe('inner file\n');
    expect(new TextDecoder().decode(k.vfs.readFile('/mnt/a_directory/link'))).toBe(
      'hello from tinyfs\n',
    );
    expect(new TextDecoder().decode(k.vfs.readlink('/mnt/a_directory/link'))).toBe('../README');
    expect(k.vfs.stat('/mnt/big').size).toBe(BigInt(big.length));
    expect(Buffer.from(k.vfs.readFile('/mnt/big')).equals(Buffer.from(big))).toBe(true);
    expect(k.vfs.stat('/mnt/a_directory/..').ino).toBe(k.vfs.stat('/mnt').ino);
    expect(k.vfs.stat('/mnt/..').ino).toBe(k.vfs.stat('/').ino);
    k.vfs.unmount('/mnt');
    expect(k.vfs.vnodeCount()).toBe(vnodesBefore);
    expect(() => k.vfs.stat('/mnt/README')).toThrow(/ENOENT/);
    // A read-only mount never writes the image.
    expect(Buffer.from(host.readFile('/host/tiny.img')).equals(Buffer.from(imageBefore))).toBe(
      true,
    );
  });
});
