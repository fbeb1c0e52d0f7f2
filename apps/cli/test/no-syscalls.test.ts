/** Without @rump/syscalls, file commands stop with one clear line after the checks that need no kernel. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { lockPath } from '../src/lock.js';
import { main } from '../src/main.js';
import { syscallsAvailable } from '../src/session.js';

vi.mock('@rump/syscalls', () => ({}));

const here = dirname(fileURLToPath(import.meta.url));
const TINYFS_KMOD = join(here, '../../../tools/test-modules/kmod/tinyfs.kmod');
const dir = mkdtempSync(join(tmpdir(), 'rump-nosys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file commands without @rump/syscalls', () => {
  it('fail with "needs @rump/syscalls" and exit 1, leaving no lock behind', async () => {
    expect(syscallsAvailable()).toBe(false);
    const image = join(dir, 'disk.img');
    const sb = new Uint8Array(8192);
    const v = new DataView(sb.buffer);
    v.setUint32(0, 0x544e5946, true);
    v.setUint32(4, 1, true);
    v.setUint32(8, 4096, true);
    writeFileSync(image, sb);
    writeFileSync(join(dir, 'x'), 'x');
    for (const argv of [
      ['ls', `${image}:/`],
      ['cat', `${image}:/a`],
      ['put', join(dir, 'x'), `${image}:/x`],
    ]) {
      const err: string[] = [];
      const status = await main(
        ['-m', TINYFS_KMOD, ...argv],
        { out: () => {}, err: (s) => err.push(s) },
        {},
      );
      expect(status).toBe(1);
      expect(err.join('')).toBe(
        `rump: ${argv[0]}: ${image}: needs @rump/syscalls: not available yet (ENOSYS)\n`,
      );
    }
    expect(existsSync(lockPath(image))).toBe(false);
  });
});
