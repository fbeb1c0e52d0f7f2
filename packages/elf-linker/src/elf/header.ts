/** The ELF header (Elf32_Ehdr / Elf64_Ehdr), including the extended numbering escapes of section 0. */
import { ElfError } from '../errors.js';
import {
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  ELFMAG,
  EV_CURRENT,
  SHN_XINDEX,
} from './constants.js';
import { ElfReader } from './reader.js';
import type { ElfHeader } from './types.js';

const EI_NIDENT = 16;

/** Reads e_ident and returns a reader in the file's byte order. */
export function identify(bytes: Uint8Array): { reader: ElfReader; is64: boolean } {
  if (bytes.byteLength < EI_NIDENT) {
    throw new ElfError('e_ident', 0, `file is ${bytes.byteLength} bytes, shorter than e_ident`);
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== ELFMAG[i])
      throw new ElfError('e_ident[EI_MAG]', i, 'not an ELF file (bad magic)');
  }
  const cls = bytes[4];
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) {
    throw new ElfError('e_ident[EI_CLASS]', 4, `unknown class ${cls}`);
  }
  const data = bytes[5];
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
    throw new ElfError('e_ident[EI_DATA]', 5, `unknown data encoding ${data}`);
  }
  if (bytes[6] !== EV_CURRENT) {
    throw new ElfError('e_ident[EI_VERSION]', 6, `unknown ELF version ${bytes[6]}`);
  }
  return { reader: new ElfReader(bytes, data === ELFDATA2LSB), is64: cls === ELFCLASS64 };
}

export function readHeader(r: ElfReader, is64: boolean): ElfHeader {
  const w = is64 ? 8 : 4;
  const ehsize = is64 ? 64 : 52;
  r.check('Elf_Ehdr', 0, ehsize);
  // Offsets of the fields after e_version: e_entry, e_phoff, e_shoff are word-sized.
  const entryAt = 24;
  const phoffAt = entryAt + w;
  const shoffAt = phoffAt + w;
  const flagsAt = shoffAt + w;
  const h = {
    class: (is64 ? 64 : 32) as 32 | 64,
    endian: (r.littleEndian ? 'little' : 'big') as 'little' | 'big',
    osabi: r.u8('e_ident[EI_OSABI]', 7),
    abiVersion: r.u8('e_ident[EI_ABIVERSION]', 8),
    type: r.u16('e_type', 16),
    machine: r.u16('e_machine', 18),
    version: r.u32('e_version', 20),
    entry: r.word('e_entry', entryAt, is64),
    phoff: r.safeWord('e_phoff', phoffAt, is64),
    shoff: r.safeWord('e_shoff', shoffAt, is64),
    flags: r.u32('e_flags', flagsAt),
    ehsize: r.u16('e_ehsize', flagsAt + 4),
    phentsize: r.u16('e_phentsize', flagsAt + 6),
    phnum: r.u16('e_phnum', flagsAt + 8),
    shentsize: r.u16('e_shentsize', flagsAt + 10),
    shnum: r.u16('e_shnum', flagsAt + 12),
    shstrndx: r.u16('e_shstrndx', flagsAt + 14),
  };
  if (h.shoff !== 0) {
    const shdrSize = is64 ? 64 : 40;
    if (h.shentsize < shdrSize) {
      throw new ElfError(
        'e_shentsize',
        flagsAt + 10,
        `${h.shentsize} is smaller than a section header (${shdrSize})`,
      );
    }
    // Extended numbering: section 0 holds the real count and string-table index when they overflow 16 bits.
    if (h.shnum === 0 || h.shstrndx === SHN_XINDEX) {
      r.check('section header 0', h.shoff, shdrSize);
      if (h.shnum === 0) h.shnum = r.safeWord('sh_size[0]', h.shoff + (is64 ? 32 : 20), is64);
      if (h.shstrndx === SHN_XINDEX) h.shstrndx = r.u32('sh_link[0]', h.shoff + (is64 ? 40 : 24));
    }
    // Checked before any loop: a huge count must not make us iterate.
    const tableSize = h.shnum * h.shentsize;
    if (h.shoff + tableSize > r.size) {
      throw new ElfError(
        'e_shoff',
        shoffAt,
        `${h.shnum} section headers of ${h.shentsize} bytes at 0x${h.shoff.toString(16)} extend past the end of the ${r.size}-byte file`,
      );
    }
  } else {
    h.shnum = 0;
    h.shstrndx = 0;
  }
  if (h.shstrndx !== 0 && h.shstrndx >= h.shnum) {
    throw new ElfError(
      'e_shstrndx',
      flagsAt + 14,
      `index ${h.shstrndx} is not below the section count ${h.shnum}`,
    );
  }
  if (h.phoff !== 0 && h.phnum !== 0) {
    const phdrSize = is64 ? 56 : 32;
    if (h.phentsize < phdrSize) {
      throw new ElfError(
        'e_phentsize',
        flagsAt + 6,
        `${h.phentsize} is smaller than a program header (${phdrSize})`,
      );
    }
    if (h.phoff + h.phnum * h.phentsize > r.size) {
      throw new ElfError(
        'e_phoff',
        phoffAt,
        `${h.phnum} program headers of ${h.phentsize} bytes extend past the end of the ${r.size}-byte file`,
      );
    }
  } else {
    h.phnum = 0;
  }
  return h;
}
