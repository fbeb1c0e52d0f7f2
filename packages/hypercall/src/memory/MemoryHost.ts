import { checkPath } from '../checks.js';
import type { FileBackend } from '../FileBackend.js';
import type { HostAccess } from '../Host.js';
import { HostBase } from '../HostBase.js';
import { HostError } from '../HostError.js';
import { hostFailure } from '../hostFailure.js';
import { resolveHostParams } from '../params.js';
import { ByteStore } from './ByteStore.js';
import { cryptoRandom, seededRandom } from './seededRandom.js';

export interface MemoryHostOptions {
  /** Parameter values (RUMP_* and any others the kernel may ask for); unset ones take defaults. */
  readonly params?: Readonly<Record<string, string | undefined>>;
  /** Files present from the start, writable. Use `addFile` for read-only ones. */
  readonly files?: Readonly<Record<string, Uint8Array>>;
  /**
   * `real` (default): clocks follow the host's. `virtual`: the monotonic clock starts at 0 and
   * moves only when the kernel sleeps (a sleep returns at once, having advanced the clock) or
   * `advanceTime` is called; the wall clock is `startWallNs` plus the monotonic clock. Runs
   * become reproducible and sleeps cost nothing.
   */
  readonly time?: 'real' | 'virtual';
  /** Wall clock at monotonic 0 under virtual time; default the real time at construction. */
  readonly startWallNs?: bigint;
  /** Makes getRandom reproducible (NOT cryptographic): for tests only. */
  readonly randomSeed?: number;
  /** Largest size a file may grow to; default 1 GiB. Beyond it writes fail with EFBIG. */
  readonly maxFileSize?: number;
  /** What RUMP_NCPU=host means here; default navigator.hardwareConcurrency or 1. */
  readonly cpuCount?: number;
}

/** Thrown by MemoryHost.exit, which cannot end a process (there may be none, as in a browser). */
export class HostExit extends Error {
  override readonly name = 'HostExit';
  /** 0..255, or HOST_EXIT_PANIC. */
  readonly status: number;
  constructor(status: number) {
    super(`the kernel exited with status ${status}`);
    this.status = status;
  }
}

interface MemoryFile {
  readonly store: ByteStore;
  readonly readOnly: boolean;
}

/** One open handle on an in-memory file; it refuses writes itself when opened read-only. */
class MemoryBackend implements FileBackend {
  readonly #file: MemoryFile;
  readonly #writable: boolean;
  constructor(file: MemoryFile, writable: boolean) {
    this.#file = file;
    this.#writable = writable;
  }
  #checkWritable(): void {
    if (!this.#writable) throw hostFailure('EBADF', 'handle is read-only');
  }
  size(): number {
    return this.#file.store.length;
  }
  pread(buf: Uint8Array, offset: number): number {
    return this.#file.store.read(buf, offset);
  }
  pwrite(buf: Uint8Array, offset: number): void {
    this.#checkWritable();
    this.#file.store.write(buf, offset);
  }
  truncate(size: number): void {
    this.#checkWritable();
    this.#file.store.resize(size);
  }
  fsync(): void {}
  close(): void {}
}

const encoder = new TextEncoder();

/**
 * A host with no outside world: files live in a Map (path → growable bytes), console output is
 * recorded, time may be virtual and random bytes seeded. For tests, and for running the kernel in
 * a browser. Imports nothing from Node.
 */
export class MemoryHost extends HostBase {
  readonly name = 'memory';
  readonly #files = new Map<string, MemoryFile>();
  readonly #maxFileSize: number;
  readonly #virtual: boolean;
  #virtualNs = 0n;
  readonly #startWallNs: bigint;
  readonly #random: (buf: Uint8Array) => void;
  readonly #console: Uint8Array[] = [];
  readonly #debug: string[] = [];

