/**
 * inspectModule: what a module contains and needs, without linking it (used by `rump modinfo`
 * and by the kernel before loading): sections, sizes, imports, exports, relocation counts,
 * link sets and NetBSD metadata. Pointers in the metadata are recovered from the relocation
 * entries, since nothing is placed at an address.
 */
import {
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_NOBITS,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
} from './elf/constants.js';
import { parseElf } from './elf/parse.js';
import type { RelocationTable } from './elf/relocation-table.js';
import type { ElfFile, ElfSection } from './elf/types.js';
import { ModuleMetadataError } from './errors.js';
import { checkLoadable, layoutCommons, planSections } from './link/layout.js';
import { type SectionSymbols, sectionSymbolsOf } from './link/section-symbols.js';
import type { LoadedSectionKind } from './link/types.js';
import { type NetbsdIdent, readNetbsdIdent } from './netbsd/ident-note.js';
import {
  type ImageLocation,
  type ModuleImage,
  type ModuleMetadata,
  readModuleMetadata,
} from './netbsd/modinfo.js';
import { LINK_SET_PREFIX } from './netbsd/module-abi.js';
import { implicitAddend } from './x86-64/apply-relocation.js';
import { relocationType, relocationTypeName } from './x86-64/relocation-types.js';

export interface InspectedSection {
  readonly index: number;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly align: number;
  readonly alloc: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  /** How the linker loads it; undefined for sections it does not load. */
  readonly kind: LoadedSectionKind | undefined;
  /** Relocation entries that patch this section. */
  readonly relocations: number;
}

export interface InspectedSymbol {
  readonly name: string;
  /** Section name, `*ABS*` or `*COM*`. */
  readonly section: string;
  readonly value: bigint;
  readonly size: bigint;
  readonly type: 'func' | 'object' | 'notype' | 'other';
  readonly bind: 'global' | 'weak';
}

export interface ModuleSizes {
  readonly text: number;
  readonly rodata: number;
  readonly data: number;
  readonly bss: number;
  readonly common: number;
  /** Sum of the above: bytes the module occupies once loaded (alignment padding and GOT excluded). */
  readonly total: number;
}

export interface InspectedLinkSet {
  readonly name: string;
  /** What each pointer points to, as `symbol`, `symbol+0x8`, `section+0x10`, an import name, or `NULL`. */
  readonly entries: readonly string[];
}

export interface ModuleInspection {
  readonly format: {
    readonly class: 32 | 64;
    readonly endian: 'little' | 'big';
    readonly type: number;
    readonly machine: number;
  };
  readonly sections: readonly InspectedSection[];
  readonly sizes: ModuleSizes;
  /** Undefined global symbols, sorted. */
  readonly imports: readonly string[];
  /** Undefined weak symbols, sorted (NetBSD's kobj refuses them). */
  readonly weakImports: readonly string[];
  /** Defined global and weak symbols, sorted by name. */
  readonly exports: readonly InspectedSymbol[];
  /** Relocation entries of loaded sections, by type name. */
  readonly relocations: Readonly<Record<string, number>>;
  readonly linkSets: readonly InspectedLinkSet[];
  /** NetBSD module metadata, or undefined with `metadataError` saying why. */
  readonly metadata: ModuleMetadata | undefined;
  readonly metadataError: ModuleMetadataError | undefined;
  readonly ident: NetbsdIdent | undefined;
}

