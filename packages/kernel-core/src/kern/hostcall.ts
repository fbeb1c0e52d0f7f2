/**
 * Arguments and results of kernel functions called from guest code, read and written straight
 * in the CPU's register file (int32 halves: low at r[reg], high at r[reg + 16]) — no BigInt and
 * no array per call. `cpu.arg(i)` builds a BigInt from two halves; the hot kernel functions
 * (mem*, str*, copy(9), uiomove, preemption points) use these instead. Kernel-window addresses
 * (0xffffffff80000000 + offset) become plain window offsets.
 */
import { type Cpu, Reg } from '@rump/cpu-x86';

/** SysV AMD64 integer argument registers, in order. */
const ARG_REGS = [Reg.RDI, Reg.RSI, Reg.RDX, Reg.RCX, Reg.R8, Reg.R9] as const;
const TWO32 = 4294967296;

/** Low 32 bits of argument i (< 6), as an int32. */
export function argLo(cpu: Cpu, i: number): number {
  return cpu.r[ARG_REGS[i]!]!;
}

/** High 32 bits of argument i (< 6), as an int32. */
export function argHi(cpu: Cpu, i: number): number {
  return cpu.r[ARG_REGS[i]! + 16]!;
}

/**
 * Window offset of the address in argument i (< 6), or -1 when it is not in the kernel
 * window's address range (the range may extend past the backed part: callers bound it by
 * `mem.windowSize`).
 */
export function argWindow(cpu: Cpu, i: number): number {
  const r = cpu.r;
  const reg = ARG_REGS[i]!;
  const lo = r[reg]!;
  return r[reg + 16] === -1 && lo < 0 ? lo & 0x7fffffff : -1;
}

/**
 * Argument i (< 6) as a size_t count: its low 63 bits as a Number (exact below 2^53, which any
 * length a real transfer can have is; larger values stay huge and fail the bounds checks).
 */
export function argSize(cpu: Cpu, i: number): number {
  const r = cpu.r;
  const reg = ARG_REGS[i]!;
  return (r[reg + 16]! & 0x7fffffff) * TWO32 + (r[reg]! >>> 0);
}

/** Argument i (< 6) as an unsigned 32-bit number (an `unsigned int`, a `u_int` flag word). */
export function argU32(cpu: Cpu, i: number): number {
  return cpu.r[ARG_REGS[i]!]! >>> 0;
}

/**
 * Sets RAX to the 64-bit two's complement of the integer `v` (|v| < 2^53), as a C function
 * returning it would.
 */
export function setReturn(cpu: Cpu, v: number): void {
  const r = cpu.r;
  r[Reg.RAX] = (v % TWO32) | 0;
  r[Reg.RAX + 16] = Math.floor(v / TWO32) | 0;
}

/** Sets RAX to argument i (< 6) unchanged, as memcpy returning its destination does. */
export function returnArg(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const reg = ARG_REGS[i]!;
  r[Reg.RAX] = r[reg]!;
  r[Reg.RAX + 16] = r[reg + 16]!;
}

/** Sets RAX to the kernel-window address of offset `off`, or to NULL when `off` is negative. */
export function returnWindow(cpu: Cpu, off: number): void {
  const r = cpu.r;
  if (off < 0) {
    r[Reg.RAX] = 0;
    r[Reg.RAX + 16] = 0;
    return;
  }
  r[Reg.RAX] = (0x8000_0000 + off) | 0;
  r[Reg.RAX + 16] = -1;
}

/**
 * Argument i (< 6) as a Kva (kernel/kva.ts): the int32 of a kernel-window address, 0 for NULL,
 * NaN for any other value (a pointer outside the window).
 */
export function argKva(cpu: Cpu, i: number): number {
  const r = cpu.r;
  const reg = ARG_REGS[i]!;
  const lo = r[reg]!;
  const hi = r[reg + 16]!;
  if (hi === -1 && lo < 0) return lo;
  return hi === 0 && lo === 0 ? 0 : Number.NaN;
}

/** Low 32 bits of RAX as an int32: the `int` a guest function returned. */
export function resultInt(cpu: Cpu): number {
  return cpu.r[Reg.RAX]!;
}

/**
 * Argument i (< 6) as a signed 64-bit Number, exact within ±2^53: a Kva for kernel pointers,
 * -1 / -2 for the NOCRED / FSCRED tokens.
 */
export function argS64(cpu: Cpu, i: number): number {
  const r = cpu.r;
  const reg = ARG_REGS[i]!;
  return r[reg + 16]! * TWO32 + (r[reg]! >>> 0);
}

/**
 * Argument i (>= 6, passed on the stack) as a signed 64-bit Number (exact within ±2^53; a Kva
 * for kernel pointers), read with the pair API when the stack is kernel memory.
 */
export function argStack(cpu: Cpu, i: number): number {
  const r = cpu.r;
  const lo = r[Reg.RSP]!;
  if (r[Reg.RSP + 16] === -1 && lo < 0) {
    const m = cpu.memory;
    const vlo = m.load64(lo + 8 + 8 * (i - 6), -1);
    return m.hi * TWO32 + (vlo >>> 0);
  }
  return Number(BigInt.asIntN(64, cpu.arg(i)));
}

/** Low 32 bits of argument i (>= 6, on the stack) as an int32 (an `int` or `u_int` argument). */
export function argStackLo(cpu: Cpu, i: number): number {
  const r = cpu.r;
  const lo = r[Reg.RSP]!;
  if (r[Reg.RSP + 16] === -1 && lo < 0) return cpu.memory.load32(lo + 8 + 8 * (i - 6), -1);
  return Number(BigInt.asIntN(32, cpu.arg(i)));
}
