/**
 * The native reference protocol (src/native.ts): the environment the command receives, and a run
 * of a real shell command that reads it, on real image copies in a scratch RUMP_BENCH_DIR.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nativeEnv, runNative } from '../src/native.js';
import { workload } from '../src/workload.js';

describe('nativeEnv', () => {
  it('passes the workload, the image and a separate scenario image', () => {
    const w = workload('ffs', 0.0625);
    expect(nativeEnv(w, '/tmp/a.img', '/tmp/b.img')).toEqual({
      RUMP_BENCH_IMAGE: '/tmp/a.img',
      RUMP_BENCH_SCENARIO_IMAGE: '/tmp/b.img',
      RUMP_BENCH_FS: 'ffs',
      RUMP_BENCH_IO_SIZE: '65536',
      RUMP_BENCH_READ_BYTES: String(4 * 2 ** 20),
      RUMP_BENCH_WRITE_BYTES: String(2 * 2 ** 20),
      RUMP_BENCH_SMALL_FILES: '125',
      RUMP_BENCH_CREATE_FILES: '63',
      RUMP_BENCH_GETDENTS_SIZE: '8192',
    });
  });
});

describe('runNative', () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rump-bench-native-'));
    saved = process.env.RUMP_BENCH_DIR;
    process.env.RUMP_BENCH_DIR = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.RUMP_BENCH_DIR;
    else process.env.RUMP_BENCH_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the command fresh copies of the image and parses its figures, scenario included', () => {
    const pristine = join(dir, 'pristine.img');
    writeFileSync(pristine, 'image bytes');
    const w = workload('ffs', 0.0625);
    // A stand-in for rump-bench-native: modifies its image, reports figures from the environment.
    const command = [
      'echo scribbled > "$RUMP_BENCH_IMAGE"',
      'echo rump-bench boot "$RUMP_BENCH_SMALL_FILES"',
      'echo rump-bench scenario "$(wc -c < "$RUMP_BENCH_SCENARIO_IMAGE")"',
      'echo rump-bench scenario-rss 5.7',
      'echo some other line',
    ].join('; ');
    expect(runNative(command, w, pristine)).toEqual({
      boot: 125,
      scenario: 11,
      'scenario-rss': 5.7,
    });
    // The next run starts from the pristine image again.
    expect(runNative(`cat "$RUMP_BENCH_IMAGE"; echo`, w, pristine)).toEqual({});
    expect(readFileSync(join(dir, 'native.img'), 'utf8')).toBe('image bytes');
  });

  it('fails naming the exit status and the end of stderr', () => {
    const pristine = join(dir, 'pristine.img');
    writeFileSync(pristine, 'x');
    expect(() =>
      runNative('echo "unlink: error 66" >&2; exit 1', workload('ffs', 0.0625), pristine),
    ).toThrow('RUMP_BENCH_NATIVE exited 1: unlink: error 66');
  });
});
