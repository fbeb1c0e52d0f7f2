/** SectionSymbols: the first lookups scan the symbol table, later ones use the sorted index; both agree. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../src/index.js';
import { SectionSymbols } from '../src/link/section-symbols.js';
import { allFixtures, kmod } from './helpers/fixtures.js';

const real = process.env.RUMP_TEST_FFS_KMOD;

function compare(elf: ReturnType<typeof parseElf>, name: string): number {
  const queries: [number, number][] = [];
  for (const s of elf.sections) {
    if (s.index === 0) continue;
    for (const o of [0, 1, 7, 16, 0x40, s.size >> 1, s.size - 1, s.size])
      queries.push([s.index, o]);
  }
  for (const sym of elf.symbols) {
    const v = Number(sym.value);
    queries.push([sym.shndx, v], [sym.shndx, v + 1], [sym.shndx, Math.max(0, v - 1)]);
  }
  // Answered by scans: one fresh instance per query keeps every lookup below the threshold.
  const scanned = queries.map(([i, o]) => new SectionSymbols(elf).at(i, o));
  // Answered by the index: the same instance for every query.
  const indexed = new SectionSymbols(elf);
  for (let i = 0; i < 20; i++) indexed.at(1, 0);
  const byIndex = queries.map(([i, o]) => indexed.at(i, o));
  expect(scanned, name).toEqual(byIndex);
  expect(byIndex.some((r) => r !== undefined)).toBe(true);
  return queries.length;
}

describe('SectionSymbols', () => {
  it.skipIf(!real)('agree on a real NetBSD module (needs RUMP_TEST_FFS_KMOD)', () => {
    expect(compare(parseElf(new Uint8Array(readFileSync(real!))), 'ffs')).toBeGreaterThan(1000);
  });

  it('answers the same by scanning as by the sorted index, on every test module', () => {
    let compared = 0;
    for (const name of allFixtures()) {
      compared += compare(parseElf(kmod(name)), name);
    }
    expect(compared).toBeGreaterThan(100);
  });
});
