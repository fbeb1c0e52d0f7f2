/**
 * The `rump` executable (dist/rump.cjs, the package's bin): a small launcher that runs the
 * command bundle (dist/rump-command.cjs, next to it) from the V8 code cache in the per-user
 * cache folder (./compile-cache.ts). RUMP_NO_COMPILE_CACHE=1 runs it without the cache;
 * RUMP_DEBUG_COMPILE_CACHE=1 prints what happened to the cache on stderr.
 */
import { fileURLToPath } from 'node:url';
import { runBundle } from './compile-cache.js';

// Set by build.mjs: the bundle's SHA-256 (first 16 hex digits) and the CLI's command names.
declare const RUMP_BUNDLE_HASH: string;
declare const RUMP_COMMAND_NAMES: readonly string[];

/** The command a run is, for the cache's list of the commands it has seen. */
function commandOf(argv: readonly string[]): string {
  for (const a of argv) {
    if (a === '--') break;
    if (RUMP_COMMAND_NAMES.includes(a)) return a;
    if (a === 'help' || a === '--help' || a === '-h') return 'help';
    if (a === '--version' || a === '-V') return 'version';
  }
  return 'other'; // a usage error
}

const env = process.env;
runBundle({
  bundle: fileURLToPath(new URL('./rump-command.cjs', import.meta.url)),
  bundleHash: RUMP_BUNDLE_HASH,
  command: commandOf(process.argv.slice(2)),
  env,
  ...(env.RUMP_DEBUG_COMPILE_CACHE
    ? { debug: (line: string) => process.stderr.write(`rump: compile cache: ${line}\n`) }
    : {}),
});
