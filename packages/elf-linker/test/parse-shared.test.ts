/** parseElfShared: one parse per file contents in a process, and links from it equal fresh ones. */
import { describe, expect, it } from 'vitest';
import { sameBytesJs } from '../src/elf/parse-cache.js';
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
  it('compares contents without Node too (word-wise, any alignment)', () => {
    const bytes = kmod('hello');
    const copy = new Uint8Array(bytes.length + 3);
    copy.set(bytes, 3);
    const odd = copy.subarray(3);
    expect(sameBytesJs(bytes, odd)).toBe(true);
    expect(sameBytesJs(bytes, bytes.slice())).toBe(true);
    for (const at of [0, 5, bytes.length >> 1, bytes.length - 1]) {
      const other = bytes.slice();
      other[at]! ^= 0x40;
      expect(sameBytesJs(bytes, other), `byte ${at}`).toBe(false);
      expect(sameBytesJs(odd, other), `byte ${at}`).toBe(false);
    }
    expect(sameBytesJs(bytes, bytes.subarray(1))).toBe(false);
  });

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

  it('relinks at the same addresses from the last result, as a fresh link would, with copies of it', () => {
    for (const name of ['hello', 'link_relocs', 'link_common', 'kc_pools', 'link_requires_a']) {
      const shared = parseElfShared(kmod(name));
      const base = 0xffffffff80200000n;
      const a = linkAt(shared, base);
      const b = linkAt(shared, base); // same inputs: the memoized result
      const fresh = linkAt(kmod(name), base);
      expect(contents(b.memory), name).toEqual(contents(fresh.memory));
      expect(contents(a.memory), name).toEqual(contents(fresh.memory));
      expect(b.linked.metadata).toEqual(fresh.linked.metadata);
      expect(b.linked.linkSets).toEqual(fresh.linked.linkSets);
      expect(b.linked.relocationCounts).toEqual(fresh.linked.relocationCounts);
      expect(b.linked.linkSets).not.toBe(a.linked.linkSets);
      // Whatever a caller does to what it received does not reach the next link.
      for (const v of a.linked.linkSets.values()) (v as bigint[]).fill(1n);
      for (const chunk of b.memory.chunks.values()) chunk.fill(0xee);
      const c = linkAt(shared, base);
      expect(contents(c.memory), name).toEqual(contents(fresh.memory));
      expect(c.linked.linkSets).toEqual(fresh.linked.linkSets);
      // Other addresses or other imports: relocated again.
      const moved = linkAt(shared, base + 0x10000n);
      expect(contents(moved.memory)).toEqual(contents(linkAt(kmod(name), base + 0x10000n).memory));
      const other = trapResolver(0xffffffff80002000n);
      const allocator = new BumpAllocator(base);
      const memory = new SparseMemory();
      linkModule(shared, { allocator, memory, resolve: other.resolve });
      const allocator2 = new BumpAllocator(base);
      const memory2 = new SparseMemory();
      linkModule(kmod(name), {
        allocator: allocator2,
        memory: memory2,
        resolve: trapResolver(0xffffffff80002000n).resolve,
      });
      expect(contents(memory)).toEqual(contents(memory2));
    }
  });
});
