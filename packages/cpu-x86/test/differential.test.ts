/**
 * Differential test against this machine's CPU: every vector recorded by
 * tools/src/cpu-vectors/generate.ts is replayed with Cpu.step() and must produce the same
 * registers, arithmetic flags (CF PF AF ZF SF OF) and DF, memory window, next RIP, or fault.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  Cpu,
  CpuFault,
  DivideError,
  GuestMemory,
  InvalidOpcode,
  REG_NAMES,
  Reg,
} from '../src/index.js';
import {
  type KnownFailure,
  knownFailures,
  loadVectors,
  type VectorCase,
  type VectorFile,
  type VectorForm,
  vectorGroups,
} from './vectors/load.js';

/** Register names in encoding order, as the vectors name them. */
const REGS: readonly string[] = REG_NAMES;
const PAGE = 0x1000n;
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GENERATOR = join(REPO_ROOT, 'tools', 'src', 'cpu-vectors', 'generate.ts');
const known = knownFailures();

/** One machine for a vector file: the data region, and the code pages the harness ran from. */
function machine(file: VectorFile): { cpu: Cpu; stack: bigint } {
  const memory = new GuestMemory({ windowSize: 1 << 20 });
  const memBase = BigInt(`0x${file.memBase}`);
  memory.mapRegion(memBase, 0x10000, 'vector data');
  let lo = BigInt(`0x${file.forms[0]!.address}`);
  let hi = lo;
  for (const f of file.forms) {
    const a = BigInt(`0x${f.address}`);
    if (a < lo) lo = a;
    if (a + 16n > hi) hi = a + 16n;
  }
  lo &= ~(PAGE - 1n);
  hi = (hi + PAGE - 1n) & ~(PAGE - 1n);
  memory.mapRegion(lo, Number(hi - lo), 'vector code');
  for (const f of file.forms) memory.write(BigInt(`0x${f.address}`), Buffer.from(f.bytes, 'hex'));
  return { cpu: new Cpu(memory), stack: memBase + 0xf000n };
}

const h = (v: bigint): string => v.toString(16);

/** Replays one case; returns a description of every difference (empty when it matches). */
function replay(
  file: VectorFile,
  cpu: Cpu,
  stack: bigint,
  form: VectorForm,
  c: VectorCase,
): string[] {
  const address = BigInt(`0x${form.address}`);
  const window = BigInt(`0x${file.memWindow}`);
  const mask = BigInt(`0x${file.flagMask}`);
  const before = file.fillers.map((v) => BigInt(`0x${v}`));
  form.inputs.forEach((r, i) => {
    before[REGS.indexOf(r)] = BigInt(`0x${c.r[i]!}`);
  });
  const rspIsInput = form.inputs.includes('rsp');
  if (!rspIsInput) before[Reg.RSP] = stack;
  before.forEach((v, i) => {
    cpu.setReg(i, v);
  });
  cpu.rflags = BigInt(`0x${c.f}`) | 2n;
  cpu.gsBase = file.gsBase ? BigInt(`0x${file.gsBase}`) : 0n;
  cpu.fsBase = file.fsBase ? BigInt(`0x${file.fsBase}`) : 0n;
  if (c.m) cpu.memory.write(window, Buffer.from(c.m, 'hex'));
  cpu.rip = address;
  const diffs: string[] = [];
  let fault: unknown;
  try {
    cpu.step();
  } catch (e) {
    fault = e;
  }
  if (c.x) {
    const want = c.x === 'DE' ? DivideError : InvalidOpcode;
    if (!(fault instanceof want)) {
      diffs.push(
        `fault: expected ${want.name}, got ${fault ? String(fault).split('\n')[0] : 'none'}`,
      );
    }
  } else if (fault !== undefined) {
    diffs.push(
      `fault: expected none, got ${fault instanceof CpuFault ? fault.name : 'host error'}: ${String(fault).split('\n')[0]}`,
    );
    if (!(fault instanceof CpuFault)) return diffs;
  }
  const next = c.j ? BigInt(`0x${c.j}`) : address + BigInt(form.bytes.length / 2);
  const expectRip = c.x ? address : next;
  if (fault === undefined || c.x) {
    if (cpu.rip !== expectRip) diffs.push(`rip: expected ${h(expectRip)}, got ${h(cpu.rip)}`);
  }
  if (fault !== undefined && !c.x) return diffs;
  REGS.forEach((name, i) => {
    const want = c.R?.[name] ? BigInt(`0x${c.R[name]}`) : before[i]!;
    const got = cpu.getReg(i);
    if (got !== want) diffs.push(`${name}: expected ${h(want)}, got ${h(got)}`);
  });
  const gotFlags = cpu.rflags & mask;
  const wantFlags = BigInt(`0x${c.F}`);
  if (gotFlags !== wantFlags) {
    diffs.push(
      `rflags: expected ${h(wantFlags)}, got ${h(gotFlags)} (differs in ${flagNames(gotFlags ^ wantFlags)})`,
    );
  }
  if (form.memLen) {
    const got = Buffer.from(cpu.memory.read(window, form.memLen)).toString('hex');
    const want = c.M ?? c.m!;
    if (got !== want) diffs.push(`memory: expected ${want}, got ${got}`);
  }
  return diffs;
}

