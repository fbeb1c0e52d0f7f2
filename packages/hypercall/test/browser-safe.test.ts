import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The main entry, `./memory` and `./conformance` must load in a browser: no module they reach
// may import a Node built-in or use Node's globals. Only `./node` may.

const src = join(dirname(fileURLToPath(import.meta.url)), '../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*'([^']+)'/g;

/** Every module reachable from `entry`, with the specifiers each imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const specifiers = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]!);
    seen.set(file, specifiers);
    for (const s of specifiers) {
      if (s.startsWith('.')) visit(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
    }
  };
  visit(join(src, entry));
  return seen;
}

describe('browser safety', () => {
  for (const entry of ['index.ts', 'memory.ts', 'conformance.ts']) {
    it(`${entry} reaches no Node built-in and no Node global`, () => {
      const modules = reachable(entry);
      expect(modules.size).toBeGreaterThan(1);
      for (const [file, specifiers] of modules) {
        const where = relative(src, file);
        expect(
          specifiers.filter((s) => !s.startsWith('.')),
          where,
        ).toEqual([]);
        expect(readFileSync(file, 'utf8'), where).not.toMatch(/\bprocess\.|\bBuffer\.|require\(/);
      }
    });
  }

  it('node.ts does reach node: modules (the scan sees them)', () => {
    const all = [...reachable('node.ts').values()].flat();
    expect(all).toContain('node:fs');
  });
});
