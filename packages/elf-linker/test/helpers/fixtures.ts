/** The project's test kernel modules and the host tools the cross-checks use when present. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KMOD_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'tools',
  'test-modules',
  'kmod',
);

export function kmodPath(name: string): string {
  return join(KMOD_DIR, `${name}.kmod`);
}

export function kmod(name: string): Uint8Array {
  return new Uint8Array(readFileSync(kmodPath(name)));
}

export const LINK_FIXTURES = [
  'link_relocs',
  'link_asm_relocs',
  'link_common',
  'link_weak',
  'link_requires_a',
  'link_requires_b',
  'link_unresolved',
  'link_two_modules',
] as const;

/** Every committed test module (other helpers' too): all must parse. */
export function allFixtures(): string[] {
  return ['hello', ...LINK_FIXTURES].filter((n) => existsSync(kmodPath(n)));
}

export function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
