import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_COMMANDS } from '../src/commands/files/index.js';
import { lockImage, lockPath } from '../src/lock.js';
import { type MountPlan, SessionError, setSessionFactory } from '../src/session.js';
import { tinyfsSuperblock } from './support/images.js';
import { MemoryFs } from './support/memory-session.js';
import { runRump as rump, runRumpTinyfs as T } from './support/run.js';

let dir: string;
let image: string;
let fs: MemoryFs;
let plans: MountPlan[];

const img = (path = '') => `${image}${path === '' ? '' : `:${path}`}`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rump-files-'));
  image = join(dir, 'disk.img');
  // A tinyfs superblock: enough for detection to pick tinyfs (the session is in memory).
  writeFileSync(image, tinyfsSuperblock(64 * 1024, 16));
  fs = new MemoryFs().populate({
    '/etc/motd': 'hello\n',
    '/etc/passwd': 'root:*:0:0::/root:/bin/sh\n',
    '/etc/rc.d/': null,
    '/bin/sh': '#!sh',
    '/home/.hidden': 'x',
    '/link': { link: '/etc' },
  });
  plans = [];
  setSessionFactory(async (plan) => {
    plans.push(plan);
    return fs.session(plan);
  });
});
afterEach(() => {
  setSessionFactory(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('refusals before any kernel boots', () => {
  beforeEach(() => setSessionFactory(undefined));

  it('say which module is missing and where they looked', async () => {
    const r = await rump('ls', '--module-path', dir, img('/'));
    expect(r.status).toBe(1);
    expect(r.err).toContain(
      `tinyfs file system: needs tinyfs.kmod: not given with -m and not in the module path (looked for ${join(dir, 'tinyfs.kmod')}, ${join(dir, 'tinyfs', 'tinyfs.kmod')})`,
    );
  });

  it('say which types were tried when nothing is recognised', async () => {
    writeFileSync(image, new Uint8Array(8192));
    const r = await rump('ls', img('/'));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(
      /^rump: ls: .*disk\.img: no file system recognised \(tried ffs: no FFS superblock .*; lfs: .*\); give --fs TYPE to force one \(EFTYPE\)\n$/,
    );
  });

  it('refuse formats NetBSD has no driver for', async () => {
    const b = new Uint8Array(8192);
    b.set(new TextEncoder().encode('EXFAT   '), 3);
    writeFileSync(image, b);
    const r = await rump('cat', img('/x'));
    expect(r.err).toMatch(
      /exFAT: OEM id 'EXFAT' at byte 3; NetBSD has no exFAT driver \(EOPNOTSUPP\)/,
    );
  });
});

describe('reading', () => {
  it('ls lists names, hides dot files unless -a, and -l shows modes and link targets', async () => {
    expect((await T('ls', img('/'))).out).toBe('bin\netc\nhome\nlink\n');
    expect((await T('ls', img('/home'))).out).toBe('');
    expect((await T('ls', '-a', img('/home'))).out).toBe('.hidden\n');
    const long = (await T('ls', '-l', img('/'))).out.split('\n');
    expect(long[0]).toMatch(/^drwxr-xr-x +2 +0 +0 +512 +2025-01-11 00:00 +bin$/);
    expect(long[3]).toMatch(/^lrwxrwxrwx +1 +0 +0 +4 +2025-01-11 00:00 +link -> \/etc$/);
    expect(plans.every((p) => p.readOnly && p.fs === 'tinyfs' && p.fsSource === 'detected')).toBe(
      true,
    );
    expect(fs.unmounts).toBe(4);
  });

  it('ls -R walks subdirectories, follows a symlink operand, and --json gives stat objects', async () => {
    expect((await T('ls', '-R', img('/etc'))).out).toBe(
      '/etc:\nmotd\npasswd\nrc.d\n\n/etc/rc.d:\n',
    );
    expect((await T('ls', img('/link'))).out).toBe('motd\npasswd\nrc.d\n');
    const j = JSON.parse((await T('--json', 'ls', img('/etc'))).out);
    expect(
      j.map((e: { path: string; type: string; mode: string }) => [e.path, e.type, e.mode]),
    ).toEqual([
      ['/etc/motd', 'reg', '0644'],
      ['/etc/passwd', 'reg', '0644'],
      ['/etc/rc.d', 'dir', '0755'],
    ]);
  });

  it('cat writes files in order; errors name IMAGE:PATH and the errno', async () => {
    expect((await T('cat', img('/etc/motd'), img('/bin/sh'))).out).toBe('hello\n#!sh');
    const missing = await T('cat', img('/etc/nope'));
    expect(missing.status).toBe(1);
    expect(missing.err).toBe(`rump: cat: ${image}:/etc/nope: No such file or directory (ENOENT)\n`);
    const json = await T('--json', 'cat', img('/etc/nope'));
    expect(JSON.parse(json.err)).toEqual({
      error: {
        command: 'cat',
        subject: `${image}:/etc/nope`,
        message: 'No such file or directory',
        errno: 'ENOENT',
        exit: 1,
      },
    });
    expect((await T('cat', img('/etc'))).err).toMatch(/:\/etc: Is a directory \(EISDIR\)/);
    expect((await T('cat', image)).status).toBe(2);
  });

  it('stat, df, tree and find', async () => {
    expect((await T('stat', img('/etc/motd'))).out).toMatch(
      /File: \/etc\/motd\n +Type: reg +Mode: 0644 \(-rw-r--r--\)/,
    );
    expect((await T('stat', img('/link'))).out).toMatch(/File: \/link -> \/etc/);
    expect(JSON.parse((await T('--json', 'stat', '-L', img('/link'))).out)[0].type).toBe('dir');
    expect((await T('df', image)).out).toMatch(/tinyfs +1024 +24 +950 +2% +6 +250/);
    expect((await T('tree', img('/etc'))).out).toBe(
      '/etc\n├── motd\n├── passwd\n└── rc.d\n\n1 directory, 2 files\n',
    );
    expect((await T('tree', '-L', '1', image)).out).toContain('└── link -> /etc\n');
    expect((await T('find', '--name', 'p*', image)).out).toBe('/etc/passwd\n');
    expect((await T('find', '--type', 'd', image)).out).toBe('/\n/bin\n/etc\n/etc/rc.d\n/home\n');
    expect((await T('find', '--type', 'l', '--maxdepth', '1', image)).out).toBe('/link\n');
    expect((await T('find', '--type', 'q', image)).status).toBe(2);
  });
});

describe('copying', () => {
  it('get copies a file, a tree with -r (symlinks as symlinks), and to stdout with -', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    expect((await T('get', img('/etc/motd'), out)).status).toBe(0);
    expect(readFileSync(join(out, 'motd'), 'utf8')).toBe('hello\n');
    const noR = await T('get', img('/etc'), join(out, 'etc'));
    expect(noR.err).toMatch(/Is a directory \(use -r to copy it\) \(EISDIR\)/);
    expect((await T('get', '-r', img('/'), join(out, 'root'))).status).toBe(0);
    expect(readFileSync(join(out, 'root/etc/passwd'), 'utf8')).toMatch(/^root/);
    expect(readlinkSync(join(out, 'root/link'))).toBe('/etc');
    expect(statSync(join(out, 'root/etc/rc.d')).isDirectory()).toBe(true);
    expect((await T('get', img('/etc/motd'), '-')).out).toBe('hello\n');
  });

  it('get -p keeps modes and times', async () => {
    await T('chmod', '0640', img('/etc/motd'));
    const out = join(dir, 'm');
    expect((await T('get', '-p', img('/etc/motd'), out)).status).toBe(0);
    const st = statSync(out);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.mtimeMs).toBe(1736553600_000);
  });

  it('put copies files and trees in, with -p keeping mode and times, read-write and unlocked after', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'A'.repeat(300_000));
    writeFileSync(join(src, 'sub', 'b.txt'), 'b', { mode: 0o600 });
    symlinkSync('a.txt', join(src, 'l'));
    utimesSync(join(src, 'sub', 'b.txt'), 1_000_000, 1_000_000);
    expect((await T('put', '-rp', src, img('/home'))).status).toBe(0);
    expect(plans.at(-1)!.readOnly).toBe(false);
    expect(existsSync(lockPath(image))).toBe(false);
    expect((await T('cat', img('/home/src/a.txt'))).out).toHaveLength(300_000);
    const st = JSON.parse(
      (await T('--json', 'stat', img('/home/src/sub/b.txt'), img('/home/src/l'))).out,
    );
    expect([st[0].mode, st[0].mtime]).toEqual(['0600', '1970-01-12T13:46:40.000Z']);
    expect(st[1].target).toBe('a.txt');
    expect((await T('put', join(src, 'a.txt'), img('/etc/new'))).status).toBe(0);
    expect((await T('ls', img('/etc'))).out).toContain('new\n');
    const two = await T('put', join(src, 'a.txt'), join(src, 'l'), img('/etc/motd'));
    expect(two.err).toMatch(/Not a directory .*\(ENOTDIR\)/);
  });

  it('put refuses while another writer holds the image lock', async () => {
    const held = lockImage(image, { command: 'rump put' });
    try {
      writeFileSync(join(dir, 'f'), 'f');
      const r = await T('put', join(dir, 'f'), img('/f'));
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/image is locked for writing: held by pid \d+ \(rump put\).*\(EBUSY\)/);
      expect(plans).toHaveLength(0);
    } finally {
      held.release();
    }
  });

  it('an interrupted put stops, unmounts and unlocks', async () => {
    writeFileSync(join(dir, 'big'), new Uint8Array(2 * 1024 * 1024));
    setSessionFactory(async (plan) => {
      const s = fs.session(plan);
      const write = s.write.bind(s);
      s.write = async (fd, buf) => {
        process.emit('SIGINT', 'SIGINT');
        return write(fd, buf);
      };
      return s;
    });
    const r = await T('put', join(dir, 'big'), img('/big'));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/interrupted by SIGINT; unmounted cleanly \(EINTR\)/);
    expect(fs.unmounts).toBe(1);
    expect(existsSync(lockPath(image))).toBe(false);
  });
});

