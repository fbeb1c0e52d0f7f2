/**
 * Kernel output (subr_prf.c): printf and friends on the console, snprintf into guest buffers,
 * aprint_* honouring boothowto (AB_QUIET / AB_VERBOSE / AB_DEBUG), log (to the console too,
 * since no syslogd reads the log in a rump kernel), uprintf (to the console: a rump kernel's
 * caller is its terminal), and panic / kern_assert, which end the kernel instance.
 */
import type { Kernel } from '../kernel.js';
import { type ArgSource, CallArgs, kformat, readBytes, VaListArgs } from './kprintf.js';

export const AB_QUIET = 0x10000;
export const AB_VERBOSE = 0x20000;
export const AB_SILENT = 0x40000;
export const AB_DEBUG = 0x80000;

export function registerPrf(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const fmtAt = (a: bigint) => readBytes(mem, a);
  const format = (fmt: bigint, args: ArgSource) => kformat(mem, fmtAt(fmt), args);
  const out = (bytes: number[], toConsole = true) => {
    k.console.write(bytes, toConsole);
    return bytes.length;
  };
  const boothowto = () => mem.read32(k.boothowtoAddr);

  t.function('printf', 'prf', (cpu) => out(format(cpu.arg(0), new CallArgs(cpu, 1))));
  t.function('vprintf', 'prf', (cpu) => out(format(cpu.arg(0), new VaListArgs(mem, cpu.arg(1)))));
  t.function('printf_nolog', 'prf', (cpu) => out(format(cpu.arg(0), new CallArgs(cpu, 1))));
  t.function('printf_nostamp', 'prf', (cpu) => out(format(cpu.arg(0), new CallArgs(cpu, 1))));

  const snprintf = (buf: bigint, size: bigint, bytes: number[]) => {
    const n = Number(BigInt.asUintN(63, size));
    if (n > 0) {
      const c = Math.min(bytes.length, n - 1);
      mem.write(buf, Uint8Array.from(bytes.slice(0, c)));
      mem.write8(buf + BigInt(c), 0);
    }
    return bytes.length;
  };
  t.function('snprintf', 'prf', (cpu) =>
    snprintf(cpu.arg(0), cpu.arg(1), format(cpu.arg(2), new CallArgs(cpu, 3))),
  );
  t.function('vsnprintf', 'prf', (cpu) =>
    snprintf(cpu.arg(0), cpu.arg(1), format(cpu.arg(2), new VaListArgs(mem, cpu.arg(3)))),
  );

  // log(level, fmt, ...): there is no syslogd, so NetBSD sends it to the console as well.
  t.function('log', 'prf', (cpu) => out(format(cpu.arg(1), new CallArgs(cpu, 2))));
  t.function('vlog', 'prf', (cpu) => out(format(cpu.arg(1), new VaListArgs(mem, cpu.arg(2)))));
  t.function('uprintf', 'prf', (cpu) => out(format(cpu.arg(0), new CallArgs(cpu, 1))));
  t.function('tablefull', 'prf', (cpu) => {
    const tab = mem.readCString(cpu.arg(0));
    const hint = cpu.arg(1) === 0n ? '' : mem.readCString(cpu.arg(1));
    k.console.print(`WARNING: ${tab} full${hint ? ` - ${hint}` : ''}\n`);
  });

  const normal = () =>
    (boothowto() & (AB_SILENT | AB_QUIET)) === 0 || (boothowto() & AB_VERBOSE) !== 0;
  const aprint: [string, () => boolean][] = [
    ['normal', normal],
    ['error', () => true],
    ['naive', () => (boothowto() & (AB_QUIET | AB_SILENT | AB_VERBOSE)) === AB_QUIET],
    ['verbose', () => (boothowto() & AB_VERBOSE) !== 0],
    ['debug', () => (boothowto() & AB_DEBUG) !== 0],
  ];
  let aprintErrors = 0;
  for (const [kind, toConsole] of aprint) {
    t.function(`aprint_${kind}`, 'prf', (cpu) => {
      if (kind === 'error') aprintErrors++;
      const bytes = format(cpu.arg(0), new CallArgs(cpu, 1));
      // naive and debug messages exist only on the console when enabled; the others are always logged.
      if (toConsole() || (kind !== 'naive' && kind !== 'debug')) out(bytes, toConsole());
    });
  }
  t.function('aprint_get_error_count', 'prf', () => {
    const n = aprintErrors;
    aprintErrors = 0;
    return n;
  });

  const panicWith = (fmt: bigint, args: ArgSource): never => {
    const msg = String.fromCharCode(...format(fmt, args));
    return k.panic(msg);
  };
  t.function('panic', 'prf', (cpu) => panicWith(cpu.arg(0), new CallArgs(cpu, 1)));
  t.function('vpanic', 'prf', (cpu) => panicWith(cpu.arg(0), new VaListArgs(mem, cpu.arg(1))));
  t.function('kern_assert', 'prf', (cpu) => panicWith(cpu.arg(0), new CallArgs(cpu, 1)));

  // kmem_asprintf(fmt, ...): a kmem block holding the formatted string (freed with kmem_strfree).
  t.function('kmem_asprintf', 'kmem', (cpu) => {
    const bytes = format(cpu.arg(0), new CallArgs(cpu, 1));
    const p = k.kmem.alloc(bytes.length + 1, 1, false, 'kmem_asprintf');
    mem.write(p, Uint8Array.from([...bytes, 0]));
    return p;
  });
}
