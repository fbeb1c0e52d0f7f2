/** The README's relocation table and error list stay in step with the code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('lists every supported relocation type in its table, with its number', () => {
    for (const r of api.SUPPORTED_RELOCATIONS) {
      const row = readme.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${r.name}\``));
      expect(row, r.name).toBeDefined();
      expect(row!, r.name).toMatch(new RegExp(`\\b${r.type}\\b`));
    }
  });

  it('documents every exported error class and function', () => {
    for (const name of [
      'ElfError',
      'RelocationError',
      'UnresolvedSymbolsError',
      'ModuleMetadataError',
      'ElfLinkerError',
      'parseElf',
      'inspectModule',
      'linkModule',
    ]) {
      expect(name in api, name).toBe(true);
      expect(readme, name).toContain(name);
    }
  });
});
