/**
 * get -p / put -p keep a symbolic link's own times (lutimes on both sides), on the real rump
 * kernel with tinyfs.kmod; the link's target keeps its own times. The same round trip runs on an
 * FFSv2 image with NetBSD's ffs.kmod when RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH are set.
 */
import {
  lstatSync,
  lutimesSync,
  mkdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gunzipFixture, scratchDir } from './support/fixtures.js';
import { HAS_NETBSD_FFS, netbsdFfs, TINYFS } from './support/modules.js';
import { runRump, runRumpTinyfs } from './support/run.js';
import { writeTinyfs } from './support/tinyfs-images.js';

const dir = scratchDir('rump-lutimes-');

const LINK_MTIME = 978_307_200.25; // 2001-01-01T00:00:00.250Z
const LINK_ATIME = 1_000_000_000.5;
const FILE_MTIME = 1_500_000_000;

async function statJson(target: string, mod: readonly string[] = TINYFS) {
  const r = await runRump(...mod, '--json', 'stat', target);
  expect(r.status, r.err).toBe(0);
  return JSON.parse(r.out) as
    | { type: string; mtime: string; atime: string }[]
    | { type: string; mtime: string; atime: string };
}
const one = <T>(x: T | T[]): T => (Array.isArray(x) ? x[0]! : x);

describe('-p and symbolic links', () => {
  it("put -p keeps the link's own times, get -p brings them back", async () => {
    const image = join(dir, 'fs.img');
    writeTinyfs(image, { spareBlocks: 32, spareInodes: 16 });
    const src = join(dir, 'src');
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src);
    writeFileSync(join(src, 'target.txt'), 'the target\n');
    utimesSync(join(src, 'target.txt'), FILE_MTIME, FILE_MTIME);
    symlinkSync('target.txt', join(src, 'link'));
    lutimesSync(join(src, 'link'), LINK_ATIME, LINK_MTIME);

    const put = await runRumpTinyfs('put', '-rp', src, `${image}:/d`);
    expect(put.status, put.err).toBe(0);
    const link = one(await statJson(`${image}:/d/link`));
    expect(link.type).toBe('lnk');
    expect(link.mtime).toBe(new Date(LINK_MTIME * 1000).toISOString());
    expect(link.atime).toBe(new Date(LINK_ATIME * 1000).toISOString());
    const target = one(await statJson(`${image}:/d/target.txt`));
    expect(target.mtime).toBe(new Date(FILE_MTIME * 1000).toISOString());

    const out = join(dir, 'out');
    const get = await runRumpTinyfs('get', '-rp', `${image}:/d`, out);
    expect(get.status, get.err).toBe(0);
    const back = lstatSync(join(out, 'link'));
    expect(back.isSymbolicLink()).toBe(true);
    expect(back.mtimeMs).toBeCloseTo(LINK_MTIME * 1000, 0);
    expect(back.atimeMs).toBeCloseTo(LINK_ATIME * 1000, 0);
    expect(statSync(join(out, 'link')).mtimeMs).toBeCloseTo(FILE_MTIME * 1000, 0);
  });

  it('without -p a link gets the time of the copy', async () => {
    const image = join(dir, 'fs2.img');
    writeTinyfs(image, { spareBlocks: 8, spareInodes: 8 });
    const link = join(dir, 'lonely-link');
    symlinkSync('nowhere', link);
    lutimesSync(link, LINK_ATIME, LINK_MTIME);
    const put = await runRumpTinyfs('put', link, `${image}:/l`);
    expect(put.status, put.err).toBe(0);
    const st = one(await statJson(`${image}:/l`));
    expect(st.type).toBe('lnk');
    expect(st.mtime).not.toBe(new Date(LINK_MTIME * 1000).toISOString());
  });

  it.skipIf(!HAS_NETBSD_FFS)(
    "keeps them on FFSv2 with NetBSD's ffs.kmod (needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH)",
    async () => {
      const mod = netbsdFfs();
      const image = join(dir, 'ffs2.img');
      writeFileSync(image, gunzipFixture('tiny-ffs2.img.gz'));
      const link = join(dir, 'ffs-link');
      symlinkSync('somewhere/else', link);
      lutimesSync(link, LINK_ATIME, LINK_MTIME);
      const put = await runRump(...mod, 'put', '-p', link, `${image}:/ffs-link`);
      expect(put.status, put.err).toBe(0);
      const st = one(await statJson(`${image}:/ffs-link`, mod));
      expect(st.type).toBe('lnk');
      expect(st.mtime).toBe(new Date(LINK_MTIME * 1000).toISOString());
      expect(st.atime).toBe(new Date(LINK_ATIME * 1000).toISOString());
      const out = join(dir, 'ffs-link-back');
      const get = await runRump(...mod, 'get', '-p', `${image}:/ffs-link`, out);
      expect(get.status, get.err).toBe(0);
      expect(lstatSync(out).mtimeMs).toBeCloseTo(LINK_MTIME * 1000, 0);
    },
  );
});
