/**
 * One benchmark run in this process: boot, mount, the I/O and metadata measurements of issue 11,
 * unmount — each timed with performance.now() around exactly the calls the figure names, on a
 * fresh copy of the pristine image. Every read is checked (chunk numbers, sizes), so a broken
 * path fails the run instead of looking fast.
 */
import type { Host } from '@rump/hypercall';
import { NodeHost } from '@rump/hypercall/node';
import { bootRump, MODCTL, O, type Rump } from '@rump/syscalls';
import { DirentError, tallyDirents } from './dirents.js';
import type { FigureKey } from './figures.js';
import { copyImage } from './images.js';
import type { Target } from './target.js';
import {
  chunkStamp,
  IO_SIZE,
  SMALL_FILE,
  smallFileContent,
  smallFileName,
  type Workload,
} from './workload.js';

/** Hooks around each measured phase (the profiler implements it). */
export interface Probe {
  /** Wraps the host the kernel boots on (to count and time host calls). */
  wrapHost?(host: Host): Host;
  /** Called once the kernel exists, before anything is measured on it. */
  attach?(rump: Rump): void;
  begin(phase: Phase): void;
  end(phase: Phase, ops: number, unit: string): void;
}

/**
 * Measured phases: the figures, plus `boot-init` (rump_init alone, without modules) and,
 * with `steady` passes, `read-steady` / `stat-steady`: the last of N more warm passes, once the
 * emulator has compiled the hot guest blocks and V8 has optimized the kernel's TypeScript.
 */
export type Phase = FigureKey | 'boot-init' | 'read-steady' | 'stat-steady';

export type RunResult = Partial<Record<Phase, number>>;

const MiB = 2 ** 20;

/** The kernel's console goes to stderr, so that `--json` leaves stdout to the JSON. */
const newHost = () => new NodeHost({ console: process.stderr });

export class BenchmarkFailure extends Error {
  constructor(phase: string, message: string) {
    super(`${phase}: ${message}`);
    this.name = 'BenchmarkFailure';
  }
}

