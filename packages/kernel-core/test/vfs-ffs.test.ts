/**
 * The real NetBSD ffs.kmod (and ufs.kmod) on the VFS: vector construction, read-only mounts of
 * makefs images, every directory listed, every file stat'ed and read back against the source
 * tree's SHA-256, symlinks, and the image unchanged afterwards. Needs RUMP_TEST_FFS_KMOD (ffs.kmod)
 * and RUMP_TEST_MODULE_PATH (a directory holding ufs.kmod); the images come from
 * /work/netbsd/images or the committed tiny fixtures.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../src/index.js';
import { checkTree, runWriteSuite } from './support/vfs-write-suite.js';

const FFS = process.env.RUMP_TEST_FFS_KMOD;
const MODPATH = process.env.RUMP_TEST_MODULE_PATH;
const HAVE = !!FFS && !!MODPATH && existsSync(FFS) && existsSync(join(MODPATH, 'ufs.kmod'));
const NEED = '(needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH with ufs.kmod)';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const IMAGES = '/work/netbsd/images';
const MNT_RDONLY = 1;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function boot(image: Uint8Array): { k: Kernel; host: MemoryHost } {
  const host = new MemoryHost();
  host.addFile('/modules/ufs.kmod', readFileSync(join(MODPATH!, 'ufs.kmod')));
  host.addFile('/host/ffs.kmod', readFileSync(FFS!));
  host.addFile('/host/ffs.img', image);
  const k = createKernel({ host, modulePath: ['/modules'] });
  k.etfs.register('/ffs.kmod', '/host/ffs.kmod', 'REG');
  k.etfs.register('/ffs.img', '/host/ffs.img', 'BLK');
  k.modctl('load', { filename: '/ffs.kmod' });
  k.vfs.mkdir('/mnt');
  return { k, host };
}

function parseSums(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const r = /^([0-9a-f]{64}) {2}\.(\/.*)$/.exec(line);
    if (r) m.set(r[2]!, r[1]!);
  }
  return m;
}

function parseLinks(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(' -> ');
    if (line.startsWith('./') && i > 0) m.set(line.slice(1, i), line.slice(i + 4));
  }
  return m;
}

/** Walks the mounted tree: every directory listed, every entry stat'ed, every file read. */
function walk(k: Kernel, root: string) {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const dirs: string[] = [];
  const visit = (dir: string) => {
    dirs.push(dir);
    const ents = k.vfs.readdir(root + dir);
    const names = ents.map((e) => e.name);
    expect(names).toContain('.');
    expect(names).toContain('..');
    for (const e of ents) {
      if (e.name === '.' || e.name === '..') continue;
      const p = `${dir === '/' ? '' : dir}/${e.name}`;
      const st = k.vfs.lstat(root + p);
      expect(st.ino).toBe(e.fileno);
      const fmt = st.mode & S_IFMT;
      if (fmt === S_IFDIR) {
        expect(e.type).toBe(4);
        visit(p);
      } else if (fmt === S_IFREG) {
        expect(e.type).toBe(8);
        const data = k.vfs.readFile(root + p);
        expect(BigInt(data.length)).toBe(st.size);
        files.set(p, sha256(data));
      } else if (fmt === S_IFLNK) {
        expect(e.type).toBe(10);
        const t = new TextDecoder().decode(k.vfs.readlink(root + p));
        expect(BigInt(t.length)).toBe(st.size);
        links.set(p, t);
      }
    }
  };
  visit('/');
  return { files, links, dirs };
}

