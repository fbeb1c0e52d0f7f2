import { NetBSDErrno } from '@rump/hypercall';

/**
 * NetBSD's errno values (sys/errno.h): the host interface's table, which every layer shares,
 * plus the kernel-internal pseudo errors that never reach a caller.
 */
export const errno = {
  ...NetBSDErrno,
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
