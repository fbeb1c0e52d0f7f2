/**
 * Generates the differential vectors of @rump/cpu-x86 from THIS machine's CPU.
 *
 *   pnpm --filter @rump/tools cpu-vectors          regenerate packages/cpu-x86/test/vectors/*.json.gz
 *   tsx tools/src/cpu-vectors/generate.ts --out DIR   write them elsewhere (the vector test's freshness check)
 *
 * The catalog (forms.ts) lists instruction forms with operand values and flag states. The
 * harness (harness.ts) is one generated C file with a stub per form; it is compiled with gcc
 * and run once, reading case records on stdin and writing register, flag and memory results.
 * Each vector file records the CPU model, the compiler and the register fillers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ARITH, type Case, DF, type Form, forms, TARGET } from './forms.ts';
import { harnessSource, MEM_BASE, MEM_WINDOW, REG64 } from './harness.ts';
import { SplitMix64 } from './rng.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const VECTORS_DIR = join(here, '..', '..', '..', 'packages', 'cpu-x86', 'test', 'vectors');

/** RFLAGS bits the vectors specify and compare: CF PF AF ZF SF OF and DF. */
const FLAG_MASK = ARITH | DF;

const hex = (v: bigint): string => v.toString(16);
const bytesHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Fixed values of the registers a form does not name (RSP is the harness's own stack). */
function fillers(): bigint[] {
  const r = new SplitMix64(0xf111_e45n);
  return REG64.map(() => r.next());
}

function cpuModel(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const get = (k: string) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  return `${get('model name')} (vendor ${get('vendor_id')}, family ${get('cpu family')}, model ${get('model')}, stepping ${get('stepping')})`;
}

interface Stub {
  address: bigint;
  bytes: string;
  /** Where the stub's `{T}` branch target is. */
  target: bigint;
}

function buildHarness(dir: string, list: readonly Form[]): { exe: string; stubs: Stub[] } {
  const c = join(dir, 'harness.c');
  const exe = join(dir, 'harness');
  writeFileSync(
    c,
    harnessSource(
      list.map((f) => ({
        asm: f.asm,
        setsRsp: f.inputs.includes('rsp'),
        usesFs: f.asm.includes('%fs:'),
      })),
    ),
  );
  execFileSync('gcc', ['-O1', '-no-pie', '-fno-pie', '-o', exe, c], { stdio: 'inherit' });
  const table = execFileSync(exe, ['table'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const stubs = table
    .trim()
    .split('\n')
    .map((l) => {
      const [a, b, t] = l.split(' ');
      return { address: BigInt(`0x${a}`), bytes: b ?? '', target: BigInt(`0x${t}`) };
    });
  return { exe, stubs };
}

function caseRecords(list: readonly Form[], fill: readonly bigint[]): Buffer {
  const chunks: Buffer[] = [];
  list.forEach((form, stub) => {
    for (const c of form.cases) {
      const rec = Buffer.alloc(8 + 17 * 8 + form.memLen);
      rec.writeUInt32LE(stub, 0);
      rec.writeUInt32LE(form.memLen, 4);
      const regs = [...fill];
      form.inputs.forEach((r, i) => {
        regs[REG64.indexOf(r)] = c.regs[i]!;
      });
      for (let i = 0; i < 16; i++) rec.writeBigUInt64LE(regs[i]!, 8 + i * 8);
      rec.writeBigUInt64LE(c.flags | 0x2n, 8 + 16 * 8);
      if (form.memLen) {
        if (!c.mem || c.mem.length !== form.memLen) throw new Error(`${form.name}: memory size`);
        rec.set(c.mem, 8 + 17 * 8);
      }
      chunks.push(rec);
    }
  });
  return Buffer.concat(chunks);
}

const TARGET_BYTES = Buffer.alloc(8);
TARGET_BYTES.writeBigUInt64LE(TARGET);

/** Replaces the TARGET placeholder (in registers and 8-byte memory slots) with the stub's target. */
function resolveTargets(c: Case, target: bigint): Case {
  const regs = c.regs.map((v) => (v === TARGET ? target : v));
  let mem = c.mem;
  if (mem) {
    const b = Buffer.from(mem);
    for (let at = b.indexOf(TARGET_BYTES); at >= 0; at = b.indexOf(TARGET_BYTES, at + 8)) {
      b.writeBigUInt64LE(target, at);
    }
    mem = new Uint8Array(b);
  }
  return { flags: c.flags, regs, ...(mem ? { mem } : {}) };
}

const SIGNALS: Record<number, string> = { 8: 'DE', 4: 'UD' };

function main(): void {
  const outArg = process.argv.indexOf('--out');
  const outDir = outArg > 0 ? process.argv[outArg + 1]! : VECTORS_DIR;
  const dir = mkdtempSync(join(tmpdir(), 'cpu-vectors-'));
  try {
    const fill = fillers();
    const built = buildHarness(dir, forms);
    const { exe, stubs } = built;
    const resolved: Form[] = forms.map((f, k) => ({
      ...f,
      cases: f.cases.map((c) => resolveTargets(c, stubs[k]!.target)),
    }));
    const input = caseRecords(resolved, fill);
    const output = execFileSync(exe, [], { input, maxBuffer: 1 << 30 });
    const compiler = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
    const header = {
      format: 1,
      cpu: cpuModel(),
      compiler,
      generatedBy: 'tools/src/cpu-vectors/generate.ts',
      memBase: hex(MEM_BASE),
      memWindow: hex(MEM_WINDOW),
      gsBase: hex(MEM_WINDOW),
      fsBase: hex(MEM_WINDOW),
      flagMask: hex(FLAG_MASK),
      fillers: fill.map(hex),
    };
    const groups = new Map<string, unknown[]>();
    let at = 0;
    let total = 0;
    resolved.forEach((form, stub) => {
      const s = stubs[stub]!;
      const cases: unknown[] = [];
      for (const c of form.cases) {
        const signal = output.readUInt32LE(at);
        const taken = output.readUInt32LE(at + 4);
        const out = Array.from({ length: 17 }, (_, i) => output.readBigUInt64LE(at + 8 + i * 8));
        const faultRip = output.readBigUInt64LE(at + 8 + 17 * 8);
        const mem = output.subarray(at + 16 + 17 * 8, at + 16 + 17 * 8 + form.memLen);
        at += 16 + 17 * 8 + form.memLen;
        const inRegs = [...fill];
        form.inputs.forEach((r, i) => {
          inRegs[REG64.indexOf(r)] = c.regs[i]!;
        });
        const rec: Record<string, unknown> = { f: hex(c.flags), r: c.regs.map(hex) };
        if (form.memLen) rec.m = bytesHex(c.mem!);
        if (signal) {
          const kind = SIGNALS[signal];
          if (!kind)
            throw new Error(`${form.name} (${form.asm}): signal ${signal} at ${hex(faultRip)}`);
          if (faultRip !== s.address) throw new Error(`${form.name}: fault at ${hex(faultRip)}`);
          rec.x = kind;
        }
        if (taken) rec.j = hex(s.target);
        rec.F = hex(out[16]! & FLAG_MASK);
        const changed: Record<string, string> = {};
        REG64.forEach((r, i) => {
          const known = r !== 'rsp' || form.inputs.includes('rsp');
          if (known && out[i] !== inRegs[i]) changed[r] = hex(out[i]!);
        });
        if (Object.keys(changed).length) rec.R = changed;
        if (form.memLen && !mem.equals(Buffer.from(c.mem!))) rec.M = bytesHex(mem);
        cases.push(rec);
      }
      total += cases.length;
      const entry = {
        name: form.name,
        asm: form.asm,
        address: hex(s.address),
        bytes: s.bytes,
        inputs: form.inputs,
        memLen: form.memLen,
        cases,
      };
      const g = groups.get(form.group) ?? [];
      g.push(entry);
      groups.set(form.group, g);
    });
    mkdirSync(outDir, { recursive: true });
    let size = 0;
    for (const [group, list] of groups) {
      const json = JSON.stringify({ ...header, group, forms: list });
      const gz = gzipSync(json, { level: 9 });
      size += gz.length;
      writeFileSync(join(outDir, `${group}.json.gz`), gz);
      console.log(`${group}: ${list.length} forms, ${(gz.length / 1024).toFixed(0)} KiB`);
    }
    console.log(
      `${forms.length} forms, ${total} cases, ${(size / 1048576).toFixed(2)} MiB on ${header.cpu}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
