/** Without @rump/syscalls, file commands stop with one clear line after the checks that need no kernel. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lockPath } from '../src/lock.js';
import { main } from '../src/main.js';
import { syscallsAvailable } from '../src/session.js';
import { scratchDir } from './support/fixtures.js';
import { tinyfsSuperblock } from './support/images.js';
import { TINYFS } from './support/modules.js';

vi.mock('@rump/syscalls', () => ({}));

const dir = scratchDir('rump-nosys-');

describe('file commands without @rump/syscalls', () => {
  it('fail with "needs @rump/syscalls" and exit 1, leaving no lock behind', async () => {
    expect(syscallsAvailable()).toBe(false);
    const image = join(dir, 'disk.img');
    writeFileSync(image, tinyfsSuperblock(8192));
    writeFileSync(join(dir, 'x'), 'x');
    for (const argv of [
      ['ls', `${image}:/`],
      ['cat', `${image}:/a`],
      ['put', join(dir, 'x'), `${image}:/x`],
    ]) {
      const err: string[] = [];
      const status = await main(
        [...TINYFS, ...argv],
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
