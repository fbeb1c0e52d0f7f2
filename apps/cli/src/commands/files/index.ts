import type { Command } from '../../cli/command.js';

export const FILE_COMMANDS: readonly Command[] = [];
