import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    console: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) },
  };
}

describe('rump command', () => {
  it('prints help and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.console)).toBe(0);
    expect(c.out.join('')).toMatch(/^Usage: rump /m);
    expect(c.out.join('')).toContain('modinfo');
  });

  it('rejects an unknown command with status 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.console)).toBe(2);
    expect(c.err.join('')).toContain("unknown command 'frobnicate'");
  });

  it('runs --help from the esbuild bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rump-cli-'));
    try {
      const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
      const outfile = join(dir, 'rump.mjs');
      await build({
        absWorkingDir: cliDir,
        entryPoints: ['src/rump.ts'],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['@rump/source'],
        logLevel: 'silent',
      });
      const text = execFileSync(process.execPath, [outfile, '--help'], { encoding: 'utf8' });
      expect(text).toContain('Usage: rump');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
