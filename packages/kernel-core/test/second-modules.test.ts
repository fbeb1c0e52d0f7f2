/**
 * NetBSD file-system modules other than ffs, on the same kernel: msdos, cd9660, ext2fs (with
 * ufs) and tmpfs. Each is loaded with modctl, its image mounted read-only, every directory
 * listed and every file read back against the tree the image was made from. Needs
 * RUMP_TEST_{MSDOS,CD9660,EXT2FS,TMPFS}_KMOD (module files; ext2fs also RUMP_TEST_MODULE_PATH
 * with ufs.kmod) and RUMP_TEST_SECOND_IMAGES (a directory with msdos.img, cd9660.img,
 * ext2fs.img and tree/, the files the images hold).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../src/index.js';

const IMAGES = process.env.RUMP_TEST_SECOND_IMAGES;
const MODPATH = process.env.RUMP_TEST_MODULE_PATH;
const MNT_RDONLY = 1;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const O_RDWR = 2;
const O_CREAT = 0x200;

interface Case {
  name: string;
  env: string;
  image?: string;
  /** The mount args struct, given the guest address of the device path. */
  args?: (fspec: bigint) => Uint8Array;
  /** A name as the file system shows it (msdosfs shows 8.3-only names in upper case). */
  rename?: (n: string) => string;
  /** Permissions of /hello.txt: the mount's mask (msdosfs), else the file's own. */
  helloMode?: number;
  /** Entries the file system makes itself (ext2fs's lost+found). */
  extra?: string[];
}

/** mtools stores lowercase names that fit 8.3 as short names only (case kept in NT flag bits
 * NetBSD's msdosfs does not read), so NetBSD lists them in upper case. */
const fits83 = (n: string) => /^[a-z0-9_]{1,8}(\.[a-z0-9_]{1,3})?$/.test(n);

const le = (buf: Uint8Array, off: number, v: bigint | number, size: 4 | 8) => {
  const dv = new DataView(buf.buffer);
  if (size === 8) dv.setBigUint64(off, BigInt(v), true);
  else dv.setUint32(off, Number(v), true);
};

const CASES: Case[] = [
  {
    name: 'msdos',
    env: 'RUMP_TEST_MSDOS_KMOD',
    image: 'msdos.img',
    // struct msdosfs_args: fspec, export_args30, uid 136, gid 140, mask 144, flags 148,
    // version 152 (MSDOSFSMNT_VERSION 3), dirmask 156, gmtoff 160; 168 bytes.
    args: (fspec) => {
      const b = new Uint8Array(168);
      le(b, 0, fspec, 8);
      le(b, 144, 0o755, 4);
      le(b, 152, 3, 4);
      le(b, 156, 0o755, 4);
      return b;
    },
    rename: (n) => (fits83(n) ? n.toUpperCase() : n),
    helloMode: 0o755,
  },
  {
    name: 'cd9660',
    env: 'RUMP_TEST_CD9660_KMOD',
    image: 'cd9660.img',
    // struct iso_args: fspec, export_args30, flags 136, uid 140, gid 144, fmask 148, dmask 152;
    // 160 bytes. mount_cd9660's default masks are 0777 (the masks apply to every mode).
    args: (fspec) => {
      const b = new Uint8Array(160);
      le(b, 0, fspec, 8);
      le(b, 148, 0o777, 4);
      le(b, 152, 0o777, 4);
      return b;
    },
  },
  {
    name: 'ext2fs',
    env: 'RUMP_TEST_EXT2FS_KMOD',
    image: 'ext2fs.img',
    extra: ['/lost+found'],
    args: (fspec) => {
      const b = new Uint8Array(8);
      le(b, 0, fspec, 8);
      return b;
    },
  },
  {
    name: 'tmpfs',
    env: 'RUMP_TEST_TMPFS_KMOD',
    // struct tmpfs_args: ta_version (TMPFS_ARGS_VERSION 1), ta_nodes_max 8, ta_size_max 16,
    // ta_root_uid 24, ta_root_gid 28, ta_root_mode 32; 40 bytes.
    args: () => {
      const b = new Uint8Array(40);
      le(b, 0, 1, 4);
      le(b, 32, 0o755, 4);
      return b;
    },
  },
];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function hostTree(dir: string, rename: (n: string) => string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const n = `${prefix}/${rename(e)}`;
    if (statSync(p).isDirectory()) {
      out.set(n, 'dir');
      for (const [k, v] of hostTree(p, rename, n)) out.set(k, v);
    } else out.set(n, sha256(readFileSync(p)));
  }
  return out;
}

