/**
 * For each section, its named symbols sorted by offset, to turn "section + offset" into
 * "symbol + offset" (backtraces, metadata reports). Built once per module.
 */
import { STB_LOCAL, STT_FILE, STT_SECTION } from '../elf/constants.js';
import type { ElfFile } from '../elf/types.js';

interface Entry {
  readonly offset: number;
  readonly name: string;
}

const built = new WeakMap<ElfFile, SectionSymbols>();

/** The SectionSymbols of `elf`, built once per ElfFile (reading metadata and linking share it). */
export function sectionSymbolsOf(elf: ElfFile): SectionSymbols {
  let s = built.get(elf);
  if (!s) {
    s = new SectionSymbols(elf);
    built.set(elf, s);
  }
  return s;
}

export class SectionSymbols {
  private readonly bySection = new Map<number, Entry[]>();

  constructor(elf: ElfFile) {
    const ranked = new Map<number, { e: Entry; rank: number }[]>();
    for (const sym of elf.symbols) {
      if (sym.index === 0 || sym.name === '' || sym.type === STT_SECTION || sym.type === STT_FILE)
        continue;
      if (sym.value > BigInt(Number.MAX_SAFE_INTEGER)) continue;
      const section = elf.sections[sym.shndx];
      if (!section || sym.shndx === 0) continue;
      let list = ranked.get(sym.shndx);
      if (!list) ranked.set(sym.shndx, (list = []));
      // At equal offsets prefer globals, then typed symbols, so `ffs_modcmd` beats a local label.
      const rank = (sym.bind === STB_LOCAL ? 0 : 2) + (sym.type === 0 ? 0 : 1);
      list.push({ e: { offset: Number(sym.value), name: sym.name }, rank });
    }
    for (const [index, list] of ranked) {
      list.sort((a, b) => a.e.offset - b.e.offset || b.rank - a.rank);
      const entries: Entry[] = [];
      for (const { e } of list) {
        if (entries.length && entries[entries.length - 1]!.offset === e.offset) continue;
        entries.push(e);
      }
      this.bySection.set(index, entries);
    }
  }

  /** The nearest symbol at or below `offset` in section `index`. */
  at(index: number, offset: number): { symbol: string; offset: number } | undefined {
    const entries = this.bySection.get(index);
    if (!entries || entries.length === 0 || entries[0]!.offset > offset) return undefined;
    let lo = 0;
    let hi = entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (entries[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    const e = entries[lo]!;
    return { symbol: e.name, offset: offset - e.offset };
  }

  /** `symbol+0x10`, `symbol`, or `section+0x10` when no symbol precedes the offset. */
  describe(index: number, sectionName: string, offset: number): string {
    const s = this.at(index, offset);
    if (!s) return offset ? `${sectionName}+0x${offset.toString(16)}` : sectionName;
    return s.offset ? `${s.symbol}+0x${s.offset.toString(16)}` : s.symbol;
  }
}
