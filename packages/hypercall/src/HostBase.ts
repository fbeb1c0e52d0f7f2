import { checkBuffer, checkPath } from './checks.js';
import type { FileBackend } from './FileBackend.js';
import { FileBlockDevice, isValidSectorSize } from './FileBlockDevice.js';
import { HandleTable } from './HandleTable.js';
import {
  HOST_EXIT_PANIC,
  type HostAccess,
  type HostBlockDevice,
  type HostBlockDeviceOptions,
  type HostClock,
  type HostFile,
  type HostOpenOptions,
  type HostV1,
} from './Host.js';
import { HostError, hostErrorFrom } from './HostError.js';
import { HostFileHandle } from './HostFileHandle.js';
import { blockUntil } from './sleep.js';

/**
 * A starting point for hosts: implements every rule of the interface (argument checks, read-only
 * handles, whole-sector block I/O, shutdown, line-buffered console, parameter lookup) once, over
 * a few primitives a host supplies. NodeHost and MemoryHost are built on it; a custom host may be
 * too, or may implement `Host` directly and prove itself with the conformance suite.
 */
export abstract class HostBase implements HostV1 {
  readonly specificationVersion = 'v1' as const;
  abstract readonly name: string;
  readonly #handles = new HandleTable();
  readonly #params: ReadonlyMap<string, string>;
  /** Console bytes since the last newline. */
  #line = new Uint8Array(128);
  #lineLength = 0;

  protected constructor(params: ReadonlyMap<string, string>) {
    this.#params = params;
  }

  /** Opens the host file. `create` is only ever true with `read-write`. */
  protected abstract openBackend(path: string, access: HostAccess, create: boolean): FileBackend;
  protected abstract monotonicNow(): bigint;
  protected abstract wallNow(): bigint;
  /** Fills all of `buf` with cryptographically random bytes. */
  protected abstract fillRandom(buf: Uint8Array): void;
  /** Writes one complete console line (with its newline) or, on flush, a partial one. */
  protected abstract writeConsole(bytes: Uint8Array): void;
  protected abstract writeDebug(text: string): void;
  /** Leaves after shutdown; `status` is 0..255 or HOST_EXIT_PANIC. */
  protected abstract leave(status: number): never;

  /** Blocks until the monotonic clock reaches `deadline`. Hosts with virtual time override it. */
  protected blockUntil(deadline: bigint): void {
    blockUntil(deadline, () => this.monotonicNow());
  }

  /** Waits without blocking. Hosts with virtual time override it. */
  protected waitAsync(ns: bigint): Promise<void> {
    const deadline = this.monotonicNow() + ns;
    return new Promise((resolve) => {
      const step = () => {
        const left = deadline - this.monotonicNow();
        if (left <= 0n) resolve();
        // Timers may fire a little early against our clock; go round until it has passed.
        else setTimeout(step, Math.max(1, Math.ceil(Number(left) / 1e6)));
      };
      step();
    });
  }

  /** Number of files and block devices open now. */
  get openHandleCount(): number {
    return this.#handles.openCount;
  }

  get isShutDown(): boolean {
    return this.#handles.isShutDown;
  }

