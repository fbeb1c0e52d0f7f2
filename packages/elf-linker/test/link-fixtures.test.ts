/** Linking the project's C test modules, checked against GNU ld (when present) and by hand. */
import { describe, expect, it } from 'vitest';
import {
  inspectModule,
  linkModule,
  ModuleMetadataError,
  parseElf,
  relocationTypeName,
  UnresolvedSymbolsError,
} from '../src/index.js';
import { hasTool, kmod, kmodPath } from './helpers/fixtures.js';
import { linkWithLd } from './helpers/ld-oracle.js';
import { BumpAllocator, KERNEL_BASE, SparseMemory, trapResolver } from './helpers/target.js';

const haveLd = hasTool('ld') && hasTool('objcopy');

function link(
  name: string,
  opts: { allowWeakUndefined?: boolean; resolve?: (n: string) => bigint | undefined } = {},
) {
  const allocator = new BumpAllocator();
  const memory = new SparseMemory();
  const trap = trapResolver();
  const module = linkModule(kmod(name), {
    allocator,
    memory,
    resolve: opts.resolve ?? trap.resolve,
    allowWeakUndefined: opts.allowWeakUndefined,
  });
  return { module, allocator, memory, assigned: trap.assigned };
}

describe('linked test modules match GNU ld byte for byte', () => {
  for (const name of ['hello', 'link_relocs', 'link_requires_a', 'link_requires_b', 'link_weak']) {
    it.skipIf(!haveLd)(`${name} (needs GNU ld and objcopy)`, () => {
      const { module, memory, assigned } = link(name, { allowWeakUndefined: true });
      const placed = new Map(
        module.sections.filter((s) => s.index >= 0).map((s) => [s.name, s.address]),
      );
      const weakZero = new Map([...module.imports].filter(([, a]) => a === 0n));
      const theirs = linkWithLd(
        kmodPath(name),
        placed,
        new Map([...assigned].filter(([n]) => !weakZero.has(n))),
      );
      let compared = 0;
      for (const s of module.sections) {
        if (s.index < 0) continue;
        const ours = memory.read(s.address, s.size);
        const ld = theirs.get(s.name);
        expect(ld, s.name).toBeDefined();
        if (s.kind === 'bss') expect(ours.every((b) => b === 0)).toBe(true);
        else
          expect(Buffer.from(ours).toString('hex'), s.name).toBe(Buffer.from(ld!).toString('hex'));
        compared++;
      }
      expect(compared).toBeGreaterThan(2);
    });
  }
});