function guestTree(k: Kernel, dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of k.vfs.readdir(dir)) {
    if (e.name === '.' || e.name === '..') continue;
    const p = `${dir}/${e.name}`;
    const st = k.vfs.stat(p);
    if ((st.mode & S_IFMT) === S_IFDIR) {
      out.set(`${prefix}/${e.name}`, 'dir');
      for (const [n, v] of guestTree(k, p, `${prefix}/${e.name}`)) out.set(n, v);
    } else {
      const data = k.vfs.readFile(p);
      expect(BigInt(data.length), p).toBe(st.size);
      out.set(`${prefix}/${e.name}`, sha256(data));
    }
  }
  return out;
}

function boot(c: Case): { k: Kernel; host: MemoryHost } {
  const host = new MemoryHost();
  if (MODPATH && existsSync(join(MODPATH, 'ufs.kmod')))
    host.addFile('/modules/ufs.kmod', readFileSync(join(MODPATH, 'ufs.kmod')));
  host.addFile(`/host/${c.name}.kmod`, readFileSync(process.env[c.env]!));
  const k = createKernel({ host, modulePath: ['/modules'] });
  k.etfs.register(`/${c.name}.kmod`, `/host/${c.name}.kmod`, 'REG');
  if (c.image) {
    host.addFile(`/host/${c.image}`, readFileSync(join(IMAGES!, c.image)));
    k.etfs.register(`/${c.image}`, `/host/${c.image}`, 'BLK');
  }
  return { k, host };
}

