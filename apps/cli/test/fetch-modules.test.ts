/**
 * rump fetch-modules against a release tree served from 127.0.0.1 (no other network): module
 * sets built at test time from the project's own test modules (gzip with node:zlib) and a
 * committed .tar.xz fixture (test/fixtures/fetch-modules/README.md), with SHA512 lists in
 * NetBSD's format. Then the module path finds the cached modules and a real mount works.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { inspectModule } from '@rump/elf-linker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import type { Env } from '../src/cli/command.js';
import { GLOBAL_OPTIONS, resolveGlobalOptions } from '../src/cli/global.js';
import { cachedModuleDirs, cacheRoot, compareReleases } from '../src/fetch/cache.js';
import { compressionOf } from '../src/fetch/decompress.js';
import { parseSha512List, pickModuleSet } from '../src/fetch/sha512-list.js';
import { readTar, TarError } from '../src/fetch/tar.js';
import { safeComponents, UnsafeEntryError, unpackTar } from '../src/fetch/unpack.js';
import { humanBytes } from '../src/format.js';
import { main } from '../src/main.js';
import { CLEAR_LINE, formatBytes, setProgressClock } from '../src/progress.js';
import { FIXTURES } from './support/fixtures.js';
import { TEST_MODULES, TINYFS_KMOD } from './support/modules.js';
import { runRumpEnv as rump } from './support/run.js';
import { etcMotd, writeTinyfs } from './support/tinyfs-images.js';
import { makeTar, type TarInput } from './support/ustar.js';

const XZ_FIXTURE = join(FIXTURES, 'fetch-modules/modules.tar.xz');
const KVER = '10.99.12';
const MODDIR = `stand/amd64/${KVER}/modules`;

const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');

/** A module set as NetBSD lays it out: ./stand/amd64/VERSION/modules/NAME/NAME.kmod. */
function moduleSet(
  names: readonly string[],
  extra: readonly TarInput[] = [],
  version = KVER,
): Uint8Array {
  const mods = `stand/amd64/${version}/modules`;
  const dirs = ['./stand/', './stand/amd64/', `./stand/amd64/${version}/`, `./${mods}/`];
  return makeTar([
    ...dirs.map((name) => ({ name, type: 'dir' as const })),
    ...names.flatMap((n) => [
      { name: `./${mods}/${n}/`, type: 'dir' as const },
      { name: `./${mods}/${n}/${n}.kmod`, content: readFileSync(join(TEST_MODULES, `${n}.kmod`)) },
    ]),
    ...extra,
  ]);
}

const sumLine = (name: string, bytes: Uint8Array) => `SHA512 (${name}) = ${sha512(bytes)}\n`;

/** What the server has: path below /pub/NetBSD/ → body. */
const files = new Map<string, Uint8Array | string>();
const hits = new Map<string, number>();
let server: Server;
let mirror: string;

function release(rel: string, sets: Record<string, Uint8Array>, sha512Text?: string): void {
  const base = `NetBSD-${rel}/amd64/binary/sets/`;
  let list = sumLine('base.tar.xz', new Uint8Array([1, 2, 3]));
  for (const [name, bytes] of Object.entries(sets)) {
    files.set(base + name, bytes);
    list += sumLine(name, bytes);
  }
  files.set(`${base}SHA512`, sha512Text ?? list);
}

const TGZ = gzipSync(moduleSet(['tinyfs', 'kc_req_user']));
const XZ = readFileSync(XZ_FIXTURE);

