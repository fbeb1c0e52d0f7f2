import { utf8Length } from './checks.js';
import type { Host } from './Host.js';
import { HostError } from './HostError.js';

/**
 * The parameters a host answers through `getParam`, with their defaults (as text, the way
 * rumpuser_getparam returns them) and the syntax `readHostParams` accepts:
 *
 * - RUMP_VERBOSE: decimal integer >= 0; 0 (default) is quiet, anything else prints boot messages.
 * - RUMP_NCPU: decimal integer 1..256 (NetBSD amd64's MAXCPUS), default 1. A host given the text
 *   `host` answers with the host's CPU count, as rumpuser does.
 * - RUMP_MEMLIMIT: bytes the kernel may use, decimal with an optional suffix k, m or g (powers of
 *   1024, either case), e.g. `64m`; default 256 MiB. NetBSD's uvm_init accepts the same.
 * - RUMP_HOSTNAME: the kernel's hostname, 1..255 bytes (MAXHOSTNAMELEN - 1), default `rump-ts`.
 */
export const HostParamDefaults = {
  RUMP_VERBOSE: '0',
  RUMP_NCPU: '1',
  RUMP_MEMLIMIT: String(256 * 1024 * 1024),
  RUMP_HOSTNAME: 'rump-ts',
} as const;

export type HostParamName = keyof typeof HostParamDefaults;

export const HOST_PARAM_NAMES: readonly HostParamName[] = Object.keys(
  HostParamDefaults,
) as HostParamName[];

export function isHostParamName(name: string): name is HostParamName {
  return Object.hasOwn(HostParamDefaults, name);
}

/** The known parameters, parsed. */
export interface HostParams {
  readonly verbose: number;
  readonly ncpu: number;
  /** Bytes. */
  readonly memlimit: number;
  readonly hostname: string;
}

/** NetBSD amd64's MAXCPUS. */
export const MAX_NCPU = 256;
/** MAXHOSTNAMELEN - 1 (room for the NUL). */
export const MAX_HOSTNAME_BYTES = 255;

function invalid(name: string, text: string, why: string): HostError {
  return new HostError('EINVAL', {
    call: 'getParam',
    message: `${name}=${JSON.stringify(text)}: ${why}`,
  });
}

function parseDecimal(name: string, text: string): number {
  if (!/^[0-9]+$/.test(text)) throw invalid(name, text, 'expected a decimal integer');
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw invalid(name, text, 'too large');
  return value;
}

export function parseVerbose(text: string): number {
  const value = parseDecimal('RUMP_VERBOSE', text);
  if (value > 0x7fffffff) throw invalid('RUMP_VERBOSE', text, 'too large');
  return value;
}

export function parseNcpu(text: string): number {
  const value = parseDecimal('RUMP_NCPU', text);
  if (value < 1 || value > MAX_NCPU) {
    throw invalid('RUMP_NCPU', text, `expected 1..${MAX_NCPU} (or "host")`);
  }
  return value;
}

const MEMLIMIT_MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 * 1024,
  g: 1024 * 1024 * 1024,
};

/** `64m` → 67108864. Rejects zero, other suffixes, anything after the suffix, and overflow. */
export function parseMemlimit(text: string): number {
  const m = /^([0-9]+)([kmgKMG]?)$/.exec(text);
  if (m === null) {
    throw invalid('RUMP_MEMLIMIT', text, 'expected bytes as digits with optional k, m or g');
  }
  const value = Number(m[1]) * MEMLIMIT_MULTIPLIERS[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(value)) throw invalid('RUMP_MEMLIMIT', text, 'too large');
  if (value === 0) throw invalid('RUMP_MEMLIMIT', text, 'must be more than 0');
  return value;
}

export function parseHostname(text: string): string {
  const bytes = utf8Length(text);
  if (bytes === 0 || bytes > MAX_HOSTNAME_BYTES) {
    throw invalid('RUMP_HOSTNAME', text, `expected 1..${MAX_HOSTNAME_BYTES} bytes`);
  }
  if (text.includes('\0')) throw invalid('RUMP_HOSTNAME', text, 'contains NUL');
  return text;
}

/** Checks one known parameter's text; throws HostError EINVAL naming the parameter and value. */
export function validateHostParam(name: HostParamName, text: string): void {
  switch (name) {
    case 'RUMP_VERBOSE':
      parseVerbose(text);
      return;
    case 'RUMP_NCPU':
      parseNcpu(text);
      return;
    case 'RUMP_MEMLIMIT':
      parseMemlimit(text);
      return;
    case 'RUMP_HOSTNAME':
      parseHostname(text);
      return;
  }
}

/** Reads and parses every known parameter from a host. Throws HostError EINVAL on bad text. */
export function readHostParams(host: Host): HostParams {
  return {
    verbose: parseVerbose(host.getParam('RUMP_VERBOSE')),
    ncpu: parseNcpu(host.getParam('RUMP_NCPU')),
    memlimit: parseMemlimit(host.getParam('RUMP_MEMLIMIT')),
    hostname: parseHostname(host.getParam('RUMP_HOSTNAME')),
  };
}

/**
 * A parameter table for a host: known names take the first defined value of `sources`
 * (in order) or their default; `host` for RUMP_NCPU becomes `hostCpuCount`; other names are
 * answered only if the first source (the caller's explicit overrides) defines them. Every known
 * value is validated here, so a bad setting fails when the host is made, not mid-boot.
 */
export function resolveHostParams(
  sources: readonly (Readonly<Record<string, string | undefined>> | undefined)[],
  hostCpuCount: number,
): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  const explicit = sources[0];
  if (explicit !== undefined) {
    for (const [name, value] of Object.entries(explicit)) {
      if (value !== undefined && !isHostParamName(name)) table.set(name, value);
    }
  }
  for (const name of HOST_PARAM_NAMES) {
    let value: string = HostParamDefaults[name];
    for (const source of sources) {
      const v = source?.[name];
      if (v !== undefined) {
        value = v;
        break;
      }
    }
    if (name === 'RUMP_NCPU' && value === 'host') value = String(Math.min(hostCpuCount, MAX_NCPU));
    validateHostParam(name, value);
    table.set(name, value);
  }
  return table;
}
