import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel, NETBSD_FFS_UFS_IMPORTS } from '../src/index.js';

const KMOD = join(__dirname, '..', '..', '..', 'tools', 'test-modules', 'kmod');

describe('boot', () => {
  it('boots in milliseconds with lwp0, proc0 and cpu_info at NetBSD offsets', () => {
    const host = new MemoryHost();
    const k = createKernel({ host });
    expect(k.bootTimeMs).toBeLessThan(500);
    const S = k.S;
    expect(k.mem.read64(k.lwp0 + BigInt(S.lwp.l_proc.offset))).toBe(k.proc0);
    expect(k.mem.read32(k.proc0 + BigInt(S.proc.p_pid.offset))).toBe(0);
    expect(k.mem.readCString(k.proc0 + BigInt(S.proc.p_comm.offset))).toBe('system');
    const cred = k.mem.read64(k.lwp0 + BigInt(S.lwp.l_cred.offset));
    expect(k.mem.read32(cred + BigInt(S.kauth_cred.cr_euid.offset))).toBe(0);
    expect(k.cpu.gsBase).toBe(k.cpuInfo);
    expect(k.mem.read64(k.cpuInfo + BigInt(S.cpu_info.ci_self.offset))).toBe(k.cpuInfo);
    expect(k.mem.read64(k.cpuInfo + BigInt(S.cpu_info.ci_curlwp.offset))).toBe(k.lwp0);
  });

  it('knows every symbol ffs and ufs import', () => {
    const k = createKernel({ host: new MemoryHost() });
    const all = Object.values(NETBSD_FFS_UFS_IMPORTS).flat();
    expect(all.length).toBe(337);
    expect(all.filter((n) => !k.ksyms.has(n))).toEqual([]);
  });

  it('loads and unloads hello', () => {
    const host = new MemoryHost();
    host.addFile('/host/hello.kmod', readFileSync(join(KMOD, 'hello.kmod')));
    const k = createKernel({ host });
    k.etfs.register('/hello.kmod', '/host/hello.kmod', 'REG');
    const st = k.modctl('load', { filename: '/hello.kmod' });
    expect(st.name).toBe('hello');
    k.modctl('unload', 'hello');
    expect(host.consoleText()).toContain('hello: loaded 1 time\n');
    expect(host.consoleText()).toContain('hello: unloading\n');
  });
});

describe('layout helpers and verbose boot', () => {
  it('reads and writes members with their C types', async () => {
    const { readField, writeField } = await import('../src/index.js');
    const k = createKernel({ host: new MemoryHost() });
    const S = k.S;
    expect(readField(k.mem, k.lwp0, S.lwp.l_proc)).toBe(k.proc0);
    expect(readField(k.mem, k.proc0, S.proc.p_pid)).toBe(0);
    writeField(k.mem, k.proc0, S.proc.p_pid, -5);
    expect(readField(k.mem, k.proc0, S.proc.p_pid)).toBe(-5);
    expect(() => readField(k.mem, k.proc0, S.proc.p_comm)).toThrow(/not a scalar/);
  });

  it('prints a NetBSD boot banner with RUMP_VERBOSE and reports module loads', () => {
    const host = new MemoryHost({ params: { RUMP_VERBOSE: '1' } });
    host.addFile('/h.kmod', readFileSync(join(KMOD, 'kc_hello.kmod')));
    const k = createKernel({ host });
    expect(host.consoleText()).toMatch(/^Copyright \(c\) 1996/);
    expect(host.consoleText()).toContain('NetBSD 10.99.12 (RUMP-ROAST)');
    expect(host.consoleText()).toContain('kern.module.path=/stand/amd64/10.99.12/modules');
    k.etfs.register('/h.kmod', '/h.kmod', 'REG');
    k.modctl('load', { filename: '/h.kmod' });
    expect(host.consoleText()).toMatch(/module `kc_hello' loaded at 0xffffffff8[0-9a-f]+\n/);
    expect(createKernel({ host: new MemoryHost() }).dmesg()).toBe('');
  });
});

describe('kernel identity', () => {
  it('answers kern.ostype, kern.osrelease, kern.osrevision and kern.hostname', () => {
    const k = createKernel({ host: new MemoryHost({ params: { RUMP_HOSTNAME: 'testbox' } }) });
    expect(k.sysctl.read('kern.ostype')).toBe('NetBSD');
    expect(k.sysctl.read('kern.osrelease')).toBe('10.99.12');
    expect(k.sysctl.read('kern.osrevision')).toBe(1099001200);
    expect(k.sysctl.read('kern.hostname')).toBe('testbox');
    expect(k.mem.read32(k.ksyms.resolve('hostnamelen')!)).toBe(7);
  });
});

describe('reboot', () => {
  it('halts the kernel: console says so, every later call is refused with KernelHalted', async () => {
    const { KernelHalted } = await import('../src/index.js');
    const host = new MemoryHost();
    const k = createKernel({ host });
    expect(k.reboot(0)).toBe(true);
    expect(host.consoleText()).toContain('syncing disks... done\nrump kernel halted\n');
    expect(() => k.modctl('stat')).toThrow(KernelHalted);
    expect(k.dead).toBe(false);
  });
});
