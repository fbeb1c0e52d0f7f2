import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HostError, MemoryHost, readHostParams } from '../src/index.js';

describe('README example', () => {
  it('does what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      "disk.bio({ op: 'read', sector: 1, data: back }); // back[512] === 0xab",
    );

    const host = new MemoryHost({ files: { '/disk.img': new Uint8Array(8 * 512) } });
    const disk = host.openBlockDevice('/disk.img', { access: 'read-write' });
    disk.bio({ op: 'write', sector: 2, data: new Uint8Array(512).fill(0xab) });
    const back = new Uint8Array(1024);
    disk.bio({ op: 'read', sector: 1, data: back });
    expect(back[512]).toBe(0xab);
    expect(back[511]).toBe(0);
    expect(() => disk.bio({ op: 'read', sector: 7, data: back })).toThrow(HostError);
    expect(readHostParams(host).memlimit).toBe(268435456);
    expect(typeof host.clockGettime('monotonic')).toBe('bigint');
    host.shutdown();
    expect(() => disk.bio({ op: 'read', sector: 0, data: back })).toThrow(/EBADF/);
  });
});
