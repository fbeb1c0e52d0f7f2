export type { OptionKind, OptionSpec } from './cli/args.js';
export { ParsedOptions, parseArgs } from './cli/args.js';
export type { Command, CommandContext, Env, Io } from './cli/command.js';
export * from './cli/errors.js';
export { GLOBAL_OPTIONS, type GlobalOptions, parseByteCount } from './cli/global.js';
export { formatTarget, normalizeImagePath, parseTarget, type Target } from './cli/target.js';
export { COMMANDS, findCommand } from './commands/index.js';
export { type Console, main, VERSION } from './main.js';