/** A ModuleImage over the unrelocated file: a pointer is whatever its relocation entry names. */
function symbolicImage(elf: ElfFile, symbols: SectionSymbols): ModuleImage {
  // Relocations by patched section and offset, decoded only for the sections asked about
  // (link sets, the modinfo's section): debug sections can hold most of a module's entries.
  const bySection = new Map<
    number,
    { table: RelocationTable; at: Map<number, number> } | undefined
  >();
  const relocationsOf = (index: number) => {
    if (bySection.has(index)) return bySection.get(index);
    const rel = elf.relocationSections.find(
      (r) => r.target === index && r.symtab === elf.symtabIndex,
    );
    let found: { table: RelocationTable; at: Map<number, number> } | undefined;
    if (rel) {
      const table = elf.relocationTable(rel);
      // Entry index by offset; the last entry for an offset wins, as a map of the entries would.
      const at = new Map<number, number>();
      for (let i = 0; i < table.count; i++) if (table.exact[i]! & 1) at.set(table.offset[i]!, i);
      found = { table, at };
    }
    bySection.set(index, found);
    return found;
  };
  // Always exactly `length` bytes: what the file lacks (SHT_NOBITS, a cut section) reads as zeros.
  const bytes = (section: ElfSection, offset: number, length: number): Uint8Array => {
    const data =
      section.type === SHT_NOBITS
        ? undefined
        : elf.sectionData(section).subarray(offset, offset + length);
    if (data && data.byteLength === length) return data;
    const out = new Uint8Array(length);
    if (data) out.set(data);
    return out;
  };
  const at = (section: ElfSection, offset: bigint): ImageLocation => {
    const o = Number(offset);
    return { section, offset: o, symbol: symbols.describe(section.index, section.name, o) };
  };
  return {
    bytes,
    pointer(section, offset) {
      const raw = bytes(section, offset, 8);
      if (raw.byteLength < 8) return null;
      const stored =
        raw.byteLength === 8
          ? new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true)
          : 0n;
      const relocs = relocationsOf(section.index);
      const i = relocs?.at.get(offset);
      if (i === undefined)
        return stored === 0n ? null : { section: undefined, offset: 0, address: stored };
      const table = relocs!.table;
      const type = table.type[i]!;
      const rt = relocationType(type);
      if (rt?.size !== 8)
        return { section: undefined, offset: 0, symbol: relocationTypeName(type) };
      const view = new DataView(raw.buffer, raw.byteOffset, 8);
      const addend = table.rela ? table.addendBig(i) : implicitAddend(view, 0, rt);
      if (rt.formula === 'B+A') return at(section, addend);
      const sym = elf.symbols[table.symbol[i]!]!;
      if (sym.shndx === SHN_UNDEF) return { section: undefined, offset: 0, symbol: sym.name };
      const target = elf.sections[sym.shndx];
      if (!target || sym.shndx >= 0xff00 || !(target.flags & SHF_ALLOC))
        return { section: undefined, offset: 0, symbol: sym.name };
      return at(target, sym.value + addend);
    },
  };
}

function symbolType(type: number): InspectedSymbol['type'] {
  if (type === STT_FUNC) return 'func';
  if (type === STT_OBJECT) return 'object';
  if (type === 0) return 'notype';
  return 'other';
}

/**
 * A module's NetBSD metadata (what `inspectModule(bytes).metadata` holds) from its parsed file,
 * after the same checks inspectModule makes — loadable x86-64 ET_REL, sections and COMMON
 * within limits, relocation entries of loaded sections valid — without the rest of the
 * inspection. Throws ElfError for a file that is not loadable, ModuleMetadataError for
 * metadata that is missing or wrong. The kernel calls this before loading what a module
 * requires, then links the same ElfFile with `linkModule(elf, ...)`.
 */
export function readModuleInfo(elf: ElfFile): ModuleMetadata {
  // Metadata is a pure function of the file: a file shared through parseElfShared is read once.
  let meta = moduleInfoRead.get(elf);
  if (!meta) {
    meta = readModuleInfoOnce(elf);
    moduleInfoRead.set(elf, meta);
  }
  return meta;
}

const moduleInfoRead = new WeakMap<ElfFile, ModuleMetadata>();

function readModuleInfoOnce(elf: ElfFile): ModuleMetadata {
  checkLoadable(elf);
  const plan = planSections(elf);
  layoutCommons(elf);
  const loaded = new Set(plan.map((p) => p.section.index));
  for (const rel of elf.relocationSections) if (loaded.has(rel.target)) elf.relocationTable(rel);
  const {
    modinfo: _modinfo,
    modcmd: _modcmd,
    ...rest
  } = readModuleMetadata(elf, symbolicImage(elf, sectionSymbolsOf(elf)));
  return rest;
}

