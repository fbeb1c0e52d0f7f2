/** The same modules in REL form (addends in the fields) link to the same bytes as in RELA form. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectModule, linkModule, parseElf } from '../src/index.js';
import { kmod } from './helpers/fixtures.js';
import { relaToRel } from './helpers/rela-to-rel.js';
import { BumpAllocator, KERNEL_BASE, SparseMemory, trapResolver } from './helpers/target.js';

function linked(bytes: Uint8Array, resolve: (n: string) => bigint | undefined) {
  const memory = new SparseMemory();
  const m = linkModule(bytes, {
    allocator: new BumpAllocator(),
    memory,
    resolve,
    allowWeakUndefined: true,
  });
  return m.sections.map((s) => [
    s.name,
    Buffer.from(memory.read(s.address, s.size)).toString('hex'),
  ]);
}

const small: Record<string, bigint> = { small16: 0x1200n, small8: 0x30n };
const resolver = () => {
  const t = trapResolver();
  return (n: string) => small[n] ?? t.resolve(n);
};

const ffsPath = process.env.RUMP_TEST_FFS_KMOD;
const inputs: [string, () => Uint8Array][] = [
  ...['hello', 'link_relocs', 'link_asm_relocs', 'link_common', 'link_weak', 'link_requires_b'].map(
    (n): [string, () => Uint8Array] => [n, () => kmod(n)],
  ),
];
if (ffsPath && existsSync(ffsPath))
  inputs.push(['ffs.kmod', () => new Uint8Array(readFileSync(ffsPath))]);

describe('REL form', () => {
  for (const [name, load] of inputs) {
    it(`${name}: REL and RELA link to identical images`, () => {
      const rela = load();
      const rel = relaToRel(rela);
      expect(parseElf(rel).relocationSections.every((r) => !r.rela)).toBe(true);
      const a = linked(rela, resolver());
      const b = linked(rel, resolver());
      expect(b).toEqual(a);
      expect(a.length).toBeGreaterThan(0);
    });
  }

  it('a REL addend is read from the field, so changing it changes the result', () => {
    const rel = relaToRel(kmod('hello'));
    const elf = parseElf(rel);
    const r = elf.relocationSections.find(
      (x) => elf.sections[x.target]!.name === 'link_set_modules',
    )!;
    const target = elf.sections[r.target]!;
    const bumped = rel.slice();
    bumped[target.offset] = bumped[target.offset]! + 8;
    // The modinfo pointer now lands 8 bytes into .rodata, where a 32-byte modinfo no longer fits.
    expect(() =>
      linkModule(bumped, {
        allocator: new BumpAllocator(),
        memory: new SparseMemory(),
        resolve: () => KERNEL_BASE,
      }),
    ).toThrow(/modinfo at \.rodata\+0x8 does not fit/);
    expect(inspectModule(bumped).metadataError?.message).toMatch(/\.rodata\+0x8/);
  });
});
