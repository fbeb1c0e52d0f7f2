import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { randomFill, webCryptoFill } from '../src/node/randomFill.js';

/** A 200 KiB buffer has (practically) no 4 KiB run of zeros once filled at random. */
function filledEverywhere(buf: Uint8Array): boolean {
  for (let off = 0; off < buf.length; off += 4096)
    if (buf.subarray(off, off + 4096).every((b) => b === 0)) return false;
  return true;
}

describe('randomFill', () => {
  it('fills a buffer larger than one 64 KiB Web Crypto call, through node:crypto', () => {
    const buf = new Uint8Array(200 * 1024);
    randomFill(buf);
    expect(filledEverywhere(buf)).toBe(true);
  });

  it('fills all of it through the Web Crypto fallback (Node before 20.16)', () => {
    const buf = new Uint8Array(200 * 1024);
    webCryptoFill(buf);
    expect(filledEverywhere(buf)).toBe(true);
  });

  it('asks for node:crypto on the first random byte, not when NodeHost loads', async () => {
    vi.resetModules();
    const spy = vi.spyOn(process, 'getBuiltinModule');
    try {
      const { NodeHost } = await import('../src/node.js');
      const host = new NodeHost({ env: false });
      expect(spy.mock.calls.some(([id]) => String(id).includes('crypto'))).toBe(false);
      host.getRandom(new Uint8Array(8));
      expect(spy.mock.calls.some(([id]) => id === 'node:crypto')).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('no module under src/node imports node:crypto statically', () => {
    const dir = fileURLToPath(new URL('../src/node/', import.meta.url));
    for (const f of readdirSync(dir))
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/from 'node:crypto'/);
  });
});
