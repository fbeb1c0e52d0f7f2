/** NetBSD's errno values (sys/errno.h). */
export const errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EDEADLK: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EAGAIN: 35,
  EINPROGRESS: 36,
  EALREADY: 37,
  ENOTSOCK: 38,
  EMSGSIZE: 40,
  ENOPROTOOPT: 42,
  EOPNOTSUPP: 45,
  ETIMEDOUT: 60,
  ELOOP: 62,
  ENAMETOOLONG: 63,
  ENOTEMPTY: 66,
  EDQUOT: 69,
  ESTALE: 70,
  ENOLCK: 77,
  ENOSYS: 78,
  EFTYPE: 79,
  EAUTH: 80,
  EOVERFLOW: 84,
  EILSEQ: 85,
  ENOTSUP: 86,
  ECANCELED: 87,
  ENODATA: 89,
  ENOATTR: 93,
  EPROTO: 96,
  /** Kernel-internal pseudo errors (never returned to callers). */
  EJUSTRETURN: -2,
  ERESTART: -3,
  EPASSTHROUGH: -4,
} as const;

export type ErrnoName = keyof typeof errno;

const byValue = new Map<number, string>();
for (const [name, value] of Object.entries(errno))
  if (!byValue.has(value)) byValue.set(value, name);

/** `ENOENT` for 2; `errno 1234` for a value NetBSD does not name. */
export function errnoName(value: number): string {
  return byValue.get(value) ?? `errno ${value}`;
}
