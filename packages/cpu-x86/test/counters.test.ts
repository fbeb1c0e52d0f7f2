import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } from '../src/index.js';
import { le64 } from './machine.js';

const W = KERNEL_WINDOW_BASE;
const CODE = W + 0x1000n;
/** f(n) = n * 3: xor eax,eax; L: add eax,3; dec edi; jnz L; ret */
const LOOP = [0x31, 0xc0, 0x05, 3, 0, 0, 0, 0xff, 0xcf, 0x75, 0xf7, 0xc3];

function machine(code: number[]): Cpu {
  const mem = new GuestMemory({ windowSize: 1 << 20 });
  mem.write(CODE, Uint8Array.from(code));
  const cpu = new Cpu(mem, { shareCode: false });
  cpu.setReg(Reg.RSP, W + 0x80000n);
  return cpu;
}

describe('profiling counters', () => {
  it('counts host calls per host function, always', () => {
    // push rbp; movabs rax, h; call rax; movabs rax, h; call rax; pop rbp; ret
    const cpu = machine([]);
    const h = cpu.defineHostFunction('h', (c) => c.argNum(0) + 1);
    const g = cpu.defineHostFunction('g', () => 0);
    cpu.memory.write(
      CODE,
      Uint8Array.from([
        0x55,
        0x48,
        0xb8,
        ...le64(h),
        0xff,
        0xd0,
        0x48,
        0xb8,
        ...le64(h),
        0xff,
        0xd0,
        0x5d,
        0xc3,
      ]),
    );
    cpu.call(CODE, 1);
    cpu.call(CODE, 1);
    cpu.call(g);
    const names = cpu.hostFunctionNames();
    const counts = cpu.hostCallCounts();
    expect(names.slice(0, 3)).toEqual(['<return to host>', 'h', 'g']);
    expect(counts[names.indexOf('h')]).toBe(4);
    expect(counts[names.indexOf('g')]).toBe(1);
    cpu.resetCounters();
    expect(counts[names.indexOf('h')]).toBe(0);
  });

  it('samples rip every sampleInterval instructions, interpreted and compiled, and costs nothing when off', () => {
    for (const threshold of [0, 1]) {
      const cpu = machine(LOOP);
      cpu.jitThreshold = threshold;
      cpu.jitLoopFreeThreshold = threshold;
      const samples: bigint[] = [];
      cpu.onSample = (lo, hi) =>
        samples.push(BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
      cpu.call(CODE, 10); // off by default
      expect(samples).toEqual([]);
      cpu.sampleInterval = 30;
      expect(cpu.sampleInterval).toBe(30);
      const before = cpu.instructionsRetired;
      expect(cpu.call(CODE, 1000)).toBe(3000n);
      const ran = cpu.instructionsRetired - before;
      // Block boundaries only: each sample is late by less than one block (4 instructions here).
      expect(samples.length).toBeGreaterThanOrEqual(Math.floor(ran / (30 + 4)));
      expect(samples.length).toBeLessThanOrEqual(Math.ceil(ran / 30));
      for (const s of samples) expect([CODE, CODE + 2n, CODE + 11n]).toContain(s);
      cpu.sampleInterval = 0;
      samples.length = 0;
      cpu.call(CODE, 100);
      expect(samples).toEqual([]);
    }
    expect(() => {
      machine([]).sampleInterval = -1;
    }).toThrow(RangeError);
  });

  it('compiles a loop header at jitThreshold and straight-line code only at jitLoopFreeThreshold', () => {
    const cpu = machine(LOOP);
    cpu.jitThreshold = 2;
    cpu.jitLoopFreeThreshold = 50;
    // The loop block jumps back to itself: compiled at its second run.
    expect(cpu.call(CODE, 1000)).toBe(3000n);
    expect(cpu.jitCounters().regionsCompiled).toBe(1);
    // The entry block (xor..jnz) heads no loop: interpreted until its 50th run.
    for (let k = 2; k < 50; k++) expect(cpu.call(CODE, 1)).toBe(3n);
    expect(cpu.jitCounters().regionsCompiled).toBe(1);
    expect(cpu.call(CODE, 1)).toBe(3n);
    expect(cpu.jitCounters().regionsCompiled).toBe(2);
    const before = cpu.jitCounters().interpretedInstructions;
    expect(cpu.call(CODE, 5)).toBe(15n);
    // Only the return-to-host trap still runs interpreted.
    expect(cpu.jitCounters().interpretedInstructions - before).toBe(1);
  });

  it('reports interpreted vs compiled instructions, compiles, invalidations and flushes', () => {
    const cpu = machine(LOOP);
    cpu.jitThreshold = 1;
    cpu.jitLoopFreeThreshold = 1;
    cpu.call(CODE, 1000);
    let c = cpu.jitCounters();
    expect(c.blocksDecoded).toBe(3);
    expect(c.regionsCompiled).toBe(3);
    expect(c.compileMs).toBeGreaterThan(0);
    expect(c.interpretedInstructions).toBe(4 + 3 + 1 + 1); // each block once, and the return trap
    expect(cpu.instructionsRetired - c.interpretedInstructions).toBe(1 + 3000 + 1 + 1 - 9);
    cpu.memory.write8(CODE + 3n, 4);
    c = cpu.jitCounters();
    expect(c.blocksInvalidated).toBe(2);
    cpu.flushCodeCache();
    expect(cpu.jitCounters().flushes).toBe(1);
    cpu.resetCounters();
    expect(cpu.jitCounters()).toEqual({
      interpretedInstructions: 0,
      blocksDecoded: 0,
      regionsCompiled: 0,
      regionsShared: 0,
      compileMs: 0,
      blocksInvalidated: 0,
      flushes: 0,
    });
    expect(cpu.call(CODE, 10)).toBe(40n);
  });
});