beforeAll(async () => {
  // 10.99.12: a good modules.tgz (NetBSD 9's format); 10.1: the .tar.xz fixture (NetBSD 10's).
  release(KVER, { 'modules.tgz': TGZ });
  release('10.1', { 'modules.tar.xz': XZ });
  // 9.4: the list's sum is of other bytes; 9.3: no line for any module set.
  files.set('NetBSD-9.4/amd64/binary/sets/modules.tgz', TGZ);
  files.set(
    'NetBSD-9.4/amd64/binary/sets/SHA512',
    sumLine('modules.tgz', gzipSync(moduleSet(['hello']))),
  );
  release('9.3', {}, `${sumLine('base.tgz', TGZ)}SHA512 (modules.tgz) = not-a-sum\n`);
  // 9.2: a set with an entry that climbs out of the folder.
  const evil = gzipSync(
    moduleSet(['tinyfs'], [{ name: './stand/../../escaped.txt', content: 'gotcha\n' }]),
  );
  release('9.2', { 'modules.tgz': evil });
  // 9.1: xz whose bytes are damaged but listed with their own sum: decompression must fail.
  const bad = Uint8Array.from(XZ);
  bad[Math.floor(bad.length / 2)]! ^= 0xff;
  release('9.1', { 'modules.tar.xz': bad });
  // 10.99.11: modules built for another -current, which this kernel refuses.
  release('10.99.11', { 'modules.tgz': gzipSync(moduleSet(['kc_version'], [], '10.99.11')) });
  // 8.1: the download breaks off (the server hangs up early).
  files.set('NetBSD-8.1/amd64/binary/sets/SHA512', sumLine('modules.tgz', TGZ));
  // 9.0: a .tgz with no stand/amd64 in it.
  release('9.0', { 'modules.tgz': gzipSync(makeTar([{ name: 'README', content: 'hi\n' }])) });

  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path.endsWith('/NetBSD-8.1/amd64/binary/sets/modules.tgz')) {
      // Promises 100000 bytes, sends 1000 and hangs up.
      res.writeHead(200, { 'content-length': 100_000 });
      res.write(TGZ.subarray(0, 1000), () => res.destroy());
      return;
    }
    const body = path.startsWith('/pub/NetBSD/') ? files.get(path.slice(12)) : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here\n');
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pub/NetBSD`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
});

let cache: string;
let env: Env;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'rump-cache-'));
  env = { RUMP_CACHE_DIR: cache };
  hits.clear();
  return () => rmSync(cache, { recursive: true, force: true });
});

const fetchModules = (...argv: string[]) => rump(env, 'fetch-modules', '--mirror', mirror, ...argv);

/** Every path below the cache folder, relative, sorted. */
function listTree(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .flatMap((d) => {
      const p = rel ? `${rel}/${d.name}` : d.name;
      return d.isDirectory() ? [`${p}/`, ...listTree(dir, p)] : [p];
    })
    .sort();
}

describe('rump fetch-modules from a local release tree', () => {
  it('fetches modules.tgz, checks its SHA512 and unpacks it into the cache', async () => {
    const r = await fetchModules('--release', KVER);
    expect(r.status, r.err).toBe(0);
    const dest = join(cache, 'modules', KVER, 'amd64');
    const mods = join(dest, MODDIR);
    expect(listTree(cache)).toEqual([
      'modules/',
      `modules/${KVER}/`,
      `modules/${KVER}/amd64/`,
      `modules/${KVER}/amd64/fetch.json`,
      `modules/${KVER}/amd64/stand/`,
      `modules/${KVER}/amd64/stand/amd64/`,
      `modules/${KVER}/amd64/stand/amd64/${KVER}/`,
      `modules/${KVER}/amd64/${MODDIR}/`,
      `modules/${KVER}/amd64/${MODDIR}/kc_req_user/`,
      `modules/${KVER}/amd64/${MODDIR}/kc_req_user/kc_req_user.kmod`,
      `modules/${KVER}/amd64/${MODDIR}/tinyfs/`,
      `modules/${KVER}/amd64/${MODDIR}/tinyfs/tinyfs.kmod`,
    ]);
    expect(readFileSync(join(mods, 'tinyfs/tinyfs.kmod'))).toEqual(readFileSync(TINYFS_KMOD));
    const url = `${mirror}/NetBSD-${KVER}/amd64/binary/sets/modules.tgz`;
    const unpacked = ['tinyfs', 'kc_req_user']
      .map((n) => statSync(join(mods, n, `${n}.kmod`)).size)
      .reduce((x, y) => x + y);
    expect(r.out.split('\n')).toEqual([
      `Fetched ${url} (${humanBytes(TGZ.length)}), SHA512 ${sha512(TGZ).slice(0, 16)}… matches the release's list`,
      `Unpacked 2 files (${humanBytes(unpacked)}) into ${dest}`,
      `Module path: ${mods}`,
      '',
    ]);
    // 10.99.12 modules on this 10.99.12 kernel: no note.
    expect(r.out).not.toMatch(/Note:/);
    const record = JSON.parse(readFileSync(join(dest, 'fetch.json'), 'utf8'));
    expect(record).toMatchObject({
      release: KVER,
      arch: 'amd64',
      set: 'modules.tgz',
      url,
      sha512: sha512(TGZ),
      files: 2,
    });
    expect(hits.get(`/pub/NetBSD/NetBSD-${KVER}/amd64/binary/sets/SHA512`)).toBe(1);
  });

  it('the module path then includes the cache, and a mount finds tinyfs.kmod there', async () => {
    expect((await fetchModules('--release', KVER)).status).toBe(0);
    const mods = join(cache, 'modules', KVER, 'amd64', MODDIR);
    const g = (argv: string[], e: Env) =>
      resolveGlobalOptions(parseArgs(argv, GLOBAL_OPTIONS, () => []).options, e).modulePath;
    expect(g(['ls', '--module-path', '/a'], { ...env, RUMP_MODULE_PATH: '/b' })).toEqual([
      '/a',
      '/b',
      mods,
    ]);
    expect(cachedModuleDirs(env)).toEqual([mods]);

    const image = join(cache, 'disk.img');
    writeTinyfs(image, { entries: etcMotd('cached\n') });
    // No -m, no --module-path: the file system is detected and tinyfs.kmod found in the cache.
    const ls = await rump(env, 'ls', '-l', image);
    expect(ls.status, ls.err).toBe(0);
    expect(ls.out).toMatch(/^drwxr-xr-x .* etc\n$/);
    const cat = await rump(env, 'cat', `${image}:/etc/motd`);
    expect([cat.status, cat.out, cat.err]).toEqual([0, 'cached\n', '']);
    // Without the cache the same command says what is missing and how to get it.
    const bare = await rump({}, 'ls', image);
    expect(bare.status).toBe(1);
    expect(bare.err).toMatch(/needs tinyfs\.kmod: .*rump fetch-modules/);
  });

  it('fetches NetBSD 10-style modules.tar.xz, and modinfo resolves required modules there', async () => {
    const r = await fetchModules('--release', '10.1', '--json');
    expect(r.status, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const dest = join(cache, 'modules', '10.1', 'amd64');
    expect(j).toEqual({
      release: '10.1',
      arch: 'amd64',
      set: 'modules.tar.xz',
      url: `${mirror}/NetBSD-10.1/amd64/binary/sets/modules.tar.xz`,
      sha512: sha512(XZ),
      cache: dest,
      moduleDirs: [join(dest, MODDIR)],
      files: 2,
      alreadyCached: false,
      downloaded: XZ.length,
      unpackedBytes: expect.any(Number),
      skipped: [],
      kernel: {
        moduleRelease: KVER,
        moduleVersion: 1099001200,
        kernelRelease: KVER,
        kernelVersion: 1099001200,
        accepted: true,
      },
    });
    const kmod = readFileSync(join(dest, MODDIR, 'tinyfs/tinyfs.kmod'));
    expect(inspectModule(kmod).metadata?.name).toBe('tinyfs');
    expect(statSync(join(dest, MODDIR, 'tinyfs/tinyfs.kmod')).mode & 0o777).toBe(0o644);
    // kc_req_user (in the tgz set of another release) requires kc_req_base, found in this one.
    expect((await fetchModules('--release', KVER)).status).toBe(0);
    expect(cachedModuleDirs(env)).toEqual([
      join(cache, 'modules', KVER, 'amd64', MODDIR),
      join(dest, MODDIR),
    ]);
    const user = join(cache, 'modules', KVER, 'amd64', MODDIR, 'kc_req_user/kc_req_user.kmod');
    const info = await rump(env, 'modinfo', user);
    expect(info.status, info.err).toBe(0);
    expect(info.out).toMatch(/requires: +kc_req_base, wapbl\n/);
    expect(info.out).toMatch(/ 0 unknown to this kernel, 1 from required modules/);
    const alone = await rump({}, 'modinfo', user);
    expect(alone.out).toMatch(/ 1 unknown to this kernel, 0 from required modules/);
  });

  it("notes when this kernel's module_compatible() refuses the set's modules", async () => {
    const r = await fetchModules('--release', '10.99.11');
    expect(r.status, r.err).toBe(0);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      `Note: these modules are built for NetBSD 10.99.11 (1099001100); this rump kernel presents NetBSD ${KVER} and, as NetBSD's module_compatible() does, loads only modules built for exactly that version.`,
    );
    const j = JSON.parse((await fetchModules('--release', '10.99.11', '--json')).out);
    expect(j.kernel).toEqual({
      moduleRelease: '10.99.11',
      moduleVersion: 1099001100,
      kernelRelease: KVER,
      kernelVersion: 1099001200,
      accepted: false,
    });
  });

  it('says so when the set is already cached, and fetches again with --force', async () => {
    expect((await fetchModules('--release', KVER)).status).toBe(0);
    const dest = join(cache, 'modules', KVER, 'amd64');
    hits.clear();
    const again = await fetchModules('--release', KVER);
    expect(again.status).toBe(0);
    expect(again.out).toBe(
      `NetBSD ${KVER} amd64 modules are already in the cache: ${dest} (2 files, from modules.tgz; --force fetches them again)\nModule path: ${join(dest, MODDIR)}\n`,
    );
    expect(hits.size).toBe(0);
    const j = JSON.parse((await fetchModules('--release', KVER, '--json')).out);
    expect(j).toMatchObject({ alreadyCached: true, files: 2, downloaded: 0, sha512: sha512(TGZ) });
    // --force: downloaded again, and the old copy replaced (a stray file in it disappears).
    writeFileSync(join(dest, 'stray'), 'x');
    const forced = await fetchModules('--release', KVER, '--force');
    expect(forced.status, forced.err).toBe(0);
    expect(forced.out).toMatch(/^Fetched /);
    expect(hits.get(`/pub/NetBSD/NetBSD-${KVER}/amd64/binary/sets/modules.tgz`)).toBe(1);
    expect(existsSync(join(dest, 'stray'))).toBe(false);
    expect(readdirSync(join(cache, 'modules'))).toEqual([KVER]);
  });

  it('refuses a download whose SHA512 does not match, and keeps nothing', async () => {
    const r = await fetchModules('--release', '9.4');
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      `rump: fetch-modules: ${mirror}/NetBSD-9.4/amd64/binary/sets/modules.tgz: SHA512 mismatch: the release lists ${sha512(gzipSync(moduleSet(['hello']))).slice(0, 16)}…, the download is ${sha512(TGZ).slice(0, 16)}…; nothing was kept\n`,
    );
    expect(r.out).toBe('');
    expect(listTree(cache)).toEqual(['modules/']);
    expect(cachedModuleDirs(env)).toEqual([]);
  });

  it('refuses a release whose SHA512 list has no line for a module set', async () => {
    const r = await fetchModules('--release', '9.3');
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      `rump: fetch-modules: ${mirror}/NetBSD-9.3/amd64/binary/sets/SHA512: no checksum line for modules.tar.xz or modules.tgz: nothing to verify a download against\n`,
    );
    // Nothing was downloaded.
    expect(hits.has('/pub/NetBSD/NetBSD-9.3/amd64/binary/sets/modules.tgz')).toBe(false);
    expect(existsSync(join(cache, 'modules', '9.3'))).toBe(false);
  });

  it('reports HTTP errors with the URL', async () => {
    const r = await fetchModules('--release', '8.2');
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      `rump: fetch-modules: ${mirror}/NetBSD-8.2/amd64/binary/sets/SHA512: HTTP 404 Not Found\n`,
    );
    const j = await fetchModules('--release', '8.2', '--json');
    expect(JSON.parse(j.err)).toEqual({
      error: {
        command: 'fetch-modules',
        subject: `${mirror}/NetBSD-8.2/amd64/binary/sets/SHA512`,
        message: 'HTTP 404 Not Found',
        errno: null,
        exit: 1,
      },
    });
    expect(existsSync(join(cache, 'modules', '8.2'))).toBe(false);
  });

  it('says when the server cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((ok) => probe.close(ok));
    const r = await rump(env, 'fetch-modules', '--mirror', `http://127.0.0.1:${port}/pub/NetBSD`);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^rump: fetch-modules: http://127\\.0\\.0\\.1:${port}/.*/SHA512: cannot reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\n$`,
      ),
    );
  });

  it('says when a download breaks off, and keeps nothing', async () => {
    const r = await fetchModules('--release', '8.1');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(
      /^rump: fetch-modules: http:.*\/NetBSD-8\.1\/amd64\/binary\/sets\/modules\.tgz: the download broke off after [0-9]+ bytes: .+\n$/,
    );
    expect(listTree(cache)).toEqual(['modules/']);
  });

  it('removes the work folders of runs that died, not of running ones', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(join(cache, `modules/.fetch-${gone}-abc/tree`), { recursive: true });
    mkdirSync(join(cache, `modules/.fetch-${process.ppid}-def`), { recursive: true });
    expect((await fetchModules('--release', KVER)).status).toBe(0);
    expect(readdirSync(join(cache, 'modules')).sort()).toEqual([
      `.fetch-${process.ppid}-def`,
      KVER,
    ]);
  });

  it('draws a progress bar on stderr when stdout is a terminal, and erases it', async () => {
    let t = 0;
    setProgressClock(() => {
      t += 150;
      return t;
    });
    try {
      const err: string[] = [];
      const status = await main(
        ['fetch-modules', '--mirror', mirror, '--release', KVER],
        { out: () => {}, err: (x) => err.push(x), isTTY: true },
        env,
      );
      expect(status).toBe(0);
      const text = err.join('');
      const size = `${formatBytes(TGZ.length)}/${formatBytes(TGZ.length)}`;
      expect(text.slice(0, text.indexOf('/s') + 2)).toMatch(
        new RegExp(
          `^\\r\\x1b\\[Kfetch-modules ${KVER.replaceAll('.', '\\.')} amd64 100% (\\[#{20}\\] )?${size}  [0-9.]+ [KM]?i?B/s$`,
        ),
      );
      expect(text.endsWith(CLEAR_LINE)).toBe(true);
      // Not with --json.
      err.length = 0;
      await main(
        ['fetch-modules', '--mirror', mirror, '--release', KVER, '--force', '--json'],
        { out: () => {}, err: (x) => err.push(x), isTTY: true },
        env,
      );
      expect(err).toEqual([]);
    } finally {
      setProgressClock(undefined);
    }
  });

  it('refuses a set with a ../ path, and writes nothing', async () => {
    const r = await fetchModules('--release', '9.2');
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      "rump: fetch-modules: modules.tgz: refusing archive entry './stand/../../escaped.txt': '..' in a path; nothing was kept\n",
    );
    expect(listTree(cache)).toEqual(['modules/']);
    expect(existsSync(join(cache, '..', 'escaped.txt'))).toBe(false);
  });

  it('refuses damaged xz data even when its checksum is listed', async () => {
    const r = await fetchModules('--release', '9.1');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^rump: fetch-modules: modules\.tar\.xz: cannot decompress: xz: .+\n$/);
    expect(listTree(cache)).toEqual(['modules/']);
  });

  it('refuses a set without stand/amd64 modules', async () => {
    const r = await fetchModules('--release', '9.0');
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      'rump: fetch-modules: modules.tgz: holds no stand/amd64/<version>/modules folder: not a amd64 module set\n',
    );
    expect(listTree(cache)).toEqual(['modules/']);
  });

  it('checks its options before any network use', async () => {
    const bad = await fetchModules('--release', '10.1/../x');
    expect([bad.status, bad.err]).toEqual([
      2,
      "rump: fetch-modules: --release: '10.1/../x' is not a NetBSD release (e.g. 10.1, 9.4, 10.0_RC1) (try rump fetch-modules --help)\n",
    ]);
    expect((await fetchModules('--arch', 'AMD64')).err).toMatch(
      /--arch: 'AMD64' is not a NetBSD port/,
    );
    const ftp = await rump(env, 'fetch-modules', '--mirror', 'ftp://ftp.netbsd.org/pub/NetBSD');
    expect(ftp.err).toMatch(/'ftp:\/\/ftp\.netbsd\.org\/pub\/NetBSD' is not an http or https URL/);
    const nocache = await rump({}, 'fetch-modules', '--mirror', mirror);
    expect(nocache.err).toBe(
      'rump: fetch-modules: no cache folder: set RUMP_CACHE_DIR (or XDG_CACHE_HOME, or HOME)\n',
    );
    expect(hits.size).toBe(0);
  });
});

