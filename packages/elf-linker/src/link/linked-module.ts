/** The LinkedModule a successful link returns: addresses, lookups, symbolization, unloading. */
import { SHN_UNDEF, STB_LOCAL, STT_FILE, STT_SECTION } from '../elf/constants.js';
import type { ElfFile } from '../elf/types.js';
import type { LinkedModuleMetadata } from '../netbsd/modinfo.js';
import type { SymbolPlace } from './resolve-symbols.js';
import type { SectionSymbols } from './section-symbols.js';
import type { LinkedModule, LoadedSection, SectionAllocator, SymbolizedAddress } from './types.js';

export type Allocation = LoadedSection;

export interface LinkedModuleParts {
  readonly elf: ElfFile;
  readonly allocations: readonly Allocation[];
  readonly addresses: readonly (bigint | undefined)[];
  readonly places: readonly SymbolPlace[];
  readonly imports: ReadonlyMap<string, bigint>;
  readonly metadata: LinkedModuleMetadata | undefined;
  readonly linkSets: ReadonlyMap<string, readonly bigint[]>;
  readonly counts: ReadonlyMap<string, number>;
  readonly symbols: SectionSymbols;
  readonly allocator: SectionAllocator;
}

export function createLinkedModule(parts: LinkedModuleParts): LinkedModule {
  const { elf, allocations, addresses, places } = parts;
  const exports = new Map<string, bigint>();
  const all = new Map<string, bigint>();
  const commons: { address: bigint; size: bigint; name: string }[] = [];
  for (const sym of elf.symbols) {
    const address = addresses[sym.index];
    if (sym.index === 0 || sym.name === '' || address === undefined) continue;
    if (sym.shndx === SHN_UNDEF || sym.type === STT_SECTION || sym.type === STT_FILE) continue;
    if (!all.has(sym.name)) all.set(sym.name, address);
    if (sym.bind !== STB_LOCAL && !exports.has(sym.name)) exports.set(sym.name, address);
    if (places[sym.index]?.kind === 'common')
      commons.push({ address, size: sym.size, name: sym.name });
  }
  commons.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const sorted = [...allocations].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
  let unloaded = false;

  const symbolize = (address: bigint): SymbolizedAddress | undefined => {
    let lo = 0;
    let hi = sorted.length - 1;
    let found: Allocation | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = sorted[mid]!;
      if (address < a.address) hi = mid - 1;
      else if (address >= a.address + BigInt(a.size)) lo = mid + 1;
      else {
        found = a;
        break;
      }
    }
    if (!found) return undefined;
    const sectionOffset = Number(address - found.address);
    if (found.kind === 'common') {
      let best: (typeof commons)[number] | undefined;
      for (const c of commons) if (c.address <= address) best = c;
      if (best)
        return {
          symbol: best.name,
          offset: Number(address - best.address),
          section: found.name,
          sectionOffset,
        };
    } else if (found.index >= 0) {
      const s = parts.symbols.at(found.index, sectionOffset);
      if (s) return { symbol: s.symbol, offset: s.offset, section: found.name, sectionOffset };
    }
    return { symbol: undefined, offset: sectionOffset, section: found.name, sectionOffset };
  };

  return {
    elf,
    sections: allocations,
    exports,
    imports: parts.imports,
    metadata: parts.metadata,
    linkSets: parts.linkSets,
    relocationCounts: parts.counts,
    lookup: (name) => exports.get(name),
    lookupAny: (name) => all.get(name),
    symbolize,
    unload() {
      if (unloaded) return;
      unloaded = true;
      for (const a of allocations) parts.allocator.free(a.address, a.size);
    },
  };
}
