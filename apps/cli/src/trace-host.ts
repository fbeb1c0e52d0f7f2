/**
 * --trace for hypercalls: a Host decorator that reports each call the kernel makes to its host
 * (@rump/hypercall's HostV1, NetBSD's rumpuser(3)) as one line, then passes it on unchanged. Lines
 * are in the style of the system-call trace: `HYP  name(arguments) = result`, with `-1 ERRNO` for
 * a HostError and the time the host took for file and block I/O:
 *
 *   HYP  open("/tmp/disk.img", read-only) = #3
 *   HYP  bio(#3, read, off=8192, len=4096) = 4096 (21us)
 *   HYP  clock_gettime(monotonic) = 1234567
 *
 * Handles are numbered as they are opened (#1, #2 ...) so that reads name the file they read.
 * Console output (putchar, one byte per call) is reported once per line, as `console("text")`.
 */
import {
  type BioDone,
  type BioRequest,
  type Host,
  type HostBlockDevice,
  type HostBlockDeviceOptions,
  type HostClock,
  HostError,
  type HostFile,
  type HostOpenOptions,
} from '@rump/hypercall';

export type HostTraceSink = (line: string) => void;

function us(start: number): string {
  return `(${Math.round((performance.now() - start) * 1000)}us)`;
}

function failure(e: unknown): string {
  return e instanceof HostError ? `-1 ${e.code}` : `-1 ${e instanceof Error ? e.name : String(e)}`;
}

/** Runs `fn`, reporting `call` with its result (formatted by `show`) or its HostError. */
function traced<T>(
  sink: HostTraceSink,
  call: string,
  fn: () => T,
  show: (r: T) => string,
  timed = false,
): T {
  const start = timed ? performance.now() : 0;
  let r: T;
  try {
    r = fn();
  } catch (e) {
    sink(`${call} = ${failure(e)}${timed ? ` ${us(start)}` : ''}`);
    throw e;
  }
  sink(`${call} = ${show(r)}${timed ? ` ${us(start)}` : ''}`);
  return r;
}

const q = (s: string) => JSON.stringify(s);
const none = () => '0';

class TracedFile implements HostFile {
  constructor(
    private readonly inner: HostFile,
    private readonly id: string,
    private readonly sink: HostTraceSink,
  ) {}
  get path() {
    return this.inner.path;
  }
  get access() {
    return this.inner.access;
  }
  size(): number {
    return traced(this.sink, `size(${this.id})`, () => this.inner.size(), String);
  }
  pread(buf: Uint8Array, offset: number): number {
    return traced(
      this.sink,
      `pread(${this.id}, off=${offset}, len=${buf.length})`,
      () => this.inner.pread(buf, offset),
      String,
      true,
    );
  }
  pwrite(buf: Uint8Array, offset: number): number {
    return traced(
      this.sink,
      `pwrite(${this.id}, off=${offset}, len=${buf.length})`,
      () => this.inner.pwrite(buf, offset),
      String,
      true,
    );
  }
  truncate(size: number): void {
    traced(this.sink, `truncate(${this.id}, ${size})`, () => this.inner.truncate(size), none);
  }
  fsync(): void {
    traced(this.sink, `fsync(${this.id})`, () => this.inner.fsync(), none, true);
  }
  close(): void {
    traced(this.sink, `close(${this.id})`, () => this.inner.close(), none);
  }
}

class TracedBlockDevice implements HostBlockDevice {
  constructor(
    private readonly inner: HostBlockDevice,
    private readonly id: string,
    private readonly sink: HostTraceSink,
  ) {}
  get path() {
    return this.inner.path;
  }
  get access() {
    return this.inner.access;
  }
  get sectorSize() {
    return this.inner.sectorSize;
  }
  get sectorCount() {
    return this.inner.sectorCount;
  }
  /** `bio(#2, read, off=8192, len=4096)`: the byte offset in the host file, and the length. */
  private describe(name: string, req: BioRequest): string {
    const off = req.sector * this.inner.sectorSize;
    return `${name}(${this.id}, ${req.op}, off=${off}, len=${req.data.length}${req.sync ? ', sync' : ''})`;
  }
  bio(req: BioRequest): number {
    return traced(this.sink, this.describe('bio', req), () => this.inner.bio(req), String, true);
  }
  bioAsync(req: BioRequest, done: BioDone): void {
    const call = this.describe('bio_async', req);
    const start = performance.now();
    this.sink(`${call} started`);
    this.inner.bioAsync(req, (error, bytes) => {
      this.sink(`${call} = ${error ? failure(error) : bytes} ${us(start)}`);
      done(error, bytes);
    });
  }
  flush(): void {
    traced(this.sink, `flush(${this.id})`, () => this.inner.flush(), none, true);
  }
  close(): void {
    traced(this.sink, `close(${this.id})`, () => this.inner.close(), none);
  }
}

