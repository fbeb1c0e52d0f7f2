import { describe, expect, it } from 'vitest';
import { HOST_EXIT_PANIC, HostError, HostExit, MemoryHost } from '../src/index.js';

const bytes = (...xs: number[]) => new Uint8Array(xs);

function errorOf(fn: () => unknown): HostError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HostError) return err;
    throw err;
  }
  throw new Error('expected a HostError');
}

describe('MemoryHost files', () => {
  it('starts with the given files and reads them back as copies', () => {
    const host = new MemoryHost({ files: { '/disk.img': bytes(1, 2, 3) } });
    const f = host.open('/disk.img', { access: 'read-write' });
    f.pwrite(bytes(9), 1);
    f.close();
    const copy = host.readFile('/disk.img');
    expect(copy).toEqual(bytes(1, 9, 3));
    copy[0] = 77;
    expect(host.readFile('/disk.img')[0]).toBe(1);
    expect(host.paths()).toEqual(['/disk.img']);
    expect(errorOf(() => host.readFile('/none')).code).toBe('ENOENT');
  });

  it('a file added read-only cannot be opened read-write (EROFS) and never changes', () => {
    const host = new MemoryHost();
    host.addFile('/ro.img', 'frozen', { readOnly: true });
    expect(errorOf(() => host.open('/ro.img', { access: 'read-write' })).code).toBe('EROFS');
    expect(errorOf(() => host.open('/ro.img', { access: 'read-write', create: true })).code).toBe(
      'EROFS',
    );
    expect(errorOf(() => host.openBlockDevice('/ro.img', { access: 'read-write' })).code).toBe(
      'EROFS',
    );
    const f = host.open('/ro.img', { access: 'read-only' });
    expect(errorOf(() => f.pwrite(bytes(1), 0)).code).toBe('EBADF');
    expect(new TextDecoder().decode(host.readFile('/ro.img'))).toBe('frozen');
  });

  it('removing a name leaves open handles working, as on Unix', () => {
    const host = new MemoryHost({ files: { '/a': bytes(5, 6) } });
    const f = host.open('/a', { access: 'read-write' });
    expect(host.removeFile('/a')).toBe(true);
    expect(host.hasFile('/a')).toBe(false);
    f.pwrite(bytes(7), 2);
    const buf = new Uint8Array(3);
    expect(f.pread(buf, 0)).toBe(3);
    expect(buf).toEqual(bytes(5, 6, 7));
    expect(errorOf(() => host.open('/a', { access: 'read-only' })).code).toBe('ENOENT');
  });

  it('growing past maxFileSize fails with EFBIG and changes nothing', () => {
    const host = new MemoryHost({ maxFileSize: 10_000 });
    const f = host.open('/small', { access: 'read-write', create: true });
    f.pwrite(new Uint8Array(9_000), 0);
    const e = errorOf(() => f.pwrite(new Uint8Array(2_000), 9_000));
    expect(e.code).toBe('EFBIG');
    expect(e.call).toBe('pwrite');
    expect(e.path).toBe('/small');
    expect(errorOf(() => f.truncate(10_001)).code).toBe('EFBIG');
    expect(f.size()).toBe(9_000);
  });

  it('grows by doubling, keeping contents across many small appends', () => {
    const host = new MemoryHost();
    const f = host.open('/log', { access: 'read-write', create: true });
    for (let i = 0; i < 5000; i++) f.pwrite(bytes(i & 0xff, (i >> 8) & 0xff), i * 2);
    const all = host.readFile('/log');
    expect(all.length).toBe(10_000);
    for (let i = 0; i < 5000; i++) expect(all[i * 2]! | (all[i * 2 + 1]! << 8)).toBe(i);
  });
});

describe('MemoryHost console', () => {
  it('records putchar bytes and dprintf text separately', () => {
    const host = new MemoryHost();
    for (const c of new TextEncoder().encode('NetBSD 10.1 (RUMP-ROAST)\npartial')) host.putchar(c);
    host.dprintf('debug 1\n');
    expect(host.consoleText()).toBe('NetBSD 10.1 (RUMP-ROAST)\npartial');
    host.putchar(0x0a);
    expect(host.consoleText()).toBe('NetBSD 10.1 (RUMP-ROAST)\npartial\n');
    expect(host.debugText()).toBe('debug 1\n');
    host.putchar(0xff); // a byte, not necessarily UTF-8
    expect(host.consoleBytes().at(-1)).toBe(0xff);
  });
});

describe('MemoryHost virtual time', () => {
  it('moves only when the kernel sleeps or time is advanced', async () => {
    const host = new MemoryHost({ time: 'virtual', startWallNs: 1_700_000_000_000_000_000n });
    expect(host.clockGettime('monotonic')).toBe(0n);
    expect(host.clockGettime('wall')).toBe(1_700_000_000_000_000_000n);
    host.sleep(5_000_000_000n); // five seconds, instantly
    expect(host.clockGettime('monotonic')).toBe(5_000_000_000n);
    host.sleepUntil(6_000_000_000n);
    expect(host.clockGettime('monotonic')).toBe(6_000_000_000n);
    host.sleepUntil(1n); // past: no change
    expect(host.clockGettime('monotonic')).toBe(6_000_000_000n);
    await host.sleepAsync(1_000n);
    host.advanceTime(10n);
    expect(host.clockGettime('monotonic')).toBe(6_000_001_010n);
    expect(host.clockGettime('wall')).toBe(1_700_000_006_000_001_010n);
  });

  it('advanceTime is refused under real time', () => {
    expect(errorOf(() => new MemoryHost().advanceTime(1n)).code).toBe('EINVAL');
  });
});

describe('MemoryHost random', () => {
  it('is reproducible with a seed and different between seeds', () => {
    const draw = (seed: number) => {
      const buf = new Uint8Array(37);
      new MemoryHost({ randomSeed: seed }).getRandom(buf);
      return buf;
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
});

describe('MemoryHost exit', () => {
  it('shuts down, then throws HostExit with the status', () => {
    const host = new MemoryHost({ files: { '/f': bytes(1) } });
    const f = host.open('/f', { access: 'read-only' });
    host.putchar(0x41);
    let thrown: unknown;
    try {
      host.exit(HOST_EXIT_PANIC);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HostExit);
    expect((thrown as HostExit).status).toBe(-1);
    expect(host.isShutDown).toBe(true);
    expect(host.consoleText()).toBe('A');
    expect(errorOf(() => f.size()).message).toMatch(/closed by host shutdown/);
    expect(errorOf(() => host.getParam('RUMP_NCPU')).message).toMatch(/shut down/);
  });
});
