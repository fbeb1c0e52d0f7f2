import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { loadFixture } from '../src/images/fixtures.js';
import { sha256 } from '../src/images/manifest.js';
import { TINYFS_KMOD } from '../src/paths.js';
import { HAVE_FFS, NEED_FFS } from './support.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = main(args, { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

describe('rump-harness', () => {
  it('prints usage and refuses unknown options with exit code 2', () => {
    expect(run([]).code).toBe(2);
    expect(run(['--help'])).toMatchObject({ code: 0 });
    const bad = run(['conformance', '--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown option --frobnicate');
    expect(run(['conformance', '--fs', 'myfs']).err).toContain(
      '--fs myfs needs --module FILE.kmod',
    );
  });

  it('lists the conformance tests', () => {
    const r = run(['list']);
    expect(r.out).toMatch(/^mount\/statvfs /m);
    expect(r.out).toContain('dir/many-entries');
  });

  it('runs filtered conformance tests against --module and --image, writing JUnit and JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-cli-'));
    const image = join(dir, 'mine.img');
    writeFileSync(image, loadFixture('tinyfs-classic.img'));
    const before = sha256(readFileSync(image));
    const r = run([
      'conformance',
      '--fs',
      'tinyfs',
      '--module',
      TINYFS_KMOD,
      '--image',
      image,
      '--filter',
      'rename/file',
      '--filter',
      'space/enospc',
      '--junit',
      join(dir, 'r.xml'),
      '--json',
      join(dir, 'r.json'),
    ]);
    expect(r.err).toBe('');
    expect(r.out).toContain('PASS   rename/file');
    expect(r.out).toContain('2 tests: 2 passed');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toContain('name="rename/file"');
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(json.reports[0].results.map((t: { id: string }) => t.id)).toEqual([
      'rename/file',
      'space/enospc-recovery',
    ]);
    expect(sha256(readFileSync(image))).toBe(before);
  });

  it('runs the classic scenario and a JSON scenario', () => {
    const classic = run(['scenario', 'classic']);
    expect(classic.out).toContain('printed: This is the README of a tinyfs image.');
    expect(classic.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'harness-cli-'));
    const file = join(dir, 's.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'mine',
        steps: [
          { call: 'boot' },
          { call: 'etfsRegister', args: ['/tinyfs.kmod', 'module:tinyfs', 'REG'] },
          { call: 'modctlLoad', args: ['/tinyfs.kmod'], expect: 'tinyfs' },
          { call: 'etfsRegister', args: ['/fs.img', 'image', 'BLK'] },
          { call: 'mkdir', args: ['/mnt', 493] },
          { call: 'mountImage', args: [{ flags: 'MNT_RDONLY' }] },
          { call: 'mkdir', args: ['/mnt/x'], errno: 'EROFS' },
          { call: 'rmdir', args: ['/mnt/docs'], errno: 'EBUSY' },
        ],
      }),
    );
    const mine = run(['scenario', file]);
    expect(mine.code).toBe(1);
    expect(mine.out).toContain('PASS   mkdir("/mnt/x") = EROFS');
    expect(mine.out).toContain('rmdir("/mnt/docs"): expected EBUSY, got EROFS');
  });

  it('checks the committed fixtures against their tree hashes', () => {
    const r = run(['fixtures']);
    expect(r.out).toContain('PASS   tinyfs-classic.img');
    expect(r.code).toBe(0);
  });

  it.skipIf(!HAVE_FFS)(`checks the FFS fixtures with ffs.kmod ${NEED_FFS}`, () => {
    const r = run(['fixtures'], process.env);
    expect(r.out).toContain('PASS   tiny-ffs1.img');
    expect(r.out).toContain('PASS   tiny-ffs2.img');
  });
});
