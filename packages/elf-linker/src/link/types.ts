/** The interfaces a caller supplies to place a module, and what a linked module offers back. */
import type { ElfFile } from '../elf/types.js';
import type { LinkedModuleMetadata } from '../netbsd/modinfo.js';

export interface SectionRequest {
  /** Section name (`.text`, `link_set_modules`), or `COMMON` / `.got` for areas the linker makes. */
  readonly name: string;
  /** Bytes to reserve; never 0. */
  readonly size: number;
  /** Required alignment of the address, a power of two. */
  readonly align: number;
  readonly flags: { readonly write: boolean; readonly exec: boolean };
}

/**
 * Places sections in the target's address space. The NetBSD kernel uses the top 2 GiB
 * (0xffffffff80000000 and up), where -mcmodel=kernel code expects everything it references.
 */
export interface SectionAllocator {
  /** Returns the address of `request.size` bytes aligned to `request.align`. May throw when out of space. */
  allocate(request: SectionRequest): bigint;
  /** Returns an allocation made by `allocate`. */
  free(address: bigint, size: number): void;
}

/** Where the linked bytes go. Only called once the whole link has succeeded. */
export interface TargetMemory {
  write(address: bigint, bytes: Uint8Array): void;
  /** Optional fast path for zero-filled areas (.bss, COMMON); `write` of zeros otherwise. */
  zero?(address: bigint, size: number): void;
}

/** The address of an undefined symbol (kernel export, symbol of a loaded module), or undefined if unknown. */
export type SymbolResolver = (name: string) => bigint | undefined;

export interface LinkOptions {
  readonly allocator: SectionAllocator;
  readonly memory: TargetMemory;
  readonly resolve: SymbolResolver;
  /**
   * NetBSD's kobj refuses weak undefined symbols that relocations use; set this to resolve
   * them through `resolve`, and to 0 when it does not know them.
   */
  readonly allowWeakUndefined?: boolean;
  /**
   * Require NetBSD module metadata (link_set_modules with one modinfo). Default true; false
   * links any x86-64 relocatable object and leaves `metadata` undefined when it has none.
   */
  readonly requireModuleMetadata?: boolean;
}

export type LoadedSectionKind = 'text' | 'rodata' | 'data' | 'bss' | 'common' | 'got';

export interface LoadedSection {
  /** ELF section index; -1 for the areas the linker makes (COMMON, .got). */
  readonly index: number;
  readonly name: string;
  readonly address: bigint;
  readonly size: number;
  readonly align: number;
  readonly kind: LoadedSectionKind;
  readonly write: boolean;
  readonly exec: boolean;
}

export interface SymbolizedAddress {
  /** The nearest symbol at or below the address inside its section, or undefined if there is none. */
  readonly symbol: string | undefined;
  /** Bytes past the symbol (past the section start when there is no symbol). */
  readonly offset: number;
  readonly section: string;
  /** Bytes past the section start. */
  readonly sectionOffset: number;
}

export interface LinkedModule {
  readonly elf: ElfFile;
  /** Every allocation, in allocation order. */
  readonly sections: readonly LoadedSection[];
  /** Global and weak symbols the module defines, with their addresses. */
  readonly exports: ReadonlyMap<string, bigint>;
  /** Undefined symbols and the addresses they were resolved to (0 for accepted weak ones). */
  readonly imports: ReadonlyMap<string, bigint>;
  /** NetBSD metadata read from the relocated image; undefined only with `requireModuleMetadata: false`. */
  readonly metadata: LinkedModuleMetadata | undefined;
  /** Every allocated `link_set_*` section, by full section name, as relocated pointers. */
  readonly linkSets: ReadonlyMap<string, readonly bigint[]>;
  /** Applied relocations by type name. */
  readonly relocationCounts: ReadonlyMap<string, number>;
  /** Address of an exported symbol. */
  lookup(name: string): bigint | undefined;
  /** Address of any symbol the module defines, locals included (first match). */
  lookupAny(name: string): bigint | undefined;
  /** Names the module location of an address, or undefined if it lies outside every allocation. */
  symbolize(address: bigint): SymbolizedAddress | undefined;
  /** Frees every allocation through the allocator; later calls do nothing. */
  unload(): void;
}
