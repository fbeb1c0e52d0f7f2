/**
 * The differential vectors again, this time through the block path (`Cpu.call`): each instruction is
 * followed by a `ret`, the block is made hot first (jitThreshold 1 plus a warm-up call) so the cases
 * run as compiled blocks, and the memory window is relocated into the kernel window so the
 * window fast paths are the ones exercised. Same expectations as test/differential.test.ts:
 * registers (except RSP, which call() manages), CF PF AF ZF SF OF DF, memory, faults.
 * Stack and branch forms stay with the single-step test (they depend on RSP and control flow).
 */
import { describe, expect, it } from 'vitest';
import {
  Cpu,
  CpuFault,
  DivideError,
  GuestMemory,
  InvalidOpcode,
  KERNEL_WINDOW_BASE,
  REG_NAMES,
  Reg,
} from '../src/index.js';
import {
  loadVectors,
  type VectorCase,
  type VectorFile,
  type VectorForm,
  vectorGroups,
} from './vectors/load.js';

/** Register names in encoding order, as the vectors name them. */
const REGS: readonly string[] = REG_NAMES;
const PAGE = 0x1000n;
/** Where the vectors' 64 KiB data region is relocated inside the kernel window. */
const RELOCATED = KERNEL_WINDOW_BASE + 0x10_0000n;
const STACK = KERNEL_WINDOW_BASE + 0x8_0000n;
const h = (v: bigint): string => v.toString(16);
const big = (s: string): bigint => BigInt(`0x${s}`);

/** True when the instruction encodes an absolute address inside the data region (moffs forms). */
function embedsDataAddress(file: VectorFile, form: VectorForm): boolean {
  const b = Buffer.from(form.bytes, 'hex');
  const base = Number(big(file.memBase));
  for (let k = 0; k + 4 <= b.length; k++) {
    const v = b.readUInt32LE(k);
    if (v >= base && v < base + 0x10000) return true;
  }
  return false;
}

/**
 * Forms the block path can replay: no RSP inputs, no control flow, and data addressed through
 * registers (not 32-bit addressing or absolute addresses), so it can be relocated.
 */
function replayable(file: VectorFile, group: string, form: VectorForm): boolean {
  return (
    group !== 'stack' &&
    group !== 'branch' &&
    !form.inputs.includes('rsp') &&
    !form.asm.includes('addr32') &&
    !embedsDataAddress(file, form)
  );
}

interface Machine {
  cpu: Cpu;
  memory: GuestMemory;
  relocate: (v: bigint) => bigint;
}

function machine(file: VectorFile): Machine {
  const memory = new GuestMemory({ windowSize: 4 << 20 });
  let lo = big(file.forms[0]!.address);
  let hi = lo;
  for (const f of file.forms) {
    const a = big(f.address);
    if (a < lo) lo = a;
    if (a + 32n > hi) hi = a + 32n;
  }
  lo &= ~(PAGE - 1n);
  hi = (hi + PAGE - 1n) & ~(PAGE - 1n);
  memory.mapRegion(lo, Number(hi - lo), 'vector code');
  for (const f of file.forms) {
    // The instruction, then a ret that returns to the host.
    memory.write(big(f.address), Buffer.concat([Buffer.from(f.bytes, 'hex'), Buffer.from([0xc3])]));
  }
  const memBase = big(file.memBase);
  const relocate = (v: bigint): bigint =>
    v >= memBase && v < memBase + 0x10000n ? v - memBase + RELOCATED : v;
  const cpu = new Cpu(memory);
  // Compile every block after its first execution (cpu.ts `jitThreshold`; the cast keeps this
  // test compiling against an interpreter-only Cpu, which then replays through its block loop).
  (cpu as Cpu & { jitThreshold?: number }).jitThreshold = 1;
  (cpu as Cpu & { jitLoopFreeThreshold?: number }).jitLoopFreeThreshold = 1;
  return { cpu, memory, relocate };
}

