import { describe, expect, it } from 'vitest';
import {
  Breakpoint,
  BreakpointHit,
  BudgetExhausted,
  type Cpu,
  CpuInterrupted,
  DivideError,
  GeneralProtection,
  InvalidOpcode,
  PageFault,
  Reg,
  UnknownTrap,
} from '../src/index.js';
import { CODE, machine } from './machine.js';

/** `call [rip+0x100]` at `callAt` reads its target 0x100 bytes after itself. */
const setCallTarget = (cpu: Cpu, callAt: bigint, target: bigint): void => {
  cpu.memory.write64(callAt + 6n + 0x100n, target);
};
// caller: push rbp; mov rbp,rsp; call [rip+0x100]; pop rbp; ret
const CALLER = [0x55, 0x48, 0x89, 0xe5, 0xff, 0x15, 0x00, 0x01, 0x00, 0x00, 0x5d, 0xc3];
// fault: push rbp; mov rbp,rsp; mov rax,[rdi]; pop rbp; ret
const LOADER = [0x55, 0x48, 0x89, 0xe5, 0x48, 0x8b, 0x07, 0x5d, 0xc3];

describe('faults', () => {
  it('page fault: address, access, rip, registers and a backtrace through rbp frames', () => {
    const { cpu, mem } = machine(CALLER);
    const loader = CODE + 0x400n;
    mem.write(loader, Uint8Array.from(LOADER));
    setCallTarget(cpu, CODE + 4n, loader);
    cpu.symbolizer = (a) =>
      a >= CODE && a < CODE + 0x1000n ? `test.kmod+0x${(a - CODE).toString(16)}` : undefined;
    let f: PageFault | undefined;
    try {
      cpu.call(CODE, 0xdead000n);
    } catch (e) {
      f = e as PageFault;
    }
    expect(f).toBeInstanceOf(PageFault);
    expect(f!.kind).toBe('#PF');
    expect(f!.address).toBe(0xdead000n);
    expect(f!.access).toBe('read');
    expect(f!.rip).toBe(loader + 4n);
    expect(f!.registers['rdi']).toBe(0xdead000n);
    expect(f!.registers['rip']).toBe(loader + 4n);
    // rip in the loader, then the return address into the caller (after its call), then host.
    expect(f!.backtrace.slice(0, 2)).toEqual([loader + 4n, CODE + 10n]);
    expect(f!.message).toContain('test.kmod+0x404');
    expect(f!.message).toContain('test.kmod+0xa');
    expect(f!.message).toMatch(/rdi=0+dead000/);
  });

  it('write faults report the write access', () => {
    // mov [rdi], eax; ret
    const { cpu } = machine([0x89, 0x07, 0xc3]);
    expect(() => cpu.call(CODE, 0x10n)).toThrow(PageFault);
    try {
      cpu.call(CODE, 0x10n);
    } catch (e) {
      expect((e as PageFault).access).toBe('write');
    }
  });

  it('non-canonical addresses raise #GP', () => {
    const { cpu } = machine([0x48, 0x8b, 0x07, 0xc3]); // mov rax,[rdi]; ret
    expect(() => cpu.call(CODE, 0x0000_8000_0000_0000n)).toThrow(GeneralProtection);
  });

  it('int3 is a Breakpoint fault at the int3, ud2 an InvalidOpcode carrying its bytes', () => {
    const a = machine([0x90, 0xcc, 0xc3]);
    try {
      a.cpu.call(CODE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Breakpoint);
      expect((e as Breakpoint).rip).toBe(CODE + 1n);
    }
    const b = machine([0x90, 0x0f, 0x0b]);
    try {
      b.cpu.call(CODE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidOpcode);
      expect(Array.from((e as InvalidOpcode).bytes)).toEqual([0x0f, 0x0b]);
      expect((e as InvalidOpcode).rip).toBe(CODE + 1n);
    }
  });

  it('undecodable bytes raise InvalidOpcode with the bytes, only when reached', () => {
    // jmp +2; (06 = push es, invalid in 64-bit mode) ... mov eax, 9; ret
    const { cpu } = machine([0xeb, 0x01, 0x06, 0xb8, 0x09, 0x00, 0x00, 0x00, 0xc3]);
    expect(cpu.call(CODE)).toBe(9n);
    const bad = machine([0x90, 0x06]);
    try {
      bad.cpu.call(CODE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidOpcode);
      expect((e as InvalidOpcode).bytes[0]).toBe(0x06);
      expect((e as InvalidOpcode).rip).toBe(CODE + 1n);
      expect((e as InvalidOpcode).message).toContain('[06]');
    }
  });

  it('division by zero and quotient overflow raise #DE', () => {
    // xor edx,edx; mov rax,rdi; div rsi; ret
    const { cpu } = machine([0x31, 0xd2, 0x48, 0x89, 0xf8, 0x48, 0xf7, 0xf6, 0xc3]);
    expect(cpu.call(CODE, 100, 7)).toBe(14n);
    expect(() => cpu.call(CODE, 1, 0)).toThrow(DivideError);
    // idiv: INT64_MIN / -1 overflows. mov rax,rdi; cqo; idiv rsi; ret
    const b = machine([0x48, 0x89, 0xf8, 0x48, 0x99, 0x48, 0xf7, 0xfe, 0xc3]);
    expect(() => b.cpu.call(CODE, 1n << 63n, (1n << 64n) - 1n)).toThrow(DivideError);
  });

  it('jumping into the trap area off a trap address is an UnknownTrap', () => {
    const { cpu } = machine();
    const f = cpu.defineHostFunction('f', () => 1);
    expect(() => cpu.call(f + 3n)).toThrow(UnknownTrap);
  });
});

