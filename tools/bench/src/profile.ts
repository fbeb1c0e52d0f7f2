/**
 * The profile mode: where the time of each measured phase goes, built from outside the packages.
 *
 * - Guest instructions per operation: Cpu.instructionsRetired before/after.
 * - Time split (exclusive, by ModeClock): emulated guest code = inside Cpu.call / Cpu.callNum
 *   (the instance's entries are wrapped); kernel TypeScript called from guest = inside a host function (each is
 *   wrapped as Cpu.prototype.defineHostFunction registers it, so the profiler is installed before
 *   boot); host I/O = inside a Host call (the kernel boots on a counting Host); the rest is the
 *   kernel's TypeScript entry (rump_sys_*, VFS code running outside guest code).
 * - Hottest guest functions: the Cpu's RIP sampler (`sampleInterval` = RUMP_BENCH_SAMPLE guest
 *   instructions, default 20 000; `onSample` gets the block about to run).
 * - Most frequent hypercalls: call counts of each host function, with the guest caller's return
 *   address ([rsp] on entry) counted too.
 *
 * Wrapping costs time, so the figures of a profiled run are not benchmark figures.
 */
import { Cpu, type HostFunction, Reg } from '@rump/cpu-x86';
import type { Host } from '@rump/hypercall';
import type { Kernel } from '@rump/kernel-core';
import type { Rump } from '@rump/syscalls';
import {
  MODE_ENTRY,
  MODE_GUEST,
  MODE_HOST_IO,
  MODE_HYPERCALL,
  MODE_NAMES,
  ModeClock,
  type Tally,
} from './clock.js';
import { countedHost, HostCounters, type HostTally } from './profiled-host.js';
import type { Phase, Probe } from './run.js';

export interface Counted {
  readonly name: string;
  readonly count: number;
  readonly ms: number;
  readonly bytes?: number;
}

export interface PhaseProfile {
  readonly phase: Phase;
  readonly ops: number;
  readonly unit: string;
  readonly wallMs: number;
  /** performance.now() at the phase's start (to find its JavaScript profile samples). */
  readonly startMs: number;
  /** Exclusive ms per mode (MODE_NAMES order). */
  readonly modeMs: number[];
  readonly instructions: number;
  readonly instructionsPerOp: number;
  readonly hypercalls: number;
  readonly hostCalls: number;
  readonly topHypercalls: Counted[];
  readonly topHostCalls: Counted[];
  readonly topGuestFunctions: { name: string; samples: number; share: number }[];
}

export interface ProfileReport {
  readonly sampleEvery: number;
  readonly modes: readonly string[];
  readonly phases: PhaseProfile[];
  readonly hotGuestFunctions: {
    name: string;
    samples: number;
    share: number;
    instructions: number;
  }[];
  readonly hypercallsByCount: Counted[];
  readonly hypercallsByTime: Counted[];
  readonly hypercallCallers: { name: string; count: number }[];
  readonly hostCalls: Counted[];
}

interface Snapshot {
  readonly t: number;
  readonly modes: Float64Array;
  readonly insns: number;
  readonly hyper: Map<string, Tally>;
  readonly host: Map<string, HostTally>;
  readonly samples: Map<bigint, number>;
}

const copyTallies = <T extends Tally>(m: Map<string, T>): Map<string, T> =>
  new Map([...m].map(([k, v]) => [k, { ...v }]));

/** Drops the `+0x…` offset: `ffs.kmod ffs_read+0x4c` → `ffs.kmod ffs_read`. */
export function functionOf(symbol: string): string {
  return symbol.replace(/\+0x[0-9a-f]+$/, '');
}

export class Profiler implements Probe {
  readonly clock = new ModeClock();
  readonly host = new HostCounters(this.clock);
  readonly hyper = new Map<string, Tally>();
  readonly samples = new Map<bigint, number>();
  readonly callers = new Map<bigint, number>();
  readonly phases: PhaseProfile[] = [];
  private kernel: Kernel | undefined;
  private readonly open = new Map<Phase, Snapshot>();
  private readonly originalDefine = Cpu.prototype.defineHostFunction;
  private readonly symbols = new Map<bigint, string>();

