import { HostError } from './HostError.js';

/** Something the host must close at shutdown. */
export interface OpenHandle {
  /** Closes because the host is shutting down; later calls on it say so. */
  closeForShutdown(): void;
}

/**
 * The host's record of open handles and of whether it has shut down. Shutdown closes every handle
 * still open, so nothing the kernel opened outlives it.
 */
export class HandleTable {
  readonly #open = new Set<OpenHandle>();
  #shutDown = false;

  get isShutDown(): boolean {
    return this.#shutDown;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Throws ENXIO once the host has shut down. */
  checkLive(call: string, path?: string): void {
    if (this.#shutDown) {
      throw new HostError('ENXIO', { call, path, message: 'the host has been shut down' });
    }
  }

  add(handle: OpenHandle): void {
    this.#open.add(handle);
  }

  remove(handle: OpenHandle): void {
    this.#open.delete(handle);
  }

  /** Closes everything still open; the first close error is rethrown after all were tried. */
  shutdown(): void {
    if (this.#shutDown) return;
    this.#shutDown = true;
    let first: unknown;
    for (const handle of [...this.#open]) {
      try {
        handle.closeForShutdown();
      } catch (err) {
        first ??= err;
      }
    }
    this.#open.clear();
    if (first !== undefined) throw first;
  }
}
