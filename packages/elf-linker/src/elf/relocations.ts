/** Relocation sections (SHT_REL / SHT_RELA) and their entries. */
import { ElfError } from '../errors.js';
import { SHT_DYNSYM, SHT_REL, SHT_RELA, SHT_SYMTAB } from './constants.js';
import type { ElfReader } from './reader.js';
import { entryCount } from './symbols.js';
import type { ElfHeader, ElfRelocation, ElfRelocationSection, ElfSection } from './types.js';

export function readRelocationSections(
  h: ElfHeader,
  sections: readonly ElfSection[],
): ElfRelocationSection[] {
  const is64 = h.class === 64;
  const out: ElfRelocationSection[] = [];
  for (const s of sections) {
    if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
    const rela = s.type === SHT_RELA;
    const count = entryCount(s, is64 ? (rela ? 24 : 16) : rela ? 12 : 8, 'relocation');
    // sh_info 0 is allowed: dynamic relocations (.rela.dyn) apply to the whole image.
    if (s.info >= sections.length) {
      throw new ElfError(
        `sh_info[${s.index}]`,
        s.headerOffset,
        `relocations target section ${s.info}, which does not exist`,
      );
    }
    const symtab = sections[s.link];
    if (
      count > 0 &&
      (!symtab || s.link === 0 || (symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM))
    ) {
      throw new ElfError(
        `sh_link[${s.index}]`,
        s.headerOffset,
        `relocations link to section ${s.link}, which is not the symbol table`,
      );
    }
    out.push({ section: s, target: s.info, symtab: s.link, rela, count });
  }
  return out;
}

/** Decodes the entries of one relocation section; every symbol index is checked against the symbol count. */
export function readRelocations(
  r: ElfReader,
  h: ElfHeader,
  rel: ElfRelocationSection,
  symbolCount: number,
): ElfRelocation[] {
  const is64 = h.class === 64;
  const s = rel.section;
  const out: ElfRelocation[] = new Array(rel.count);
  for (let i = 0; i < rel.count; i++) {
    const at = s.offset + i * s.entsize;
    let offset: bigint;
    let type: number;
    let symbol: number;
    if (is64) {
      offset = r.u64('r_offset', at);
      const info = r.u64('r_info', at + 8);
      symbol = Number(info >> 32n);
      type = Number(info & 0xffffffffn);
    } else {
      offset = BigInt(r.u32('r_offset', at));
      const info = r.u32('r_info', at + 4);
      symbol = info >>> 8;
      type = info & 0xff;
    }
    if (symbol >= symbolCount) {
      throw new ElfError(
        'r_info',
        at + (is64 ? 8 : 4),
        `symbol index ${symbol} is beyond the ${symbolCount} symbols`,
      );
    }
    const addend = rel.rela ? r.sword('r_addend', at + (is64 ? 16 : 8), is64) : 0n;
    out[i] = { offset, type, symbol, addend, entryOffset: at };
  }
  return out;
}
