/** NetBSD module metadata on hand-made objects: every way link_set_modules and modinfo can be wrong. */
import { describe, expect, it } from 'vitest';
import {
  inspectModule,
  linkModule,
  MODULE_CLASSES,
  ModuleMetadataError,
  netbsdVersionString,
  splitRequired,
} from '../src/index.js';
import {
  le,
  moduleSections,
  RODATA,
  type WriterRelocation,
  type WriterSection,
  writeElf,
} from './helpers/elf-writer.js';
import { BumpAllocator, SparseMemory } from './helpers/target.js';

function link(bytes: Uint8Array) {
  const allocator = new BumpAllocator();
  const memory = new SparseMemory();
  return {
    module: linkModule(bytes, { allocator, memory, resolve: () => 0xffffffff80000040n }),
    allocator,
    memory,
  };
}

function metadataError(bytes: Uint8Array): ModuleMetadataError {
  const allocator = new BumpAllocator();
  try {
    linkModule(bytes, {
      allocator,
      memory: new SparseMemory(),
      resolve: () => 0xffffffff80000040n,
    });
  } catch (e) {
    expect(e).toBeInstanceOf(ModuleMetadataError);
    expect(allocator.live.size).toBe(0);
    // The inspection reports the same problem without throwing.
    expect(inspectModule(bytes).metadataError?.message).toBe((e as Error).message);
    return e as ModuleMetadataError;
  }
  throw new Error('linked');
}

function build(
  edit: (m: { sections: WriterSection[]; relocations: WriterRelocation[] }) => void,
  name = 'handmade',
  cls = 2,
  required?: string,
) {
  const m = moduleSections(name, cls, required);
  const sections = [...m.sections];
  const relocations = [...m.relocations];
  edit({ sections, relocations });
  return writeElf({ sections, relocations, symbols: [{ name: 'kernel_thing', section: 'UND' }] });
}

describe('module metadata', () => {
  it('reads name, class, version and required modules', () => {
    const { module } = link(build(() => {}, 'ffs', 2, 'ufs,wapbl'));
    expect(module.metadata).toMatchObject({
      name: 'ffs',
      class: 'VFS',
      classNumber: 2,
      version: 1099001200,
      required: ['ufs', 'wapbl'],
    });
    expect(module.metadata!.modcmdAddress).toBe(
      module.sections.find((s) => s.name === '.text')!.address,
    );
    const info = inspectModule(build(() => {}, 'ffs', 2, 'ufs,wapbl'));
    expect(info.metadata).toMatchObject({
      name: 'ffs',
      class: 'VFS',
      required: ['ufs', 'wapbl'],
      modinfoSymbol: '.rodata.modinfo',
      modcmdSymbol: '.text',
    });
  });

  it('knows every module class by name', () => {
    for (const [n, cls] of MODULE_CLASSES.entries()) {
      if (n === 0) continue;
      expect(link(build(() => {}, 'm', n)).module.metadata!.class).toBe(cls);
    }
    // MODULE_CLASS_ANY is for lookups, not a class a module may have (module_do_load).
    expect(metadataError(build(() => {}, 'm', 0)).field).toBe('mi_class');
    expect(metadataError(build(() => {}, 'm', 7)).field).toBe('mi_class');
    expect(metadataError(build(() => {}, 'm', -1)).field).toBe('mi_class');
  });

  it('splits mi_required as module_do_load does', () => {
    expect(splitRequired('ufs,wapbl')).toEqual(['ufs', 'wapbl']);
    expect(splitRequired('')).toEqual([]);
    expect(splitRequired('a,,b')).toEqual(['a']);
    expect(splitRequired(',a,b')).toEqual(['a', 'b']);
    expect(splitRequired('a,')).toEqual(['a']);
    expect(splitRequired('x'.repeat(30))).toHaveLength(1);
    expect(() => splitRequired('x'.repeat(31))).toThrow(ModuleMetadataError);
    expect(metadataError(build(() => {}, 'm', 1, `ufs,${'w'.repeat(31)}`)).field).toBe(
      'mi_required',
    );
    expect(link(build(() => {}, 'm', 1, '')).module.metadata!.required).toEqual([]);
  });

  it('formats __NetBSD_Version__', () => {
    expect(netbsdVersionString(1099001200)).toBe('10.99.12');
    expect(netbsdVersionString(1000000000)).toBe('10.0');
    expect(netbsdVersionString(903000000)).toBe('9.3');
  });

  it('refuses a file without link_set_modules, unless metadata is optional', () => {
    const bytes = build(({ sections, relocations }) => {
      sections.splice(3, 1);
      relocations.splice(0, 1);
    });
    expect(metadataError(bytes).message).toContain('not a NetBSD module');
    const m = linkModule(bytes, {
      allocator: new BumpAllocator(),
      memory: new SparseMemory(),
      resolve: () => 1n,
      requireModuleMetadata: false,
    });
    expect(m.metadata).toBeUndefined();
  });

  it('refuses an empty, odd-sized or two-entry link_set_modules', () => {
    const resize = (data: Uint8Array) =>
      build(({ sections }) => {
        sections[3] = { name: 'link_set_modules', flags: RODATA, data, align: 8 };
      });
    expect(metadataError(resize(new Uint8Array(12))).message).toContain('size 12');
    expect(metadataError(resize(new Uint8Array(16))).message).toContain('holds 2 modinfo pointers');
  });

  it('refuses NULL pointers for modinfo, mi_name and mi_modcmd', () => {
    expect(metadataError(build(({ relocations }) => relocations.splice(0, 1))).message).toContain(
      'NULL modinfo',
    );
    expect(metadataError(build(({ relocations }) => relocations.splice(2, 1))).field).toBe(
      'mi_name',
    );
    expect(metadataError(build(({ relocations }) => relocations.splice(1, 1))).field).toBe(
      'mi_modcmd',
    );
  });

  it('refuses a modinfo or a name outside the module', () => {
    const out = build(({ relocations }) => {
      relocations[0] = { section: 'link_set_modules', offset: 0n, type: 1, symbol: 'kernel_thing' };
    });
    expect(metadataError(out).message).toContain('outside the module');
    const name = build(({ relocations }) => {
      relocations[2] = { section: '.rodata.modinfo', offset: 16n, type: 1, symbol: 'kernel_thing' };
    });
    expect(metadataError(name).field).toBe('mi_name');
  });

  it('refuses a modinfo that does not fit its section, and unterminated or overlong names', () => {
    const cut = build(({ sections }) => {
      sections[1] = {
        name: '.rodata.modinfo',
        flags: RODATA,
        data: le(4, 1099001200, 2, 0, 0),
        align: 8,
      };
    }, 'x');
    // The relocations at 16 and 24 no longer fit; the parser/linker names the field.
    expect(() => link(cut)).toThrow(/r_offset|modinfo/);
    const unterminated = build(({ sections }) => {
      sections[2] = {
        name: '.rodata.str',
        flags: RODATA,
        data: new TextEncoder().encode('abc'),
        align: 1,
      };
    });
    expect(metadataError(unterminated).message).toContain('NUL-terminated');
    expect(metadataError(build(() => {}, 'x'.repeat(32))).message).toContain('not a module name');
    expect(link(build(() => {}, 'x'.repeat(31))).module.metadata!.name).toHaveLength(31);
  });
});
