import type { BioRequest, Host, HostBlockDevice } from '../Host.js';
import type { HostError } from '../HostError.js';
import { readHostParams } from '../params.js';
import {
  ConformanceFailure,
  ensure,
  ensureBytes,
  ensureEqual,
  ensureHostError,
  ensureHostErrorAsync,
  hostErrorCheck,
} from './assert.js';

/** What each check gets: a fresh host, and where on it the check may create files. */
export interface ConformanceFixture {
  readonly host: Host;
  /** A host path for a new file called `name`, not existing yet, unique to this fixture. */
  path(name: string): string;
  /** If the host records console output: everything written through putchar so far. */
  consoleText?(): string;
  /** Called after the check (the suite has shut the host down already). */
  dispose?(): void | Promise<void>;
}

/** One named requirement of the host interface. */
export interface ConformanceCheck {
  /** What part of the interface: files, block devices, clocks, ... */
  readonly group: string;
  /** The requirement, as a sentence. */
  readonly name: string;
  run(fixture: ConformanceFixture): void | Promise<void>;
}

/** Recognisable content: byte i is a function of i and seed, never all zero. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 17 + (i >>> 8)) & 0xff;
  return out;
}

function createFile(host: Host, path: string, contents: Uint8Array): void {
  const f = host.open(path, { access: 'read-write', create: true });
  f.pwrite(contents, 0);
  f.close();
}

function readWhole(host: Host, path: string): Uint8Array {
  const f = host.open(path, { access: 'read-only' });
  const buf = new Uint8Array(f.size());
  const n = f.pread(buf, 0);
  f.close();
  ensureEqual(n, buf.length, `reading back ${path}`);
  return buf;
}

interface AsyncOutcome {
  error: HostError | null;
  bytes: number;
  /** Was done called before bioAsync returned? (It must not be.) */
  early: boolean;
}

/** Starts a bioAsync; the promise settles at the first done, and later calls are counted. */
function startBio(
  dev: HostBlockDevice,
  req: BioRequest,
  calls: { count: number },
): Promise<AsyncOutcome> {
  return new Promise((resolve) => {
    let returned = false;
    dev.bioAsync(req, (error, bytes) => {
      calls.count++;
      resolve({ error, bytes, early: !returned });
    });
    returned = true;
  });
}

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A 4-sector device on a new file filled with pattern(2048 + extra). */
function makeDevice(
  fx: ConformanceFixture,
  name: string,
  access: 'read-only' | 'read-write' = 'read-write',
  extra = 0,
): { dev: HostBlockDevice; path: string; contents: Uint8Array } {
  const path = fx.path(name);
  const contents = pattern(4 * 512 + extra, 7);
  createFile(fx.host, path, contents);
  return { dev: fx.host.openBlockDevice(path, { access }), path, contents };
}

