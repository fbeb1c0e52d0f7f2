/** Every command of the CLI, in help order. */
import type { Command } from '../cli/command.js';
import { demo } from './demo.js';
import { detect } from './detect.js';
import { fetchModulesCommand } from './fetch-modules.js';
import { FILE_COMMANDS } from './files/index.js';
import { modinfo } from './modinfo.js';
import { parts } from './parts.js';

export const COMMANDS: readonly Command[] = [
  ...FILE_COMMANDS,
  parts,
  detect,
  modinfo,
  fetchModulesCommand,
  demo,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
