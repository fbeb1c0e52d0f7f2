/**
 * `rump fetch-modules [--release R] [--arch A] [--mirror URL] [--force]`: a NetBSD release's
 * kernel-module set, checked against the release's SHA512 list and unpacked into the per-user
 * cache that the module path searches (src/fetch/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectModule } from '@rump/elf-linker';
import { formatVersion, moduleCompatible } from '@rump/kernel-core';
import type { Command, CommandContext } from '../cli/command.js';
import { EXIT_OK, OperationError, UsageError } from '../cli/errors.js';
import { cacheRoot } from '../fetch/cache.js';
import type { ProgressListener } from '../fetch/http.js';
import type { FetchModulesResult } from '../fetch/release.js';
import {
  checkArch,
  checkRelease,
  DEFAULT_ARCH,
  DEFAULT_MIRROR,
  DEFAULT_RELEASE,
  FetchModulesError,
} from '../fetch/release-names.js';
import { humanBytes } from '../format.js';
import { bootCheckKernel } from '../kernel-check.js';
import { progressFor } from '../progress.js';

/** What this kernel says about the set's modules: NetBSD's module_compatible() rule. */
interface KernelNote {
  readonly moduleRelease: string;
  readonly moduleVersion: number;
  readonly kernelRelease: string;
  readonly kernelVersion: number;
  readonly accepted: boolean;
}

/** The version of the first module found in the set's module folders. */
function kernelNote(dirs: readonly string[]): KernelNote | undefined {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const meta = inspectModule(readFileSync(join(dir, name, `${name}.kmod`))).metadata;
        if (!meta) continue;
        const k = bootCheckKernel().profile;
        return {
          moduleRelease: formatVersion(meta.version),
          moduleVersion: meta.version,
          kernelRelease: k.release,
          kernelVersion: k.version,
          accepted: moduleCompatible(k.version, meta.version),
        };
      } catch {}
    }
  }
  return undefined;
}

/** The download as a progress bar (src/progress.ts), when the command may draw one. */
function downloadBar(
  ctx: CommandContext,
  label: string,
): {
  listener: ProgressListener | undefined;
  finish(): void;
} {
  const bar = progressFor(ctx);
  if (!bar) return { listener: undefined, finish() {} };
  let seen = -1;
  return {
    listener(received, total) {
      if (seen < 0) {
        bar.start(label, total ?? 0);
        seen = 0;
      }
      bar.add(received - seen);
      seen = received;
    },
    finish: () => bar.finish(),
  };
}

function describe(r: FetchModulesResult, note: KernelNote | undefined): string {
  const lines: string[] = [];
  const name = `NetBSD ${r.release} ${r.arch}`;
  if (r.alreadyCached)
    lines.push(
      `${name} modules are already in the cache: ${r.path} (${r.files} files, from ${r.set}; --force fetches them again)`,
    );
  else
    lines.push(
      `Fetched ${r.url} (${humanBytes(r.downloaded)}), SHA512 ${r.sha512.slice(0, 16)}… matches the release's list`,
      `Unpacked ${r.files} files (${humanBytes(r.unpackedBytes)}) into ${r.path}${r.skipped.length ? ` (skipped ${r.skipped.length} links or special files)` : ''}`,
    );
  for (const d of r.moduleDirs) lines.push(`Module path: ${d}`);
  if (note && !note.accepted)
    lines.push(
      `Note: these modules are built for NetBSD ${note.moduleRelease} (${note.moduleVersion}); this rump kernel presents NetBSD ${note.kernelRelease} and, as NetBSD's module_compatible() does, loads only modules built for ${/\.99\./.test(note.kernelRelease) ? 'exactly that version' : 'its major.minor'}.`,
    );
  return `${lines.join('\n')}\n`;
}