const files: ConformanceCheck[] = [
  {
    group: 'interface',
    name: 'declares specificationVersion v1 and a name',
    run({ host }) {
      ensureEqual(host.specificationVersion, 'v1', 'specificationVersion');
      ensure(
        typeof host.name === 'string' && host.name.length > 0,
        'name must be a non-empty string',
      );
    },
  },
  {
    group: 'files',
    name: 'opening a missing file fails with ENOENT, read-only or read-write without create',
    run(fx) {
      const p = fx.path('missing');
      ensureHostError(() => fx.host.open(p, { access: 'read-only' }), 'ENOENT', 'read-only');
      ensureHostError(() => fx.host.open(p, { access: 'read-write' }), 'ENOENT', 'read-write');
      ensureHostError(
        () => fx.host.open(p, { access: 'read-write', create: false }),
        'ENOENT',
        'create: false',
      );
    },
  },
  {
    group: 'files',
    name: 'create makes an empty file and keeps an existing one as it is',
    run(fx) {
      const p = fx.path('created');
      const f = fx.host.open(p, { access: 'read-write', create: true });
      ensureEqual(f.size(), 0, 'size of a created file');
      ensureEqual(f.access, 'read-write', 'access');
      ensureEqual(f.path, p, 'path');
      f.pwrite(pattern(100), 0);
      f.close();
      const again = fx.host.open(p, { access: 'read-write', create: true });
      ensureEqual(again.size(), 100, 'size after reopening with create');
      again.close();
      ensureBytes(readWhole(fx.host, p), pattern(100), 'contents after reopening with create');
    },
  },
  {
    group: 'files',
    name: 'create with read-only access, or a bad access value, fails with EINVAL',
    run(fx) {
      const p = fx.path('never');
      ensureHostError(
        () => fx.host.open(p, { access: 'read-only', create: true }),
        'EINVAL',
        'read-only + create',
      );
      ensureHostError(
        () => fx.host.open(p, { access: 'write' as 'read-write', create: true }),
        'EINVAL',
        "access 'write'",
      );
      ensureHostError(() => fx.host.open(p, { access: 'read-only' }), 'ENOENT', 'nothing created');
    },
  },
  {
    group: 'files',
    name: 'bad paths fail: empty or with NUL with EINVAL, over 1023 bytes with ENAMETOOLONG',
    run(fx) {
      ensureHostError(() => fx.host.open('', { access: 'read-only' }), 'EINVAL', 'empty path');
      ensureHostError(
        () => fx.host.open(`${fx.path('nul')}\0x`, { access: 'read-write', create: true }),
        'EINVAL',
        'path with NUL',
      );
      ensureHostError(
        () => fx.host.open(`/${'a'.repeat(1100)}`, { access: 'read-write', create: true }),
        'ENAMETOOLONG',
        '1101-byte path',
      );
    },
  },
  {
    group: 'files',
    name: 'pwrite then pread returns the same bytes, and size follows',
    run(fx) {
      const f = fx.host.open(fx.path('rw'), { access: 'read-write', create: true });
      const data = pattern(10000, 3);
      ensureEqual(f.pwrite(data, 0), 10000, 'pwrite result');
      ensureEqual(f.size(), 10000, 'size after pwrite');
      ensureEqual(f.pwrite(pattern(100, 4), 5000), 100, 'overwrite result');
      data.set(pattern(100, 4), 5000);
      ensureEqual(f.size(), 10000, 'size after overwrite inside the file');
      const back = new Uint8Array(10000);
      ensureEqual(f.pread(back, 0), 10000, 'pread result');
      ensureBytes(back, data, 'read back');
      const mid = new Uint8Array(300);
      ensureEqual(f.pread(mid, 4900), 300, 'pread in the middle');
      ensureBytes(mid, data.subarray(4900, 5200), 'middle read');
      f.fsync();
      f.close();
    },
  },
  {
    group: 'files',
    name: 'pwrite past the end grows the file, and the gap reads as zeros',
    run(fx) {
      const f = fx.host.open(fx.path('gap'), { access: 'read-write', create: true });
      f.pwrite(pattern(10), 0);
      f.pwrite(pattern(10, 2), 1000);
      ensureEqual(f.size(), 1010, 'size');
      const gap = new Uint8Array(990).fill(0xee);
      ensureEqual(f.pread(gap, 10), 990, 'gap read');
      ensureBytes(gap, new Uint8Array(990), 'gap');
      f.close();
    },
  },
  {
    group: 'files',
    name: 'pread returns a short count across the end of file and 0 at or past it',
    run(fx) {
      const p = fx.path('short');
      createFile(fx.host, p, pattern(100));
      const f = fx.host.open(p, { access: 'read-only' });
      const buf = new Uint8Array(50).fill(0xaa);
      ensureEqual(f.pread(buf, 80), 20, 'read across the end');
      ensureBytes(buf.subarray(0, 20), pattern(100).subarray(80), 'bytes before the end');
      ensureEqual(buf[20], 0xaa, 'the rest of the buffer is untouched');
      ensureEqual(f.pread(buf, 100), 0, 'read at the end');
      ensureEqual(f.pread(buf, 1_000_000), 0, 'read past the end');
      ensureEqual(f.pread(new Uint8Array(0), 0), 0, 'empty read');
      f.close();
    },
  },
  {
    group: 'files',
    name: 'bad offsets, sizes and buffers fail with EINVAL',
    run(fx) {
      const f = fx.host.open(fx.path('bad-args'), { access: 'read-write', create: true });
      const buf = new Uint8Array(8);
      for (const offset of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
        ensureHostError(() => f.pread(buf, offset), 'EINVAL', `pread at ${offset}`);
        ensureHostError(() => f.pwrite(buf, offset), 'EINVAL', `pwrite at ${offset}`);
      }
      ensureHostError(() => f.truncate(-5), 'EINVAL', 'truncate(-5)');
      ensureHostError(() => f.pread([1, 2] as unknown as Uint8Array, 0), 'EINVAL', 'array buffer');
      ensureHostError(() => f.pwrite('text' as unknown as Uint8Array, 0), 'EINVAL', 'string');
      ensureEqual(f.size(), 0, 'size after refused writes');
      f.close();
    },
  },
  {
    group: 'files',
    name: 'truncate cuts and zero-extends',
    run(fx) {
      const f = fx.host.open(fx.path('trunc'), { access: 'read-write', create: true });
      f.pwrite(pattern(1000), 0);
      f.truncate(10);
      ensureEqual(f.size(), 10, 'size after cut');
      f.truncate(100);
      ensureEqual(f.size(), 100, 'size after extend');
      const buf = new Uint8Array(100);
      f.pread(buf, 0);
      ensureBytes(buf.subarray(0, 10), pattern(10), 'kept bytes');
      ensureBytes(buf.subarray(10), new Uint8Array(90), 'extension (old bytes must not return)');
      f.close();
    },
  },
  {
    group: 'files',
    name: 'a read-only handle refuses pwrite and truncate with EBADF and the file stays as it was',
    run(fx) {
      const p = fx.path('ro');
      createFile(fx.host, p, pattern(600));
      const f = fx.host.open(p, { access: 'read-only' });
      ensureEqual(f.access, 'read-only', 'access');
      ensureHostError(() => f.pwrite(pattern(10, 9), 0), 'EBADF', 'pwrite inside');
      ensureHostError(() => f.pwrite(pattern(10, 9), 600), 'EBADF', 'pwrite at the end');
      ensureHostError(() => f.pwrite(new Uint8Array(0), 0), 'EBADF', 'empty pwrite');
      ensureHostError(() => f.truncate(0), 'EBADF', 'truncate');
      f.fsync();
      ensureEqual(f.size(), 600, 'size');
      f.close();
      ensureBytes(readWhole(fx.host, p), pattern(600), 'contents');
    },
  },
  {
    group: 'files',
    name: 'two handles on one file see each other’s writes',
    run(fx) {
      const p = fx.path('shared');
      const a = fx.host.open(p, { access: 'read-write', create: true });
      const b = fx.host.open(p, { access: 'read-only' });
      a.pwrite(pattern(64), 0);
      ensureEqual(b.size(), 64, 'size through the other handle');
      const buf = new Uint8Array(64);
      b.pread(buf, 0);
      ensureBytes(buf, pattern(64), 'bytes through the other handle');
      a.close();
      b.close();
    },
  },
  {
    group: 'files',
    name: 'a closed handle fails every call with EBADF, close included',
    run(fx) {
      const f = fx.host.open(fx.path('closed'), { access: 'read-write', create: true });
      f.close();
      const buf = new Uint8Array(4);
      ensureHostError(() => f.size(), 'EBADF', 'size');
      ensureHostError(() => f.pread(buf, 0), 'EBADF', 'pread');
      ensureHostError(() => f.pwrite(buf, 0), 'EBADF', 'pwrite');
      ensureHostError(() => f.truncate(0), 'EBADF', 'truncate');
      ensureHostError(() => f.fsync(), 'EBADF', 'fsync');
      ensureHostError(() => f.close(), 'EBADF', 'second close');
    },
  },
];

