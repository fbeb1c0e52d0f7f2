import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { mkfsTinyfs } from '@rump/tinyfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CACHE_FILE,
  compileCacheDir,
  decodeCache,
  encodeCache,
  flagsHash,
  pruneUnused,
  UNUSED_DAYS,
  writeFileAtomic,
} from '../src/launch/compile-cache.js';
import { TINYFS } from './support/modules.js';
import { etcMotd } from './support/tinyfs-images.js';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = { version: 'v20.20.2', arch: 'x64', execArgv: [] };

describe('compile cache file', () => {
  it('round-trips the command list and V8 data; anything else is not a cache', () => {
    const data = new Uint8Array([1, 2, 3, 250, 251]);
    const bytes = encodeCache({ commands: ['help', 'cat'], data });
    const back = decodeCache(bytes);
    expect(back?.commands).toEqual(['help', 'cat']);
    expect([...(back?.data ?? [])]).toEqual([...data]);
    expect(decodeCache(encodeCache({ commands: [], data }))?.commands).toEqual([]);
    // Garbage, a file cut short, one flipped byte: all refused.
    expect(decodeCache(Buffer.from('not a cache at all, just text'))).toBeUndefined();
    expect(decodeCache(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 2) ^ 0x40, flipped.length - 2);
    expect(decodeCache(flipped)).toBeUndefined();
    expect(decodeCache(Buffer.alloc(0))).toBeUndefined();
  });

  it('lives in fetch-modules’ cache folder, under a name for bundle, Node and flags', () => {
    const dir = compileCacheDir({ RUMP_CACHE_DIR: '/c', HOME: '/h' }, 'abc', NODE);
    expect(dir).toBe(`/c/compile-cache/abc-node20.20.2-x64-${flagsHash([], {})}`);
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 'abc', NODE)).toMatch(
      /^\/x\/rump\/compile-cache\/abc-/,
    );
    expect(compileCacheDir({ HOME: '/h' }, 'abc', NODE)).toMatch(
      /^\/h\/\.cache\/rump\/compile-cache\/abc-/,
    );
    // Another bundle, another Node, other V8 flags: another folder.
    const other = [
      compileCacheDir({ HOME: '/h' }, 'abd', NODE),
      compileCacheDir({ HOME: '/h' }, 'abc', { ...NODE, version: 'v22.1.0' }),
      compileCacheDir({ HOME: '/h' }, 'abc', { ...NODE, execArgv: ['--max-old-space-size=100'] }),
      compileCacheDir({ HOME: '/h', NODE_OPTIONS: '--jitless' }, 'abc', NODE),
    ];
    expect(new Set([compileCacheDir({ HOME: '/h' }, 'abc', NODE), ...other]).size).toBe(5);
    // No folder at all, or switched off.
    expect(compileCacheDir({}, 'abc', NODE)).toBeUndefined();
    expect(compileCacheDir({ HOME: '/h', RUMP_NO_COMPILE_CACHE: '1' }, 'abc', NODE)).toBe(
      undefined,
    );
    expect(compileCacheDir({ HOME: '/h', RUMP_NO_COMPILE_CACHE: '0' }, 'abc', NODE)).toBeDefined();
  });

  it('is written whole or not at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rump-cc-'));
    try {
      const file = join(dir, 'a', 'b', CACHE_FILE);
      writeFileAtomic(file, Buffer.from('one'));
      writeFileAtomic(file, Buffer.from('two'));
      expect(readFileSync(file, 'utf8')).toBe('two');
      // Only the file: no temporary left behind.
      expect(readdirSync(join(dir, 'a', 'b'))).toEqual([CACHE_FILE]);
      // A folder that cannot be made (a file is in the way): an error, nothing written.
      writeFileSync(join(dir, 'plain'), 'x');
      expect(() =>
        writeFileAtomic(join(dir, 'plain', 'sub', CACHE_FILE), Buffer.from('x')),
      ).toThrow(/ENOTDIR|EEXIST/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('old cache folders', () => {
  it('go when unused for a week, whatever made them', () => {
    const root = mkdtempSync(join(tmpdir(), 'rump-cc-'));
    try {
      const now = Date.now();
      const ago = (days: number) => (now - days * 86_400_000) / 1000;
      const folder = (name: string, fileDays: number | undefined, dirDays: number) => {
        const dir = join(root, name);
        mkdirSync(dir);
        if (fileDays !== undefined) {
          writeFileSync(join(dir, CACHE_FILE), 'x');
          utimesSync(join(dir, CACHE_FILE), ago(fileDays), ago(fileDays));
        }
        utimesSync(dir, ago(dirDays), ago(dirDays));
        return dir;
      };
      const keep = folder('current', UNUSED_DAYS + 5, 0);
      const recent = folder('other-node', 1, UNUSED_DAYS + 5);
      const old = folder('old-bundle', UNUSED_DAYS + 1, 0);
      const half = folder('unfinished', undefined, UNUSED_DAYS + 1);
      const fresh = folder('being-written', undefined, 0);
      expect(pruneUnused(keep, now).sort()).toEqual([half, old].sort());
      expect(readdirSync(root).sort()).toEqual(
        [keep, recent, fresh].map((d) => d.slice(root.length + 1)).sort(),
      );
      expect(pruneUnused(join(root, 'missing', 'x'), now)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('rump from its code cache (the built launcher and bundle)', () => {
  let dir: string;
  let dist: string;
  let image: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rump-cc-'));
    dist = join(dir, 'dist');
    execFileSync(process.execPath, [join(cliDir, 'build.mjs'), dist], { stdio: 'pipe' });
    image = join(dir, 'tiny.img');
    writeFileSync(image, mkfsTinyfs({ entries: etcMotd('hi there\n') }));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the built `rump` with only the variables given (no HOME unless given). */
  function rump(args: string[], env: Record<string, string>, nodeOptions: string[] = []) {
    const r = spawnSync(process.execPath, [...nodeOptions, join(dist, 'rump.cjs'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    const debug = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('rump: compile cache: '))
      .map((l) => l.slice('rump: compile cache: '.length));
    const stderr = r.stderr
      .split('\n')
      .filter((l) => !l.startsWith('rump: compile cache: '))
      .join('\n');
    return { status: r.status, stdout: r.stdout, stderr, debug };
  }
  const DEBUG = { RUMP_DEBUG_COMPILE_CACHE: '1' };
  const cacheFiles = (root: string) =>
    existsSync(join(root, 'compile-cache'))
      ? readdirSync(join(root, 'compile-cache')).map((d) =>
          join(root, 'compile-cache', d, CACHE_FILE),
        )
      : [];

  it('is made by the first run and used by the second, with the same output', () => {
    const root = join(dir, 'cache-first');
    const plain = rump(['--help'], { RUMP_NO_COMPILE_CACHE: '1' });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^rump \d/);

    const first = rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG });
    expect(first.debug[0]).toMatch(/: absent$/);
    expect(first.debug[1]).toMatch(/: written \(\d+ bytes, commands help\)$/);
    const [file] = cacheFiles(root);
    expect(file && existsSync(file)).toBe(true);

    const second = rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG });
    expect(second.debug).toEqual([`${file}: accepted (cachedDataRejected=false)`]);
    for (const r of [first, second]) {
      expect([r.status, r.stdout, r.stderr]).toEqual([plain.status, plain.stdout, plain.stderr]);
    }
    // Without the debug variable, nothing is said about it.
    expect(rump(['--help'], { RUMP_CACHE_DIR: root }).debug).toEqual([]);
    // dist/rump.mjs, the executable's old name, runs the launcher too.
    const old = spawnSync(process.execPath, [join(dist, 'rump.mjs'), '--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', RUMP_CACHE_DIR: root, ...DEBUG },
    });
    expect([old.status, old.stdout]).toEqual([0, plain.stdout]);
    expect(old.stderr).toBe(`rump: compile cache: ${file}: accepted (cachedDataRejected=false)\n`);
  });

  it('grows to cover a second command, then stays', () => {
    const root = join(dir, 'cache-grow');
    const cat = [...TINYFS, 'cat', `${image}:/etc/motd`];
    rump(['--help'], { RUMP_CACHE_DIR: root });
    const first = rump(cat, { RUMP_CACHE_DIR: root, ...DEBUG });
    expect([first.status, first.stdout]).toEqual([0, 'hi there\n']);
    expect(first.debug[0]).toMatch(/: accepted \(cachedDataRejected=false\)$/);
    expect(first.debug[1]).toMatch(/: written \(\d+ bytes, commands help,cat\)$/);
    for (const args of [cat, ['--help']]) {
      const again = rump(args, { RUMP_CACHE_DIR: root, ...DEBUG });
      expect(again.status).toBe(0);
      expect(again.debug).toHaveLength(1);
      expect(again.debug[0]).toMatch(/: accepted \(cachedDataRejected=false\)$/);
    }
  });

  it('replaces a damaged cache file and one V8 rejects', () => {
    const root = join(dir, 'cache-bad');
    rump(['--help'], { RUMP_CACHE_DIR: root });
    const [file] = cacheFiles(root);
    if (file === undefined) throw new Error('no cache file');

    writeFileSync(file, 'garbage, not V8 data');
    const damaged = rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG });
    expect(damaged.status).toBe(0);
    expect(damaged.debug[0]).toBe(`${file}: damaged`);
    expect(damaged.debug[1]).toMatch(/: written /);
    expect(rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG }).debug).toEqual([
      `${file}: accepted (cachedDataRejected=false)`,
    ]);

    // A good file that others may write, or that another user owns: not used, rewritten.
    chmodSync(file, 0o666);
    const writable = rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG });
    expect([writable.status, writable.debug[0]]).toEqual([0, `${file}: foreign`]);
    expect(writable.debug[1]).toMatch(/: written /);
    expect(statSync(file).mode & 0o022).toBe(0);
    if (process.getuid?.() === 0) {
      chownSync(file, 4321, 4321);
      const owned = rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG });
      expect([owned.status, owned.debug[0]]).toEqual([0, `${file}: foreign`]);
      expect(statSync(file).uid).toBe(0);
    }
    expect(rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG }).debug).toEqual([
      `${file}: accepted (cachedDataRejected=false)`,
    ]);

    // A well-formed file whose V8 data is another script's: V8 says no, and it is rewritten.
    const foreign = new Script('(function () { return 42; })').createCachedData();
    writeFileSync(file, encodeCache({ commands: ['help'], data: foreign }));
    const rejected = rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG });
    expect(rejected.status).toBe(0);
    expect(rejected.debug[0]).toBe(`${file}: rejected (cachedDataRejected=true)`);
    expect(rejected.debug[1]).toMatch(/: written /);
    expect(rump(['--help'], { RUMP_CACHE_DIR: root, ...DEBUG }).debug).toEqual([
      `${file}: accepted (cachedDataRejected=false)`,
    ]);
  });

  it('runs the command the same where the cache cannot be written or is switched off', () => {
    const cat = [...TINYFS, 'cat', `${image}:/etc/motd`];
    const expected = rump(cat, { RUMP_NO_COMPILE_CACHE: '1' });
    expect([expected.status, expected.stdout, expected.stderr]).toEqual([0, 'hi there\n', '']);

    // A cache folder under a plain file: cannot be made.
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    const unwritable = rump(cat, { RUMP_CACHE_DIR: join(blocker, 'rump'), ...DEBUG });
    expect([unwritable.status, unwritable.stdout, unwritable.stderr]).toEqual([
      0,
      'hi there\n',
      '',
    ]);
    expect(unwritable.debug[0]).toMatch(/: absent$/);
    expect(unwritable.debug[1]).toMatch(/: not written \(.*ENOTDIR/);

    // No HOME, no XDG_CACHE_HOME, no RUMP_CACHE_DIR: no cache folder at all.
    const homeless = rump(cat, DEBUG);
    expect([homeless.status, homeless.stdout, homeless.stderr]).toEqual([0, 'hi there\n', '']);
    expect(homeless.debug).toEqual(['(none): off']);

    // node --enable-source-maps: loaded by Node's own loader, so that stacks are mapped.
    const mapped = rump(cat, { RUMP_CACHE_DIR: join(dir, 'cache-maps'), ...DEBUG }, [
      '--enable-source-maps',
    ]);
    expect([mapped.status, mapped.stdout, mapped.stderr]).toEqual([0, 'hi there\n', '']);
    expect(mapped.debug).toEqual(['(none): off (--enable-source-maps)']);
    expect(existsSync(join(dir, 'cache-maps'))).toBe(false);

    // Switched off: nothing read, nothing written.
    const root = join(dir, 'cache-off');
    const off = rump(cat, { RUMP_CACHE_DIR: root, RUMP_NO_COMPILE_CACHE: '1', ...DEBUG });
    expect([off.status, off.stdout, off.debug]).toEqual([0, 'hi there\n', ['(none): off']]);
    expect(existsSync(root)).toBe(false);
  });

  it('keeps error messages and exit statuses', () => {
    const root = join(dir, 'cache-errors');
    mkdirSync(root);
    const missing = ['cat', join(dir, 'none.img:/x')];
    const expected = `rump: cat: ${join(dir, 'none.img')}: No such file or directory (ENOENT)\n`;
    const envs: Record<string, string>[] = [
      { RUMP_NO_COMPILE_CACHE: '1' },
      { RUMP_CACHE_DIR: root },
      { RUMP_CACHE_DIR: root },
    ];
    for (const env of envs) {
      expect(rump(missing, env)).toMatchObject({ status: 1, stderr: expected, stdout: '' });
      const usage = rump(['frobnicate'], env);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain("unknown command 'frobnicate'");
    }
    // A usage error is a command of its own for the cache: written once, then only read.
    expect(rump(['frobnicate'], { RUMP_CACHE_DIR: root, ...DEBUG }).debug).toHaveLength(1);
  });
});
