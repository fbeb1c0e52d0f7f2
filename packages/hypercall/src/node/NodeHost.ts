import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { FileBackend } from '../FileBackend.js';
import { HOST_EXIT_PANIC, type HostAccess } from '../Host.js';
import { HostBase } from '../HostBase.js';
import { hostFailure } from '../hostFailure.js';
import { resolveHostParams } from '../params.js';
import { NodeFile, ThreadpoolNodeFile } from './NodeFile.js';
import { randomFill } from './randomFill.js';

/** Where console output goes: process.stdout, a file stream, or anything with `write`. */
export interface ConsoleSink {
  write(chunk: Uint8Array | string): unknown;
}

export interface NodeHostOptions {
  /** Parameter values; they win over the environment. */
  readonly params?: Readonly<Record<string, string | undefined>>;
  /**
   * Where the known RUMP_* parameters are looked up after `params` (as rumpuser reads getenv).
   * Default process.env; `false` ignores the environment. Other variables are never exposed.
   */
  readonly env?: Readonly<Record<string, string | undefined>> | false;
  /** Console output (putchar), line by line. Default process.stdout. */
  readonly console?: ConsoleSink;
  /** dprintf output. Default process.stderr. */
  readonly debug?: ConsoleSink;
  /** Refuse every read-write open with EROFS: the kernel can write no host file at all. */
  readonly readOnly?: boolean;
  /**
   * How bioAsync moves bytes: `threadpool` (default) on libuv's worker threads, `microtask`
   * synchronously with the completion reported from a microtask.
   */
  readonly asyncBio?: 'threadpool' | 'microtask';
  /**
   * What exit does after shutdown. Default: process.exit(status), with HOST_EXIT_PANIC exiting
   * 134 (as an abort would, without the core dump).
   */
  readonly onExit?: (status: number) => never;
}

/**
 * The host on Node: host files through node:fs (synchronous, positioned calls; files opened
 * read-only get an O_RDONLY descriptor, so the operating system refuses writes too), clocks from
 * process.hrtime and Date, random bytes from node:crypto, console to process streams.
 */
export class NodeHost extends HostBase {
  readonly name = 'node';
  readonly #console: ConsoleSink;
  readonly #debug: ConsoleSink;
  readonly #readOnly: boolean;
  readonly #threadpool: boolean;
  readonly #onExit: (status: number) => never;

  constructor(options: NodeHostOptions = {}) {
    const env = options.env === false ? undefined : (options.env ?? process.env);
    super(resolveHostParams([options.params, env], availableParallelism()));
    this.#console = options.console ?? process.stdout;
    this.#debug = options.debug ?? process.stderr;
    this.#readOnly = options.readOnly === true;
    this.#threadpool = (options.asyncBio ?? 'threadpool') === 'threadpool';
    this.#onExit =
      options.onExit ?? ((status) => process.exit(status === HOST_EXIT_PANIC ? 134 : status));
  }

  protected openBackend(path: string, access: HostAccess, create: boolean): FileBackend {
    if (this.#readOnly && access === 'read-write') {
      throw hostFailure('EROFS', 'the host was made read-only');
    }
    // O_NONBLOCK keeps a FIFO from hanging the open; it means nothing for regular files.
    let flags = constants.O_NONBLOCK;
    if (access === 'read-only') flags |= constants.O_RDONLY;
    else flags |= constants.O_RDWR | (create ? constants.O_CREAT : 0);
    const fd = openSync(path, flags, 0o666);
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw hostFailure('EISDIR', 'is a directory');
      if (!st.isFile()) throw hostFailure('EFTYPE', 'not a regular file');
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return this.#threadpool ? new ThreadpoolNodeFile(fd) : new NodeFile(fd);
  }

  protected monotonicNow(): bigint {
    return process.hrtime.bigint();
  }

  protected wallNow(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }

  protected fillRandom(buf: Uint8Array): void {
    randomFill(buf);
  }

  protected writeConsole(bytes: Uint8Array): void {
    this.#console.write(bytes);
  }

  protected writeDebug(text: string): void {
    this.#debug.write(text);
  }

  protected leave(status: number): never {
    return this.#onExit(status);
  }
}
