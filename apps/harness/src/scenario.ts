/**
 * The scenario runner: a scenario is a sequence of system calls with the result or errno each
 * must give and checks in between, run against a profile's modules and a private copy of an
 * image. Steps are data (so scenarios can come from JSON files) with optional TypeScript checks.
 *
 *   { call: 'open', args: ['/mnt/README', { flags: 'O_RDWR' }], save: 'fd' }
 *   { call: 'pwrite', args: [{ var: 'fd' }, { text: 'new\n' }, 0], expect: 4 }
 *   { call: 'rmdir', args: ['/mnt/full'], errno: 'ENOTEMPTY' }
 *
 * Calls are the rump_sys_* calls of @rump/syscalls (`open`, `read`, `mount` ...) plus the
 * harness's own: `boot` (a fresh kernel, nothing loaded), `etfsRegister(key, 'module:NAME' |
 * 'image', type)`, `modctlLoad(key)`, `mountImage(flags?)`, `readText(path)`, `bufferText(var, n)`.
 */
import { MNT, MODCTL, O, type RumpSys } from '@rump/syscalls';
import {
  IMAGE_HOST_PATH,
  IMAGE_KEY,
  Machine,
  type MachineOptions,
  MOUNT_POINT,
} from './machine.js';
import {
  CheckFailed,
  type DeathReport,
  deathReport,
  errnoOf,
  message,
  type Status,
} from './outcome.js';
import type { FsProfile } from './profile.js';

/** An argument: a plain value, a saved variable, text as bytes, a fresh buffer, or flags by name. */
export type Arg =
  | string
  | number
  | boolean
  | null
  | { readonly var: string }
  | { readonly text: string }
  | { readonly buffer: number; readonly save?: string }
  | { readonly flags: string };

export interface Step {
  readonly call: string;
  readonly args?: readonly Arg[];
  /** The result must equal this (bigints compare with numbers by value). */
  readonly expect?: unknown;
  /** The call must fail with this errno name. */
  readonly errno?: string;
  /** Keep the result as a variable. */
  readonly save?: string;
  /** Show the result in the report (the classic scenario prints the README). */
  readonly print?: boolean;
  /** More checks on the result, in TypeScript. */
  readonly check?: (result: unknown, ctx: ScenarioContext) => void;
  /** What the report calls the step (default: the call with its arguments). */
  readonly title?: string;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly Step[];
  /** Checks on the image after the last step (the clean flag ...). */
  readonly after?: (image: Uint8Array, ctx: ScenarioContext) => void;
}

export interface ScenarioContext {
  readonly machine: Machine;
  readonly profile: FsProfile;
  readonly vars: Map<string, unknown>;
  readonly sys: RumpSys;
}

export interface StepResult {
  readonly title: string;
  readonly status: Status;
  readonly durationMs: number;
  readonly result?: string;
  readonly errno?: string;
  readonly message?: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly profile: string;
  readonly status: Status;
  readonly durationMs: number;
  readonly steps: readonly StepResult[];
  readonly message?: string;
  readonly death?: DeathReport;
  /** The kernels' console output. */
  readonly console: string;
  /** Lines the scenario printed (`print: true` steps). */
  readonly printed: readonly string[];
}

const FLAG_TABLES: Record<string, Record<string, number>> = { O, MNT };

function parseFlags(spec: string): number {
  let v = 0;
  for (const part of spec.split('|').map((s) => s.trim())) {
    if (part === '' || part === '0') continue;
    // `O_RDWR` is O.RDWR, `MNT_RDONLY` is MNT.RDONLY.
    const sep = part.indexOf('_');
    const value = FLAG_TABLES[part.slice(0, sep)]?.[part.slice(sep + 1)];
    if (sep < 0 || value === undefined) throw new Error(`unknown flag ${part}`);
    v |= value;
  }
  return v;
}

function resolveArg(a: Arg, vars: Map<string, unknown>): unknown {
  if (a === null || typeof a !== 'object') return a;
  if ('var' in a) {
    if (!vars.has(a.var)) throw new Error(`variable ${a.var} is not set`);
    return vars.get(a.var);
  }
  if ('text' in a) return new TextEncoder().encode(a.text);
  if ('flags' in a) return parseFlags(a.flags);
  const b = new Uint8Array(a.buffer);
  if (a.save) vars.set(a.save, b);
  return b;
}

function showValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(v);
  }
}

function same(got: unknown, want: unknown): boolean {
  if (typeof got === 'bigint' || typeof want === 'bigint') {
    try {
      return BigInt(got as number) === BigInt(want as number);
    } catch {
      return false;
    }
  }
  return showValue(got) === showValue(want);
}