describe('link_relocs: the relocation types gcc emits', () => {
  const { module, memory, allocator } = link('link_relocs');
  const elf = parseElf(kmod('link_relocs'));

  it('applies PLT32, PC32, 32S and 64, as many as the file holds for loaded sections', () => {
    const expected = new Map<string, number>();
    for (const rel of elf.relocationSections) {
      if (!module.sections.some((s) => s.index === rel.target)) continue;
      for (const e of elf.relocations(rel)) {
        const n = relocationTypeName(e.type);
        expected.set(n, (expected.get(n) ?? 0) + 1);
      }
    }
    expect(new Set(expected.keys())).toEqual(
      new Set(['R_X86_64_PLT32', 'R_X86_64_PC32', 'R_X86_64_32S', 'R_X86_64_64']),
    );
    expect(module.relocationCounts).toEqual(expected);
  });

  it('loads .text.unlikely and the allocated .eh_frame, whose PC32 points at the code', () => {
    const names = module.sections.map((s) => s.name);
    expect(names).toContain('.text.unlikely');
    expect(names).toContain('.eh_frame');
    const eh = module.sections.find((s) => s.name === '.eh_frame')!;
    const rel = elf.relocationSections.find((r) => elf.sections[r.target]!.name === '.eh_frame')!;
    const [e] = elf.relocations(rel);
    const target = module.sections.find((s) => s.index === elf.symbols[e!.symbol]!.shndx)!;
    const P = eh.address + e!.offset;
    expect(BigInt(memory.i32(P)) + P).toBe(
      target.address + elf.symbols[e!.symbol]!.value + e!.addend,
    );
  });

  it('reads the metadata from the relocated modinfo', () => {
    const md = module.metadata!;
    expect(md.name).toBe('link_relocs');
    expect(md.class).toBe('DRIVER');
    expect(md.classNumber).toBe(3);
    expect(md.version).toBe(1099001200);
    expect(md.versionString).toBe('10.99.12');
    expect(md.required).toEqual([]);
    expect(md.ident).toBeUndefined();
    expect(md.modinfoAddress).toBe(module.lookupAny('link_relocs_modinfo'));
    expect(md.modcmdAddress).toBe(module.lookupAny('link_relocs_modcmd'));
    expect(memory.u64(md.modinfoAddress + 8n)).toBe(md.modcmdAddress);
    expect(memory.cstring(memory.u64(md.modinfoAddress + 16n))).toBe('link_relocs');
  });

  it('lists link sets as relocated pointers', () => {
    expect([...module.linkSets.keys()].sort()).toEqual([
      'link_set_modules',
      'link_set_sysctl_funcs',
    ]);
    expect(module.linkSets.get('link_set_sysctl_funcs')).toEqual([
      module.lookupAny('link_relocs_sysctl_setup'),
    ]);
    expect(module.linkSets.get('link_set_modules')).toEqual([module.metadata!.modinfoAddress]);
  });

  it('exports globals only, and looks up locals on request', () => {
    expect([...module.exports.keys()].sort()).toEqual([
      'link_relocs_address_of',
      'link_relocs_asm_leaf',
      'link_relocs_cold',
      'link_relocs_names',
      'link_relocs_ops',
      'link_relocs_state',
      'link_relocs_state_ptr',
      'link_relocs_switch',
    ]);
    expect(module.lookup('link_relocs_twice')).toBeUndefined();
    expect(module.lookupAny('link_relocs_twice')).toBeDefined();
    expect([...module.imports.keys()].sort()).toEqual([
      'kernel_banner',
      'kernel_counter',
      'kernel_hook',
      'printf',
    ]);
  });

  it('puts pointers to imports and locals into data (R_X86_64_64)', () => {
    const names = module.lookup('link_relocs_names')!;
    expect(memory.u64(names + 16n)).toBe(module.imports.get('kernel_banner'));
    expect(memory.cstring(memory.u64(names))).toBe('twice');
    expect(memory.u64(module.lookup('link_relocs_state_ptr')!)).toBe(
      module.lookup('link_relocs_state'),
    );
    expect(memory.u64(module.lookup('link_relocs_ops')!)).toBe(
      module.lookupAny('link_relocs_twice'),
    );
    expect(memory.u32(module.lookup('link_relocs_state')!)).toBe(7);
  });

  it('symbolizes addresses inside the module and nothing outside', () => {
    const modcmd = module.metadata!.modcmdAddress;
    expect(module.symbolize(modcmd + 5n)).toEqual({
      symbol: 'link_relocs_modcmd',
      offset: 5,
      section: '.text',
      sectionOffset: Number(modcmd + 5n - module.sections[0]!.address),
    });
    const cold = module.lookup('link_relocs_cold')!;
    expect(module.symbolize(cold)?.section).toBe('.text.unlikely');
    expect(module.symbolize(cold)?.symbol).toBe('link_relocs_cold');
    expect(module.symbolize(KERNEL_BASE)).toBeUndefined();
  });

  it('returns every allocation on unload, once', () => {
    expect(allocator.live.size).toBe(module.sections.length);
    module.unload();
    expect(allocator.live.size).toBe(0);
    module.unload();
  });
});

