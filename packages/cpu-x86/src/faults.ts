/**
 * Typed CPU faults. Every fault the guest can cause is one of these classes; the Cpu fills in the
 * machine state (rip, registers, backtrace) when the fault leaves `call()`/`step()`, and the message
 * carries a register dump and a symbolized backtrace so a log line alone explains what happened.
 */

export type Access = 'read' | 'write' | 'execute';

/** Machine state captured when a fault leaves the Cpu. */
export interface FaultContext {
  rip: bigint;
  registers: Record<string, bigint>;
  backtrace: bigint[];
  /** Formats one code address as `module+0x12 symbol+0x4` (or hex when unknown). */
  describe: (a: bigint) => string;
  /** Disassembly of the faulting instruction, when a disassembler is available. */
  disassembly?: string;
}

export const hex = (v: bigint | number): string =>
  `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;

export class CpuFault extends Error {
  readonly kind: string;
  rip = 0n;
  registers: Record<string, bigint> = {};
  backtrace: bigint[] = [];
  /** The message as first thrown, before machine state was attached. */
  readonly reason: string;
  /** True once `attach` filled in rip/registers/backtrace. */
  attached = false;

  constructor(kind: string, reason: string) {
    super(reason);
    this.name = new.target.name;
    this.kind = kind;
    this.reason = reason;
  }

  /** Records the machine state and rewrites the message with a dump (idempotent: first state wins). */
  attach(ctx: FaultContext): this {
    if (this.attached) return this;
    this.attached = true;
    this.rip = ctx.rip;
    this.registers = ctx.registers;
    this.backtrace = ctx.backtrace;
    const lines = [`${this.reason} at ${ctx.describe(ctx.rip)}`];
    if (ctx.disassembly) lines.push(`  ${ctx.disassembly}`);
    const regs = Object.entries(ctx.registers).map(
      ([n, v]) => `${n.padStart(6)}=${v.toString(16).padStart(16, '0')}`,
    );
    for (let i = 0; i < regs.length; i += 4) lines.push(`  ${regs.slice(i, i + 4).join(' ')}`);
    lines.push('  backtrace:');
    ctx.backtrace.forEach((a, i) => {
      lines.push(`    #${i} ${ctx.describe(a)}`);
    });
    this.message = lines.join('\n');
    return this;
  }
}

/** #UD: the bytes at rip are not an instruction this CPU implements. */
export class InvalidOpcode extends CpuFault {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, detail = 'invalid opcode') {
    const hexBytes = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
    super('#UD', `${detail} [${hexBytes}]`);
    this.bytes = bytes;
  }
}

/** #DE: division by zero or quotient overflow. */
export class DivideError extends CpuFault {
  constructor(detail = 'divide error') {
    super('#DE', detail);
  }
}

/** #GP: e.g. a non-canonical address, or a privileged instruction. */
export class GeneralProtection extends CpuFault {
  constructor(detail = 'general protection') {
    super('#GP', detail);
  }
}

/** #PF: an access to an address no region maps. */
export class PageFault extends CpuFault {
  readonly address: bigint;
  readonly access: Access;
  constructor(address: bigint, access: Access) {
    super('#PF', `page fault: ${access} of unmapped ${hex(address)}`);
    this.address = address;
    this.access = access;
  }
}

/** #BP: the guest executed int3 (outside a host-function trap). */
export class Breakpoint extends CpuFault {
  constructor(detail = 'int3 breakpoint') {
    super('#BP', detail);
  }
}

/** A debugger breakpoint set with `addBreakpoint` was reached (before executing it). */
export class BreakpointHit extends CpuFault {
  constructor(address: bigint) {
    super('breakpoint', `breakpoint hit at ${hex(address)}`);
  }
}

/** The instruction budget ran out (a runaway guest, e.g. an infinite loop). */
export class BudgetExhausted extends CpuFault {
  constructor() {
    super('budget', 'instruction budget exhausted');
  }
}

/** `interrupt()` was called; raised at the next block boundary. */
export class CpuInterrupted extends CpuFault {
  constructor() {
    super('interrupt', 'cpu interrupted');
  }
}

/** Execution reached an address in the trap area that no host function owns. */
export class UnknownTrap extends CpuFault {
  constructor(address: bigint) {
    super('trap', `jump into the host trap area at ${hex(address)}, which no host function owns`);
  }
}
