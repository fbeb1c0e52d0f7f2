/**
 * Builds the whole-program fixtures from tools/cpu-programs/*.c: each program is compiled with
 * the kernel flags and linked to a flat binary at a fixed kernel-window address, and compiled
 * natively (with a main() wrapper) to record the expected output.
 *
 *   tsx packages/cpu-x86/test/programs/build.ts      rebuild the .bin files, outputs and manifest
 *
 * Used by test/programs.test.ts (staleness check, rebuild where gcc is present) and bench/index.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROGRAMS_DIR = here;
export const PROGRAMS_SRC = join(here, '..', '..', '..', '..', 'tools', 'cpu-programs');
export const MANIFEST = join(PROGRAMS_DIR, 'manifest.json');

/** Programs are linked here: the start of the kernel window plus 2 MiB, like a loaded module. */
export const LOAD_ADDRESS = 0xffff_ffff_8020_0000n;
/** Output buffer capacity (the native wrapper uses the same). */
export const OUTPUT_CAP = 1 << 20;

/** The issue's kernel code-generation flags, plus the ones that keep the image deterministic. */
export const KERNEL_CFLAGS: readonly string[] = [
  '-ffreestanding',
  '-fno-pic',
  '-fno-pie',
  '-mcmodel=kernel',
  '-mno-red-zone',
  '-mno-mmx',
  '-mno-sse',
  '-mno-sse2',
  '-msoft-float',
  '-fno-omit-frame-pointer',
  '-fno-common',
  '-fno-stack-protector',
  '-fcf-protection=none',
  '-O2',
  '-nostdlib',
  '-fno-asynchronous-unwind-tables',
  '-fno-ident',
  '-std=gnu11',
];
/** The runtime's mem* loops must not be turned back into calls to themselves. */
const RT_CFLAGS = ['-fno-tree-loop-distribute-patterns'];

const LINKER_SCRIPT = `ENTRY(run)
SECTIONS {
  . = ${`0x${LOAD_ADDRESS.toString(16)}`};
  .text : { *(.text.run) *(.text .text.*) }
  _etext = .;
  . = ALIGN(64);
  .rodata : { *(.rodata .rodata.*) }
  /* Writable data on pages of its own, as the kernel's module loader places it. */
  . = ALIGN(4096);
  .data : { *(.data .data.*) }
  . = ALIGN(64);
  __bss_start = .;
  .bss : { *(.bss .bss.*) *(COMMON) }
  . = ALIGN(4096);
  _end = .;
  /DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
`;

export interface ProgramEntry {
  /** sha256 of the program source, the shared runtime and the flags. */
  readonly sourceHash: string;
  readonly binHash: string;
  /** Address of run() (hex). */
  readonly entry: string;
  /** Bytes the image occupies in memory from LOAD_ADDRESS, including .bss (zeroed). */
  readonly memSize: number;
  /** Bytes of code (.text) at the start of the image. */
  readonly textSize: number;
  /** sha256 of the expected output at one iteration. */
  readonly outputHash: string;
}

