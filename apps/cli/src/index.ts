export { main, type Console } from './main.js';
export { COMMANDS, type CommandSpec } from './commands.js';
