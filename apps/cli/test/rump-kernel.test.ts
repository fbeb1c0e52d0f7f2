/**
 * The file commands end to end on the real rump kernel (@rump/syscalls over @rump/kernel-core):
 * the project's tinyfs.kmod in every run, checked against an independent reader of the format
 * (kernel-core's test support: readTinyfs, checkTinyfs); NetBSD's own ffs.kmod when
 * RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH (a folder with ufs.kmod) are set.
 */
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { checkTinyfs, flattenTinyfs, readTinyfs } from '@rump/tinyfs';
import { beforeEach, describe, expect, it } from 'vitest';
import { lockPath } from '../src/lock.js';
import { gunzipFixture, scratchDir } from './support/fixtures.js';
import { mbrSector, SECTOR } from './support/images.js';
import { HAS_NETBSD_FFS, netbsdFfs } from './support/modules.js';
import { runRump, runRumpTinyfs as T } from './support/run.js';
import { writeTinyfs } from './support/tinyfs-images.js';

const dir = scratchDir('rump-kernel-');
let image: string;

const at = (p: string) => `${image}:${p}`;
const tree = () => flattenTinyfs(readTinyfs(readFileSync(image)));

beforeEach(() => {
  image = join(dir, `t${Math.random().toString(36).slice(2)}.img`);
  writeTinyfs(image, {
    entries: {
      etc: {
        type: 'dir',
        entries: {
          motd: { type: 'file', content: 'hello from tinyfs\n' },
          passwd: { type: 'file', content: 'root:*:0:0::/root:/bin/sh\n', mode: 0o600 },
        },
      },
      big: { type: 'file', content: new Uint8Array(100_000).fill(7) },
      l: { type: 'symlink', target: 'etc/motd' },
    },
  });
});

