/**
 * A small ELF writer for hand-made test objects: sections, symbols and relocations of any
 * type, ELF32 or ELF64, either byte order, REL or RELA. It writes what the tests ask for,
 * including things no compiler emits, so the linker's handling can be checked exactly.
 */
import {
  EM_X86_64,
  ET_REL,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_NOBITS,
  SHT_PROGBITS,
} from '../../src/index.js';

export interface WriterSection {
  readonly name: string;
  readonly type?: number;
  readonly flags?: number;
  readonly data?: Uint8Array;
  /** For SHT_NOBITS. */
  readonly size?: number;
  readonly align?: number;
}

export interface WriterSymbol {
  readonly name: string;
  /** A section name, or `UND`, `ABS`, `COM`. */
  readonly section: string;
  readonly value?: bigint;
  readonly size?: bigint;
  readonly bind?: number;
  readonly type?: number;
}

export interface WriterRelocation {
  /** The patched section. */
  readonly section: string;
  readonly offset: bigint;
  readonly type: number;
  /** A symbol name, `section:NAME` for a section symbol, or a raw symbol index. */
  readonly symbol: string | number;
  readonly addend?: bigint;
}

export interface WriterInput {
  readonly class?: 32 | 64;
  readonly endian?: 'little' | 'big';
  readonly type?: number;
  readonly machine?: number;
  readonly sections: readonly WriterSection[];
  readonly symbols?: readonly WriterSymbol[];
  readonly relocations?: readonly WriterRelocation[];
  /** SHT_RELA (default) or SHT_REL. */
  readonly rela?: boolean;
}

export const TEXT = SHF_ALLOC | SHF_EXECINSTR;
export const DATA = SHF_ALLOC | SHF_WRITE;
export const RODATA = SHF_ALLOC;

class Out {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  length = 0;
  constructor(readonly le: boolean) {}
  ensure(n: number) {
    if (n <= this.bytes.length) return;
    const b = new Uint8Array(Math.max(n, this.bytes.length * 2));
    b.set(this.bytes);
    this.bytes = b;
    this.view = new DataView(b.buffer);
  }
  align(a: number) {
    const n = Math.ceil(this.length / a) * a;
    this.ensure(n);
    this.length = n;
  }
  put(data: Uint8Array): number {
    const at = this.length;
    this.ensure(at + data.length);
    this.bytes.set(data, at);
    this.length += data.length;
    return at;
  }
  u8(at: number, v: number) {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number) {
    this.view.setUint16(at, v, this.le);
  }
  u32(at: number, v: number) {
    this.view.setUint32(at, v >>> 0, this.le);
  }
  u64(at: number, v: bigint) {
    this.view.setBigUint64(at, BigInt.asUintN(64, v), this.le);
  }
}

class Strtab {
  parts: number[] = [0];
  index = new Map<string, number>();
  add(s: string): number {
    if (s === '') return 0;
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const at = this.parts.length;
    for (const c of s) this.parts.push(c.charCodeAt(0));
    this.parts.push(0);
    this.index.set(s, at);
    return at;
  }
  bytes() {
    return Uint8Array.from(this.parts);
  }
}

const SHN = { UND: 0, ABS: 0xfff1, COM: 0xfff2 } as Record<string, number>;

