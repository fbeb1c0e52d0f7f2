/**
 * How a test, a scenario step or a corruption run ended, and the errors the harness throws to
 * say so: a failed check, a feature the module legitimately lacks, or an environment that lacks
 * something (a skip). Kernel deaths are classified from @rump/kernel-core's typed errors.
 */
import { GuestFault, KernelDead, KernelDeath, KernelPanic } from '@rump/kernel-core';
import { SyscallError } from '@rump/syscalls';

export type Status = 'pass' | 'fail' | 'unsupported' | 'skipped' | 'panic';

/** A check did not hold. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

/** The module legitimately cannot do this (the format has no such thing): not a failure. */
export class Unsupported extends Error {
  override name = 'Unsupported';
}

/** The environment lacks something the test needs (makefs, a module): not run. */
export class Skipped extends Error {
  override name = 'Skipped';
}

/** What a kernel death looked like, for reports. */
export interface DeathReport {
  readonly kind: 'panic' | 'fault' | 'budget';
  readonly reason: string;
  readonly backtrace: readonly string[];
}

export function deathReport(e: unknown): DeathReport | undefined {
  const d = e instanceof KernelDead ? e.death : e;
  if (!(d instanceof KernelDeath)) return undefined;
  const kind =
    d instanceof GuestFault ? (d.kind === 'BudgetExhausted' ? 'budget' : 'fault') : 'panic';
  return {
    kind: d instanceof KernelPanic ? 'panic' : kind,
    reason: d.reason,
    backtrace: d.backtrace.map((f) => `0x${BigInt.asUintN(64, f.address).toString(16)} ${f.where}`),
  };
}

/** The errno name of a failed system call, or undefined. */
export function errnoOf(e: unknown): string | undefined {
  return e instanceof SyscallError ? e.code : undefined;
}

export function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
