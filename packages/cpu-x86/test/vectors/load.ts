/**
 * Reads the differential vectors recorded on a real CPU by tools/src/cpu-vectors/generate.ts
 * (one gzipped JSON file per group of instruction forms).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const VECTORS_DIR = dirname(fileURLToPath(import.meta.url));

/** One recorded execution; hex strings without 0x. */
export interface VectorCase {
  /** Initial RFLAGS (arithmetic flags and DF). */
  f: string;
  /** Values of the form's input registers. */
  r: string[];
  /** Initial memory window (hex bytes). */
  m?: string;
  /** Fault the instruction raised instead of completing: DE (#DE) or UD (#UD). */
  x?: 'DE' | 'UD';
  /** Branch target the instruction jumped to (absent: execution continued after it). */
  j?: string;
  /** RFLAGS after, masked to the header's flagMask. */
  F: string;
  /** Registers that changed (RSP only for forms that take RSP as an input; others ran on the harness stack). */
  R?: Record<string, string>;
  /** Memory window after, when it changed. */
  M?: string;
}

export interface VectorForm {
  name: string;
  asm: string;
  /** Address the instruction ran at natively (RIP-relative forms depend on it). */
  address: string;
  bytes: string;
  inputs: string[];
  memLen: number;
  cases: VectorCase[];
}

export interface VectorFile {
  format: number;
  group: string;
  cpu: string;
  compiler: string;
  memBase: string;
  memWindow: string;
  /** GS base the instructions ran with (%gs: operands address the memory window). */
  gsBase?: string;
  /** FS base the %fs: forms ran with. */
  fsBase?: string;
  flagMask: string;
  /** Values of all 16 GPRs (RAX..R15) a form does not name. */
  fillers: string[];
  forms: VectorForm[];
}

export function vectorGroups(): string[] {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.json.gz'))
    .map((f) => f.slice(0, -'.json.gz'.length))
    .sort();
}

export function loadVectors(group: string): VectorFile {
  const data = gunzipSync(readFileSync(join(VECTORS_DIR, `${group}.json.gz`)));
  return JSON.parse(data.toString('utf8')) as VectorFile;
}

/** Vectors the emulator is known to get wrong, kept as a checked list (each must still fail). */
export interface KnownFailure {
  reason: string;
  /** Case indices within the form. */
  cases: number[];
}

export function knownFailures(): Record<string, KnownFailure> {
  const text = readFileSync(join(VECTORS_DIR, 'known-failures.json'), 'utf8');
  const all = JSON.parse(text) as Record<string, KnownFailure | string>;
  const out: Record<string, KnownFailure> = {};
  for (const [k, v] of Object.entries(all)) if (typeof v !== 'string') out[k] = v;
  return out;
}