describe('tinyfs.kmod through the rump kernel', () => {
  it('lists, reads and stats, mounting read-only without changing a byte', async () => {
    const before = readFileSync(image);
    const ls = await T('ls', '-l', image);
    expect(ls.status, ls.err).toBe(0);
    expect(ls.out).toMatch(
      /^-rw-r--r-- +1 +0 +0 +100000 +2025-01-11 00:00 +big\ndrwxr-xr-x +2 +0 +0 +4096 .* etc\nlrwxrwxrwx .* l -> etc\/motd\n$/,
    );
    expect((await T('cat', at('/etc/motd'), at('/l'))).out).toBe(
      'hello from tinyfs\nhello from tinyfs\n',
    );
    const st = JSON.parse((await T('--json', 'stat', at('/etc/passwd'))).out)[0];
    expect([st.mode, st.size, st.mtime]).toEqual(['0600', 26, '2025-01-11T00:00:00.000Z']);
    expect((await T('tree', image)).out).toBe(
      '/\n├── big\n├── etc\n│   ├── motd\n│   └── passwd\n└── l -> etc/motd\n\n1 directory, 4 files\n',
    );
    expect((await T('find', '--name', 'p*', image)).out).toBe('/etc/passwd\n');
    expect((await T('df', image)).out).toMatch(/tinyfs/);
    expect(readFileSync(image).equals(before)).toBe(true);
  });

  it('says why in one line when a path is wrong', async () => {
    expect((await T('cat', at('/nope'))).err).toBe(
      `rump: cat: ${image}:/nope: No such file or directory (ENOENT)\n`,
    );
    expect((await T('cat', at('/etc'))).err).toMatch(/:\/etc: Is a directory \(EISDIR\)\n$/);
    expect((await T('rmdir', at('/etc'))).err).toBe(
      `rump: rmdir: ${image}:/etc: Directory not empty (ENOTEMPTY)\n`,
    );
    expect((await T('ls', at('/etc/motd/x'))).err).toMatch(/Not a directory \(ENOTDIR\)/);
  });

  it('copies a tree in and out with -rp, and the image stays consistent', async () => {
    const src = join(dir, 'src');
    rmSync(src, { recursive: true, force: true });
    mkdirSync(join(src, 'sub'), { recursive: true });
    const blob = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff);
    writeFileSync(join(src, 'blob'), blob);
    writeFileSync(join(src, 'sub', 'note'), 'note\n', { mode: 0o640 });
    symlinkSync('../blob', join(src, 'sub', 'link'));
    utimesSync(join(src, 'sub', 'note'), 1_000_000_000, 1_000_000_000);
    const put = await T('put', '-rp', src, at('/'));
    expect(put.status, put.err).toBe(0);
    expect(checkTinyfs(readFileSync(image)).problems).toEqual([]);
    const files = tree();
    const blobNode = files.get('/src/blob');
    expect(
      blobNode?.type === 'file' && Buffer.from(blobNode.content).equals(Buffer.from(blob)),
    ).toBe(true);
    const note = files.get('/src/sub/note')!;
    expect([note.inode.mode & 0o7777, Number(note.inode.mtime)]).toEqual([0o640, 1_000_000_000]);
    expect(files.get('/src/sub/link')).toMatchObject({ type: 'symlink', target: '../blob' });

    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    const get = await T('get', '-rp', at('/src'), out);
    expect(get.status, get.err).toBe(0);
    expect(readFileSync(join(out, 'blob')).equals(Buffer.from(blob))).toBe(true);
    expect(statSync(join(out, 'sub', 'note')).mode & 0o7777).toBe(0o640);
    expect(statSync(join(out, 'sub', 'note')).mtimeMs).toBe(1_000_000_000_000);
    expect(readlinkSync(join(out, 'sub', 'link'))).toBe('../blob');
    expect(lstatSync(lockPath(image), { throwIfNoEntry: false })).toBeUndefined();
  });

  it('changes the tree: mkdir, mv, ln, chmod, chown, touch, rm', async () => {
    const ok = async (...argv: string[]) => {
      const r = await T(...argv);
      expect(r.status, `${argv.join(' ')}: ${r.err}`).toBe(0);
    };
    await ok('mkdir', '-p', at('/a/b'));
    await ok('mv', at('/etc/motd'), at('/a'));
    await ok('ln', at('/etc/passwd'), '/pw');
    await ok('ln', '-s', '/a/motd', at('/sym'));
    await ok('chmod', 'go+r', at('/pw'));
    await ok('chown', '12:34', at('/big'));
    await ok('touch', '-d', '@1500000000', at('/a/new'));
    await ok('rm', '-r', at('/a/b'));
    await ok('rm', at('/l'));
    expect(checkTinyfs(readFileSync(image)).problems).toEqual([]);
    const f = tree();
    expect([...f.keys()].sort()).toEqual([
      '/',
      '/a',
      '/a/motd',
      '/a/new',
      '/big',
      '/etc',
      '/etc/passwd',
      '/pw',
      '/sym',
    ]);
    expect(f.get('/pw')!.inode.ino ?? f.get('/pw')!.inode).toEqual(
      f.get('/etc/passwd')!.inode.ino ?? f.get('/etc/passwd')!.inode,
    );
    expect(f.get('/pw')!.inode.mode & 0o777).toBe(0o644);
    expect([f.get('/big')!.inode.uid, f.get('/big')!.inode.gid]).toEqual([12, 34]);
    expect(Number(f.get('/a/new')!.inode.mtime)).toBe(1_500_000_000);
    expect(f.get('/sym')).toMatchObject({ type: 'symlink', target: '/a/motd' });
  });

  it('mounts a partition of a whole disk through etfs with an offset and size', async () => {
    const fs = readFileSync(image);
    const disk = new Uint8Array(2048 * SECTOR + fs.length + 4096);
    disk.set(mbrSector([{ type: 0xa9, start: 2048, sectors: fs.length / SECTOR }]));
    disk.set(fs, 2048 * SECTOR);
    const whole = join(dir, 'whole.img');
    writeFileSync(whole, disk);
    expect((await T('cat', `${whole}@1:/etc/motd`)).out).toBe('hello from tinyfs\n');
    // The one partition with a file system is found without @1.
    expect((await T('ls', whole)).out).toBe('big\netc\nl\n');
    expect((await T('mkdir', `${whole}@1:/inside`)).status).toBe(0);
    const after = readFileSync(whole);
    expect(
      after.subarray(0, 2048 * SECTOR).equals(Buffer.from(disk.subarray(0, 2048 * SECTOR))),
    ).toBe(true);
    expect(checkTinyfs(after.subarray(2048 * SECTOR, 2048 * SECTOR + fs.length)).problems).toEqual(
      [],
    );
  });
});

const NEED = '(needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH with ufs.kmod)';

describe.each(['tiny-ffs1.img.gz', 'tiny-ffs2.img.gz'])('NetBSD ffs.kmod on %s', (name) => {
  it.skipIf(!HAS_NETBSD_FFS)(`lists, reads, copies in and out ${NEED}`, async () => {
    const img = join(dir, name.replace('.gz', ''));
    writeFileSync(img, gunzipFixture(name));
    const F = (...argv: string[]) => runRump(...netbsdFfs(), ...argv);
    const ls = await F('ls', '-lR', img);
    expect(ls.status, ls.err).toBe(0);
    expect(ls.out).toContain('README');
    const readme = await F('cat', `${img}:/a_directory/README`);
    expect(readme.out.length).toBe(155);
    const local = join(dir, `${name}.txt`);
    writeFileSync(local, 'written by rump put\n');
    expect((await F('put', local, `${img}:/a_directory/new.txt`)).status).toBe(0);
    expect((await F('cat', `${img}:/a_directory/new.txt`)).out).toBe('written by rump put\n');
    const copy = join(dir, `${name}.copy`);
    copyFileSync(img, copy);
    expect(
      (await F('get', `${copy}:/a_directory/README`, join(dir, `${name}.readme`))).status,
    ).toBe(0);
    expect(readFileSync(join(dir, `${name}.readme`), 'utf8')).toBe(readme.out);
  });
});