for (const c of CASES) {
  const kmod = process.env[c.env];
  const have =
    !!kmod && existsSync(kmod) && (!c.image || (!!IMAGES && existsSync(join(IMAGES, c.image))));
  describe.skipIf(!have)(
    `NetBSD ${c.name}.kmod (needs ${c.env}${c.image ? ' and RUMP_TEST_SECOND_IMAGES' : ''})`,
    () => {
      it('loads and unloads through modctl', () => {
        const { k, host } = boot(c);
        const st = k.modctl('load', { filename: `/${c.name}.kmod` });
        expect(st).toMatchObject({ name: c.name, class: 'vfs' });
        expect(host.consoleText()).not.toContain('WARNING: module error');
        k.modctl('unload', c.name);
      });

      it.skipIf(!c.image)(
        'mounts its image read-only; every directory and file matches the tree',
        () => {
          const { k } = boot(c);
          k.modctl('load', { filename: `/${c.name}.kmod` });
          k.vfs.mkdir('/mnt');
          const fspec = k.kdata.string(`/${c.image}`);
          const args = c.args!(fspec);
          k.vfs.mount(c.name, '/mnt', MNT_RDONLY, args);
          const want = hostTree(join(IMAGES!, 'tree'), c.rename ?? ((n) => n));
          const got = guestTree(k, '/mnt');
          for (const e of c.extra ?? []) expect(got.delete(e), e).toBe(true);
          const hello = `/mnt/${(c.rename ?? ((n: string) => n))('hello.txt')}`;
          const hostMode = statSync(join(IMAGES!, 'tree', 'hello.txt')).mode & 0o777;
          expect((k.vfs.stat(hello).mode & 0o7777).toString(8)).toBe(
            (c.helloMode ?? hostMode).toString(8),
          );
          expect(k.vfs.stat(hello).mtime.sec).toBe(
            BigInt(Math.floor(statSync(join(IMAGES!, 'tree', 'hello.txt')).mtimeMs / 1000)),
          );
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [p, v] of want) expect(got.get(p), p).toEqual(v);
          k.vfs.unmount('/mnt');
          k.modctl('unload', c.name);
        },
      );

      it.skipIf(!c.image || c.name === 'cd9660')(
        'mounts its image read-write: create, rename (re-keys the vnode), mkdir, remove',
        () => {
          const { k } = boot(c);
          k.modctl('load', { filename: `/${c.name}.kmod` });
          k.vfs.mkdir('/mnt');
          k.vfs.mount(c.name, '/mnt', 0, c.args!(k.kdata.string(`/${c.image}`)));
          const text = new TextEncoder().encode('written through the rump kernel\n');
          const f = k.vfs.open('/mnt/new_file.txt', O_RDWR | O_CREAT, 0o644);
          k.vfs.write(f, text);
          k.vfs.close(f);
          k.vfs.rename('/mnt/new_file.txt', '/mnt/deep/renamed_file.txt');
          expect(k.vfs.readFile('/mnt/deep/renamed_file.txt')).toEqual(text);
          expect(() => k.vfs.stat('/mnt/new_file.txt')).toThrow(/ENOENT/);
          k.vfs.mkdir('/mnt/new_directory');
          k.vfs.rename('/mnt/new_directory', '/mnt/deep/moved_directory');
          const names = k.vfs.readdir('/mnt/deep').map((e) => e.name);
          expect(names).toContain('renamed_file.txt');
          expect(names).toContain('moved_directory');
          k.vfs.unlink('/mnt/deep/renamed_file.txt');
          k.vfs.rmdir('/mnt/deep/moved_directory');
          k.vfs.unmount('/mnt');
          // Mounted again, the tree is as it was.
          k.vfs.mount(c.name, '/mnt', MNT_RDONLY, c.args!(k.kdata.string(`/${c.image}`)));
          const got = guestTree(k, '/mnt');
          for (const e of c.extra ?? []) got.delete(e);
          const want = hostTree(join(IMAGES!, 'tree'), c.rename ?? ((n) => n));
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          k.vfs.unmount('/mnt');
        },
      );

      it.skipIf(!!c.image || !IMAGES)(
        'mounts empty, takes a copy of the tree, reads it back, removes it',
        () => {
          const { k } = boot(c);
          k.modctl('load', { filename: `/${c.name}.kmod` });
          k.vfs.mkdir('/mnt');
          k.vfs.mount(c.name, '/mnt', 0, c.args!(0n));
          const want = hostTree(join(IMAGES!, 'tree'), (n) => n);
          const copy = (dir: string, to: string) => {
            for (const e of readdirSync(dir)) {
              const p = join(dir, e);
              if (statSync(p).isDirectory()) {
                k.vfs.mkdir(`${to}/${e}`);
                copy(p, `${to}/${e}`);
              } else {
                const f = k.vfs.open(`${to}/${e}`, O_RDWR | O_CREAT, 0o644);
                k.vfs.write(f, readFileSync(p));
                k.vfs.close(f);
              }
            }
          };
          copy(join(IMAGES!, 'tree'), '/mnt');
          const got = guestTree(k, '/mnt');
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [p, v] of want) expect(got.get(p), p).toBe(v);
          const remove = (path: string) => {
            for (const e of k.vfs.readdir(path)) {
              if (e.name === '.' || e.name === '..') continue;
              const p = `${path}/${e.name}`;
              if ((k.vfs.stat(p).mode & S_IFMT) === S_IFDIR) {
                remove(p);
                k.vfs.rmdir(p);
              } else k.vfs.unlink(p);
            }
          };
          remove('/mnt');
          expect(
            k.vfs
              .readdir('/mnt')
              .map((e) => e.name)
              .sort(),
          ).toEqual(['.', '..']);
          k.vfs.unmount('/mnt');
          k.modctl('unload', c.name);
        },
      );
    },
  );
}