describe('ffs.kmod', () => {
  it.skipIf(!HAVE)(`vfs_attach builds ffs's vectors as vfs_opv_init does ${NEED}`, () => {
    const { k } = boot(new Uint8Array(1 << 20));
    const vec = k.mem.read64(k.modules.symbol('ffs', 'ffs_vnodeop_p')!);
    expect(vec).not.toBe(0n);
    const slot = (i: number) => k.mem.read64(vec + BigInt(8 * i));
    expect(slot(3)).toBe(k.modules.symbol('ufs', 'ufs_lookup'));
    expect(slot(35)).toBe(k.ksyms.resolve('genfs_lock'));
    expect(slot(44)).toBe(k.ksyms.resolve('genfs_getpages'));
    expect(slot(0)).toBe(k.ksyms.resolve('vn_default_error'));
    for (let i = 0; i < 55; i++) expect(slot(i)).not.toBe(0n);
    const spec = k.mem.read64(k.modules.symbol('ffs', 'ffs_specop_p')!);
    expect(k.mem.read64(spec + 8n * 6n)).toBe(
      k.modules.symbol('ufs', 'ufsspec_open') ?? k.ksyms.resolve('spec_open'),
    );
  });

  for (const [name, gz] of [
    ['tiny-ffs1', true],
    ['tiny-ffs2', true],
    ['ffs1', false],
    ['ffs2', false],
  ] as const) {
    const path = gz ? join(FIXTURES, `${name}.img.gz`) : join(IMAGES, `${name}.img`);
    const sums = gz ? join(IMAGES, 'tiny-tree.sha256') : join(IMAGES, 'tree.sha256');
    const have = HAVE && existsSync(path) && (gz || existsSync(sums));
    it.skipIf(!have)(
      `${name}: read-only mount, every file matches its SHA-256, image unchanged ${NEED}`,
      () => {
        const raw = readFileSync(path);
        const image = new Uint8Array(gz ? gunzipSync(raw) : raw);
        const before = sha256(image);
        const { k, host } = boot(image);
        k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', MNT_RDONLY);
        const sv = k.vfs.statvfs('/mnt');
        expect(sv.fstypename).toBe('ffs');
        expect(sv.mntonname).toBe('/mnt');
        expect(sv.iosize).toBeGreaterThan(0n);
        // Sizes as ffs_statvfs computes them from the superblock: within the image, consistent.
        expect(sv.frsize).toBeGreaterThan(0n);
        expect(sv.bsize % sv.frsize).toBe(0n);
        expect(sv.blocks * sv.frsize).toBeLessThanOrEqual(BigInt(image.length));
        expect(sv.blocks * sv.frsize).toBeGreaterThan(BigInt(image.length) / 2n);
        expect(sv.bfree).toBeLessThanOrEqual(sv.blocks);
        expect(sv.files).toBeGreaterThan(0n);
        expect(sv.namemax).toBe(255n);
        expect(sv.flag & 1n).toBe(1n); // MNT_RDONLY
        const { files, links } = walk(k, '/mnt');
        const want = existsSync(sums)
          ? parseSums(readFileSync(sums, 'utf8'))
          : new Map([['/a_directory/README', '']]);
        expect([...files.keys()].sort()).toEqual([...want.keys()].sort());
        if (existsSync(sums)) for (const [p, h] of want) expect(files.get(p), p).toBe(h);
        if (!gz) {
          const wantLinks = parseLinks(readFileSync(join(IMAGES, 'tree.symlinks'), 'utf8'));
          expect(links).toEqual(wantLinks);
        }
        k.vfs.unmount('/mnt');
        expect(sha256(host.readFile('/host/ffs.img'))).toBe(before);
      },
    );
  }

  for (const name of ['tiny-ffs1', 'tiny-ffs2']) {
    const path = join(FIXTURES, `${name}.img.gz`);
    it.skipIf(!HAVE || !existsSync(path))(
      `${name}: the classic scenario — truncate, pwrite, reboot, remount ${NEED}`,
      () => {
        const image = new Uint8Array(gunzipSync(readFileSync(path)));
        const SBLOCK = 8192;
        const FS_CLEAN = 0xd1;
        expect(image[SBLOCK + FS_CLEAN]).toBe(1);
        const { k, host } = boot(image);
        k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', 0);
        // Mounted read-write: ffs_mountfs shifts FS_ISCLEAN to FS_WASCLEAN (2) on disk.
        expect(host.readFile('/host/ffs.img')[SBLOCK + FS_CLEAN]).toBe(2);
        const f = k.vfs.open('/mnt/a_directory/README', 2);
        const old = new TextDecoder().decode(k.vfs.read(f, 4096));
        expect(old.length).toBeGreaterThan(0);
        k.vfs.ftruncate(f, 0);
        expect(k.vfs.fstat(f).size).toBe(0n);
        const text = new TextEncoder().encode('Is that a rump kernel in your pocket?\n');
        expect(k.vfs.pwrite(f, text, 0)).toBe(text.length);
        k.vfs.close(f);
        expect(k.vfs.shutdown(0)).toBe(true);
        const after = host.readFile('/host/ffs.img');
        expect(after[SBLOCK + FS_CLEAN]).toBe(1);
        // A fresh kernel reads the new text.
        const again = boot(after.slice());
        again.k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', MNT_RDONLY);
        expect(new TextDecoder().decode(again.k.vfs.readFile('/mnt/a_directory/README'))).toBe(
          'Is that a rump kernel in your pocket?\n',
        );
        again.k.vfs.unmount('/mnt');
      },
    );
  }

  for (const name of ['tiny-ffs1', 'tiny-ffs2']) {
    const path = join(FIXTURES, `${name}.img.gz`);
    it.skipIf(!HAVE || !existsSync(path))(
      `${name}: write suite on a copy, remount equal, fs clean ${NEED}`,
      () => {
        const image = new Uint8Array(gunzipSync(readFileSync(path)));
        const { k, host } = boot(image);
        k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', 0);
        const model = runWriteSuite(k, { bigFile: 300000, fill: true });
        expect(k.vfs.shutdown(0)).toBe(true);
        const after = host.readFile('/host/ffs.img');
        expect(after[8192 + 0xd1]).toBe(1);
        const again = boot(after.slice());
        again.k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', MNT_RDONLY);
        checkTree(again.k, model);
      },
    );
  }

  const tiny1 = join(FIXTURES, 'tiny-ffs1.img.gz');
  it.skipIf(!HAVE || !existsSync(tiny1))(
    `an image left mounted (no unmount) stays "not clean" across the next mounts ${NEED}`,
    () => {
      const SB_CLEAN = 8192 + 0xd1;
      const { k, host } = boot(new Uint8Array(gunzipSync(readFileSync(tiny1))));
      k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', 0);
      const f = k.vfs.open('/mnt/synced', 0x200 | 2, 0o644);
      k.vfs.write(f, new TextEncoder().encode('made it to disk\n'));
      k.vfs.fsync(f);
      k.vfs.close(f);
      k.vfs.sync();
      // "Crash": the kernel is dropped without unmounting; the image is what the disk got.
      const crashed = host.readFile('/host/ffs.img').slice();
      expect(crashed[SB_CLEAN]).toBe(2); // FS_WASCLEAN: mounted read-write
      const ro = boot(crashed.slice());
      ro.k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', MNT_RDONLY);
      expect(ro.k.dmesg()).toMatch(/not clean/);
      expect(new TextDecoder().decode(ro.k.vfs.readFile('/mnt/synced'))).toBe('made it to disk\n');
      ro.k.vfs.unmount('/mnt');
      const rw = boot(crashed.slice());
      rw.k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', 0);
      expect(new TextDecoder().decode(rw.k.vfs.readFile('/mnt/synced'))).toBe('made it to disk\n');
      rw.k.vfs.unmount('/mnt');
      // ffs keeps a file system that was not clean marked so until fsck: fs_clean stays 0.
      expect(rw.host.readFile('/host/ffs.img')[SB_CLEAN]).toBe(0);
    },
  );
});