/** Runs one case with Cpu.call; returns the differences from the recorded result. */
function replay(file: VectorFile, m: Machine, form: VectorForm, c: VectorCase): string[] {
  const { cpu, relocate } = m;
  const address = big(form.address);
  const window = relocate(big(file.memWindow));
  const before = file.fillers.map(big);
  form.inputs.forEach((r, i) => {
    before[REGS.indexOf(r)] = relocate(big(c.r[i]!));
  });
  before.forEach((v, i) => {
    cpu.setReg(i, v);
  });
  cpu.setReg(Reg.RSP, STACK);
  cpu.rflags = big(c.f) | 2n;
  cpu.gsBase = file.gsBase ? relocate(big(file.gsBase)) : 0n;
  cpu.fsBase = file.fsBase ? relocate(big(file.fsBase)) : 0n;
  if (c.m) m.memory.write(window, Buffer.from(c.m, 'hex'));
  const diffs: string[] = [];
  let fault: unknown;
  try {
    cpu.call(address);
  } catch (e) {
    fault = e;
  }
  if (c.x) {
    const want = c.x === 'DE' ? DivideError : InvalidOpcode;
    if (!(fault instanceof want))
      diffs.push(
        `fault: expected ${want.name}, got ${fault ? String(fault).split('\n')[0] : 'none'}`,
      );
    else if (cpu.rip !== address)
      diffs.push(`fault rip: expected ${h(address)}, got ${h(cpu.rip)}`);
  } else if (fault !== undefined) {
    diffs.push(
      `fault: expected none, got ${fault instanceof CpuFault ? fault.name : 'host error'}: ${String(fault).split('\n')[0]}`,
    );
    return diffs;
  }
  REGS.forEach((name, i) => {
    if (name === 'rsp') return;
    // A register that held a data address (string pointers) ends up holding a relocated one;
    // other results are data, even when they happen to look like an address in the data region.
    const wasPointer =
      form.inputs.includes(name) &&
      relocate(big(c.r[form.inputs.indexOf(name)]!)) !== big(c.r[form.inputs.indexOf(name)]!);
    const want = c.R?.[name]
      ? wasPointer
        ? relocate(big(c.R[name]))
        : big(c.R[name])
      : before[i]!;
    const got = cpu.getReg(i);
    if (got !== want) diffs.push(`${name}: expected ${h(want)}, got ${h(got)}`);
  });
  const mask = big(file.flagMask);
  const gotFlags = cpu.rflags & mask;
  if (gotFlags !== big(c.F)) diffs.push(`rflags: expected ${c.F}, got ${h(gotFlags)}`);
  if (form.memLen) {
    const got = Buffer.from(m.memory.read(window, form.memLen)).toString('hex');
    const want = c.M ?? c.m!;
    if (got !== want) diffs.push(`memory: expected ${want}, got ${got}`);
  }
  return diffs;
}

describe('differential vectors through compiled blocks (Cpu.call)', () => {
  for (const group of vectorGroups()) {
    const file = loadVectors(group);
    const forms = file.forms.filter((f) => replayable(file, group, f));
    if (forms.length === 0) continue;
    it(`${group}: ${forms.length} forms`, () => {
      const m = machine(file);
      const failures: string[] = [];
      let failedForms = 0;
      for (const form of forms) {
        // Warm up with a case that completes, so the block is compiled before the real cases run.
        const warm = form.cases.find((c) => !c.x);
        if (warm) replay(file, m, form, warm);
        const bad: string[] = [];
        form.cases.forEach((c, index) => {
          const diffs = replay(file, m, form, c);
          if (diffs.length) {
            const inputs = form.inputs.map((r, i) => `${r}=${c.r[i]}`).join(' ');
            bad.push(`  case ${index}: ${inputs} rflags=${c.f}\n    ${diffs.join('\n    ')}`);
          }
        });
        if (bad.length) {
          failedForms++;
          if (failures.length < 12) {
            failures.push(
              `${form.name}: ${form.asm} [${form.bytes}]: ${bad.length}/${form.cases.length} cases differ\n${bad.slice(0, 3).join('\n')}`,
            );
          }
        }
      }
      expect(
        failedForms,
        `${failedForms} forms differ from the CPU on the block path:\n${failures.join('\n')}`,
      ).toBe(0);
    });
  }
});