export function inspectModule(bytes: Uint8Array): ModuleInspection {
  const elf = parseElf(bytes);
  checkLoadable(elf);
  const plan = planSections(elf);
  const kinds = new Map(plan.map((p) => [p.section.index, p.kind]));
  const commons = layoutCommons(elf);
  const relocCount = new Map<number, number>();
  const relocations: Record<string, number> = {};
  for (const rel of elf.relocationSections) {
    relocCount.set(rel.target, (relocCount.get(rel.target) ?? 0) + rel.count);
    if (!kinds.has(rel.target)) continue;
    const table = elf.relocationTable(rel);
    for (let i = 0; i < table.count; i++) {
      const name = relocationTypeName(table.type[i]!);
      relocations[name] = (relocations[name] ?? 0) + 1;
    }
  }
  const sections: InspectedSection[] = elf.sections.slice(1).map((s) => ({
    index: s.index,
    name: s.name,
    type: s.typeName,
    size: s.size,
    align: s.addralign,
    alloc: (s.flags & SHF_ALLOC) !== 0,
    write: (s.flags & SHF_WRITE) !== 0,
    exec: (s.flags & SHF_EXECINSTR) !== 0,
    kind: kinds.get(s.index),
    relocations: relocCount.get(s.index) ?? 0,
  }));
  const sum = (k: LoadedSectionKind) =>
    plan.filter((p) => p.kind === k).reduce((n, p) => n + p.size, 0);
  const common = commons ? (commons.offsets.size ? commons.size : 0) : 0;
  const sizes = {
    text: sum('text'),
    rodata: sum('rodata'),
    data: sum('data'),
    bss: sum('bss'),
    common,
    total: 0,
  };
  sizes.total = sizes.text + sizes.rodata + sizes.data + sizes.bss + sizes.common;

  const imports = new Set<string>();
  const weakImports = new Set<string>();
  const exports: InspectedSymbol[] = [];
  for (const sym of elf.symbols) {
    if (sym.index === 0 || sym.name === '' || sym.bind === STB_LOCAL) continue;
    if (sym.type === STT_SECTION || sym.type === STT_FILE) continue;
    if (sym.shndx === SHN_UNDEF) {
      (sym.bind === STB_WEAK ? weakImports : imports).add(sym.name);
      continue;
    }
    exports.push({
      name: sym.name,
      section:
        sym.shndx === SHN_ABS
          ? '*ABS*'
          : sym.shndx === SHN_COMMON
            ? '*COM*'
            : (elf.sections[sym.shndx]?.name ?? `#${sym.shndx}`),
      value: sym.value,
      size: sym.size,
      type: symbolType(sym.type),
      bind: sym.bind === STB_WEAK ? 'weak' : 'global',
    });
  }
  exports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const symbols = sectionSymbolsOf(elf);
  const image = symbolicImage(elf, symbols);
  const linkSets: InspectedLinkSet[] = [];
  for (const p of plan) {
    const s = p.section;
    if (!s.name.startsWith(LINK_SET_PREFIX)) continue;
    const entries: string[] = [];
    for (let o = 0; o + 8 <= s.size; o += 8) {
      const loc = image.pointer(s, o);
      entries.push(loc === null ? 'NULL' : (loc.symbol ?? `0x${(loc.address ?? 0n).toString(16)}`));
    }
    linkSets.push({ name: s.name, entries });
  }

  let metadata: ModuleMetadata | undefined;
  let metadataError: ModuleMetadataError | undefined;
  try {
    const { modinfo: _modinfo, modcmd: _modcmd, ...rest } = readModuleMetadata(elf, image);
    metadata = rest;
  } catch (e) {
    if (!(e instanceof ModuleMetadataError)) throw e;
    metadataError = e;
  }
  const h = elf.header;
  return {
    format: { class: h.class, endian: h.endian, type: h.type, machine: h.machine },
    sections,
    sizes,
    imports: [...imports].sort(),
    weakImports: [...weakImports].sort(),
    exports,
    relocations,
    linkSets,
    metadata,
    metadataError,
    ident: readNetbsdIdent(elf),
  };
}
