/** Entry point of the bundled rump-harness command. */
import { main } from './cli.js';

process.exitCode = main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
});
