import { errnoName } from '@rump/kernel-core';

/**
 * A system call failed with a NetBSD errno: what `rump_sys_*` reports as -1 with `errno` set.
 * `errno` is NetBSD's number (ENOTEMPTY is 66, not Linux's 39); `code` is its name.
 */
export class SyscallError extends Error {
  override name = 'SyscallError';
  readonly code: string;
  constructor(
    readonly syscall: string,
    readonly errno: number,
    /** What the kernel said, when it said more than the errno. */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    const code = errnoName(errno);
    super(`${syscall}: ${code}${detail ? ` (${detail})` : ''}`, options);
    this.code = code;
  }
}

/** The kernel was halted by reboot(2): every later call is refused. */
export class KernelHaltedError extends Error {
  override name = 'KernelHaltedError';
  constructor(syscall: string) {
    super(`${syscall}: the rump kernel was halted by reboot(2) and takes no more system calls`);
  }
}
