/**
 * The boot CPU, lwp0 and proc0 (kern_lwp.c, kern_proc.c, x86 cpu.c): objects with NetBSD's
 * layouts in kernel data, filled as NetBSD's static initializers fill them — lwp0 "swapper"
 * (LW_SYSTEM, LSONPROC) on cpu0, proc0 "system" (pid 0, PK_SYSTEM, SACTIVE), both holding
 * root's credential. Modules reach them through x86_curlwp() / x86_curcpu(); GS base points
 * at cpu_info too, as the real kernel keeps it.
 */
import { Reg } from '@rump/cpu-x86';
import type { Kernel } from '../kernel.js';
import { kva } from '../uvm/uvm_km.js';
import { utf8 } from './kdata.js';

const LW_SYSTEM = 0x200;
const LSONPROC = 7;
const SACTIVE = 2;
const PK_SYSTEM = 0x2;
/** Bytes of guest stack for lwp0: kernel entries from TypeScript run on it, nested calls too. */
export const LWP0_STACK_SIZE = 512 * 1024;

export function bootLwp0(k: Kernel): void {
  const { mem, S, kdata, ksyms: t } = k;
  const at = (base: bigint, f: { offset: number }) => base + BigInt(f.offset);

  const ci = kdata.allocate(S.cpu_info.$size, 64);
  t.dataAt('cpu_info_primary', 'cpu', ci, S.cpu_info.$size);
  const cred = kdata.allocate(S.kauth_cred.$size, 64);
  k.kauth.fill(cred, 0, 0);
  mem.write32(at(cred, S.kauth_cred.cr_refcnt), 0x7fffffff); // never freed
  k.kauth.cred0 = cred;

  const p = t.dataAt('proc0', 'proc', kdata.allocate(S.proc.$size, 64), S.proc.$size);
  const l = t.dataAt('lwp0', 'proc', kdata.allocate(S.lwp.$size, 64), S.lwp.$size);

  mem.write64(at(ci, S.cpu_info.ci_self), ci);
  mem.write64(at(ci, S.cpu_info.ci_curlwp), l);
  mem.write64(at(ci, S.cpu_info.ci_onproc), l);
  mem.write64(at(ci, S.cpu_info.ci_cpuid), 0n);
  mem.write(at(ci, S.cpu_info.ci_data) + BigInt(S.cpu_data.cpu_name.offset), utf8('cpu0'));

  mem.write32(at(p, S.proc.p_pid), 0);
  mem.write32(at(p, S.proc.p_nlwps), 1);
  mem.write32(at(p, S.proc.p_flag), PK_SYSTEM);
  mem.write8(at(p, S.proc.p_stat), SACTIVE);
  mem.write64(at(p, S.proc.p_cred), cred);
  mem.write(at(p, S.proc.p_comm), utf8('system'));
  mem.write64(at(p, S.proc.p_vmspace), k.vmspaceKernel);

  mem.write64(at(l, S.lwp.l_cpu), ci);
  mem.write64(at(l, S.lwp.l_proc), p);
  mem.write64(at(l, S.lwp.l_cred), cred);
  mem.write32(at(l, S.lwp.l_flag), LW_SYSTEM);
  mem.write32(at(l, S.lwp.l_stat), LSONPROC);
  mem.write32(at(l, S.lwp.l_lid), 0);
  mem.write32(at(l, S.lwp.l_refcnt), 1);
  mem.write64(at(l, S.lwp.l_name), kdata.string('swapper'));

  // lwp0's kernel stack, from the arena; RSP starts at its top, 16-byte aligned.
  const stack = k.arena.allocate(LWP0_STACK_SIZE, 4096, 'stack lwp0');
  if (stack < 0) throw new Error('boot: no memory for lwp0 stack (RUMP_MEMLIMIT too small)');
  mem.write64(at(l, S.lwp.l_addr), kva(stack));
  k.cpu.setReg(Reg.RSP, kva(stack + LWP0_STACK_SIZE - 16));
  k.cpu.setReg(Reg.RBP, 0n);
  k.cpu.gsBase = ci;

  k.cpuInfo = ci;
  k.lwp0 = l;
  k.proc0 = p;
  k.curlwp = l;

  t.function('x86_curlwp', 'cpu', () => k.curlwp);
  t.function('x86_curcpu', 'cpu', () => k.cpuInfo);
  t.function('cpu_index', 'cpu', (cpu) =>
    mem.read32(cpu.arg(0) + BigInt(S.cpu_data.cpu_index.offset)),
  );
  t.function('cpu_intr_p', 'cpu', () => false);
  t.function('cpu_softintr_p', 'cpu', () => false);
  t.function('curlwp_bind', 'cpu', () => 0);
  t.function('curlwp_bindx', 'cpu', () => undefined);
  const int = (name: string, value: number) =>
    mem.write32(t.dataAt(name, 'cpu', kdata.allocate(4, 4), 4), value);
  int('ncpu', 1);
  int('ncpuonline', 1);
  int('boothowto', k.boothowto);
  k.boothowtoAddr = t.resolve('boothowto')!;
  int('physmem', Math.floor(k.arena.limit / 4096));
}
