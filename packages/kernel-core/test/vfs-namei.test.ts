import { describe, expect, it } from 'vitest';
import { mountTinyfs } from './helpers.js';

const td = new TextDecoder();

function withTinyfs() {
  return mountTinyfs({
    file: { type: 'file', content: 'data\n' },
    dir: { type: 'dir', entries: { up: { type: 'symlink', target: '../file' } } },
    abs: { type: 'symlink', target: '/mnt/file' },
    loop1: { type: 'symlink', target: 'loop2' },
    loop2: { type: 'symlink', target: 'loop1' },
  });
}

describe('namei', () => {
  it('follows relative and absolute symlinks, detects loops, honours trailing slashes', () => {
    const { k } = withTinyfs();
    expect(td.decode(k.vfs.readFile('/mnt/dir/up'))).toBe('data\n');
    expect(td.decode(k.vfs.readFile('/mnt/abs'))).toBe('data\n');
    expect(() => k.vfs.stat('/mnt/loop1')).toThrow(/ELOOP/);
    expect(k.vfs.lstat('/mnt/loop1').mode & 0o170000).toBe(0o120000);
    expect(() => k.vfs.stat('/mnt/file/')).toThrow(/ENOTDIR/);
    expect(k.vfs.stat('/mnt/dir/').mode & 0o170000).toBe(0o040000);
    expect(k.vfs.stat('//mnt///dir/./..//file').size).toBe(5n);
    expect(() => k.vfs.stat(`/mnt/${'x'.repeat(256)}`)).toThrow(/ENAMETOOLONG/);
    expect(() => k.vfs.stat(`/mnt/${'a/'.repeat(600)}`)).toThrow(/ENAMETOOLONG/);
    expect(() => k.vfs.stat('')).toThrow(/ENOENT/);
    // ".." from the mounted root goes back to the root file system.
    expect(k.vfs.stat('/mnt/..').ino).toBe(k.vfs.stat('/').ino);
    expect(k.vfs.stat('/mnt/dir/../../mnt/file').size).toBe(5n);
    // Symlinks in the root file system too.
    k.vfs.symlink('/mnt/dir', '/d');
    expect(td.decode(k.vfs.readFile('/d/up'))).toBe('data\n');
  });

  it('references are balanced: lookups leave no extra vnode references', () => {
    const { k } = withTinyfs();
    const vn = k.vfs.vn;
    for (let i = 0; i < 20; i++) k.vfs.stat('/mnt/dir/up');
    // Only the mount's own references remain: unmount succeeds and leaves no vnode behind.
    const live = k.vfs.vnodeCount();
    expect(live).toBeGreaterThan(0);
    k.vfs.unmount('/mnt');
    expect(k.vfs.vnodeCount()).toBeLessThan(live);
    expect(vn.usecount(k.vfs.rootfs.rootvp)).toBe(1);
  });

  it('unmount is EBUSY while a file is open, and MNT_FORCE takes it away', () => {
    const { k } = withTinyfs();
    const f = k.vfs.open('/mnt/file', 0);
    expect(() => k.vfs.unmount('/mnt')).toThrow(/EBUSY/);
    // The module cannot go while its file system is mounted (vfs_detach: EBUSY).
    expect(() => k.modctl('unload', 'tinyfs')).toThrow(/EBUSY/);
    k.vfs.unmount('/mnt', 0x80000);
    expect(() => k.vfs.read(f, 10)).toThrow(/EIO|EBADF/);
    k.vfs.close(f);
    k.modctl('unload', 'tinyfs');
  });

  it('fstrans: transactions nest; a suspended mount admits only its owner', () => {
    const { k } = withTinyfs();
    const mp = k.vfs.mounts.list.at(-1)!;
    const t = k.vfs.trans;
    expect(t.held(mp)).toBe(false);
    t.start(mp);
    t.start(mp);
    expect(t.held(mp)).toBe(true);
    t.done(mp);
    t.done(mp);
    expect(t.held(mp)).toBe(false);
    expect(() => t.done(mp)).toThrow(/no transaction held/);
  });
});

describe('vnode cache', () => {
  it('keeps at most desiredvnodes unreferenced vnodes (vdrain between calls), and they reload correctly', () => {
    const { k } = withTinyfs();
    const dv = k.ksyms.resolve('desiredvnodes')!;
    k.vfs.readFile('/mnt/dir/up');
    // root, dir, up and file stay cached without references.
    expect(k.vfs.vnodes.freeCount).toBeGreaterThanOrEqual(4);
    const live = k.vfs.vnodeCount();
    k.mem.write32(dv, 2);
    k.vfs.stat('/');
    expect(k.vfs.vnodes.freeCount).toBe(2);
    expect(k.vfs.vnodeCount()).toBe(live - (4 - 2) - (k.vfs.vnodes.freeCount - 2));
    for (let i = 0; i < 5; i++) {
      expect(td.decode(k.vfs.readFile('/mnt/dir/up'))).toBe('data\n');
      expect(k.vfs.vnodes.freeCount).toBeLessThanOrEqual(2);
    }
    k.mem.write32(dv, 2048);
    k.vfs.unmount('/mnt');
  });
});

