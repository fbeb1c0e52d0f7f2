/**
 * Reading a linked module back from its relocated local copies: the ModuleImage the metadata
 * reader uses (pointers become module locations again) and the link sets' pointers.
 */
import type { ElfFile } from '../elf/types.js';
import { ModuleMetadataError } from '../errors.js';
import type { ImageLocation, ModuleImage } from '../netbsd/modinfo.js';
import { LINK_SET_PREFIX } from '../netbsd/module-abi.js';
import type { PlannedSection } from './layout.js';
import type { SectionSymbols } from './section-symbols.js';
import type { LoadedSection } from './types.js';

/** A ModuleImage over relocated section copies (`images`, by section index; none for NOBITS). */
export function relocatedImage(
  elf: ElfFile,
  allocations: readonly LoadedSection[],
  images: ReadonlyMap<number, Uint8Array>,
  imports: ReadonlyMap<string, bigint>,
  symbols: SectionSymbols,
): ModuleImage {
  const locate = (address: bigint): ImageLocation => {
    for (const a of allocations) {
      if (address >= a.address && address < a.address + BigInt(a.size)) {
        const offset = Number(address - a.address);
        // COMMON and the GOT are no ELF section: strings or a modinfo there count as outside.
        if (a.index < 0) return { section: undefined, offset, address, symbol: a.name };
        return {
          section: elf.sections[a.index]!,
          offset,
          address,
          symbol: symbols.describe(a.index, a.name, offset),
        };
      }
    }
    for (const [name, value] of imports) {
      if (value === address) return { section: undefined, offset: 0, address, symbol: name };
    }
    return { section: undefined, offset: 0, address };
  };
  return {
    pointer(section, offset) {
      const img = images.get(section.index);
      if (!img || offset + 8 > img.byteLength) return null;
      const value = new DataView(img.buffer, img.byteOffset).getBigUint64(offset, true);
      return value === 0n ? null : locate(value);
    },
    // Always exactly `length` bytes; what a section lacks (SHT_NOBITS) reads as zeros.
    bytes(section, offset, length) {
      const data = images.get(section.index)?.subarray(offset, offset + length);
      if (data && data.byteLength === length) return data;
      const out = new Uint8Array(length);
      if (data) out.set(data);
      return out;
    },
  };
}

/** Every loaded `link_set_*` section as its relocated pointers. */
export function readLinkSets(
  plan: readonly PlannedSection[],
  images: ReadonlyMap<number, Uint8Array>,
): Map<string, bigint[]> {
  const linkSets = new Map<string, bigint[]>();
  for (const p of plan) {
    const s = p.section;
    if (!s.name.startsWith(LINK_SET_PREFIX)) continue;
    if (s.size % 8 !== 0) {
      throw new ModuleMetadataError(s.name, `size ${s.size} is not a whole number of pointers`);
    }
    const img = images.get(s.index);
    const view = img ? new DataView(img.buffer, img.byteOffset, img.byteLength) : undefined;
    const pointers: bigint[] = [];
    for (let o = 0; o < s.size; o += 8) pointers.push(view ? view.getBigUint64(o, true) : 0n);
    linkSets.set(s.name, pointers);
  }
  return linkSets;
}
