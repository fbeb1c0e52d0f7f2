import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkfsTinyfs } from '@rump/tinyfs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { TINYFS_KMOD } from './support/modules.js';

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

  it('prints help for every command and exits 0; no command is a usage error', async () => {
    const c = capture();
    expect(await main([], c.console)).toBe(2);
    for (const name of ['parts', 'detect', 'modinfo', 'ls']) {
      const h = capture();
      expect(await main(['help', name], h.console)).toBe(0);
      expect(h.out.join('')).toMatch(new RegExp(`^Usage: rump ${name} `));
    }
    const v = capture();
    expect(await main(['--version'], v.console)).toBe(0);
    expect(v.out.join('')).toMatch(/^rump \d+\.\d+\.\d+\n$/);
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
        // As build.mjs: a require for bundled CommonJS packages (xz-decompress).
        banner: {
          js: "import { createRequire as __rumpCreateRequire } from 'node:module';\nconst require = __rumpCreateRequire(import.meta.url);",
        },
        logLevel: 'silent',
      });
      const text = execFileSync(process.execPath, [outfile, '--help'], { encoding: 'utf8' });
      expect(text).toContain('Usage: rump');
      // The kernel and the ELF reader are in the bundle too.
      const kmod = TINYFS_KMOD;
      const info = JSON.parse(
        execFileSync(process.execPath, [outfile, '--json', 'modinfo', kmod], { encoding: 'utf8' }),
      );
      expect([info.name, info.kernel.release]).toEqual(['tinyfs', '10.99.12']);
      // A failing command exits 1 with one line on stderr.
      const r = spawnSync(process.execPath, [outfile, 'cat', join(dir, 'none.img:/x')], {
        encoding: 'utf8',
      });
      expect([r.status, r.stderr]).toEqual([
        1,
        `rump: cat: ${join(dir, 'none.img')}: No such file or directory (ENOENT)\n`,
      ]);
      // A reader that goes away early (| head) is not an error: no EPIPE crash, exit 0.
      const image = join(dir, 'big.img');
      writeFileSync(
        image,
        mkfsTinyfs({
          entries: { big: { type: 'file', content: new Uint8Array(1 << 20).fill(0x61) } },
        }),
      );
      const piped = spawnSync(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${outfile}" cat -m "${kmod}" "${image}:/big" | head -c 3; echo " rump=\${PIPESTATUS[0]}"`,
        ],
        { encoding: 'utf8' },
      );
      expect([piped.stdout, piped.stderr]).toEqual(['aaa rump=0\n', '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
