/**
 * How the kernel fails. Errors a caller can handle carry a NetBSD errno (ErrnoError and its
 * module flavour). Errors that end the kernel instance — a panic, a fault in guest code, an
 * exhausted instruction budget — are KernelDeath subclasses: they carry the message, the
 * registers and a symbolized backtrace, and every later call on that kernel throws KernelDead.
 * Nothing here touches the host process: other kernel instances carry on.
 */
import { errnoName } from './abi/netbsd-10.99/errno.js';

export class KernelError extends Error {
  override name = 'KernelError';
}

/** A NetBSD errno result: the call failed, the kernel is fine. */
export class ErrnoError extends KernelError {
  override name = 'ErrnoError';
  readonly errnoName: string;
  constructor(
    readonly errno: number,
    /** The message without the errno name. */
    readonly detail: string,
  ) {
    super(`${detail} (${errnoName(errno)})`);
    this.errnoName = errnoName(errno);
  }
}

/** modctl failed: the module is not loaded (or not unloaded); `errno` says why as NetBSD would. */
export class ModuleError extends ErrnoError {
  override name = 'ModuleError';
  constructor(
    errno: number,
    /** The module name or file the request was about. */
    readonly module: string,
    message: string,
    /** Names of missing kernel symbols, when linking failed for that reason. */
    readonly missingSymbols: readonly string[] = [],
  ) {
    super(errno, message);
  }
}

/** One frame of a backtrace: the code address and where it is (`ffs.kmod ffs_mount+0x76`). */
export interface Frame {
  readonly address: bigint;
  readonly where: string;
}

const hex = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** Something ended the kernel instance. */
export class KernelDeath extends KernelError {
  override name = 'KernelDeath';
  constructor(
    /** What happened, without the dump: `panic: kmem_free: size mismatch`. */
    readonly reason: string,
    readonly registers: Readonly<Record<string, bigint>>,
    readonly backtrace: readonly Frame[],
    options?: { cause?: unknown },
  ) {
    super(formatReport(reason, registers, backtrace), options);
  }
}

/** `panic()` was called: by a module, by a kernel function (assertion, unimplemented symbol), or for a deadlock. */
export class KernelPanic extends KernelDeath {
  override name = 'KernelPanic';
  constructor(
    /** The panic string as NetBSD prints it after `panic: `. */
    readonly panicMessage: string,
    registers: Readonly<Record<string, bigint>>,
    backtrace: readonly Frame[],
    options?: { cause?: unknown },
  ) {
    super(`panic: ${panicMessage}`, registers, backtrace, options);
  }
}

/** Guest code faulted (page fault, #UD, #DE, #GP ...) or ran out of its instruction budget. */
export class GuestFault extends KernelDeath {
  override name = 'GuestFault';
  /** The faulting instruction as text, when the kernel has a disassembler. */
  readonly instruction: string | undefined;
  constructor(
    /** The CPU fault's kind (`PageFault`, `InvalidOpcode` ...). */
    readonly kind: string,
    reason: string,
    /** Faulting instruction address. */
    readonly rip: bigint,
    registers: Readonly<Record<string, bigint>>,
    backtrace: readonly Frame[],
    options?: { cause?: unknown; instruction?: string | undefined },
  ) {
    super(
      options?.instruction ? `${reason}\n  ${options.instruction}` : reason,
      registers,
      backtrace,
      options,
    );
    this.instruction = options?.instruction;
  }
}

/** A call on a kernel instance that reboot(2) halted. */
export class KernelHalted extends KernelError {
  override name = 'KernelHalted';
  constructor(readonly howto: number) {
    super(
      `this kernel was halted by reboot(2) (howto 0x${howto.toString(16)}) and takes no more calls`,
    );
  }
}

/** A call on a kernel instance that already died. */
export class KernelDead extends KernelError {
  override name = 'KernelDead';
  constructor(readonly death: KernelDeath) {
    super(`this kernel is dead: ${death.reason}`);
  }
}

export function formatReport(
  reason: string,
  registers: Readonly<Record<string, bigint>>,
  backtrace: readonly Frame[],
): string {
  const lines = [reason];
  const regs = Object.entries(registers).map(
    ([n, v]) => `${n.padStart(6)}=${hex(v).slice(2).padStart(16, '0')}`,
  );
  for (let i = 0; i < regs.length; i += 4) lines.push(`  ${regs.slice(i, i + 4).join(' ')}`);
  if (backtrace.length) {
    lines.push('  backtrace:');
    backtrace.forEach((f, i) => {
      lines.push(`    #${i} ${hex(f.address)} ${f.where}`);
    });
  }
  return lines.join('\n');
}
