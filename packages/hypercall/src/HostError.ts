import {
  isNetBSDErrnoName,
  NetBSDErrno,
  NetBSDErrnoAliases,
  type NetBSDErrnoName,
  netbsdStrerror,
} from './errno.js';

/** Where a host error happened and what the host said; everything but `call` is optional. */
export interface HostErrorDetail {
  /** The host-interface call that failed: `open`, `pread`, `bio`, `getParam`, ... */
  readonly call: string;
  /** The host path involved, if any. */
  readonly path?: string;
  /** Our own explanation (for errors the interface itself raises). */
  readonly message?: string;
  /** The host's error code as the host spelled it (Node's `code`: 'ENOENT', 'ERR_OUT_OF_RANGE'). */
  readonly hostCode?: string;
  /** The host's own error message, kept verbatim. */
  readonly hostMessage?: string;
  /** The original host error object. */
  readonly cause?: unknown;
}

/**
 * An error reported across the host interface. `errno` is always a NetBSD value (never the host's
 * own number), so the kernel can hand it to NetBSD code unchanged; `hostCode` and `hostMessage`
 * keep what the host originally said, for people reading the failure.
 */
export class HostError extends Error {
  override readonly name = 'HostError';
  /** NetBSD errno value, e.g. 35 for EAGAIN. */
  readonly errno: number;
  /** NetBSD errno name, e.g. 'EAGAIN'. */
  readonly code: NetBSDErrnoName;
  readonly call: string;
  readonly path: string | undefined;
  readonly hostCode: string | undefined;
  readonly hostMessage: string | undefined;

  constructor(code: NetBSDErrnoName, detail: HostErrorDetail) {
    const where = detail.path === undefined ? detail.call : `${detail.call} ${detail.path}`;
    const why = [detail.message, detail.hostMessage].filter((s) => s !== undefined).join(': ');
    super(
      `${where}: ${code} (${NetBSDErrno[code]}, ${netbsdStrerror(code)})${why ? `: ${why}` : ''}`,
      detail.cause === undefined ? undefined : { cause: detail.cause },
    );
    this.errno = NetBSDErrno[code];
    this.code = code;
    this.call = detail.call;
    this.path = detail.path;
    this.hostCode = detail.hostCode;
    this.hostMessage = detail.hostMessage;
  }

  /** True when `err` is a HostError, and (if given) carries the errno name `code`. */
  static is(err: unknown, code?: NetBSDErrnoName): err is HostError {
    return err instanceof HostError && (code === undefined || err.code === code);
  }
}

/**
 * Host error codes whose POSIX name NetBSD lacks, mapped to the nearest NetBSD meaning.
 * Codes with the same name on both sides (ENOENT, EACCES, EISDIR, EEXIST, ENOSPC, EROFS, EBADF,
 * EINVAL, EMFILE, EPERM, ENOTDIR, EAGAIN, ENOTEMPTY, ELOOP, ENAMETOOLONG, ...) map by name, which is
 * the whole point: the host's *number* for them is Linux's and must never cross.
 */
const FOREIGN_CODES: Readonly<Record<string, NetBSDErrnoName>> = {
  // Linux spellings of NetBSD errors.
  EDEADLOCK: 'EDEADLK',
  EBADFD: 'EBADF',
  EREMOTEIO: 'EIO',
  EUCLEAN: 'EIO',
  ENOMEDIUM: 'ENXIO',
  EMEDIUMTYPE: 'EFTYPE',
  ENOTUNIQ: 'EEXIST',
  ENONET: 'ENETDOWN',
  ECOMM: 'EIO',
  ENOKEY: 'ENOENT',
  EKEYEXPIRED: 'EAUTH',
  EKEYREJECTED: 'EAUTH',
  ENOTNAM: 'EFTYPE',
  EISNAM: 'EFTYPE',
  ESTRPIPE: 'EPIPE',
  ERFKILL: 'ENETDOWN',
  EHWPOISON: 'EIO',
  ECHRNG: 'ERANGE',
  EBADE: 'EIO',
  EBADR: 'EIO',
  EXFULL: 'ENOSPC',
  // libuv / Node specials.
  EOF: 'EIO',
  ECHARSET: 'EILSEQ',
  EAI_AGAIN: 'EAGAIN',
  EAI_NONAME: 'ENOENT',
  EAI_MEMORY: 'ENOMEM',
  EFTYPE: 'EFTYPE',
  // Windows-flavoured libuv codes.
  ENOTCAPABLE: 'EPERM',
};

/**
 * The NetBSD errno name for a host error code: the same name where NetBSD has it, a documented
 * nearest meaning where it does not (see FOREIGN_CODES), EINVAL for Node's argument-validation
 * codes (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`, ...), and EIO for anything unknown.
 */
export function netbsdErrnoForHostCode(code: string): NetBSDErrnoName {
  if (isNetBSDErrnoName(code)) return code;
  const alias = NetBSDErrnoAliases[code];
  if (alias !== undefined) return alias;
  const foreign = FOREIGN_CODES[code];
  if (foreign !== undefined) return foreign;
  if (code === 'ERR_FS_FILE_TOO_LARGE') return 'EFBIG';
  if (code.startsWith('ERR_INVALID_') || code === 'ERR_OUT_OF_RANGE') return 'EINVAL';
  return 'EIO';
}

/**
 * Converts whatever a host threw into a HostError. A HostError passes through unchanged; an
 * error with a string `code` (Node's system errors) maps by name; a RangeError or TypeError (bad
 * arguments, allocation size) maps to EINVAL; anything else to EIO. The host's message, code and
 * the original object are kept.
 */
export function hostErrorFrom(err: unknown, call: string, path?: string): HostError {
  if (err instanceof HostError) return err;
  const hostCode =
    typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
      ? (err as { code: string }).code
      : undefined;
  const hostMessage = err instanceof Error ? err.message : String(err);
  let code: NetBSDErrnoName;
  if (hostCode !== undefined) code = netbsdErrnoForHostCode(hostCode);
  else if (err instanceof RangeError || err instanceof TypeError) code = 'EINVAL';
  else code = 'EIO';
  return new HostError(code, {
    call,
    ...(path === undefined ? {} : { path }),
    ...(hostCode === undefined ? {} : { hostCode }),
    hostMessage,
    cause: err,
  });
}
