/**
 * The `rump` command line: parses global and command options, runs the command, and turns every
 * failure into one line on stderr (or a JSON object with --json) and an exit status:
 * 0 success, 1 the operation failed, 2 the command line is wrong.
 */
import { ArgsError, parseArgs } from './cli/args.js';
import type { Command, CommandContext, Env, Io } from './cli/command.js';
import {
  CliError,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  errorJson,
  formatError,
  UsageError,
} from './cli/errors.js';
import { GLOBAL_OPTIONS, type GlobalOptions, resolveGlobalOptions } from './cli/global.js';
import { commandHelp, mainHelp } from './cli/help.js';
import { COMMANDS, findCommand } from './commands/index.js';

export const VERSION = '0.0.0';

/** @deprecated name kept for callers of the first version: an Io. */
export type Console = Io;

function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(
  argv: readonly string[],
  io: Io,
  env: Env = process.env,
): Promise<number> {
  let command: Command | undefined;
  let json = argv.includes('--json');
  try {
    const parsed = parseArgs(argv, GLOBAL_OPTIONS, (name) => findCommand(name)?.options);
    const o = parsed.options;
    if (parsed.command === undefined) {
      if (o.flag('version')) {
        io.out(`rump ${VERSION}\n`);
        return EXIT_OK;
      }
      io.out(mainHelp(COMMANDS, VERSION));
      return o.flag('help') ? EXIT_OK : EXIT_USAGE;
    }
    if (parsed.command === 'help') {
      const about = o.operands[0];
      if (about === undefined) {
        io.out(mainHelp(COMMANDS, VERSION));
        return EXIT_OK;
      }
      const c = findCommand(about);
      if (!c) throw new UsageError(`unknown command '${about}' (try rump --help)`);
      io.out(commandHelp(c));
      return EXIT_OK;
    }
    command = findCommand(parsed.command);
    if (!command) throw new UsageError(`unknown command '${parsed.command}' (try rump --help)`);
    if (o.flag('help')) {
      io.out(commandHelp(command));
      return EXIT_OK;
    }
    const n = o.operands.length;
    const { min, max } = command.operands;
    if (n < min || n > max) {
      const want =
        min === max
          ? `${min}`
          : max === Number.POSITIVE_INFINITY
            ? `at least ${min}`
            : `${min} to ${max}`;
      throw new UsageError(
        `expects ${want} argument${/(^| )1$/.test(want) ? '' : 's'}, got ${n} (usage: rump ${command.usage[0]})`,
      );
    }
    const global: GlobalOptions = resolveGlobalOptions(o, env);
    json = global.json;
    const ctx: CommandContext = {
      command,
      options: o,
      global,
      io,
      env,
      json: (value) => io.out(`${stringify(value)}\n`),
    };
    return await command.run(ctx);
  } catch (e) {
    const err =
      e instanceof CliError
        ? e
        : new CliError(e instanceof Error ? `${e.name}: ${e.message}` : String(e), EXIT_FAILED, {
            cause: e,
          });
    const name =
      command?.name ??
      (e instanceof ArgsError && e.command && findCommand(e.command) ? e.command : undefined);
    if (json) io.err(`${JSON.stringify(errorJson(name, err))}\n`);
    else
      io.err(
        `${formatError(name, err)}${err.exit === EXIT_USAGE && !/\(try rump/.test(err.message) ? ` (try rump ${name ? `${name} ` : ''}--help)` : ''}\n`,
      );
    return err.exit;
  }
}
