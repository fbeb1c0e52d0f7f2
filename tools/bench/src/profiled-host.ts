/**
 * A Host that forwards every call to another and counts it: calls, bytes and exclusive time per
 * operation (`bio read`, `file pread`, `clockGettime`…), charged to the host-I/O mode of the
 * profiler's clock. Nothing inside the packages changes: the kernel simply boots on this host.
 */
import type {
  BioDone,
  BioRequest,
  Host,
  HostBlockDevice,
  HostBlockDeviceOptions,
  HostClock,
  HostFile,
  HostOpenOptions,
} from '@rump/hypercall';
import { MODE_HOST_IO, type ModeClock, type Tally } from './clock.js';

export interface HostTally extends Tally {
  bytes: number;
}

export class HostCounters {
  readonly byOp = new Map<string, HostTally>();
  constructor(readonly clock: ModeClock) {}

  tally(op: string): HostTally {
    let t = this.byOp.get(op);
    if (!t) this.byOp.set(op, (t = { count: 0, ms: 0, bytes: 0 }));
    return t;
  }

  /** Runs `fn` as one host call named `op`, timed as host I/O. */
  run<T>(op: string, bytes: number, fn: () => T): T {
    const t = this.tally(op);
    t.count++;
    t.bytes += bytes;
    this.clock.push(MODE_HOST_IO, t);
    try {
      return fn();
    } finally {
      this.clock.pop();
    }
  }
}

class CountedFile implements HostFile {
  constructor(
    private readonly f: HostFile,
    private readonly c: HostCounters,
  ) {}
  get path() {
    return this.f.path;
  }
  get access() {
    return this.f.access;
  }
  size(): number {
    return this.c.run('file size', 0, () => this.f.size());
  }
  pread(buf: Uint8Array, offset: number): number {
    return this.c.run('file pread', buf.length, () => this.f.pread(buf, offset));
  }
  pwrite(buf: Uint8Array, offset: number): number {
    return this.c.run('file pwrite', buf.length, () => this.f.pwrite(buf, offset));
  }
  truncate(size: number): void {
    this.c.run('file truncate', 0, () => this.f.truncate(size));
  }
  fsync(): void {
    this.c.run('file fsync', 0, () => this.f.fsync());
  }
  close(): void {
    this.c.run('file close', 0, () => this.f.close());
  }
}

class CountedDisk implements HostBlockDevice {
  constructor(
    private readonly d: HostBlockDevice,
    private readonly c: HostCounters,
  ) {}
  get path() {
    return this.d.path;
  }
  get access() {
    return this.d.access;
  }
  get sectorSize() {
    return this.d.sectorSize;
  }
  get sectorCount() {
    return this.d.sectorCount;
  }
  bio(req: BioRequest): number {
    const op = `bio ${req.op}${req.sync ? ' sync' : ''}`;
    return this.c.run(op, req.data.length, () => this.d.bio(req));
  }
  bioAsync(req: BioRequest, done: BioDone): void {
    this.c.run(`bioAsync ${req.op}`, req.data.length, () => this.d.bioAsync(req, done));
  }
  flush(): void {
    this.c.run('bio flush', 0, () => this.d.flush());
  }
  close(): void {
    this.c.run('bio close', 0, () => this.d.close());
  }
}

/** Wraps `inner`; `counters` receives every call. */
export function countedHost(inner: Host, counters: HostCounters): Host {
  const c = counters;
  return {
    specificationVersion: inner.specificationVersion,
    name: `${inner.name}+profile`,
    open: (path: string, o: HostOpenOptions) =>
      new CountedFile(
        c.run('open', 0, () => inner.open(path, o)),
        c,
      ),
    openBlockDevice: (path: string, o: HostBlockDeviceOptions) =>
      new CountedDisk(
        c.run('openBlockDevice', 0, () => inner.openBlockDevice(path, o)),
        c,
      ),
    clockGettime: (clock: HostClock) =>
      c.run(`clockGettime ${clock}`, 0, () => inner.clockGettime(clock)),
    sleep: (ns: bigint) => c.run('sleep', 0, () => inner.sleep(ns)),
    sleepUntil: (ns: bigint) => c.run('sleepUntil', 0, () => inner.sleepUntil(ns)),
    sleepAsync: (ns: bigint) => inner.sleepAsync(ns),
    getRandom: (buf: Uint8Array) => c.run('getRandom', buf.length, () => inner.getRandom(buf)),
    putchar: (ch: number) => c.run('putchar', 1, () => inner.putchar(ch)),
    dprintf: (text: string) => c.run('dprintf', text.length, () => inner.dprintf(text)),
    getParam: (name: string) => c.run('getParam', 0, () => inner.getParam(name)),
    exit: (status: number) => inner.exit(status),
    shutdown: () => c.run('shutdown', 0, () => inner.shutdown()),
  };
}