const blockDevices: ConformanceCheck[] = [
  {
    group: 'block devices',
    name: 'sectors are 512 bytes by default and a trailing partial sector is not part of the device',
    run(fx) {
      const { dev, path } = makeDevice(fx, 'disk', 'read-write', 100);
      ensureEqual(dev.sectorSize, 512, 'sectorSize');
      ensureEqual(dev.sectorCount, 4, 'sectorCount of a 2148-byte file');
      ensureEqual(dev.path, path, 'path');
      ensureEqual(dev.access, 'read-write', 'access');
      dev.close();
    },
  },
  {
    group: 'block devices',
    name: 'bio writes and reads whole sectors at the right offsets',
    run(fx) {
      const { dev, path, contents } = makeDevice(fx, 'disk');
      const out = pattern(1024, 5);
      ensureEqual(dev.bio({ op: 'write', sector: 1, data: out }), 1024, 'write result');
      contents.set(out, 512);
      const back = new Uint8Array(2048);
      ensureEqual(dev.bio({ op: 'read', sector: 0, data: back }), 2048, 'read result');
      ensureBytes(back, contents, 'device contents');
      dev.flush();
      dev.close();
      ensureBytes(readWhole(fx.host, path), contents, 'file contents');
    },
  },
  {
    group: 'block devices',
    name: 'a sector size given at open is used, and sizes that are not powers of two from 512 to 65536 fail with EINVAL',
    run(fx) {
      const path = fx.path('big-sectors');
      createFile(fx.host, path, pattern(3 * 4096 + 512));
      const dev = fx.host.openBlockDevice(path, { access: 'read-only', sectorSize: 4096 });
      ensureEqual(dev.sectorCount, 3, 'sectorCount');
      const buf = new Uint8Array(4096);
      dev.bio({ op: 'read', sector: 2, data: buf });
      ensureBytes(buf, pattern(3 * 4096 + 512).subarray(8192, 12288), 'sector 2');
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 0, data: new Uint8Array(512) }),
        'EINVAL',
        '512 bytes on a 4096-byte-sector device',
      );
      dev.close();
      for (const sectorSize of [0, 100, 256, 513, 1000, 131072, -512, 1.5]) {
        ensureHostError(
          () => fx.host.openBlockDevice(path, { access: 'read-only', sectorSize }),
          'EINVAL',
          `sectorSize ${sectorSize}`,
        );
      }
    },
  },
  {
    group: 'block devices',
    name: 'I/O reaching past the last sector fails with EINVAL and transfers nothing',
    run(fx) {
      const { dev, path, contents } = makeDevice(fx, 'disk');
      const buf = new Uint8Array(1024).fill(0x5a);
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 3, data: buf }),
        'EINVAL',
        'read of sectors 3..4 on a 4-sector device',
      );
      ensureBytes(buf, new Uint8Array(1024).fill(0x5a), 'buffer after the refused read');
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 4, data: new Uint8Array(512) }),
        'EINVAL',
        'read at sector 4',
      );
      ensureHostError(
        () => dev.bio({ op: 'write', sector: 3, data: pattern(1024, 8) }),
        'EINVAL',
        'write of sectors 3..4',
      );
      ensureHostError(
        () => dev.bio({ op: 'write', sector: 1000, data: pattern(512, 8) }),
        'EINVAL',
        'write far past the end',
      );
      dev.close();
      ensureBytes(readWhole(fx.host, path), contents, 'file after refused writes');
    },
  },
  {
    group: 'block devices',
    name: 'partial sectors, bad sector numbers and bad requests fail with EINVAL',
    run(fx) {
      const { dev } = makeDevice(fx, 'disk');
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 0, data: new Uint8Array(100) }),
        'EINVAL',
        '100 bytes',
      );
      ensureHostError(
        () => dev.bio({ op: 'write', sector: 0, data: new Uint8Array(513) }),
        'EINVAL',
        '513 bytes',
      );
      for (const sector of [-1, 0.5, Number.NaN]) {
        ensureHostError(
          () => dev.bio({ op: 'read', sector, data: new Uint8Array(512) }),
          'EINVAL',
          `sector ${sector}`,
        );
      }
      ensureHostError(
        () => dev.bio({ op: 'erase' as 'read', sector: 0, data: new Uint8Array(512) }),
        'EINVAL',
        "op 'erase'",
      );
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 0, data: [0] as unknown as Uint8Array }),
        'EINVAL',
        'data not a Uint8Array',
      );
      ensureEqual(dev.bio({ op: 'read', sector: 4, data: new Uint8Array(0) }), 0, 'empty at end');
      dev.close();
    },
  },
  {
    group: 'block devices',
    name: 'a read-only device refuses writes with EROFS and the file stays as it was',
    run(fx) {
      const { dev, path, contents } = makeDevice(fx, 'disk', 'read-only');
      ensureEqual(dev.access, 'read-only', 'access');
      ensureHostError(
        () => dev.bio({ op: 'write', sector: 0, data: pattern(512, 9) }),
        'EROFS',
        'bio write',
      );
      ensureHostError(
        () => dev.bio({ op: 'write', sector: 0, data: pattern(512, 9), sync: true }),
        'EROFS',
        'bio write with sync',
      );
      dev.flush();
      const buf = new Uint8Array(512);
      dev.bio({ op: 'read', sector: 0, data: buf });
      ensureBytes(buf, contents.subarray(0, 512), 'reads still work');
      dev.close();
      ensureBytes(readWhole(fx.host, path), contents, 'file contents');
    },
  },
  {
    group: 'block devices',
    name: 'bioAsync completes after it returns, exactly once, with the byte count',
    async run(fx) {
      const { dev, contents } = makeDevice(fx, 'disk');
      const calls = { count: 0 };
      const buf = new Uint8Array(1024);
      const outcome = await startBio(dev, { op: 'read', sector: 2, data: buf }, calls);
      ensure(!outcome.early, 'done ran before bioAsync returned');
      ensureEqual(outcome.error, null, 'error');
      ensureEqual(outcome.bytes, 1024, 'bytes');
      ensureBytes(buf, contents.subarray(1024, 2048), 'data read');
      const w = await startBio(
        dev,
        { op: 'write', sector: 0, data: pattern(512, 11), sync: true },
        calls,
      );
      ensure(!w.early, 'done ran before bioAsync returned (write)');
      ensureEqual(w.error, null, 'write error');
      ensureEqual(w.bytes, 512, 'write bytes');
      await tick(20);
      ensureEqual(calls.count, 2, 'done calls for two requests');
      const back = new Uint8Array(512);
      dev.bio({ op: 'read', sector: 0, data: back });
      ensureBytes(back, pattern(512, 11), 'data written asynchronously');
      dev.close();
    },
  },
  {
    group: 'block devices',
    name: 'bioAsync reports errors through done, never by throwing',
    async run(fx) {
      const { dev } = makeDevice(fx, 'disk', 'read-only');
      const calls = { count: 0 };
      const past = await startBio(dev, { op: 'read', sector: 4, data: new Uint8Array(512) }, calls);
      ensure(!past.early, 'done ran before bioAsync returned');
      hostErrorCheck(past.error, 'EINVAL', 'read past the end');
      ensureEqual(past.bytes, 0, 'bytes of a failed request');
      const ro = await startBio(dev, { op: 'write', sector: 0, data: pattern(512) }, calls);
      hostErrorCheck(ro.error, 'EROFS', 'write to a read-only device');
      dev.close();
      const closed = await startBio(
        dev,
        { op: 'read', sector: 0, data: new Uint8Array(512) },
        calls,
      );
      hostErrorCheck(closed.error, 'EBADF', 'request on a closed device');
      await tick(20);
      ensureEqual(calls.count, 3, 'done calls');
    },
  },
  {
    group: 'block devices',
    name: 'many outstanding bioAsync requests all complete with the right data',
    async run(fx) {
      const path = fx.path('many');
      createFile(fx.host, path, new Uint8Array(64 * 512));
      const dev = fx.host.openBlockDevice(path, { access: 'read-write' });
      const calls = { count: 0 };
      const writes = [];
      for (let s = 0; s < 64; s++) {
        writes.push(startBio(dev, { op: 'write', sector: s, data: pattern(512, s + 1) }, calls));
      }
      for (const w of await Promise.all(writes)) ensureEqual(w.error, null, 'write error');
      const reads = [];
      const bufs: Uint8Array[] = [];
      for (let s = 63; s >= 0; s--) {
        const buf = new Uint8Array(512);
        bufs[s] = buf;
        reads.push(startBio(dev, { op: 'read', sector: s, data: buf }, calls));
      }
      for (const r of await Promise.all(reads)) ensureEqual(r.error, null, 'read error');
      for (let s = 0; s < 64; s++) ensureBytes(bufs[s]!, pattern(512, s + 1), `sector ${s}`);
      ensureEqual(calls.count, 128, 'done calls');
      dev.close();
    },
  },
  {
    group: 'block devices',
    name: 'a closed device fails with EBADF, and a request in flight at close still completes',
    async run(fx) {
      const { dev, contents } = makeDevice(fx, 'disk');
      const buf = new Uint8Array(2048);
      const inflight = startBio(dev, { op: 'read', sector: 0, data: buf }, { count: 0 });
      dev.close();
      const outcome = await inflight;
      ensureEqual(outcome.error, null, 'in-flight request error');
      ensureBytes(buf, contents, 'in-flight request data');
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 0, data: new Uint8Array(512) }),
        'EBADF',
        'bio after close',
      );
      ensureHostError(() => dev.flush(), 'EBADF', 'flush after close');
      ensureHostError(() => dev.close(), 'EBADF', 'second close');
    },
  },
  {
    group: 'block devices',
    name: 'opening a device has the errors of open',
    run(fx) {
      const p = fx.path('nodisk');
      ensureHostError(
        () => fx.host.openBlockDevice(p, { access: 'read-only' }),
        'ENOENT',
        'missing file',
      );
      ensureHostError(
        () => fx.host.openBlockDevice(p, { access: 'read-write' }),
        'ENOENT',
        'missing file, read-write (block devices are never created)',
      );
    },
  },
];

