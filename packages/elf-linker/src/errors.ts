/**
 * Every failure this package reports is one of these classes, so a caller can tell bad input
 * (ElfError), an impossible relocation (RelocationError), missing imports
 * (UnresolvedSymbolsError) and a malformed NetBSD module (ModuleMetadataError) apart,
 * and catch all of them as ElfLinkerError. Nothing else escapes the parser or the linker.
 */

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** Base class of every error the package throws on bad input. */
export abstract class ElfLinkerError extends Error {
  override name = 'ElfLinkerError';
}

/** The bytes are not a well-formed ELF file (or not one this loader can load). */
export class ElfError extends ElfLinkerError {
  override name = 'ElfError';
  constructor(
    /** The ELF structure field at fault, e.g. `e_shoff`, `sh_size`, `st_name`, `r_info`. */
    readonly field: string,
    /** File offset of that field (or of the structure holding it). */
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`ELF ${field} at file offset ${hex(offset)}: ${detail}`);
  }
}

export type RelocationProblem =
  | 'unknown-type'
  | 'unsupported-type'
  | 'overflow'
  | 'symbol-not-loaded';

/** A relocation cannot be applied: unknown or unsupported type, or its value does not fit its field. */
export class RelocationError extends ElfLinkerError {
  override name = 'RelocationError';
  constructor(
    readonly problem: RelocationProblem,
    /** Numeric relocation type (`ELF64_R_TYPE`). */
    readonly type: number,
    /** `R_X86_64_PC32`, or `unknown type 0x..`. */
    readonly typeName: string,
    /** Name of the referenced symbol (section name for section symbols). */
    readonly symbol: string,
    /** Section the relocation patches. */
    readonly section: string,
    /** Offset of the patched field inside that section. */
    readonly offset: bigint,
    detail: string,
    /** The computed value that did not fit, for overflows. */
    readonly value?: bigint,
  ) {
    super(`${typeName} against ${symbol || '(no symbol)'} at ${section}+${hex(offset)}: ${detail}`);
  }
}

/** Undefined symbols the resolver could not supply, and weak undefined symbols refused. */
export class UnresolvedSymbolsError extends ElfLinkerError {
  override name = 'UnresolvedSymbolsError';
  constructor(
    /** Names the resolver did not know, sorted. */
    readonly names: readonly string[],
    /** Weak undefined names refused because `allowWeakUndefined` was not set, sorted. */
    readonly weak: readonly string[] = [],
  ) {
    const parts: string[] = [];
    if (names.length) parts.push(`${names.length} unresolved symbol(s): ${names.join(', ')}`);
    if (weak.length)
      parts.push(
        `${weak.length} weak undefined symbol(s) refused (NetBSD kobj does not support them): ${weak.join(', ')}`,
      );
    super(parts.join('; '));
  }
}

/** The object links but is not a valid NetBSD module: link_set_modules or its modinfo is wrong. */
export class ModuleMetadataError extends ElfLinkerError {
  override name = 'ModuleMetadataError';
  constructor(
    /** What is wrong, e.g. `link_set_modules`, `mi_name`, `mi_class`. */
    readonly field: string,
    readonly detail: string,
  ) {
    super(`module metadata ${field}: ${detail}`);
  }
}
