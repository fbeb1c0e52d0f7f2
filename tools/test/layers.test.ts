import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers, formatViolations } from '../src/layers.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function makePackage(root: string, dir: string, name: string, deps: string[], source: string) {
  const p = join(root, dir);
  mkdirSync(join(p, 'src'), { recursive: true });
  writeFileSync(
    join(p, 'package.json'),
    JSON.stringify({ name, dependencies: Object.fromEntries(deps.map((d) => [d, 'workspace:*'])) }),
  );
  writeFileSync(join(p, 'src', 'index.ts'), source);
}

describe('layer rule', () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
  });
  function tree(): string {
    const t = mkdtempSync(join(tmpdir(), 'rump-layers-'));
    temps.push(t);
    return t;
  }

  it('holds for this repository', () => {
    const v = checkLayers(repoRoot);
    expect(formatViolations(v)).toBe('');
  });

  it('fails when a lower package imports a higher one in source', () => {
    const t = tree();
    makePackage(
      t,
      'packages/cpu-x86',
      '@rump/cpu-x86',
      [],
      "import { x } from '@rump/kernel-core';\n",
    );
    makePackage(
      t,
      'packages/kernel-core',
      '@rump/kernel-core',
      ['@rump/cpu-x86'],
      "import '@rump/cpu-x86';\n",
    );
    const v = checkLayers(t);
    expect(v).toEqual([
      { from: '@rump/cpu-x86', to: '@rump/kernel-core', where: 'packages/cpu-x86/src/index.ts:1' },
    ]);
  });

  it('fails when a lower package declares a dependency on a higher one', () => {
    const t = tree();
    makePackage(t, 'packages/hypercall', '@rump/hypercall', ['@rump/syscalls'], 'export {};\n');
    expect(checkLayers(t).map((x) => x.where)).toEqual(['packages/hypercall/package.json']);
  });

  it('keeps the three bottom packages independent of each other', () => {
    const t = tree();
    makePackage(
      t,
      'packages/elf-linker',
      '@rump/elf-linker',
      [],
      "export * from '@rump/cpu-x86/memory';\n",
    );
    expect(checkLayers(t)).toEqual([
      {
        from: '@rump/elf-linker',
        to: '@rump/cpu-x86',
        where: 'packages/elf-linker/src/index.ts:1',
      },
    ]);
  });

  it('sees dynamic imports and subpaths', () => {
    const t = tree();
    makePackage(
      t,
      'packages/syscalls',
      '@rump/syscalls',
      [],
      "const m = await import('@rump/cli/x');\n",
    );
    expect(checkLayers(t)[0]?.to).toBe('@rump/cli');
  });
});