const time: ConformanceCheck[] = [
  {
    group: 'clocks',
    name: 'the monotonic clock is a bigint in nanoseconds that never goes back',
    run({ host }) {
      let last = host.clockGettime('monotonic');
      ensureEqual(typeof last, 'bigint', 'type');
      for (let i = 0; i < 10000; i++) {
        const now = host.clockGettime('monotonic');
        ensure(now >= last, `monotonic clock went back from ${last} to ${now}`);
        last = now;
      }
    },
  },
  {
    group: 'clocks',
    name: 'the wall clock is nanoseconds since the Unix epoch',
    run({ host }) {
      const wall = host.clockGettime('wall');
      ensureEqual(typeof wall, 'bigint', 'type');
      // 2020-01-01 and 2200-01-01 in nanoseconds: a clock in ms or s falls outside.
      ensure(wall > 1_577_836_800_000_000_000n, `wall clock ${wall} is before 2020 (not ns?)`);
      ensure(wall < 7_258_118_400_000_000_000n, `wall clock ${wall} is after 2200 (not ns?)`);
      ensureHostError(() => host.clockGettime('cpu' as 'wall'), 'EINVAL', "clockGettime('cpu')");
    },
  },
  {
    group: 'sleep',
    name: 'sleep and sleepUntil let at least the asked time pass on the monotonic clock',
    run({ host }) {
      const t0 = host.clockGettime('monotonic');
      host.sleep(3_000_000n);
      const t1 = host.clockGettime('monotonic');
      ensure(t1 - t0 >= 3_000_000n, `sleep(3 ms) returned after ${t1 - t0} ns`);
      host.sleepUntil(t1 + 2_000_000n);
      const t2 = host.clockGettime('monotonic');
      ensure(t2 >= t1 + 2_000_000n, `sleepUntil returned ${t1 + 2_000_000n - t2} ns early`);
      host.sleep(0n);
      host.sleep(-5n);
      host.sleepUntil(t0); // in the past: returns at once
      ensure(host.clockGettime('monotonic') >= t2, 'the clock went back');
      ensureHostError(() => host.sleep(5 as unknown as bigint), 'EINVAL', 'sleep(number)');
    },
  },
  {
    group: 'sleep',
    name: 'sleepAsync resolves after at least the asked time',
    async run({ host }) {
      const t0 = host.clockGettime('monotonic');
      await host.sleepAsync(3_000_000n);
      const t1 = host.clockGettime('monotonic');
      ensure(t1 - t0 >= 3_000_000n, `sleepAsync(3 ms) resolved after ${t1 - t0} ns`);
      await host.sleepAsync(0n);
      await ensureHostErrorAsync(
        host.sleepAsync(1 as unknown as bigint),
        'EINVAL',
        'sleepAsync(number)',
      );
    },
  },
];

