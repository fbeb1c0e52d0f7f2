/** Test helper: a small machine with code at CODE and a stack, plus byte helpers. */
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } from '../src/index.js';

export const W = KERNEL_WINDOW_BASE;
export const CODE = W + 0x1000n;
export const DATA = W + 0x40000n;
export const STACK_TOP = W + 0x80000n;

export function machine(code: number[] = [], at: bigint = CODE): { cpu: Cpu; mem: GuestMemory } {
  const mem = new GuestMemory({ windowSize: 1 << 20 });
  mem.write(at, Uint8Array.from(code));
  const cpu = new Cpu(mem);
  cpu.setReg(Reg.RSP, STACK_TOP);
  return { cpu, mem };
}

export const le64 = (v: bigint): number[] =>
  Array.from(new Uint8Array(new BigUint64Array([BigInt.asUintN(64, v)]).buffer));

/** Runs the instructions at `at` one step at a time, `n` steps. */
export function steps(cpu: Cpu, n: number, at: bigint = CODE): void {
  cpu.rip = at;
  for (let k = 0; k < n; k++) cpu.step();
}

export const M64 = (1n << 64n) - 1n;
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
