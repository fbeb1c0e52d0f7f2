/**
 * For each section, its named symbols sorted by offset, to turn "section + offset" into
 * "symbol + offset" (backtraces, metadata reports). One per ElfFile; the first lookups scan
 * the symbol table, later ones use a sorted index built once.
 */
import { STB_LOCAL, STT_FILE, STT_SECTION } from '../elf/constants.js';
import type { ElfFile, ElfSymbol } from '../elf/types.js';

interface Entry {
  readonly offset: number;
  readonly name: string;
}

const built = new WeakMap<ElfFile, SectionSymbols>();

/** Lookups answered by scanning before the sorted index is built. */
const LOOKUPS_BEFORE_INDEX = 16;

/** A symbol that can name a place: named, not a section or file symbol, a safe offset. */
function named(sym: ElfSymbol): boolean {
  if (sym.index === 0 || sym.name === '' || sym.type === STT_SECTION || sym.type === STT_FILE)
    return false;
  return sym.value <= MAX_SAFE;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** At equal offsets prefer globals, then typed symbols, so `ffs_modcmd` beats a local label. */
function rank(sym: ElfSymbol): number {
  return (sym.bind === STB_LOCAL ? 0 : 2) + (sym.type === 0 ? 0 : 1);
}

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
  /** Named symbols per section, sorted by offset; built on the LOOKUPS_BEFORE_INDEX + 1st lookup. */
  private bySection: Map<number, Entry[]> | undefined;
  private lookups = 0;

  constructor(private readonly elf: ElfFile) {}

  /** The nearest symbol at or below `offset` in section `index`. */
  at(index: number, offset: number): { symbol: string; offset: number } | undefined {
    // Loading a module asks a handful of times (its metadata pointers): a scan of the symbol
    // table each is much cheaper than sorting every section's symbols. Symbolizing many
    // addresses (backtraces, profiles) builds the sorted index.
    if (this.bySection === undefined && ++this.lookups <= LOOKUPS_BEFORE_INDEX)
      return this.scan(index, offset);
    this.bySection ??= this.build();
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

  /** Indices of each section's nameable symbols, collected when a scan first asks for it. */
  private readonly candidates = new Map<number, number[]>();

  /**
   * at() by a pass over the section's symbols: the greatest offset at or below `offset`, and at
   * equal offsets the best rank, earliest first — the entry the sorted index keeps.
   */
  private scan(index: number, offset: number): { symbol: string; offset: number } | undefined {
    const symbols = this.elf.symbols;
    let list = this.candidates.get(index);
    if (!list) {
      list = [];
      if (this.elf.sections[index] && index !== 0)
        for (let i = 0; i < symbols.length; i++)
          if (symbols[i]!.shndx === index && named(symbols[i]!)) list.push(i);
      this.candidates.set(index, list);
    }
    let best: ElfSymbol | undefined;
    let bestOffset = -1;
    let bestRank = -1;
    for (const i of list) {
      const sym = symbols[i]!;
      const o = Number(sym.value);
      if (o > offset || o < bestOffset) continue;
      const r = rank(sym);
      if (o > bestOffset || r > bestRank) {
        best = sym;
        bestOffset = o;
        bestRank = r;
      }
    }
    return best ? { symbol: best.name, offset: offset - bestOffset } : undefined;
  }

  private build(): Map<number, Entry[]> {
    const elf = this.elf;
    const bySection = new Map<number, Entry[]>();
    const ranked = new Map<number, { e: Entry; rank: number }[]>();
    for (const sym of elf.symbols) {
      if (!named(sym)) continue;
      const section = elf.sections[sym.shndx];
      if (!section || sym.shndx === 0) continue;
      let list = ranked.get(sym.shndx);
      if (!list) ranked.set(sym.shndx, (list = []));
      list.push({ e: { offset: Number(sym.value), name: sym.name }, rank: rank(sym) });
    }
    for (const [index, list] of ranked) {
      list.sort((a, b) => a.e.offset - b.e.offset || b.rank - a.rank);
      const entries: Entry[] = [];
      for (const { e } of list) {
        if (entries.length && entries[entries.length - 1]!.offset === e.offset) continue;
        entries.push(e);
      }
      bySection.set(index, entries);
    }
    return bySection;
  }

  /** `symbol+0x10`, `symbol`, or `section+0x10` when no symbol precedes the offset. */
  describe(index: number, sectionName: string, offset: number): string {
    const s = this.at(index, offset);
    if (!s) return offset ? `${sectionName}+0x${offset.toString(16)}` : sectionName;
    return s.offset ? `${s.symbol}+0x${s.offset.toString(16)}` : s.symbol;
  }
}
