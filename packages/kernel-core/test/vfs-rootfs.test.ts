import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it, vi } from 'vitest';
import { createKernel } from '../src/index.js';

const te = new TextEncoder();

describe('vfs root file system', () => {
  it('mkdir, readdir, stat and etfs REG files readable through VOP_READ', () => {
    const host = new MemoryHost();
    host.addFile('/host/hello.txt', te.encode('hello, rump\n'));
    const k = createKernel({ host });
    k.vfs.mkdir('/mnt');
    k.etfs.register('/hello.txt', '/host/hello.txt', 'REG');
    const names = k.vfs
      .readdir('/')
      .map((d) => d.name)
      .sort();
    expect(names).toEqual(['.', '..', 'hello.txt', 'mnt']);
    expect(k.vfs.stat('/mnt').mode & 0o170000).toBe(0o040000);
    expect(k.vfs.stat('/hello.txt').size).toBe(12n);
    expect(new TextDecoder().decode(k.vfs.readFile('/hello.txt'))).toBe('hello, rump\n');
    expect(() => k.vfs.mkdir('/mnt')).toThrow(/EEXIST/);
    expect(() => k.vfs.stat('/nope')).toThrow(/ENOENT/);
    expect(() => k.vfs.stat('/hello.txt/x')).toThrow(/ENOTDIR/);
    expect(k.vfs.stat('/mnt/../hello.txt').size).toBe(12n);
  });

  it('etfs keys with slashes are one component at the root', () => {
    const host = new MemoryHost();
    host.addFile('/host/a', te.encode('abc'));
    const k = createKernel({ host });
    k.etfs.register('/dev/disk0', '/host/a', 'REG');
    expect(new TextDecoder().decode(k.vfs.readFile('/dev/disk0'))).toBe('abc');
  });

  it('etfs BLK keys are block-device vnodes', () => {
    const host = new MemoryHost();
    host.addFile('/host/disk.img', new Uint8Array(64 * 1024));
    const k = createKernel({ host });
    k.etfs.register('/disk.img', '/host/disk.img', 'BLK');
    const st = k.vfs.stat('/disk.img');
    expect(st.mode & 0o170000).toBe(0o060000);
    expect(st.rdev >> 8n).toBe(197n);
  });
});

describe('rootfs regular files', () => {
  it('create, write, append, truncate, rename, unlink, rmdir; vnodes go away with their files', () => {
    const k = createKernel({ host: new MemoryHost() });
    const td = new TextDecoder();
    k.vfs.mkdir('/dir');
    const live = k.vfs.vnodeCount();
    const f = k.vfs.open('/foo', 0x200 | 2, 0o600);
    expect(k.vfs.write(f, te.encode('hello '))).toBe(6);
    k.vfs.close(f);
    const g = k.vfs.open('/foo', 1 | 0x8); // O_WRONLY | O_APPEND
    k.vfs.write(g, te.encode('world'));
    k.vfs.close(g);
    expect(td.decode(k.vfs.readFile('/foo'))).toBe('hello world');
    expect(k.vfs.stat('/foo').mode).toBe(0o100600);
    k.vfs.truncate('/foo', 5);
    expect(td.decode(k.vfs.readFile('/foo'))).toBe('hello');
    k.vfs.rename('/foo', '/dir/bar');
    expect(() => k.vfs.stat('/foo')).toThrow(/ENOENT/);
    expect(td.decode(k.vfs.readFile('/dir/bar'))).toBe('hello');
    expect(() => k.vfs.rmdir('/dir')).toThrow(/ENOTEMPTY/);
    expect(() => k.vfs.unlink('/dir')).toThrow(/EPERM/);
    k.vfs.unlink('/dir/bar');
    k.vfs.rmdir('/dir');
    expect(
      k.vfs
        .readdir('/')
        .map((d) => d.name)
        .sort(),
    ).toEqual(['.', '..']);
    expect(k.vfs.vnodeCount()).toBe(live - 1);
  });
});

describe('etfs through the VFS', () => {
  it('register makes the node at once; remove is EBUSY while in use', () => {
    const host = new MemoryHost();
    host.addFile('/host/f', te.encode('abc'));
    host.addFile('/host/disk', new Uint8Array(8192));
    const k = createKernel({ host });
    k.vfs.etfsRegister('/f', '/host/f', 'REG');
    k.vfs.etfsRegister('/disk', '/host/disk', 'BLK');
    expect(() => k.vfs.etfsRegister('/f', '/host/f', 'REG')).toThrow(/EEXIST/);
    const f = k.vfs.open('/f', 0);
    expect(() => k.vfs.etfsRemove('/f')).toThrow(/EBUSY/);
    k.vfs.close(f);
    k.vfs.etfsRemove('/f');
    expect(() => k.vfs.stat('/f')).toThrow(/ENOENT/);
    k.vfs.etfsRemove('/disk');
    expect(() => k.vfs.stat('/disk')).toThrow(/ENOENT/);
    expect(() => k.vfs.etfsRemove('/disk')).toThrow(/ENOENT/);
  });
});