describe('link_asm_relocs: assembler-made types and the GOT', () => {
  const EXT = KERNEL_BASE + 0x300000n;
  const FUNC = KERNEL_BASE + 0x300100n;
  const values: Record<string, bigint> = {
    small16: 0x1200n,
    small8: 0x30n,
    kernel_far: EXT,
    kernel_func: FUNC,
  };
  const { module, memory } = link('link_asm_relocs', { resolve: (n) => values[n] });
  const at = (label: string) => module.lookupAny(label)!;
  const got = module.sections.find((s) => s.kind === 'got')!;
  const slotOf = (value: bigint) => {
    for (let o = 0n; o < BigInt(got.size); o += 8n)
      if (memory.u64(got.address + o) === value) return got.address + o;
    throw new Error(`no GOT slot holds 0x${value.toString(16)}`);
  };
  const i64 = (a: bigint) => BigInt.asIntN(64, memory.u64(a));
  const target = () => at('asm_target');

  it('has a two-entry GOT for the two imports it reaches through it', () => {
    expect(got.size).toBe(16);
    expect(slotOf(EXT)).not.toBe(slotOf(FUNC));
  });

  it('fills the 16/8-bit, PC16/PC8, PC64 and SIZE fields', () => {
    const v = (a: bigint, n: number) => memory.read(a, n);
    expect(new DataView(v(at('asm_f_16'), 2).slice().buffer).getUint16(0, true)).toBe(0x1202);
    expect(v(at('asm_f_8'), 1)[0]).toBe(0x31);
    const pc16 = new DataView(v(at('asm_f_pc16'), 2).slice().buffer).getInt16(0, true);
    expect(BigInt(pc16)).toBe(target() - at('asm_f_pc16'));
    const pc8 = new DataView(v(at('asm_f_pc8'), 1).slice().buffer).getInt8(0);
    expect(BigInt(pc8)).toBe(target() + 8n - at('asm_f_pc8'));
    expect(i64(at('asm_f_pc64'))).toBe(EXT - at('asm_f_pc64') + 16n);
    expect(memory.u32(at('asm_f_size32'))).toBe(20);
    expect(memory.u64(at('asm_f_size64'))).toBe(16n);
  });

  it('fills GOTPCREL, GOTPCREL64 and GOTOFF64 data fields', () => {
    expect(BigInt(memory.i32(at('asm_f_gotpcrel'))) + at('asm_f_gotpcrel')).toBe(slotOf(EXT));
    expect(i64(at('asm_f_gotpcrel64')) + at('asm_f_gotpcrel64')).toBe(slotOf(EXT));
    expect(i64(at('asm_f_gotoff64'))).toBe(target() - got.address);
  });

  it('fills GLOB_DAT, JUMP_SLOT, RELATIVE and leaves NONE alone', () => {
    expect(memory.u64(at('asm_f_globdat'))).toBe(EXT);
    expect(memory.u64(at('asm_f_jumpslot'))).toBe(FUNC);
    const fields = module.sections.find((s) => s.name === '.rodata.asm_fields')!;
    expect(memory.u64(at('asm_f_relative'))).toBe(fields.address + 0x40n);
    expect(memory.u64(at('asm_f_none'))).toBe(0x5a5a5a5a5a5a5a5an);
  });

  it('patches the code: REX_GOTPCRELX, GOTPCRELX, GOTPC32, GOT64, GOTPC64 (no relaxation)', () => {
    const f = at('asm_got_user');
    const code = memory.read(f, 41);
    // movq kernel_far@GOTPCREL(%rip), %rax — still a load from the GOT.
    expect([...code.subarray(0, 3)]).toEqual([0x48, 0x8b, 0x05]);
    expect(BigInt(memory.i32(f + 3n)) + f + 7n).toBe(slotOf(EXT));
    // call *kernel_func@GOTPCREL(%rip)
    expect([...code.subarray(7, 9)]).toEqual([0xff, 0x15]);
    expect(BigInt(memory.i32(f + 9n)) + f + 13n).toBe(slotOf(FUNC));
    // leaq _GLOBAL_OFFSET_TABLE_(%rip), %rcx
    expect([...code.subarray(13, 16)]).toEqual([0x48, 0x8d, 0x0d]);
    expect(BigInt(memory.i32(f + 16n)) + f + 20n).toBe(got.address);
    // movabsq $kernel_far@GOT, %rdx
    expect([...code.subarray(20, 22)]).toEqual([0x48, 0xba]);
    expect(memory.u64(f + 22n)).toBe(slotOf(EXT) - got.address);
    // movabsq $_GLOBAL_OFFSET_TABLE_ - ., %rsi
    expect([...code.subarray(30, 32)]).toEqual([0x48, 0xbe]);
    expect(i64(f + 32n)).toBe(got.address - (f + 30n));
    expect(code[40]).toBe(0xc3);
  });

  it('counts every type once', () => {
    for (const t of [
      '16',
      '8',
      'PC16',
      'PC8',
      'PC64',
      'SIZE32',
      'SIZE64',
      'GOTPCREL',
      'GOTPCREL64',
      'GOTOFF64',
      'GLOB_DAT',
      'JUMP_SLOT',
      'RELATIVE',
      'NONE',
      'REX_GOTPCRELX',
      'GOTPCRELX',
      'GOTPC32',
      'GOT64',
      'GOTPC64',
    ]) {
      expect(module.relocationCounts.get(`R_X86_64_${t}`), t).toBe(1);
    }
    expect(module.imports.has('_GLOBAL_OFFSET_TABLE_')).toBe(false);
  });
});