function stepTitle(s: Step): string {
  if (s.title) return s.title;
  const args = (s.args ?? []).map((a) =>
    a !== null && typeof a === 'object'
      ? 'var' in a
        ? a.var
        : 'text' in a
          ? JSON.stringify(a.text)
          : 'flags' in a
            ? a.flags
            : `buf[${a.buffer}]`
      : JSON.stringify(a),
  );
  return `${s.call}(${args.join(', ')})`;
}

/** The harness's own calls; everything else is a method of RumpSys. */
function harnessCall(
  ctx: ScenarioContext,
  call: string,
  args: unknown[],
): { value: unknown } | undefined {
  const m = ctx.machine;
  switch (call) {
    case 'boot':
      m.bootBare();
      return { value: undefined };
    case 'etfsRegister': {
      const [key, what, type] = args as [string, string, 'REG' | 'BLK' | 'CHR'];
      const hostPath =
        what === 'image' ? IMAGE_HOST_PATH : `/host/${what.replace(/^module:/, '')}.kmod`;
      m.rump.etfsRegister(key, hostPath, type);
      return { value: undefined };
    }
    case 'modctlLoad':
      return { value: m.rump.sys.modctl(MODCTL.LOAD, { ml_filename: args[0] as string }).name };
    case 'mountImage':
      m.rump.sys.mount(ctx.profile.fstype, MOUNT_POINT, (args[0] as number) ?? 0, {
        fspec: IMAGE_KEY,
      });
      return { value: undefined };
    case 'readText':
      return { value: m.rump.fs.readTextFile(args[0] as string) };
    case 'bufferText': {
      const [buf, n] = args as [Uint8Array, number | bigint];
      return { value: new TextDecoder().decode(buf.subarray(0, Number(n))) };
    }
    default:
      return undefined;
  }
}

/** Runs a scenario on a private copy of `image`. Never throws for what the kernel does. */
export function runScenario(
  scenario: Scenario,
  profile: FsProfile,
  image: Uint8Array,
  options: MachineOptions = {},
): ScenarioResult {
  const t0 = performance.now();
  const machine = new Machine(profile, image, options);
  const vars = new Map<string, unknown>();
  const ctx: ScenarioContext = {
    machine,
    profile,
    vars,
    get sys() {
      return machine.rump.sys;
    },
  };
  const steps: StepResult[] = [];
  const printed: string[] = [];
  let status: Status = 'pass';
  let failure: string | undefined;
  let death: DeathReport | undefined;
  for (const step of scenario.steps) {
    const title = stepTitle(step);
    const s0 = performance.now();
    const done = (r: Omit<StepResult, 'title' | 'durationMs'>) =>
      steps.push({ title, durationMs: performance.now() - s0, ...r });
    let value: unknown;
    try {
      const args = (step.args ?? []).map((a) => resolveArg(a, vars));
      const own = harnessCall(ctx, step.call, args);
      if (own) value = own.value;
      else {
        const fn = (machine.rump.sys as unknown as Record<string, unknown>)[step.call];
        if (typeof fn !== 'function') throw new Error(`unknown call ${step.call}`);
        value = (fn as (...a: unknown[]) => unknown).apply(machine.rump.sys, args);
      }
    } catch (e) {
      const errno = errnoOf(e);
      if (errno && step.errno === errno) {
        done({ status: 'pass', errno });
        continue;
      }
      death = deathReport(e);
      status = death ? 'panic' : 'fail';
      failure = errno
        ? `${title}: expected ${step.errno ? step.errno : 'success'}, got ${errno}`
        : `${title}: ${message(e)}`;
      done({ status, ...(errno ? { errno } : {}), message: failure });
      break;
    }
    try {
      if (step.errno)
        throw new CheckFailed(`${title}: expected ${step.errno}, got ${showValue(value)}`);
      if ('expect' in step && !same(value, step.expect))
        throw new CheckFailed(
          `${title}: expected ${showValue(step.expect)}, got ${showValue(value)}`,
        );
      step.check?.(value, ctx);
    } catch (e) {
      status = 'fail';
      failure = message(e);
      done({ status, result: showValue(value), message: failure });
      break;
    }
    if (step.save) vars.set(step.save, value);
    if (step.print) printed.push(typeof value === 'string' ? value : showValue(value));
    done({ status: 'pass', result: showValue(value) });
  }
  if (status === 'pass' && scenario.after) {
    try {
      machine.reboot();
      scenario.after(machine.image(), ctx);
    } catch (e) {
      status = 'fail';
      failure = `after the last step: ${message(e)}`;
    }
  }
  return {
    name: scenario.name,
    profile: profile.name,
    status,
    durationMs: performance.now() - t0,
    steps,
    ...(failure ? { message: failure } : {}),
    ...(death ? { death } : {}),
    console: machine.console(),
    printed,
  };
}
