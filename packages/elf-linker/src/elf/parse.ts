import { SHT_NOBITS, SHT_NULL } from './constants.js';
import { identify, readHeader } from './header.js';
import { readNotes } from './notes.js';
import { readProgramHeaders } from './program-headers.js';
import { RelocationTable } from './relocation-table.js';
import { readRelocationSections } from './relocations.js';
import { readSections } from './sections.js';
import { entryCount, readSymbols } from './symbols.js';
import type { ElfFile, ElfRelocation, ElfRelocationSection, ElfSection } from './types.js';

/** Parses and validates an ELF32 or ELF64 file of either byte order. */
export function parseElf(bytes: Uint8Array): ElfFile {
  const { reader, is64 } = identify(bytes);
  const header = readHeader(reader, is64);
  const sections = readSections(reader, header);
  const programHeaders = readProgramHeaders(reader, header);
  const { symbols, symtabIndex } = readSymbols(reader, header, sections);
  const relocationSections = readRelocationSections(header, sections);
  const notes = readNotes(reader, sections);
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (s.index > 0 && !byName.has(s.name)) byName.set(s.name, s);
  const decoded = new Map<ElfRelocationSection, ElfRelocation[]>();
  const tables = new Map<ElfRelocationSection, RelocationTable>();
  const relocationTable = (rel: ElfRelocationSection): RelocationTable => {
    let table = tables.get(rel);
    if (!table) {
      // Dynamic relocations index .dynsym, whose entries this reader counts but does not decode.
      const linked = sections[rel.symtab];
      const symbolCount =
        rel.symtab === symtabIndex
          ? symbols.length
          : linked && rel.symtab !== 0
            ? entryCount(linked, is64 ? 24 : 16, 'symbol table')
            : 0;
      table = new RelocationTable(reader, is64, rel, symbolCount);
      tables.set(rel, table);
    }
    return table;
  };
  return {
    bytes,
    header,
    sections,
    programHeaders,
    symbols,
    symtabIndex,
    relocationSections,
    notes,
    section: (name) => byName.get(name),
    sectionData(section) {
      if (section.type === SHT_NOBITS || section.type === SHT_NULL) return new Uint8Array(0);
      return bytes.subarray(section.offset, section.offset + section.size);
    },
    relocations(rel) {
      let entries = decoded.get(rel);
      if (!entries) {
        const t = relocationTable(rel);
        entries = new Array(t.count);
        for (let i = 0; i < t.count; i++) {
          entries[i] = {
            offset: t.offsetBig(i),
            type: t.type[i]!,
            symbol: t.symbol[i]!,
            addend: t.addendBig(i),
            entryOffset: t.entryOffset(i),
          };
        }
        decoded.set(rel, entries);
      }
      return entries;
    },
    relocationTable,
  };
}