export const fetchModulesCommand: Command = {
  name: 'fetch-modules',
  group: 'modules',
  usage: ['fetch-modules [--release R] [--arch ARCH] [--mirror URL] [--force]'],
  summary: "download a NetBSD release's kernel modules into the cache the module path searches",
  description:
    `Downloads the kernel-module set of NetBSD release R (default ${DEFAULT_RELEASE}) for ARCH (default ${DEFAULT_ARCH}) from the release tree at URL/NetBSD-R/ARCH/binary/sets/ (default mirror ${DEFAULT_MIRROR}): the set the release's SHA512 list names, modules.tar.xz (NetBSD 10 and later) or modules.tgz (NetBSD 9). The download is checked against that list — a mismatch, or a list without a line for the set, is an error and nothing is kept — and unpacked, regular files and directories only, into the per-user cache: $RUMP_CACHE_DIR, else $XDG_CACHE_HOME/rump, else ~/.cache/rump, as CACHE/modules/R/ARCH/stand/ARCH/VERSION/modules/NAME/NAME.kmod. ` +
    'Every command then finds modules there (after -m, --module-path and RUMP_MODULE_PATH), newest release first: rump demo and mounts need no -m. A set already in the cache is not fetched again unless --force. While downloading, a progress bar is drawn on stderr when stdout is a terminal (not with --json, --trace or -v).',
  options: [
    {
      long: 'release',
      kind: 'value',
      metavar: 'R',
      help: `NetBSD release (default ${DEFAULT_RELEASE})`,
    },
    {
      long: 'arch',
      kind: 'value',
      metavar: 'ARCH',
      help: `NetBSD port (default ${DEFAULT_ARCH}, the one this kernel runs)`,
    },
    {
      long: 'mirror',
      kind: 'value',
      metavar: 'URL',
      help: `the folder holding NetBSD-R/ (default ${DEFAULT_MIRROR})`,
    },
    { long: 'force', kind: 'flag', help: 'fetch again even when the set is in the cache' },
  ],
  operands: { min: 0, max: 0 },
  examples: [
    'rump fetch-modules',
    'rump fetch-modules --release 9.4',
    'rump fetch-modules --mirror https://ftp.fr.netbsd.org/pub/NetBSD --release 10.1',
    'RUMP_CACHE_DIR=/var/cache/rump rump fetch-modules --json',
  ],
  async run(ctx) {
    const o = ctx.options;
    const release = o.value('release') ?? DEFAULT_RELEASE;
    const arch = o.value('arch') ?? DEFAULT_ARCH;
    const mirror = o.value('mirror') ?? DEFAULT_MIRROR;
    const usage = (option: string, check: () => void) => {
      try {
        check();
      } catch (e) {
        throw new UsageError(`--${option}: ${(e as Error).message}`);
      }
    };
    usage('release', () => checkRelease(release));
    usage('arch', () => checkArch(arch));
    const cache = cacheRoot(ctx.env);
    if (cache === undefined)
      throw new OperationError('no cache folder: set RUMP_CACHE_DIR (or XDG_CACHE_HOME, or HOME)');
    // Loaded here, not with the CLI: the downloader and the streams it needs (release-names.ts).
    const { fetchModules } = await import('../fetch/release.js');
    const bar = downloadBar(ctx, `fetch-modules ${release} ${arch}`);
    let result: FetchModulesResult;
    try {
      result = await fetchModules({
        release,
        arch,
        mirror,
        cache,
        force: o.flag('force'),
        onProgress: bar.listener,
      });
    } catch (e) {
      if (!(e instanceof FetchModulesError)) throw e;
      throw new OperationError(e.message, { subject: e.subject, cause: e });
    } finally {
      bar.finish();
    }
    const note = kernelNote(result.moduleDirs);
    if (ctx.global.json) {
      ctx.json({
        release: result.release,
        arch: result.arch,
        set: result.set,
        url: result.url,
        sha512: result.sha512,
        cache: result.path,
        moduleDirs: result.moduleDirs,
        files: result.files,
        alreadyCached: result.alreadyCached,
        downloaded: result.downloaded,
        unpackedBytes: result.unpackedBytes,
        skipped: result.skipped,
        kernel: note ?? null,
      });
      return EXIT_OK;
    }
    ctx.io.out(describe(result, note));
    return EXIT_OK;
  },
};
