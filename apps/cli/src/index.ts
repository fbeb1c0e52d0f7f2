export { COMMANDS, type CommandSpec } from './commands.js';
export { type Console, main } from './main.js';