/** Builds the object's bytes. */
export function writeElf(input: WriterInput): Uint8Array {
  const is64 = (input.class ?? 64) === 64;
  const le = (input.endian ?? 'little') === 'little';
  const rela = input.rela ?? true;
  const out = new Out(le);

  // Section list: null, user sections, relocation sections, symtab, strtab, shstrtab.
  interface S {
    name: string;
    type: number;
    flags: number;
    data: Uint8Array;
    size: number;
    align: number;
    link: number;
    info: number;
    entsize: number;
    offset: number;
  }
  const secs: S[] = [
    {
      name: '',
      type: 0,
      flags: 0,
      data: new Uint8Array(0),
      size: 0,
      align: 0,
      link: 0,
      info: 0,
      entsize: 0,
      offset: 0,
    },
  ];
  const index = new Map<string, number>();
  for (const s of input.sections) {
    index.set(s.name, secs.length);
    const data = s.data ?? new Uint8Array(0);
    secs.push({
      name: s.name,
      type: s.type ?? SHT_PROGBITS,
      flags: s.flags ?? 0,
      data,
      size: s.type === SHT_NOBITS ? (s.size ?? 0) : data.length,
      align: s.align ?? 1,
      link: 0,
      info: 0,
      entsize: 0,
      offset: 0,
    });
  }

  // Symbols: null, section symbols, then the given ones (locals first).
  const strtab = new Strtab();
  interface Y {
    name: number;
    value: bigint;
    size: bigint;
    info: number;
    shndx: number;
  }
  const syms: Y[] = [{ name: 0, value: 0n, size: 0n, info: 0, shndx: 0 }];
  const symIndex = new Map<string, number>();
  for (const s of input.sections) {
    symIndex.set(`section:${s.name}`, syms.length);
    syms.push({
      name: 0,
      value: 0n,
      size: 0n,
      info: 3 /* STB_LOCAL, STT_SECTION */,
      shndx: index.get(s.name)!,
    });
  }
  const given = [...(input.symbols ?? [])].sort(
    (a, b) => ((a.bind ?? 1) === 0 ? 0 : 1) - ((b.bind ?? 1) === 0 ? 0 : 1),
  );
  let firstGlobal = syms.length;
  for (const s of given) {
    if ((s.bind ?? 1) === 0) firstGlobal = syms.length + 1;
    symIndex.set(s.name, syms.length);
    const shndx = SHN[s.section] ?? index.get(s.section);
    if (shndx === undefined) throw new Error(`writer: unknown section ${s.section}`);
    syms.push({
      name: strtab.add(s.name),
      value: s.value ?? 0n,
      size: s.size ?? 0n,
      info: ((s.bind ?? 1) << 4) | (s.type ?? 0),
      shndx,
    });
  }

  // Relocation sections, one per patched section.
  const relBySection = new Map<string, WriterRelocation[]>();
  for (const r of input.relocations ?? []) {
    const list = relBySection.get(r.section) ?? [];
    list.push(r);
    relBySection.set(r.section, list);
  }
  const symtabIndex = secs.length + relBySection.size;
  for (const [target, list] of relBySection) {
    const entsize = is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
    const data = new Uint8Array(list.length * entsize);
    const v = new DataView(data.buffer);
    list.forEach((r, i) => {
      const sym = typeof r.symbol === 'number' ? r.symbol : symIndex.get(r.symbol);
      if (sym === undefined) throw new Error(`writer: unknown symbol ${r.symbol}`);
      const at = i * entsize;
      if (is64) {
        v.setBigUint64(at, r.offset, le);
        v.setBigUint64(at + 8, (BigInt(sym) << 32n) | BigInt(r.type), le);
        if (rela) v.setBigInt64(at + 16, r.addend ?? 0n, le);
      } else {
        v.setUint32(at, Number(r.offset), le);
        v.setUint32(at + 4, ((sym << 8) | r.type) >>> 0, le);
        if (rela) v.setInt32(at + 8, Number(r.addend ?? 0n), le);
      }
    });
    secs.push({
      name: `${rela ? '.rela' : '.rel'}${target}`,
      type: rela ? 4 : 9,
      flags: 0x40,
      data,
      size: data.length,
      align: is64 ? 8 : 4,
      link: symtabIndex,
      info: index.get(target)!,
      entsize,
      offset: 0,
    });
  }

  const symEnt = is64 ? 24 : 16;
  const symData = new Uint8Array(syms.length * symEnt);
  const sv = new DataView(symData.buffer);
  syms.forEach((s, i) => {
    const at = i * symEnt;
    sv.setUint32(at, s.name, le);
    if (is64) {
      sv.setUint8(at + 4, s.info);
      sv.setUint16(at + 6, s.shndx, le);
      sv.setBigUint64(at + 8, BigInt.asUintN(64, s.value), le);
      sv.setBigUint64(at + 16, s.size, le);
    } else {
      sv.setUint32(at + 4, Number(s.value), le);
      sv.setUint32(at + 8, Number(s.size), le);
      sv.setUint8(at + 12, s.info);
      sv.setUint16(at + 14, s.shndx, le);
    }
  });
  secs.push({
    name: '.symtab',
    type: 2,
    flags: 0,
    data: symData,
    size: symData.length,
    align: 8,
    link: symtabIndex + 1,
    info: firstGlobal,
    entsize: symEnt,
    offset: 0,
  });
  const strData = strtab.bytes();
  secs.push({
    name: '.strtab',
    type: 3,
    flags: 0,
    data: strData,
    size: strData.length,
    align: 1,
    link: 0,
    info: 0,
    entsize: 0,
    offset: 0,
  });
  const shstr = new Strtab();
  const nameIdx = secs.map((s) => shstr.add(s.name));
  const shstrIndex = secs.length;
  nameIdx.push(shstr.add('.shstrtab'));
  const shstrData = shstr.bytes();
  secs.push({
    name: '.shstrtab',
    type: 3,
    flags: 0,
    data: shstrData,
    size: shstrData.length,
    align: 1,
    link: 0,
    info: 0,
    entsize: 0,
    offset: 0,
  });

  // Layout: header, contents, section headers.
  const ehsize = is64 ? 64 : 52;
  out.length = ehsize;
  out.ensure(ehsize);
  for (const s of secs.slice(1)) {
    if (s.type === SHT_NOBITS) {
      s.offset = out.length;
      continue;
    }
    out.align(Math.max(1, Math.min(s.align, 8)));
    s.offset = out.put(s.data);
  }
  out.align(8);
  const shoff = out.length;
  const shentsize = is64 ? 64 : 40;
  out.ensure(shoff + secs.length * shentsize);
  out.length = shoff + secs.length * shentsize;
  secs.forEach((s, i) => {
    const at = shoff + i * shentsize;
    out.u32(at, nameIdx[i]!);
    out.u32(at + 4, s.type);
    if (is64) {
      out.u64(at + 8, BigInt(s.flags));
      out.u64(at + 16, 0n);
      out.u64(at + 24, BigInt(s.offset));
      out.u64(at + 32, BigInt(s.size));
      out.u32(at + 40, s.link);
      out.u32(at + 44, s.info);
      out.u64(at + 48, BigInt(s.align));
      out.u64(at + 56, BigInt(s.entsize));
    } else {
      out.u32(at + 8, s.flags);
      out.u32(at + 12, 0);
      out.u32(at + 16, s.offset);
      out.u32(at + 20, s.size);
      out.u32(at + 24, s.link);
      out.u32(at + 28, s.info);
      out.u32(at + 32, s.align);
      out.u32(at + 36, s.entsize);
    }
  });

  // ELF header.
  out.bytes.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, 0], 0);
  out.u16(16, input.type ?? ET_REL);
  out.u16(18, input.machine ?? EM_X86_64);
  out.u32(20, 1);
  const w = is64 ? 8 : 4;
  const flagsAt = 24 + 3 * w;
  if (is64) out.u64(40, BigInt(shoff));
  else out.u32(32, shoff);
  out.u16(flagsAt + 4, ehsize);
  out.u16(flagsAt + 6, is64 ? 56 : 32);
  out.u16(flagsAt + 8, 0);
  out.u16(flagsAt + 10, shentsize);
  out.u16(flagsAt + 12, secs.length);
  out.u16(flagsAt + 14, shstrIndex);
  return out.bytes.slice(0, out.length);
}