const misc: ConformanceCheck[] = [
  {
    group: 'random',
    name: 'getRandom fills the whole buffer with fresh bytes, beyond 64 KiB too',
    run({ host }) {
      const a = new Uint8Array(200_000);
      const b = new Uint8Array(200_000);
      host.getRandom(a);
      host.getRandom(b);
      // Each 1 KiB block of a random buffer being all zero has probability 2^-8192.
      for (let at = 0; at < a.length; at += 1024) {
        ensure(
          a.subarray(at, at + 1024).some((x) => x !== 0),
          `bytes ${at}..${at + 1023} were not filled`,
        );
      }
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      ensure(same < a.length / 64, `two draws agree in ${same} of ${a.length} bytes`);
      const counts = new Uint32Array(256);
      for (const x of a) counts[x]!++;
      for (let v = 0; v < 256; v++) {
        ensure(counts[v]! > 500 && counts[v]! < 1100, `byte value ${v} occurs ${counts[v]} times`);
      }
      host.getRandom(new Uint8Array(0));
      ensureHostError(() => host.getRandom([] as unknown as Uint8Array), 'EINVAL', 'array');
    },
  },
  {
    group: 'console',
    name: 'putchar takes bytes and dprintf takes text; non-bytes fail with EINVAL',
    run(fx) {
      const { host } = fx;
      for (const c of new TextEncoder().encode('conformance: hello\nsecond line\n'))
        host.putchar(c);
      host.dprintf('conformance: debug text\n');
      for (const bad of [-1, 256, 1.5, Number.NaN]) {
        ensureHostError(() => host.putchar(bad), 'EINVAL', `putchar(${bad})`);
      }
      if (fx.consoleText) {
        const text = fx.consoleText();
        ensure(
          text.includes('conformance: hello\nsecond line\n'),
          `console output not recorded in order: ${JSON.stringify(text)}`,
        );
      }
    },
  },
  {
    group: 'parameters',
    name: 'the known parameters are set and valid; an unknown one fails with ENOENT',
    run({ host }) {
      const params = readHostParams(host);
      ensure(params.ncpu >= 1, 'RUMP_NCPU');
      ensure(params.memlimit > 0, 'RUMP_MEMLIMIT');
      ensure(params.hostname.length > 0, 'RUMP_HOSTNAME');
      ensure(params.verbose >= 0, 'RUMP_VERBOSE');
      ensureHostError(() => host.getParam('RUMP_NO_SUCH_PARAMETER'), 'ENOENT', 'unknown name');
    },
  },
  {
    group: 'shutdown',
    name: 'shutdown closes every open file and device, and their calls then fail with EBADF',
    run(fx) {
      const { host } = fx;
      const p = fx.path('open-at-shutdown');
      createFile(host, p, pattern(2048));
      const rw = host.open(p, { access: 'read-write' });
      const ro = host.open(p, { access: 'read-only' });
      const dev = host.openBlockDevice(p, { access: 'read-only' });
      host.shutdown();
      const buf = new Uint8Array(512);
      ensureHostError(() => rw.pread(buf, 0), 'EBADF', 'read-write file after shutdown');
      ensureHostError(() => ro.size(), 'EBADF', 'read-only file after shutdown');
      ensureHostError(() => rw.close(), 'EBADF', 'close after shutdown');
      ensureHostError(
        () => dev.bio({ op: 'read', sector: 0, data: buf }),
        'EBADF',
        'device after shutdown',
      );
    },
  },
  {
    group: 'shutdown',
    name: 'after shutdown every host call fails with ENXIO, and a second shutdown does nothing',
    async run(fx) {
      const { host } = fx;
      const p = fx.path('after-shutdown');
      host.shutdown();
      host.shutdown();
      const calls: [string, () => unknown][] = [
        ['open', () => host.open(p, { access: 'read-write', create: true })],
        ['openBlockDevice', () => host.openBlockDevice(p, { access: 'read-only' })],
        ['clockGettime', () => host.clockGettime('monotonic')],
        ['sleep', () => host.sleep(1n)],
        ['sleepUntil', () => host.sleepUntil(0n)],
        ['getRandom', () => host.getRandom(new Uint8Array(4))],
        ['putchar', () => host.putchar(65)],
        ['dprintf', () => host.dprintf('x')],
        ['getParam', () => host.getParam('RUMP_NCPU')],
        ['exit', () => host.exit(0)],
      ];
      for (const [name, call] of calls) ensureHostError(call, 'ENXIO', name);
      await ensureHostErrorAsync(host.sleepAsync(1n), 'ENXIO', 'sleepAsync');
    },
  },
];

/** Every requirement, in the order they are best read. */
export const hostConformanceChecks: readonly ConformanceCheck[] = [
  ...files,
  ...blockDevices,
  ...time,
  ...misc,
];

export { ConformanceFailure };
