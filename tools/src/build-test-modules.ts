/**
 * Builds the project's own test kernel modules with the host C compiler and NetBSD's
 * amd64 kernel-module flags, and records what they were built from in a manifest.
 *
 *   tsx tools/src/build-test-modules.ts            build every module, rewrite the manifest
 *   tsx tools/src/build-test-modules.ts --check    exit 1 when a committed .kmod is stale
 *
 * A module is either `src/NAME.c` or a folder `src/NAME/` of C files; headers come from
 * `include/`. Each object is compiled with `-c` and the objects are combined with `ld -r`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_MODULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-modules');

/** NetBSD's amd64 module flags (sys/conf, sys/modules/Makefile.inc) plus the hardening-off set. */
export const KMOD_CFLAGS: readonly string[] = [
  '-ffreestanding',
  '-fno-pic',
  '-fno-pie',
  '-mcmodel=kernel',
  '-mno-red-zone',
  '-mno-mmx',
  '-mno-sse',
  '-mno-sse2',
  '-mno-3dnow',
  '-mno-avx',
  '-msoft-float',
  '-fno-omit-frame-pointer',
  '-fno-strict-aliasing',
  '-fno-common',
  '-fno-stack-protector',
  '-fcf-protection=none',
  '-fno-asynchronous-unwind-tables',
  '-fno-ident',
  '-O2',
  '-std=gnu99',
  '-nostdinc',
  '-D_KERNEL',
  '-D_MODULE',
];

export interface ModuleSource {
  readonly name: string;
  /** C files, relative to the test-modules folder, sorted. */
  readonly sources: readonly string[];
}

export interface ManifestEntry {
  readonly sourceHash: string;
  readonly kmodHash: string;
}

export interface Manifest {
  /** First line of `gcc --version` that built the committed objects. */
  readonly compiler: string;
  readonly flags: readonly string[];
  readonly modules: Record<string, ManifestEntry>;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

export function listModules(dir = TEST_MODULES_DIR): ModuleSource[] {
  const srcDir = join(dir, 'src');
  const modules: ModuleSource[] = [];
  for (const name of readdirSync(srcDir).sort()) {
    const p = join(srcDir, name);
    if (statSync(p).isDirectory()) {
      const sources = listFiles(p)
        .filter((f) => f.endsWith('.c'))
        .map((f) => relative(dir, f));
      modules.push({ name, sources });
    } else if (name.endsWith('.c')) {
      modules.push({ name: basename(name, '.c'), sources: [relative(dir, p)] });
    }
  }
  return modules;
}

/** Hash of everything a module's bytes depend on: its sources, every header and the flags. */
export function sourceHash(mod: ModuleSource, dir = TEST_MODULES_DIR): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(KMOD_CFLAGS));
  const files = [
    ...mod.sources.map((s) => join(dir, s)),
    ...listFiles(join(dir, 'include')),
    ...listFiles(join(dir, 'src', mod.name)).filter((f) => f.endsWith('.h')),
  ];
  for (const f of files) {
    h.update(relative(dir, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

export function compilerVersion(): string | undefined {
  try {
    return execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return undefined;
  }
}

/** Compiles one module into `outFile`. Runs in `dir` so that file names in the objects are relative. */
export function buildModule(mod: ModuleSource, outFile: string, dir = TEST_MODULES_DIR): void {
  const work = mkdtempSync(join(tmpdir(), `kmod-${mod.name}-`));
  try {
    const objects: string[] = [];
    for (const src of mod.sources) {
      const obj = join(work, `${objects.length}-${basename(src, '.c')}.o`);
      execFileSync('gcc', [...KMOD_CFLAGS, '-I', 'include', '-c', src, '-o', obj], {
        cwd: dir,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      objects.push(obj);
    }
    const linked = join(work, `${mod.name}.kmod`);
    execFileSync('ld', ['-r', '--build-id=none', '-o', linked, ...objects], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    copyFileSync(linked, outFile);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function readManifest(dir = TEST_MODULES_DIR): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

export function buildAll(dir = TEST_MODULES_DIR): Manifest {
  const compiler = compilerVersion();
  if (!compiler) throw new Error('gcc is required to build the test modules');
  const modules: Record<string, ManifestEntry> = {};
  for (const mod of listModules(dir)) {
    const out = join(dir, 'kmod', `${mod.name}.kmod`);
    buildModule(mod, out, dir);
    modules[mod.name] = { sourceHash: sourceHash(mod, dir), kmodHash: sha256(readFileSync(out)) };
  }
  for (const stale of readdirSync(join(dir, 'kmod'))) {
    if (stale.endsWith('.kmod') && !(basename(stale, '.kmod') in modules))
      rmSync(join(dir, 'kmod', stale));
  }
  const manifest: Manifest = { compiler, flags: KMOD_CFLAGS, modules };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Names the modules whose committed .kmod does not match their sources. */
export function staleModules(dir = TEST_MODULES_DIR): string[] {
  const manifest = readManifest(dir);
  const stale: string[] = [];
  const names = new Set<string>();
  for (const mod of listModules(dir)) {
    names.add(mod.name);
    const entry = manifest.modules[mod.name];
    const kmod = join(dir, 'kmod', `${mod.name}.kmod`);
    if (
      !entry ||
      JSON.stringify(manifest.flags) !== JSON.stringify(KMOD_CFLAGS) ||
      entry.sourceHash !== sourceHash(mod, dir) ||
      !existsSync(kmod) ||
      entry.kmodHash !== sha256(readFileSync(kmod))
    ) {
      stale.push(mod.name);
    }
  }
  for (const name of Object.keys(manifest.modules)) if (!names.has(name)) stale.push(name);
  return stale.sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleModules();
    if (stale.length) {
      console.error(
        `stale test modules: ${stale.join(', ')} (run pnpm --filter @rump/tools build-test-modules)`,
      );
      process.exit(1);
    }
    console.log('test modules are up to date');
  } else {
    const m = buildAll();
    console.log(`built ${Object.keys(m.modules).length} test modules with ${m.compiler}`);
  }
}
