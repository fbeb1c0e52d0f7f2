import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenTinyfs, readTinyfs } from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';
import { CLASSIC_REPLACEMENT, classicScenario } from '../src/classic.js';
import { CLASSIC_README_TEXT, loadFixture } from '../src/images/fixtures.js';
import { sha256 } from '../src/images/manifest.js';
import { IMAGE_HOST_PATH, Machine } from '../src/machine.js';
import { tinyfsProfile } from '../src/profiles/tinyfs.js';
import { runScenario, type Scenario } from '../src/scenario.js';
import { FFS_PROFILES, HAVE_FFS, NEED_FFS } from './support.js';

describe('the classic scenario', () => {
  it('runs on tinyfs and leaves the user image untouched (hashed before and after)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-classic-'));
    const userImage = join(dir, 'user.img');
    writeFileSync(userImage, loadFixture('tinyfs-classic.img'));
    const before = sha256(readFileSync(userImage));
    const r = runScenario(
      classicScenario(tinyfsProfile()),
      tinyfsProfile(),
      readFileSync(userImage),
    );
    expect(r.message).toBeUndefined();
    expect(r.status).toBe('pass');
    expect(r.printed).toEqual([CLASSIC_README_TEXT, CLASSIC_REPLACEMENT]);
    expect(r.steps.every((s) => s.status === 'pass')).toBe(true);
    expect(sha256(readFileSync(userImage))).toBe(before);
  });

  it('fails a step whose errno or result differs, naming both', () => {
    const profile = tinyfsProfile();
    const bad: Scenario = {
      name: 'bad',
      description: 'rmdir of a non-empty directory must be ENOTEMPTY, not success',
      steps: [
        ...classicScenario(profile).steps.slice(0, 6),
        { call: 'rmdir', args: ['/mnt/docs'], errno: 'ENOTEMPTY' },
        { call: 'rmdir', args: ['/mnt/docs/nested'], errno: 'ENOENT' },
      ],
    };
    const r = runScenario(bad, profile, loadFixture('tinyfs-classic.img'));
    expect(r.status).toBe('fail');
    expect(r.message).toBe('rmdir("/mnt/docs/nested"): expected ENOENT, got ENOTEMPTY');
    expect(r.steps.at(-2)).toMatchObject({ status: 'pass', errno: 'ENOTEMPTY' });
  });

  it('writes the replacement into the private copy only', () => {
    const profile = tinyfsProfile();
    const original = loadFixture('tinyfs-classic.img');
    const m = new Machine(profile, original);
    m.start();
    m.rump.fs.writeFile('/mnt/a_directory/README', 'x');
    m.reboot();
    const tree = flattenTinyfs(readTinyfs(m.host.readFile(IMAGE_HOST_PATH)));
    const f = tree.get('/a_directory/README');
    expect(f?.type === 'file' && new TextDecoder().decode(f.content)).toBe('x');
    expect(sha256(original)).toBe(sha256(loadFixture('tinyfs-classic.img')));
  });

  for (const name of ['ffs1', 'ffs2']) {
    it.skipIf(!HAVE_FFS)(
      `runs on the committed ${name} fixture, fs_clean set after ${NEED_FFS}`,
      () => {
        const p = FFS_PROFILES.find((x) => x.name === name)!;
        const img = loadFixture(p.name === 'ffs1' ? 'tiny-ffs1.img' : 'tiny-ffs2.img');
        const r = runScenario(classicScenario(p), p, img);
        expect(r.message).toBeUndefined();
        expect(r.status).toBe('pass');
        expect(r.printed[0]!.length).toBeGreaterThan(0);
      },
    );
  }
});
