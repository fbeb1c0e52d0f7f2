/**
 * Every supported x86-64 relocation type on hand-made objects, in RELA and REL form, with the
 * expected field values computed here from the psABI formulas, plus every refusal.
 */
import { describe, expect, it } from 'vitest';
import {
  ElfError,
  type LinkOptions,
  linkModule,
  RelocationError,
  SHT_NOBITS,
  SUPPORTED_RELOCATIONS,
  UnresolvedSymbolsError,
} from '../src/index.js';
import {
  DATA,
  le,
  TEXT,
  type WriterRelocation,
  type WriterSymbol,
  writeElf,
} from './helpers/elf-writer.js';
import { BumpAllocator, KERNEL_BASE, SparseMemory } from './helpers/target.js';

const EXT = KERNEL_BASE + 0x200000n; // an import, in the kernel window
const FIELD = 16n; // offset of the patched field in .text

interface Case {
  type: number;
  width: 1 | 2 | 4 | 8;
  symbol: string;
  addend: bigint;
  /** Resolved address of `ext` for this case. */
  ext?: bigint;
  base?: bigint;
  expected: (x: {
    S: bigint;
    A: bigint;
    P: bigint;
    B: bigint;
    GOT: bigint;
    G: bigint;
    Z: bigint;
  }) => bigint;
}

