import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

/** The README's usage example runs as written and prints what its comment says. */
describe('README example', () => {
  it('runs and returns 41n', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const body = code!
      .replace(/^import .*$/m, '')
      .replace(/console\.log\((.*)\);\s*\/\/ (\S+)/, 'out.push([$1, "$2"]);');
    const out: [unknown, string][] = [];
    new Function(
      'api',
      'out',
      `const { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } = api;\n${body}`,
    )(api, out);
    expect(out).toHaveLength(1);
    expect(String(out[0]![0])).toBe('41');
    expect(out[0]![1]).toBe('41n');
  });
});
