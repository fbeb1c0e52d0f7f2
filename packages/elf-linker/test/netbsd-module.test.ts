/**
 * A real NetBSD module: ffs.kmod (and ufs.kmod beside it) for NetBSD 10.99 amd64. Runs when
 * RUMP_TEST_FFS_KMOD names the file; the facts it checks come from ../shared/netbsd/.
 * NetBSD binaries are never committed, so a fresh checkout skips this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectModule, linkModule, parseElf, SHT_NOBITS } from '../src/index.js';
import { hasTool } from './helpers/fixtures.js';
import { linkWithLd } from './helpers/ld-oracle.js';
import { BumpAllocator, KERNEL_BASE, SparseMemory } from './helpers/target.js';

const ffsPath = process.env.RUMP_TEST_FFS_KMOD;
const haveFfs = !!ffsPath && existsSync(ffsPath);
const ufsPath =
  process.env.RUMP_TEST_UFS_KMOD ?? (ffsPath ? join(dirname(ffsPath), 'ufs.kmod') : '');
const haveUfs = haveFfs && existsSync(ufsPath);
const FACTS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'shared',
  'netbsd',
);
const facts = (file: string): string[] | undefined => {
  const p = join(FACTS, file);
  return existsSync(p)
    ? readFileSync(p, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : undefined;
};
const haveLd = hasTool('ld') && hasTool('objcopy');

/** Every import at its own address in the kernel window, 16 bytes apart: a trap table. */
function trapTable() {
  const assigned = new Map<string, bigint>();
  const resolve = (name: string) => {
    let a = assigned.get(name);
    if (a === undefined)
      assigned.set(name, (a = KERNEL_BASE + 0x1000n + BigInt(assigned.size) * 16n));
    return a;
  };
  return { assigned, resolve };
}

describe.skipIf(!haveFfs)(
  'NetBSD ffs.kmod (needs RUMP_TEST_FFS_KMOD=/path/to/ffs.kmod, NetBSD 10.99 amd64)',
  () => {
    const bytes = haveFfs ? new Uint8Array(readFileSync(ffsPath!)) : new Uint8Array(0);

    it('parses as NetBSD builds modules: ELF64 ET_REL x86-64, no program headers, no ident note, no NOBITS', () => {
      const elf = parseElf(bytes);
      expect(elf.header).toMatchObject({
        class: 64,
        endian: 'little',
        type: 1,
        machine: 62,
        phnum: 0,
      });
      expect(elf.section('.note.netbsd.ident')).toBeUndefined();
      expect(elf.sections.some((s) => s.type === SHT_NOBITS && s.size > 0)).toBe(false);
      expect(elf.section('.eh_frame')!.flags & 2).toBe(2);
    });

    it('names its metadata: ffs, VFS, 10.99.12, requires ufs and wapbl', () => {
      const info = inspectModule(bytes);
      expect(info.metadata).toMatchObject({
        name: 'ffs',
        class: 'VFS',
        version: 1099001200,
        versionString: '10.99.12',
        required: ['ufs', 'wapbl'],
        modinfoSymbol: 'ffs_modinfo',
        modcmdSymbol: 'ffs_modcmd',
      });
      expect(info.linkSets.find((l) => l.name === 'link_set_sysctl_funcs')?.entries).toEqual([
        'ffs_sysctl_setup',
      ]);
    });

    it('imports the 314 symbols of ffs.imports.txt, with only PLT32, 32S, 64 and PC32 relocations', () => {
      const info = inspectModule(bytes);
      expect(info.imports).toHaveLength(314);
      expect(info.weakImports).toEqual([]);
      const listed = facts('ffs.imports.txt');
      if (listed) expect(info.imports).toEqual([...listed].sort());
      expect(Object.keys(info.relocations).sort()).toEqual([
        'R_X86_64_32S',
        'R_X86_64_64',
        'R_X86_64_PC32',
        'R_X86_64_PLT32',
      ]);
    });

    it('links with every import mapped to a distinct trap address in the top 2 GiB', () => {
      const allocator = new BumpAllocator();
      const memory = new SparseMemory();
      const traps = trapTable();
      const m = linkModule(bytes, { allocator, memory, resolve: traps.resolve });
      expect(traps.assigned.size).toBe(314);
      expect(new Set(m.imports.values()).size).toBe(314);
      for (const s of m.sections) expect(s.address >= KERNEL_BASE).toBe(true);
      const md = m.metadata!;
      expect(md.modinfoAddress).toBe(m.lookupAny('ffs_modinfo'));
      expect(md.modcmdAddress).toBe(m.lookupAny('ffs_modcmd'));
      expect(m.linkSets.get('link_set_sysctl_funcs')).toEqual([m.lookupAny('ffs_sysctl_setup')]);
      expect(memory.cstring(memory.u64(md.modinfoAddress + 24n))).toBe('ufs,wapbl');
      expect(m.symbolize(md.modcmdAddress + 4n)).toMatchObject({ symbol: 'ffs_modcmd', offset: 4 });
      const total = [...m.relocationCounts.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(2000);
      m.unload();
      expect(allocator.live.size).toBe(0);
    });

    it.skipIf(!haveLd)('matches GNU ld byte for byte (needs GNU ld and objcopy)', () => {
      const memory = new SparseMemory();
      const traps = trapTable();
      const m = linkModule(bytes, {
        allocator: new BumpAllocator(),
        memory,
        resolve: traps.resolve,
      });
      const theirs = linkWithLd(
        ffsPath!,
        new Map(m.sections.map((s) => [s.name, s.address])),
        traps.assigned,
      );
      for (const s of m.sections) {
        expect(
          Buffer.from(memory.read(s.address, s.size)).equals(Buffer.from(theirs.get(s.name)!)),
          s.name,
        ).toBe(true);
      }
    });

    it.skipIf(!haveUfs)(
      'links against ufs.kmod: ffs takes its ufs_* imports from ufs, the rest from the kernel',
      () => {
        const ufsBytes = new Uint8Array(readFileSync(ufsPath));
        const allocator = new BumpAllocator();
        const memory = new SparseMemory();
        const kernel = trapTable();
        const ufs = linkModule(ufsBytes, { allocator, memory, resolve: kernel.resolve });
        expect(ufs.metadata).toMatchObject({ name: 'ufs', class: 'MISC', required: ['wapbl'] });
        expect(ufs.imports.size).toBe(162);
        const ffs = linkModule(bytes, {
          allocator,
          memory,
          resolve: (n) => ufs.lookup(n) ?? kernel.resolve(n),
        });
        const fromUfs = [...ffs.imports].filter(([n, a]) => ufs.lookup(n) === a).map(([n]) => n);
        expect(fromUfs.length).toBeGreaterThan(0);
        expect(fromUfs.every((n) => kernel.assigned.get(n) === undefined)).toBe(true);
        const kernelSymbols = facts('kernel-symbols-for-ffs-ufs.txt');
        if (kernelSymbols) {
          const listed = new Set(kernelSymbols.flatMap((l) => l.split(/\s+/)));
          expect(kernel.assigned.size).toBe(337);
          for (const n of kernel.assigned.keys()) expect(listed.has(n), n).toBe(true);
        }
      },
    );
  },
);
