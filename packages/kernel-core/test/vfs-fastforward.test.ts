import { describe, expect, it, vi } from 'vitest';
import type { Kernel } from '../src/index.js';
import { kvaOf } from '../src/kern/kva.js';
import { mountTinyfs } from './helpers.js';

const IMNT_NCLOOKUP = 0x20;

/**
 * tinyfs caches owner and mode with cache_enter_id; `nclookup` also opts its mount into
 * name-cache lookups (IMNT_NCLOOKUP, as ffs sets it), which lets namei skip VOP_LOOKUP on hits.
 */
function withTinyfs(nclookup: boolean) {
  const { k } = mountTinyfs({
    file: { type: 'file', content: 'data\n' },
    dir: {
      type: 'dir',
      entries: {
        up: { type: 'symlink', target: '../file' },
        inner: { type: 'file', content: 'inner\n' },
        sub: { type: 'dir', entries: { deep: { type: 'file', content: 'deep\n' } } },
      },
    },
  });
  const mp = k.vfs.mounts.list[k.vfs.mounts.list.length - 1]!;
  if (nclookup) k.vfs.mounts.setIflag(mp, k.vfs.mounts.iflag(mp) | IMNT_NCLOOKUP);
  const lookups = vi.spyOn(k.vfs.vop, 'lookupK');
  return { k, lookups };
}

/** Sets the effective uid of curlwp's credential (lwp0 runs every call). */
function setEuid(k: Kernel, euid: number): void {
  k.mem.write32(k.vfs.cred() + BigInt(k.S.kauth_cred.cr_euid.offset), euid);
}

describe('namei: lookup_fastforward over the name cache', () => {
  it('skips VOP_LOOKUP for cached components, with the same results', () => {
    const slow = withTinyfs(false);
    const fast = withTinyfs(true);
    const paths = [
      '/mnt/dir/inner',
      '/mnt/dir/up',
      '/mnt/dir/sub/deep',
      '/mnt/dir/sub',
      '/mnt/file',
    ];
    for (const { k } of [slow, fast]) for (const p of paths) k.vfs.stat(p);
    slow.lookups.mockClear();
    fast.lookups.mockClear();
    for (const p of paths) {
      const a = slow.k.vfs.stat(p);
      const b = fast.k.vfs.stat(p);
      expect(b).toEqual(a);
    }
    // Slow: every component; fast: only "mnt" in the root file system and ".." of dir/up.
    expect(slow.lookups.mock.calls.length).toBeGreaterThanOrEqual(13);
    expect(fast.lookups.mock.calls.length).toBe(paths.length + 1);
    // A terminal hit takes no reference on its directory (lookup_fastforward), so the directory
    // is not inactivated afterwards; the slow path references and releases it.
    const dirOf = (k: Kernel) => {
      const w = k.vfs.lookup.nameiSimpleK('/mnt/dir', true);
      const vp = w.vp;
      k.vfs.vnodes.vreleK(vp);
      return vp;
    };
    const sDir = dirOf(slow.k);
    const fDir = dirOf(fast.k);
    const si = vi.spyOn(slow.k.vfs.vop, 'inactiveK');
    const fi = vi.spyOn(fast.k.vfs.vop, 'inactiveK');
    slow.k.vfs.stat('/mnt/dir/inner');
    fast.k.vfs.stat('/mnt/dir/inner');
    expect(si.mock.calls.some((c) => c[0] === sDir)).toBe(true);
    expect(fi.mock.calls.some((c) => c[0] === fDir)).toBe(false);
    expect(fi.mock.calls.length).toBe(si.mock.calls.length - 1);
    // Negative entries answer ENOENT; a created name is found afterwards.
    for (const { k } of [slow, fast]) {
      expect(() => k.vfs.stat('/mnt/dir/later')).toThrow(/ENOENT/);
      expect(() => k.vfs.stat('/mnt/dir/later/x')).toThrow(/ENOENT/);
      expect(() => k.vfs.stat('/mnt/dir/later')).toThrow(/ENOENT/);
      k.vfs.close(k.vfs.open('/mnt/dir/later', 0x200 | 1, 0o644));
      expect(k.vfs.stat('/mnt/dir/later').size).toBe(0n);
      expect(() => k.vfs.stat('/mnt/dir/inner/x')).toThrow(/ENOTDIR/);
      expect(() => k.vfs.stat('/mnt/dir/inner/')).toThrow(/ENOTDIR/);
      k.vfs.unlink('/mnt/dir/later');
      expect(() => k.vfs.stat('/mnt/dir/later')).toThrow(/ENOENT/);
    }
    // Every reference a lookup took is back: the vnodes go away with the unmount.
    for (const { k } of [slow, fast]) {
      const vnodes = k.vfs.vnodeCount();
      k.vfs.stat('/mnt/dir/sub/deep');
      expect(k.vfs.vnodeCount()).toBe(vnodes);
      k.vfs.unmount('/mnt');
      k.vfs.mountUfs('tinyfs', '/tiny.img', '/mnt', 0);
      expect(k.vfs.readFile('/mnt/dir/sub/deep')).toEqual(new TextEncoder().encode('deep\n'));
    }
  });

  it('checks search permission on the cached owner and mode, as VOP_ACCESS would', () => {
    for (const nclookup of [false, true]) {
      const { k } = withTinyfs(nclookup);
      k.vfs.stat('/mnt/dir/inner');
      k.vfs.chmod('/mnt/dir', 0o700);
      setEuid(k, 1000);
      expect(() => k.vfs.stat('/mnt/dir/inner')).toThrow(/EACCES/);
      expect(() => k.vfs.stat('/mnt/dir/sub/deep')).toThrow(/EACCES/);
      setEuid(k, 0);
      // Not the owner; in the directory's group (gid 0, as the credential's): the group bits.
      k.vfs.chmod('/mnt/dir', 0o701);
      setEuid(k, 1000);
      expect(() => k.vfs.stat('/mnt/dir/inner')).toThrow(/EACCES/);
      setEuid(k, 0);
      k.vfs.chmod('/mnt/dir', 0o710);
      setEuid(k, 1000);
      expect(k.vfs.stat('/mnt/dir/inner').size).toBe(6n);
      setEuid(k, 0);
      k.vfs.chown('/mnt/dir', 1000, 0);
      k.vfs.chmod('/mnt/dir', 0o100);
      setEuid(k, 1000);
      expect(k.vfs.stat('/mnt/dir/inner').size).toBe(6n);
      setEuid(k, 0);
    }
  });

  it('remembers the root of a mounted file system (cache_enter_mount) until the unmount', () => {
    const { k } = withTinyfs(true);
    const mp = k.vfs.mounts.list.at(-1)!;
    const covered = kvaOf(k.mem.read64(k.vfs.mounts.field(mp, 'mnt_vnodecovered')));
    expect(k.vfs.cache.mountRootK(covered)).toBe(0);
    k.vfs.stat('/mnt/file');
    const root = k.vfs.cache.mountRootK(covered);
    expect(root).not.toBe(0);
    const ino = k.vfs.stat('/mnt').ino;
    expect(k.vfs.stat('/mnt/dir/..').ino).toBe(ino);
    k.vfs.unmount('/mnt');
    expect(k.vfs.cache.mountRootK(covered)).toBe(0);
    expect(() => k.vfs.stat('/mnt/file')).toThrow(/ENOENT/);
  });
});