function flagNames(bits: bigint): string {
  const names: [bigint, string][] = [
    [0x1n, 'CF'],
    [0x4n, 'PF'],
    [0x10n, 'AF'],
    [0x40n, 'ZF'],
    [0x80n, 'SF'],
    [0x400n, 'DF'],
    [0x800n, 'OF'],
  ];
  return names
    .filter(([b]) => bits & b)
    .map(([, n]) => n)
    .join(' ');
}

function describeCase(form: VectorForm, c: VectorCase, index: number, diffs: string[]): string {
  const inputs = form.inputs.map((r, i) => `${r}=${c.r[i]}`).join(' ');
  return `  case ${index}: ${inputs} rflags=${c.f}${c.m ? ` mem=${c.m}` : ''}\n    ${diffs.join('\n    ')}`;
}

describe('differential vectors from the real CPU', () => {
  for (const group of vectorGroups()) {
    const file = loadVectors(group);
    describe(`${group} (recorded on ${file.cpu})`, () => {
      const { cpu, stack } = machine(file);
      it.each(file.forms.map((f) => [f.name, f] as const))('%s', (_name, form) => {
        const key = `${group}/${form.name}`;
        const expectedFailures = new Set((known[key] as KnownFailure | undefined)?.cases ?? []);
        const failures: string[] = [];
        const nowPassing: number[] = [];
        form.cases.forEach((c, index) => {
          const diffs = replay(file, cpu, stack, form, c);
          if (expectedFailures.has(index)) {
            if (diffs.length === 0) nowPassing.push(index);
          } else if (diffs.length) {
            failures.push(describeCase(form, c, index, diffs));
          }
        });
        const header = `${form.name}: ${form.asm} [${form.bytes}]`;
        expect(
          failures.length,
          `${header}: ${failures.length}/${form.cases.length} cases differ from the CPU\n${failures.slice(0, 6).join('\n')}`,
        ).toBe(0);
        expect(
          nowPassing,
          `${header}: known failures now pass; remove them from known-failures.json`,
        ).toEqual([]);
      });
    });
  }

  it('lists only forms that exist in the known-failures file', () => {
    const names = new Set<string>();
    for (const group of vectorGroups()) {
      for (const f of loadVectors(group).forms) names.add(`${group}/${f.name}`);
    }
    expect(Object.keys(known).filter((k) => !names.has(k))).toEqual([]);
  });
});

/** The CPU description the generator writes into each vector file's header. */
function thisCpu(): string | undefined {
  if (!existsSync('/proc/cpuinfo')) return undefined;
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const get = (k: string) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  return `${get('model name')} (vendor ${get('vendor_id')}, family ${get('cpu family')}, model ${get('model')}, stepping ${get('stepping')})`;
}

/** First line of `gcc --version`, or undefined without gcc. */
function gccVersion(): string | undefined {
  try {
    return execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return undefined;
  }
}

describe('committed vectors', () => {
  const { cpu: recordedOn, compiler } = loadVectors(vectorGroups()[0]!);
  const same = thisCpu() === recordedOn && gccVersion() === compiler;
  it.skipIf(!same)(
    `are what the generator records on this machine now (needs ${compiler} and ${recordedOn})`,
    () => {
      const out = mkdtempSync(join(tmpdir(), 'cpu-vectors-'));
      try {
        execFileSync('pnpm', ['exec', 'tsx', GENERATOR, '--out', out], {
          cwd: REPO_ROOT,
          stdio: 'ignore',
        });
        for (const group of vectorGroups()) {
          const fresh = JSON.parse(
            gunzipSync(readFileSync(join(out, `${group}.json.gz`))).toString('utf8'),
          ) as VectorFile;
          const committed = loadVectors(group);
          expect(fresh.forms.length, group).toBe(committed.forms.length);
          fresh.forms.forEach((f, k) => {
            expect(f, `${group}/${f.name}`).toEqual(committed.forms[k]);
          });
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
