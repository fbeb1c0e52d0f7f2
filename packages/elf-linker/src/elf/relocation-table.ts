/**
 * One relocation section decoded into parallel typed arrays: no object and no BigInt per
 * entry, so a module's thousands of entries decode and apply in one pass over numbers.
 * r_offset and r_addend are kept as doubles, exact whenever they fit 53 bits (every kernel
 * module's do); `exact` marks the entries whose value does not, and `offsetBig`/`addendBig`
 * read those back from the file as the BigInts the ELF fields hold.
 */
import { ElfError } from '../errors.js';
import type { ElfReader } from './reader.js';
import type { ElfRelocationSection } from './types.js';

/** 2^32, to join two 32-bit halves into a double. */
const TWO32 = 4294967296;
/** High halves below this (in magnitude) keep a 64-bit value exact in a double. */
const EXACT_HI = 0x20_0000;
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class RelocationTable {
  readonly count: number;
  /** r_offset; exact unless `exact[i] & 1` is 0. */
  readonly offset: Float64Array;
  /** ELF64_R_TYPE / ELF32_R_TYPE. */
  readonly type: Uint32Array;
  /** ELF64_R_SYM / ELF32_R_SYM, checked against the symbol count. */
  readonly symbol: Uint32Array;
  /** r_addend (0 for SHT_REL); exact unless `exact[i] & 2` is 0. */
  readonly addend: Float64Array;
  /** Bit 0: r_offset is exact; bit 1: r_addend is exact. 3 for every ordinary entry. */
  readonly exact: Uint8Array;
  /** The file offset of entry 0, and the entry size. */
  readonly first: number;
  readonly entsize: number;
  readonly rela: boolean;

  constructor(
    private readonly reader: ElfReader,
    private readonly is64: boolean,
    rel: ElfRelocationSection,
    symbolCount: number,
  ) {
    const n = rel.count;
    const s = rel.section;
    this.count = n;
    this.first = s.offset;
    this.entsize = s.entsize;
    this.rela = rel.rela;
    const offset = new Float64Array(n);
    const type = new Uint32Array(n);
    const symbol = new Uint32Array(n);
    const addend = new Float64Array(n);
    const exact = new Uint8Array(n);
    // parseElf checked that the section lies inside the file and that size = count * entsize,
    // so every field read below is in bounds.
    const view = reader.view;
    const le = reader.littleEndian;
    const rela = rel.rela;
    const step = s.entsize;
    const bytes = reader.bytes;
    // Inside the file unless this is a corrupt section 0 (the only one parseElf does not check).
    const inFile = s.offset + n * step <= reader.size;
    if (
      inFile &&
      this.is64 &&
      le &&
      HOST_LE &&
      (bytes.byteOffset + s.offset) % 4 === 0 &&
      step % 4 === 0 &&
      n > 0
    ) {
      // The common case (a little-endian ELF64 on a little-endian host, entries 4-aligned):
      // read 32-bit words straight from a typed array, which is several times faster than
      // DataView calls while the code is still cold.
      const w = new Uint32Array(bytes.buffer, bytes.byteOffset + s.offset, (n * step) >>> 2);
      const ws = step >>> 2;
      for (let i = 0, k = 0; i < n; i++, k += ws) {
        const hi = w[k + 1]!;
        offset[i] = hi * TWO32 + w[k]!;
        let ok = hi >= EXACT_HI ? 2 : 3;
        type[i] = w[k + 2]!;
        const sym = w[k + 3]!;
        if (rela) {
          const ahi = w[k + 5]! | 0;
          addend[i] = ahi * TWO32 + w[k + 4]!;
          if (ahi >= EXACT_HI || ahi < -EXACT_HI) ok &= ~2;
        }
        if (sym >= symbolCount) {
          throw new ElfError(
            'r_info',
            s.offset + i * step + 8,
            `symbol index ${sym} is beyond the ${symbolCount} symbols`,
          );
        }
        symbol[i] = sym;
        exact[i] = ok;
      }
      this.offset = offset;
      this.type = type;
      this.symbol = symbol;
      this.addend = addend;
      this.exact = exact;
      return;
    }
    let at = s.offset;
    for (let i = 0; i < n; i++, at += step) {
      let sym: number;
      let ok = 3;
      if (!inFile) {
        // Through the checked reader, in field order: an ElfError names the first field outside.
        reader.word('r_offset', at, this.is64);
        const info = reader.word('r_info', at + (this.is64 ? 8 : 4), this.is64);
        const sym = this.is64 ? Number(info >> 32n) : Number(info) >>> 8;
        if (sym < symbolCount && rela)
          reader.sword('r_addend', at + (this.is64 ? 16 : 8), this.is64);
      }
      if (this.is64) {
        const lo = view.getUint32(le ? at : at + 4, le);
        const hi = view.getUint32(le ? at + 4 : at, le);
        offset[i] = hi * TWO32 + lo;
        if (hi >= EXACT_HI) ok &= ~1;
        // r_info: the symbol in the high 32 bits, the type in the low 32.
        sym = view.getUint32(le ? at + 12 : at + 8, le);
        type[i] = view.getUint32(le ? at + 8 : at + 12, le);
        if (rela) {
          const alo = view.getUint32(le ? at + 16 : at + 20, le);
          const ahi = view.getInt32(le ? at + 20 : at + 16, le);
          addend[i] = ahi * TWO32 + alo;
          if (ahi >= EXACT_HI || ahi < -EXACT_HI) ok &= ~2;
        }
      } else {
        offset[i] = view.getUint32(at, le);
        const info = view.getUint32(at + 4, le);
        sym = info >>> 8;
        type[i] = info & 0xff;
        if (rela) addend[i] = view.getInt32(at + 8, le);
      }
      if (sym >= symbolCount) {
        throw new ElfError(
          'r_info',
          at + (this.is64 ? 8 : 4),
          `symbol index ${sym} is beyond the ${symbolCount} symbols`,
        );
      }
      symbol[i] = sym;
      exact[i] = ok;
    }
    this.offset = offset;
    this.type = type;
    this.symbol = symbol;
    this.addend = addend;
    this.exact = exact;
  }

  /** File offset of entry `i`, for error messages. */
  entryOffset(i: number): number {
    return this.first + i * this.entsize;
  }

  /** r_offset of entry `i` as the ELF field holds it. */
  offsetBig(i: number): bigint {
    if (this.exact[i]! & 1) return BigInt(this.offset[i]!);
    return this.reader.u64('r_offset', this.entryOffset(i));
  }

  /** r_addend of entry `i` as the ELF field holds it (0 for SHT_REL). */
  addendBig(i: number): bigint {
    if (!this.rela) return 0n;
    if (this.exact[i]! & 2) return BigInt(this.addend[i]!);
    return this.reader.sword('r_addend', this.entryOffset(i) + (this.is64 ? 16 : 8), this.is64);
  }
}