describe('link_common: COMMON symbols', () => {
  const { module, allocator } = link('link_common');
  const area = module.sections.find((s) => s.kind === 'common')!;

  it('get an area of their own, aligned to the strictest st_value', () => {
    expect(area.name).toBe('COMMON');
    expect(area.align).toBe(256);
    expect(area.write).toBe(true);
    expect(allocator.requests.find((r) => r.name === 'COMMON')?.align).toBe(256);
  });

  it('each sit at their own alignment without overlapping', () => {
    const want: [string, bigint, bigint][] = [
      ['link_common_int', 4n, 4n],
      ['link_common_array', 64n, 128n],
      ['link_common_byte', 1n, 1n],
      ['link_common_asm', 256n, 100n],
    ];
    const spans: [bigint, bigint][] = [];
    for (const [name, align, size] of want) {
      const a = module.lookup(name)!;
      expect(a % align, name).toBe(0n);
      expect(a >= area.address && a + size <= area.address + BigInt(area.size), name).toBe(true);
      for (const [s, e] of spans) expect(a + size <= s || a >= e, name).toBe(true);
      spans.push([a, a + size]);
      expect(module.symbolize(a + size - 1n)).toMatchObject({
        symbol: name,
        offset: Number(size - 1n),
        section: 'COMMON',
      });
    }
  });
});

describe('link_weak: weak symbols', () => {
  it('refuses weak undefined symbols by name, as NetBSD kobj does, before allocating anything', () => {
    const allocator = new BumpAllocator();
    try {
      linkModule(kmod('link_weak'), {
        allocator,
        memory: new SparseMemory(),
        resolve: trapResolver().resolve,
      });
      throw new Error('linked');
    } catch (e) {
      expect(e).toBeInstanceOf(UnresolvedSymbolsError);
      const u = e as UnresolvedSymbolsError;
      expect(u.names).toEqual([]);
      expect(u.weak).toEqual(['link_weak_optional_data', 'link_weak_optional_hook']);
      expect(u.message).toContain('weak');
    }
    expect(allocator.requests).toEqual([]);
  });

  it('resolves them to 0 or through the resolver when the caller opts in', () => {
    const hook = KERNEL_BASE + 0x5000n;
    const { module } = link('link_weak', {
      allowWeakUndefined: true,
      resolve: (n) => (n === 'link_weak_optional_hook' ? hook : undefined),
    });
    expect(module.imports.get('link_weak_optional_hook')).toBe(hook);
    expect(module.imports.get('link_weak_optional_data')).toBe(0n);
    expect(module.lookup('link_weak_default')).toBeDefined();
  });
});

