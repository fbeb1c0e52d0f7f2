/**
 * rump demo: the classic scenario on an embedded image. In every run with the project's
 * tinyfs.kmod (no ffs.kmod in the module path); with NetBSD's ffs.kmod on the embedded FFSv2
 * image when RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH (a folder with ufs.kmod) are set.
 */
import { describe, expect, it } from 'vitest';
import { demoFile } from '../src/commands/demo.js';
import { main } from '../src/main.js';
import { HAS_NETBSD_FFS, NETBSD_FFS_KMOD, NETBSD_MODULE_PATH } from './support/modules.js';

async function rump(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  // text and bytes in the order written: the transcript interleaves both
  const status = await main(
    argv,
    {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      outBytes: (b) => out.push(Buffer.from(b).toString('utf8')),
    },
    env,
  );
  return { status, out: out.join(''), err: err.join('') };
}

const STEPS = [
  '$ rump ls -lR demo.img',
  '$ rump cat demo.img:/a_directory/README',
  '$ rump put -p hello.txt demo.img:/hello.txt',
  '$ rump cat demo.img:/hello.txt\nhello from the host\n',
  '$ rump df -h demo.img',
  '$ rump get -r demo.img:/a_directory got',
  '$ ls got\nREADME\n',
];

function expectScenario(out: string) {
  let at = 0;
  for (const s of STEPS) {
    const i = out.indexOf(s, at);
    expect(i, `${s} after offset ${at} in:\n${out}`).toBeGreaterThanOrEqual(at);
    at = i + s.length;
  }
  expect(out).toMatch(/unmounted cleanly by the rump kernel\.\n$/);
}

describe('rump demo', () => {
  it('finds its embedded files', () => {
    expect(demoFile('tiny-ffs2.img.gz')).toMatch(/tiny-ffs2\.img\.gz$/);
    expect(demoFile('tinyfs.kmod')).toMatch(/tinyfs\.kmod$/);
  });

  it('without ffs.kmod says how to get it and runs the scenario with tinyfs.kmod', async () => {
    const r = await rump(['demo']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^No ffs\.kmod given .*\n[\s\S]*modules\.tgz[\s\S]*tinyfs\.kmod\.\n\n/);
    expectScenario(r.out);
    expect(r.out).toMatch(/README\nThis is a test file system for the rump kernel project,\n/);
    expect(r.out).toMatch(/ tinyfs /); // df names the file-system type
  });

  it('refuses operands', async () => {
    const r = await rump(['demo', 'x.img']);
    expect(r.status).toBe(2);
  });

  it.skipIf(!HAS_NETBSD_FFS)(
    "runs the scenario with NetBSD's ffs.kmod on the embedded FFSv2 image (needs RUMP_TEST_FFS_KMOD, RUMP_TEST_MODULE_PATH)",
    async () => {
      const r = await rump(['demo', '-m', NETBSD_FFS_KMOD ?? ''], {
        RUMP_MODULE_PATH: NETBSD_MODULE_PATH ?? '',
      });
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toMatch(/^Using NetBSD's ffs\.kmod: /);
      expectScenario(r.out);
      expect(r.out).toMatch(/It was made with makefs from a tree of known files;/);
      expect(r.out).toMatch(/ ffs /);
    },
  );
});
