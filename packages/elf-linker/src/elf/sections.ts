/** Section headers (Elf32_Shdr / Elf64_Shdr) and their names. */
import { ElfError } from '../errors.js';
import { SHT_NAMES, SHT_NOBITS, SHT_NULL, SHT_STRTAB } from './constants.js';
import { type ElfReader, StringTable } from './reader.js';
import type { ElfHeader, ElfSection } from './types.js';

interface RawSection {
  nameIndex: number;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  headerOffset: number;
}

function readRaw(r: ElfReader, h: ElfHeader, index: number): RawSection {
  const is64 = h.class === 64;
  const at = h.shoff + index * h.shentsize;
  const f = (name: string) => `${name}[${index}]`;
  if (is64) {
    const flags = r.u64(f('sh_flags'), at + 8);
    return {
      nameIndex: r.u32(f('sh_name'), at),
      type: r.u32(f('sh_type'), at + 4),
      flags: Number(flags & 0xffffffffn),
      addr: r.u64(f('sh_addr'), at + 16),
      offset: r.safeWord(f('sh_offset'), at + 24, true),
      size: r.safeWord(f('sh_size'), at + 32, true),
      link: r.u32(f('sh_link'), at + 40),
      info: r.u32(f('sh_info'), at + 44),
      addralign: r.safeWord(f('sh_addralign'), at + 48, true),
      entsize: r.safeWord(f('sh_entsize'), at + 56, true),
      headerOffset: at,
    };
  }
  return {
    nameIndex: r.u32(f('sh_name'), at),
    type: r.u32(f('sh_type'), at + 4),
    flags: r.u32(f('sh_flags'), at + 8),
    addr: BigInt(r.u32(f('sh_addr'), at + 12)),
    offset: r.u32(f('sh_offset'), at + 16),
    size: r.u32(f('sh_size'), at + 20),
    link: r.u32(f('sh_link'), at + 24),
    info: r.u32(f('sh_info'), at + 28),
    addralign: r.u32(f('sh_addralign'), at + 32),
    entsize: r.u32(f('sh_entsize'), at + 36),
    headerOffset: at,
  };
}

export function readSections(r: ElfReader, h: ElfHeader): ElfSection[] {
  const raws: RawSection[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const s = readRaw(r, h, i);
    // Section 0 may carry the extended shnum/shstrndx; its contents are never read.
    if (i > 0 && s.type !== SHT_NOBITS && s.type !== SHT_NULL) {
      if (s.offset + s.size > r.size) {
        throw new ElfError(
          `sh_offset[${i}]`,
          s.headerOffset + (h.class === 64 ? 24 : 16),
          `contents (0x${s.size.toString(16)} bytes at 0x${s.offset.toString(16)}) extend past the end of the ${r.size}-byte file`,
        );
      }
    }
    if (i > 0 && s.addralign > 1 && 2 ** Math.round(Math.log2(s.addralign)) !== s.addralign) {
      throw new ElfError(
        `sh_addralign[${i}]`,
        s.headerOffset,
        `${s.addralign} is not a power of two`,
      );
    }
    raws.push(s);
  }
  let names: StringTable | undefined;
  if (h.shstrndx !== 0) {
    const st = raws[h.shstrndx]!;
    if (st.type !== SHT_STRTAB) {
      throw new ElfError(
        'e_shstrndx',
        st.headerOffset,
        `section ${h.shstrndx} is not a string table`,
      );
    }
    names = new StringTable(r.bytes, st.offset, st.size);
  }
  return raws.map((s, index) => ({
    index,
    name: names && index > 0 ? names.name(s.nameIndex, `sh_name[${index}]`, s.headerOffset) : '',
    type: s.type,
    typeName: SHT_NAMES[s.type] ?? `0x${s.type.toString(16)}`,
    flags: s.flags,
    addr: s.addr,
    offset: s.offset,
    size: s.size,
    link: s.link,
    info: s.info,
    addralign: s.addralign,
    entsize: s.entsize,
    headerOffset: s.headerOffset,
  }));
}