  constructor(readonly sampleEvery: number) {
    const self = this;
    const original = this.originalDefine;
    Cpu.prototype.defineHostFunction = function (
      this: Cpu,
      name: string,
      fn: HostFunction,
    ): bigint {
      return original.call(this, name, self.hypercall(name, fn));
    };
  }

  /** Puts Cpu.prototype back and stops the profiled kernel's sampler. */
  uninstall(): void {
    Cpu.prototype.defineHostFunction = this.originalDefine;
    if (this.kernel) {
      this.kernel.cpu.sampleInterval = 0;
      this.kernel.cpu.onSample = null;
    }
  }

  private hypercall(name: string, fn: HostFunction): HostFunction {
    let t = this.hyper.get(name);
    if (!t) this.hyper.set(name, (t = { count: 0, ms: 0 }));
    const tally = t;
    const clock = this.clock;
    const callers = this.callers;
    return (cpu) => {
      tally.count++;
      const ret = cpu.memory.read64(cpu.getReg(Reg.RSP));
      callers.set(ret, (callers.get(ret) ?? 0) + 1);
      clock.push(MODE_HYPERCALL, tally);
      try {
        return fn(cpu);
      } finally {
        clock.pop();
      }
    };
  }

  wrapHost(host: Host): Host {
    return countedHost(host, this.host);
  }

  attach(rump: Rump): void {
    const kernel = rump.kernel;
    this.kernel = kernel;
    const cpu = kernel.cpu;
    const call = Cpu.prototype.call;
    const callNum = Cpu.prototype.callNum;
    const clock = this.clock;
    const samples = this.samples;
    // Guest time: both entries into guest code (the BigInt `call` and the Number `callNum`).
    cpu.call = function (this: Cpu, address: bigint, ...args: (bigint | number)[]): bigint {
      clock.push(MODE_GUEST, null);
      try {
        return call.call(this, address, ...args);
      } finally {
        clock.pop();
      }
    };
    cpu.callNum = function (
      this: Cpu,
      address: number,
      a0?: number,
      a1?: number,
      a2?: number,
      a3?: number,
      a4?: number,
      a5?: number,
    ): number {
      clock.push(MODE_GUEST, null);
      try {
        return callNum.call(this, address, a0, a1, a2, a3, a4, a5);
      } finally {
        clock.pop();
      }
    };
    // Hottest guest functions: the Cpu's own RIP sampler (no exceptions, also inside compiled code).
    cpu.sampleInterval = this.sampleEvery;
    cpu.onSample = (lo, hi) => {
      const at = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      samples.set(at, (samples.get(at) ?? 0) + 1);
    };
  }

  private snapshot(): Snapshot {
    return {
      t: performance.now(),
      modes: this.clock.snapshot(),
      insns: this.kernel?.cpu.instructionsRetired ?? 0,
      hyper: copyTallies(this.hyper),
      host: copyTallies(this.host.byOp),
      samples: new Map(this.samples),
    };
  }

  begin(phase: Phase): void {
    if (phase === 'boot-init') return;
    this.open.set(phase, this.snapshot());
  }

