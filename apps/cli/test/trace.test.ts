/**
 * --trace on the real rump kernel with tinyfs.kmod: system calls (CALL/RET) and the vnode
 * operations inside them, on stderr, one line each; stdout stays the command's output.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './support/fixtures.js';
import { runRumpTinyfs } from './support/run.js';
import { etcMotd, writeTinyfs } from './support/tinyfs-images.js';

const dir = scratchDir('rump-trace-');

const image = join(dir, 'trace.img');
writeTinyfs(image, { entries: etcMotd('traced\n') });

describe('--trace', () => {
  it('prints system calls and vnode operations of rump cat on stderr', async () => {
    const r = await runRumpTinyfs('cat', '--trace', `${image}:/etc/motd`);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toBe('traced\n');
    const lines = r.err.split('\n').filter((l) => l !== '');
    expect(lines.every((l) => l.startsWith('trace: '))).toBe(true);
    const open = lines.findIndex((l) => l.startsWith('trace: CALL open("/mnt/etc/motd"'));
    const opened = lines.findIndex((l, i) => i > open && /^trace: RET {2}open \d+$/.test(l));
    expect(open).toBeGreaterThanOrEqual(0);
    expect(opened).toBeGreaterThan(open);
    // the lookups (mnt, etc, motd) happen inside open(2)
    const inOpen = lines.slice(open + 1, opened);
    expect(
      inOpen.filter((l) => /^trace: +VOP_LOOKUP vp=0x[0-9a-f]+ = 0$/.test(l)).length,
    ).toBeGreaterThanOrEqual(2);
    const read = lines.findIndex((l) => l.startsWith('trace: CALL read('));
    const readRet = lines.findIndex((l, i) => i > read && l.startsWith('trace: RET  read 7'));
    expect(read).toBeGreaterThan(opened);
    expect(readRet).toBeGreaterThan(read);
    expect(lines.slice(read + 1, readRet).some((l) => /VOP_READ vp=/.test(l))).toBe(true);
    // setup and teardown are traced too
    expect(lines.some((l) => l.startsWith('trace: CALL mount("tinyfs", "/mnt"'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^trace: RET {2}reboot true$/);
  });

  it('says which call failed and with which errno', async () => {
    const r = await runRumpTinyfs('--trace', 'cat', `${image}:/etc/nope`);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/trace: +VOP_LOOKUP vp=0x[0-9a-f]+ = 2 ENOENT\n/);
    expect(r.err).toMatch(/trace: RET {2}stat -1 ENOENT\n/);
    expect(r.err).toMatch(/trace: +VOP_ISLOCKED vp=0x[0-9a-f]+ = 2\n/);
  });

  it('prints nothing without --trace', async () => {
    const r = await runRumpTinyfs('cat', `${image}:/etc/motd`);
    expect(r.err).toBe('');
  });
});
