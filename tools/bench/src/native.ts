/**
 * The native reference measured in the same benchmark run: RUMP_BENCH_NATIVE is a shell command
 * (e.g. a program linked with NetBSD's librump + ffs) that runs the same measurements on the same
 * image and prints one line per figure:
 *
 *   rump-bench <key> <value>
 *
 * with <key> one of FIGURE_KEYS and <value> a decimal number in that figure's unit (ms, MiB/s,
 * ops/s, MB). Other lines are ignored; a missing figure has no ratio. The command gets the workload
 * in its environment: RUMP_BENCH_IMAGE (a fresh copy of the image, read-write), RUMP_BENCH_FS
 * (ffs or tinyfs), RUMP_BENCH_IO_SIZE (65536), RUMP_BENCH_READ_BYTES (size of /big),
 * RUMP_BENCH_WRITE_BYTES, RUMP_BENCH_SMALL_FILES (files/f00000 … in the image),
 * RUMP_BENCH_CREATE_FILES, RUMP_BENCH_GETDENTS_SIZE (8192: the buffer of each getdents call of the
 * readdir figures, `readdir-cold` after a remount and `readdir-warm`, in entries/s), and RUMP_BENCH_SCENARIO_IMAGE (a second fresh copy, for the classic
 * scenario run as a process of its own: the program spawns it, times it spawn → exit and reports
 * `scenario` and `scenario-rss` as scenario.ts measures ours). It is run once per run, right after
 * ours. tools/bench/native/ holds such a program for NetBSD's rump kernel built with buildrump.sh.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type FigureKey, isFigureKey } from './figures.js';
import { benchDir, copyImage } from './images.js';
import { IO_SIZE, type Workload } from './workload.js';

export type NativeFigures = Partial<Record<FigureKey, number>>;

export function parseNativeOutput(text: string): NativeFigures {
  const out: NativeFigures = {};
  for (const line of text.split('\n')) {
    const m = /^rump-bench\s+(\S+)\s+([-+0-9.eE]+)\s*$/.exec(line.trim());
    if (m === null) continue;
    const key = m[1]!;
    const v = Number(m[2]);
    if (isFigureKey(key) && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** The workload as the native command receives it in its environment. */
export function nativeEnv(
  w: Workload,
  image: string,
  scenarioImage: string,
): Record<string, string> {
  return {
    RUMP_BENCH_IMAGE: image,
    RUMP_BENCH_SCENARIO_IMAGE: scenarioImage,
    RUMP_BENCH_FS: w.fs,
    RUMP_BENCH_IO_SIZE: String(IO_SIZE),
    RUMP_BENCH_READ_BYTES: String(w.readBytes),
    RUMP_BENCH_WRITE_BYTES: String(w.writeBytes),
    RUMP_BENCH_SMALL_FILES: String(w.smallFiles),
    RUMP_BENCH_CREATE_FILES: String(w.createFiles),
    RUMP_BENCH_GETDENTS_SIZE: String(w.getdentsSize),
  };
}

export function runNative(command: string, w: Workload, pristine: string): NativeFigures {
  const image = join(benchDir(), 'native.img');
  const scenarioImage = join(benchDir(), 'native-scenario.img');
  copyImage(pristine, image);
  copyImage(pristine, scenarioImage);
  const r = spawnSync('sh', ['-c', command], {
    encoding: 'utf8',
    env: { ...process.env, ...nativeEnv(w, image, scenarioImage) },
  });
  if (r.status !== 0)
    throw new Error(
      `RUMP_BENCH_NATIVE exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(-2000)}`,
    );
  return parseNativeOutput(r.stdout);
}
