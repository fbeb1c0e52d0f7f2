import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/** Every workspace package resolves to its TypeScript sources, so tests never need a build. */
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'apps']) {
    for (const dir of readdirSync(join(root, group))) {
      const src = join(root, group, dir, 'src');
      if (!existsSync(join(src, 'index.ts'))) continue;
      // Subpath exports map to src/<subpath>.ts: `@rump/cpu-x86/disasm` → src/disasm.ts.
      aliases.push({ find: new RegExp(`^@rump/${dir}$`), replacement: join(src, 'index.ts') });
      aliases.push({ find: new RegExp(`^@rump/${dir}/(.+)$`), replacement: `${src}/$1.ts` });
    }
  }
  return aliases;
}

export function rumpVitestConfig(overrides: UserConfig['test'] = {}): UserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 60_000,
      ...overrides,
    },
  });
}
