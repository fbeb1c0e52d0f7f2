import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cpu, DivideError, GuestMemory, KERNEL_WINDOW_BASE, PageFault, Reg } from '../src/index.js';

/**
 * The block compiler must behave exactly like the interpreter: the compiled test programs run with
 * every block compiled after its first execution and print the committed native output.
 */
const DIR = join(import.meta.dirname, 'programs');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  programs: Record<string, { entry: string; memSize: number }>;
};
const LOAD = 0xffff_ffff_8020_0000n;
const OUT = KERNEL_WINDOW_BASE + 0x80_0000n;
const STACK = KERNEL_WINDOW_BASE + 0x100_0000n - 0x40n;

describe('compiled blocks (jit.ts)', () => {
  it.each(Object.keys(manifest.programs).sort())(
    '%s prints the native output when compiled',
    (name) => {
      const e = manifest.programs[name]!;
      const bin = readFileSync(join(DIR, `${name}.bin`));
      const memory = new GuestMemory({ windowSize: 0x100_0000 });
      const cpu = new Cpu(memory);
      cpu.jitThreshold = 1;
      cpu.jitLoopFreeThreshold = 1;
      cpu.budget = 2e9;
      let out = '';
      for (let run = 0; run < 2; run++) {
        memory.write(LOAD, bin);
        memory.fill(LOAD + BigInt(bin.length), e.memSize - bin.length, 0);
        cpu.setReg(Reg.RSP, STACK);
        const n = Number(cpu.call(BigInt(e.entry), OUT, 1 << 20, 1));
        out = Buffer.from(memory.read(OUT, n)).toString('latin1');
      }
      expect(out).toBe(readFileSync(join(DIR, `${name}.out`), 'latin1'));
    },
  );

  const W = KERNEL_WINDOW_BASE;
  function machine(code: number[]): Cpu {
    const mem = new GuestMemory({ windowSize: 1 << 20 });
    mem.write(W + 0x1000n, Uint8Array.from(code));
    const cpu = new Cpu(mem);
    cpu.jitThreshold = 1;
    cpu.jitLoopFreeThreshold = 1;
    cpu.setReg(Reg.RSP, W + 0x80000n);
    return cpu;
  }

  it('reports the exact rip and retired count of a fault inside a compiled block', () => {
    // f(p): mov eax, 1; add eax, 2; mov eax, [rdi]; ret
    const cpu = machine([0xb8, 1, 0, 0, 0, 0x83, 0xc0, 0x02, 0x8b, 0x07, 0xc3]);
    cpu.call(W + 0x1000n, W + 0x2000n); // runs interpreted once, compiled afterwards
    const before = cpu.instructionsRetired;
    try {
      cpu.call(W + 0x1000n, 0x1234n);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PageFault);
      expect((e as PageFault).rip).toBe(W + 0x1008n);
      expect((e as PageFault).address).toBe(0x1234n);
    }
    expect(cpu.instructionsRetired - before).toBe(2);
    expect(cpu.getReg(Reg.RAX)).toBe(3n);
  });

  it('raises #DE from a compiled division', () => {
    // f(a, b): mov rax, rdi; cqo; idiv rsi; ret
    const cpu = machine([0x48, 0x89, 0xf8, 0x48, 0x99, 0x48, 0xf7, 0xfe, 0xc3]);
    expect(cpu.call(W + 0x1000n, 100, 7)).toBe(14n);
    expect(cpu.call(W + 0x1000n, -100n & 0xffffffffffffffffn, 7)).toBe(0xfffffffffffffff2n);
    expect(() => cpu.call(W + 0x1000n, 1, 0)).toThrow(DivideError);
  });
});
