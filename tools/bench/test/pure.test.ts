/**
 * The benchmark's pure parts: statistics, ratios, the native line format, option parsing and the
 * workload sizes. No benchmark runs here (benchmarks never run in `pnpm test`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { higherIsBetter, readBaseline } from '../src/baseline.js';
import { parseNativeOutput } from '../src/native.js';
import { DEFAULT_SCALE, parseOptions } from '../src/options.js';
import { functionOf } from '../src/profile.js';
import { fmtRatio, speedRatio, summarize } from '../src/stats.js';
import { bigFileContent, chunkStamp, IO_SIZE, TINYFS_MAX_READ, workload } from '../src/workload.js';

describe('summarize', () => {
  it('gives min, median and max, averaging the middle pair for an even count', () => {
    expect(summarize([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4, runs: 4 });
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('speedRatio', () => {
  it('is > 1 when faster, for rates and for times alike', () => {
    expect(speedRatio(200, 100, true)).toBe(2);
    expect(speedRatio(50, 100, false)).toBe(2);
    expect(speedRatio(400, 100, false)).toBe(0.25);
    expect(speedRatio(0, 1, true)).toBeNaN();
    expect(fmtRatio(0.01)).toBe('0.0100× (100× slower)');
    expect(fmtRatio(0.5, true)).toBe('0.500× (2.00× more)');
  });
});

describe('parseNativeOutput', () => {
  it('reads `rump-bench <key> <value>` lines and ignores everything else', () => {
    const text = [
      'native rump kernel, ffs',
      'rump-bench boot 3.9',
      'rump-bench read-cold 495.5',
      'rump-bench not-a-figure 1',
      'rump-bench stat-warm fast',
      '  rump-bench unmount 3.3  ',
    ].join('\n');
    expect(parseNativeOutput(text)).toEqual({ boot: 3.9, 'read-cold': 495.5, unmount: 3.3 });
  });
});

describe('parseOptions', () => {
  it('takes flags and RUMP_BENCH_* variables, flags winning', () => {
    const o = parseOptions(['--', '--json', '--runs', '5'], {
      RUMP_BENCH_RUNS: '2',
      RUMP_BENCH_NATIVE: './native',
      RUMP_BENCH_SAMPLE: '0',
    });
    expect(o).toMatchObject({
      runs: 5,
      jsonStdout: true,
      native: './native',
      sampleEvery: 0,
      scale: DEFAULT_SCALE,
    });
    expect(() => parseOptions(['--bogus'], {})).toThrow(/unknown argument '--bogus'/);
    expect(() => parseOptions([], { RUMP_BENCH_SCALE: '-1' })).toThrow(/RUMP_BENCH_SCALE/);
  });
});

describe('workload', () => {
  it('scales the issue sizes and caps tinyfs at 4 MiB, saying so', () => {
    const full = workload('ffs', 1);
    expect(full).toMatchObject({
      readBytes: 64 * 2 ** 20,
      writeBytes: 32 * 2 ** 20,
      smallFiles: 2000,
      createFiles: 1000,
    });
    expect(full.notes).toEqual([]);
    const tiny = workload('tinyfs', 1);
    expect(tiny.readBytes).toBe(TINYFS_MAX_READ);
    expect(tiny.writeBytes).toBe(2 * 2 ** 20);
    expect(tiny.notes.join()).toMatch(/tinyfs/);
    expect(() => workload('ffs', 2)).toThrow(RangeError);
  });

  it('stamps each 64 KiB chunk of the big file with its number', () => {
    const b = bigFileContent(3 * IO_SIZE);
    expect([0, 1, 2].map((c) => chunkStamp(b.subarray(c * IO_SIZE)))).toEqual([0, 1, 2]);
  });
});

describe('functionOf', () => {
  it('drops the offset of a symbolized address', () => {
    expect(functionOf('ufs.kmod ufs_lookup+0x4c')).toBe('ufs.kmod ufs_lookup');
    expect(functionOf('kernel memcmp')).toBe('kernel memcmp');
  });
});

describe('readBaseline', () => {
  it('takes the medians of a previous result and says when it is not like for like', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    const path = join(dir, 'old.json');
    writeFileSync(
      path,
      JSON.stringify({
        machine: { date: 'then', commit: 'abc1234' },
        workload: { fs: 'ffs', scale: 0.0625 },
        figures: [
          { key: 'boot', ours: { median: 400 } },
          { key: 'stat-cold', ours: { median: 58 } },
        ],
      }),
    );
    const same = readBaseline(path, workload('ffs', 0.0625));
    expect([...same.medians]).toEqual([
      ['boot', 400],
      ['stat-cold', 58],
    ]);
    expect(same.mismatch).toBeUndefined();
    expect(readBaseline(path, workload('tinyfs', 0.0625)).mismatch).toMatch(/ffs at scale 0.0625/);
    writeFileSync(path, '{"nothing": 1}');
    expect(() => readBaseline(path, workload('ffs', 1))).toThrow(/not a benchmark result/);
    expect(higherIsBetter('MiB/s')).toBe(true);
    expect(higherIsBetter('ms')).toBe(false);
  });
});