/** A Host that reports every call to `sink` and forwards it to `inner`. */
export class TracingHost implements Host {
  readonly specificationVersion = 'v1' as const;
  private handles = 0;
  private line: number[] = [];

  constructor(
    private readonly inner: Host,
    private readonly sink: HostTraceSink,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  open(path: string, options: HostOpenOptions): HostFile {
    const call = `open(${q(path)}, ${options.access}${options.create ? ', create' : ''})`;
    let id = '';
    const f = traced(
      this.sink,
      call,
      () => this.inner.open(path, options),
      () => {
        id = `#${++this.handles}`;
        return id;
      },
    );
    return new TracedFile(f, id, this.sink);
  }

  openBlockDevice(path: string, options: HostBlockDeviceOptions): HostBlockDevice {
    const call = `open_bio(${q(path)}, ${options.access}${options.sectorSize ? `, sector=${options.sectorSize}` : ''})`;
    let id = '';
    const d = traced(
      this.sink,
      call,
      () => this.inner.openBlockDevice(path, options),
      (dev) => {
        id = `#${++this.handles}`;
        return `${id} (${dev.sectorCount} sectors of ${dev.sectorSize} bytes)`;
      },
    );
    return new TracedBlockDevice(d, id, this.sink);
  }

  clockGettime(clock: HostClock): bigint {
    return traced(
      this.sink,
      `clock_gettime(${clock})`,
      () => this.inner.clockGettime(clock),
      String,
    );
  }

  sleep(ns: bigint): void {
    traced(this.sink, `clock_sleep(${ns}ns)`, () => this.inner.sleep(ns), none, true);
  }

  sleepUntil(monotonicNs: bigint): void {
    traced(
      this.sink,
      `clock_sleep(until ${monotonicNs})`,
      () => this.inner.sleepUntil(monotonicNs),
      none,
      true,
    );
  }

  sleepAsync(ns: bigint): Promise<void> {
    this.sink(`clock_sleep_async(${ns}ns)`);
    return this.inner.sleepAsync(ns);
  }

  getRandom(buf: Uint8Array): void {
    traced(
      this.sink,
      `getrandom(${buf.length})`,
      () => this.inner.getRandom(buf),
      () => String(buf.length),
    );
  }

  putchar(c: number): void {
    // One line per console line, not per byte; the bytes still reach the host as they come.
    if (c === 0x0a) this.flushConsole();
    else this.line.push(c);
    this.inner.putchar(c);
  }

  private flushConsole(): void {
    const text = Buffer.from(this.line).toString('latin1');
    this.line = [];
    this.sink(`console(${q(text)})`);
  }

  dprintf(text: string): void {
    this.sink(`dprintf(${q(text.replace(/\n$/, ''))})`);
    this.inner.dprintf(text);
  }

  getParam(name: string): string {
    return traced(this.sink, `getparam(${q(name)})`, () => this.inner.getParam(name), q);
  }

  exit(status: number): never {
    if (this.line.length) this.flushConsole();
    this.sink(`exit(${status})`);
    return this.inner.exit(status);
  }

  shutdown(): void {
    if (this.line.length) this.flushConsole();
    traced(this.sink, 'shutdown()', () => this.inner.shutdown(), none);
  }
}

/** `host` with each hypercall reported to `sink` (the host itself is not changed). */
export function traceHost(host: Host, sink: HostTraceSink): Host {
  return new TracingHost(host, sink);
}
