import { describe, expect, it } from 'vitest';
import { Reg } from '../src/index.js';
import { CODE, le64, machine, STACK_TOP, u64, W } from './machine.js';

/** Kva (signed 64-bit value as a Number) of a window address. */
const kva = (a: bigint): number => Number(BigInt.asIntN(64, a));

// sum6: rax = rdi + rsi + rdx + rcx + r8 + r9
const SUM6 = [
  0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0x48, 0x01, 0xd0, 0x48, 0x01, 0xc8, 0x4c, 0x01, 0xc0, 0x4c,
  0x01, 0xc8, 0xc3,
];

describe('number calls and arguments (no BigInt)', () => {
  it('callNum passes Kvas, negative and large numbers exactly and returns the signed RAX', () => {
    const { cpu } = machine(SUM6);
    expect(cpu.callNum(kva(CODE), 1, 2, 3, 4, 5, 6)).toBe(21);
    expect(cpu.callNum(kva(CODE), -1, -2)).toBe(-3);
    expect(cpu.callNum(kva(CODE), 2 ** 40, 2 ** 52, 7)).toBe(2 ** 40 + 2 ** 52 + 7);
    expect(cpu.callNum(kva(CODE), kva(W + 0x10n), 8)).toBe(kva(W + 0x18n));
    // Unused argument registers are zeroed; RAX halves stay readable.
    expect(cpu.callNum(kva(CODE), 0xffff_ffff)).toBe(0xffff_ffff);
    expect(cpu.r[Reg.RAX]).toBe(-1);
    expect(cpu.r[Reg.RAX + 16]).toBe(0);
    expect(cpu.getReg(Reg.RSP)).toBe(STACK_TOP);
    expect(() => cpu.callNum(kva(CODE), 1.5)).toThrow(RangeError);
    expect(() => cpu.callNum(0.5)).toThrow(RangeError);
  });

  it('call takes numbers and bigints alike, on registers and the stack', () => {
    // sum9 = sum6 + [rsp+8] + [rsp+16] + [rsp+24]
    const { cpu } = machine([
      ...SUM6.slice(0, -1),
      0x48,
      0x03,
      0x44,
      0x24,
      0x08,
      0x48,
      0x03,
      0x44,
      0x24,
      0x10,
      0x48,
      0x03,
      0x44,
      0x24,
      0x18,
      0xc3,
    ]);
    expect(cpu.call(CODE, -1, 2n, 3, 4, 5, 6, -70, 2 ** 33, u64(-1n))).toBe(
      u64(-1n + 2n + 3n + 4n + 5n + 6n - 70n + 2n ** 33n - 1n),
    );
    expect(cpu.getReg(Reg.RSP)).toBe(STACK_TOP);
    expect(() => cpu.call(CODE, 0.5)).toThrow(RangeError);
  });

  it('argNum / argLo / argHi read register and stack arguments without BigInt', () => {
    // push 80; push -70 (sign-extended); mov r9,-6; mov r8,5; mov ecx,4; mov edx,3; mov esi,2;
    // mov rdi, W+0x40; call [rip+0x100]; add rsp,16; ret
    const code = [
      0x6a, 0x50, 0x6a, 0xba, 0x49, 0xc7, 0xc1, 0xfa, 0xff, 0xff, 0xff, 0x49, 0xc7, 0xc0, 0x05,
      0x00, 0x00, 0x00, 0xb9, 0x04, 0x00, 0x00, 0x00, 0xba, 0x03, 0x00, 0x00, 0x00, 0xbe, 0x02,
      0x00, 0x00, 0x00, 0x48, 0xc7, 0xc7, 0x40, 0x00, 0x00, 0x80,
    ];
    const callAt = code.length;
    code.push(0xff, 0x15, 0x00, 0x01, 0x00, 0x00, 0x48, 0x83, 0xc4, 0x10, 0xc3);
    const { cpu, mem } = machine(code);
    let nums: number[] = [];
    let halves: [number, number][] = [];
    const probe = cpu.defineHostFunction('probe', (c) => {
      nums = Array.from({ length: 8 }, (_, k) => c.argNum(k));
      halves = Array.from({ length: 8 }, (_, k) => [c.argLo(k), c.argHi(k)]);
      return c.argNum(5) * 2; // a negative number result goes to RAX as two's complement
    });
    mem.write(CODE + BigInt(callAt + 6 + 0x100), Uint8Array.from(le64(probe)));
    expect(cpu.call(CODE)).toBe(u64(-12n));
    expect(nums).toEqual([kva(W + 0x40n), 2, 3, 4, 5, -6, -70, 80]);
    expect(halves[0]).toEqual([kva(W + 0x40n), -1]);
    expect(halves[5]).toEqual([-6, -1]);
    expect(halves[6]).toEqual([-70, -1]);
    expect(halves[7]).toEqual([80, 0]);
  });

  it('regNum / setRegNum and host results beyond int32', () => {
    const { cpu } = machine();
    cpu.setRegNum(Reg.RBX, -5);
    expect(cpu.getReg(Reg.RBX)).toBe(u64(-5n));
    expect(cpu.regNum(Reg.RBX)).toBe(-5);
    cpu.setRegNum(Reg.R12, 2 ** 45 + 3);
    expect(cpu.getReg(Reg.R12)).toBe(2n ** 45n + 3n);
    const big = cpu.defineHostFunction('big', () => 2 ** 40 + 1);
    const huge = cpu.defineHostFunction('huge', () => 2 ** 64 + 2 ** 12);
    const bad = cpu.defineHostFunction('bad', () => 0.25);
    expect(cpu.call(big)).toBe(2n ** 40n + 1n);
    expect(cpu.call(huge)).toBe(2n ** 12n);
    expect(() => cpu.call(bad)).toThrow(/bad returned 0.25/);
  });
});
