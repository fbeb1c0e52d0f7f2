import { describe, expect, it } from 'vitest';
import {
  BudgetExhausted,
  type Cpu,
  CpuInterrupted,
  type GuestMemory,
  type HostFunction,
  PageFault,
  Reg,
} from '../src/index.js';
import { CODE, DATA, machine } from './machine.js';

/**
 * Host functions called from compiled regions run inside the region (Cpu.hostCallInline): a loop
 * calling a hypercall stays compiled. Everything observable must match the interpreter.
 */

/** rel32 bytes of a `call` at `at` (5 bytes) to `target`. */
function rel32(at: bigint, target: bigint): number[] {
  const d = Number(target - (at + 5n));
  return [d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, (d >>> 24) & 0xff];
}

/**
 * Writes f(n) at CODE: the sum of host(i) for i = n..1 — push rbx; push r12; mov ebx, edi;
 * xor r12d, r12d; loop: mov edi, ebx; call host (rel32); add r12, rax; dec ebx; jne loop;
 * mov rax, r12; pop r12; pop rbx; ret.
 */
function writeLoop(mem: GuestMemory, trap: bigint): void {
  const head = [0x53, 0x41, 0x54, 0x89, 0xfb, 0x45, 0x31, 0xe4, 0x89, 0xdf, 0xe8];
  const tail = [0x49, 0x01, 0xc4, 0xff, 0xcb, 0x75, 0xf2, 0x4c, 0x89, 0xe0, 0x41, 0x5c, 0x5b, 0xc3];
  mem.write(CODE, Uint8Array.from([...head, ...rel32(CODE + 0xan, trap), ...tail]));
}

/** A machine running writeLoop's f, interpreted only or compiled after 2 executions. */
function loopCallingHost(host: HostFunction, jit: boolean): { cpu: Cpu; f: bigint } {
  const { cpu, mem } = machine();
  writeLoop(mem, cpu.defineHostFunction('host', host));
  cpu.jitThreshold = jit ? 2 : 0;
  cpu.jitLoopFreeThreshold = jit ? 2 : 0;
  return { cpu, f: CODE };
}

const TRAP_OF = (cpu: Cpu): bigint => {
  const names = cpu.hostFunctionNames();
  for (let a = 0n; ; a += 16n) {
    const addr = 0xffff_ffff_fe00_0000n + a;
    if (cpu.hostFunctionName(addr) === 'host') return addr;
    if (a > BigInt(names.length) * 16n) throw new Error('no trap');
  }
};

