import type { HostError } from './HostError.js';

/**
 * The host interface of the rump kernel, version 1: everything the kernel needs from the world
 * outside it, modelled on NetBSD's rumpuser(3). The kernel reaches the host only through this.
 *
 * Threading: the kernel runs on one JavaScript thread and calls the host synchronously. Every
 * call except `bioAsync` and `sleepAsync` completes before it returns. No call re-enters the
 * kernel. Errors are thrown as `HostError` carrying a NetBSD errno.
 */
export interface HostV1 {
  /** Which version of the interface this host implements. */
  readonly specificationVersion: 'v1';
  /** A short name for messages: 'node', 'memory', ... */
  readonly name: string;

  /**
   * Opens a host file (rumpuser_open). `read-only` handles can never write; `create` (only with
   * `read-write`) creates a missing file, empty. Errors: ENOENT (missing, no `create`), EACCES or
   * EPERM (host permission), EROFS (the host or the file is read-only and `read-write` was asked),
   * EISDIR (a directory), EFTYPE (not a regular file), EINVAL (`create` with `read-only`, a path
   * with NUL), ENAMETOOLONG (path over 1023 bytes), EMFILE/ENFILE, ENXIO (host shut down).
   */
  open(path: string, options: HostOpenOptions): HostFile;

  /**
   * Opens a host file as a disk of whole sectors (rumpuser_open with RUMPUSER_OPEN_BIO).
   * The device's size is the file's size at open, rounded down to whole sectors. Errors: those of
   * `open`, and EINVAL for a sector size that is not a power of two from 512 to 65536.
   */
  openBlockDevice(path: string, options: HostBlockDeviceOptions): HostBlockDevice;

  /**
   * Nanoseconds (rumpuser_clock_gettime). `monotonic` counts from an arbitrary origin and never
   * goes back; `wall` counts from the Unix epoch (1970-01-01 UTC) and may jump.
   */
  clockGettime(clock: HostClock): bigint;

  /**
   * Blocks the calling thread for at least `ns` nanoseconds (rumpuser_clock_sleep, relative).
   * Because the kernel runs on the one JavaScript thread, this stops everything, the event loop
   * included: use it for a kernel that is idle and has nothing else to wait for. ns <= 0 returns.
   */
  sleep(ns: bigint): void;

  /** Blocks until the monotonic clock reads at least `monotonicNs` (rumpuser_clock_sleep, absolute). */
  sleepUntil(monotonicNs: bigint): void;

  /**
   * Resolves after at least `ns` nanoseconds without blocking the thread, so that the event loop
   * runs meanwhile: asynchronous block I/O completions arrive, and a browser stays responsive
   * (where a synchronous sleep on the main thread can only spin).
   */
  sleepAsync(ns: bigint): Promise<void>;

  /** Fills `buf` with random bytes from the host's cryptographic generator (rumpuser_getrandom). */
  getRandom(buf: Uint8Array): void;

  /** Writes one byte (0..255) of console output (rumpuser_putchar). Hosts may buffer per line. */
  putchar(c: number): void;

  /** Writes debug text from the kernel's support code (rumpuser_dprintf), already formatted. */
  dprintf(text: string): void;

  /**
   * The value of a configuration parameter as text (rumpuser_getparam); see `HostParamName` for
   * the known names, their defaults and syntax. Unknown name: ENOENT.
   */
  getParam(name: string): string;

  /**
   * Ends the kernel (rumpuser_exit): flushes console output, shuts the host down, then leaves.
   * `status` is an exit status 0..255 or HOST_EXIT_PANIC. What "leaves" means is the host's: the
   * Node host exits the process, the memory host throws HostExit.
   */
  exit(status: number): never;

  /**
   * Closes every handle still open and flushes console output. Afterwards every call fails: host
   * calls with ENXIO, handle calls with EBADF, each saying the host was shut down. Idempotent.
   */
  shutdown(): void;
}

/** The current version of the host interface. */
export type Host = HostV1;

