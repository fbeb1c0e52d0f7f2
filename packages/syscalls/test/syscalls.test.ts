import { createHash } from 'node:crypto';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import {
  decodeDirents,
  KernelHaltedError,
  MNT,
  MODCTL,
  O,
  S,
  SEEK,
  SyscallError,
} from '../src/index.js';
import { bootTinyfs, bytes, checkTinyfs, mkfsTinyfs, text } from './support.js';

const README = 'This is the README of a tinyfs image.\nRead me through rump_sys_read.\n';

function image() {
  return mkfsTinyfs({
    entries: {
      a_directory: {
        type: 'dir',
        entries: { README: { type: 'file', content: README } },
      },
      full: { type: 'dir', entries: { x: { type: 'file', content: 'x' } } },
      link: { type: 'symlink', target: 'a_directory/README' },
    },
    spareBlocks: 64,
    spareInodes: 32,
  });
}

function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SyscallError) return `${e.code}/${e.errno}`;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('rump_sys_* on tinyfs', () => {
  it('runs the classic scenario: read, ftruncate, pwrite, reboot; a new kernel reads the new text', () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { sys } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
    const fd = sys.open('/mnt/a_directory/README', O.RDWR);
    const buf = new Uint8Array(4096);
    const n = sys.read(fd, buf);
    expect(text(buf.subarray(0, n))).toBe(README);
    sys.ftruncate(fd, 0);
    const replacement = 'You already read me. Now go away.\n';
    expect(sys.pwrite(fd, bytes(replacement), 0)).toBe(replacement.length);
    expect(sys.reboot(0)).toBe(true);
    expect(() => sys.stat('/mnt')).toThrow(KernelHaltedError);

    const after = host.readFile('/host/fs.img');
    const check = checkTinyfs(after);
    expect(check.problems).toEqual([]);
    expect(check.clean).toBe(true);

    const second = bootTinyfs(host);
    second.sys.mount('tinyfs', '/mnt', MNT.RDONLY, { fspec: '/img' });
    expect(second.fs.readTextFile('/mnt/a_directory/README')).toBe(replacement);
    expect(second.sys.stat('/mnt/a_directory/README').size).toBe(BigInt(replacement.length));
  });

  it('hands out the lowest free descriptor and refuses bad ones with EBADF', () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { sys } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', MNT.RDONLY, { fspec: '/img' });
    const a = sys.open('/mnt/a_directory/README');
    const b = sys.open('/mnt/a_directory');
    expect([a, b]).toEqual([0, 1]);
    sys.close(a);
    expect(sys.open('/mnt/link')).toBe(0);
    expect(sys.descriptors()).toEqual([0, 1]);
    expect(errnoOf(() => sys.close(7))).toBe('EBADF/9');
    expect(errnoOf(() => sys.read(a + 5, new Uint8Array(1)))).toBe('EBADF/9');
  });

  it('reports NetBSD errno values for misuse', () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { sys } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
    expect(errnoOf(() => sys.open('/mnt/nope'))).toBe('ENOENT/2');
    expect(errnoOf(() => sys.mkdir('/mnt/full'))).toBe('EEXIST/17');
    expect(errnoOf(() => sys.rmdir('/mnt/full'))).toBe('ENOTEMPTY/66');
    expect(errnoOf(() => sys.open('/mnt/a_directory/README/x'))).toBe('ENOTDIR/20');
    expect(errnoOf(() => sys.open('/mnt/a_directory', O.WRONLY))).toBe('EISDIR/21');
    expect(errnoOf(() => sys.open('/mnt/a_directory/README', O.CREAT | O.EXCL | O.WRONLY))).toBe(
      'EEXIST/17',
    );
    expect(errnoOf(() => sys.stat(`/mnt/${'n'.repeat(300)}`))).toBe('ENAMETOOLONG/63');
    expect(errnoOf(() => sys.pread(sys.open('/mnt/link'), new Uint8Array(1), -1))).toBe(
      'EINVAL/22',
    );
  });

  it('refuses writes on a read-only mount with EROFS and leaves the image untouched', () => {
    const host = new MemoryHost();
    const img = image();
    host.addFile('/host/fs.img', img);
    const { sys } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', MNT.RDONLY, { fspec: '/img' });
    expect(errnoOf(() => sys.open('/mnt/new', O.CREAT | O.WRONLY))).toBe('EROFS/30');
    expect(errnoOf(() => sys.mkdir('/mnt/d'))).toBe('EROFS/30');
    expect(errnoOf(() => sys.unlink('/mnt/link'))).toBe('EROFS/30');
    sys.reboot(0);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(sha(host.readFile('/host/fs.img'))).toBe(sha(img));
  });

  it('reads and writes with readv/writev/lseek and lists directories through getdents', () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { sys, fs } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
    const fd = sys.open('/mnt/v', O.RDWR | O.CREAT | O.EXCL, 0o640);
    expect(sys.writev(fd, [bytes('abc'), bytes(''), bytes('defgh')])).toBe(8);
    expect(sys.lseek(fd, 2, SEEK.SET)).toBe(2n);
    const x = new Uint8Array(2);
    const y = new Uint8Array(10);
    expect(sys.readv(fd, [x, y])).toBe(6);
    expect(text(x) + text(y.subarray(0, 4))).toBe('cdefgh');
    expect(sys.lseek(fd, 0, SEEK.END)).toBe(8n);
    const st = sys.fstat(fd);
    expect(st.mode & S.IFMT).toBe(S.IFREG);
    expect(st.mode & 0o777).toBe(0o640);
    sys.close(fd);

    const dfd = sys.open('/mnt', O.RDONLY | O.DIRECTORY);
    const buf = new Uint8Array(4096);
    const names: string[] = [];
    for (let n = sys.getdents(dfd, buf); n > 0; n = sys.getdents(dfd, buf))
      names.push(...decodeDirents(buf.subarray(0, n)).map((d) => d.name));
    sys.close(dfd);
    expect(names.sort()).toEqual(['.', '..', 'a_directory', 'full', 'link', 'v']);
    expect(
      fs
        .readdir('/mnt')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['a_directory', 'full', 'link', 'v']);
    expect(fs.readlink('/mnt/link')).toBe('a_directory/README');
  });

  it('lists loaded modules with MODCTL_STAT and refuses unknown commands', () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { sys } = bootTinyfs(host);
    const names = sys.modctl(MODCTL.STAT).map((m) => m.name);
    expect(names).toContain('tinyfs');
    expect(errnoOf(() => (sys.modctl as (c: number) => unknown)(99))).toBe('EINVAL/22');
  });

  it("changes a symbolic link's own times with lutimes and its target's with utimes", () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { sys } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
    const target = sys.stat('/mnt/a_directory/README').mtime;
    sys.lutimes('/mnt/link', 1_000_000_000_000_000_000n, 1_234_567_890_000_000_123n);
    expect(sys.lstat('/mnt/link').mtime).toEqual({ sec: 1_234_567_890n, nsec: 123n });
    expect(sys.stat('/mnt/a_directory/README').mtime).toEqual(target);
    sys.utimes('/mnt/link', 0n, 987_654_321_000_000_000n);
    expect(sys.stat('/mnt/a_directory/README').mtime).toEqual({ sec: 987_654_321n, nsec: 0n });
    expect(sys.lstat('/mnt/link').mtime).toEqual({ sec: 1_234_567_890n, nsec: 123n });
    expect(errnoOf(() => sys.lutimes('/mnt/nope', 0n, 0n))).toBe('ENOENT/2');
    sys.reboot(0);
  });

  it('builds trees with the friendly API and removes them recursively', () => {
    const host = new MemoryHost();
    host.addFile('/host/fs.img', image());
    const { fs, sys } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
    fs.mkdir('/mnt/p/q/r', { recursive: true });
    fs.writeFile('/mnt/p/q/r/f', 'deep');
    expect(fs.readTextFile('/mnt/p/q/r/f')).toBe('deep');
    expect([...fs.walk('/mnt/p')].map((w) => w.path)).toEqual([
      '/mnt/p',
      '/mnt/p/q',
      '/mnt/p/q/r',
      '/mnt/p/q/r/f',
    ]);
    fs.remove('/mnt/p', { recursive: true });
    expect(fs.exists('/mnt/p')).toBe(false);
    sys.reboot(0);
    expect(checkTinyfs(host.readFile('/host/fs.img')).problems).toEqual([]);
  });
});
