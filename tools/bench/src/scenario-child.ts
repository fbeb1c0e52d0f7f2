/**
 * The classic rump scenario as its own process (bundled by scenario.ts, run with plain node):
 * boot, load the file-system module, mount, read a_directory/README, truncate it, write new text,
 * reboot, exit. Prints one JSON line with the child's peak RSS (VmHWM), its in-process time and
 * where that time went: `startMs` is performance.now() at the first line, i.e. Node's own start-up
 * plus loading and evaluating this bundle (performance.now() counts from the process's time
 * origin), then boot, module load, mount, the file I/O and reboot.
 *
 *   node scenario.mjs '{"kmod":"…/ffs.kmod","modulePath":["…"],"fstype":"ffs","image":"…/img"}'
 */
import { readFileSync } from 'node:fs';
import { NodeHost } from '@rump/hypercall/node';
import { bootRump, MODCTL, O } from '@rump/syscalls';

interface ScenarioArgs {
  readonly kmod: string;
  readonly modulePath: string[];
  readonly fstype: string;
  readonly image: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ScenarioArgs;
const t0 = performance.now();
const host = new NodeHost();
const { sys, etfsRegister } = bootRump({ host, modulePath: args.modulePath });
const tBoot = performance.now();
etfsRegister('/fsmod', args.kmod, 'REG');
sys.modctl(MODCTL.LOAD, { ml_filename: '/fsmod' });
const tLoad = performance.now();
etfsRegister('/fsimg', args.image, 'BLK');
sys.mkdir('/mnt', 0o755);
sys.mount(args.fstype, '/mnt', 0, { fspec: '/fsimg' });
const tMount = performance.now();
const fd = sys.open('/mnt/a_directory/README', O.RDWR);
const buf = new Uint8Array(1024);
const n = sys.read(fd, buf);
if (n <= 0) throw new Error('scenario: README read 0 bytes');
sys.ftruncate(fd, 0);
const text = new TextEncoder().encode('You already read me. Go away.\n');
if (sys.pwrite(fd, text, 0) !== text.length) throw new Error('scenario: short write');
const tIo = performance.now();
if (!sys.reboot(0)) throw new Error('scenario: reboot did not unmount cleanly');
const tEnd = performance.now();
const inProcessMs = tEnd - t0;
const phases = {
  startMs: t0,
  bootMs: tBoot - t0,
  loadMs: tLoad - tBoot,
  mountMs: tMount - tLoad,
  ioMs: tIo - tMount,
  rebootMs: tEnd - tIo,
};
process.stdout.write(
  `${JSON.stringify({ maxRssKiB: peakRssKiB(), inProcessMs, readBytes: n, phases })}\n`,
);

/**
 * Peak RSS of this process image. Linux's getrusage maxrss survives execve, so after a fork from
 * a big parent it reports the parent's size; VmHWM in /proc/self/status belongs to this image only.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    /* not Linux: fall back */
  }
  return process.resourceUsage().maxRSS;
}
process.exit(0);
