/** The ELF reader: checked against readelf on every test module, and on hand-made ELF32 and big-endian files. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ElfError,
  ElfLinkerError,
  inspectModule,
  linkModule,
  parseElf,
  readNetbsdIdent,
  relocationTypeName,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHF_MERGE,
  SHF_STRINGS,
  SHF_WRITE,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
} from '../src/index.js';
import { DATA, le, TEXT, writeElf } from './helpers/elf-writer.js';
import { allFixtures, hasTool, kmod, kmodPath, run } from './helpers/fixtures.js';
import { readelfRelocations, readelfSections, readelfSymbols } from './helpers/readelf.js';
import { BumpAllocator, SparseMemory } from './helpers/target.js';

const haveReadelf = hasTool('readelf');
const haveNm = hasTool('nm');

const TYPE_NAMES = ['STT_NOTYPE', 'OBJECT', 'FUNC', 'SECTION', 'FILE', 'COMMON', 'TLS'];
const BIND_NAMES = ['LOCAL', 'GLOBAL', 'WEAK'];

function flagLetters(flags: number): string {
  let s = '';
  if (flags & SHF_WRITE) s += 'W';
  if (flags & SHF_ALLOC) s += 'A';
  if (flags & SHF_EXECINSTR) s += 'X';
  if (flags & SHF_MERGE) s += 'M';
  if (flags & SHF_STRINGS) s += 'S';
  if (flags & SHF_INFO_LINK) s += 'I';
  return s;
}

describe('parseElf agrees with readelf on every test module', () => {
  for (const name of allFixtures()) {
    describe(name, () => {
      const file = kmodPath(name);
      const elf = parseElf(kmod(name));

      it('header', () => {
        expect(elf.header).toMatchObject({
          class: 64,
          endian: 'little',
          type: 1,
          machine: 62,
          phnum: 0,
        });
        expect(elf.programHeaders).toEqual([]);
      });

      it.skipIf(!haveReadelf)('sections (needs readelf)', () => {
        const facts = readelfSections(file);
        expect(elf.sections.length - 1).toBe(facts.length);
        for (const f of facts) {
          const s = elf.sections[f.index]!;
          expect(s.name).toBe(f.name);
          expect(s.typeName).toBe(f.type);
          if (s.typeName !== 'NOBITS') expect(s.offset).toBe(f.offset);
          expect(s.size).toBe(f.size);
          expect(s.entsize).toBe(f.entsize);
          expect(flagLetters(s.flags)).toBe(f.flags);
          expect([s.link, s.info, s.addralign]).toEqual([f.link, f.info, f.align]);
        }
      });

      it.skipIf(!haveReadelf)('symbols (needs readelf)', () => {
        const facts = readelfSymbols(file);
        expect(elf.symbols.length).toBe(facts.length);
        for (const f of facts) {
          const s = elf.symbols[f.index]!;
          expect(s.value).toBe(f.value);
          expect(s.size).toBe(f.size);
          expect(TYPE_NAMES[s.type]!.replace('STT_', '')).toBe(f.type);
          expect(BIND_NAMES[s.bind]).toBe(f.bind);
          const ndx =
            s.shndx === SHN_UNDEF
              ? 'UND'
              : s.shndx === SHN_ABS
                ? 'ABS'
                : s.shndx === SHN_COMMON
                  ? 'COM'
                  : String(s.shndx);
          expect(ndx).toBe(f.ndx);
          // readelf names section symbols after their section.
          expect(s.type === 3 ? elf.sections[s.shndx]!.name : s.name).toBe(f.name);
        }
      });

      it.skipIf(!haveReadelf)('relocations (needs readelf)', () => {
        const facts = readelfRelocations(file);
        const ours = elf.relocationSections.flatMap((r) =>
          elf.relocations(r).map((e) => ({
            section: r.section.name,
            offset: e.offset,
            info: (BigInt(e.symbol) << 32n) | BigInt(e.type),
            type: relocationTypeName(e.type),
            addend: e.addend,
          })),
        );
        expect(ours).toEqual(facts);
      });

      it.skipIf(!haveNm)('imports and exports agree with nm (needs nm)', () => {
        const info = inspectModule(kmod(name));
        const undef = run('nm', ['-u', file])
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((t) => t.length === 2)
          .map((t) => t[1]!);
        expect([...info.imports, ...info.weakImports].sort()).toEqual(undef.sort());
        const defined = run('nm', ['-g', '--defined-only', file])
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((t) => t.length === 3)
          .map((t) => t[2]!);
        const commons = run('nm', ['-g', file])
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((t) => t.length === 3 && t[1] === 'C')
          .map((t) => t[2]!);
        expect(info.exports.map((e) => e.name)).toEqual(
          [...new Set([...defined, ...commons])].sort(),
        );
      });
    });
  }

  it.skipIf(!haveReadelf)('the NetBSD ident note matches readelf -n', () => {
    const text = run('readelf', ['-n', kmodPath('link_requires_a')]);
    const m = /IDENT (\d+) \(([\d.]+)\)/.exec(text)!;
    const ident = readNetbsdIdent(parseElf(kmod('link_requires_a')))!;
    expect(ident.version).toBe(Number(m[1]));
    expect(ident.versionString).toBe(m[2]);
  });
});

describe('ELF32 and big-endian files', () => {
  const input = {
    sections: [
      { name: '.text', flags: TEXT, data: le(4, 0x11223344, 0), align: 4 },
      { name: '.data', flags: DATA, data: le(4, 7, 8), align: 4 },
    ],
    symbols: [
      { name: 'start', section: '.text', value: 0n, size: 8n, type: 2 },
      { name: 'ext', section: 'UND' },
      { name: 'abs', section: 'ABS', value: 0x1234n },
    ],
    relocations: [{ section: '.text', offset: 4n, type: 1, symbol: 'ext', addend: -8n }],
    machine: 3,
  };

  for (const cls of [32, 64] as const) {
    for (const endian of ['little', 'big'] as const) {
      for (const rela of [true, false]) {
        it(`reads ELF${cls} ${endian}-endian ${rela ? 'RELA' : 'REL'}`, () => {
          const elf = parseElf(writeElf({ ...input, class: cls, endian, rela }));
          expect(elf.header).toMatchObject({ class: cls, endian, machine: 3 });
          expect(elf.sections.map((s) => s.name)).toEqual([
            '',
            '.text',
            '.data',
            rela ? '.rela.text' : '.rel.text',
            '.symtab',
            '.strtab',
            '.shstrtab',
          ]);
          const start = elf.symbols.find((s) => s.name === 'start')!;
          expect(start).toMatchObject({ value: 0n, size: 8n, type: 2, bind: 1, shndx: 1 });
          expect(elf.symbols.find((s) => s.name === 'abs')).toMatchObject({
            value: 0x1234n,
            shndx: SHN_ABS,
          });
          const [rel] = elf.relocationSections;
          expect(rel).toMatchObject({ target: 1, rela, count: 1 });
          const [e] = elf.relocations(rel!);
          expect(e).toMatchObject({ offset: 4n, type: 1, addend: rela ? -8n : 0n });
          expect(elf.symbols[e!.symbol]!.name).toBe('ext');
          const data = elf.sectionData(elf.section('.data')!);
          const v = new DataView(data.buffer, data.byteOffset);
          expect(v.getUint32(0, endian === 'little')).toBe(endian === 'little' ? 7 : 0x07000000);
        });
      }
    }
  }

  it('refuses to link what is not a little-endian ELF64 x86-64 relocatable object, naming the field', () => {
    const link = (bytes: Uint8Array) =>
      linkModule(bytes, {
        allocator: new BumpAllocator(),
        memory: new SparseMemory(),
        resolve: () => 0n,
        requireModuleMetadata: false,
      });
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(ElfError);
        return (e as ElfError).field;
      }
      return 'no error';
    };
    expect(field(() => link(writeElf({ ...input, class: 32 })))).toBe('e_ident[EI_CLASS]');
    expect(field(() => link(writeElf({ ...input, machine: 62, endian: 'big' })))).toBe(
      'e_ident[EI_DATA]',
    );
    expect(field(() => link(writeElf({ ...input, machine: 3 })))).toBe('e_machine');
    expect(field(() => link(writeElf({ ...input, machine: 62, type: 2 })))).toBe('e_type');
  });
});

describe('malformed files are ElfErrors naming field and offset', () => {
  const good = kmod('hello');
  const view = () => {
    const b = good.slice();
    return { b, v: new DataView(b.buffer) };
  };
  const fieldOf = (bytes: Uint8Array): ElfError => {
    try {
      parseElf(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      return e as ElfError;
    }
    throw new Error('parsed');
  };
  const shoff = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(40, true));
  const shdr = (i: number) => shoff + i * 64;

  it('empty, short and non-ELF inputs', () => {
    expect(fieldOf(new Uint8Array(0)).field).toBe('e_ident');
    expect(fieldOf(new TextEncoder().encode('#!/bin/sh\necho hi\n')).field).toBe('e_ident[EI_MAG]');
    expect(fieldOf(good.subarray(0, 40)).field).toBe('Elf_Ehdr');
    const { b } = view();
    b[4] = 9;
    expect(fieldOf(b).field).toBe('e_ident[EI_CLASS]');
  });

  it('section headers past the end of the file', () => {
    const { b, v } = view();
    v.setUint16(60, 0xfff0, true); // e_shnum
    const e = fieldOf(b);
    expect(e.field).toBe('e_shoff');
    expect(e.offset).toBe(40);
  });

  it('section contents past the end of the file', () => {
    const { b, v } = view();
    v.setBigUint64(shdr(1) + 32, 0x7fff_ffffn, true); // .text sh_size
    const e = fieldOf(b);
    expect(e.field).toBe('sh_offset[1]');
  });

  it('a huge 64-bit size', () => {
    const { b, v } = view();
    v.setBigUint64(shdr(1) + 32, 0xffff_ffff_ffff_fff0n, true);
    const e = fieldOf(b);
    expect(e.field).toBe('sh_size[1]');
    expect(e.offset).toBe(shdr(1) + 32);
  });

  it('a section name outside the string table', () => {
    const { b, v } = view();
    v.setUint32(shdr(2), 0x10000, true);
    expect(fieldOf(b).field).toBe('sh_name[2]');
  });

  it('a symbol-table entry size of 0, and a symbol in a section that does not exist', () => {
    const elf = parseElf(good);
    const symtab = elf.sections.find((s) => s.typeName === 'SYMTAB')!;
    {
      const { b, v } = view();
      v.setBigUint64(symtab.headerOffset + 56, 0n, true);
      expect(fieldOf(b).field).toBe(`sh_entsize[${symtab.index}]`);
    }
    {
      const { b, v } = view();
      v.setUint16(symtab.offset + 24 + 6, 0x999, true);
      const e = fieldOf(b);
      expect(e.field).toBe('st_shndx');
      expect(e.offset).toBe(symtab.offset + 24);
    }
  });

  it('a relocation naming a symbol that does not exist', () => {
    const elf = parseElf(good);
    const rel = elf.relocationSections[0]!;
    const { b, v } = view();
    v.setUint32(rel.section.offset + 12, 0x7777, true); // high half of r_info: the symbol index
    const bad = parseElf(b);
    let err: unknown;
    try {
      bad.relocations(bad.relocationSections[0]!);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as ElfError).field).toBe('r_info');
    expect((err as ElfError).offset).toBe(rel.section.offset + 8);
  });

  it('every error is an ElfLinkerError with the field in its message', () => {
    const e = fieldOf(good.subarray(0, 10));
    expect(e).toBeInstanceOf(ElfLinkerError);
    expect(e.message).toMatch(/^ELF e_ident at file offset 0x0:/);
  });
});

describe.skipIf(!haveReadelf || !existsSync('/bin/true'))(
  'a host executable: program headers and notes (needs readelf and /bin/true)',
  () => {
    const bytes = new Uint8Array(readFileSync('/bin/true'));
    const elf = parseElf(bytes);

    it('program headers match readelf -l', () => {
      const rows = run('readelf', ['-l', '-W', '/bin/true'])
        .split('\n')
        .map((l) =>
          /^\s+[A-Z_]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/.exec(
            l,
          ),
        )
        .filter((m) => m !== null)
        .map((m) => ({
          offset: Number.parseInt(m[1]!, 16),
          vaddr: BigInt(`0x${m[2]}`),
          filesz: Number.parseInt(m[3]!, 16),
          memsz: BigInt(`0x${m[4]}`),
        }));
      expect(rows.length).toBeGreaterThan(0);
      expect(
        elf.programHeaders.map((p) => ({
          offset: p.offset,
          vaddr: p.vaddr,
          filesz: p.filesz,
          memsz: p.memsz,
        })),
      ).toEqual(rows);
    });

    it('notes match readelf -n, 4- and 8-byte aligned', () => {
      const text = run('readelf', ['-n', '/bin/true']);
      const facts: { section: string; owner: string; size: number }[] = [];
      let section = '';
      for (const line of text.split('\n')) {
        const h = /notes found in: (\S+)/.exec(line);
        if (h) section = h[1]!;
        const m = /^\s+(\S+)\s+0x([0-9a-f]+)\s/.exec(line);
        if (m && m[1] !== 'Owner')
          facts.push({ section, owner: m[1]!, size: Number.parseInt(m[2]!, 16) });
      }
      expect(facts.length).toBeGreaterThan(0);
      expect(
        elf.notes.map((n) => ({ section: n.section, owner: n.name, size: n.desc.byteLength })),
      ).toEqual(facts);
    });
  },
);
