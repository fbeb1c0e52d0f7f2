import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostError, hostErrorFrom, NetBSDErrno, netbsdErrnoForHostCode } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rump-hosterror-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What Node throws for `fn`, converted. */
function mapped(fn: () => unknown): HostError {
  try {
    fn();
  } catch (err) {
    return hostErrorFrom(err, 'test', 'p');
  }
  throw new Error('expected the call to fail');
}

describe('hostErrorFrom on real Node errors', () => {
  it('ENOENT keeps code, message and cause', () => {
    const e = mapped(() => openSync(join(dir, 'missing'), 'r'));
    expect(e).toBeInstanceOf(HostError);
    expect(e.code).toBe('ENOENT');
    expect(e.errno).toBe(2);
    expect(e.hostCode).toBe('ENOENT');
    expect(e.hostMessage).toMatch(/no such file or directory/);
    expect((e.cause as NodeJS.ErrnoException).errno).toBe(-2);
    expect(e.message).toMatch(/^test p: ENOENT \(2, No such file or directory\): ENOENT: no such/);
  });

  it('ENOTEMPTY becomes 66 (Linux has 39)', () => {
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'x'), 'x');
    const e = mapped(() => rmdirSync(join(dir, 'full')));
    expect(e.code).toBe('ENOTEMPTY');
    expect(e.errno).toBe(66);
  });

  it('ELOOP becomes 62 (Linux has 40)', () => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    const e = mapped(() => openSync(join(dir, 'loop-a'), 'r'));
    expect(e.code).toBe('ELOOP');
    expect(e.errno).toBe(62);
  });

  it('ENAMETOOLONG becomes 63 (Linux has 36)', () => {
    const e = mapped(() => openSync(join(dir, 'n'.repeat(300)), 'r'));
    expect(e.code).toBe('ENAMETOOLONG');
    expect(e.errno).toBe(63);
  });

  it('EISDIR, EEXIST and ENOTDIR map by name', () => {
    expect(mapped(() => readFileSync(dir)).code).toBe('EISDIR');
    writeFileSync(join(dir, 'exists'), '');
    expect(mapped(() => openSync(join(dir, 'exists'), 'wx')).code).toBe('EEXIST');
    expect(mapped(() => openSync(join(dir, 'exists', 'below'), 'r')).code).toBe('ENOTDIR');
  });

  it.skipIf(process.getuid?.() === 0)('EACCES maps by name (needs a non-root user)', async () => {
    const { chmodSync } = await import('node:fs');
    writeFileSync(join(dir, 'secret'), 'x');
    chmodSync(join(dir, 'secret'), 0);
    expect(mapped(() => openSync(join(dir, 'secret'), 'r')).code).toBe('EACCES');
  });

  it("Node's argument errors become EINVAL, other errors EIO", () => {
    expect(mapped(() => openSync(join(dir, 'exists'), 'not-a-flag')).code).toBe('EINVAL');
    expect(hostErrorFrom(new RangeError('x'), 'c').code).toBe('EINVAL');
    expect(hostErrorFrom(new Error('plain'), 'c').code).toBe('EIO');
    expect(hostErrorFrom('a string', 'c').hostMessage).toBe('a string');
  });

  it('a HostError passes through unchanged', () => {
    const e = new HostError('EROFS', { call: 'x' });
    expect(hostErrorFrom(e, 'y')).toBe(e);
  });
});

describe('netbsdErrnoForHostCode', () => {
  it('maps every Node code the host interface meets', () => {
    const same = [
      'ENOENT',
      'EACCES',
      'EISDIR',
      'EEXIST',
      'ENOSPC',
      'EROFS',
      'EBADF',
      'EINVAL',
      'EMFILE',
      'ENFILE',
      'EPERM',
      'ENOTDIR',
      'EAGAIN',
      'EBUSY',
      'EFBIG',
      'EIO',
      'ENOMEM',
      'EDQUOT',
      'ENXIO',
      'ENODEV',
      'ETXTBSY',
      'ELOOP',
      'ENAMETOOLONG',
      'ENOTEMPTY',
      'ENOSYS',
      'ESPIPE',
      'EXDEV',
      'EINTR',
      'EOVERFLOW',
      'ETIMEDOUT',
      'ECANCELED',
      'ENOTSUP',
      'EOPNOTSUPP',
    ] as const;
    for (const code of same) expect(netbsdErrnoForHostCode(code)).toBe(code);
  });

  it('maps Linux-only spellings to the nearest NetBSD meaning', () => {
    expect(netbsdErrnoForHostCode('EWOULDBLOCK')).toBe('EAGAIN');
    expect(netbsdErrnoForHostCode('EDEADLOCK')).toBe('EDEADLK');
    expect(netbsdErrnoForHostCode('EBADFD')).toBe('EBADF');
    expect(netbsdErrnoForHostCode('EREMOTEIO')).toBe('EIO');
    expect(netbsdErrnoForHostCode('ENOMEDIUM')).toBe('ENXIO');
    expect(netbsdErrnoForHostCode('ERR_OUT_OF_RANGE')).toBe('EINVAL');
    expect(netbsdErrnoForHostCode('ERR_INVALID_ARG_TYPE')).toBe('EINVAL');
    expect(netbsdErrnoForHostCode('ERR_FS_FILE_TOO_LARGE')).toBe('EFBIG');
    expect(netbsdErrnoForHostCode('ESOMETHINGNEW')).toBe('EIO');
    expect(NetBSDErrno[netbsdErrnoForHostCode('EWOULDBLOCK')]).toBe(35);
  });
});
