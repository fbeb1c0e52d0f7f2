/** parseElfShared: one parse per file contents in a process, and links from it equal fresh ones. */
import { describe, expect, it } from 'vitest';
import { linkModule, parseElf, parseElfShared, readModuleInfo } from '../src/index.js';
import { kmod } from './helpers/fixtures.js';
import { BumpAllocator, SparseMemory, trapResolver } from './helpers/target.js';

function linkAt(module: Uint8Array | ReturnType<typeof parseElf>, base: bigint) {
  const allocator = new BumpAllocator(base);
  const memory = new SparseMemory();
  const trap = trapResolver();
  const linked = linkModule(module, { allocator, memory, resolve: trap.resolve });
  return { linked, memory };
}

function contents(memory: SparseMemory): string[] {
  return [...memory.chunks].map(([a, b]) => `${a.toString(16)}:${Buffer.from(b).toString('hex')}`);
}

describe('parseElfShared', () => {
  it('returns the same ElfFile for equal contents in different buffers', () => {
    const a = parseElfShared(kmod('hello'));
    const b = parseElfShared(new Uint8Array(kmod('hello')));
    expect(b).toBe(a);
    expect(parseElfShared(kmod('link_relocs'))).not.toBe(a);
  });

  it('keeps its own copy: changing the caller buffer afterwards changes nothing', () => {
    const bytes = kmod('link_common').slice();
    const elf = parseElfShared(bytes);
    const before = Buffer.from(elf.bytes).toString('hex');
    bytes.fill(0xcc);
    expect(Buffer.from(elf.bytes).toString('hex')).toBe(before);
    // A file differing in one byte (of the first section's contents) is parsed on its own.
    const other = kmod('link_common').slice();
    other[elf.sections[1]!.offset]! ^= 1;
    expect(parseElfShared(other)).not.toBe(elf);
    expect(parseElfShared(kmod('link_common'))).toBe(elf);
  });

  it('links from a shared file, twice and at other addresses, exactly as from a fresh parse', () => {
    for (const name of ['hello', 'link_relocs', 'link_common', 'kc_pools']) {
      const shared = parseElfShared(kmod(name));
      for (const base of [0xffffffff80100000n, 0xffffffff80345000n]) {
        const fresh = linkAt(kmod(name), base);
        const first = linkAt(shared, base);
        const again = linkAt(shared, base);
        expect(contents(first.memory), name).toEqual(contents(fresh.memory));
        expect(contents(again.memory), name).toEqual(contents(fresh.memory));
        expect(first.linked.metadata).toEqual(fresh.linked.metadata);
      }
      expect(readModuleInfo(shared)).toBe(readModuleInfo(shared));
      expect(readModuleInfo(shared)).toEqual(readModuleInfo(parseElf(kmod(name))));
    }
  });
});
