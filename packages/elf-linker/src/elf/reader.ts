/**
 * Bounds-checked access to the file's bytes in the file's own byte order. Every read names the
 * ELF field it reads, so a short or corrupt file yields an ElfError naming field and offset
 * instead of a RangeError.
 */
import { ElfError } from '../errors.js';

export class ElfReader {
  readonly view: DataView;
  readonly size: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
  }

  /** Throws unless `length` bytes at `offset` lie inside the file. */
  check(field: string, offset: number, length: number): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.size
    ) {
      throw new ElfError(
        field,
        Number.isSafeInteger(offset) ? offset : -1,
        `${length} byte(s) at 0x${offset.toString(16)} extend past the end of the ${this.size}-byte file`,
      );
    }
  }

  u8(field: string, offset: number): number {
    this.check(field, offset, 1);
    return this.view.getUint8(offset);
  }

  u16(field: string, offset: number): number {
    this.check(field, offset, 2);
    return this.view.getUint16(offset, this.littleEndian);
  }

  u32(field: string, offset: number): number {
    this.check(field, offset, 4);
    return this.view.getUint32(offset, this.littleEndian);
  }

  u64(field: string, offset: number): bigint {
    this.check(field, offset, 8);
    return this.view.getBigUint64(offset, this.littleEndian);
  }

  /** An address or size field: 4 bytes in ELF32, 8 in ELF64. */
  word(field: string, offset: number, is64: boolean): bigint {
    return is64 ? this.u64(field, offset) : BigInt(this.u32(field, offset));
  }

  /** A word field that must fit a JavaScript number (file offsets and sizes). */
  safeWord(field: string, offset: number, is64: boolean): number {
    const v = this.word(field, offset, is64);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfError(field, offset, `value 0x${v.toString(16)} is too large`);
    }
    return Number(v);
  }

  /** A signed addend: Elf32_Sword or Elf64_Sxword. */
  sword(field: string, offset: number, is64: boolean): bigint {
    this.check(field, offset, is64 ? 8 : 4);
    return is64
      ? this.view.getBigInt64(offset, this.littleEndian)
      : BigInt(this.view.getInt32(offset, this.littleEndian));
  }

  slice(field: string, offset: number, length: number): Uint8Array {
    this.check(field, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

const decoder = new TextDecoder('latin1');

/**
 * A string table (SHT_STRTAB) occupying `[offset, offset + size)` of the file. Names are
 * NUL-terminated and must end inside the table. The end of every name is found through one
 * precomputed pass, so a corrupt table costs linear time, never quadratic.
 */
export class StringTable {
  private nextNul: Int32Array | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    readonly offset: number,
    readonly size: number,
  ) {}

  /** The name at `index`; `field`/`fieldOffset` name the referencing field for errors. */
  name(index: number, field: string, fieldOffset: number): string {
    if (index >= this.size) {
      throw new ElfError(
        field,
        fieldOffset,
        `name index ${index} is outside its ${this.size}-byte string table`,
      );
    }
    if (!this.nextNul) {
      const next = new Int32Array(this.size);
      let nul = -1;
      for (let i = this.size - 1; i >= 0; i--) {
        if (this.bytes[this.offset + i] === 0) nul = i;
        next[i] = nul;
      }
      this.nextNul = next;
    }
    const end = this.nextNul[index]!;
    if (end < 0) {
      throw new ElfError(
        field,
        fieldOffset,
        `name at string-table index ${index} is not NUL-terminated`,
      );
    }
    const from = this.offset + index;
    const to = this.offset + end;
    // Symbol names are short ASCII: build those directly (a TextDecoder call costs more). The
    // decoder handles the rest, as WHATWG's 'latin1' (windows-1252) maps bytes 0x80-0x9f.
    if (to - from <= 128) {
      let ascii = true;
      for (let i = from; i < to; i++) {
        if (this.bytes[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, this.bytes.subarray(from, to) as never);
    }
    return decoder.decode(this.bytes.subarray(from, to));
  }
}
