/**
 * Applying relocations to the section images. Collection happens before anything is
 * allocated, so unknown types and out-of-range offsets fail without side effects; application
 * happens on local copies, so an overflow leaves the target memory untouched.
 */
import { SHF_ALLOC, SHT_NOBITS } from '../elf/constants.js';
import type { RelocationTable } from '../elf/relocation-table.js';
import type { ElfFile, ElfSection } from '../elf/types.js';
import { ElfError, RelocationError } from '../errors.js';
import {
  fitsField,
  implicitAddend,
  relocationValue,
  storeField,
} from '../x86-64/apply-relocation.js';
import {
  type RelocationFormula,
  type RelocationType,
  relocationType,
  relocationTypeName,
  SUPPORTED_RELOCATIONS,
  UNSUPPORTED_RELOCATIONS,
} from '../x86-64/relocation-types.js';
import type { SymbolPlace } from './resolve-symbols.js';

export interface RelocationBatch {
  readonly target: ElfSection;
  readonly rela: boolean;
  readonly table: RelocationTable;
  readonly types: readonly RelocationType[];
}

export interface CollectedRelocations {
  readonly batches: RelocationBatch[];
  /** GOT slot of each symbol index that needs one, in first-use order. */
  readonly gotSlots: Map<number, number>;
  readonly needsGot: boolean;
  /** Symbol indices the relocations refer to. */
  readonly referenced: Set<number>;
}

function symbolName(elf: ElfFile, index: number): string {
  const sym = elf.symbols[index];
  if (!sym) return '';
  if (sym.name) return sym.name;
  return elf.sections[sym.shndx]?.name ?? '';
}

/**
 * collectRelocations for the sections linkModule loads (`planSections`), memoized per ElfFile:
 * the result depends on the file alone and nobody changes it after, so a file linked again (a
 * module loaded into a second kernel, see parseElfShared) is not decoded and checked again.
 */
export function collectPlannedRelocations(
  elf: ElfFile,
  loaded: ReadonlySet<number>,
): CollectedRelocations {
  let c = collectedOf.get(elf);
  if (!c) {
    c = collectRelocations(elf, loaded);
    collectedOf.set(elf, c);
  }
  return c;
}

const collectedOf = new WeakMap<ElfFile, CollectedRelocations>();

/** Decodes the relocations of every loaded section and checks types and offsets. */
export function collectRelocations(
  elf: ElfFile,
  loaded: ReadonlySet<number>,
): CollectedRelocations {
  const batches: RelocationBatch[] = [];
  const gotSlots = new Map<number, number>();
  const referenced = new Set<number>();
  let needsGot = false;
  for (const rel of elf.relocationSections) {
    const target = elf.sections[rel.target]!;
    // Relocations of sections that are not loaded (debug info) are not needed.
    if (!(target.flags & SHF_ALLOC) || !loaded.has(target.index)) continue;
    if (rel.count > 0 && rel.symtab !== elf.symtabIndex) {
      throw new ElfError(
        `sh_link[${rel.section.index}]`,
        rel.section.headerOffset,
        `relocations of ${target.name} use section ${rel.symtab}, not the symbol table`,
      );
    }
    const table = elf.relocationTable(rel);
    const n = table.count;
    const types: RelocationType[] = new Array(n);
    const nobits = target.type === SHT_NOBITS;
    const size = target.size;
    for (let i = 0; i < n; i++) {
      const type = table.type[i]!;
      const symbol = table.symbol[i]!;
      const rt = relocationType(type);
      if (!rt) {
        const known = UNSUPPORTED_RELOCATIONS[type] !== undefined;
        throw new RelocationError(
          known ? 'unsupported-type' : 'unknown-type',
          type,
          relocationTypeName(type),
          symbolName(elf, symbol),
          target.name,
          table.offsetBig(i),
          known
            ? 'this relocation type has no meaning in a kernel module'
            : 'unknown x86-64 relocation type',
        );
      }
      if (nobits && rt.size > 0) {
        throw new ElfError(
          'r_offset',
          table.entryOffset(i),
          `relocation patches ${target.name}, which has no contents`,
        );
      }
      // An inexact offset is at least 2^53, far past any section.
      if (!(table.exact[i]! & 1) || table.offset[i]! + rt.size > size) {
        throw new ElfError(
          'r_offset',
          table.entryOffset(i),
          `${rt.name} field at 0x${table.offsetBig(i).toString(16)} lies outside ${target.name} (${size} bytes)`,
        );
      }
      if (rt.formula !== 'none' && rt.formula !== 'B+A') referenced.add(symbol);
      if (rt.gotEntry && !gotSlots.has(symbol)) gotSlots.set(symbol, gotSlots.size);
      if (rt.gotBase || rt.gotEntry) needsGot = true;
      types[i] = rt;
    }
    batches.push({ target, rela: rel.rela, table, types });
  }
  return { batches, gotSlots, needsGot, referenced };
}

