/**
 * The `rump` command: runs main on the process's arguments and streams. Bundled as CommonJS
 * (dist/rump-command.cjs) so that the launcher (src/launch/rump.ts, dist/rump.cjs) can compile it
 * through node:vm with a V8 code cache; it also runs on its own (`node dist/rump-command.cjs`).
 */
import { main } from './main.js';

// A reader that goes away (`rump cat img:/big | head`) breaks the pipe: drop the rest of the output
// instead of dying on EPIPE, so that the command still ends normally — a read-write command still
// syncs and unmounts its image.
let stdoutGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutGone = true;
  else throw e;
});
const write = (chunk: string | Uint8Array) => {
  if (!stdoutGone) process.stdout.write(chunk);
};

// No top-level await: a CommonJS bundle cannot have one. main reports every failure as a status.
void main(process.argv.slice(2), {
  out: write,
  err: (s) => process.stderr.write(s),
  outBytes: write,
  isTTY: process.stdout.isTTY === true,
}).then((status) => {
  process.exitCode = status;
});
