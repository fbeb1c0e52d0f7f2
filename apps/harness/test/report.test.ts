import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../src/conformance/runner.js';
import type { CorruptionReport } from '../src/corrupt.js';
import { exitCode, formatReport, toJson, toJunit } from '../src/report.js';
import type { ScenarioResult } from '../src/scenario.js';

const conformance: ConformanceReport = {
  suite: 'conformance',
  profile: 'tinyfs',
  fstype: 'tinyfs',
  startedAt: '2026-11-27T00:00:00.000Z',
  durationMs: 1234,
  results: [
    { id: 'mount/statvfs', category: 'mount', title: 't1', status: 'pass', durationMs: 12.4 },
    {
      id: 'io/holes',
      category: 'io',
      title: 't2',
      status: 'fail',
      durationMs: 30,
      message: 'size: expected 5n, got 4n <&>',
    },
    {
      id: 'dir/errors',
      category: 'dir',
      title: 't3',
      status: 'panic',
      durationMs: 7,
      message: 'panic: boom',
      death: {
        kind: 'panic',
        reason: 'panic: boom',
        backtrace: ['0xffffffff80001000 ufs.kmod ufs_link+0x289'],
      },
    },
    {
      id: 'attr/chown',
      category: 'attr',
      title: 't4',
      status: 'unsupported',
      durationMs: 1,
      message: 'no owners',
    },
  ],
  totals: { pass: 1, fail: 1, panic: 1, unsupported: 1, skipped: 0 },
};

describe('reports', () => {
  it('summarises with timings, messages and backtraces', () => {
    const s = formatReport(conformance);
    expect(s).toContain('PASS   mount/statvfs');
    expect(s).toMatch(/mount\/statvfs\s+12 ms/);
    expect(s).toContain('FAIL   io/holes');
    expect(s).toContain('size: expected 5n, got 4n');
    expect(s).toContain('ufs.kmod ufs_link+0x289');
    expect(s).toContain(
      '4 tests: 1 passed, 1 failed, 1 panicked, 1 unsupported, 0 skipped in 1.2 s',
    );
  });

  it('writes JUnit XML with failures, errors for panics and skipped for unsupported', () => {
    const x = toJunit([conformance]);
    expect(x).toContain(
      '<testsuite name="conformance.tinyfs" tests="4" failures="1" errors="1" skipped="1"',
    );
    expect(x).toContain(
      '<testcase classname="conformance.tinyfs.mount" name="mount/statvfs" time="0.012"/>',
    );
    expect(x).toContain('<failure message="size: expected 5n, got 4n &lt;&amp;&gt;"/>');
    expect(x).toContain(
      '<error message="panic: boom">panic: boom\n0xffffffff80001000 ufs.kmod ufs_link+0x289</error>',
    );
    expect(x).toContain('<skipped message="unsupported: no owners"/>');
    expect(x.startsWith('<?xml version="1.0"')).toBe(true);
  });

  it('writes JSON that parses back, bigints as strings', () => {
    const j = JSON.parse(
      toJson([conformance, { ...conformance, durationMs: 5n as unknown as number }]),
    );
    expect(j.tool).toBe('rump-harness');
    expect(j.reports[0].results[2].death.backtrace).toHaveLength(1);
    expect(j.reports[1].durationMs).toBe('5');
  });

  it('exits 1 on failures and panics, 0 when only unsupported or skipped remain', () => {
    expect(exitCode([conformance])).toBe(1);
    const ok = {
      ...conformance,
      results: [],
      totals: { pass: 3, fail: 0, panic: 0, unsupported: 2, skipped: 1 },
    };
    expect(exitCode([ok])).toBe(0);
    const corrupt: CorruptionReport = {
      suite: 'corruption',
      profile: 'tinyfs',
      imageSha256: 'ab',
      originalUntouched: true,
      instructionBudget: 1,
      runs: [],
      counts: {
        ok: 0,
        errno: 0,
        'mount-refused': 0,
        panic: 3,
        fault: 0,
        budget: 0,
        stuck: 0,
        'host-error': 0,
      },
      durationMs: 1,
    };
    expect(exitCode([corrupt])).toBe(0);
    expect(exitCode([{ ...corrupt, originalUntouched: false }])).toBe(1);
    const scenario = {
      name: 'classic',
      profile: 'tinyfs',
      status: 'fail',
      durationMs: 1,
      steps: [],
      console: '',
      printed: [],
    } as ScenarioResult;
    expect(exitCode([scenario])).toBe(1);
  });
});
