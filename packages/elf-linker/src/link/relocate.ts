/**
 * Applying relocations to the section images. Collection happens before anything is
 * allocated, so unknown types and out-of-range offsets fail without side effects; application
 * happens on local copies, so an overflow leaves the target memory untouched.
 */
import { SHF_ALLOC, SHT_NOBITS } from '../elf/constants.js';
import type { ElfFile, ElfRelocation, ElfSection } from '../elf/types.js';
import { ElfError, RelocationError } from '../errors.js';
import {
  fitsField,
  implicitAddend,
  relocationValue,
  storeField,
} from '../x86-64/apply-relocation.js';
import {
  type RelocationType,
  relocationType,
  relocationTypeName,
  UNSUPPORTED_RELOCATIONS,
} from '../x86-64/relocation-types.js';
import type { SymbolPlace } from './resolve-symbols.js';

export interface RelocationBatch {
  readonly target: ElfSection;
  readonly rela: boolean;
  readonly entries: readonly ElfRelocation[];
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
    const entries = elf.relocations(rel);
    const types: RelocationType[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const rt = relocationType(e.type);
      if (!rt) {
        const known = UNSUPPORTED_RELOCATIONS[e.type] !== undefined;
        throw new RelocationError(
          known ? 'unsupported-type' : 'unknown-type',
          e.type,
          relocationTypeName(e.type),
          symbolName(elf, e.symbol),
          target.name,
          e.offset,
          known
            ? 'this relocation type has no meaning in a kernel module'
            : 'unknown x86-64 relocation type',
        );
      }
      if (target.type === SHT_NOBITS && rt.size > 0) {
        throw new ElfError(
          'r_offset',
          e.entryOffset,
          `relocation patches ${target.name}, which has no contents`,
        );
      }
      if (e.offset + BigInt(rt.size) > BigInt(target.size)) {
        throw new ElfError(
          'r_offset',
          e.entryOffset,
          `${rt.name} field at 0x${e.offset.toString(16)} lies outside ${target.name} (${target.size} bytes)`,
        );
      }
      if (rt.formula !== 'none' && rt.formula !== 'B+A') referenced.add(e.symbol);
      if (rt.gotEntry && !gotSlots.has(e.symbol)) gotSlots.set(e.symbol, gotSlots.size);
      if (rt.gotBase || rt.gotEntry) needsGot = true;
      types[i] = rt;
    }
    batches.push({ target, rela: rel.rela, entries, types });
  }
  return { batches, gotSlots, needsGot, referenced };
}

export interface RelocationEnvironment {
  readonly elf: ElfFile;
  readonly places: readonly SymbolPlace[];
  /** Address of each symbol (undefined when it has none, e.g. index 0 or an unloaded section). */
  readonly addresses: readonly (bigint | undefined)[];
  readonly sectionAddress: (index: number) => bigint;
  readonly image: (index: number) => Uint8Array;
  readonly gotAddress: bigint;
  readonly gotSlots: ReadonlyMap<number, number>;
  readonly counts: Map<string, number>;
}

export function applyRelocations(env: RelocationEnvironment, batch: RelocationBatch): void {
  const { elf } = env;
  const target = batch.target;
  const image = env.image(target.index);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const base = env.sectionAddress(target.index);
  let lastType = -1;
  let lastCount = 0;
  const flush = () => {
    if (lastType >= 0) {
      const name = relocationTypeName(lastType);
      env.counts.set(name, (env.counts.get(name) ?? 0) + lastCount);
    }
  };
  for (let i = 0; i < batch.entries.length; i++) {
    const e = batch.entries[i]!;
    const rt = batch.types[i]!;
    if (rt.type !== lastType) {
      flush();
      lastType = rt.type;
      lastCount = 0;
    }
    lastCount++;
    if (rt.formula === 'none') continue;
    const offset = Number(e.offset);
    let S = 0n;
    if (e.symbol !== 0 && rt.formula !== 'B+A') {
      const s = env.addresses[e.symbol];
      if (s === undefined) {
        const place = env.places[e.symbol];
        throw new RelocationError(
          'symbol-not-loaded',
          rt.type,
          rt.name,
          symbolName(elf, e.symbol),
          target.name,
          e.offset,
          place?.kind === 'unloaded'
            ? `the symbol lies in ${place.section}, which is not loaded`
            : 'the symbol has no address',
        );
      }
      S = s;
    }
    const A = batch.rela ? e.addend : implicitAddend(view, offset, rt);
    const slot = env.gotSlots.get(e.symbol);
    const value = relocationValue(rt, {
      S,
      A,
      P: base + e.offset,
      B: base,
      G: slot === undefined ? 0n : BigInt(slot * 8),
      GOT: env.gotAddress,
      Z: elf.symbols[e.symbol]?.size ?? 0n,
    });
    if (!fitsField(rt, value)) {
      throw new RelocationError(
        'overflow',
        rt.type,
        rt.name,
        symbolName(elf, e.symbol),
        target.name,
        e.offset,
        `${rt.size === 4 ? '32-bit overflow: ' : ''}value 0x${BigInt.asUintN(64, value).toString(16)} does not fit a ${rt.check} ${rt.size * 8}-bit field`,
        value,
      );
    }
    storeField(view, offset, rt, value);
  }
  flush();
}
