import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildModule,
  compilerVersion,
  listModules,
  readManifest,
  staleModules,
  TEST_MODULES_DIR,
} from '../src/build-test-modules.ts';

const gcc = compilerVersion();
const manifest = readManifest();
const sameCompiler = gcc !== undefined && gcc === manifest.compiler;

describe('test kernel modules', () => {
  it('are committed, listed in the manifest and up to date with their sources', () => {
    expect(listModules().length).toBeGreaterThan(0);
    expect(staleModules()).toEqual([]);
  });

  it('are ELF64 relocatable x86-64 objects', () => {
    for (const mod of listModules()) {
      const bytes = readFileSync(join(TEST_MODULES_DIR, 'kmod', `${mod.name}.kmod`));
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(bytes[4]).toBe(2); // ELFCLASS64
      expect(bytes.readUInt16LE(16)).toBe(1); // ET_REL
      expect(bytes.readUInt16LE(18)).toBe(62); // EM_X86_64
    }
  });

  // One test per module: each rebuild runs gcc and ld, slow on a loaded two-core machine.
  describe.skipIf(!sameCompiler)(
    `rebuild byte-identically with the recorded compiler (needs ${manifest.compiler})`,
    () => {
      it.each(listModules().map((m) => [m.name, m] as const))(
        '%s',
        (name, mod) => {
          const dir = mkdtempSync(join(tmpdir(), 'kmod-check-'));
          try {
            const out = join(dir, `${name}.kmod`);
            buildModule(mod, out);
            const hash = createHash('sha256').update(readFileSync(out)).digest('hex');
            expect(hash, name).toBe(manifest.modules[name]?.kmodHash);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
        300_000,
      );
    },
  );
});
