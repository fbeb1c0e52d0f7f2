import type { FileBackend } from './FileBackend.js';
import type { HandleTable, OpenHandle } from './HandleTable.js';
import type { BioDone, BioRequest, HostAccess, HostBlockDevice } from './Host.js';
import { HostError, hostErrorFrom } from './HostError.js';

/** Sector sizes a device may have: powers of two from DEV_BSIZE (512) to 64 KiB. */
export function isValidSectorSize(size: unknown): size is number {
  return (
    typeof size === 'number' &&
    Number.isInteger(size) &&
    size >= 512 &&
    size <= 65536 &&
    (size & (size - 1)) === 0
  );
}

/**
 * A host file as a disk (the host side of rumpuser_bio): fixed size in whole sectors, set at
 * open; every request is checked whole before any byte moves, so a request that reaches past the
 * end fails with EINVAL and transfers nothing, as NetBSD's bounds check fails a buf rather than
 * shortening it. A read-only device refuses writes with EROFS, like a write-protected disk.
 */
export class FileBlockDevice implements HostBlockDevice, OpenHandle {
  readonly path: string;
  readonly access: HostAccess;
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly #backend: FileBackend;
  readonly #table: HandleTable;
  readonly #useAsyncBackend: boolean;
  #state: 'open' | 'closed' | 'shutdown' = 'open';
  /** Requests handed to backend.transferAsync and not yet completed. */
  #inflight = 0;
  /** The backend close waits for in-flight transfers, whose buffers the host is still using. */
  #closeWhenIdle = false;

  constructor(
    path: string,
    access: HostAccess,
    sectorSize: number,
    backend: FileBackend,
    table: HandleTable,
    useAsyncBackend = true,
  ) {
    this.path = path;
    this.access = access;
    this.sectorSize = sectorSize;
    this.#backend = backend;
    this.#table = table;
    this.#useAsyncBackend = useAsyncBackend && backend.transferAsync !== undefined;
    this.sectorCount = Math.floor(backend.size() / sectorSize);
    table.add(this);
  }

  #closedError(call: string): HostError | null {
    if (this.#state === 'open') return null;
    return new HostError('EBADF', {
      call,
      path: this.path,
      message:
        this.#state === 'shutdown' ? 'device was closed by host shutdown' : 'device is closed',
    });
  }

  /** Checks a request completely; returns the error rather than throwing, for bioAsync. */
  #check(req: BioRequest, call: string): HostError | null {
    const closed = this.#closedError(call);
    if (closed !== null) return closed;
    const bad = (message: string) => new HostError('EINVAL', { call, path: this.path, message });
    if (typeof req !== 'object' || req === null) return bad('request must be an object');
    if (req.op !== 'read' && req.op !== 'write') {
      return bad(`op must be 'read' or 'write', got ${String(req.op)}`);
    }
    if (!(req.data instanceof Uint8Array)) return bad('data must be a Uint8Array');
    if (!Number.isSafeInteger(req.sector) || req.sector < 0) {
      return bad(`sector must be a non-negative integer, got ${String(req.sector)}`);
    }
    if (req.data.length % this.sectorSize !== 0) {
      return bad(
        `${req.data.length} bytes is not a whole number of ${this.sectorSize}-byte sectors`,
      );
    }
    const count = req.data.length / this.sectorSize;
    if (req.sector + count > this.sectorCount) {
      return bad(
        `sectors ${req.sector}..${req.sector + count - 1} reach past the end of the device ` +
          `(${this.sectorCount} sectors)`,
      );
    }
    if (req.op === 'write' && this.access !== 'read-write') {
      return new HostError('EROFS', { call, path: this.path, message: 'device is read-only' });
    }
    return null;
  }

  #shortTransfer(req: BioRequest, bytes: number, call: string): HostError {
    return new HostError('EIO', {
      call,
      path: this.path,
      message: `${req.op} of ${req.data.length} bytes at sector ${req.sector} moved ${bytes}: the host file shrank`,
    });
  }

  #transfer(req: BioRequest, call: string): void {
    const offset = req.sector * this.sectorSize;
    try {
      if (req.op === 'read') {
        const got = this.#backend.pread(req.data, offset);
        if (got !== req.data.length) throw this.#shortTransfer(req, got, call);
      } else {
        this.#backend.pwrite(req.data, offset);
        if (req.sync === true) this.#backend.fsync();
      }
    } catch (err) {
      throw hostErrorFrom(err, call, this.path);
    }
  }

  bio(req: BioRequest): number {
    const err = this.#check(req, 'bio');
    if (err !== null) throw err;
    this.#transfer(req, 'bio');
    return req.data.length;
  }

  bioAsync(req: BioRequest, done: BioDone): void {
    if (typeof done !== 'function') {
      throw new HostError('EINVAL', {
        call: 'bioAsync',
        path: this.path,
        message: 'no done callback',
      });
    }
    const err = this.#check(req, 'bioAsync');
    if (err !== null) {
      queueMicrotask(() => done(err, 0));
      return;
    }
    if (!this.#useAsyncBackend) {
      // Synchronous transfer, asynchronous report: the caller sees the same contract either way.
      let result: HostError | null = null;
      try {
        this.#transfer(req, 'bioAsync');
      } catch (e) {
        result = hostErrorFrom(e, 'bioAsync', this.path);
      }
      queueMicrotask(() => done(result, result === null ? req.data.length : 0));
      return;
    }
    this.#inflight++;
    let returned = false;
    const complete = (hostErr: unknown, bytes: number): void => {
      this.#inflight--;
      let result: HostError | null = null;
      if (hostErr !== null && hostErr !== undefined) {
        result = hostErrorFrom(hostErr, 'bioAsync', this.path);
      } else if (bytes !== req.data.length) {
        result = this.#shortTransfer(req, bytes, 'bioAsync');
      }
      if (this.#inflight === 0 && this.#closeWhenIdle) {
        try {
          this.#closeBackend();
        } catch (e) {
          result ??= hostErrorFrom(e, 'close', this.path);
        }
      }
      const report = () => done(result, result === null ? req.data.length : 0);
      // A backend that calls back before we returned must not make done run early.
      if (returned) report();
      else queueMicrotask(report);
    };
    try {
      this.#backend.transferAsync!(
        req.op,
        req.data,
        req.sector * this.sectorSize,
        req.sync === true,
        complete,
      );
    } catch (e) {
      complete(e, 0);
    }
    returned = true;
  }

  flush(): void {
    const err = this.#closedError('flush');
    if (err !== null) throw err;
    if (this.access !== 'read-write') return;
    try {
      this.#backend.fsync();
    } catch (e) {
      throw hostErrorFrom(e, 'flush', this.path);
    }
  }

  close(): void {
    const err = this.#closedError('close');
    if (err !== null) throw err;
    this.#release('closed');
  }

  closeForShutdown(): void {
    if (this.#state === 'open') this.#release('shutdown');
  }

  /** Number of asynchronous requests not yet completed. */
  get inflight(): number {
    return this.#inflight;
  }

  #release(state: 'closed' | 'shutdown'): void {
    this.#state = state;
    this.#table.remove(this);
    if (this.#inflight > 0) this.#closeWhenIdle = true;
    else this.#closeBackend();
  }

  #closeBackend(): void {
    this.#closeWhenIdle = false;
    try {
      this.#backend.close();
    } catch (e) {
      throw hostErrorFrom(e, 'close', this.path);
    }
  }
}