/** Little-endian bytes of `n` integers of `width` bytes. */
export function le(width: 1 | 2 | 4 | 8, ...values: (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(width * values.length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    const b = BigInt(x);
    if (width === 8) v.setBigUint64(i * 8, BigInt.asUintN(64, b), true);
    else if (width === 4) v.setUint32(i * 4, Number(BigInt.asUintN(32, b)), true);
    else if (width === 2) v.setUint16(i * 2, Number(BigInt.asUintN(16, b)), true);
    else v.setUint8(i, Number(BigInt.asUintN(8, b)));
  });
  return out;
}

/** A minimal valid modinfo for hand-made modules: sections `.rodata.modinfo`, `.rodata.str`, `link_set_modules`. */
export function moduleSections(name: string, cls: number, required?: string) {
  const str = new TextEncoder().encode(`${name}\0${required ?? ''}\0`);
  const sections: WriterSection[] = [
    { name: '.text', flags: TEXT, data: Uint8Array.of(0x31, 0xc0, 0xc3), align: 16 },
    {
      name: '.rodata.modinfo',
      flags: RODATA,
      data: le(4, 1099001200, cls, 0, 0, 0, 0, 0, 0),
      align: 8,
    },
    { name: '.rodata.str', flags: RODATA, data: str, align: 1 },
    { name: 'link_set_modules', flags: RODATA, data: new Uint8Array(8), align: 8 },
  ];
  const relocations: WriterRelocation[] = [
    { section: 'link_set_modules', offset: 0n, type: 1, symbol: 'section:.rodata.modinfo' },
    { section: '.rodata.modinfo', offset: 8n, type: 1, symbol: 'section:.text' },
    { section: '.rodata.modinfo', offset: 16n, type: 1, symbol: 'section:.rodata.str' },
  ];
  if (required !== undefined) {
    relocations.push({
      section: '.rodata.modinfo',
      offset: 24n,
      type: 1,
      symbol: 'section:.rodata.str',
      addend: BigInt(name.length + 1),
    });
  }
  return { sections, relocations };
}
