import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } from '../src/index.js';

const W = KERNEL_WINDOW_BASE;
const CODE = W + 0x1000n;
const STACK_TOP = W + 0x80000n;

function machine(): { cpu: Cpu; mem: GuestMemory } {
  const mem = new GuestMemory({ windowSize: 1 << 20 });
  const cpu = new Cpu(mem);
  cpu.setReg(Reg.RSP, STACK_TOP);
  return { cpu, mem };
}
const le64 = (v: bigint): number[] => Array.from(new Uint8Array(new BigUint64Array([v]).buffer));

describe('calls between host and guest', () => {
  it('calls a guest function with SysV arguments', () => {
    const { cpu, mem } = machine();
    // mov rax, rdi; add rax, rsi; ret
    mem.write(CODE, Uint8Array.from([0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3]));
    expect(cpu.call(CODE, 40, 2)).toBe(42n);
    expect(cpu.getReg(Reg.RSP)).toBe(STACK_TOP);
  });

  it('lets guest code call a host function through its trap address', () => {
    const { cpu, mem } = machine();
    const twice = cpu.defineHostFunction('twice', (c) => c.arg(0) * 2n);
    expect(cpu.hostFunctionName(twice)).toBe('twice');
    expect(mem.read8(twice)).toBe(0xcc);
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
  });
});
