/**
 * The classic scenario with NetBSD's real ffs.kmod, line for line through rump_sys_*. Needs
 * RUMP_TEST_FFS_KMOD (ffs.kmod) and RUMP_TEST_MODULE_PATH (a folder with ufs.kmod), and an FFS
 * image holding a_directory/README: RUMP_TEST_FFS_IMAGE, or the kernel-core fixtures.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { bootRump, KernelHaltedError, MNT, MODCTL, O } from '../src/index.js';
import { bytes, REPO, text } from './support.js';

const FFS = process.env.RUMP_TEST_FFS_KMOD;
const MODPATH = process.env.RUMP_TEST_MODULE_PATH;
const HAVE = !!FFS && !!MODPATH && existsSync(FFS) && existsSync(join(MODPATH, 'ufs.kmod'));
const NEED = '(needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH with ufs.kmod)';

function fixture(name: string): Uint8Array {
  const env = process.env.RUMP_TEST_FFS_IMAGE;
  if (env && name === 'env') return readFileSync(env);
  const p = join(REPO, 'packages/kernel-core/test/fixtures', name);
  return existsSync(`${p}.gz`) ? gunzipSync(readFileSync(`${p}.gz`)) : readFileSync(p);
}

function boot(host: MemoryHost) {
  const rump = bootRump({ host, modulePath: ['/modules'] });
  rump.etfsRegister('/ffsmod', '/host/ffs.kmod', 'REG');
  rump.etfsRegister('/ffsimg', '/host/ffs.img', 'BLK');
  rump.sys.modctl(MODCTL.LOAD, { ml_filename: '/ffsmod' });
  rump.sys.mkdir('/mnt', 0o755);
  return rump;
}

describe.each(['tiny-ffs1.img', 'tiny-ffs2.img'])('the classic scenario on %s', (img) => {
  it.skipIf(!HAVE)(`reads, truncates, rewrites and reboots ${NEED}`, () => {
    const host = new MemoryHost();
    host.addFile('/modules/ufs.kmod', readFileSync(join(MODPATH!, 'ufs.kmod')));
    host.addFile('/host/ffs.kmod', readFileSync(FFS!));
    host.addFile('/host/ffs.img', fixture(img));
    const { sys, fs } = boot(host);
    sys.mount('ffs', '/mnt', 0, { fspec: '/ffsimg' });
    const fd = sys.open('/mnt/a_directory/README', O.RDWR);
    const buf = new Uint8Array(1024);
    const n = sys.read(fd, buf);
    expect(n).toBeGreaterThan(0);
    const original = text(buf.subarray(0, n));
    sys.ftruncate(fd, 0);
    const replacement = 'You already read me. Go away.\n';
    sys.pwrite(fd, bytes(replacement), 0);
    expect(sys.reboot(0)).toBe(true);
    expect(() => fs.readFile('/mnt/a_directory/README')).toThrow(KernelHaltedError);

    const again = boot(host);
    again.sys.mount('ffs', '/mnt', MNT.RDONLY, { fspec: '/ffsimg' });
    expect(again.fs.readTextFile('/mnt/a_directory/README')).toBe(replacement);
    expect(original).not.toBe(replacement);
  });
});

describe('examples/classic.ts', () => {
  it.skipIf(!HAVE)(
    `runs as a process on a copy of tiny-ffs2.img ${NEED}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'rump-classic-'));
      try {
        const img = join(dir, 'ffs.img');
        writeFileSync(img, fixture('tiny-ffs2.img'));
        copyFileSync(FFS!, join(dir, 'ffs.kmod'));
        const tsx = join(REPO, 'node_modules/.bin/tsx');
        const run = () =>
          execFileSync(
            tsx,
            [
              '--conditions=@rump/source',
              join(REPO, 'packages/syscalls/examples/classic.ts'),
              join(dir, 'ffs.kmod'),
              img,
              MODPATH!,
            ],
            { encoding: 'utf8', cwd: REPO },
          );
        expect(run()).toContain('a test file system');
        expect(run()).toContain('You already read me.');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
