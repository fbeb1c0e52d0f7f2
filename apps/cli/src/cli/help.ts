/** Help text: `rump --help` (every command by group) and `rump COMMAND --help`. */
import { formatOptions } from './args.js';
import type { Command, CommandGroup } from './command.js';
import { GLOBAL_OPTIONS } from './global.js';

const GROUPS: readonly [CommandGroup, string][] = [
  ['files', 'Files in an image'],
  ['images', 'Disk images'],
  ['modules', 'Kernel modules'],
];

function wrap(text: string, width = 78): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    if (para.startsWith(' ') || para === '') {
      out.push(para);
      continue;
    }
    let line = '';
    for (const word of para.split(/\s+/)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(line);
  }
  return out;
}

export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = [
    `rump ${version} — NetBSD kernel modules on disk images, in a TypeScript rump kernel`,
    '',
    'Usage: rump [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]',
    '       rump COMMAND --help',
  ];
  for (const [group, title] of GROUPS) {
    const members = commands.filter((c) => c.group === group);
    if (members.length === 0) continue;
    lines.push('', `${title}:`);
    for (const c of members) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  }
  lines.push(
    '',
    'Targets: IMAGE[:PATH] or IMAGE@PART[:PATH] (PART as `rump parts IMAGE` numbers it).',
    '',
    'Global options:',
    ...formatOptions(GLOBAL_OPTIONS),
    '',
    'Exit status: 0 success, 1 the operation failed, 2 the command line is wrong.',
    '',
  );
  return lines.join('\n');
}

export function commandHelp(c: Command): string {
  const lines = c.usage.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}rump ${u}`);
  lines.push('', ...wrap(`${c.summary.charAt(0).toUpperCase() + c.summary.slice(1)}.`));
  if (c.description) lines.push('', ...wrap(c.description));
  if (c.options.length) lines.push('', 'Options:', ...formatOptions(c.options));
  lines.push(
    '',
    'Global options (-m, --module-path, --fs, --partition, --offset, -v, --json): rump --help',
  );
  if (c.examples.length) lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  lines.push('');
  return lines.join('\n');
}
