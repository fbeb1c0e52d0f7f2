import { describe, expect, it } from 'vitest';
import { applyMutation, planMutation, runCorruptionSuite } from '../src/corrupt.js';
import { loadFixture } from '../src/images/fixtures.js';
import { sha256 } from '../src/images/manifest.js';
import { tinyfsMetadataRegions, tinyfsProfile } from '../src/profiles/tinyfs.js';
import { formatCorruption } from '../src/report.js';
import { FFS_PROFILES, HAVE_FFS, NEED_FFS } from './support.js';

describe('the corruption mode', () => {
  it('plans the same mutation for the same seed and touches only metadata regions', () => {
    const image = loadFixture('tinyfs-classic.img');
    const regions = tinyfsMetadataRegions(image);
    expect(new Set(regions.map((r) => r.kind))).toEqual(
      new Set(['superblock', 'bitmap', 'inode', 'directory']),
    );
    for (let seed = 1; seed <= 40; seed++) {
      const a = planMutation(image, regions, seed);
      expect(planMutation(image, regions, seed)).toEqual(a);
      for (const [off] of a.bytes) {
        expect(off).toBeGreaterThanOrEqual(a.region.offset);
        expect(off).toBeLessThan(a.region.offset + a.region.length);
      }
      const changed = applyMutation(image, a);
      for (const [off, v] of new Map(a.bytes)) expect(changed[off]).toBe(v);
    }
  });

  it('runs 20 seeds on tinyfs: each ends in a result, an errno or a reported panic; the original is untouched', () => {
    const image = loadFixture('tinyfs-classic.img');
    const before = sha256(image);
    const r = runCorruptionSuite(tinyfsProfile(), image, { seeds: 20 });
    console.log(formatCorruption(r));
    expect(r.runs).toHaveLength(20);
    expect(r.originalUntouched).toBe(true);
    expect(sha256(image)).toBe(before);
    expect(r.counts['host-error']).toBe(0);
    expect(Object.values(r.counts).reduce((a, b) => a + b, 0)).toBe(20);
    for (const run of r.runs) if (run.death) expect(run.death.reason.length).toBeGreaterThan(0);
    // Reproducible: the same seed gives the same outcome.
    const again = runCorruptionSuite(tinyfsProfile(), image, { seeds: 3, firstSeed: 4 });
    expect(again.runs.map((x) => [x.how, x.outcome, x.errno])).toEqual(
      r.runs.slice(3, 6).map((x) => [x.how, x.outcome, x.errno]),
    );
  });

  it('reports an exhausted instruction budget (a mount cannot finish in 100 instructions per entry) as its own outcome', () => {
    // A module stuck in a loop is stopped the same way: the kernel dies with BudgetExhausted.
    const image = loadFixture('tinyfs-classic.img');
    const r = runCorruptionSuite(tinyfsProfile(), image, { seeds: 1, instructionBudget: 100 });
    expect(r.runs[0]!.outcome).toBe('budget');
    expect(r.runs[0]!.death?.reason).toMatch(/budget|instruction/i);
  });

  for (const name of ['ffs1', 'ffs2'])
    it.skipIf(!HAVE_FFS)(`runs 12 seeds on ${name} ${NEED_FFS}`, () => {
      const profile = FFS_PROFILES.find((p) => p.name === name)!;
      const image = loadFixture(name === 'ffs1' ? 'tiny-ffs1.img' : 'tiny-ffs2.img');
      const r = runCorruptionSuite(profile, image, { seeds: 12 });
      console.log(formatCorruption(r));
      expect(r.originalUntouched).toBe(true);
      expect(r.counts['host-error']).toBe(0);
    });
});