export function runOnce(
  target: Target,
  w: Workload,
  pristine: string,
  scratch: string,
  probe?: Probe,
  steady = 0,
): RunResult {
  copyImage(pristine, scratch);
  const out: RunResult = {};
  const fstype = target.fs;
  const time = <T>(phase: Phase, ops: number, unit: string, fn: () => T): [T, number] => {
    probe?.begin(phase);
    const t0 = performance.now();
    const r = fn();
    const ms = performance.now() - t0;
    probe?.end(phase, ops, unit);
    return [r, ms];
  };

  // boot: rump_init, then the file-system module(s) (native links ffs in; we load ffs.kmod + ufs.kmod).
  const host: Host = probe?.wrapHost ? probe.wrapHost(newHost()) : newHost();
  let rump!: Rump;
  const [, bootMs] = time('boot', 1, 'boot', () => {
    const [r, initMs] = time('boot-init', 1, 'boot', () =>
      bootRump({ host, modulePath: target.modulePath }),
    );
    out['boot-init'] = initMs;
    rump = r;
    probe?.attach?.(rump);
    rump.etfsRegister('/fsmod', target.kmod, 'REG');
    rump.sys.modctl(MODCTL.LOAD, { ml_filename: '/fsmod' });
  });
  out.boot = bootMs;
  const { sys } = rump;

  const [, mountMs] = time('mount', 1, 'mount', () => {
    rump.etfsRegister('/fsimg', scratch, 'BLK');
    sys.mkdir('/mnt', 0o755);
    sys.mount(fstype, '/mnt', 0, { fspec: '/fsimg' });
  });
  out.mount = mountMs;

  const buf = new Uint8Array(IO_SIZE);
  const readBig = (phase: Phase) => {
    const [, ms] = time(phase, w.readBytes / IO_SIZE, '64 KiB read', () => {
      const fd = sys.open('/mnt/big', O.RDONLY);
      let chunk = 0;
      for (;;) {
        const n = sys.read(fd, buf);
        if (n === 0) break;
        if (n !== IO_SIZE || chunkStamp(buf) !== chunk)
          throw new BenchmarkFailure(
            phase,
            `chunk ${chunk}: read ${n} bytes starting with ${chunkStamp(buf)}`,
          );
        chunk++;
      }
      sys.close(fd);
      if (chunk * IO_SIZE !== w.readBytes)
        throw new BenchmarkFailure(
          phase,
          `read ${chunk * IO_SIZE} bytes, the file has ${w.readBytes}`,
        );
    });
    out[phase] = w.readBytes / MiB / (ms / 1000);
  };
  readBig('read-cold');
  readBig('read-warm');
  for (let k = 0; k < steady; k++) readBig('read-steady');

  const data = new Uint8Array(IO_SIZE).fill(0x5a);
  const [, writeMs] = time('write-fsync', w.writeBytes / IO_SIZE, '64 KiB write', () => {
    const fd = sys.open('/mnt/written', O.WRONLY | O.CREAT | O.TRUNC, 0o644);
    for (let off = 0; off < w.writeBytes; off += IO_SIZE) {
      if (sys.write(fd, data) !== IO_SIZE)
        throw new BenchmarkFailure('write-fsync', `short write at ${off}`);
    }
    sys.fsync(fd);
    sys.close(fd);
  });
  out['write-fsync'] = w.writeBytes / MiB / (writeMs / 1000);
  if (sys.stat('/mnt/written').size !== BigInt(w.writeBytes))
    throw new BenchmarkFailure('write-fsync', 'file size after write is wrong');

  const names = Array.from({ length: w.smallFiles }, (_, i) => `/mnt/files/${smallFileName(i)}`);
  const statAll = (phase: Phase) => {
    const [, ms] = time(phase, names.length, 'stat', () => {
      for (const p of names) {
        const st = sys.stat(p);
        if (st.size !== BigInt(SMALL_FILE))
          throw new BenchmarkFailure(phase, `${p}: size ${st.size}`);
      }
    });
    out[phase] = names.length / (ms / 1000);
  };
  statAll('stat-cold');
  statAll('stat-warm');
  for (let k = 0; k < steady; k++) statAll('stat-steady');

  const small = new Uint8Array(SMALL_FILE);
  const [, readSmallMs] = time('read-small', names.length, 'file', () => {
    names.forEach((p, i) => {
      const fd = sys.open(p, O.RDONLY);
      const n = sys.read(fd, small);
      sys.close(fd);
      if (n !== SMALL_FILE || new DataView(small.buffer).getUint32(0, true) !== i)
        throw new BenchmarkFailure('read-small', `${p}: read ${n} bytes, wrong content`);
    });
  });
  out['read-small'] = names.length / (readSmallMs / 1000);

  sys.mkdir('/mnt/new', 0o755);
  const created = Array.from({ length: w.createFiles }, (_, i) => `/mnt/new/${smallFileName(i)}`);
  const contents = created.map((_, i) => smallFileContent(i));
  const [, createMs] = time('create', created.length, 'file', () => {
    created.forEach((p, i) => {
      const fd = sys.open(p, O.WRONLY | O.CREAT | O.EXCL, 0o644);
      sys.write(fd, contents[i]!);
      sys.close(fd);
    });
  });
  out.create = created.length / (createMs / 1000);

  const [, unlinkMs] = time('unlink', created.length, 'file', () => {
    for (const p of created) sys.unlink(p);
  });
  out.unlink = created.length / (unlinkMs / 1000);
  if (rump.fs.readdir('/mnt/new').length !== 0)
    throw new BenchmarkFailure('unlink', '/mnt/new is not empty afterwards');

  const [, unmountMs] = time('unmount', 1, 'unmount', () => sys.unmount('/mnt'));
  out.unmount = unmountMs;

  // readdir of the stat directory, after the timed unmount so that no earlier figure changes:
  // mounted again (untimed), the cold pass finds nothing of it cached (stat and read-small had
  // read it); then the warm pass.
  sys.mount(fstype, '/mnt', 0, { fspec: '/fsimg' });
  const dirBuf = new Uint8Array(w.getdentsSize);
  const seen = new Uint8Array(w.smallFiles);
  const readdirAll = (phase: Phase) => {
    seen.fill(0);
    const [, ms] = time(phase, w.smallFiles, 'entry', () => {
      const fd = sys.open('/mnt/files', O.RDONLY | O.DIRECTORY);
      let entries = 0;
      try {
        for (;;) {
          const n = sys.getdents(fd, dirBuf);
          if (n === 0) break;
          entries += tallyDirents(dirBuf, n, seen);
        }
      } catch (e) {
        if (e instanceof DirentError) throw new BenchmarkFailure(phase, `/mnt/files: ${e.message}`);
        throw e;
      }
      sys.close(fd);
      if (entries !== w.smallFiles)
        throw new BenchmarkFailure(
          phase,
          `/mnt/files: ${entries} entries, expected ${w.smallFiles}`,
        );
    });
    out[phase] = w.smallFiles / (ms / 1000);
  };
  readdirAll('readdir-cold');
  readdirAll('readdir-warm');
  sys.unmount('/mnt');
  sys.reboot(0);
  host.shutdown();
  return out;
}
