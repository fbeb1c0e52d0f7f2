/**
 * Which imports of a module this kernel can satisfy: boots a @rump/kernel-core kernel (a few
 * milliseconds, in memory) and looks each import up in its symbol table. An import is
 *   implemented   — a kernel function or data symbol written in TypeScript;
 *   unimplemented — known (NetBSD has it) but calling it panics naming itself, for now;
 *   missing       — not in the kernel at all: linking the module fails;
 *   from-module   — exported by one of the module's required modules (when found).
 */

import { MemoryHost } from '@rump/hypercall';
import { createKernel, formatVersion, type Kernel, moduleCompatible } from '@rump/kernel-core';

export type ImportStatus = 'implemented' | 'unimplemented' | 'missing' | 'from-module';

export interface ImportCheck {
  readonly name: string;
  readonly status: ImportStatus;
  /** Kernel subsystem (`vfs`, `kmem`) or the module that provides it. */
  readonly where: string | undefined;
}

export interface KernelCheck {
  readonly kernelRelease: string;
  readonly kernelVersion: number;
  /** Whether the kernel's module_compatible() accepts the module's mi_version. */
  readonly versionAccepted: boolean | undefined;
  readonly builtinModules: readonly string[];
  readonly imports: readonly ImportCheck[];
  readonly counts: Readonly<Record<ImportStatus, number>>;
}

/**
 * Checks `imports` against a freshly booted kernel. `moduleExports` maps the names of required
 * modules that were found to the symbols they export.
 */
export function checkImports(
  imports: readonly string[],
  moduleVersion: number | undefined,
  moduleExports: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  k: Kernel = bootCheckKernel(),
): KernelCheck {
  const out: ImportCheck[] = [];
  const counts: Record<ImportStatus, number> = {
    implemented: 0,
    unimplemented: 0,
    missing: 0,
    'from-module': 0,
  };
  for (const name of imports) {
    let check: ImportCheck;
    const provider = [...moduleExports].find(([, names]) => names.has(name))?.[0];
    const sym = k.ksyms.get(name);
    if (provider !== undefined) check = { name, status: 'from-module', where: provider };
    else if (sym)
      check = {
        name,
        status: sym.implemented ? 'implemented' : 'unimplemented',
        where: sym.subsystem,
      };
    else check = { name, status: 'missing', where: undefined };
    counts[check.status]++;
    out.push(check);
  }
  return {
    kernelRelease: formatVersion(k.profile.version),
    kernelVersion: k.profile.version,
    versionAccepted:
      moduleVersion === undefined ? undefined : moduleCompatible(k.profile.version, moduleVersion),
    builtinModules: k.modules
      .stat()
      .filter((m) => m.source === 'builtin')
      .map((m) => m.name),
    imports: out,
    counts,
  };
}

/** A kernel booted in memory to compare against (a few milliseconds). */
export function bootCheckKernel(): Kernel {
  return createKernel({ host: new MemoryHost() });
}

/** Modules built into the kernel (NetBSD: `wapbl` in a kernel with options WAPBL). */
export function builtinModules(k: Kernel): string[] {
  return k.modules
    .stat()
    .filter((m) => m.source === 'builtin')
    .map((m) => m.name);
}
