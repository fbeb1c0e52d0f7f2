import type { Env } from '../../src/cli/command.js';
import { main } from '../../src/main.js';
import { TINYFS } from './modules.js';

/** Runs the CLI in-process: exit status, stdout (text and binary writes together) and stderr. */
export function runRump(...argv: string[]) {
  return runRumpEnv({}, ...argv);
}

/** runRump with the environment variables `env` (and no others). */
export async function runRumpEnv(env: Env, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Uint8Array[] = [];
  const status = await main(
    argv,
    { out: (s) => out.push(s), err: (s) => err.push(s), outBytes: (b) => bytes.push(b.slice()) },
    env,
  );
  return { status, out: out.join('') + Buffer.concat(bytes).toString('utf8'), err: err.join('') };
}

/** runRump with the project's tinyfs.kmod given (-m). */
export function runRumpTinyfs(...argv: string[]) {
  return runRumpEnv({}, ...TINYFS, ...argv);
}
