import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../src/cli/global.js';
import { COMMANDS } from '../src/commands/index.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');

describe('README', () => {
  it('starts with a short example', () => {
    const first = readme.indexOf('```sh');
    expect(first).toBeGreaterThan(0);
    const block = readme
      .slice(first, readme.indexOf('```', first + 5))
      .split('\n')
      .slice(1, -1);
    expect(block.length).toBeGreaterThanOrEqual(8);
    expect(block.length).toBeLessThanOrEqual(12);
  });

  it('documents every command with its usage and every global option', () => {
    for (const c of COMMANDS) {
      const row = readme
        .split('\n')
        .find((l) => l.startsWith(`| \`${c.name} `) || l.startsWith(`| \`${c.name}\``));
      expect(row, c.name).toBeDefined();
    }
    for (const o of GLOBAL_OPTIONS) {
      if (o.long === 'help' || o.long === 'version') continue;
      expect(readme, o.long).toContain(`--${o.long}`);
    }
  });
});
