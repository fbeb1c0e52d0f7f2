/**
 * The process crash-kill.test.ts kills: mounts a real image file read-write through NodeHost
 * and writes in a loop until SIGKILL. Before every host block write it appends a line
 *   B <seq> <byte offset> <length> <sector hash>,<sector hash>,…
 * to the log, after it `E <seq>`; a file whose data and name were fsync'ed is `F <path> <sha256>`,
 * a removal `U <path>`. Each `B` is also announced on stdout, so the parent can pick the write
 * to kill at. The log needs no fsync: a killed process's completed write(2)s stay in the page cache.
 *
 *   node --conditions=@rump/source --import tsx support-crash-child.ts '<json ChildConfig>'
 */
import { createHash } from 'node:crypto';
import { openSync, writeSync } from 'node:fs';
import type { BioDone, BioRequest, HostBlockDevice, HostBlockDeviceOptions } from '@rump/hypercall';
import { NodeHost } from '@rump/hypercall/node';
import { bootRump, MODCTL, O } from '../src/index.js';

export interface ChildConfig {
  readonly fs: 'tinyfs' | 'ffs';
  readonly image: string;
  readonly log: string;
  readonly seed: number;
  /** tinyfs.kmod or ffs.kmod */
  readonly kmod: string;
  /** the folder holding ufs.kmod (ffs only) */
  readonly modulePath?: string;
}

export const SECTOR = 512;
/** The hash the log keeps per 512-byte sector. */
export const sectorHash = (b: Uint8Array) =>
  createHash('sha1').update(b).digest('hex').slice(0, 16);

/** xorshift32: the child's workload is a function of its seed. */
export function rng(seed: number): () => number {
  let x = (seed >>> 0) * 2654435761 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function main(cfg: ChildConfig): void {
  const log = openSync(cfg.log, 'a');
  const say = (line: string) => writeSync(log, `${line}\n`);
  let seq = 0;

  class LoggingNodeHost extends NodeHost {
    override openBlockDevice(path: string, options: HostBlockDeviceOptions): HostBlockDevice {
      const dev = super.openBlockDevice(path, options);
      const logged = (req: BioRequest, run: () => void) => {
        if (req.op !== 'write') return run();
        const n = ++seq;
        const hashes: string[] = [];
        for (let o = 0; o < req.data.length; o += SECTOR)
          hashes.push(sectorHash(req.data.subarray(o, o + SECTOR)));
        say(`B ${n} ${req.sector * dev.sectorSize} ${req.data.length} ${hashes.join(',')}`);
        writeSync(1, 'B\n');
        run();
        say(`E ${n}`);
      };
      return new Proxy(dev, {
        get(target, prop) {
          if (prop === 'bio')
            return (req: BioRequest) => {
              let r = 0;
              logged(req, () => {
                r = target.bio(req);
              });
              return r;
            };
          if (prop === 'bioAsync')
            return (req: BioRequest, done: BioDone) =>
              logged(req, () => target.bioAsync(req, done));
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    }
  }

  const host = new LoggingNodeHost({ env: false, console: process.stderr });
  const rump = bootRump({
    host,
    ...(cfg.modulePath ? { modulePath: [cfg.modulePath] } : {}),
  });
  const { sys, fs } = rump;
  rump.etfsRegister('/kmod', cfg.kmod, 'REG');
  rump.etfsRegister('/img', cfg.image, 'BLK');
  sys.modctl(MODCTL.LOAD, { ml_filename: '/kmod' });
  sys.mkdir('/mnt', 0o755);
  sys.mount(cfg.fs, '/mnt', 0, { fspec: '/img' });
  for (const d of ['d0', 'd1', 'd2']) fs.mkdir(`/mnt/${d}`, { recursive: true });
  sys.sync();
  say('ready');
  writeSync(1, 'ready\n');

  const r = rng(cfg.seed);
  const bytes = (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
    return b;
  };
  const churn = sys.open('/mnt/churn', O.RDWR | O.CREAT, 0o644);
  for (let i = 0; i < 400; i++) {
    const dir = `/d${i % 3}`;
    const name = `${dir}/f${i}`;
    const data = bytes(1 + ((r() * 40_000) | 0));
    const fd = sys.open(`/mnt${name}`, O.WRONLY | O.CREAT | O.EXCL, 0o644);
    sys.write(fd, data);
    sys.fsync(fd);
    sys.close(fd);
    const dfd = sys.open(`/mnt${dir}`, O.RDONLY);
    sys.fsync(dfd); // the new name, durable as the data is
    sys.close(dfd);
    say(`F ${name} ${createHash('sha256').update(data).digest('hex')}`);
    // Churn nobody fsyncs: odd offsets and sizes, truncation, renames.
    sys.pwrite(churn, bytes(1 + ((r() * 9000) | 0)), (r() * 150_000) | 0);
    if (i % 7 === 3) sys.ftruncate(churn, (r() * 100_000) | 0);
    if (i % 5 === 1) {
      fs.writeFile(`/mnt/tmp${i}`, bytes(3000));
      sys.rename(`/mnt/tmp${i}`, `/mnt${dir}/t${i}`);
    }
    if (i >= 12) {
      const old = `/d${(i - 12) % 3}/f${i - 12}`;
      say(`U ${old}`);
      sys.unlink(`/mnt${old}`);
    }
    if (i % 11 === 10) sys.sync();
  }
  writeSync(1, 'done\n');
  sys.reboot(0);
}

if (process.argv[2]) main(JSON.parse(process.argv[2]) as ChildConfig);
