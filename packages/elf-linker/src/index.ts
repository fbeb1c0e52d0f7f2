/**
 * @rump/elf-linker: an ELF reader and a NetBSD kernel-module loader for x86-64 relocatable
 * objects (.kmod). Places sections through a caller-supplied allocator, writes through a
 * caller-supplied memory, resolves imports through a caller-supplied resolver.
 */
export * from './elf/constants.js';
export { parseElf } from './elf/parse.js';
export { parseElfShared } from './elf/parse-cache.js';
export type { RelocationTable } from './elf/relocation-table.js';
export type {
  ElfFile,
  ElfHeader,
  ElfNote,
  ElfProgramHeader,
  ElfRelocation,
  ElfRelocationSection,
  ElfSection,
  ElfSymbol,
} from './elf/types.js';
export {
  ElfError,
  ElfLinkerError,
  ModuleMetadataError,
  RelocationError,
  type RelocationProblem,
  UnresolvedSymbolsError,
} from './errors.js';
export {
  type InspectedLinkSet,
  type InspectedSection,
  type InspectedSymbol,
  inspectModule,
  type ModuleInspection,
  type ModuleSizes,
  readModuleInfo,
} from './inspect.js';
export { MAX_LOAD_SIZE } from './link/layout.js';
export { linkModule } from './link/link-module.js';
export { GLOBAL_OFFSET_TABLE } from './link/resolve-symbols.js';
export type {
  LinkedModule,
  LinkOptions,
  LoadedSection,
  LoadedSectionKind,
  SectionAllocator,
  SectionRequest,
  SymbolizedAddress,
  SymbolResolver,
  TargetMemory,
} from './link/types.js';
export { type NetbsdIdent, readNetbsdIdent } from './netbsd/ident-note.js';
export type { LinkedModuleMetadata, ModuleMetadata } from './netbsd/modinfo.js';
export { splitRequired } from './netbsd/modinfo.js';
export {
  LINK_SET_MODULES,
  MAXMODNAME,
  MODINFO,
  MODULE_CLASSES,
  type ModuleClass,
  netbsdVersionString,
} from './netbsd/module-abi.js';
export {
  type OverflowCheck,
  type RelocationFormula,
  type RelocationType,
  relocationType,
  relocationTypeName,
  SUPPORTED_RELOCATIONS,
  UNSUPPORTED_RELOCATIONS,
} from './x86-64/relocation-types.js';
