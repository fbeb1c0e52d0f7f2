/**
 * native/rump-bench-native.c against a real NetBSD rump kernel: compiled with the command line of
 * native/README.md, run through runNative on a makefs image of the default workload. Needs a rump
 * kernel built with buildrump.sh (RUMP_BENCH_RUMPDIR: its include/ and lib/), cc and makefs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIGURE_KEYS } from '../src/figures.js';
import { haveMakefs, pristineImage } from '../src/images.js';
import { runNative } from '../src/native.js';
import { workload } from '../src/workload.js';

const rumpDir = process.env.RUMP_BENCH_RUMPDIR ?? '';
const haveRump = rumpDir !== '' && existsSync(join(rumpDir, 'include', 'rump', 'rump.h'));
const haveCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const ready = haveRump && haveCc && haveMakefs();
const source = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'rump-bench-native.c');

describe.skipIf(!ready)(
  'rump-bench-native (needs RUMP_BENCH_RUMPDIR = a buildrump.sh rump kernel, cc, makefs)',
  () => {
    let dir: string;
    let program: string;
    let saved: string | undefined;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'rump-bench-native-'));
      saved = process.env.RUMP_BENCH_DIR;
      process.env.RUMP_BENCH_DIR = dir;
      program = join(dir, 'rump-bench-native');
      const lib = join(rumpDir, 'lib');
      execFileSync('cc', [
        '-O2',
        '-Wall',
        '-Werror',
        '-o',
        program,
        source,
        `-I${join(rumpDir, 'include')}`,
        `-L${lib}`,
        `-Wl,-rpath,${lib}`,
        '-Wl,--no-as-needed',
        ...['rumpfs_ffs', 'rumpdev_disk', 'rumpdev', 'rumpvfs', 'rump', 'rumpuser'].map(
          (l) => `-l${l}`,
        ),
        '-Wl,--as-needed',
        '-lpthread',
        '-ldl',
      ]);
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.RUMP_BENCH_DIR;
      else process.env.RUMP_BENCH_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    it('prints every figure, the scenario process included', () => {
      const w = workload('ffs', 0.0625);
      const figures = runNative(program, w, pristineImage(w));
      expect(Object.keys(figures).sort()).toEqual([...FIGURE_KEYS].sort());
      for (const v of Object.values(figures)) expect(v).toBeGreaterThan(0);
      // A C process with the rump kernel: a few MB, far from our Node process's ~70 MB.
      expect(figures['scenario-rss']).toBeLessThan(50);
    });

    it('fails when a read does not match the workload, naming the phase', () => {
      const w = workload('ffs', 0.0625);
      const wrong = { ...w, readBytes: w.readBytes * 2 };
      expect(() => runNative(program, wrong, pristineImage(w))).toThrow(
        `read-cold: read ${w.readBytes} bytes, the file has ${wrong.readBytes}`,
      );
    });

    it('refuses a getdents buffer other than its own, so both sides read directories alike', () => {
      const w = workload('ffs', 0.0625);
      expect(() =>
        runNative(`RUMP_BENCH_GETDENTS_SIZE=4096 ${program}`, w, pristineImage(w)),
      ).toThrow('RUMP_BENCH_GETDENTS_SIZE=4096, this program does 8192');
    });

    it('prints no figures for tinyfs, which NetBSD does not have', () => {
      const w = workload('ffs', 0.0625);
      expect(runNative(program, { ...w, fs: 'tinyfs' }, pristineImage(w))).toEqual({});
    });
  },
);
