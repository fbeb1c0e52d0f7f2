import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationError } from '../src/cli/errors.js';
import { BREAK_SUFFIX, lockImage, lockPath, readLockOwner } from '../src/lock.js';

let dir: string;
let image: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rump-lock-'));
  image = join(dir, 'disk.img');
  writeFileSync(image, '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refusal(f: () => unknown): OperationError {
  try {
    f();
  } catch (e) {
    if (e instanceof OperationError) return e;
    throw e;
  }
  throw new Error('expected the lock to be refused');
}

describe('image lock', () => {
  it('lets one writer in and refuses a second while the first lives', () => {
    const a = lockImage(image, { command: 'rump put' });
    expect(readLockOwner(lockPath(image))?.pid).toBe(process.pid);
    const e = refusal(() => lockImage(image, { command: 'rump rm' }));
    expect(e.errno).toBe('EBUSY');
    expect(e.message).toMatch(new RegExp(`held by pid ${process.pid} \\(rump put\\)`));
    a.release();
    expect(existsSync(lockPath(image))).toBe(false);
    lockImage(image).release();
  });

  it('breaks a stale lock whose process is gone', () => {
    const stale = lockImage(image, { pid: 999_999_999, isAlive: () => true });
    expect(readLockOwner(lockPath(image))?.pid).toBe(999_999_999);
    const b = lockImage(image, { isAlive: (pid) => pid !== 999_999_999 });
    expect(readLockOwner(lockPath(image))?.pid).toBe(process.pid);
    expect(existsSync(lockPath(image) + BREAK_SUFFIX)).toBe(false);
    // The stale holder's release must not remove the new owner's lock.
    stale.release();
    expect(readLockOwner(lockPath(image))?.token).toBe(b.owner.token);
    b.release();
  });

  it('never breaks a lock held on another host', () => {
    lockImage(image, { hostname: 'elsewhere', pid: 1 });
    const e = refusal(() => lockImage(image, { isAlive: () => false }));
    expect(e.message).toMatch(/on host elsewhere/);
  });

  it('refuses while another process breaks the lock, and clears a break file left by a crash', () => {
    lockImage(image, { pid: 999_999_998, isAlive: () => true });
    writeFileSync(lockPath(image) + BREAK_SUFFIX, 'x');
    expect(refusal(() => lockImage(image, { isAlive: () => false })).message).toMatch(
      /breaking a stale lock/,
    );
    const old = Date.now() / 1000 - 60;
    utimesSync(lockPath(image) + BREAK_SUFFIX, old, old);
    const l = lockImage(image, { isAlive: () => false });
    expect(readLockOwner(lockPath(image))?.token).toBe(l.owner.token);
    l.release();
  });

  it('treats an unreadable lock file as held until it is old', () => {
    writeFileSync(lockPath(image), 'not json');
    expect(refusal(() => lockImage(image)).message).toMatch(/being written or is unreadable/);
    const old = Date.now() / 1000 - 60;
    utimesSync(lockPath(image), old, old);
    lockImage(image).release();
  });

  it('reports an unwritable directory as an error naming the lock file', () => {
    const e = refusal(() => lockImage(join(dir, 'missing-dir', 'x.img')));
    expect(e.message).toMatch(/cannot create lock file/);
    expect(readFileSync(image, 'utf8')).toBe('');
  });
});
