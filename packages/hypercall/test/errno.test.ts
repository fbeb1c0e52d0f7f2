import { describe, expect, it } from 'vitest';
import {
  isNetBSDErrnoName,
  NETBSD_ELAST,
  NetBSDErrno,
  NetBSDErrnoAliases,
  netbsdErrnoName,
  netbsdStrerror,
} from '../src/index.js';

describe('NetBSDErrno', () => {
  it('numbers 1..ELAST once each, with no gaps', () => {
    const values = Object.values(NetBSDErrno).sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: NETBSD_ELAST }, (_, i) => i + 1));
  });

  it("has NetBSD's values where they differ from Linux's", () => {
    // Linux: EAGAIN 11, ENOTEMPTY 39, ENAMETOOLONG 36, ELOOP 40, ENOSYS 38, EDQUOT 122.
    expect(NetBSDErrno.EAGAIN).toBe(35);
    expect(NetBSDErrno.ENOTEMPTY).toBe(66);
    expect(NetBSDErrno.ENAMETOOLONG).toBe(63);
    expect(NetBSDErrno.ELOOP).toBe(62);
    expect(NetBSDErrno.ENOSYS).toBe(78);
    expect(NetBSDErrno.EFTYPE).toBe(79);
    expect(NetBSDErrno.EDQUOT).toBe(69);
    expect(NetBSDErrno.EOPNOTSUPP).toBe(45);
    expect(NetBSDErrno.ENOTSUP).toBe(86);
    expect(NetBSDErrno.ETIMEDOUT).toBe(60);
    expect(NetBSDErrno.ENOATTR).toBe(93);
    expect(NetBSDErrno.ENOTRECOVERABLE).toBe(98);
  });

  it('agrees with the shared low numbers', () => {
    expect(NetBSDErrno.EPERM).toBe(1);
    expect(NetBSDErrno.ENOENT).toBe(2);
    expect(NetBSDErrno.EIO).toBe(5);
    expect(NetBSDErrno.EBADF).toBe(9);
    expect(NetBSDErrno.EDEADLK).toBe(11);
    expect(NetBSDErrno.EACCES).toBe(13);
    expect(NetBSDErrno.EINVAL).toBe(22);
    expect(NetBSDErrno.EROFS).toBe(30);
    expect(NetBSDErrno.ERANGE).toBe(34);
  });

  it('names numbers back, and strerror has text for every name', () => {
    for (const [name, value] of Object.entries(NetBSDErrno)) {
      expect(netbsdErrnoName(value)).toBe(name);
      expect(isNetBSDErrnoName(name)).toBe(true);
      expect(netbsdStrerror(name as keyof typeof NetBSDErrno).length).toBeGreaterThan(3);
    }
    expect(netbsdErrnoName(0)).toBeUndefined();
    expect(netbsdErrnoName(99)).toBeUndefined();
    expect(netbsdErrnoName(2.5)).toBeUndefined();
    expect(isNetBSDErrnoName('EWOULDBLOCK')).toBe(false);
    expect(isNetBSDErrnoName('toString')).toBe(false);
    expect(NetBSDErrnoAliases.EWOULDBLOCK).toBe('EAGAIN');
    expect(netbsdStrerror('EFTYPE')).toBe('Inappropriate file type or format');
  });
});
