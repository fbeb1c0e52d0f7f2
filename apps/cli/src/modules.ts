/**
 * Finding kernel modules on the host: `-m FILE.kmod` names files; a bare name (`ffs`) and every
 * module a mount needs are looked up in the module path, in order: --module-path, then
 * RUMP_MODULE_PATH (both lists of directories), then the module folders of the sets
 * `rump fetch-modules` put in the cache (newest release first); each searched as NetBSD lays out
 * /stand/ARCH/VERSION/modules: `DIR/NAME.kmod` and `DIR/NAME/NAME.kmod`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inspectModule } from '@rump/elf-linker';
import type { Env } from './cli/command.js';
import { OperationError } from './cli/errors.js';
import { cachedModuleDirs } from './fetch/cache.js';

export interface FoundModule {
  /** modinfo name (from the module's metadata), or the file name without `.kmod`. */
  readonly name: string;
  readonly path: string;
  /** Names from mi_required (loaded by the kernel from the module path). */
  readonly required: readonly string[];
}

/**
 * The module path: the folders the user named (--module-path, then RUMP_MODULE_PATH), then the
 * cache's module folders (`rump fetch-modules`), each folder once.
 */
export function moduleSearchPath(named: readonly string[], env: Env): string[] {
  return [...new Set([...named, ...cachedModuleDirs(env)])];
}

/** Candidate paths for module `name` in `dirs`, in search order. */
export function moduleCandidates(name: string, dirs: readonly string[]): string[] {
  return dirs.flatMap((d) => [join(d, `${name}.kmod`), join(d, name, `${name}.kmod`)]);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads a module's name and requirements from its metadata. */
export function describeModuleFile(path: string): FoundModule {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new OperationError(code === 'ENOENT' ? 'No such file or directory' : String(e), {
      subject: path,
      errno: code === 'ENOENT' ? 'ENOENT' : undefined,
    });
  }
  try {
    const info = inspectModule(bytes);
    return {
      name: info.metadata?.name ?? basename(path).replace(/\.kmod$/, ''),
      path,
      required: info.metadata?.required ?? [],
    };
  } catch (e) {
    throw new OperationError(`not a kernel module: ${(e as Error).message}`, { subject: path });
  }
}

/**
 * The module file for `name`: one of the -m files whose metadata name matches, else the first
 * candidate in the module path; or an OperationError saying where it looked.
 */
export function findModule(
  name: string,
  explicit: readonly FoundModule[],
  dirs: readonly string[],
): FoundModule {
  const given = explicit.find((m) => m.name === name);
  if (given) return given;
  const candidates = moduleCandidates(name, dirs);
  const hit = candidates.find(isFile);
  if (hit) return describeModuleFile(hit);
  throw new OperationError(
    dirs.length === 0
      ? `needs ${name}.kmod: give it with -m ${name}.kmod, or a directory holding it with --module-path or RUMP_MODULE_PATH, or get NetBSD's modules with rump fetch-modules`
      : `needs ${name}.kmod: not given with -m and not in the module path (looked for ${candidates.join(', ')})`,
  );
}

export function moduleExists(path: string): boolean {
  return existsSync(path);
}
