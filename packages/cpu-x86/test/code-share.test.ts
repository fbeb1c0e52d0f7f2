import { beforeEach, describe, expect, it } from 'vitest';
import { clearSharedCode, sharedCodeSize } from '../src/code-share.js';
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, PageFault, Reg } from '../src/index.js';

const W = KERNEL_WINDOW_BASE;
const CODE = W + 0x1000n;

/** f(n) = n * imm: xor eax,eax; L: add eax,imm32; dec edi; jnz L; ret */
const loop = (imm: number): number[] => [
  0x31,
  0xc0,
  0x05,
  imm & 0xff,
  (imm >> 8) & 0xff,
  0,
  0,
  0xff,
  0xcf,
  0x75,
  0xf7,
  0xc3,
];

function machine(code: number[], at = CODE, shareCode = true): Cpu {
  const mem = new GuestMemory({ windowSize: 1 << 20 });
  mem.write(at, Uint8Array.from(code));
  const cpu = new Cpu(mem, { shareCode });
  cpu.setReg(Reg.RSP, W + 0x80000n);
  return cpu;
}

describe('compiled code shared across Cpus (code-share.ts)', () => {
  beforeEach(() => clearSharedCode());

  it('binds code compiled by one Cpu to another with the same bytes at the same address', () => {
    const first = machine(loop(3));
    first.jitThreshold = 1;
    first.jitLoopFreeThreshold = 1;
    expect(first.call(CODE, 1000)).toBe(3000n);
    expect(first.jitCounters().regionsCompiled).toBe(3);
    expect(sharedCodeSize()).toBe(3);
    const second = machine(loop(3));
    expect(second.call(CODE, 1000)).toBe(3000n);
    const c = second.jitCounters();
    expect(c.regionsCompiled).toBe(0);
    expect(c.regionsShared).toBe(3);
    // Bound when decoded: only the return-to-host trap ran interpreted, although jitThreshold is
    // the default (200).
    expect(c.interpretedInstructions).toBe(1);
    expect(second.instructionsRetired).toBe(1 + 3 * 1000 + 1 + 1);
  });

  it('never reuses code for other bytes at the same address, or the same bytes elsewhere', () => {
    const first = machine(loop(3));
    first.jitThreshold = 1;
    first.jitLoopFreeThreshold = 1;
    first.call(CODE, 10);
    const other = machine(loop(5));
    other.jitThreshold = 1;
    other.jitLoopFreeThreshold = 1;
    expect(other.call(CODE, 10)).toBe(50n);
    // Only the final `ret` block (same byte, same address) is the same code.
    expect(other.jitCounters().regionsShared).toBe(1);
    expect(other.jitCounters().regionsCompiled).toBe(2);
    const moved = machine(loop(3), CODE + 0x100n);
    moved.jitThreshold = 1;
    moved.jitLoopFreeThreshold = 1;
    expect(moved.call(CODE + 0x100n, 10)).toBe(30n);
    expect(moved.jitCounters().regionsShared).toBe(0);
    // Both variants now coexist in the cache; each Cpu gets its own.
    expect(machine(loop(5)).call(CODE, 7)).toBe(35n);
    expect(machine(loop(3)).call(CODE, 7)).toBe(21n);
  });

  it('invalidates shared code only in the Cpu whose code was written', () => {
    const first = machine(loop(3));
    first.jitThreshold = 1;
    first.jitLoopFreeThreshold = 1;
    first.call(CODE, 10);
    const second = machine(loop(3));
    expect(second.call(CODE, 10)).toBe(30n);
    second.memory.write8(CODE + 3n, 7); // add eax, 7
    expect(second.jitCounters().blocksInvalidated).toBeGreaterThan(0);
    expect(second.call(CODE, 10)).toBe(70n);
    // The other Cpu still runs its (shared) compiled code for its unchanged bytes.
    expect(first.call(CODE, 10)).toBe(30n);
    expect(first.jitCounters().blocksInvalidated).toBe(0);
    // Interpreted: each block once in the first call (4 + 3 + 1) and the return trap per call.
    expect(first.jitCounters().interpretedInstructions).toBe(8 + 2);
    // A third Cpu with the original bytes still gets the original code.
    expect(machine(loop(3)).call(CODE, 4)).toBe(12n);
  });

  it('reports exact faults from shared code', () => {
    // f(p): mov eax, 1; add eax, 2; mov eax, [rdi]; ret
    const code = [0xb8, 1, 0, 0, 0, 0x83, 0xc0, 0x02, 0x8b, 0x07, 0xc3];
    const first = machine(code);
    first.jitThreshold = 1;
    first.jitLoopFreeThreshold = 1;
    first.call(CODE, W + 0x2000n);
    const second = machine(code);
    expect(second.call(CODE, W + 0x2000n)).toBe(0n);
    expect(second.jitCounters().regionsShared).toBeGreaterThan(0);
    const before = second.instructionsRetired;
    try {
      second.call(CODE, 0x1234n);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PageFault);
      expect((e as PageFault).rip).toBe(CODE + 8n);
      expect(second.instructionsRetired - before).toBe(2);
    }
  });

  it('keeps to itself with shareCode: false, and with jitThreshold 0', () => {
    const first = machine(loop(3));
    first.jitThreshold = 1;
    first.jitLoopFreeThreshold = 1;
    first.call(CODE, 10);
    const alone = machine(loop(3), CODE, false);
    expect(alone.call(CODE, 10)).toBe(30n);
    expect(alone.jitCounters().regionsShared).toBe(0);
    const interp = machine(loop(3));
    interp.jitThreshold = 0;
    expect(interp.call(CODE, 10)).toBe(30n);
    expect(interp.jitCounters().regionsShared).toBe(0);
    expect(interp.jitCounters().interpretedInstructions).toBe(interp.instructionsRetired);
  });
});
