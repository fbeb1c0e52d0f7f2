/**
 * Mutation fuzz over the real test modules: truncations, flipped bytes, fields set to huge
 * and boundary values. Parsing, inspecting and linking must end in success or one of the
 * package's typed errors — never a RangeError, a TypeError or a hang (vitest's timeout).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allFixtures, kmod } from './helpers/fixtures.js';
import { exercise, mutate, prng, structureOffsets } from './helpers/mutate.js';

const CASES_PER_FIXTURE = 600;

describe('mutation fuzz', () => {
  for (const name of allFixtures()) {
    it(`${name}: ${CASES_PER_FIXTURE} seeded mutations give only typed errors`, () => {
      const original = kmod(name);
      // The fuzz resolver puts every import in the kernel window: link_asm_relocs' 16- and 8-bit fields overflow.
      const baseline: Record<string, string> = {
        link_two_modules: 'ModuleMetadataError',
        link_asm_relocs: 'RelocationError',
      };
      expect(exercise(original).result).toBe(baseline[name] ?? 'ok');
      const rand = prng(0x5eed + name.length * 7919);
      const offsets = structureOffsets(original);
      const results = new Map<string, number>();
      for (let i = 0; i < CASES_PER_FIXTURE; i++) {
        const { bytes, kind } = mutate(original, rand, offsets);
        const out = exercise(bytes);
        if (out.untyped) {
          throw new Error(
            `case ${i} (${kind}) of ${name} threw an untyped error: ${(out.untyped as Error)?.stack ?? out.untyped}`,
          );
        }
        results.set(out.result, (results.get(out.result) ?? 0) + 1);
      }
      // The mutations reach past the header: some cases still link, some fail in each stage.
      expect(results.get('ElfError') ?? 0).toBeGreaterThan(0);
      expect([...results.values()].reduce((a, b) => a + b)).toBe(CASES_PER_FIXTURE);
    });
  }
});

const ffsPath = process.env.RUMP_TEST_FFS_KMOD;
describe.skipIf(!ffsPath || !existsSync(ffsPath))(
  'mutation fuzz over ffs.kmod (needs RUMP_TEST_FFS_KMOD)',
  () => {
    it('200 seeded mutations give only typed errors', () => {
      const original = new Uint8Array(readFileSync(ffsPath!));
      const rand = prng(0xff5);
      const offsets = structureOffsets(original);
      for (let i = 0; i < 200; i++) {
        const { bytes, kind } = mutate(original, rand, offsets);
        const out = exercise(bytes);
        if (out.untyped)
          throw new Error(
            `case ${i} (${kind}) threw an untyped error: ${(out.untyped as Error)?.stack ?? out.untyped}`,
          );
      }
    });
  },
);