  constructor(options: MemoryHostOptions = {}) {
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    super(resolveHostParams([options.params], options.cpuCount ?? nav?.hardwareConcurrency ?? 1));
    this.#maxFileSize = options.maxFileSize ?? 1024 * 1024 * 1024;
    this.#virtual = options.time === 'virtual';
    this.#startWallNs = options.startWallNs ?? BigInt(Date.now()) * 1_000_000n;
    this.#random =
      options.randomSeed === undefined ? cryptoRandom : seededRandom(options.randomSeed);
    for (const [path, bytes] of Object.entries(options.files ?? {})) this.addFile(path, bytes);
  }

  /**
   * Puts a file at `path` (replacing any file there) holding a copy of `bytes`. A `readOnly`
   * file can be opened read-only only: opening it read-write fails with EROFS.
   */
  addFile(path: string, bytes: Uint8Array | string, options: { readOnly?: boolean } = {}): void {
    checkPath(path, 'addFile');
    const data = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
    if (data.length > this.#maxFileSize) {
      throw new HostError('EFBIG', { call: 'addFile', path, message: 'larger than maxFileSize' });
    }
    this.#files.set(path, {
      store: new ByteStore(data, this.#maxFileSize),
      readOnly: options.readOnly === true,
    });
  }

  /** A copy of the file's current contents. ENOENT if there is none. */
  readFile(path: string): Uint8Array {
    const file = this.#files.get(path);
    if (file === undefined) throw new HostError('ENOENT', { call: 'readFile', path });
    return file.store.snapshot();
  }

  hasFile(path: string): boolean {
    return this.#files.has(path);
  }

  /** Removes the name; handles already open keep the data, as on Unix. */
  removeFile(path: string): boolean {
    return this.#files.delete(path);
  }

  /** Every file's path. */
  paths(): string[] {
    return [...this.#files.keys()];
  }

  /** All console output so far, as bytes (a partial last line included). */
  consoleBytes(): Uint8Array {
    this.flushConsole();
    const total = this.#console.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of this.#console) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** All console output so far, decoded as UTF-8. */
  consoleText(): string {
    return new TextDecoder().decode(this.consoleBytes());
  }

  /** All dprintf output so far. */
  debugText(): string {
    return this.#debug.join('');
  }

  /** Moves virtual time forward by `ns`. EINVAL under real time. */
  advanceTime(ns: bigint): void {
    if (!this.#virtual) {
      throw new HostError('EINVAL', { call: 'advanceTime', message: 'the host runs on real time' });
    }
    if (ns > 0n) this.#virtualNs += ns;
  }

  protected openBackend(path: string, access: HostAccess, create: boolean): FileBackend {
    let file = this.#files.get(path);
    if (file === undefined) {
      if (!create) throw hostFailure('ENOENT', 'no such in-memory file');
      file = { store: new ByteStore(new Uint8Array(0), this.#maxFileSize), readOnly: false };
      this.#files.set(path, file);
    }
    if (file.readOnly && access === 'read-write') {
      throw hostFailure('EROFS', 'file was added read-only');
    }
    return new MemoryBackend(file, access === 'read-write');
  }

  protected monotonicNow(): bigint {
    if (this.#virtual) return this.#virtualNs;
    return BigInt(Math.round(performance.now() * 1e6));
  }

  protected wallNow(): bigint {
    if (this.#virtual) return this.#startWallNs + this.#virtualNs;
    return BigInt(Date.now()) * 1_000_000n;
  }

  protected override blockUntil(deadline: bigint): void {
    if (!this.#virtual) super.blockUntil(deadline);
    else if (deadline > this.#virtualNs) this.#virtualNs = deadline;
  }

  protected override waitAsync(ns: bigint): Promise<void> {
    if (!this.#virtual) return super.waitAsync(ns);
    this.#virtualNs += ns;
    // Still yield to the event loop, so pending completions run as they would in real time.
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  protected fillRandom(buf: Uint8Array): void {
    this.#random(buf);
  }

  protected writeConsole(bytes: Uint8Array): void {
    this.#console.push(bytes);
  }

  protected writeDebug(text: string): void {
    this.#debug.push(text);
  }

  protected leave(status: number): never {
    throw new HostExit(status);
  }
}
