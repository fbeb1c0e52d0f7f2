/**
 * Time (kern_tc.c, kern_clock.c): the kernel's clocks read the host's. `time__second` and
 * `time__uptime` are variables modules read directly, so they are refreshed from the host clock
 * at each entry into the kernel and whenever a time function runs; `hz` is 100 and
 * `hardclock_ticks` counts ticks of uptime.
 */
import type { Kernel } from '../kernel.js';

export class Clock {
  private readonly bootMono: bigint;
  timeSecond = 0n;
  timeUptime = 0n;
  /** Addresses of the variables in kernel data. */
  timeSecondAddr = 0n;
  timeUptimeAddr = 0n;
  ticksAddr = 0n;

  constructor(private readonly k: Kernel) {
    this.bootMono = k.host.clockGettime('monotonic');
  }

  /** Wall clock, ns since the epoch. */
  wallNs(): bigint {
    return this.k.host.clockGettime('wall');
  }

  /** Uptime in ns (monotonic since boot). */
  uptimeNs(): bigint {
    return this.k.host.clockGettime('monotonic') - this.bootMono;
  }

  /** hardclock tick (10 ms) of the last refresh. */
  private lastTick = -1;

  /**
   * tc_windup: time__second, time__uptime and hardclock_ticks from the host clocks. NetBSD
   * changes them only at clock ticks, so within the tick of the last refresh (every system call
   * enters the kernel) there is nothing to write and the wall clock is not read.
   */
  refresh(force = false): void {
    const m = this.k.mem;
    const up = this.uptimeNs();
    const tick = Math.floor(Number(up) / 10_000_000);
    if (tick === this.lastTick && !force) return;
    this.lastTick = tick;
    this.timeSecond = this.wallNs() / 1_000_000_000n;
    this.timeUptime = up / 1_000_000_000n + 1n; // NetBSD's time_uptime starts at 1
    if (this.timeSecondAddr) m.write64(this.timeSecondAddr, this.timeSecond);
    if (this.timeUptimeAddr) m.write64(this.timeUptimeAddr, this.timeUptime);
    if (this.ticksAddr) m.write32(this.ticksAddr, Number((up * 100n) / 1_000_000_000n) | 0);
  }
}

export function registerTime(k: Kernel): void {
  const { mem, ksyms: t } = k;
  const c = k.clock;
  const data = (name: string, size: number) =>
    t.dataAt(name, 'time', k.kdata.allocate(size, 8), size);
  c.timeSecondAddr = data('time__second', 8);
  c.timeUptimeAddr = data('time__uptime', 8);
  c.ticksAddr = data('hardclock_ticks', 4);
  mem.write32(data('hz', 4), 100);
  mem.write32(data('tick', 4), 10_000);
  c.refresh(true);

  const ts = (addr: bigint, ns: bigint) => {
    mem.write64(addr, ns / 1_000_000_000n);
    mem.write64(addr + 8n, ns % 1_000_000_000n);
  };
  const tv = (addr: bigint, ns: bigint) => {
    mem.write64(addr, ns / 1_000_000_000n);
    mem.write64(addr + 8n, (ns % 1_000_000_000n) / 1000n);
  };
  // struct bintime { time_t sec; uint64_t frac; } with frac in units of 2^-64 s.
  const bt = (addr: bigint, ns: bigint) => {
    mem.write64(addr, ns / 1_000_000_000n);
    mem.write64(addr + 8n, ((ns % 1_000_000_000n) << 64n) / 1_000_000_000n);
  };
  const wall = () => {
    c.refresh();
    return c.wallNs();
  };
  const up = () => {
    c.refresh();
    return c.uptimeNs();
  };
  for (const [name, conv, clock] of [
    ['nanotime', ts, wall],
    ['getnanotime', ts, wall],
    ['microtime', tv, wall],
    ['getmicrotime', tv, wall],
    ['bintime', bt, wall],
    ['getbintime', bt, wall],
    ['nanouptime', ts, up],
    ['getnanouptime', ts, up],
    ['microuptime', tv, up],
    ['getmicrouptime', tv, up],
    ['binuptime', bt, up],
    ['getbinuptime', bt, up],
  ] as const) {
    t.function(name, 'time', (cpu) => conv(cpu.arg(0), clock()));
  }
  t.function('getticks', 'time', () => {
    c.refresh();
    return mem.read32(c.ticksAddr);
  });
  t.function('vfs_timestamp', 'vfs', (cpu) => ts(cpu.arg(0), wall()));
  // tvtohz/mstohz: NetBSD rounds up to whole ticks (hz = 100).
  t.function('mstohz', 'time', (cpu) => {
    const ms = BigInt.asUintN(32, cpu.arg(0));
    return Number((ms * 100n + 999n) / 1000n);
  });
  t.function('hztoms', 'time', (cpu) => Number(BigInt.asUintN(32, cpu.arg(0)) * 10n));
}