export interface ProgramsManifest {
  readonly compiler: string;
  readonly loadAddress: string;
  readonly flags: readonly string[];
  readonly programs: Record<string, ProgramEntry>;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export function compilerVersion(): string | undefined {
  try {
    return execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return undefined;
  }
}

export function listPrograms(): string[] {
  return readdirSync(PROGRAMS_SRC)
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
}

export function sourceHash(name: string): string {
  const parts = [
    readFileSync(join(PROGRAMS_SRC, `${name}.c`)),
    readFileSync(join(PROGRAMS_SRC, 'lib', 'prog.h')),
    readFileSync(join(PROGRAMS_SRC, 'lib', 'rt.c')),
    Buffer.from(KERNEL_CFLAGS.join(' ') + RT_CFLAGS.join(' ') + LINKER_SCRIPT),
  ];
  return sha256(Buffer.concat(parts));
}

export function readManifest(): ProgramsManifest {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as ProgramsManifest;
}

export interface FlatImage {
  readonly bin: Buffer;
  readonly entry: bigint;
  readonly memSize: number;
  readonly textSize: number;
  /** The ELF the flat image was taken from (symbols for the disassembly oracle). */
  readonly elf: string;
}

/** Compiles and links `name` with the kernel flags into a flat image inside `dir`. */
export function buildFlat(name: string, dir: string): FlatImage {
  const obj = join(dir, `${name}.o`);
  const rt = join(dir, 'rt.o');
  const elf = join(dir, `${name}.elf`);
  const bin = join(dir, `${name}.bin`);
  const script = join(dir, 'flat.ld');
  writeFileSync(script, LINKER_SCRIPT);
  const cc = (src: string, out: string, extra: string[] = []) =>
    execFileSync('gcc', [...KERNEL_CFLAGS, ...extra, '-I', PROGRAMS_SRC, '-c', src, '-o', out], {
      stdio: 'inherit',
    });
  cc(join(PROGRAMS_SRC, `${name}.c`), obj);
  cc(join(PROGRAMS_SRC, 'lib', 'rt.c'), rt, RT_CFLAGS);
  execFileSync('ld', ['-T', script, '--build-id=none', '--no-warn-rwx-segments', '-nostdlib', '-o', elf, obj, rt], {
    stdio: 'inherit',
  });
  execFileSync('objcopy', ['-O', 'binary', elf, bin]);
  const syms = new Map<string, bigint>();
  for (const line of execFileSync('nm', [elf], { encoding: 'utf8' }).split('\n')) {
    const [addr, , sym] = line.trim().split(/\s+/);
    if (addr && sym) syms.set(sym, BigInt(`0x${addr}`));
  }
  const undefinedSyms = execFileSync('nm', ['-u', elf], { encoding: 'utf8' }).trim();
  if (undefinedSyms) throw new Error(`${name}: undefined symbols ${undefinedSyms}`);
  const entry = syms.get('run');
  const end = syms.get('_end');
  const etext = syms.get('_etext');
  if (entry === undefined || end === undefined || etext === undefined) {
    throw new Error(`${name}: no run, _etext or _end symbol`);
  }
  return {
    bin: readFileSync(bin),
    entry,
    memSize: Number(end - LOAD_ADDRESS),
    textSize: Number(etext - LOAD_ADDRESS),
    elf,
  };
}

/** Compiles `name` natively (same flags without -mcmodel=kernel) with the main() wrapper. */
export function buildNative(name: string, dir: string): string {
  const exe = join(dir, `${name}.native`);
  const flags = KERNEL_CFLAGS.filter((f) => f !== '-mcmodel=kernel' && f !== '-nostdlib');
  const objs: string[] = [];
  for (const [src, extra] of [
    [join(PROGRAMS_SRC, `${name}.c`), []],
    [join(PROGRAMS_SRC, 'lib', 'rt.c'), RT_CFLAGS],
  ] as const) {
    const o = join(dir, `${name}-${objs.length}.native.o`);
    execFileSync('gcc', [...flags, ...extra, '-I', PROGRAMS_SRC, '-c', src, '-o', o], {
      stdio: 'inherit',
    });
    objs.push(o);
  }
  execFileSync(
    'gcc',
    ['-O2', '-no-pie', '-o', exe, join(PROGRAMS_SRC, 'lib', 'native-main.c'), ...objs],
    { stdio: 'inherit' },
  );
  return exe;
}

/** Runs a native build: its output and the nanoseconds run() took (the wrapper prints them on stderr). */
export function runNative(exe: string, iters: number): { output: Buffer; ns: number } {
  const r = spawnSync(exe, [String(iters)], { maxBuffer: OUTPUT_CAP * 2 });
  if (r.status !== 0) throw new Error(`${exe} ${iters}: exit ${r.status} ${r.signal ?? ''}`);
  return { output: r.stdout, ns: Number(r.stderr.toString().trim()) };
}

export function buildAll(): ProgramsManifest {
  const compiler = compilerVersion();
  if (!compiler) throw new Error('gcc is required to build the cpu programs');
  const dir = mkdtempSync(join(tmpdir(), 'cpu-programs-'));
  try {
    const programs: Record<string, ProgramEntry> = {};
    for (const name of listPrograms()) {
      const img = buildFlat(name, dir);
      writeFileSync(join(PROGRAMS_DIR, `${name}.bin`), img.bin);
      const { output } = runNative(buildNative(name, dir), 1);
      writeFileSync(join(PROGRAMS_DIR, `${name}.out`), output);
      programs[name] = {
        sourceHash: sourceHash(name),
        binHash: sha256(img.bin),
        entry: `0x${img.entry.toString(16)}`,
        memSize: img.memSize,
        textSize: img.textSize,
        outputHash: sha256(output),
      };
      console.log(`${name}: ${img.bin.length} bytes, entry 0x${img.entry.toString(16)}, ${output.length} bytes of output`);
    }
    const manifest: ProgramsManifest = {
      compiler,
      loadAddress: `0x${LOAD_ADDRESS.toString(16)}`,
      flags: KERNEL_CFLAGS,
      programs,
    };
    writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && existsSync(PROGRAMS_SRC)) {
  buildAll();
}