describe('budget and interrupt', () => {
  it('stops an infinite loop with BudgetExhausted and a backtrace', () => {
    const { cpu } = machine([0xeb, 0xfe]); // jmp .
    cpu.budget = 100_000;
    const before = cpu.instructionsRetired;
    try {
      cpu.call(CODE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BudgetExhausted);
      expect((e as BudgetExhausted).rip).toBe(CODE);
      expect((e as BudgetExhausted).backtrace[0]).toBe(CODE);
    }
    expect(cpu.instructionsRetired - before).toBe(100_000);
    expect(cpu.budget).toBe(0);
  });

  it('interrupt() from a host function stops at the next block boundary, and resume() continues', () => {
    // push rbp; mov rbp,rsp; call [rip+0x100]; pop rbp; ret  (the host function interrupts)
    const { cpu } = machine(CALLER);
    const stopper = cpu.defineHostFunction('stopper', (c) => {
      c.interrupt();
      return 11;
    });
    setCallTarget(cpu, CODE + 4n, stopper);
    expect(() => cpu.call(CODE)).toThrow(CpuInterrupted);
    // The state is kept: resume() finishes the guest function and returns its RAX.
    expect(cpu.resume()).toBe(11n);
  });
});

describe('step and breakpoints', () => {
  it('single-steps instructions, a host trap counting as one', () => {
    // mov eax,1; add eax,2; ret
    const { cpu } = machine([0xb8, 1, 0, 0, 0, 0x83, 0xc0, 0x02, 0xc3]);
    cpu.rip = CODE;
    const before = cpu.instructionsRetired;
    cpu.step();
    expect(cpu.rip).toBe(CODE + 5n);
    expect(cpu.getReg(Reg.RAX)).toBe(1n);
    cpu.step();
    expect(cpu.getReg(Reg.RAX)).toBe(3n);
    expect(cpu.instructionsRetired - before).toBe(2);
    const h = cpu.defineHostFunction('h', () => 99);
    cpu.memory.write64(cpu.getReg(Reg.RSP) - 8n, CODE + 8n);
    cpu.setReg(Reg.RSP, cpu.getReg(Reg.RSP) - 8n);
    cpu.rip = h;
    cpu.step();
    expect(cpu.getReg(Reg.RAX)).toBe(99n);
    expect(cpu.rip).toBe(CODE + 8n);
  });

  it('stops at a breakpoint before executing it; resume() continues past it', () => {
    // mov eax,1; add eax,2; add eax,4; ret
    const { cpu } = machine([0xb8, 1, 0, 0, 0, 0x83, 0xc0, 0x02, 0x83, 0xc0, 0x04, 0xc3]);
    cpu.addBreakpoint(CODE + 5n);
    try {
      cpu.call(CODE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BreakpointHit);
      expect((e as BreakpointHit).rip).toBe(CODE + 5n);
    }
    expect(cpu.rip).toBe(CODE + 5n);
    expect(cpu.getReg(Reg.RAX)).toBe(1n);
    cpu.step();
    expect(cpu.getReg(Reg.RAX)).toBe(3n);
    expect(cpu.resume()).toBe(7n);
    cpu.removeBreakpoint(CODE + 5n);
    expect(cpu.call(CODE)).toBe(7n);
  });
});
