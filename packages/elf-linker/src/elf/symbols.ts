/** The symbol table (SHT_SYMTAB, Elf32_Sym / Elf64_Sym), with SHN_XINDEX resolved through SHT_SYMTAB_SHNDX. */
import { ElfError } from '../errors.js';
import {
  SHN_LORESERVE,
  SHN_XINDEX,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from './constants.js';
import { type ElfReader, StringTable } from './reader.js';
import type { ElfHeader, ElfSection, ElfSymbol } from './types.js';

/** Number of entries of a table section, checked against the file before anyone loops over it. */
export function entryCount(section: ElfSection, minEntsize: number, what: string): number {
  if (section.entsize < minEntsize) {
    throw new ElfError(
      `sh_entsize[${section.index}]`,
      section.headerOffset,
      `${what} entry size ${section.entsize} is smaller than ${minEntsize}`,
    );
  }
  if (section.size % section.entsize !== 0) {
    throw new ElfError(
      `sh_size[${section.index}]`,
      section.headerOffset,
      `${what} size ${section.size} is not a multiple of its entry size ${section.entsize}`,
    );
  }
  // The contents were already checked to lie inside the file, so the count is bounded by its size.
  return section.size / section.entsize;
}

/** Reads an entry's fields in order through the checked reader: an ElfError names the first outside the file. */
function checkEntry(r: ElfReader, at: number, is64: boolean): void {
  r.u32('st_name', at);
  if (is64) {
    r.u8('st_info', at + 4);
    r.u8('st_other', at + 5);
    r.u16('st_shndx', at + 6);
    r.u64('st_value', at + 8);
    r.u64('st_size', at + 16);
  } else {
    r.u32('st_value', at + 4);
    r.u32('st_size', at + 8);
    r.u8('st_info', at + 12);
    r.u8('st_other', at + 13);
    r.u16('st_shndx', at + 14);
  }
}

export function readSymbols(
  r: ElfReader,
  h: ElfHeader,
  sections: readonly ElfSection[],
): { symbols: ElfSymbol[]; symtabIndex: number } {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return { symbols: [], symtabIndex: 0 };
  const is64 = h.class === 64;
  const count = entryCount(symtab, is64 ? 24 : 16, 'symbol table');
  const strtabSection = sections[symtab.link];
  if (!strtabSection || strtabSection.type !== SHT_STRTAB || symtab.link === 0) {
    throw new ElfError(
      `sh_link[${symtab.index}]`,
      symtab.headerOffset,
      `symbol table links to section ${symtab.link}, which is not a string table`,
    );
  }
  const strtab = new StringTable(r.bytes, strtabSection.offset, strtabSection.size);
  const shndxSection = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index);
  const symbols: ElfSymbol[] = new Array(count);
  // The table normally lies inside the file (checked with the section headers, except for a
  // corrupt section 0), so the fixed fields are read without a bounds check each.
  const view = r.view;
  const le = r.littleEndian;
  const inFile = symtab.offset + count * symtab.entsize <= r.size;
  for (let i = 0; i < count; i++) {
    const at = symtab.offset + i * symtab.entsize;
    if (!inFile) checkEntry(r, at, is64);
    const nameIndex = view.getUint32(at, le);
    let info: number;
    let other: number;
    let shndx: number;
    let value: bigint;
    let size: bigint;
    if (is64) {
      info = view.getUint8(at + 4);
      other = view.getUint8(at + 5);
      shndx = view.getUint16(at + 6, le);
      value = view.getBigUint64(at + 8, le);
      size = view.getBigUint64(at + 16, le);
    } else {
      value = BigInt(view.getUint32(at + 4, le));
      size = BigInt(view.getUint32(at + 8, le));
      info = view.getUint8(at + 12);
      other = view.getUint8(at + 13);
      shndx = view.getUint16(at + 14, le);
    }
    if (shndx === SHN_XINDEX) {
      if (!shndxSection || shndxSection.size < (i + 1) * 4) {
        throw new ElfError(
          'st_shndx',
          at,
          `symbol ${i} uses SHN_XINDEX without a SYMTAB_SHNDX entry`,
        );
      }
      shndx = r.u32('SYMTAB_SHNDX entry', shndxSection.offset + i * 4);
      if (shndx >= sections.length) {
        throw new ElfError(
          'SYMTAB_SHNDX entry',
          shndxSection.offset + i * 4,
          `section index ${shndx} out of range`,
        );
      }
    } else if (shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new ElfError(
        'st_shndx',
        at,
        `symbol ${i} names section ${shndx}, beyond the ${sections.length} sections`,
      );
    }
    symbols[i] = {
      index: i,
      name: strtab.name(nameIndex, 'st_name', at),
      value,
      size,
      bind: info >> 4,
      type: info & 0xf,
      visibility: other & 3,
      shndx,
      entryOffset: at,
    };
  }
  return { symbols, symtabIndex: symtab.index };
}