describe('modules that depend on each other', () => {
  it('link_requires_b requires link_requires_a and links against its exports', () => {
    const kernel = trapResolver();
    const a = link('link_requires_a');
    expect(a.module.metadata!.ident).toEqual({ version: 1099001200, versionString: '10.99.12' });
    expect(a.module.metadata!.required).toEqual([]);
    const b = link('link_requires_b', { resolve: (n) => a.module.lookup(n) ?? kernel.resolve(n) });
    expect(b.module.metadata!.required).toEqual(['link_requires_a']);
    expect(b.module.imports.get('link_requires_a_lookup')).toBe(
      a.module.lookup('link_requires_a_lookup'),
    );
    expect(b.memory.u64(b.module.lookup('link_requires_b_table_ptr')!)).toBe(
      a.module.lookup('link_requires_a_table'),
    );
    expect(kernel.assigned.size).toBe(0);
  });
});

describe('refusals on real fixtures', () => {
  it('link_unresolved: names every missing import, sorted, in one error, before allocating', () => {
    const allocator = new BumpAllocator();
    const asked: string[] = [];
    try {
      linkModule(kmod('link_unresolved'), {
        allocator,
        memory: new SparseMemory(),
        resolve: (n) => void asked.push(n),
      });
      throw new Error('linked');
    } catch (e) {
      expect(e).toBeInstanceOf(UnresolvedSymbolsError);
      expect((e as UnresolvedSymbolsError).names).toEqual([
        'link_missing_function',
        'link_missing_variable',
        'zz_link_missing_last',
      ]);
      expect((e as Error).message).toContain('3 unresolved symbol(s)');
    }
    expect(asked.sort()).toEqual([
      'link_missing_function',
      'link_missing_variable',
      'zz_link_missing_last',
    ]);
    expect(allocator.requests).toEqual([]);
  });

  it('link_two_modules: refuses two modinfos in one file and returns what it allocated', () => {
    const allocator = new BumpAllocator();
    const memory = new SparseMemory();
    try {
      linkModule(kmod('link_two_modules'), { allocator, memory, resolve: () => undefined });
      throw new Error('linked');
    } catch (e) {
      expect(e).toBeInstanceOf(ModuleMetadataError);
      expect((e as ModuleMetadataError).field).toBe('link_set_modules');
      expect((e as Error).message).toContain('holds 2 modinfo pointers');
    }
    expect(allocator.requests.length).toBeGreaterThan(0);
    expect(allocator.live.size).toBe(0);
    expect(memory.chunks.size).toBe(0);
    const info = inspectModule(kmod('link_two_modules'));
    expect(info.metadata).toBeUndefined();
    expect(info.metadataError?.field).toBe('link_set_modules');
    expect([...info.linkSets[0]!.entries].sort()).toEqual([
      'link_two_first_modinfo',
      'link_two_second_modinfo',
    ]);
  });
});

describe('target interfaces', () => {
  it('zero-fills .bss and COMMON through memory.zero when the target offers it', () => {
    const zeroed: [bigint, number][] = [];
    const written: bigint[] = [];
    const m = linkModule(kmod('link_common'), {
      allocator: new BumpAllocator(),
      memory: { write: (a) => void written.push(a), zero: (a, n) => void zeroed.push([a, n]) },
      resolve: () => undefined,
    });
    const common = m.sections.find((s) => s.kind === 'common')!;
    expect(zeroed).toContainEqual([common.address, common.size]);
    expect(written).not.toContain(common.address);
    expect(written.length + zeroed.length).toBe(m.sections.length);
  });

  it('refuses an allocator that ignores the alignment, returning what it got', () => {
    const allocator = new BumpAllocator();
    const misaligned = {
      allocate: (r: Parameters<BumpAllocator['allocate']>[0]) =>
        allocator.allocate({ ...r, align: 1, size: r.size + 1 }) + 1n,
      free: (a: bigint, n: number) => allocator.free(a - 1n, n + 1),
    };
    expect(() =>
      linkModule(kmod('hello'), {
        allocator: misaligned,
        memory: new SparseMemory(),
        resolve: () => KERNEL_BASE,
      }),
    ).toThrow(/not aligned to 16/);
    expect(allocator.live.size).toBe(0);
  });
});
