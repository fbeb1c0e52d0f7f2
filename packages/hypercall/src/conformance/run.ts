import { type ConformanceCheck, type ConformanceFixture, hostConformanceChecks } from './checks.js';

/** Makes a fresh host for one check. Called once per check, so checks cannot disturb each other. */
export type ConformanceFactory = () => ConformanceFixture | Promise<ConformanceFixture>;

export interface ConformanceResult {
  readonly group: string;
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed: a ConformanceFailure, or whatever the host threw. */
  readonly error?: unknown;
}

/**
 * Runs one check on a fresh fixture; throws what the check threw. The host is shut down and the
 * fixture disposed afterwards, pass or fail.
 */
export async function runConformanceCheck(
  factory: ConformanceFactory,
  check: ConformanceCheck,
): Promise<void> {
  const fixture = await factory();
  try {
    await check.run(fixture);
  } finally {
    try {
      fixture.host.shutdown();
    } finally {
      await fixture.dispose?.();
    }
  }
}

/**
 * Runs every check (or those `filter` keeps) one after another, with no test framework, and
 * returns one result per check. `results.every((r) => r.ok)` means the host conforms.
 */
export async function runHostConformance(
  factory: ConformanceFactory,
  filter: (check: ConformanceCheck) => boolean = () => true,
): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const check of hostConformanceChecks.filter(filter)) {
    try {
      await runConformanceCheck(factory, check);
      results.push({ group: check.group, name: check.name, ok: true });
    } catch (error) {
      results.push({ group: check.group, name: check.name, ok: false, error });
    }
  }
  return results;
}

/** The part of a test framework the adapter needs: vitest, jest, mocha and node:test all fit. */
export interface TestFramework {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>): unknown;
}

/**
 * Declares one test per check, grouped by part of the interface, in the caller's framework:
 * `defineHostConformanceTests(() => ({ host: new MyHost(), path: (n) => `/t/${n}` }), { describe, it })`.
 */
export function defineHostConformanceTests(
  factory: ConformanceFactory,
  { describe, it }: TestFramework,
  filter: (check: ConformanceCheck) => boolean = () => true,
): void {
  const groups = new Map<string, ConformanceCheck[]>();
  for (const check of hostConformanceChecks.filter(filter)) {
    const list = groups.get(check.group) ?? [];
    list.push(check);
    groups.set(check.group, list);
  }
  for (const [group, checks] of groups) {
    describe(group, () => {
      for (const check of checks) it(check.name, () => runConformanceCheck(factory, check));
    });
  }
}
