/**
 * The real NetBSD ffs.kmod (RUMP_TEST_FFS_KMOD; ufs.kmod beside it or in RUMP_TEST_MODULE_PATH):
 * every import must exist in the kernel symbol table, implemented or named in its
 * "not implemented yet" list, which this test prints and which shrinks as the VFS lands.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inspectModule } from '@rump/elf-linker';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../src/index.js';

const ffsPath = process.env.RUMP_TEST_FFS_KMOD;
const moduleDir = process.env.RUMP_TEST_MODULE_PATH ?? (ffsPath ? dirname(ffsPath) : undefined);
const ufsPath = moduleDir ? join(moduleDir, 'ufs.kmod') : undefined;
const have = !!ffsPath && existsSync(ffsPath) && !!ufsPath && existsSync(ufsPath);

describe.skipIf(!have)('real ffs.kmod and ufs.kmod (needs RUMP_TEST_FFS_KMOD)', () => {
  const ffs = have ? readFileSync(ffsPath!) : new Uint8Array();
  const ufs = have ? readFileSync(ufsPath!) : new Uint8Array();

  it('every import is a kernel symbol (or a ufs export); prints what is not implemented yet', () => {
    const k = createKernel({ host: new MemoryHost() });
    // The VFS builds its vectors (spec_vnodeop_p ...) on first use.
    k.vfs.stat('/');
    const ufsExports = new Set(inspectModule(ufs).exports.map((s) => s.name));
    const imports = [
      ...new Set([...inspectModule(ffs).imports, ...inspectModule(ufs).imports]),
    ].filter((n) => !ufsExports.has(n));
    const missing = imports.filter((n) => !k.ksyms.has(n));
    expect(missing).toEqual([]);
    const notImplemented = imports.filter((n) => !k.ksyms.get(n)!.implemented).sort();
    const registry = new Set(k.ksyms.unimplementedNames());
    expect(notImplemented).toEqual(k.ksyms.unimplementedNames().filter((n) => imports.includes(n)));
    expect(notImplemented.every((n) => registry.has(n))).toBe(true);
    console.log(
      `ffs+ufs import ${imports.length} kernel symbols; ${imports.length - notImplemented.length} implemented, ` +
        `${notImplemented.length} not implemented yet:\n  ${notImplemented.join(' ')}`,
    );
  });

  it('loads ufs (and the built-in wapbl) then ffs through modctl, running their init in the guest', () => {
    const host = new MemoryHost();
    host.addFile('/m/ffs.kmod', ffs);
    host.addFile('/m/ufs.kmod', ufs);
    const k = createKernel({ host, modulePath: ['/m'] });
    k.etfs.register('/ffs.kmod', '/m/ffs.kmod', 'REG');
    const st = k.modctl('load', { filename: '/ffs.kmod' });
    expect(st).toMatchObject({ name: 'ffs', class: 'vfs', required: ['ufs', 'wapbl'] });
    expect(k.modctl('stat').map((m) => [m.name, m.refcount])).toEqual([
      ['wapbl', 2],
      ['ufs', 1],
      ['ffs', 0],
    ]);
    // ffs's sysctl setup ran at load (link_set_sysctl_funcs), as NetBSD's module_load_sysctl does.
    expect(k.sysctl.names().some((n) => n.startsWith('vfs.ffs'))).toBe(true);
    expect(host.consoleText()).not.toContain('WARNING: module error');
    k.modctl('unload', 'ffs');
    expect(k.modctl('stat').find((m) => m.name === 'ufs')?.refcount).toBe(0);
  });
});
