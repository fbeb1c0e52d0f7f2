/**
 * Runs the bundled classic scenario (CommonJS) with a V8 code cache beside it, as the `rump`
 * command's launcher does (apps/cli/src/launch): the first run compiles as usual and, on exit, saves
 * the bytecode of every function it compiled; later runs start from that bytecode instead of
 * parsing and compiling again. Only compilation is cached — every run boots, mounts and does
 * its I/O from scratch. A cache V8 rejects (another bundle, another Node) is rewritten.
 *
 *   node scenario-launch.cjs <scenario.cjs> <scenario arguments...>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script } from 'node:vm';

if (!process.argv[2]) throw new Error('usage: scenario-launch.cjs <bundle.cjs> [arguments...]');
const file = resolve(process.argv[2]);
// The scenario reads its own arguments from argv[2] on.
process.argv.splice(2, 1);
const cacheFile = `${file}.v8cache`;
let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  /* first run: no cache yet */
}
const source = readFileSync(file, 'utf8');
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
  { filename: file, ...(cachedData ? { cachedData } : {}) },
);
if (cachedData === undefined || script.cachedDataRejected) {
  // At exit, so that the functions compiled lazily while the scenario ran are in the cache too.
  process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
const module = { exports: {} };
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeRequire,
  module: unknown,
  filename: string,
  dirname: string,
) => void;
run(module.exports, createRequire(file), module, file, dirname(file));
