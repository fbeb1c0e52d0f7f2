/**
 * Runs conformance tests against a profile: each test gets a fresh private image (made by the
 * profile, or a fresh copy of the user's image with a folder of its own), a fresh kernel with
 * the image mounted read-write, and after the test a reboot that must unmount cleanly, leave the
 * clean flag set and give an image the profile's fsck accepts.
 */
import { SyscallError } from '@rump/syscalls';
import { DEFAULT_IMAGE } from '../images/tree.js';
import { Machine } from '../machine.js';
import {
  CheckFailed,
  type DeathReport,
  deathReport,
  message,
  Skipped,
  type Status,
  Unsupported,
} from '../outcome.js';
import type { FsProfile } from '../profile.js';
import { type ConformanceTest, TestContext } from './context.js';

/** Guest instructions per kernel entry in conformance tests unless told otherwise. */
export const CONFORMANCE_BUDGET = 2_000_000_000;

export interface ConformanceOptions {
  /** Only tests whose id contains one of these strings (all when empty). */
  readonly filter?: readonly string[];
  /** Run the slow categories too (thousands of entries). */
  readonly slow?: boolean;
  /** Entries of the "thousands of entries" test (default 2000). */
  readonly manyEntries?: number;
  /** A user's image: every test runs on a fresh copy of it, in a folder of its own. */
  readonly image?: Uint8Array;
  /** Tests that fill the file system are not run on user images larger than this (default 16 MiB). */
  readonly maxFillBytes?: number;
  /** Instructions per kernel entry (default 2 000 000 000: a looping module ends, eventually). */
  readonly instructionBudget?: number;
  /** Called after each test, for progress output. */
  readonly onResult?: (r: TestResult) => void;
}

export interface TestResult {
  readonly id: string;
  readonly category: string;
  readonly title: string;
  readonly status: Status;
  readonly durationMs: number;
  readonly message?: string;
  readonly errno?: string;
  readonly death?: DeathReport;
  readonly notes?: readonly string[];
}

export interface ConformanceReport {
  readonly suite: 'conformance';
  readonly profile: string;
  readonly fstype: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly results: readonly TestResult[];
  readonly totals: Readonly<Record<Status, number>>;
}

export function emptyTotals(): Record<Status, number> {
  return { pass: 0, fail: 0, unsupported: 0, skipped: 0, panic: 0 };
}

function selected(test: ConformanceTest, options: ConformanceOptions): boolean {
  if (test.slow && !options.slow && !options.filter?.length) return false;
  const f = options.filter ?? [];
  return f.length === 0 || f.some((s) => test.id.includes(s));
}

/** Runs one test; never throws for what the kernel or the module does. */
export function runOne(
  profile: FsProfile,
  test: ConformanceTest,
  options: ConformanceOptions,
): TestResult {
  const t0 = performance.now();
  const category = test.id.split('/')[0]!;
  const base = { id: test.id, category, title: test.title };
  const end = (status: Status, extra: Partial<TestResult> = {}): TestResult => ({
    ...base,
    status,
    durationMs: performance.now() - t0,
    ...extra,
  });
  let ctx: TestContext | undefined;
  try {
    for (const need of test.needs ?? []) {
      const why = profile.unsupported?.[need];
      if (why) throw new Unsupported(why);
    }
    let image: Uint8Array;
    if (options.image) {
      if (test.fills && options.image.length > (options.maxFillBytes ?? 16 * 1024 * 1024))
        throw new Skipped(
          'fills the file system: the image is too large to fill in reasonable time',
        );
      image = options.image;
    } else {
      if (profile.imageMakerMissing) throw new Skipped(profile.imageMakerMissing);
      image = profile.makeImage({ ...DEFAULT_IMAGE, ...test.image });
    }
    const machine = new Machine(profile, image, {
      instructionBudget: options.instructionBudget ?? CONFORMANCE_BUDGET,
    });
    machine.start();
    let dir = '/mnt';
    if (options.image) {
      dir = `/mnt/rump-harness-${test.id.replace(/\//g, '-')}`;
      machine.rump.sys.mkdir(dir, 0o755);
    }
    ctx = new TestContext(profile, machine, dir, options.manyEntries ?? 2000);
    test.run(ctx);
    // Every test ends with a reboot that must leave a clean, consistent image.
    if (!machine.reboot()) throw new CheckFailed('reboot did not unmount the file system cleanly');
    const after = machine.image();
    if (profile.isClean && !profile.isClean(after))
      throw new CheckFailed('the superblock is not marked clean after reboot');
    const problems = profile.check?.(after) ?? [];
    if (problems.length)
      throw new CheckFailed(`the image fails fsck: ${problems.slice(0, 5).join('; ')}`);
    return end('pass', ctx.notes.length ? { notes: ctx.notes } : {});
  } catch (e) {
    const notes = ctx?.notes.length ? { notes: ctx.notes } : {};
    if (e instanceof Unsupported) return end('unsupported', { message: e.message, ...notes });
    if (e instanceof Skipped) return end('skipped', { message: e.message, ...notes });
    if (e instanceof SyscallError) {
      if (e.code === 'EOPNOTSUPP')
        return end('unsupported', {
          message: `the module answers EOPNOTSUPP: ${e.message}`,
          errno: e.code,
          ...notes,
        });
      return end('fail', {
        message: `unexpected ${e.code} from ${e.message}`,
        errno: e.code,
        ...notes,
      });
    }
    const death = deathReport(e);
    if (death) return end('panic', { message: death.reason, death, ...notes });
    return end('fail', { message: message(e), ...notes });
  }
}

/** Runs the selected tests in order and totals the outcomes. */
export function runConformance(
  profile: FsProfile,
  tests: readonly ConformanceTest[],
  options: ConformanceOptions = {},
): ConformanceReport {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const results: TestResult[] = [];
  const totals = emptyTotals();
  for (const test of tests) {
    if (!selected(test, options)) continue;
    const r = runOne(profile, test, options);
    results.push(r);
    totals[r.status]++;
    options.onResult?.(r);
  }
  return {
    suite: 'conformance',
    profile: profile.name,
    fstype: profile.fstype,
    startedAt,
    durationMs: performance.now() - t0,
    results,
    totals,
  };
}
