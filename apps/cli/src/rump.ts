import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  outBytes: (b) => process.stdout.write(b),
  isTTY: process.stdout.isTTY === true,
});
