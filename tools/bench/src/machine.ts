/** Facts about the machine a benchmark ran on, printed with and stored next to the figures. */
import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly memoryMiB: number;
  readonly freeMemoryMiB: number;
  /** 1-minute load average when the benchmark started: other work on the machine skews figures. */
  readonly loadAverage: number;
  readonly makefs: boolean;
  readonly date: string;
  readonly commit?: string;
}

export function machineFacts(repo: string, makefs: boolean): MachineFacts {
  const list = cpus();
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    freeMemoryMiB: Math.round(freemem() / 2 ** 20),
    loadAverage: loadavg()[0] ?? 0,
    makefs,
    date: new Date().toISOString(),
    ...(commit !== undefined ? { commit } : {}),
  };
}
