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
