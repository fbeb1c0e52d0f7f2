import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type FileBlockDevice, HOST_EXIT_PANIC, HostError } from '../src/index.js';
import { NodeFile } from '../src/node/NodeFile.js';
import { NodeHost } from '../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'rump-nodehost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function quietHost(options: ConstructorParameters<typeof NodeHost>[0] = {}) {
  const out: string[] = [];
  const debug: string[] = [];
  const host = new NodeHost({
    env: false,
    console: { write: (c) => out.push(typeof c === 'string' ? c : Buffer.from(c).toString()) },
    debug: { write: (c) => debug.push(String(c)) },
    ...options,
  });
  return { host, out, debug };
}

function errorOf(fn: () => unknown): HostError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HostError) return err;
    throw err;
  }
  throw new Error('expected a HostError');
}

describe('NodeHost: a file opened read-only is never written', () => {
  it('keeps a real file byte-identical through every kind of write attempt', async () => {
    const path = join(dir, 'precious.img');
    writeFileSync(path, randomBytes(64 * 1024));
    const before = sha256(path);
    const { host } = quietHost();

    const file = host.open(path, { access: 'read-only' });
    expect(errorOf(() => file.pwrite(new Uint8Array(512).fill(1), 0)).code).toBe('EBADF');
    expect(errorOf(() => file.pwrite(new Uint8Array(10), 64 * 1024)).code).toBe('EBADF');
    expect(errorOf(() => file.truncate(0)).code).toBe('EBADF');
    file.fsync();

    const dev = host.openBlockDevice(path, { access: 'read-only' });
    const zeros = new Uint8Array(4096);
    expect(errorOf(() => dev.bio({ op: 'write', sector: 0, data: zeros })).code).toBe('EROFS');
    expect(errorOf(() => dev.bio({ op: 'write', sector: 7, data: zeros, sync: true })).code).toBe(
      'EROFS',
    );
    const asyncError = await new Promise((resolve) =>
      dev.bioAsync({ op: 'write', sector: 0, data: zeros }, (err) => resolve(err)),
    );
    expect(HostError.is(asyncError, 'EROFS')).toBe(true);
    dev.flush();
    host.shutdown();

    expect(sha256(path)).toBe(before);
  });

  it('opens read-only handles with an O_RDONLY descriptor, so the OS refuses writes too', () => {
    const path = join(dir, 'os-guard.img');
    writeFileSync(path, randomBytes(4096));
    const before = sha256(path);
    // Below the handle's own check: the raw backend on a read-only descriptor.
    const raw = new NodeFile(openSync(path, 'r'));
    expect(() => raw.pwrite(new Uint8Array(16), 0)).toThrow(/EBADF/);
    expect(() => raw.truncate(0)).toThrow(/EINVAL|EBADF/);
    raw.close();
    expect(sha256(path)).toBe(before);
  });

  it('a readOnly host refuses every read-write open with EROFS and creates nothing', () => {
    const path = join(dir, 'guarded.img');
    writeFileSync(path, 'data');
    const { host } = quietHost({ readOnly: true });
    expect(errorOf(() => host.open(path, { access: 'read-write' })).code).toBe('EROFS');
    expect(errorOf(() => host.openBlockDevice(path, { access: 'read-write' })).code).toBe('EROFS');
    const created = join(dir, 'never-created');
    expect(errorOf(() => host.open(created, { access: 'read-write', create: true })).code).toBe(
      'EROFS',
    );
    expect(existsSync(created)).toBe(false);
    expect(host.open(path, { access: 'read-only' }).size()).toBe(4);
    host.shutdown();
  });
});

