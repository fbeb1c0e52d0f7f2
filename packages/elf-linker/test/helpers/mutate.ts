/**
 * Seeded mutations of real ELF files for the fuzz test and benchmark: truncations, flipped
 * bytes, and header/table fields overwritten with huge or boundary values.
 */
import {
  ElfLinkerError,
  inspectModule,
  linkModule,
  parseElf,
  type SectionAllocator,
  type TargetMemory,
} from '../../src/index.js';

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUNDARY = [
  0n,
  1n,
  0x7fn,
  0xffn,
  0x7fffn,
  0xffffn,
  0x7fffffffn,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0xffffffffffffffffn,
  0xfff1n,
  0xfff2n,
  0xffffn,
];

export type MutationKind = 'truncate' | 'flip' | 'field' | 'table-field';

/** Offsets of the structures worth hitting: ELF header, section headers, symbol and relocation entries. */
function structureOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i += 2) out.push(i);
  try {
    const elf = parseElf(bytes);
    for (const s of elf.sections) for (let i = 0; i < 64; i += 4) out.push(s.headerOffset + i);
    for (const sym of elf.symbols.slice(0, 64))
      out.push(sym.entryOffset, sym.entryOffset + 6, sym.entryOffset + 8, sym.entryOffset + 16);
    for (const r of elf.relocationSections) {
      const at = r.section.offset;
      for (let i = 0; i < Math.min(r.count, 16); i++)
        out.push(at + i * 24, at + i * 24 + 8, at + i * 24 + 12, at + i * 24 + 16);
    }
  } catch {
    // Not parseable: header offsets only.
  }
  return out;
}

export function mutate(
  original: Uint8Array,
  rand: () => number,
  offsets?: number[],
): { bytes: Uint8Array; kind: MutationKind } {
  const pick = rand();
  const bytes = original.slice();
  const v = new DataView(bytes.buffer);
  if (pick < 0.15)
    return { bytes: original.slice(0, Math.floor(rand() * original.length)), kind: 'truncate' };
  if (pick < 0.45) {
    const n = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < n; i++)
      bytes[Math.floor(rand() * bytes.length)]! ^= 1 << Math.floor(rand() * 8);
    return { bytes, kind: 'flip' };
  }
  const table = offsets ?? structureOffsets(original);
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const at =
      pick < 0.6
        ? Math.floor(rand() * (bytes.length - 8))
        : table[Math.floor(rand() * table.length)]!;
    const value =
      rand() < 0.7
        ? BOUNDARY[Math.floor(rand() * BOUNDARY.length)]!
        : BigInt(Math.floor(rand() * 2 ** 32)) * BigInt(Math.floor(rand() * 2 ** 20));
    const width = [1, 2, 4, 8][Math.floor(rand() * 4)]!;
    if (at < 0 || at + width > bytes.length) continue;
    if (width === 8) v.setBigUint64(at, value & 0xffffffffffffffffn, true);
    else if (width === 4) v.setUint32(at, Number(value & 0xffffffffn), true);
    else if (width === 2) v.setUint16(at, Number(value & 0xffffn), true);
    else v.setUint8(at, Number(value & 0xffn));
  }
  return { bytes, kind: pick < 0.6 ? 'field' : 'table-field' };
}

/** An allocator that never runs out and memory that only counts, so huge requests cost nothing. */
function sink(): { allocator: SectionAllocator; memory: TargetMemory } {
  let next = 0xffffffff80100000n;
  return {
    allocator: {
      allocate(r) {
        const a = BigInt(r.align);
        const address = ((next + a - 1n) / a) * a;
        next = address + BigInt(r.size);
        return address;
      },
      free() {},
    },
    memory: { write() {}, zero() {} },
  };
}

export interface FuzzOutcome {
  /** `ok`, or the error class name. */
  readonly result: string;
  /** An error that is not one of the package's typed errors. */
  readonly untyped?: unknown;
}

/** Parses, inspects and links one input; reports which typed error (if any) came out. */
export function exercise(bytes: Uint8Array): FuzzOutcome {
  try {
    const elf = parseElf(bytes);
    for (const r of elf.relocationSections) elf.relocations(r);
    inspectModule(bytes);
    const { allocator, memory } = sink();
    let n = 0;
    linkModule(bytes, {
      allocator,
      memory,
      resolve: () => 0xffffffff80001000n + BigInt(n++ * 16),
      allowWeakUndefined: true,
    });
    return { result: 'ok' };
  } catch (e) {
    if (e instanceof ElfLinkerError) return { result: e.name };
    return { result: 'untyped', untyped: e };
  }
}

export { structureOffsets };
