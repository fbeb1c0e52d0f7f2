/**
 * --trace: system calls, vnode operations and hypercalls as they happen, one line each, in the
 * vocabulary of NetBSD's kdump: `CALL open("/mnt/a", 0x0, 0644)` when a call starts, `RET open 3`
 * (or `RET open -1 ENOENT`) when it returns, and between them each VOP_* the kernel made through
 * its vnode_if wrappers (kernel-core's `vfs.vop.trace`), indented by nesting depth, and each call
 * to the host (`HYP  bio(#2, read, off=8192, len=4096) = 4096`, trace-host.ts), indented while a
 * system call runs. `startTrace` sets all three up on one session.
 */

import type { Host } from '@rump/hypercall';
import { netbsdErrnoName } from '@rump/hypercall';
import type { Kernel } from '@rump/kernel-core';
import { MountArgs, type RumpSys, SyscallError } from '@rump/syscalls';
import { traceHost } from './trace-host.js';

export type TraceSink = (line: string) => void;

/** Calls that are not system calls (bookkeeping of the syscall layer). */
const NOT_TRACED = new Set(['descriptors', 'constructor']);

function formatArg(a: unknown): string {
  if (typeof a === 'string') return JSON.stringify(a);
  if (typeof a === 'bigint') return a.toString();
  if (typeof a === 'number') return Number.isInteger(a) && a > 7 ? `0x${a.toString(16)}` : `${a}`;
  if (a instanceof Uint8Array) return `<${a.length} bytes>`;
  if (a instanceof MountArgs) return formatMountArgs(a);
  if (a === undefined) return 'undefined';
  if (Array.isArray(a)) return `[${a.map(formatArg).join(', ')}]`;
  if (typeof a === 'object' && a !== null)
    return `{${Object.entries(a)
      .map(([k, v]) => `${k}: ${formatArg(v)}`)
      .join(', ')}}`;
  return String(a);
}

/**
 * A mount(2) args struct: its size, its pointer fields (`@0="/dev/rumpimg"`) and every other
 * non-zero 32-bit word (`@136=0x1ed`), so that the trace shows what the file system is given.
 */
export function formatMountArgs(a: MountArgs): string {
  const dv = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  const pointers = new Set<number>();
  for (const s of a.strings) pointers.add(s.offset).add(s.offset + 4);
  const fields = a.strings.map((s) => ({ at: s.offset, text: JSON.stringify(s.value) }));
  for (let off = 0; off + 4 <= a.bytes.length; off += 4) {
    const w = dv.getUint32(off, true);
    if (w !== 0 && !pointers.has(off)) fields.push({ at: off, text: `0x${w.toString(16)}` });
  }
  fields.sort((x, y) => x.at - y.at);
  return `{${[`${a.bytes.length} bytes`, ...fields.map((f) => `@${f.at}=${f.text}`)].join(', ')}}`;
}

function formatResult(r: unknown): string {
  if (r === undefined) return '0';
  if (typeof r === 'number' || typeof r === 'bigint' || typeof r === 'boolean') return `${r}`;
  if (Array.isArray(r)) return `<${r.length} entries>`;
  return '<struct>';
}

/** Where the tracer is: inside how many system calls (hypercalls are indented inside one). */
interface TraceState {
  depth: number;
}

/** `sys` with every system call traced to `sink` (the object itself is not changed). */
export function traceSyscalls(
  sys: RumpSys,
  sink: TraceSink,
  state: TraceState = { depth: 0 },
): RumpSys {
  return new Proxy(sys, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || NOT_TRACED.has(prop))
        return value;
      return (...args: unknown[]) => {
        sink(`CALL ${prop}(${args.map(formatArg).join(', ')})`);
        state.depth++;
        let r: unknown;
        try {
          r = value.apply(target, args);
        } catch (e) {
          state.depth--;
          sink(
            `RET  ${prop} -1 ${e instanceof SyscallError ? e.code : e instanceof Error ? e.message : String(e)}`,
          );
          throw e;
        }
        state.depth--;
        sink(`RET  ${prop} ${formatResult(r)}`);
        return r;
      };
    },
  });
}

/** Vnode operations of `kernel` traced to `sink`; returns the function that stops it. */
export function traceVnodeOps(kernel: Kernel, sink: TraceSink): () => void {
  const vop = kernel.vfs.vop;
  const before = vop.trace;
  vop.trace = (op, vp, error, depth) => {
    // VOP_ISLOCKED answers a lock state (LK_EXCLUSIVE = 2), every other VOP an errno.
    const result =
      error === 0 || op === 'VOP_ISLOCKED'
        ? `${error}`
        : `${error} ${netbsdErrnoName(error) ?? ''}`.trimEnd();
    sink(`${'  '.repeat(depth + 1)}${op} vp=0x${vp.toString(16)} = ${result}`);
  };
  return () => {
    vop.trace = before;
  };
}

/**
 * A tracer for one session: wrap the host before booting (`host`), then the system calls and
 * vnode operations of the booted kernel (`attach`). Hypercalls made while a system call runs are
 * indented like the vnode operations inside it; those of boot and shutdown are not.
 */
export class SessionTrace {
  private readonly state: TraceState = { depth: 0 };
  constructor(private readonly sink: TraceSink) {}

  /** `inner` with every hypercall traced. */
  host(inner: Host): Host {
    return traceHost(inner, (line) => this.sink(`${this.state.depth > 0 ? '  ' : ''}HYP  ${line}`));
  }

  /** The traced system calls of `sys`; the vnode operations of `kernel` are traced from now on. */
  attach(sys: RumpSys, kernel: Kernel): RumpSys {
    traceVnodeOps(kernel, this.sink);
    return traceSyscalls(sys, this.sink, this.state);
  }
}
