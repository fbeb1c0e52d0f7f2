import { main } from '../../src/main.js';

/** Runs the CLI in-process: exit status, stdout (text and binary writes together) and stderr. */
export async function runRump(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Uint8Array[] = [];
  const status = await main(
    argv,
    { out: (s) => out.push(s), err: (s) => err.push(s), outBytes: (b) => bytes.push(b.slice()) },
    {},
  );
  return { status, out: out.join('') + Buffer.concat(bytes).toString('utf8'), err: err.join('') };
}