  #openBackend(path: string, options: HostOpenOptions, call: string): FileBackend {
    this.#handles.checkLive(call, path);
    checkPath(path, call);
    if (typeof options !== 'object' || options === null) {
      throw new HostError('EINVAL', { call, path, message: 'options must be an object' });
    }
    const { access } = options;
    if (access !== 'read-only' && access !== 'read-write') {
      throw new HostError('EINVAL', {
        call,
        path,
        message: `access must be 'read-only' or 'read-write', got ${String(access)}`,
      });
    }
    const create = options.create === true;
    if (create && access === 'read-only') {
      throw new HostError('EINVAL', { call, path, message: 'create needs read-write access' });
    }
    try {
      return this.openBackend(path, access, create);
    } catch (err) {
      throw hostErrorFrom(err, call, path);
    }
  }

  open(path: string, options: HostOpenOptions): HostFile {
    const backend = this.#openBackend(path, options, 'open');
    return new HostFileHandle(path, options.access, backend, this.#handles);
  }

  openBlockDevice(path: string, options: HostBlockDeviceOptions): HostBlockDevice {
    if (typeof options !== 'object' || options === null) {
      throw new HostError('EINVAL', {
        call: 'openBlockDevice',
        path,
        message: 'options must be an object',
      });
    }
    const sectorSize = options.sectorSize ?? 512;
    if (!isValidSectorSize(sectorSize)) {
      throw new HostError('EINVAL', {
        call: 'openBlockDevice',
        path,
        message: `sector size must be a power of two from 512 to 65536, got ${String(sectorSize)}`,
      });
    }
    const backend = this.#openBackend(path, { access: options.access }, 'openBlockDevice');
    try {
      return new FileBlockDevice(path, options.access, sectorSize, backend, this.#handles);
    } catch (err) {
      backend.close();
      throw hostErrorFrom(err, 'openBlockDevice', path);
    }
  }

  clockGettime(clock: HostClock): bigint {
    this.#handles.checkLive('clockGettime');
    if (clock === 'monotonic') return this.monotonicNow();
    if (clock === 'wall') return this.wallNow();
    throw new HostError('EINVAL', {
      call: 'clockGettime',
      message: `clock must be 'monotonic' or 'wall', got ${String(clock)}`,
    });
  }

  #checkNs(ns: unknown, call: string): asserts ns is bigint {
    this.#handles.checkLive(call);
    if (typeof ns !== 'bigint') {
      throw new HostError('EINVAL', {
        call,
        message: `nanoseconds must be a bigint, got ${typeof ns}`,
      });
    }
  }

  sleep(ns: bigint): void {
    this.#checkNs(ns, 'sleep');
    if (ns > 0n) this.blockUntil(this.monotonicNow() + ns);
  }

  sleepUntil(monotonicNs: bigint): void {
    this.#checkNs(monotonicNs, 'sleepUntil');
    this.blockUntil(monotonicNs);
  }

  sleepAsync(ns: bigint): Promise<void> {
    try {
      this.#checkNs(ns, 'sleepAsync');
    } catch (err) {
      return Promise.reject(err);
    }
    return ns > 0n ? this.waitAsync(ns) : Promise.resolve();
  }

  getRandom(buf: Uint8Array): void {
    this.#handles.checkLive('getRandom');
    checkBuffer(buf, 'getRandom');
    try {
      this.fillRandom(buf);
    } catch (err) {
      throw hostErrorFrom(err, 'getRandom');
    }
  }

  putchar(c: number): void {
    this.#handles.checkLive('putchar');
    if (!Number.isInteger(c) || c < 0 || c > 255) {
      throw new HostError('EINVAL', { call: 'putchar', message: `not a byte: ${String(c)}` });
    }
    if (this.#lineLength === this.#line.length) {
      const bigger = new Uint8Array(this.#line.length * 2);
      bigger.set(this.#line);
      this.#line = bigger;
    }
    this.#line[this.#lineLength++] = c;
    if (c === 0x0a) this.flushConsole();
  }

  /** Writes out a partial console line, if any. */
  protected flushConsole(): void {
    if (this.#lineLength === 0) return;
    const bytes = this.#line.slice(0, this.#lineLength);
    this.#lineLength = 0;
    this.writeConsole(bytes);
  }

  dprintf(text: string): void {
    this.#handles.checkLive('dprintf');
    if (typeof text !== 'string') {
      throw new HostError('EINVAL', { call: 'dprintf', message: 'text must be a string' });
    }
    this.writeDebug(text);
  }

  getParam(name: string): string {
    this.#handles.checkLive('getParam');
    const value = this.#params.get(name);
    if (value === undefined) {
      throw new HostError('ENOENT', { call: 'getParam', message: `no parameter ${name}` });
    }
    return value;
  }

  exit(status: number): never {
    this.#handles.checkLive('exit');
    if (status !== HOST_EXIT_PANIC && (!Number.isInteger(status) || status < 0 || status > 255)) {
      throw new HostError('EINVAL', {
        call: 'exit',
        message: `status must be 0..255 or HOST_EXIT_PANIC, got ${String(status)}`,
      });
    }
    try {
      this.shutdown();
    } finally {
      // Leaving is not optional once the kernel asked for it, even if a close failed.
      this.leave(status);
    }
  }

  shutdown(): void {
    if (this.#handles.isShutDown) return;
    try {
      this.flushConsole();
    } finally {
      this.#handles.shutdown();
    }
  }
}
