/** Relocation sections (SHT_REL / SHT_RELA); their entries are decoded by relocation-table.ts. */
import { ElfError } from '../errors.js';
import { SHT_DYNSYM, SHT_REL, SHT_RELA, SHT_SYMTAB } from './constants.js';
import { entryCount } from './symbols.js';
import type { ElfHeader, ElfRelocationSection, ElfSection } from './types.js';

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