describe('block devices as files', () => {
  it('read and write a BLK etfs node through spec_read/spec_write and the buffer cache', () => {
    const host = new MemoryHost();
    const img = new Uint8Array(64 * 1024).map((_, i) => (i * 13) & 0xff);
    host.addFile('/host/disk', img.slice());
    const k = createKernel({ host });
    k.vfs.etfsRegister('/disk', '/host/disk', 'BLK');
    const f = k.vfs.open('/disk', 2);
    expect(k.vfs.fstat(f).mode & 0o170000).toBe(0o060000);
    expect(
      Buffer.from(k.vfs.pread(f, 5000, 1234)).equals(Buffer.from(img.subarray(1234, 6234))),
    ).toBe(true);
    expect(k.vfs.pread(f, 100, 64 * 1024).length).toBe(0);
    const patch = te.encode('written through the kernel');
    expect(k.vfs.pwrite(f, patch, 3000)).toBe(patch.length);
    const whole = new Uint8Array(4096).fill(7);
    expect(k.vfs.pwrite(f, whole, 8192)).toBe(4096);
    // A second open of an open block device is refused (spec_open: EBUSY).
    expect(() => k.vfs.open('/disk', 0)).toThrow(/EBUSY/);
    k.vfs.close(f);
    const want = img.slice();
    want.set(patch, 3000);
    want.set(whole, 8192);
    expect(Buffer.from(host.readFile('/host/disk')).equals(Buffer.from(want))).toBe(true);
  });
});

describe('no leaks', () => {
  it('reads and writes of every size move data straight to and from the caller array (no kmem per call)', () => {
    const host = new MemoryHost();
    const size = (1 << 20) + 3 * 65536 + 17;
    const img = new Uint8Array(size).map((_, i) => (i * 31 + (i >> 12)) & 0xff);
    host.addFile('/host/big', img.slice());
    const k = createKernel({ host });
    k.vfs.etfsRegister('/big', '/host/big', 'BLK');
    const f = k.vfs.open('/big', 2);
    const want = img.slice();
    const sizes = [0, 1, 4096, 65536, 65537, (1 << 20) + 5, size];
    const round = (gen: number) => {
      for (const n of sizes) {
        const at = (n * 7) % 8192;
        const got = k.vfs.pread(f, n, at);
        const end = Math.min(at + n, size) & ~511;
        expect(
          Buffer.from(got.subarray(0, end - at)).equals(Buffer.from(want.subarray(at, end))),
        ).toBe(true);
        const data = new Uint8Array(Math.min(n, 131072)).fill((n + gen) & 0xff);
        expect(k.vfs.pwrite(f, data, 512 * 3)).toBe(data.length);
        want.set(data, 512 * 3);
      }
    };
    round(0);
    const before = k.kmem.stats();
    const alloc = vi.spyOn(k.kmem, 'allocOffset');
    for (let i = 1; i < 4; i++) round(i);
    const transfer = alloc.mock.calls.filter(([, , , who]) => /buffer/.test(String(who)));
    expect(transfer).toEqual([]);
    alloc.mockRestore();
    expect(k.kmem.stats()).toEqual(before);
    k.vfs.close(f);
  });
  it('lookups, opens, reads and listings leave kernel memory as they found it', () => {
    const host = new MemoryHost();
    host.addFile('/host/f', te.encode('abc'));
    const k = createKernel({ host });
    k.vfs.etfsRegister('/f', '/host/f', 'REG');
    k.vfs.mkdir('/d');
    k.vfs.symlink('/f', '/d/l');
    const round = () => {
      k.vfs.stat('/d/l');
      k.vfs.readdir('/d');
      k.vfs.close(k.vfs.open('/f', 0));
      k.vfs.readFile('/d/l');
      expect(() => k.vfs.stat('/nope/x')).toThrow(/ENOENT/);
    };
    round();
    const before = k.kmem.stats();
    for (let i = 0; i < 50; i++) round();
    expect(k.kmem.stats()).toEqual(before);
  });
});
