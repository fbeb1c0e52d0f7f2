/**
 * The benchmark's pure parts: statistics, ratios, the native line format, option parsing and the
 * workload sizes. No benchmark runs here (benchmarks never run in `pnpm test`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { higherIsBetter, readBaseline } from '../src/baseline.js';
import { DirentError, tallyDirents } from '../src/dirents.js';
import { FIGURES } from '../src/figures.js';
import { parseNativeOutput } from '../src/native.js';
import { DEFAULT_SCALE, parseOptions } from '../src/options.js';
import { functionOf } from '../src/profile.js';
import { scenarioEnv } from '../src/scenario.js';
import { fmtRatio, speedRatio, summarize } from '../src/stats.js';
import {
  bigFileContent,
  chunkStamp,
  IO_SIZE,
  smallFileIndex,
  smallFileName,
  TINYFS_MAX_READ,
  workload,
} from '../src/workload.js';

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
      getdentsSize: 8192,
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

/** NetBSD dirent records as ufs_readdir fills them: fileno, reclen (8-aligned), namlen, type, name, NUL. */
function dirents(entries: [fileno: number, name: string][]): Uint8Array {
  const names = entries.map(([, n]) => new TextEncoder().encode(n));
  const lens = names.map((n) => (13 + n.length + 1 + 7) & ~7);
  const out = new Uint8Array(lens.reduce((a, b) => a + b, 0));
  const dv = new DataView(out.buffer);
  let off = 0;
  entries.forEach(([fileno], k) => {
    dv.setBigUint64(off, BigInt(fileno), true);
    dv.setUint16(off + 8, lens[k]!, true);
    dv.setUint16(off + 10, names[k]!.length, true);
    out[off + 12] = 8;
    out.set(names[k]!, off + 13);
    off += lens[k]!;
  });
  return out;
}

describe('readdir figures', () => {
  it('have a row in the table, a rate without an issue reference', () => {
    for (const key of ['readdir-cold', 'readdir-warm']) {
      const f = FIGURES.find((d) => d.key === key);
      expect(f).toMatchObject({ unit: 'entries/s', higherIsBetter: true });
      expect(f?.reference).toBeUndefined();
    }
    expect(higherIsBetter('entries/s')).toBe(true);
  });

  it('read small-file indices from name bytes in place', () => {
    const b = new TextEncoder().encode('xf00042f1234gf99999');
    expect(smallFileIndex(b, 1, 6)).toBe(42);
    expect(smallFileIndex(b, 7, 6)).toBe(-1);
    expect(smallFileIndex(b, 13, 6)).toBe(99_999);
    expect(smallFileIndex(b, 1, 5)).toBe(-1);
    expect(smallFileIndex(new TextEncoder().encode(smallFileName(7)), 0, 6)).toBe(7);
  });

  it('count every small file once, skipping dots and freed slots', () => {
    const seen = new Uint8Array(3);
    const raw = dirents([
      [2, '.'],
      [1, '..'],
      [5, smallFileName(2)],
      [0, smallFileName(0)],
      [6, smallFileName(0)],
    ]);
    expect(tallyDirents(raw, raw.length, seen)).toBe(2);
    expect([...seen]).toEqual([1, 0, 1]);
    const more = dirents([[7, smallFileName(1)]]);
    expect(tallyDirents(more, more.length, seen)).toBe(1);
    // Only the first n bytes count.
    expect(tallyDirents(raw, 0, new Uint8Array(3))).toBe(0);
  });

  it('fail on a name that is not a small file, a file seen twice, or a broken record', () => {
    const seen = new Uint8Array(3);
    const other = dirents([[5, 'README']]);
    expect(() => tallyDirents(other, other.length, seen)).toThrow("unexpected entry 'README'");
    const beyond = dirents([[5, smallFileName(3)]]);
    expect(() => tallyDirents(beyond, beyond.length, seen)).toThrow(DirentError);
    const twice = dirents([
      [5, smallFileName(1)],
      [6, smallFileName(1)],
    ]);
    expect(() => tallyDirents(twice, twice.length, new Uint8Array(3))).toThrow(
      'entry f00001 twice',
    );
    const broken = dirents([[5, smallFileName(1)]]);
    broken[8] = 0;
    expect(() => tallyDirents(broken, broken.length, new Uint8Array(3))).toThrow(
      'bad dirent at byte 0: d_reclen 0',
    );
    const cut = dirents([[5, smallFileName(1)]]);
    expect(() => tallyDirents(cut, cut.length - 8, new Uint8Array(3))).toThrow(/d_reclen 24/);
  });
});

describe('scenarioEnv', () => {
  it('drops NODE_EXTRA_CA_CERTS from the scenario child environment, saying when it was set', () => {
    const env = { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/ca.crt', RUMP_X: '1' };
    expect(scenarioEnv(env)).toEqual({
      env: { PATH: '/bin', RUMP_X: '1' },
      removed: ['NODE_EXTRA_CA_CERTS'],
    });
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/ca.crt');
    expect(scenarioEnv({ PATH: '/bin' })).toEqual({ env: { PATH: '/bin' }, removed: [] });
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
