import type { BioOp } from './Host.js';

/**
 * What a host must provide for one open file when it builds on HostBase: raw I/O with no checks.
 * HostBase wraps it in a handle that validates arguments, refuses writes on read-only handles,
 * refuses calls after close, and turns thrown errors into HostErrors, so a backend may throw the
 * host's own errors (Node's system errors map by their `code`).
 */
export interface FileBackend {
  /** Current size in bytes. */
  size(): number;
  /** Reads into all of `buf` at `offset`; returns the count, short only at end of file. */
  pread(buf: Uint8Array, offset: number): number;
  /** Writes all of `buf` at `offset`. Never called on a read-only handle. */
  pwrite(buf: Uint8Array, offset: number): void;
  /** Never called on a read-only handle. */
  truncate(size: number): void;
  fsync(): void;
  /** Releases the host resource. Called exactly once, and never while a transferAsync is pending. */
  close(): void;
  /**
   * Optional truly asynchronous transfer (a worker, a thread pool) for block devices' bioAsync:
   * moves all of `data` at `offset`, fsyncs after a write when `sync`, and calls `cb` once, later,
   * with the error (or null) and the bytes moved. Without it, bioAsync does the transfer
   * synchronously and reports completion from a microtask.
   */
  transferAsync?(
    op: BioOp,
    data: Uint8Array,
    offset: number,
    sync: boolean,
    cb: (err: unknown, bytes: number) => void,
  ): void;
}