  end(phase: Phase, ops: number, unit: string): void {
    const a = this.open.get(phase);
    if (!a) return;
    this.open.delete(phase);
    const b = this.snapshot();
    const diff = <T extends Tally>(before: Map<string, T>, after: Map<string, T>): Counted[] =>
      [...after]
        .map(([name, v]) => {
          const p = before.get(name);
          const bytes = (v as Partial<HostTally>).bytes;
          return {
            name,
            count: v.count - (p?.count ?? 0),
            ms: v.ms - (p?.ms ?? 0),
            ...(bytes !== undefined
              ? { bytes: bytes - ((p as Partial<HostTally> | undefined)?.bytes ?? 0) }
              : {}),
          };
        })
        .filter((c) => c.count > 0)
        .sort((x, y) => y.count - x.count);
    const hyper = diff(a.hyper, b.hyper);
    const host = diff(a.host, b.host);
    const fnSamples = new Map<string, number>();
    let total = 0;
    for (const [addr, n] of b.samples) {
      const d = n - (a.samples.get(addr) ?? 0);
      if (d <= 0) continue;
      total += d;
      const f = this.sampleSymbol(addr);
      fnSamples.set(f, (fnSamples.get(f) ?? 0) + d);
    }
    const insns = b.insns - a.insns;
    this.phases.push({
      phase,
      ops,
      unit,
      wallMs: b.t - a.t,
      startMs: a.t,
      modeMs: Array.from(b.modes, (v, i) => v - a.modes[i]!),
      instructions: insns,
      instructionsPerOp: insns / ops,
      hypercalls: hyper.reduce((s, c) => s + c.count, 0),
      hostCalls: host.reduce((s, c) => s + c.count, 0),
      topHypercalls: hyper.slice(0, 8),
      topHostCalls: host.slice(0, 5),
      topGuestFunctions: [...fnSamples]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5)
        .map(([name, samples]) => ({ name, samples, share: samples / total })),
    });
  }

  /**
   * A sampled rip: the block about to run — module code, a host-function trap (the guest is about
   * to make that hypercall) or the return-to-host trap (guest code is returning to TypeScript).
   */
  sampleSymbol(addr: bigint): string {
    const cpu = this.kernel?.cpu;
    const host = cpu?.hostFunctionName(addr);
    if (host !== undefined) return `(entering hypercall ${host})`;
    if (cpu?.describe(addr).includes('<return to host>')) return '(returning to TypeScript)';
    return functionOf(this.symbol(addr));
  }

  /** Symbolizes through the kernel (module symbols, kernel functions), cached per address. */
  symbol(addr: bigint): string {
    let s = this.symbols.get(addr);
    if (s === undefined) {
      const k = this.kernel;
      s =
        k?.symbolize(addr) ??
        (k?.cpu.describe(addr).includes('<return to host>')
          ? '<TypeScript calling the host function directly>'
          : `0x${addr.toString(16)}`);
      this.symbols.set(addr, s);
    }
    return s;
  }

  report(): ProfileReport {
    const fn = new Map<string, number>();
    let total = 0;
    for (const [addr, n] of this.samples) {
      total += n;
      const f = this.sampleSymbol(addr);
      fn.set(f, (fn.get(f) ?? 0) + n);
    }
    const callers = new Map<string, number>();
    for (const [addr, n] of this.callers) {
      const f = functionOf(this.symbol(addr));
      callers.set(f, (callers.get(f) ?? 0) + n);
    }
    const hyper = [...this.hyper]
      .filter(([, t]) => t.count > 0)
      .map(([name, t]) => ({ name, count: t.count, ms: t.ms }));
    return {
      sampleEvery: this.sampleEvery,
      modes: MODE_NAMES,
      phases: this.phases,
      hotGuestFunctions: [...fn]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 25)
        .map(([name, samples]) => ({
          name,
          samples,
          share: samples / total,
          instructions: samples * this.sampleEvery,
        })),
      hypercallsByCount: [...hyper].sort((x, y) => y.count - x.count).slice(0, 25),
      hypercallsByTime: [...hyper].sort((x, y) => y.ms - x.ms).slice(0, 25),
      hypercallCallers: [...callers]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 20)
        .map(([name, count]) => ({ name, count })),
      hostCalls: [...this.host.byOp]
        .map(([name, t]) => ({ name, count: t.count, ms: t.ms, bytes: t.bytes }))
        .sort((x, y) => y.ms - x.ms),
    };
  }
}

export { MODE_ENTRY, MODE_GUEST, MODE_HOST_IO, MODE_HYPERCALL };
