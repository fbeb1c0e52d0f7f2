import { describe, expect, it } from 'vitest';
import { type Cpu, Reg } from '../src/index.js';
import { CODE, le64, machine, STACK_TOP, u64, W } from './machine.js';

/** Stores a function pointer where `call [rip+0x100]` at `callAt` (6 bytes long) reads it. */
function setCallTarget(cpu: Cpu, callAt: bigint, target: bigint): void {
  cpu.memory.write64(callAt + 6n + 0x100n, target);
}

describe('calls between host and guest', () => {
  it('calls a guest function with SysV arguments and restores rsp', () => {
    const { cpu } = machine([0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3]); // mov rax,rdi; add rax,rsi; ret
    expect(cpu.call(CODE, 40, 2)).toBe(42n);
    expect(cpu.call(CODE, -1n, 1)).toBe(0n);
    expect(cpu.getReg(Reg.RSP)).toBe(STACK_TOP);
  });

  it('passes more than six arguments on the stack', () => {
    // sum9: rdi+rsi+rdx+rcx+r8+r9+[rsp+8]+[rsp+16]+[rsp+24]
    const { cpu } = machine([
      0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0x48, 0x01, 0xd0, 0x48, 0x01, 0xc8, 0x4c, 0x01, 0xc0,
      0x4c, 0x01, 0xc8, 0x48, 0x03, 0x44, 0x24, 0x08, 0x48, 0x03, 0x44, 0x24, 0x10, 0x48, 0x03,
      0x44, 0x24, 0x18, 0xc3,
    ]);
    expect(cpu.call(CODE, 1, 2, 3, 4, 5, 6, 70, 800, 9000)).toBe(9891n);
    expect(cpu.getReg(Reg.RSP)).toBe(STACK_TOP);
  });

  it('lets guest code call a host function through its trap address', () => {
    const { cpu, mem } = machine();
    const twice = cpu.defineHostFunction('twice', (c) => c.arg(0) * 2n);
    expect(cpu.hostFunctionName(twice)).toBe('twice');
    expect(cpu.hostFunctionName(CODE)).toBeUndefined();
    expect(mem.read8(twice)).toBe(0xcc); // the trap area disassembles as int3
    // push rbp; movabs rax, twice; call rax; add rax, 1; pop rbp; ret
    mem.write(
      CODE,
      Uint8Array.from([
        0x55,
        0x48,
        0xb8,
        ...le64(twice),
        0xff,
        0xd0,
        0x48,
        0x83,
        0xc0,
        0x01,
        0x5d,
        0xc3,
      ]),
    );
    expect(cpu.call(CODE, 20)).toBe(41n);
    // A host function is also an ordinary function pointer for the host.
    expect(cpu.call(twice, 21)).toBe(42n);
  });

  it('reads stack arguments of a host call (8 arguments, variadic style)', () => {
    // push rbp; mov rbp,rsp; push 80; push 70; mov r9,6; mov r8,5; mov ecx,4; mov edx,3; mov esi,2;
    // mov edi,1; call [rip+0x100]; leave; ret
    const { cpu } = machine([
      0x55, 0x48, 0x89, 0xe5, 0x6a, 0x50, 0x6a, 0x46, 0x49, 0xc7, 0xc1, 0x06, 0x00, 0x00, 0x00,
      0x49, 0xc7, 0xc0, 0x05, 0x00, 0x00, 0x00, 0xb9, 0x04, 0x00, 0x00, 0x00, 0xba, 0x03, 0x00,
      0x00, 0x00, 0xbe, 0x02, 0x00, 0x00, 0x00, 0xbf, 0x01, 0x00, 0x00, 0x00, 0xff, 0x15, 0x00,
      0x01, 0x00, 0x00, 0xc9, 0xc3,
    ]);
    let seen: bigint[] = [];
    const collect = cpu.defineHostFunction('collect', (c) => {
      seen = Array.from({ length: 8 }, (_, k) => c.arg(k));
      return 7;
    });
    setCallTarget(cpu, CODE + 42n, collect);
    expect(cpu.call(CODE)).toBe(7n);
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 70n, 80n]);
  });

  it('nests guest -> host -> guest -> host calls and unwinds each level', () => {
    // outer(x): push rbp; mov rbp,rsp; call [rip+0x100] (-> host "middle"); add rax,1; pop rbp; ret
    const outer = CODE;
    const { cpu, mem } = machine([
      0x55, 0x48, 0x89, 0xe5, 0xff, 0x15, 0x00, 0x01, 0x00, 0x00, 0x48, 0x83, 0xc0, 0x01, 0x5d,
      0xc3,
    ]);
    // inner(x): mov rax, rdi; add rax, rsi; ret  at CODE+0x800
    const inner = CODE + 0x800n;
    mem.write(inner, Uint8Array.from([0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3]));
    const depths: number[] = [];
    let depth = 0;
    const middle = cpu.defineHostFunction('middle', (c) => {
      depth++;
      depths.push(depth);
      const x = c.arg(0);
      const r = depth < 3 ? c.call(outer, x + 10n) : c.call(inner, x, 100);
      depth--;
      return r * 2n;
    });
    setCallTarget(cpu, outer + 4n, middle);
    const rsp = cpu.getReg(Reg.RSP);
    // depth1: outer(1) -> middle(1) -> outer(11) -> middle(11) -> outer(21) -> middle(21) -> inner(21,100)=121
    // unwinding: (121*2+1)=243, (243*2+1)=487, (487*2+1)=975
    expect(cpu.call(outer, 1)).toBe(975n);
    expect(depths).toEqual([1, 2, 3]);
    expect(cpu.getReg(Reg.RSP)).toBe(rsp);
  });

  it('propagates host exceptions unchanged through nested calls', () => {
    const { cpu } = machine([
      0x55, 0x48, 0x89, 0xe5, 0xff, 0x15, 0x00, 0x01, 0x00, 0x00, 0x5d, 0xc3,
    ]);
    class Panic extends Error {}
    const panic = new Panic('kernel panic: test');
    const thrower = cpu.defineHostFunction('panic', () => {
      throw panic;
    });
    const reenter = cpu.defineHostFunction('reenter', (c) => c.call(CODE + 0x200n));
    cpu.memory.write(
      CODE + 0x200n,
      Uint8Array.from([0x55, 0x48, 0x89, 0xe5, 0xff, 0x15, 0x00, 0x01, 0x00, 0x00, 0x5d, 0xc3]),
    );
    setCallTarget(cpu, CODE + 4n, reenter);
    setCallTarget(cpu, CODE + 0x204n, thrower);
    let caught: unknown;
    try {
      cpu.call(CODE);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(panic);
    // The Cpu is still usable afterwards: rsp was restored by each call level.
    expect(cpu.getReg(Reg.RSP)).toBe(STACK_TOP);
    cpu.memory.write(CODE + 0x300n, Uint8Array.from([0xb8, 5, 0, 0, 0, 0xc3]));
    expect(cpu.call(CODE + 0x300n)).toBe(5n);
  });

  it('leaves RAX alone when a host function returns undefined, and wraps negative numbers', () => {
    const { cpu } = machine();
    const keep = cpu.defineHostFunction('keep', (c) => {
      c.setReg(Reg.RAX, 0x1234n);
    });
    const neg = cpu.defineHostFunction('neg', () => -1);
    expect(cpu.call(keep)).toBe(0x1234n);
    expect(cpu.call(neg)).toBe(u64(-1n));
  });

  it('requires a stack before calling', () => {
    const { cpu } = machine([0xc3]);
    cpu.setReg(Reg.RSP, 0n);
    expect(() => cpu.call(CODE)).toThrow(/RSP/);
  });

  it('keeps the window base constant exported', () => {
    expect(W).toBe(0xffff_ffff_8000_0000n);
  });
});
