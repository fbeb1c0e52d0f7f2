import { COMMANDS } from './commands.js';

export interface Console {
  out(text: string): void;
  err(text: string): void;
}

export const VERSION = '0.0.0';

function usage(): string {
  const lines = [
    'rump — NetBSD kernel modules on disk images, in a TypeScript rump kernel',
    '',
    'Usage: rump [--help] [--version] COMMAND [ARGS...]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(36)} ${c.summary}`),
    '',
  ];
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(argv: readonly string[], console: Console): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    console.out(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    console.out(`rump ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    console.err(`rump: unknown command '${first}' (try rump --help)\n`);
    return 2;
  }
  console.err(`rump ${command.name}: not implemented yet (${rest.length} arguments given)\n`);
  return 1;
}