describe('mount errors', () => {
  it('answers as NetBSD does: ENODEV, ENOTDIR, ENOTBLK, EBUSY, EROFS, ENOENT', () => {
    const { k, host } = withTinyfs();
    host.addFile('/host/plain', new TextEncoder().encode('x'));
    k.etfs.register('/plain', '/host/plain', 'REG');
    expect(() => k.vfs.mountUfs('nosuchfs', '/tiny.img', '/mnt')).toThrow(/ENODEV/);
    expect(() => k.vfs.mountUfs('tinyfs', '/tiny.img', '/plain')).toThrow(/ENOTDIR/);
    k.vfs.mkdir('/mnt2');
    expect(() => k.vfs.mountUfs('tinyfs', '/plain', '/mnt2')).toThrow(/ENOTBLK/);
    expect(() => k.vfs.mountUfs('tinyfs', '/nothere', '/mnt2')).toThrow(/ENOENT/);
    // The device is mounted on /mnt already.
    expect(() => k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt2')).toThrow(/EBUSY/);
    k.vfs.unmount('/mnt');
    k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt2', 1);
    expect(() => k.vfs.open('/mnt2/new', 0x200 | 1)).toThrow(/EROFS/);
    expect(() => k.vfs.mkdir('/mnt2/d')).toThrow(/EROFS/);
    expect(() => k.vfs.unlink('/mnt2/file')).toThrow(/EROFS/);
    expect(() => k.vfs.unmount('/')).toThrow(/EINVAL/);
    expect(() => k.vfs.unmount('/mnt2/dir')).toThrow(/EINVAL/);
    expect(k.vfs.mountList().map((m) => [m.fstype, m.on, m.from])).toEqual([
      ['rumpfs', '/', 'rumpfs'],
      ['tinyfs', '/mnt2', '/tiny.img'],
    ]);
    k.vfs.unmount('/mnt2');
  });
});

describe('dot and dot-dot as the last component', () => {
  it('rmdir, unlink, rename and link refuse "." without panicking', () => {
    const { k } = withTinyfs();
    k.vfs.mkdir('/mnt/d');
    expect(() => k.vfs.rmdir('/mnt/d/.')).toThrow(/EINVAL/);
    expect(() => k.vfs.rmdir('/mnt/.')).toThrow(/EINVAL|EBUSY/);
    expect(() => k.vfs.unlink('/mnt/d/.')).toThrow(/EINVAL/);
    expect(() => k.vfs.rename('/mnt/d/.', '/mnt/x')).toThrow(/EINVAL/);
    expect(() => k.vfs.rename('/mnt/d/..', '/mnt/x')).toThrow(/EINVAL/);
    expect(() => k.vfs.rename('/mnt/file', '/mnt/d/.')).toThrow(/EINVAL|EISDIR/);
    expect(() => k.vfs.link('/mnt/d', '/mnt/d2')).toThrow(/EPERM/);
    expect(k.vfs.pathconf('/mnt/d', 4)).toBeGreaterThan(0n); // _PC_NAME_MAX
    expect(k.vfs.pathconf('/', 4)).toBe(255n);
    expect(() => k.vfs.mkdir('/mnt/d/.')).toThrow(/EEXIST|EISDIR|EINVAL/);
    expect(() => k.vfs.symlink('x', '/mnt/d/.')).toThrow(/EEXIST|EISDIR|EINVAL/);
    expect(() => k.vfs.mkdir('/.')).toThrow(/EEXIST|EISDIR|EINVAL/);
    // Everything is still usable and unmounts cleanly.
    k.vfs.rmdir('/mnt/d');
    k.vfs.unmount('/mnt');
  });
});

describe('mount cycles', () => {
  it('mount, use and unmount leave kernel memory as they found it', () => {
    const { k } = withTinyfs();
    const cycle = () => {
      k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 0);
      const f = k.vfs.open('/mnt/new', 0x200 | 2, 0o644);
      k.vfs.write(f, new Uint8Array(10000).fill(1));
      k.vfs.close(f);
      k.vfs.readdir('/mnt/dir');
      k.vfs.readFile('/mnt/dir/up');
      k.vfs.unlink('/mnt/new');
      k.vfs.unmount('/mnt');
    };
    k.vfs.unmount('/mnt');
    cycle();
    const before = k.kmem.stats();
    const vnodes = k.vfs.vnodeCount();
    cycle();
    cycle();
    expect(k.vfs.vnodeCount()).toBe(vnodes);
    expect(k.kmem.stats()).toEqual(before);
  });
});

describe('name cache', () => {
  for (const enabled of [true, false]) {
    it(`${enabled ? 'hits, negative entries and purges' : 'disabled: every lookup misses'} keep lookups right`, () => {
      const { k } = withTinyfs();
      const nc = k.vfs.cache;
      nc.enabled = enabled;
      k.vfs.stat('/mnt/dir/up');
      const h0 = nc.stats.hits;
      k.vfs.stat('/mnt/dir/up');
      if (enabled) expect(nc.stats.hits).toBeGreaterThan(h0);
      else expect(nc.stats.hits).toBe(0);
      expect(() => k.vfs.stat('/mnt/dir/later')).toThrow(/ENOENT/);
      expect(() => k.vfs.stat('/mnt/dir/later')).toThrow(/ENOENT/);
      if (enabled) expect(nc.stats.negativeHits).toBeGreaterThan(0);
      k.vfs.close(k.vfs.open('/mnt/dir/later', 0x200 | 1, 0o644));
      expect(k.vfs.stat('/mnt/dir/later').size).toBe(0n);
      k.vfs.rename('/mnt/dir/later', '/mnt/moved');
      expect(() => k.vfs.stat('/mnt/dir/later')).toThrow(/ENOENT/);
      expect(k.vfs.stat('/mnt/moved').size).toBe(0n);
      k.vfs.unlink('/mnt/moved');
      expect(() => k.vfs.stat('/mnt/moved')).toThrow(/ENOENT/);
      k.vfs.mkdir('/mnt/dir/sub');
      k.vfs.rmdir('/mnt/dir/sub');
      expect(() => k.vfs.stat('/mnt/dir/sub')).toThrow(/ENOENT/);
      k.vfs.unmount('/mnt');
      expect(nc.stats.entries).toBe(0);
    });
  }
});
