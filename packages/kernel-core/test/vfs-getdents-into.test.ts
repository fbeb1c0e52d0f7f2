import { describe, expect, it } from 'vitest';
import { parseDirents } from '../src/index.js';
import { mountTinyfs } from './helpers.js';

function withTinyfs() {
  const entries: Record<string, { type: 'file'; content: string }> = {};
  for (let i = 0; i < 40; i++) entries[`name${i}`] = { type: 'file', content: `${i}\n` };
  return mountTinyfs({ dir: { type: 'dir', entries } }).k;
}

describe('getdentsInto', () => {
  it('fills the caller buffer with the records getdents returns, and moves the offset alike', () => {
    const k = withTinyfs();
    const a = k.vfs.open('/mnt/dir', 0x200000);
    const b = k.vfs.open('/mnt/dir', 0x200000);
    const buf = new Uint8Array(256).fill(0xee);
    for (;;) {
      const raw = k.vfs.getdents(a, 256);
      const n = k.vfs.getdentsInto(b, buf);
      expect(n).toBe(raw.length);
      expect(buf.subarray(0, n)).toEqual(raw);
      expect(b.offset).toBe(a.offset);
      if (n === 0) break;
    }
    k.vfs.close(a);
    k.vfs.close(b);
    // A buffer beyond MAXBSIZE gets at most MAXBSIZE bytes; everything fits here.
    const c = k.vfs.open('/mnt/dir', 0x200000);
    const big = new Uint8Array(0x10000 + 4096);
    const n = k.vfs.getdentsInto(c, big);
    const names = parseDirents(big.subarray(0, n)).map((d) => d.name);
    expect(names.filter((s) => s.startsWith('name')).length).toBe(40);
    expect(k.vfs.getdentsInto(c, big)).toBe(0);
    k.vfs.close(c);
    const f = k.vfs.open('/mnt/dir/name1', 0);
    expect(() => k.vfs.getdentsInto(f, buf)).toThrow(/EINVAL/);
    k.vfs.close(f);
  });
});