/** `exit` status meaning the kernel panicked (RUMPUSER_PANIC). */
export const HOST_EXIT_PANIC = -1;

export type HostAccess = 'read-only' | 'read-write';

export interface HostOpenOptions {
  readonly access: HostAccess;
  /** Create the file, empty, if it does not exist. Only with `read-write`. Default false. */
  readonly create?: boolean;
}

export interface HostBlockDeviceOptions {
  readonly access: HostAccess;
  /** Bytes per sector: a power of two from 512 to 65536. Default 512 (NetBSD's DEV_BSIZE). */
  readonly sectorSize?: number;
}

export type HostClock = 'monotonic' | 'wall';

/**
 * An open host file. Offsets and sizes are byte counts (safe integers). Every call on a closed
 * handle fails with EBADF.
 */
export interface HostFile {
  readonly path: string;
  readonly access: HostAccess;
  /** Current size in bytes. */
  size(): number;
  /**
   * Reads up to `buf.length` bytes at `offset` into `buf`; returns the count, which is short only
   * at end of file (0 at or past it). Errors: EINVAL (offset not a non-negative safe integer), EIO.
   */
  pread(buf: Uint8Array, offset: number): number;
  /**
   * Writes all of `buf` at `offset`, growing the file (a gap reads as zeros); returns buf.length.
   * Errors: EBADF (handle is read-only), EINVAL, EFBIG, ENOSPC, EDQUOT, EIO.
   */
  pwrite(buf: Uint8Array, offset: number): number;
  /** Sets the size, cutting or zero-extending. Errors: EBADF (read-only), EINVAL, EFBIG, ENOSPC. */
  truncate(size: number): void;
  /** Makes written data durable. Allowed on read-only handles (a no-op there). */
  fsync(): void;
  /** Closes the handle. A second close fails with EBADF. */
  close(): void;
}

export type BioOp = 'read' | 'write';

/** One block I/O request (rumpuser_bio). */
export interface BioRequest {
  readonly op: BioOp;
  /** First sector, in units of the device's sectorSize (not NetBSD's 512-byte b_blkno). */
  readonly sector: number;
  /**
   * The bytes to transfer: a whole number of sectors. A read fills it, a write takes it. For
   * `bioAsync` the caller must leave it alone until `done` runs (the host may be using it).
   */
  readonly data: Uint8Array;
  /** For writes: durable before completion (fsync), like RUMPUSER_BIO_SYNC. */
  readonly sync?: boolean;
}

/**
 * Completion of an asynchronous block I/O (rumpuser's biodone callback): `error` null and
 * `bytes` = data.length on success; a HostError and `bytes` 0 on failure (never a partial count).
 */
export type BioDone = (error: HostError | null, bytes: number) => void;

/**
 * A host file seen as a disk of fixed size, addressed in whole sectors. Requests that are not whole
 * sectors, or that reach past the last sector, fail with EINVAL and transfer nothing: a disk has no
 * short reads. Every call on a closed device fails with EBADF.
 */
export interface HostBlockDevice {
  readonly path: string;
  readonly access: HostAccess;
  readonly sectorSize: number;
  /** Number of whole sectors, fixed at open. */
  readonly sectorCount: number;
  /**
   * Performs a request before returning; returns the bytes transferred (always data.length).
   * Errors: EINVAL (bad sector number, length not whole sectors, past the end), EROFS (write to a
   * read-only device), EIO (the host file changed size, or failed).
   */
  bio(req: BioRequest): number;
  /**
   * Starts a request and reports completion through `done`, exactly once and never before
   * bioAsync returns. Errors (the same as `bio`'s) go to `done`, never thrown. Outstanding
   * requests may complete in any order; a kernel wanting order waits for each `done`.
   */
  bioAsync(req: BioRequest, done: BioDone): void;
  /** Makes completed writes durable (a cache flush). */
  flush(): void;
  /** Closes the device. A request still in flight completes; its `done` still runs. */
  close(): void;
}