/**
 * How `numericAddresses` holds each symbol: no address (0), `addressNumbers[i]` is the address
 * read as a signed 64-bit value, exactly (ADDRESS_NUMBER), or too far from 0 for exact double
 * sums, so the BigInt path takes it (ADDRESS_BIG).
 */
export const ADDRESS_NUMBER = 1;
export const ADDRESS_BIG = 2;

/** |x| below this keeps a sum of four such terms exact in a double. */
const SAFE_TERM = 2 ** 51;

/** An address as a signed double when that is exact and small enough to sum; else NaN. */
export function signedNumber(a: bigint): number {
  const v = Number(BigInt.asIntN(64, a));
  return v > -SAFE_TERM && v < SAFE_TERM ? v : Number.NaN;
}

/**
 * The addresses again as signed doubles: kernel addresses (0xffffffff80000000 and up) are small
 * negative numbers, so S + A - P and friends are exact double sums equal to the BigInt result
 * modulo 2^64, which is all the overflow checks and the stored bytes depend on. Built from the
 * places and the placed areas' own numbers, so that a symbol in a section costs no BigInt
 * operation (only imports and absolute symbols convert their BigInt once).
 */
export function numericAddresses(
  places: readonly SymbolPlace[],
  where: {
    /** Signed number of a section's address (NaN when not exact). */
    section: (index: number) => number;
    /** Offset of a COMMON symbol inside the COMMON area. */
    commonOffset: (symbol: number) => number;
    common: number;
    got: number;
  },
): { numbers: Float64Array; kinds: Uint8Array } {
  const n = places.length;
  const numbers = new Float64Array(n);
  const kinds = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = places[i]!;
    let v: number;
    switch (p.kind) {
      case 'section':
        // resolveSymbols checked the offset against the section size: exact.
        v = where.section(p.section) + Number(p.offset);
        break;
      case 'absolute':
        v = signedNumber(p.value);
        break;
      case 'common':
        v = where.common + where.commonOffset(i);
        break;
      case 'import':
        v = signedNumber(p.address);
        break;
      case 'got':
        v = where.got;
        break;
      default:
        continue; // no address
    }
    if (v > -SAFE_TERM && v < SAFE_TERM) {
      numbers[i] = v;
      kinds[i] = ADDRESS_NUMBER;
    } else kinds[i] = ADDRESS_BIG;
  }
  return { numbers, kinds };
}

export interface RelocationEnvironment {
  readonly elf: ElfFile;
  readonly places: readonly SymbolPlace[];
  /** Address of each symbol (undefined when it has none, e.g. index 0 or an unloaded section). */
  readonly addresses: readonly (bigint | undefined)[];
  /** The same addresses as signed doubles, with `addressKinds` saying which are usable. */
  readonly addressNumbers: Float64Array;
  readonly addressKinds: Uint8Array;
  readonly sectionAddress: (index: number) => bigint;
  readonly image: (index: number) => Uint8Array;
  readonly gotAddress: bigint;
  readonly gotSlots: ReadonlyMap<number, number>;
  readonly counts: Map<string, number>;
}

const TWO32 = 4294967296;

