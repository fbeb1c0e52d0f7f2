// Bundles the CLI and every workspace layer under it into runnable files:
//   node build.mjs [OUT]   (OUT defaults to dist; the tests build into a temporary folder)
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(process.argv[2] ?? join(HERE, 'dist'));
const build = (options) => esbuild({ absWorkingDir: HERE, ...options });

// Whitespace and syntax minified: a third less source for Node to read and V8 to parse on every
// start (about 18 M fewer instructions before the first line of the command runs). Identifiers
// keep their names, so backtraces and error names read as in the sources.
const MINIFY = { minifyWhitespace: true, minifySyntax: true, keepNames: true };

// The command, as CommonJS: the launcher below compiles it through node:vm with a V8 code cache
// (Node 20 has no module.enableCompileCache, and vm.SourceTextModule needs a flag). import.meta.url
// (rump demo finds its files next to the bundle) becomes the file's URL; `require` is CommonJS's own.
await build({
  entryPoints: ['src/rump.ts'],
  outfile: join(OUT, 'rump-command.cjs'),
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
  outfile: join(OUT, 'lib.mjs'),
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
mkdirSync(join(OUT, 'demo'), { recursive: true });
copyFileSync(join(HERE, 'fixtures/tiny-ffs2.img.gz'), join(OUT, 'demo/tiny-ffs2.img.gz'));
copyFileSync(join(HERE, '../../tools/test-modules/kmod/tinyfs.kmod'), join(OUT, 'demo/tinyfs.kmod'));

// The `rump` executable: a launcher that runs dist/rump-command.cjs from the code cache
// (src/launch/). The cache folder is named after the bundle's content, so a rebuilt bundle never
// reads an old cache; the command names let the cache grow to the commands in use. CommonJS, like
// the bundle: an ES module entry would load Node's ESM loader, ~7 ms of CPU on every start.
const { COMMANDS } = await import(pathToFileURL(join(OUT, 'lib.mjs')).href);
await build({
  entryPoints: ['src/launch/rump.ts'],
  outfile: join(OUT, 'rump.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  ...MINIFY,
  define: {
    'import.meta.url': '__rumpImportMetaUrl',
    RUMP_BUNDLE_HASH: JSON.stringify(
      createHash('sha256').update(readFileSync(join(OUT, 'rump-command.cjs'))).digest('hex').slice(0, 16),
    ),
    RUMP_COMMAND_NAMES: JSON.stringify(COMMANDS.map((c) => c.name)),
  },
  banner: {
    js: '#!/usr/bin/env node\n"use strict";var __rumpImportMetaUrl=require("node:url").pathToFileURL(__filename).href;',
  },
  logLevel: 'warning',
});

// dist/rump.mjs, the executable's name before the launcher (`node dist/rump.mjs …` keeps working).
writeFileSync(
  join(OUT, 'rump.mjs'),
  "#!/usr/bin/env node\n// The rump command: the launcher is rump.cjs (src/launch/rump.ts).\nimport './rump.cjs';\n",
);
chmodSync(join(OUT, 'rump.cjs'), 0o755);
chmodSync(join(OUT, 'rump.mjs'), 0o755);
