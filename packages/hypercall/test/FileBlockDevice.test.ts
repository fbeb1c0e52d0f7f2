import { describe, expect, it } from 'vitest';
import {
  type BioOp,
  type FileBackend,
  FileBlockDevice,
  HandleTable,
  type HostError,
  isValidSectorSize,
  MemoryHost,
} from '../src/index.js';
import { blockUntil } from '../src/sleep.js';

describe('FileBlockDevice', () => {
  it('reports EIO, not a short transfer, when the host file shrank under the device', async () => {
    const host = new MemoryHost({ files: { '/d': new Uint8Array(4096) } });
    const dev = host.openBlockDevice('/d', { access: 'read-write' });
    const f = host.open('/d', { access: 'read-write' });
    f.truncate(1000);
    const buf = new Uint8Array(1024);
    expect(() => dev.bio({ op: 'read', sector: 1, data: buf })).toThrow(/EIO.*shrank/);
    const err = await new Promise<HostError | null>((resolve) =>
      dev.bioAsync({ op: 'read', sector: 2, data: buf }, (e) => resolve(e)),
    );
    expect(err?.code).toBe('EIO');
    expect(dev.sectorCount).toBe(8); // fixed at open
  });

  /** A backend whose transferAsync calls back at once, and records when close happens. */
  function eagerBackend(log: string[]): FileBackend {
    const store = new Uint8Array(2048);
    let pending: (() => void) | null = null;
    return {
      size: () => store.length,
      pread: (buf, off) => {
        buf.set(store.subarray(off, off + buf.length));
        return buf.length;
      },
      pwrite: (buf, off) => store.set(buf, off),
      truncate: () => {},
      fsync: () => log.push('fsync'),
      close: () => log.push('close'),
      transferAsync(op: BioOp, data, offset, _sync, cb) {
        if (op === 'write') store.set(data, offset);
        else data.set(store.subarray(offset, offset + data.length));
        if (offset === 0)
          cb(null, data.length); // synchronously: a careless host
        else pending = () => cb(null, data.length);
      },
      get flushPending() {
        return () => pending?.();
      },
    } as FileBackend & { flushPending: () => void };
  }

  it('never lets done run before bioAsync returns, even if the backend calls back at once', async () => {
    const log: string[] = [];
    const dev = new FileBlockDevice('/x', 'read-write', 512, eagerBackend(log), new HandleTable());
    let returned = false;
    const early = await new Promise<boolean>((resolve) => {
      dev.bioAsync({ op: 'read', sector: 0, data: new Uint8Array(512) }, () => resolve(!returned));
      returned = true;
    });
    expect(early).toBe(false);
  });

  it('closes the backend only after in-flight transfers complete', async () => {
    const log: string[] = [];
    const backend = eagerBackend(log) as FileBackend & { flushPending: () => void };
    const table = new HandleTable();
    const dev = new FileBlockDevice('/x', 'read-write', 512, backend, table);
    expect(table.openCount).toBe(1);
    const done = new Promise<number>((resolve) =>
      dev.bioAsync({ op: 'write', sector: 1, data: new Uint8Array(512) }, (_e, n) => resolve(n)),
    );
    expect(dev.inflight).toBe(1);
    dev.close();
    expect(table.openCount).toBe(0);
    expect(log).toEqual([]); // not yet: the host is still using the buffer
    backend.flushPending();
    expect(await done).toBe(512);
    expect(log).toEqual(['close']);
  });

  it('makes sync writes durable before completing, and flush fsyncs', () => {
    const log: string[] = [];
    const dev = new FileBlockDevice('/x', 'read-write', 512, eagerBackend(log), new HandleTable());
    dev.bio({ op: 'write', sector: 0, data: new Uint8Array(512) });
    expect(log).toEqual([]);
    dev.bio({ op: 'write', sector: 0, data: new Uint8Array(512), sync: true });
    expect(log).toEqual(['fsync']);
    dev.flush();
    expect(log).toEqual(['fsync', 'fsync']);
  });

  it('accepts exactly the power-of-two sector sizes from 512 to 65536', () => {
    const ok = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
    for (let s = 0; s <= 70000; s++) expect(isValidSectorSize(s)).toBe(ok.includes(s));
    expect(isValidSectorSize('512')).toBe(false);
  });
});

describe('blockUntil', () => {
  it('returns once the given clock passes the deadline', () => {
    let now = 0n;
    let reads = 0;
    blockUntil(3_000n, () => {
      reads++;
      return (now += 1_000n);
    });
    expect(now).toBe(3_000n);
    expect(reads).toBe(3);
  });
});
