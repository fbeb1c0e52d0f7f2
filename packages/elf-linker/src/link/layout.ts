/**
 * What a module needs allocated: each SHF_ALLOC section, one area for its COMMON symbols,
 * and (only when some relocation asks for it) a small GOT. Sizes and alignments are checked
 * against generous limits first, so a corrupt header cannot request terabytes.
 */
import {
  EM_X86_64,
  ET_REL,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_TLS,
  SHF_WRITE,
  SHN_COMMON,
  SHT_NOBITS,
  SHT_NULL,
} from '../elf/constants.js';
import type { ElfFile, ElfSection } from '../elf/types.js';
import { ElfError } from '../errors.js';
import type { LoadedSectionKind } from './types.js';

/** No kernel module section, COMMON area or alignment is anywhere near 1 GiB. */
export const MAX_LOAD_SIZE = 2 ** 30;

export interface PlannedSection {
  readonly section: ElfSection;
  readonly size: number;
  readonly align: number;
  readonly kind: LoadedSectionKind;
  readonly write: boolean;
  readonly exec: boolean;
}

export interface CommonLayout {
  /** Offset of each COMMON symbol (by symbol index) inside the COMMON area. */
  readonly offsets: Map<number, number>;
  readonly size: number;
  readonly align: number;
}

/** Refuses anything but a little-endian ELF64 x86-64 relocatable object. */
export function checkLoadable(elf: ElfFile): void {
  const h = elf.header;
  if (h.class !== 64) throw new ElfError('e_ident[EI_CLASS]', 4, 'a kernel module must be ELF64');
  if (h.endian !== 'little')
    throw new ElfError('e_ident[EI_DATA]', 5, 'an x86-64 module must be little-endian');
  if (h.type !== ET_REL)
    throw new ElfError(
      'e_type',
      16,
      `type ${h.type} is not ET_REL (a relocatable object, as .kmod files are)`,
    );
  if (h.machine !== EM_X86_64)
    throw new ElfError('e_machine', 18, `machine ${h.machine} is not EM_X86_64`);
  if (elf.symtabIndex === 0) throw new ElfError('e_shnum', 0x3c, 'the object has no symbol table');
}

function kindOf(s: ElfSection): LoadedSectionKind {
  if (s.type === SHT_NOBITS) return 'bss';
  if (s.flags & SHF_EXECINSTR) return 'text';
  if (s.flags & SHF_WRITE) return 'data';
  return 'rodata';
}

export function planSections(elf: ElfFile): PlannedSection[] {
  const out: PlannedSection[] = [];
  for (const s of elf.sections) {
    if (s.index === 0 || !(s.flags & SHF_ALLOC) || s.size === 0) continue;
    if (s.type === SHT_NULL) {
      throw new ElfError(
        `sh_type[${s.index}]`,
        s.headerOffset,
        `allocated section ${s.name} has type SHT_NULL`,
      );
    }
    if (s.flags & SHF_TLS) {
      throw new ElfError(
        `sh_flags[${s.index}]`,
        s.headerOffset,
        `${s.name} is thread-local storage, which kernel modules cannot have`,
      );
    }
    if (s.size > MAX_LOAD_SIZE) {
      throw new ElfError(
        `sh_size[${s.index}]`,
        s.headerOffset,
        `${s.name} is ${s.size} bytes, more than a module section can be (${MAX_LOAD_SIZE})`,
      );
    }
    if (s.addralign > MAX_LOAD_SIZE) {
      throw new ElfError(
        `sh_addralign[${s.index}]`,
        s.headerOffset,
        `${s.name} asks for ${s.addralign}-byte alignment`,
      );
    }
    out.push({
      section: s,
      size: s.size,
      align: Math.max(1, s.addralign),
      kind: kindOf(s),
      write: (s.flags & SHF_WRITE) !== 0,
      exec: (s.flags & SHF_EXECINSTR) !== 0,
    });
  }
  return out;
}

/** Lays out COMMON symbols in symbol-table order, each at its st_value alignment. */
export function layoutCommons(elf: ElfFile): CommonLayout | undefined {
  const offsets = new Map<number, number>();
  let size = 0;
  let align = 1;
  for (const sym of elf.symbols) {
    if (sym.index === 0 || sym.shndx !== SHN_COMMON) continue;
    // For COMMON symbols st_value is the alignment (gABI).
    const a = sym.value === 0n ? 1 : Number(sym.value);
    if (sym.value > BigInt(MAX_LOAD_SIZE) || 2 ** Math.round(Math.log2(a)) !== a) {
      throw new ElfError(
        'st_value',
        sym.entryOffset,
        `COMMON symbol ${sym.name} has alignment ${sym.value}, not a power of two up to ${MAX_LOAD_SIZE}`,
      );
    }
    if (sym.size > BigInt(MAX_LOAD_SIZE)) {
      throw new ElfError(
        'st_size',
        sym.entryOffset,
        `COMMON symbol ${sym.name} is ${sym.size} bytes`,
      );
    }
    size = Math.ceil(size / a) * a;
    offsets.set(sym.index, size);
    size += Number(sym.size);
    if (size > MAX_LOAD_SIZE)
      throw new ElfError(
        'st_size',
        sym.entryOffset,
        `COMMON symbols exceed ${MAX_LOAD_SIZE} bytes`,
      );
    align = Math.max(align, a);
  }
  return offsets.size ? { offsets, size: Math.max(size, 1), align } : undefined;
}
