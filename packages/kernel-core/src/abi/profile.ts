/**
 * A NetBSD release as the kernel presents it to modules: its version number, struct layouts,
 * constants and vnode-operation order. One object per release (netbsd-10.99/ today; a 10.x
 * release profile can sit beside it), so nothing else in the kernel hard-codes a release fact.
 */
import type * as current from './netbsd-10.99/structs/index.js';
import type { VdescFacts } from './netbsd-10.99/vdesc-table.js';

export type Structs = typeof current;

export interface Profile {
  /** `10.99.12` */
  readonly release: string;
  /** `__NetBSD_Version__`: MMmmrrpp00 */
  readonly version: number;
  /** -current kernels (minor 99) load only modules of exactly their version; releases take the same major.minor. */
  readonly isCurrent: boolean;
  readonly structs: Structs;
  readonly vopNames: readonly string[];
  /** The vop_*_desc descriptors in vdesc_offset order: names, flags, argument-block members. */
  readonly vdesc: readonly VdescFacts[];
  /** Whether modules of this release are built with DIAGNOSTIC (adds kern_assert, mutex_owned ...). */
  readonly diagnostic: boolean;
}

/** Splits `__NetBSD_Version__` (MMmmrrpp00) into its parts: 1099001200 → 10.99.12. */
export function splitVersion(v: number): { major: number; minor: number; patch: number } {
  return {
    major: Math.floor(v / 100_000_000),
    minor: Math.floor(v / 1_000_000) % 100,
    patch: Math.floor(v / 100) % 10_000,
  };
}

export function formatVersion(v: number): string {
  const { major, minor, patch } = splitVersion(v);
  return patch ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
}

/**
 * NetBSD's module_compatible(): a -current kernel (minor 99) accepts only its exact version;
 * a release kernel accepts modules of the same major.minor.
 */
export function moduleCompatible(kernelVersion: number, moduleVersion: number): boolean {
  const k = splitVersion(kernelVersion);
  if (k.minor === 99) return kernelVersion === moduleVersion;
  const m = splitVersion(moduleVersion);
  return k.major === m.major && k.minor === m.minor;
}
