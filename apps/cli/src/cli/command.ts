/** What a command is: its name, help text, options and the function that runs it. */
import type { OptionSpec, ParsedOptions } from './args.js';
import type { GlobalOptions } from './global.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Binary output to stdout (cat, get -); defaults to out() with latin1 text when absent. */
  outBytes?(bytes: Uint8Array): void;
  /** Whether stdout is a terminal (progress bars, colours). */
  readonly isTTY?: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface CommandContext {
  readonly command: Command;
  readonly options: ParsedOptions;
  readonly global: GlobalOptions;
  readonly io: Io;
  readonly env: Env;
  /** Writes `value` as JSON and a newline (for --json). */
  json(value: unknown): void;
}

export type CommandGroup = 'files' | 'images' | 'modules';

export interface Command {
  readonly name: string;
  readonly group: CommandGroup;
  /** Usage lines without the leading `rump `: `ls [-l] [-R] IMAGE[:PATH]`. */
  readonly usage: readonly string[];
  /** One line for `rump --help`. */
  readonly summary: string;
  /** Paragraphs for `rump COMMAND --help`. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Operand count the command accepts. */
  readonly operands: { readonly min: number; readonly max: number };
  /** Full command lines, shown under "Examples". */
  readonly examples: readonly string[];
  /** Runs the command; resolves to the exit status or throws a CliError. */
  run(ctx: CommandContext): Promise<number>;
}
