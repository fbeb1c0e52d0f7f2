/**
 * Options every command accepts, before or after its name, and their environment variables:
 * -m/--module (repeatable), --module-path / RUMP_MODULE_PATH, --fs, --partition, --offset,
 * -v/--verbose / RUMP_VERBOSE, --trace, --json.
 */
import { delimiter } from 'node:path';
import { moduleSearchPath } from '../modules.js';
import type { OptionSpec, ParsedOptions } from './args.js';
import type { Env } from './command.js';
import { UsageError } from './errors.js';

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    long: 'help',
    short: 'h',
    kind: 'flag',
    help: 'show help (for a command: rump COMMAND --help)',
  },
  { long: 'version', short: 'V', kind: 'flag', help: 'print the version' },
  {
    long: 'module',
    short: 'm',
    kind: 'list',
    metavar: 'FILE.kmod',
    help: 'load this kernel module (repeatable); required modules load from the module path',
  },
  {
    long: 'module-path',
    kind: 'list',
    metavar: 'DIRS',
    help: `directories searched for modules, '${delimiter}'-separated (also RUMP_MODULE_PATH)`,
  },
  { long: 'fs', kind: 'value', metavar: 'TYPE', help: 'file-system type (default: detected)' },
  {
    long: 'partition',
    kind: 'value',
    metavar: 'N',
    help: 'use partition N of a whole-disk image (as `rump parts` numbers it; same as IMAGE@N)',
  },
  {
    long: 'offset',
    kind: 'value',
    metavar: 'BYTES',
    help: 'the file system starts at this byte offset (suffixes: s=512, K, M, G, T)',
  },
  {
    long: 'verbose',
    short: 'v',
    kind: 'count',
    help: 'show the kernel console (also RUMP_VERBOSE=1); twice for more',
  },
  {
    long: 'trace',
    kind: 'flag',
    help: 'print each system call, vnode operation and hypercall on stderr as it happens',
  },
  { long: 'json', kind: 'flag', help: 'print results (and errors, on stderr) as JSON' },
];

export interface GlobalOptions {
  readonly modules: readonly string[];
  /** --module-path, RUMP_MODULE_PATH, then the fetch-modules cache's module folders. */
  readonly modulePath: readonly string[];
  readonly fs: string | undefined;
  readonly partition: string | undefined;
  readonly offset: number | undefined;
  readonly verbose: number;
  /** --trace: system calls, vnode operations and hypercalls on stderr. */
  readonly trace: boolean;
  readonly json: boolean;
}

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  s: 512,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** `4096`, `0x1000`, `63s`, `1M`, `2G` → bytes (a safe integer). */
export function parseByteCount(text: string, what: string): number {
  const m = /^(0x[0-9a-f]+|[0-9]+)([skmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${what}: '${text}' is not a byte count (e.g. 4096, 63s, 1M)`);
  const n = Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what}: '${text}' is too large`);
  return n;
}

function splitPath(list: string): string[] {
  return list.split(delimiter).filter((d) => d !== '');
}

export function resolveGlobalOptions(o: ParsedOptions, env: Env): GlobalOptions {
  const envVerbose = env.RUMP_VERBOSE;
  let verbose = o.count('verbose');
  if (verbose === 0 && envVerbose !== undefined && envVerbose !== '' && envVerbose !== '0') {
    const n = Number(envVerbose);
    verbose = Number.isInteger(n) && n > 0 ? n : 1;
  }
  const partition = o.value('partition');
  if (partition !== undefined && !/^(?:[0-9]+[a-p]?|[a-p])$/.test(partition))
    throw new UsageError(
      `--partition: '${partition}' is not a partition (N, Nx or x, as rump parts lists them)`,
    );
  const offsetText = o.value('offset');
  return {
    modules: o.list('module'),
    modulePath: moduleSearchPath(
      [
        ...o.list('module-path').flatMap(splitPath),
        ...(env.RUMP_MODULE_PATH ? splitPath(env.RUMP_MODULE_PATH) : []),
      ],
      env,
    ),
    fs: o.value('fs'),
    partition,
    offset: offsetText === undefined ? undefined : parseByteCount(offsetText, '--offset'),
    verbose,
    trace: o.flag('trace'),
    json: o.flag('json'),
  };
}