describe('the cache folder', () => {
  it('is $RUMP_CACHE_DIR, else $XDG_CACHE_HOME/rump, else $HOME/.cache/rump', () => {
    expect(cacheRoot({ RUMP_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/rump');
    expect(cacheRoot({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/rump');
    expect(cacheRoot({ HOME: '/h' })).toBe('/h/.cache/rump');
    expect(cacheRoot({})).toBeUndefined();
  });

  it('orders releases newest first', () => {
    const r = ['9.4', '10.0_RC1', '10.99.12', '10.1', '10.0', '9.10'];
    expect(r.sort((a, b) => compareReleases(b, a))).toEqual([
      '10.99.12',
      '10.1',
      '10.0',
      '10.0_RC1',
      '9.10',
      '9.4',
    ]);
  });

  it('lists module folders of finished sets only (work folders start with a dot)', () => {
    mkdirSync(join(cache, 'modules/.fetch-1-x/tree/stand/amd64/10.1/modules'), { recursive: true });
    mkdirSync(join(cache, 'modules/9.4/amd64/stand/amd64/9.4/modules'), { recursive: true });
    mkdirSync(join(cache, 'modules/10.1/amd64/stand/amd64/10.1/modules'), { recursive: true });
    mkdirSync(join(cache, 'modules/10.1/sparc64/stand/sparc64/10.1/modules'), { recursive: true });
    expect(cachedModuleDirs(env)).toEqual([
      join(cache, 'modules/10.1/amd64/stand/amd64/10.1/modules'),
      join(cache, 'modules/9.4/amd64/stand/amd64/9.4/modules'),
    ]);
    expect(cachedModuleDirs({})).toEqual([]);
  });
});

describe('SHA512 lists', () => {
  const a = 'a'.repeat(128);
  const b = 'B'.repeat(128);
  it('reads NetBSD lines and picks the module set', () => {
    const sums = parseSha512List(
      `SHA512 (base.tar.xz) = ${a}\r\nMD5 (x) = 00\nSHA512 (modules.tar.xz) = ${b}\ngarbage\n`,
    );
    expect([...sums]).toEqual([
      ['base.tar.xz', a],
      ['modules.tar.xz', 'b'.repeat(128)],
    ]);
    expect(pickModuleSet(sums)).toEqual({ set: 'modules.tar.xz', sha512: 'b'.repeat(128) });
    expect(pickModuleSet(parseSha512List(`SHA512 (modules.tgz) = ${a}\n`))).toEqual({
      set: 'modules.tgz',
      sha512: a,
    });
    expect(pickModuleSet(parseSha512List(`SHA512 (modules.tgz) = ${a.slice(1)}\n`))).toBe(
      undefined,
    );
    expect(() =>
      parseSha512List(`SHA512 (modules.tgz) = ${a}\nSHA512 (modules.tgz) = ${b}\n`),
    ).toThrow(/twice/);
  });
});

describe('the tar reader', () => {
  it('reads ustar prefix names, pax paths, and skips what is not a file or directory', () => {
    const long = `./${'d'.repeat(90)}/${'e'.repeat(40)}/f.kmod`;
    const tar = makeTar([
      { name: './a/', type: 'dir' },
      { name: './a/x', content: 'x\n', mode: 0o755 },
      { name: long, content: 'long' },
      { name: `./${'p'.repeat(120)}`, content: 'pax', pax: true },
      { name: './a/l', type: 'symlink', target: '/etc/passwd' },
    ]);
    const entries = [...readTar(tar)];
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['./a/', 'directory', 0],
      ['./a/x', 'file', 2],
      [long, 'file', 4],
      [`./${'p'.repeat(120)}`, 'file', 3],
      ['./a/l', 'symlink', 0],
    ]);
    const dest = join(cache, 'out');
    mkdirSync(dest);
    const r = unpackTar(tar, dest);
    expect([r.files, r.directories, r.skipped]).toEqual([3, 1, ['./a/l']]);
    expect(readFileSync(join(dest, 'a/x'), 'utf8')).toBe('x\n');
    expect(statSync(join(dest, 'a/x')).mode & 0o777).toBe(0o755);
    expect(existsSync(join(dest, 'a/l'))).toBe(false);
  });

  it.skipIf(!hasTar())('reads what tar writes: ustar, pax and gnu formats (needs tar)', () => {
    const src = join(cache, 'src');
    mkdirSync(join(src, 'stand/amd64', 'x'.repeat(95)), { recursive: true });
    writeFileSync(join(src, 'stand/amd64', 'x'.repeat(95), 'é.kmod'), 'unicode\n');
    writeFileSync(join(src, 'stand/amd64/big'), new Uint8Array(70_000).fill(9));
    for (const format of ['ustar', 'pax', 'gnu']) {
      const tar = execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', '-', '.']);
      const got = new Map(
        [...readTar(tar)].filter((e) => e.type === 'file').map((e) => [e.name, e.data.length]),
      );
      expect(got, format).toEqual(
        new Map([
          ['./stand/amd64/big', 70_000],
          [`./stand/amd64/${'x'.repeat(95)}/é.kmod`, 8],
        ]),
      );
    }
  });

  it('refuses names that leave the folder, before writing anything', () => {
    expect(safeComponents('./stand/amd64/x.kmod')).toEqual(['stand', 'amd64', 'x.kmod']);
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..', 'C:/x', 'a\\..\\x'])
      expect(() => safeComponents(bad), bad).toThrow(UnsafeEntryError);
    const dest = join(cache, 'out');
    mkdirSync(dest);
    const tar = makeTar([
      { name: './ok', content: 'fine' },
      { name: '/tmp/abs', content: 'no' },
    ]);
    expect(() => unpackTar(tar, dest)).toThrow("refusing archive entry '/tmp/abs': absolute path");
    expect(readdirSync(dest)).toEqual([]);
  });

  it('reports damaged archives with the byte offset', () => {
    const tar = makeTar([{ name: 'a', content: 'abc' }]);
    const bad = Uint8Array.from(tar);
    bad[0] = 0x41;
    expect(() => [...readTar(bad)]).toThrow(new TarError('header checksum mismatch', 0));
    expect(() => [...readTar(tar.subarray(0, 600))]).toThrow(/runs past the end/);
    expect(() => [...readTar(tar.subarray(0, 300))]).toThrow(/ends inside a header/);
  });

  it('tells gzip and xz apart by magic', () => {
    expect(compressionOf(gzipSync(new Uint8Array(1)))).toBe('gzip');
    expect(compressionOf(XZ)).toBe('xz');
    expect(compressionOf(makeTar([]))).toBe('none');
  });
});

function hasTar(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
