/**
 * A small argument parser: GNU-style long options (`--name`, `--name=value`, `--name value`),
 * short options (`-l`, bundled `-lR`, `-m FILE`, `-mFILE`), `--` to end options, and operands in
 * any position. Global options are accepted before and after the command name; a command's own
 * options only after it, where they win a clash of names (`rump -m ffs.kmod mkdir -m 700 ...`). Every mistake is a UsageError naming the option.
 */
import { UsageError } from './errors.js';

/** A command-line mistake found while parsing, with the command it was for (if known yet). */
export class ArgsError extends UsageError {
  override name = 'ArgsError';
  constructor(
    message: string,
    readonly command: string | undefined,
  ) {
    super(message);
  }
}

export type OptionKind =
  /** Present or not. */
  | 'flag'
  /** Counted each time it appears (`-vv`). */
  | 'count'
  /** Takes a value; the last one wins. */
  | 'value'
  /** Takes a value; every one is kept, in order. */
  | 'list';

export interface OptionSpec {
  /** Long name without dashes: `module`. */
  readonly long: string;
  /** One-letter short name without the dash: `m`. */
  readonly short?: string;
  readonly kind: OptionKind;
  /** Name of the value in help text: `FILE`. */
  readonly metavar?: string;
  readonly help: string;
}

type Value = boolean | number | string | string[];

/** What a parse found: typed accessors over the options, and the operands in order. */
export class ParsedOptions {
  constructor(
    private readonly values: ReadonlyMap<string, Value>,
    readonly operands: readonly string[],
  ) {}

  flag(long: string): boolean {
    return this.values.get(long) === true;
  }

  count(long: string): number {
    const v = this.values.get(long);
    return typeof v === 'number' ? v : 0;
  }

  value(long: string): string | undefined {
    const v = this.values.get(long);
    return typeof v === 'string' ? v : undefined;
  }

  list(long: string): readonly string[] {
    const v = this.values.get(long);
    return Array.isArray(v) ? v : [];
  }

  has(long: string): boolean {
    return this.values.has(long);
  }
}

export interface ParseResult {
  /** The first operand: the command name (undefined when none was given). */
  readonly command: string | undefined;
  readonly options: ParsedOptions;
}

function describe(spec: OptionSpec): string {
  return spec.short ? `-${spec.short}/--${spec.long}` : `--${spec.long}`;
}

/**
 * Parses `argv`. `commandOptions(name)` gives the options of the command named by the first
 * operand (undefined for an unknown command: the caller reports it). Global options may appear
 * anywhere; command options only after the command name.
 */
export function parseArgs(
  argv: readonly string[],
  globalOptions: readonly OptionSpec[],
  commandOptions: (command: string) => readonly OptionSpec[] | undefined,
): ParseResult {
  let specs: readonly OptionSpec[] = globalOptions;
  let command: string | undefined;
  const values = new Map<string, Value>();
  const operands: string[] = [];

  const set = (spec: OptionSpec, value: string | undefined) => {
    switch (spec.kind) {
      case 'flag':
        values.set(spec.long, true);
        break;
      case 'count':
        values.set(spec.long, ((values.get(spec.long) as number | undefined) ?? 0) + 1);
        break;
      case 'value':
        values.set(spec.long, value as string);
        break;
      case 'list': {
        const list = (values.get(spec.long) as string[] | undefined) ?? [];
        list.push(value as string);
        values.set(spec.long, list);
        break;
      }
    }
  };
  const takesValue = (spec: OptionSpec) => spec.kind === 'value' || spec.kind === 'list';
  const addOperand = (arg: string) => {
    if (command === undefined) {
      command = arg;
      const own = commandOptions(arg);
      // After the command, its own options win a name clash (mkdir -m MODE vs -m MODULE).
      if (own) specs = [...own, ...globalOptions];
    } else {
      operands.push(arg);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      for (const rest of argv.slice(i + 1)) addOperand(rest);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = specs.find((s) => s.long === name);
      if (!spec) throw new ArgsError(`unknown option --${name}`, command);
      if (takesValue(spec)) {
        let value: string | undefined;
        if (eq >= 0) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length) value = argv[++i];
        if (value === undefined)
          throw new ArgsError(
            `option --${name} needs a value (${spec.metavar ?? 'VALUE'})`,
            command,
          );
        set(spec, value);
      } else {
        if (eq >= 0) throw new ArgsError(`option --${name} takes no value`, command);
        set(spec, undefined);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A bundle of short options: -lR, -vv, -mFILE, -m FILE.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const spec = specs.find((s) => s.short === letter);
        if (!spec) throw new ArgsError(`unknown option -${letter}`, command);
        if (takesValue(spec)) {
          let value: string | undefined = arg.slice(j + 1);
          if (value === '') value = i + 1 < argv.length ? argv[++i] : undefined;
          if (value === undefined)
            throw new ArgsError(
              `option ${describe(spec)} needs a value (${spec.metavar ?? 'VALUE'})`,
              command,
            );
          set(spec, value);
          break;
        }
        set(spec, undefined);
      }
      continue;
    }
    addOperand(arg);
  }
  return { command, options: new ParsedOptions(values, operands) };
}

/** Help lines for a list of options, aligned. */
export function formatOptions(specs: readonly OptionSpec[]): string[] {
  const left = specs.map((s) => {
    const names = s.short ? `-${s.short}, --${s.long}` : `    --${s.long}`;
    return s.kind === 'value' || s.kind === 'list' ? `${names} ${s.metavar ?? 'VALUE'}` : names;
  });
  const width = Math.min(30, Math.max(...left.map((l) => l.length)));
  return specs.map((s, i) => {
    const l = left[i]!;
    return l.length > width
      ? `  ${l}\n  ${' '.repeat(width)}  ${s.help}`
      : `  ${l.padEnd(width)}  ${s.help}`;
  });
}