// Each supported type as numbers, indexed by type, for the fast path: its formula as a small
// code, field size, whether an implicit (REL) addend is zero-extended, and the range
// [LOW, HIGH) a value must lie in (fitsField's check on the signed 64-bit value).
const F_NONE = 0;
const F_SA = 1;
const F_S = 2;
const F_SAP = 3;
const F_BA = 4;
const F_GGOTAP = 5;
const F_GA = 6;
const F_SAGOT = 7;
const F_GOTAP = 8;
const F_ZA = 9;
const FORMULA_CODES: Record<RelocationFormula, number> = {
  none: F_NONE,
  'S+A': F_SA,
  S: F_S,
  'S+A-P': F_SAP,
  'B+A': F_BA,
  'G+GOT+A-P': F_GGOTAP,
  'G+A': F_GA,
  'S+A-GOT': F_SAGOT,
  'GOT+A-P': F_GOTAP,
  'Z+A': F_ZA,
};
const TYPES = 1 + Math.max(...SUPPORTED_RELOCATIONS.map((r) => r.type));
const FORMULA = new Uint8Array(TYPES);
const SIZE = new Uint8Array(TYPES);
const UNSIGNED = new Uint8Array(TYPES);
const LOW = new Float64Array(TYPES);
const HIGH = new Float64Array(TYPES);
for (const r of SUPPORTED_RELOCATIONS) {
  const bits = r.size * 8;
  FORMULA[r.type] = FORMULA_CODES[r.formula];
  SIZE[r.type] = r.size;
  UNSIGNED[r.type] = r.check === 'unsigned' ? 1 : 0;
  const wide = r.check === 'none' || bits === 64;
  LOW[r.type] = wide ? -Infinity : r.check === 'unsigned' ? 0 : -(2 ** (bits - 1));
  HIGH[r.type] = wide ? Infinity : r.check === 'signed' ? 2 ** (bits - 1) : 2 ** bits;
}

/**
 * Applies one batch. Each entry is computed with doubles when every input is exact (all of a
 * kernel module's are); an entry that is not, that uses Z (the symbol size), or that seems to
 * overflow goes through `applyOneBig`, the BigInt formulation, which also words every error.
 */
export function applyRelocations(env: RelocationEnvironment, batch: RelocationBatch): void {
  const target = batch.target;
  const image = env.image(target.index);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const baseBig = env.sectionAddress(target.index);
  const base = signedNumber(baseBig);
  const got = signedNumber(env.gotAddress);
  const fast = !Number.isNaN(base) && !Number.isNaN(got);
  const table = batch.table;
  const { addressNumbers, addressKinds, gotSlots } = env;
  const offsets = table.offset;
  const symbols = table.symbol;
  const addends = table.addend;
  const exact = table.exact;
  const rela = batch.rela;
  let lastType = -1;
  let lastCount = 0;
  const flush = () => {
    if (lastType >= 0) {
      const name = relocationTypeName(lastType);
      env.counts.set(name, (env.counts.get(name) ?? 0) + lastCount);
    }
  };
  const typeOf = table.type;
  for (let i = 0; i < table.count; i++) {
    // Collection checked every type: each one is in the tables below.
    const type = typeOf[i]!;
    if (type !== lastType) {
      flush();
      lastType = type;
      lastCount = 0;
    }
    lastCount++;
    const formula = FORMULA[type]!;
    if (formula === F_NONE) continue;
    if (!fast || formula === F_ZA) {
      applyOneBig(env, batch, i, view, baseBig);
      continue;
    }
    const offset = offsets[i]!;
    const symbol = symbols[i]!;
    let S = 0;
    if (symbol !== 0 && formula !== F_BA) {
      if (addressKinds[symbol] !== ADDRESS_NUMBER) {
        applyOneBig(env, batch, i, view, baseBig);
        continue;
      }
      S = addressNumbers[symbol]!;
    }
    const size = SIZE[type]!;
    const A = rela
      ? exact[i]! & 2
        ? addends[i]!
        : Number.NaN
      : implicitAddendNumber(view, offset, size, UNSIGNED[type] === 1);
    if (!(A > -SAFE_TERM && A < SAFE_TERM)) {
      applyOneBig(env, batch, i, view, baseBig);
      continue;
    }
    const P = base + offset;
    let value: number;
    switch (formula) {
      case F_SA:
        value = S + A;
        break;
      case F_S:
        value = S;
        break;
      case F_SAP:
        value = S + A - P;
        break;
      case F_BA:
        value = base + A;
        break;
      case F_GGOTAP:
        value = (gotSlots.get(symbol) ?? 0) * 8 + got + A - P;
        break;
      case F_GA:
        value = (gotSlots.get(symbol) ?? 0) * 8 + A;
        break;
      case F_SAGOT:
        value = S + A - got;
        break;
      default: // F_GOTAP
        value = got + A - P;
        break;
    }
    // `value` equals BigInt.asIntN(64, v) of the BigInt result v, so this is fitsField's check.
    if (!(value >= LOW[type]! && value < HIGH[type]!)) {
      applyOneBig(env, batch, i, view, baseBig); // throws the overflow error
      continue;
    }
    switch (size) {
      case 8:
        view.setUint32(offset, value >>> 0, true);
        view.setUint32(offset + 4, Math.floor(value / TWO32) >>> 0, true);
        break;
      case 4:
        view.setUint32(offset, value >>> 0, true);
        break;
      case 2:
        view.setUint16(offset, value & 0xffff, true);
        break;
      case 1:
        view.setUint8(offset, value & 0xff);
        break;
    }
  }
  flush();
}

