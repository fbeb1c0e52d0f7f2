/**
 * The CLI's error model: every failure a command reports is a CliError carrying its exit status
 * (1: the operation failed, 2: the command line is wrong), an optional subject (the image,
 * `IMAGE:PATH` or module it is about) and an optional NetBSD errno name. `main` prints it as one
 * line: `rump: cat: disk.img:/etc/x: No such file or directory (ENOENT)`.
 */
import { isNetBSDErrnoName, type NetBSDErrnoName, netbsdStrerror } from '@rump/hypercall';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export type ExitStatus = typeof EXIT_OK | typeof EXIT_FAILED | typeof EXIT_USAGE;

export interface CliErrorOptions {
  /** What the error is about: `disk.img`, `disk.img:/etc/x`, `ffs.kmod`. */
  readonly subject?: string;
  /** A NetBSD errno name (`ENOENT`); printed after the message and reported in --json. */
  readonly errno?: NetBSDErrnoName;
  readonly cause?: unknown;
}

export class CliError extends Error {
  override name = 'CliError';
  readonly subject: string | undefined;
  readonly errno: NetBSDErrnoName | undefined;
  constructor(
    message: string,
    readonly exit: typeof EXIT_FAILED | typeof EXIT_USAGE,
    options: CliErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.subject = options.subject;
    this.errno = options.errno;
  }
}

/** The command line is wrong (exit 2). */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, EXIT_USAGE, options);
  }
}

/** The operation failed (exit 1). */
export class OperationError extends CliError {
  override name = 'OperationError';
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, EXIT_FAILED, options);
  }
}

/** An operation failed with a NetBSD errno: the message is NetBSD's strerror text. */
export function errnoError(
  errno: NetBSDErrnoName,
  subject?: string,
  detail?: string,
): OperationError {
  const text = netbsdStrerror(errno);
  return new OperationError(detail ? `${text}: ${detail}` : text, { subject, errno });
}

/** Host (Node) errors carry Linux errno names; most that matter here share NetBSD's name. */
export function fromHostError(e: unknown, subject: string): CliError {
  if (e instanceof CliError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isNetBSDErrnoName(code)) return errnoError(code, subject);
  return new OperationError(e instanceof Error ? e.message : String(e), { subject, cause: e });
}

/** One line: `rump: COMMAND: SUBJECT: MESSAGE (ERRNO)`. */
export function formatError(command: string | undefined, e: CliError): string {
  const parts = ['rump'];
  if (command) parts.push(command);
  if (e.subject) parts.push(e.subject);
  parts.push(e.errno ? `${e.message} (${e.errno})` : e.message);
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}

/** The same error for --json consumers. */
export function errorJson(command: string | undefined, e: CliError): Record<string, unknown> {
  return {
    error: {
      command: command ?? null,
      subject: e.subject ?? null,
      message: e.message,
      errno: e.errno ?? null,
      exit: e.exit,
    },
  };
}