describe('host calls inside compiled regions', () => {
  it('a compiled loop calls a host function N times without leaving its region', () => {
    const n = 1000;
    const seen: number[] = [];
    const { cpu, f } = loopCallingHost((c) => {
      seen.push(c.argLo(0));
      return c.argLo(0) * 2;
    }, true);
    expect(cpu.call(f, n)).toBe(BigInt(n * (n + 1)));
    expect(seen.length).toBe(n);
    expect(seen[0]).toBe(n);
    expect(seen[n - 1]).toBe(1);
    const idx = cpu.hostFunctionNames().indexOf('host');
    expect(cpu.hostCallCounts()[idx]).toBe(n);
    const j = cpu.jitCounters();
    expect(j.regionsCompiled + j.regionsShared).toBeGreaterThan(0);
    // Only the first iterations ran interpreted: the trap and the loop ran in the region.
    expect(j.interpretedInstructions).toBeLessThan(40);
    // The same count of instructions as the interpreter (the trap counts as one).
    const interp = loopCallingHost((c) => c.argLo(0) * 2, false);
    expect(interp.cpu.call(interp.f, n)).toBe(BigInt(n * (n + 1)));
    expect(cpu.instructionsRetired).toBe(interp.cpu.instructionsRetired);
  });

  it('a host function called from a compiled loop may call back into the guest', () => {
    const { cpu, mem } = machine();
    // g(x) = x + 1 at CODE + 0x100: lea eax, [rdi + 1]; ret
    const g = CODE + 0x100n;
    mem.write(g, Uint8Array.of(0x8d, 0x47, 0x01, 0xc3));
    let depth = 0;
    const trap = cpu.defineHostFunction('host', (c) => {
      depth = Math.max(depth, c.callDepth);
      return Number(c.call(g, BigInt(c.argLo(0))));
    });
    writeLoop(mem, trap);
    cpu.jitThreshold = 2;
    cpu.jitLoopFreeThreshold = 2;
    const n = 500;
    // sum of (i + 1) for i = 1..n
    expect(cpu.call(CODE, n)).toBe(BigInt((n * (n + 1)) / 2 + n));
    expect(depth).toBe(1); // inside the outer call; the nested call ran g
    expect(cpu.callDepth).toBe(0);
    // Interpreted: the first iterations, and each nested call's return-to-host trap.
    expect(cpu.jitCounters().interpretedInstructions).toBeLessThan(n + 100);
    expect(cpu.getReg(Reg.RSP)).toBe(0xffff_ffff_8008_0000n);
  });

  it('an exception thrown by the host function propagates with rip and rsp restored', () => {
    let calls = 0;
    const { cpu, f } = loopCallingHost(() => {
      calls++;
      if (calls === 300) throw new Error('panic: from the host');
      return 1;
    }, true);
    const rsp = cpu.getReg(Reg.RSP);
    const rip = cpu.rip;
    expect(() => cpu.call(f, 1000)).toThrow('panic: from the host');
    expect(calls).toBe(300);
    expect(cpu.getReg(Reg.RSP)).toBe(rsp);
    expect(cpu.rip).toBe(rip);
    expect(cpu.callDepth).toBe(0);
    // The Cpu stays usable, still compiled.
    calls = 0;
    expect(cpu.call(f, 10)).toBe(10n);
  });

  it('a fault raised by the host function names the trap, unretired, with the caller in the backtrace', () => {
    for (const jit of [false, true]) {
      let calls = 0;
      const { cpu, f } = loopCallingHost((c) => {
        calls++;
        if (calls === 300) c.memory.read64(0x1234n); // unmapped: PageFault
        return 1;
      }, jit);
      const before = cpu.instructionsRetired;
      let fault: PageFault | undefined;
      try {
        cpu.call(f, 1000);
      } catch (e) {
        fault = e as PageFault;
      }
      expect(fault).toBeInstanceOf(PageFault);
      const trap = TRAP_OF(cpu);
      expect(fault!.rip).toBe(trap);
      expect(cpu.rip).toBe(trap);
      // The caller's return address (after the call at CODE + 0xa) follows the trap.
      expect(fault!.backtrace.slice(0, 2)).toEqual([trap, CODE + 0xfn]);
      // 4 instructions before the loop, 6 per iteration, 2 of the 300th (not its trap).
      expect(cpu.instructionsRetired - before).toBe(4 + 299 * 6 + 2);
    }
  });

  it('the budget runs out at the same instruction as in the interpreter', () => {
    for (const budget of [1, 7, 11, 12, 13, 600, 601, 602, 603, 604, 605]) {
      const rips: bigint[] = [];
      const retired: number[] = [];
      for (const jit of [false, true]) {
        const { cpu, f } = loopCallingHost((c) => c.argLo(0), jit);
        cpu.call(f, 50); // warm up (compiled when jit)
        const before = cpu.instructionsRetired;
        cpu.budget = budget;
        expect(() => cpu.call(f, 1000)).toThrow(BudgetExhausted);
        rips.push(cpu.rip);
        retired.push(cpu.instructionsRetired - before);
        cpu.budget = Number.POSITIVE_INFINITY;
        expect(cpu.resume()).toBe(500500n);
      }
      expect(rips[1]).toBe(rips[0]);
      expect(retired[1]).toBe(retired[0]);
    }
  });

  it('interrupt() from an inline host function stops at the return address; resume() continues', () => {
    let calls = 0;
    const { cpu, f } = loopCallingHost((c) => {
      if (++calls === 400) c.interrupt();
      return 2;
    }, true);
    expect(() => cpu.call(f, 1000)).toThrow(CpuInterrupted);
    expect(cpu.rip).toBe(CODE + 0xfn);
    expect(cpu.resume()).toBe(2000n);
    expect(calls).toBe(1000);
  });

  it('RIP samples see the trap when it runs inside a region', () => {
    const { cpu, f } = loopCallingHost((c) => c.argLo(0), true);
    cpu.call(f, 50);
    const trap = TRAP_OF(cpu);
    let onTrap = 0;
    let total = 0;
    cpu.sampleInterval = 1;
    cpu.onSample = (lo, hi) => {
      total++;
      if (lo === Number(BigInt.asIntN(32, trap)) && hi === -1) onTrap++;
    };
    cpu.call(f, 1000);
    expect(onTrap).toBe(1000);
    expect(total).toBeGreaterThan(2000);
  });
});

describe('a host function growing the window inside a compiled region', () => {
  /**
   * g(n): for i = n..1 { p = host(i); *(u32 *)p = i } — push rbx; mov ebx, edi; loop: mov edi, ebx;
   * call host; mov [rax], ebx; dec ebx; jne loop; pop rbx; ret. The host function returns DATA and
   * grows the window once, halfway: the region's later stores must reach the new backing store.
   */
  function run(jit: boolean): { value: number; size: number; compiled: number } {
    const { cpu, mem } = machine();
    const n = 400;
    const trap = cpu.defineHostFunction('host', (c) => {
      if (c.argLo(0) === n / 2) mem.growWindow(mem.windowSize * 2);
      return DATA;
    });
    const code = [0x53, 0x89, 0xfb, 0x89, 0xdf, 0xe8, ...rel32(CODE + 5n, trap)];
    mem.write(CODE, Uint8Array.from([...code, 0x89, 0x18, 0xff, 0xcb, 0x75, 0xf3, 0x5b, 0xc3]));
    cpu.jitThreshold = jit ? 2 : 0;
    cpu.jitLoopFreeThreshold = jit ? 2 : 0;
    cpu.call(CODE, n);
    const j = cpu.jitCounters();
    return {
      value: mem.read32(DATA),
      size: mem.windowSize,
      compiled: j.regionsCompiled + j.regionsShared,
    };
  }

  it('stores after the growth land in the grown window, as interpreted', () => {
    const jit = run(true);
    expect(jit.compiled).toBeGreaterThan(0);
    expect(jit.size).toBe(2 << 20);
    expect(jit).toEqual({ ...run(false), compiled: jit.compiled });
    expect(jit.value).toBe(1);
  });
});