/** implicitAddend as a double; NaN when a 64-bit field's value is too large to be exact. */
function implicitAddendNumber(
  view: DataView,
  offset: number,
  size: number,
  unsigned: boolean,
): number {
  switch (size) {
    case 8: {
      const hi = view.getInt32(offset + 4, true);
      // Larger ones are not exact; the caller sends any |A| >= 2^51 to the BigInt path.
      if (hi >= 0x20_0000 || hi < -0x20_0000) return Number.NaN;
      return hi * TWO32 + view.getUint32(offset, true);
    }
    case 4:
      return unsigned ? view.getUint32(offset, true) : view.getInt32(offset, true);
    case 2:
      return unsigned ? view.getUint16(offset, true) : view.getInt16(offset, true);
    case 1:
      return unsigned ? view.getUint8(offset) : view.getInt8(offset);
    default:
      return 0;
  }
}

/** One entry with BigInt arithmetic: the reference formulation, and every error's wording. */
function applyOneBig(
  env: RelocationEnvironment,
  batch: RelocationBatch,
  i: number,
  view: DataView,
  base: bigint,
): void {
  const { elf } = env;
  const target = batch.target;
  const table = batch.table;
  const rt = batch.types[i]!;
  const symbol = table.symbol[i]!;
  const offsetBig = table.offsetBig(i);
  const offset = table.offset[i]!;
  let S = 0n;
  if (symbol !== 0 && rt.formula !== 'B+A') {
    const s = env.addresses[symbol];
    if (s === undefined) {
      const place = env.places[symbol];
      throw new RelocationError(
        'symbol-not-loaded',
        rt.type,
        rt.name,
        symbolName(elf, symbol),
        target.name,
        offsetBig,
        place?.kind === 'unloaded'
          ? `the symbol lies in ${place.section}, which is not loaded`
          : 'the symbol has no address',
      );
    }
    S = s;
  }
  const A = batch.rela ? table.addendBig(i) : implicitAddend(view, offset, rt);
  const slot = env.gotSlots.get(symbol);
  const value = relocationValue(rt, {
    S,
    A,
    P: base + offsetBig,
    B: base,
    G: slot === undefined ? 0n : BigInt(slot * 8),
    GOT: env.gotAddress,
    Z: elf.symbols[symbol]?.size ?? 0n,
  });
  if (!fitsField(rt, value)) {
    throw new RelocationError(
      'overflow',
      rt.type,
      rt.name,
      symbolName(elf, symbol),
      target.name,
      offsetBig,
      `${rt.size === 4 ? '32-bit overflow: ' : ''}value 0x${BigInt.asUintN(64, value).toString(16)} does not fit a ${rt.check} ${rt.size * 8}-bit field`,
      value,
    );
  }
  storeField(view, offset, rt, value);
}
