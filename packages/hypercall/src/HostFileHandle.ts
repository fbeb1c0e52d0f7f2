import { checkBuffer, checkByteCount, checkEnd } from './checks.js';
import type { FileBackend } from './FileBackend.js';
import type { HandleTable, OpenHandle } from './HandleTable.js';
import type { HostAccess, HostFile } from './Host.js';
import { HostError, hostErrorFrom } from './HostError.js';

/**
 * A HostFile over a host's FileBackend: the one place that enforces the handle rules, so every
 * host built on HostBase gets them alike. A read-only handle refuses pwrite and truncate before
 * the backend sees them (and the Node backend's descriptor is O_RDONLY besides).
 */
export class HostFileHandle implements HostFile, OpenHandle {
  readonly path: string;
  readonly access: HostAccess;
  readonly #backend: FileBackend;
  readonly #table: HandleTable;
  #closed: 'open' | 'closed' | 'shutdown' = 'open';

  constructor(path: string, access: HostAccess, backend: FileBackend, table: HandleTable) {
    this.path = path;
    this.access = access;
    this.#backend = backend;
    this.#table = table;
    table.add(this);
  }

  #checkOpen(call: string): void {
    if (this.#closed !== 'open') {
      throw new HostError('EBADF', {
        call,
        path: this.path,
        message:
          this.#closed === 'shutdown' ? 'file was closed by host shutdown' : 'file is closed',
      });
    }
  }

  #checkWritable(call: string): void {
    if (this.access !== 'read-write') {
      throw new HostError('EBADF', { call, path: this.path, message: 'file is open read-only' });
    }
  }

  size(): number {
    this.#checkOpen('size');
    try {
      return this.#backend.size();
    } catch (err) {
      throw hostErrorFrom(err, 'size', this.path);
    }
  }

  pread(buf: Uint8Array, offset: number): number {
    this.#checkOpen('pread');
    checkBuffer(buf, 'pread', this.path);
    checkByteCount(offset, 'offset', 'pread', this.path);
    try {
      return this.#backend.pread(buf, offset);
    } catch (err) {
      throw hostErrorFrom(err, 'pread', this.path);
    }
  }

  pwrite(buf: Uint8Array, offset: number): number {
    this.#checkOpen('pwrite');
    this.#checkWritable('pwrite');
    checkBuffer(buf, 'pwrite', this.path);
    checkByteCount(offset, 'offset', 'pwrite', this.path);
    checkEnd(offset, buf.length, 'pwrite', this.path);
    try {
      this.#backend.pwrite(buf, offset);
    } catch (err) {
      throw hostErrorFrom(err, 'pwrite', this.path);
    }
    return buf.length;
  }

  truncate(size: number): void {
    this.#checkOpen('truncate');
    this.#checkWritable('truncate');
    checkByteCount(size, 'size', 'truncate', this.path);
    try {
      this.#backend.truncate(size);
    } catch (err) {
      throw hostErrorFrom(err, 'truncate', this.path);
    }
  }

  fsync(): void {
    this.#checkOpen('fsync');
    if (this.access !== 'read-write') return;
    try {
      this.#backend.fsync();
    } catch (err) {
      throw hostErrorFrom(err, 'fsync', this.path);
    }
  }

  close(): void {
    this.#checkOpen('close');
    this.#release('closed');
  }

  closeForShutdown(): void {
    if (this.#closed === 'open') this.#release('shutdown');
  }

  #release(state: 'closed' | 'shutdown'): void {
    this.#closed = state;
    this.#table.remove(this);
    try {
      this.#backend.close();
    } catch (err) {
      throw hostErrorFrom(err, 'close', this.path);
    }
  }
}
