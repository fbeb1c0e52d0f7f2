// Bundles the CLI and every workspace layer under it into one runnable file.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

// Whitespace and syntax minified: a third less source for Node to read and V8 to parse on every
// start (about 18 M fewer instructions before the first line of the command runs). Identifiers
// keep their names, so backtraces and error names read as in the sources.
const MINIFY = { minifyWhitespace: true, minifySyntax: true, keepNames: true };

// The command, as CommonJS: the launcher below compiles it through node:vm with a V8 code cache
// (Node 20 has no module.enableCompileCache, and vm.SourceTextModule needs a flag). import.meta.url
// (rump demo finds its files next to the bundle) becomes the file's URL; `require` is CommonJS's own.
await build({
  entryPoints: ['src/rump.ts'],
  outfile: 'dist/rump-command.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  conditions: ['@rump/source'],
  ...MINIFY,
  define: { 'import.meta.url': '__rumpImportMetaUrl' },
  banner: { js: '"use strict";var __rumpImportMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The library entry (`import { main } from '@rump/cli'`), self-contained like the command, so that
// the published package needs no other package at run time.
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/lib.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@rump/source'],
  ...MINIFY,
  banner: {
    js: "import { createRequire as __rumpCreateRequire } from 'node:module';\nconst require = __rumpCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// rump demo's embedded files, read next to the bundle (src/commands/demo.ts).
mkdirSync('dist/demo', { recursive: true });
copyFileSync('fixtures/tiny-ffs2.img.gz', 'dist/demo/tiny-ffs2.img.gz');
copyFileSync('../../tools/test-modules/kmod/tinyfs.kmod', 'dist/demo/tinyfs.kmod');

// The `rump` executable: a launcher that runs dist/rump-command.cjs from the code cache
// (src/launch/). The cache folder is named after the bundle's content, so a rebuilt bundle never
// reads an old cache; the command names let the cache grow to the commands in use.
const { COMMANDS } = await import(`./dist/lib.mjs?${Date.now()}`);
await build({
  entryPoints: ['src/launch/rump.ts'],
  outfile: 'dist/rump.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  ...MINIFY,
  define: {
    RUMP_BUNDLE_HASH: JSON.stringify(
      createHash('sha256').update(readFileSync('dist/rump-command.cjs')).digest('hex').slice(0, 16),
    ),
    RUMP_COMMAND_NAMES: JSON.stringify(COMMANDS.map((c) => c.name)),
  },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