describe('NodeHost: what may be opened', () => {
  it('a directory fails with EISDIR, a character device with EFTYPE', () => {
    const { host } = quietHost();
    expect(errorOf(() => host.open(dir, { access: 'read-only' })).code).toBe('EISDIR');
    expect(errorOf(() => host.open('/dev/null', { access: 'read-only' })).code).toBe('EFTYPE');
    expect(host.openHandleCount).toBe(0);
    host.shutdown();
  });

  it.skipIf(spawnSync('mkfifo', ['--version']).status !== 0)(
    'a FIFO fails with EFTYPE without hanging (needs mkfifo)',
    () => {
      const fifo = join(dir, 'fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const { host } = quietHost();
      expect(errorOf(() => host.open(fifo, { access: 'read-only' })).code).toBe('EFTYPE');
      host.shutdown();
    },
  );

  it('errors keep the host code and message', () => {
    const { host } = quietHost();
    const e = errorOf(() => host.open(join(dir, 'nope'), { access: 'read-only' }));
    expect(e.code).toBe('ENOENT');
    expect(e.call).toBe('open');
    expect(e.path).toBe(join(dir, 'nope'));
    expect(e.hostCode).toBe('ENOENT');
    expect(e.hostMessage).toMatch(/no such file or directory/);
    host.shutdown();
  });
});

const fdDir = '/proc/self/fd';
const openFds = () => readdirSync(fdDir).length;

describe('NodeHost: shutdown closes the host descriptors', () => {
  it.skipIf(!existsSync(fdDir))('files and devices (needs /proc/self/fd)', () => {
    const path = join(dir, 'fds.img');
    writeFileSync(path, new Uint8Array(8192));
    const { host } = quietHost();
    const base = openFds();
    host.open(path, { access: 'read-only' });
    host.open(path, { access: 'read-write' });
    host.openBlockDevice(path, { access: 'read-write' });
    expect(openFds()).toBe(base + 3);
    expect(host.openHandleCount).toBe(3);
    host.shutdown();
    expect(openFds()).toBe(base);
    expect(host.openHandleCount).toBe(0);
  });

  it.skipIf(!existsSync(fdDir))(
    'a device with thread-pool I/O in flight closes when the I/O completes (needs /proc/self/fd)',
    async () => {
      const path = join(dir, 'inflight.img');
      writeFileSync(path, randomBytes(1 << 20));
      const { host } = quietHost({ asyncBio: 'threadpool' });
      const base = openFds();
      const dev = host.openBlockDevice(path, { access: 'read-only' });
      const data = new Uint8Array(1 << 20);
      const done = new Promise<[HostError | null, number]>((resolve) =>
        dev.bioAsync({ op: 'read', sector: 0, data }, (err, bytes) => resolve([err, bytes])),
      );
      expect((dev as FileBlockDevice).inflight).toBe(1);
      host.shutdown();
      // The thread pool is still writing into `data`: the descriptor must stay until it is done.
      expect(openFds()).toBe(base + 1);
      const [err, bytes] = await done;
      expect(err).toBeNull();
      expect(bytes).toBe(1 << 20);
      expect(Buffer.from(data).equals(readFileSync(path))).toBe(true);
      expect(openFds()).toBe(base);
    },
  );
});

describe('NodeHost: buffers the kernel will pass', () => {
  it('transfers straight into views of a resizable ArrayBuffer, as guest memory is', async () => {
    const path = join(dir, 'guest.img');
    writeFileSync(path, randomBytes(8192));
    const disk = readFileSync(path);
    // ES2024 types (resizable ArrayBuffer) are not in our lib setting; Node 20 has the feature.
    type Resizable = ArrayBuffer & { resize(length: number): void };
    const ResizableArrayBuffer = ArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => Resizable;
    const guest = new ResizableArrayBuffer(16384, { maxByteLength: 1 << 24 });
    for (const asyncBio of ['threadpool', 'microtask'] as const) {
      const { host } = quietHost({ asyncBio });
      const dev = host.openBlockDevice(path, { access: 'read-only' });
      const view = new Uint8Array(guest, 1000, 2048);
      dev.bio({ op: 'read', sector: 3, data: view });
      expect(Buffer.from(view).equals(disk.subarray(1536, 3584))).toBe(true);
      const later = new Uint8Array(guest, 5000, 512);
      const done = new Promise((resolve) =>
        dev.bioAsync({ op: 'read', sector: 15, data: later }, resolve),
      );
      guest.resize(guest.byteLength + 4096); // growing keeps the views in place
      expect(await done).toBeNull();
      expect(Buffer.from(later).equals(disk.subarray(7680))).toBe(true);
      host.shutdown();
    }
  });
});

describe('NodeHost: a disk file that shrinks under the device', () => {
  for (const asyncBio of ['threadpool', 'microtask'] as const) {
    it(`reports EIO, never a short transfer (${asyncBio})`, async () => {
      const path = join(dir, `shrink-${asyncBio}.img`);
      writeFileSync(path, new Uint8Array(8192));
      const { host } = quietHost({ asyncBio });
      const dev = host.openBlockDevice(path, { access: 'read-write' });
      truncateSync(path, 1000);
      const data = new Uint8Array(1024);
      expect(errorOf(() => dev.bio({ op: 'read', sector: 1, data })).code).toBe('EIO');
      const [err, bytes] = await new Promise<[HostError | null, number]>((resolve) =>
        dev.bioAsync({ op: 'read', sector: 4, data }, (e, n) => resolve([e, n])),
      );
      expect(err?.code).toBe('EIO');
      expect(err?.message).toMatch(/shrank/);
      expect(bytes).toBe(0);
      host.shutdown();
    });
  }
});

describe('NodeHost: console', () => {
  it('writes putchar output line by line to the injected stream, and dprintf to the debug one', () => {
    const { host, out, debug } = quietHost();
    for (const c of new TextEncoder().encode('booting\nrump')) host.putchar(c);
    expect(out).toEqual(['booting\n']);
    host.dprintf('rumpuser: ready\n');
    expect(debug).toEqual(['rumpuser: ready\n']);
    host.shutdown(); // flushes the partial line
    expect(out).toEqual(['booting\n', 'rump']);
  });
});

describe('NodeHost: clocks', () => {
  it('the wall clock agrees with Date, the monotonic with hrtime', () => {
    const { host } = quietHost();
    const wallMs = Number(host.clockGettime('wall') / 1_000_000n);
    expect(Math.abs(wallMs - Date.now())).toBeLessThan(1000);
    const a = process.hrtime.bigint();
    const m = host.clockGettime('monotonic');
    const b = process.hrtime.bigint();
    expect(m >= a && m <= b).toBe(true);
    host.shutdown();
  });
});

describe('NodeHost: exit', () => {
  it('flushes the console, shuts down, then calls onExit with the status', () => {
    const path = join(dir, 'exit.img');
    writeFileSync(path, 'x');
    const calls: number[] = [];
    const { host, out } = quietHost({
      onExit: (status) => {
        calls.push(status);
        throw new Error(`exit ${status}`);
      },
    });
    const f = host.open(path, { access: 'read-only' });
    host.putchar(0x21);
    expect(() => host.exit(HOST_EXIT_PANIC)).toThrow('exit -1');
    expect(calls).toEqual([-1]);
    expect(out).toEqual(['!']);
    expect(host.isShutDown).toBe(true);
    expect(errorOf(() => f.size()).code).toBe('EBADF');
  });

  it('refuses a status outside 0..255 with EINVAL and stays up', () => {
    const { host } = quietHost({ onExit: () => process.exit(99) });
    expect(errorOf(() => host.exit(256)).code).toBe('EINVAL');
    expect(errorOf(() => host.exit(1.5)).code).toBe('EINVAL');
    expect(host.isShutDown).toBe(false);
    host.shutdown();
  });

  const here = dirname(fileURLToPath(import.meta.url));
  const runChild = (body: string) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { NodeHost } from ${JSON.stringify(join(here, '../src/node.ts'))};
         const host = new NodeHost({ env: false });
         ${body}`,
      ],
      { cwd: join(here, '..'), encoding: 'utf8', timeout: 30_000 },
    );

  it('by default exits the process with the status, output flushed', () => {
    const r = runChild(`for (const c of Buffer.from('bye')) host.putchar(c); host.exit(7);`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('bye');
    expect(r.status).toBe(7);
  });

  it('by default exits 134 on a panic', () => {
    const r = runChild(`host.exit(-1);`);
    expect(r.status).toBe(134);
  });
});
