/**
 * Where each symbol of the module lives: in one of its sections, at an absolute value, in the
 * COMMON area, or outside (an import resolved through the caller's resolver). Every unresolved
 * import is collected so that one UnresolvedSymbolsError names them all.
 */
import {
  SHN_ABS,
  SHN_COMMON,
  SHN_LORESERVE,
  SHN_UNDEF,
  STB_LOCAL,
  STB_WEAK,
} from '../elf/constants.js';
import type { ElfFile } from '../elf/types.js';
import { ElfError, UnresolvedSymbolsError } from '../errors.js';
import type { SymbolResolver } from './types.js';

/** The symbol that names the GOT itself (GNU ld defines it; assembler code refers to it). */
export const GLOBAL_OFFSET_TABLE = '_GLOBAL_OFFSET_TABLE_';

export type SymbolPlace =
  | { readonly kind: 'none' }
  | { readonly kind: 'section'; readonly section: number; readonly offset: bigint }
  | { readonly kind: 'absolute'; readonly value: bigint }
  | { readonly kind: 'common' }
  | { readonly kind: 'import'; readonly address: bigint }
  | { readonly kind: 'got' }
  /** Defined in a section that is not loaded (debug info, an empty section). */
  | { readonly kind: 'unloaded'; readonly section: string };

export interface ResolvedSymbols {
  readonly places: SymbolPlace[];
  readonly imports: Map<string, bigint>;
  /** Some symbol is _GLOBAL_OFFSET_TABLE_. */
  readonly namesGot: boolean;
}

const NONE: SymbolPlace = { kind: 'none' };
const GOT: SymbolPlace = { kind: 'got' };
const COMMON: SymbolPlace = { kind: 'common' };

/**
 * What the file alone says about each symbol: its place when it is defined (section, absolute,
 * COMMON, GOT, unloaded), and which symbols are imports. Checked once (the ElfErrors below are
 * about the file, thrown in symbol order) and memoized per ElfFile for the sections linkModule
 * loads, so a module linked again (parseElfShared) only resolves its imports.
 */
interface FilePlaces {
  /** Every symbol's place; imports hold NONE here, replaced per link. */
  readonly places: readonly SymbolPlace[];
  /** Indices of the named, non-local undefined symbols other than _GLOBAL_OFFSET_TABLE_. */
  readonly imports: readonly number[];
  readonly namesGot: boolean;
}

const filePlaces = new WeakMap<ElfFile, FilePlaces>();

function filePlacesOf(elf: ElfFile, loaded: ReadonlySet<number>): FilePlaces {
  let fp = filePlaces.get(elf);
  if (!fp) {
    fp = placeSymbols(elf, loaded);
    filePlaces.set(elf, fp);
  }
  return fp;
}

function placeSymbols(elf: ElfFile, loaded: ReadonlySet<number>): FilePlaces {
  const places: SymbolPlace[] = new Array(elf.symbols.length);
  const imports: number[] = [];
  let namesGot = false;
  places[0] = NONE;
  for (let i = 1; i < elf.symbols.length; i++) {
    const sym = elf.symbols[i]!;
    const shndx = sym.shndx;
    if (shndx === SHN_UNDEF) {
      places[i] = NONE;
      if (sym.name === '') continue;
      if (sym.bind === STB_LOCAL) {
        throw new ElfError('st_shndx', sym.entryOffset, `local symbol ${sym.name} is undefined`);
      }
      if (sym.name === GLOBAL_OFFSET_TABLE) {
        namesGot = true;
        places[i] = GOT;
        continue;
      }
      imports.push(i);
    } else if (shndx === SHN_ABS) {
      places[i] = { kind: 'absolute', value: sym.value };
    } else if (shndx === SHN_COMMON) {
      places[i] = COMMON;
    } else if (shndx >= SHN_LORESERVE && shndx >= elf.sections.length) {
      throw new ElfError(
        'st_shndx',
        sym.entryOffset,
        `symbol ${sym.name} uses reserved section index 0x${shndx.toString(16)}`,
      );
    } else {
      const section = elf.sections[shndx]!;
      if (!loaded.has(shndx)) {
        places[i] = { kind: 'unloaded', section: section.name };
        continue;
      }
      if (sym.value > BigInt(section.size)) {
        throw new ElfError(
          'st_value',
          sym.entryOffset,
          `symbol ${sym.name || i} lies past the end of ${section.name}`,
        );
      }
      places[i] = { kind: 'section', section: shndx, offset: sym.value };
    }
  }
  return { places, imports, namesGot };
}

/**
 * Places of every symbol for one link: the file's own places (filePlacesOf, for the sections
 * linkModule loads) with each import resolved through `resolve`, once per name.
 */
export function resolveSymbols(
  elf: ElfFile,
  loaded: ReadonlySet<number>,
  resolve: SymbolResolver,
  allowWeakUndefined: boolean,
  /** Symbol indices some relocation of a loaded section refers to. */
  referenced: ReadonlySet<number>,
): ResolvedSymbols {
  const fp = filePlacesOf(elf, loaded);
  const places = fp.places.slice();
  const imports = new Map<string, bigint>();
  const missing = new Set<string>();
  const weak = new Set<string>();
  for (const i of fp.imports) {
    const sym = elf.symbols[i]!;
    if (sym.bind === STB_WEAK && !allowWeakUndefined) {
      // kobj fails on a weak undefined symbol when a relocation looks it up; unused ones pass.
      if (referenced.has(i)) weak.add(sym.name);
      continue;
    }
    let address = imports.get(sym.name);
    if (address === undefined) {
      address = resolve(sym.name);
      if (address === undefined && sym.bind === STB_WEAK) address = 0n;
      if (address === undefined) {
        missing.add(sym.name);
        continue;
      }
      address = BigInt.asUintN(64, address);
      imports.set(sym.name, address);
    }
    places[i] = { kind: 'import', address };
  }
  if (missing.size || weak.size) {
    throw new UnresolvedSymbolsError([...missing].sort(), [...weak].sort());
  }
  return { places, imports, namesGot: fp.namesGot };
}

/** Addresses of every symbol once sections, COMMON and GOT are placed (undefined: none). */
export function symbolAddresses(
  places: readonly SymbolPlace[],
  where: { section: (index: number) => bigint; common: (symbol: number) => bigint; got: bigint },
): (bigint | undefined)[] {
  const addresses: (bigint | undefined)[] = new Array(places.length);
  for (let i = 0; i < places.length; i++) {
    const p = places[i]!;
    switch (p.kind) {
      case 'section':
        addresses[i] = BigInt.asUintN(64, where.section(p.section) + p.offset);
        break;
      case 'absolute':
        addresses[i] = p.value;
        break;
      case 'common':
        addresses[i] = where.common(i);
        break;
      case 'import':
        addresses[i] = p.address;
        break;
      case 'got':
        addresses[i] = where.got;
        break;
      default:
        addresses[i] = undefined;
    }
  }
  return addresses;
}
