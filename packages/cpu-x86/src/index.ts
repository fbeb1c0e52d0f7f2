/**
 * @rump/cpu-x86: an x86-64 emulator for compiled kernel code (see README.md).
 */
export { clearSharedCode, sharedCodeSize } from './code-share.js';
export {
  Cpu,
  type CpuOptions,
  DEFAULT_TRAP_BASE,
  type HostFunction,
  type JitCounters,
  REG_NAMES,
  Reg,
  TRAP_STRIDE,
} from './cpu.js';
export { cpuidLeaf } from './cpuid.js';
export {
  type Access,
  Breakpoint,
  BreakpointHit,
  BudgetExhausted,
  CpuFault,
  CpuInterrupted,
  DivideError,
  GeneralProtection,
  InvalidOpcode,
  PageFault,
  UnknownTrap,
} from './faults.js';
export {
  CODE_LINE_SHIFT,
  GuestMemory,
  KERNEL_WINDOW_BASE,
  MAX_WINDOW_SIZE,
  PAGE_SIZE,
} from './memory.js';