describe('changing', () => {
  it('mkdir -p, rmdir, rm -r, rm -f', async () => {
    expect((await T('mkdir', '-p', '-m', '700', img('/a/b/c'))).status).toBe(0);
    expect(
      JSON.parse((await T('--json', 'stat', img('/a/b/c'), img('/a'))).out).map(
        (s: { mode: string }) => s.mode,
      ),
    ).toEqual(['0700', '0755']);
    expect((await T('mkdir', img('/a'))).err).toMatch(/:\/a: File exists \(EEXIST\)/);
    expect((await T('rmdir', img('/a'))).err).toMatch(/Directory not empty \(ENOTEMPTY\)/);
    expect((await T('rm', img('/a'))).err).toMatch(/Is a directory \(use -r\)/);
    expect((await T('rm', '-r', img('/a'))).status).toBe(0);
    expect((await T('rm', '-f', img('/nope'))).status).toBe(0);
    expect((await T('rm', img('/nope'))).status).toBe(1);
    expect((await T('rm', '-r', img('/'))).err).toMatch(/refusing to remove the root/);
  });

  it('mv renames and moves into directories; ln makes hard and symbolic links', async () => {
    expect((await T('mv', img('/etc/motd'), '/etc/motd.old')).status).toBe(0);
    expect((await T('mv', img('/bin/sh'), img('/etc'))).status).toBe(0);
    expect((await T('ls', img('/etc'))).out).toBe('motd.old\npasswd\nrc.d\nsh\n');
    expect((await T('mv', img('/x'), 'other.img:/y')).status).toBe(2);
    expect((await T('ln', img('/etc/passwd'), '/pw')).status).toBe(0);
    expect(JSON.parse((await T('--json', 'stat', img('/pw'))).out)[0].nlink).toBe(2);
    expect((await T('ln', '-s', '../etc/passwd', img('/home'))).status).toBe(0);
    expect((await T('ls', '-l', img('/home'))).out).toMatch(/passwd -> \.\.\/etc\/passwd\n$/);
  });

  it('chmod (octal, symbolic, -R), chown, touch', async () => {
    await T('chmod', 'u+x,go-r', img('/etc/passwd'));
    expect((await T('ls', '-l', img('/etc/passwd'))).out).toMatch(/^-rwx------ /);
    await T('chmod', '-R', 'a=rX', img('/etc'));
    expect((await T('ls', '-l', img('/etc'))).out).toMatch(
      /^-r--r--r-- .* motd\n.*\ndr-xr-xr-x .* rc.d\n$/,
    );
    expect((await T('chmod', 'u+q', img('/etc'))).status).toBe(2);
    await T('chown', '1000:100', img('/etc/motd'));
    await T('chown', ':5', img('/etc/motd'));
    const st = JSON.parse((await T('--json', 'stat', img('/etc/motd'))).out)[0];
    expect([st.uid, st.gid]).toEqual([1000, 5]);
    expect((await T('chown', 'root', img('/etc/motd'))).status).toBe(2);
    await T('touch', '-d', '2024-02-03T04:05:06Z', img('/etc/new'), img('/etc/motd'));
    const t = JSON.parse((await T('--json', 'stat', img('/etc/new'), img('/etc/motd'))).out);
    expect(t.map((s: { mtime: string; size: number }) => [s.mtime, s.size])).toEqual([
      ['2024-02-03T04:05:06.000Z', 0],
      ['2024-02-03T04:05:06.000Z', 6],
    ]);
    expect((await T('touch', '-c', img('/etc/none'))).status).toBe(0);
    expect((await T('ls', img('/etc'))).out).not.toContain('none');
  });

  it('one image per command', async () => {
    const r = await T('rm', img('/a'), 'other.img:/b');
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/is on another image/);
  });
});

describe('help', () => {
  it('every file command has usage, description and examples, and rejects wrong operand counts', async () => {
    for (const c of FILE_COMMANDS) {
      const r = await rump(c.name, '--help');
      expect(r.status).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: rump ${c.name} `));
      expect(r.out).toContain('Examples:\n  rump ');
      const none = await rump(c.name);
      expect(none.status, c.name).toBe(2);
    }
  });

  it('SessionError texts fall back to strerror', () => {
    expect(new SessionError('ENOENT', '/x').message).toBe('ENOENT');
  });
});