const cases: Record<string, Case> = {
  R_X86_64_NONE: {
    type: 0,
    width: 8,
    symbol: 'ext',
    addend: 5n,
    expected: () => 0x5a5a5a5a5a5a5a5an,
  },
  R_X86_64_64: { type: 1, width: 8, symbol: 'ext', addend: 0x10n, expected: ({ S, A }) => S + A },
  R_X86_64_PC32: {
    type: 2,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ S, A, P }) => S + A - P,
  },
  R_X86_64_GOT32: { type: 3, width: 4, symbol: 'ext', addend: 8n, expected: ({ G, A }) => G + A },
  R_X86_64_PLT32: {
    type: 4,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ S, A, P }) => S + A - P,
  },
  R_X86_64_GLOB_DAT: { type: 6, width: 8, symbol: 'ext', addend: 0x99n, expected: ({ S }) => S },
  R_X86_64_JUMP_SLOT: { type: 7, width: 8, symbol: 'ext', addend: 0x99n, expected: ({ S }) => S },
  R_X86_64_RELATIVE: {
    type: 8,
    width: 8,
    symbol: '',
    addend: 0x24n,
    expected: ({ B, A }) => B + A,
  },
  R_X86_64_GOTPCREL: {
    type: 9,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
  R_X86_64_32: {
    type: 10,
    width: 4,
    symbol: 'ext',
    addend: 0x10n,
    ext: 0x4010_0000n,
    base: 0x40_0000n,
    expected: ({ S, A }) => S + A,
  },
  R_X86_64_32S: { type: 11, width: 4, symbol: 'ext', addend: 0x10n, expected: ({ S, A }) => S + A },
  R_X86_64_16: {
    type: 12,
    width: 2,
    symbol: 'ext',
    addend: 2n,
    ext: 0x1234n,
    expected: ({ S, A }) => S + A,
  },
  R_X86_64_PC16: {
    type: 13,
    width: 2,
    symbol: 'loc',
    addend: 0n,
    expected: ({ S, A, P }) => S + A - P,
  },
  R_X86_64_8: {
    type: 14,
    width: 1,
    symbol: 'ext',
    addend: 1n,
    ext: 0x7fn,
    expected: ({ S, A }) => S + A,
  },
  R_X86_64_PC8: {
    type: 15,
    width: 1,
    symbol: 'loc',
    addend: 0n,
    expected: ({ S, A, P }) => S + A - P,
  },
  R_X86_64_PC64: {
    type: 24,
    width: 8,
    symbol: 'ext',
    addend: 16n,
    ext: 0x1000n,
    expected: ({ S, A, P }) => S + A - P,
  },
  R_X86_64_GOTOFF64: {
    type: 25,
    width: 8,
    symbol: 'loc',
    addend: 4n,
    expected: ({ S, A, GOT }) => S + A - GOT,
  },
  R_X86_64_GOTPC32: {
    type: 26,
    width: 4,
    symbol: '',
    addend: -4n,
    expected: ({ GOT, A, P }) => GOT + A - P,
  },
  R_X86_64_GOT64: { type: 27, width: 8, symbol: 'ext', addend: 0n, expected: ({ G, A }) => G + A },
  R_X86_64_GOTPCREL64: {
    type: 28,
    width: 8,
    symbol: 'ext',
    addend: 3n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
  R_X86_64_GOTPC64: {
    type: 29,
    width: 8,
    symbol: '',
    addend: 7n,
    expected: ({ GOT, A, P }) => GOT + A - P,
  },
  R_X86_64_GOTPLT64: {
    type: 30,
    width: 8,
    symbol: 'ext',
    addend: 8n,
    expected: ({ G, A }) => G + A,
  },
  R_X86_64_PLTOFF64: {
    type: 31,
    width: 8,
    symbol: 'ext',
    addend: 0n,
    expected: ({ S, A, GOT }) => S + A - GOT,
  },
  R_X86_64_SIZE32: { type: 32, width: 4, symbol: 'loc', addend: 4n, expected: ({ Z, A }) => Z + A },
  R_X86_64_SIZE64: { type: 33, width: 8, symbol: 'loc', addend: 0n, expected: ({ Z, A }) => Z + A },
  R_X86_64_RELATIVE64: {
    type: 38,
    width: 8,
    symbol: '',
    addend: 0x30n,
    expected: ({ B, A }) => B + A,
  },
  R_X86_64_GOTPCRELX: {
    type: 41,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
  R_X86_64_REX_GOTPCRELX: {
    type: 42,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
  R_X86_64_CODE_4_GOTPCRELX: {
    type: 43,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
  R_X86_64_CODE_5_GOTPCRELX: {
    type: 46,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
  R_X86_64_CODE_6_GOTPCRELX: {
    type: 49,
    width: 4,
    symbol: 'ext',
    addend: -4n,
    expected: ({ G, GOT, A, P }) => G + GOT + A - P,
  },
};

const LOC_OFFSET = 40n;
const LOC_SIZE = 0x30n;

function object(
  relocs: WriterRelocation[],
  rela: boolean,
  fill = 0x5an,
  extraSymbols: WriterSymbol[] = [],
) {
  const text = new Uint8Array(64).fill(Number(fill & 0xffn));
  return writeElf({
    rela,
    sections: [
      { name: '.text', flags: TEXT, data: text, align: 16 },
      { name: '.debug_info', data: new Uint8Array(32) },
      { name: '.bss', type: SHT_NOBITS, flags: DATA, size: 64, align: 8 },
    ],
    symbols: [
      { name: 'ext', section: 'UND' },
      { name: 'loc', section: '.text', value: LOC_OFFSET, size: LOC_SIZE, type: 1, bind: 0 },
      { name: 'dbg', section: '.debug_info', value: 4n, bind: 0 },
      ...extraSymbols,
    ],
    relocations: relocs,
  });
}

function link(bytes: Uint8Array, ext: bigint, base?: bigint, extra: Partial<LinkOptions> = {}) {
  const allocator = new BumpAllocator(base);
  const memory = new SparseMemory();
  const module = linkModule(bytes, {
    allocator,
    memory,
    resolve: (n) => (n === 'ext' ? ext : n === 'far' ? 0x1000n : undefined),
    requireModuleMetadata: false,
    ...extra,
  });
  return { module, allocator, memory };
}

function readField(memory: SparseMemory, address: bigint, width: number): bigint {
  const b = memory.read(address, width);
  const v = new DataView(b.buffer, b.byteOffset, width);
  return width === 8
    ? v.getBigUint64(0, true)
    : width === 4
      ? BigInt(v.getUint32(0, true))
      : width === 2
        ? BigInt(v.getUint16(0, true))
        : BigInt(v.getUint8(0));
}

describe('x86-64 relocation types', () => {
  it('has a case here for every supported type', () => {
    expect(Object.keys(cases).sort()).toEqual(SUPPORTED_RELOCATIONS.map((r) => r.name).sort());
  });

  for (const form of ['RELA', 'REL'] as const) {
    for (const [name, c] of Object.entries(cases)) {
      it(`${name} (${form})`, () => {
        const rela = form === 'RELA';
        const relocs: WriterRelocation[] = [
          {
            section: '.text',
            offset: FIELD,
            type: c.type,
            symbol: c.symbol === '' ? 0 : c.symbol,
            addend: rela ? c.addend : 0n,
          },
        ];
        let bytes = object(relocs, rela);
        if (!rela) {
          // REL: the addend sits in the field itself. Write it there (the writer filled 0x5a).
          const elf = bytes.slice();
          const textOffset = findText(elf);
          const f = le(c.width, c.addend);
          if (c.type !== 0) elf.set(f, textOffset + Number(FIELD));
          bytes = elf;
        }
        const ext = c.ext ?? EXT;
        const { module, memory } = link(bytes, ext, c.base);
        const text = module.sections.find((s) => s.name === '.text')!;
        const got = module.sections.find((s) => s.name === '.got');
        const P = text.address + FIELD;
        const S = c.symbol === 'ext' ? ext : c.symbol === 'loc' ? text.address + LOC_OFFSET : 0n;
        const expected = c.expected({
          S,
          A: c.addend,
          P,
          B: text.address,
          GOT: got?.address ?? 0n,
          G: 0n,
          Z: c.symbol === 'loc' ? LOC_SIZE : 0n,
        });
        const actual = readField(memory, P, c.width);
        const bits = BigInt(c.width * 8);
        if (c.type === 0 && !rela) expect(actual).toBe(0x5a5a5a5a5a5a5a5an);
        else expect(actual).toBe(BigInt.asUintN(Number(bits), expected));
        if (got && /GOT(PCREL|32|64|PLT)/.test(name)) {
          // The GOT entry holds the symbol's address.
          expect(memory.u64(got.address)).toBe(S);
        }
        expect(module.relocationCounts.get(name)).toBe(1);
      });
    }
  }

  it('allocates one GOT entry per symbol and shares it between references', () => {
    const bytes = object(
      [
        { section: '.text', offset: 0n, type: 9, symbol: 'ext', addend: -4n },
        { section: '.text', offset: 4n, type: 42, symbol: 'ext', addend: -4n },
        { section: '.text', offset: 8n, type: 41, symbol: 'loc', addend: -4n },
      ],
      true,
    );
    const { module, memory } = link(bytes, EXT);
    const got = module.sections.find((s) => s.name === '.got')!;
    expect(got.size).toBe(16);
    const text = module.sections.find((s) => s.name === '.text')!.address;
    expect(memory.u64(got.address)).toBe(EXT);
    expect(memory.u64(got.address + 8n)).toBe(text + LOC_OFFSET);
    expect(BigInt(memory.i32(text)) + text + 4n).toBe(got.address);
    expect(BigInt(memory.i32(text + 4n)) + text + 8n).toBe(got.address);
    expect(BigInt(memory.i32(text + 8n)) + text + 12n).toBe(got.address + 8n);
  });

  it('needs no GOT when no relocation asks for one', () => {
    const { module } = link(
      object([{ section: '.text', offset: 0n, type: 2, symbol: 'ext', addend: -4n }], true),
      EXT,
    );
    expect(module.sections.map((s) => s.name)).toEqual(['.text', '.bss']);
  });
});

describe('relocations far from 0 (the BigInt path)', () => {
  // Sections at 2^51 and above are beyond the exact double sums of the fast path: every entry
  // goes through the BigInt formulation, and must give the psABI's value or refuse an overflow.
  const FAR = 0x0008_0000_0000_0000n;
  for (const [name, c] of Object.entries(cases)) {
    if (c.type === 0) continue;
    it(`${name} at 0x${FAR.toString(16)}`, () => {
      const relocs: WriterRelocation[] = [
        {
          section: '.text',
          offset: FIELD,
          type: c.type,
          symbol: c.symbol === '' ? 0 : c.symbol,
          addend: c.addend,
        },
      ];
      const ext = FAR + 0x20_0000n;
      const rt = SUPPORTED_RELOCATIONS.find((r) => r.type === c.type)!;
      const bits = c.width * 8;
      let linked: ReturnType<typeof link>;
      try {
        linked = link(object(relocs, true), ext, FAR);
      } catch (e) {
        // Only an overflow may refuse, and only for a field narrower than 64 bits.
        expect(e).toBeInstanceOf(RelocationError);
        expect((e as RelocationError).problem).toBe('overflow');
        expect(bits).toBeLessThan(64);
        return;
      }
      const { module, memory } = linked;
      const text = module.sections.find((s) => s.name === '.text')!;
      const got = module.sections.find((s) => s.name === '.got');
      const P = text.address + FIELD;
      const S = c.symbol === 'ext' ? ext : c.symbol === 'loc' ? text.address + LOC_OFFSET : 0n;
      const expected = c.expected({
        S,
        A: c.addend,
        P,
        B: text.address,
        GOT: got?.address ?? 0n,
        G: 0n,
        Z: c.symbol === 'loc' ? LOC_SIZE : 0n,
      });
      expect(rt.size).toBe(c.width);
      expect(readField(memory, P, c.width)).toBe(BigInt.asUintN(bits, expected));
    });
  }
});

/** File offset of .text: the first section the writer lays out, right after the 64-byte header. */
function findText(_bytes: Uint8Array): number {
  return 64;
}

describe('relocation refusals', () => {
  const expectRelocationError = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(RelocationError);
      return e as RelocationError;
    }
    throw new Error('expected a RelocationError');
  };

  it('names a 32-bit overflow with type, symbol, section and offset, and rolls back', () => {
    const bytes = object(
      [{ section: '.text', offset: 12n, type: 10, symbol: 'ext', addend: 0n }],
      true,
    );
    const allocator = new BumpAllocator();
    const memory = new SparseMemory();
    const e = expectRelocationError(() =>
      linkModule(bytes, { allocator, memory, resolve: () => EXT, requireModuleMetadata: false }),
    );
    expect(e.problem).toBe('overflow');
    expect(e.typeName).toBe('R_X86_64_32');
    expect(e.symbol).toBe('ext');
    expect(e.section).toBe('.text');
    expect(e.offset).toBe(12n);
    expect(e.value).toBe(EXT);
    expect(e.message).toContain('32-bit overflow');
    expect(allocator.live.size).toBe(0);
    expect(allocator.requests.length).toBeGreaterThan(0);
    expect(memory.chunks.size).toBe(0);
  });

  it('refuses a PC32 target more than 2 GiB away', () => {
    const bytes = object(
      [{ section: '.text', offset: 0n, type: 2, symbol: 'ext', addend: -4n }],
      true,
    );
    const e = expectRelocationError(() => link(bytes, 0x1_0000_0000n));
    expect(e.problem).toBe('overflow');
    expect(e.typeName).toBe('R_X86_64_PC32');
    // Addresses wrap modulo 2^64, as on the CPU: the bottom 2 GiB is within reach of the top 2 GiB.
    expect(() => link(bytes, 0x1000n)).not.toThrow();
  });

  it('refuses a 32S value that is not sign-extendable', () => {
    const bytes = object(
      [{ section: '.text', offset: 0n, type: 11, symbol: 'ext', addend: 0n }],
      true,
    );
    expect(expectRelocationError(() => link(bytes, 0x8000_0000n)).problem).toBe('overflow');
    // ...and accepts the lowest kernel-window address, which is.
    expect(() => link(bytes, KERNEL_BASE)).not.toThrow();
  });

  it('refuses 16- and 8-bit fields that overflow', () => {
    const b16 = object(
      [{ section: '.text', offset: 0n, type: 12, symbol: 'ext', addend: 0n }],
      true,
    );
    expect(expectRelocationError(() => link(b16, 0x1_0000n)).problem).toBe('overflow');
    const b8 = object(
      [{ section: '.text', offset: 0n, type: 14, symbol: 'ext', addend: 0n }],
      true,
    );
    expect(expectRelocationError(() => link(b8, 0x100n)).problem).toBe('overflow');
    expect(() => link(b8, 0xffn)).not.toThrow();
  });

  it('names an unknown type', () => {
    const bytes = object(
      [{ section: '.text', offset: 0n, type: 0xfe, symbol: 'ext', addend: 0n }],
      true,
    );
    const e = expectRelocationError(() => link(bytes, EXT));
    expect(e.problem).toBe('unknown-type');
    expect(e.type).toBe(0xfe);
    expect(e.message).toContain('unknown type 0xfe');
  });

  it('refuses TLS, COPY and IRELATIVE by name', () => {
    for (const [type, name] of [
      [23, 'R_X86_64_TPOFF32'],
      [5, 'R_X86_64_COPY'],
      [37, 'R_X86_64_IRELATIVE'],
    ] as const) {
      const bytes = object(
        [{ section: '.text', offset: 0n, type, symbol: 'ext', addend: 0n }],
        true,
      );
      const e = expectRelocationError(() => link(bytes, EXT));
      expect(e.problem).toBe('unsupported-type');
      expect(e.typeName).toBe(name);
    }
  });

  it('refuses a relocation against a symbol in a section that is not loaded', () => {
    const bytes = object(
      [{ section: '.text', offset: 0n, type: 1, symbol: 'dbg', addend: 0n }],
      true,
    );
    const e = expectRelocationError(() => link(bytes, EXT));
    expect(e.problem).toBe('symbol-not-loaded');
    expect(e.message).toContain('.debug_info');
  });

  it('refuses a field outside its section as an ElfError on r_offset', () => {
    const bytes = object(
      [{ section: '.text', offset: 60n, type: 1, symbol: 'ext', addend: 0n }],
      true,
    );
    expect(() => link(bytes, EXT)).toThrow(ElfError);
    try {
      link(bytes, EXT);
    } catch (e) {
      expect((e as ElfError).field).toBe('r_offset');
    }
  });

  it('ignores relocations of sections that are not loaded (debug info), whatever their type', () => {
    const bytes = object(
      [
        { section: '.debug_info', offset: 0n, type: 0xfe, symbol: 'ext', addend: 0n },
        { section: '.debug_info', offset: 4n, type: 10, symbol: 'ext', addend: 0n },
      ],
      true,
    );
    const { module } = link(bytes, EXT);
    expect(module.relocationCounts.size).toBe(0);
  });

  it('applies nothing to the target memory when one relocation fails', () => {
    const bytes = object(
      [
        { section: '.text', offset: 0n, type: 1, symbol: 'ext', addend: 0n },
        { section: '.text', offset: 8n, type: 10, symbol: 'ext', addend: 0n },
      ],
      true,
    );
    const allocator = new BumpAllocator();
    const memory = new SparseMemory();
    expect(() =>
      linkModule(bytes, { allocator, memory, resolve: () => EXT, requireModuleMetadata: false }),
    ).toThrow(RelocationError);
    expect(memory.chunks.size).toBe(0);
    expect(allocator.live.size).toBe(0);
  });

  it('refuses a weak undefined symbol only when a relocation uses it, as kobj does', () => {
    const weak = [{ name: 'maybe', section: 'UND', bind: 2 }];
    const unused = object(
      [{ section: '.text', offset: 0n, type: 1, symbol: 'ext', addend: 0n }],
      true,
      0x5an,
      weak,
    );
    const { module } = link(unused, EXT);
    expect(module.imports.has('maybe')).toBe(false);
    const used = object(
      [{ section: '.text', offset: 0n, type: 1, symbol: 'maybe', addend: 0n }],
      true,
      0x5an,
      weak,
    );
    expect(() => link(used, EXT)).toThrow(UnresolvedSymbolsError);
    expect(
      link(used, EXT, undefined, { allowWeakUndefined: true }).module.imports.get('maybe'),
    ).toBe(0n);
  });
});
