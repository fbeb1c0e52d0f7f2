/** The parsed form of an ELF file. Addresses and symbol values are bigint; file offsets and sizes are numbers. */
import type { RelocationTable } from './relocation-table.js';

export interface ElfHeader {
  /** 32 or 64 (EI_CLASS). */
  readonly class: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly osabi: number;
  readonly abiVersion: number;
  /** e_type: ET_REL, ET_EXEC, ET_DYN, ... */
  readonly type: number;
  /** e_machine: EM_X86_64, EM_386, ... */
  readonly machine: number;
  readonly version: number;
  readonly entry: bigint;
  readonly phoff: number;
  readonly shoff: number;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  /** Number of program headers. */
  readonly phnum: number;
  readonly shentsize: number;
  /** Number of section headers (from section 0's sh_size when e_shnum is 0). */
  readonly shnum: number;
  /** Index of the section-name string table (from section 0's sh_link when e_shstrndx is SHN_XINDEX). */
  readonly shstrndx: number;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  /** sh_type, e.g. SHT_PROGBITS. */
  readonly type: number;
  /** `PROGBITS`, `NOBITS`, ... or `0x...` for types this package does not name. */
  readonly typeName: string;
  /** sh_flags (the low 32 bits; no defined flag lies above them). */
  readonly flags: number;
  readonly addr: bigint;
  /** File offset of the contents (meaningless for SHT_NOBITS and SHT_NULL). */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  /** Alignment: 0 or 1 mean none; always a power of two otherwise. */
  readonly addralign: number;
  readonly entsize: number;
  /** File offset of this section's header, for error messages. */
  readonly headerOffset: number;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** STB_LOCAL, STB_GLOBAL, STB_WEAK, ... */
  readonly bind: number;
  /** STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, ... */
  readonly type: number;
  /** st_other & 3: STV_DEFAULT, STV_INTERNAL, STV_HIDDEN, STV_PROTECTED. */
  readonly visibility: number;
  /** Section index, with SHN_XINDEX already replaced by the SYMTAB_SHNDX entry. */
  readonly shndx: number;
  /** File offset of this symbol's entry, for error messages. */
  readonly entryOffset: number;
}

export interface ElfRelocationSection {
  /** The SHT_REL or SHT_RELA section itself. */
  readonly section: ElfSection;
  /** Index of the section the relocations patch (sh_info). */
  readonly target: number;
  /** Index of the symbol table they refer to (sh_link). */
  readonly symtab: number;
  /** True for SHT_RELA (explicit addends), false for SHT_REL (addends stored in the patched field). */
  readonly rela: boolean;
  readonly count: number;
}

export interface ElfRelocation {
  /** Offset of the patched field inside the target section (ET_REL) or its address. */
  readonly offset: bigint;
  /** ELF64_R_TYPE / ELF32_R_TYPE. */
  readonly type: number;
  /** Symbol-table index (ELF64_R_SYM / ELF32_R_SYM). */
  readonly symbol: number;
  /** Explicit addend (RELA); 0 for REL, whose addend sits in the patched field. */
  readonly addend: bigint;
  /** File offset of this entry, for error messages. */
  readonly entryOffset: number;
}

export interface ElfNote {
  /** Section (SHT_NOTE) holding the note. */
  readonly section: string;
  /** Owner name without its NUL, e.g. `NetBSD`, `GNU`. */
  readonly name: string;
  readonly type: number;
  readonly desc: Uint8Array;
  readonly offset: number;
}

export interface ElfProgramHeader {
  readonly index: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: number;
  readonly memsz: bigint;
  readonly align: bigint;
}

export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  readonly programHeaders: readonly ElfProgramHeader[];
  /** The SHT_SYMTAB entries, index 0 (the null symbol) included; empty without a symbol table. */
  readonly symbols: readonly ElfSymbol[];
  /** Index of the SHT_SYMTAB section, or 0 when there is none. */
  readonly symtabIndex: number;
  readonly relocationSections: readonly ElfRelocationSection[];
  readonly notes: readonly ElfNote[];
  /** The section named `name`, if any (the first, when several share it). */
  section(name: string): ElfSection | undefined;
  /** A section's file contents; empty for SHT_NOBITS and SHT_NULL. */
  sectionData(section: ElfSection): Uint8Array;
  /** Decodes one relocation section's entries, each validated. */
  relocations(rel: ElfRelocationSection): ElfRelocation[];
  /**
   * The same entries, validated the same way, as parallel typed arrays (no object or BigInt per
   * entry): what the linker reads. Decoded once per section.
   */
  relocationTable(rel: ElfRelocationSection): RelocationTable;
}
