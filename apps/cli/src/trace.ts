/**
 * --trace: system calls and vnode operations as they happen, one line each, in the vocabulary of
 * NetBSD's kdump: `CALL open("/mnt/a", 0x0, 0644)` when a call starts, `RET open 3` (or
 * `RET open -1 ENOENT`) when it returns, and between them each VOP_* the kernel made through
 * its vnode_if wrappers (kernel-core's `vfs.vop.trace`), indented by nesting depth.
 */
import { netbsdErrnoName } from '@rump/hypercall';
import type { Kernel } from '@rump/kernel-core';
import { MountArgs, type RumpSys, SyscallError } from '@rump/syscalls';

export type TraceSink = (line: string) => void;

/** Calls that are not system calls (bookkeeping of the syscall layer). */
const NOT_TRACED = new Set(['descriptors', 'constructor']);

function formatArg(a: unknown): string {
  if (typeof a === 'string') return JSON.stringify(a);
  if (typeof a === 'bigint') return a.toString();
  if (typeof a === 'number') return Number.isInteger(a) && a > 7 ? `0x${a.toString(16)}` : `${a}`;
  if (a instanceof Uint8Array) return `<${a.length} bytes>`;
  if (a instanceof MountArgs)
    return `{${[`${a.bytes.length} bytes`, ...a.strings.map((s) => `@${s.offset}=${JSON.stringify(s.value)}`)].join(', ')}}`;
  if (a === undefined) return 'undefined';
  if (Array.isArray(a)) return `[${a.map(formatArg).join(', ')}]`;
  if (typeof a === 'object' && a !== null)
    return `{${Object.entries(a)
      .map(([k, v]) => `${k}: ${formatArg(v)}`)
      .join(', ')}}`;
  return String(a);
}

function formatResult(r: unknown): string {
  if (r === undefined) return '0';
  if (typeof r === 'number' || typeof r === 'bigint' || typeof r === 'boolean') return `${r}`;
  if (Array.isArray(r)) return `<${r.length} entries>`;
  return '<struct>';
}

/** `sys` with every system call traced to `sink` (the object itself is not changed). */
export function traceSyscalls(sys: RumpSys, sink: TraceSink): RumpSys {
  return new Proxy(sys, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || NOT_TRACED.has(prop))
        return value;
      return (...args: unknown[]) => {
        sink(`CALL ${prop}(${args.map(formatArg).join(', ')})`);
        try {
          const r: unknown = value.apply(target, args);
          sink(`RET  ${prop} ${formatResult(r)}`);
          return r;
        } catch (e) {
          sink(
            `RET  ${prop} -1 ${e instanceof SyscallError ? e.code : e instanceof Error ? e.message : String(e)}`,
          );
          throw e;
        }
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
