import { formatInstruction } from '@rump/cpu-x86/disasm';
import { describe, expect, it } from 'vitest';
import { bootWith, kmod } from './helpers.js';
import { errno, GuestFault, KernelDead, KernelPanic, ModuleError, modcmdConst } from './imports.js';

describe('modctl with the test modules', () => {
  it('kc_hello loads, reports, unloads with the expected console output', () => {
    const { k, host } = bootWith(['kc_hello']);
    const st = k.modctl('load', { filename: '/kc_hello.kmod' });
    expect(st).toMatchObject({ name: 'kc_hello', source: 'filesys', class: 'misc', refcount: 0 });
    expect(st.address).toBeGreaterThan(0xffffffff80000000n);
    expect(k.enter(() => k.modules.modcmd('kc_hello', modcmdConst.MODULE_CMD_STAT))).toBe(0);
    const before = k.kmem.stats().allocations;
    k.modctl('unload', 'kc_hello');
    expect(k.kmem.stats().allocations).toBeLessThan(before);
    expect(host.consoleText()).toBe(
      'kc_hello: init in pid 0 (system), lwp swapper\n' +
        'kc_hello: buf-007-beef (12 bytes)\n' +
        'kc_hello: fini, freeing buf-007-beef\n',
    );
    expect(k.modctl('stat').map((m) => m.name)).toEqual(['wapbl']);
  });

  it('refuses a second load and an unknown unload with NetBSD errnos', () => {
    const { k } = bootWith(['kc_hello']);
    k.modctl('load', { filename: '/kc_hello.kmod' });
    expect(() => k.modctl('load', { filename: '/kc_hello.kmod' })).toThrow(
      expect.objectContaining({ errno: errno.EEXIST }),
    );
    expect(() => k.modctl('load', { filename: 'kc_hello' })).toThrow(
      expect.objectContaining({ errno: errno.EEXIST }),
    );
    expect(() => k.modctl('unload', 'nope')).toThrow(
      expect.objectContaining({ errno: errno.ENOENT }),
    );
    expect(() => k.modctl('load', { filename: '/missing.kmod' })).toThrow(
      expect.objectContaining({ errno: errno.ENOENT }),
    );
    expect(() => k.modctl('unload', 'wapbl')).toThrow(
      expect.objectContaining({ errno: errno.EBUSY }),
    );
  });

  it('kc_pools exercises pools, caches with ctor/dtor, locks, atomics, sysctl and evcnt', () => {
    const { k, host } = bootWith(['kc_pools']);
    k.modctl('load', { filename: '/kc_pools.kmod' });
    expect(host.consoleText()).toContain('kc_pools: checks passed (0)');
    expect(k.sysctl.read('kern.kc_pools.knob')).toBe(42);
    const knob = k.modules.symbol('kc_pools', 'kc_pools_knob')!;
    k.mem.write32(knob, 7);
    expect(k.sysctl.read('kern.kc_pools.knob')).toBe(7);
    expect(k.evcnt.list()).toEqual([
      expect.objectContaining({ group: 'kc_pools', name: 'checks', count: 13n }),
    ]);
    k.modctl('unload', 'kc_pools');
    // Two objects were constructed; destroying the cache destructs both.
    expect(host.consoleText()).toContain('kc_pools: fini after 2 constructions, 2 destructions');
    expect(k.sysctl.lookup('kern.kc_pools')).toBeUndefined();
    expect(k.evcnt.list()).toEqual([]);
  });

  it('kc_kern calls the C library, copy(9), time, kauth, hash, workqueue, callout, cprng, atomics, spl', () => {
    const { k, host } = bootWith(['kc_kern']);
    k.modctl('load', { filename: '/kc_kern.kmod' });
    expect(host.consoleText()).toContain('kc_kern: checks passed (0)');
    // The work item queued during init ran when the load's kernel entry ended.
    expect(k.mem.read32(k.modules.symbol('kc_kern', 'kc_kern_work_done')!)).toBe(1);
    k.modctl('unload', 'kc_kern');
    expect(host.consoleText()).toContain('kc_kern: work ran 1 time(s)');
  });

  it('loads what a module requires first, counts the reference, and keeps the base busy', () => {
    const { k, host } = bootWith(['kc_req_base', 'kc_req_user']);
    k.etfs.register(
      `${k.modules.moduleBase}/kc_req_base/kc_req_base.kmod`,
      '/host/kc_req_base.kmod',
      'REG',
    );
    const st = k.modctl('load', { filename: '/kc_req_user.kmod' });
    expect(st.required).toEqual(['kc_req_base', 'wapbl']);
    expect(host.consoleText()).toBe('kc_req_base: init\nkc_req_user: init, base says 40\n');
    const stats = k.modctl('stat');
    expect(stats.find((m) => m.name === 'kc_req_base')?.refcount).toBe(1);
    expect(stats.find((m) => m.name === 'wapbl')).toMatchObject({ source: 'builtin', refcount: 1 });
    expect(() => k.modctl('unload', 'kc_req_base')).toThrow(
      expect.objectContaining({ errno: errno.EBUSY }),
    );
    expect(stats.find((m) => m.name === 'kc_req_base')?.flags).toBe(2 /* MODFLG_AUTO_LOADED */);
    expect(k.enter(() => k.modules.autounload())).toEqual([]);
    k.modctl('unload', 'kc_req_user');
    expect(k.enter(() => k.modules.autounload())).toEqual(['kc_req_base']);
    expect(k.modctl('stat').map((m) => m.name)).toEqual(['wapbl']);
    expect(host.consoleText()).toContain('kc_req_base: fini\n');
  });

  it('undoes sysctl nodes and event counters when MODULE_CMD_INIT fails', () => {
    const { k } = bootWith(['kc_initfail']);
    expect(() => k.modctl('load', { filename: '/kc_initfail.kmod' })).toThrow(
      expect.objectContaining({
        errno: errno.EINVAL,
        message: expect.stringContaining('modcmd(CMD_INIT) failed'),
      }),
    );
    expect(k.sysctl.names().filter((n) => n.includes('kc_initfail'))).toEqual([]);
    expect(k.evcnt.list()).toEqual([]);
    expect([...k.arena.usage().keys()].filter((t) => t.includes('kc_initfail'))).toEqual([]);
    expect(k.dead).toBe(false);
  });

  it('refuses a module whose requirement cannot be found, naming it', () => {
    const { k } = bootWith(['kc_req_user']);
    let err: unknown;
    try {
      k.modctl('load', { filename: '/kc_req_user.kmod' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).errno).toBe(errno.ENOENT);
    expect((err as ModuleError).message).toContain("`kc_req_base' required");
    expect(k.modctl('stat').map((m) => m.name)).toEqual(['wapbl']);
  });

  it('finds required modules in the host module path', () => {
    const { k, host } = bootWith(['kc_req_user'], {}, { modulePath: ['/nowhere', '/host'] });
    host.addFile('/host/kc_req_base.kmod', kmod('kc_req_base'));
    k.modctl('load', { filename: '/kc_req_user.kmod' });
    expect(k.modctl('stat').find((m) => m.name === 'kc_req_base')?.file).toBe(
      '/host/kc_req_base.kmod',
    );
  });

  it('refuses to link a module importing symbols the kernel lacks, listing them all', () => {
    const { k } = bootWith(['kc_unresolved']);
    let err: ModuleError | undefined;
    try {
      k.modctl('load', { filename: '/kc_unresolved.kmod' });
    } catch (e) {
      err = e as ModuleError;
    }
    expect(err?.errno).toBe(errno.ENOEXEC);
    expect(err?.missingSymbols).toEqual([
      'kc_no_such_kernel_function',
      'kc_no_such_kernel_variable',
    ]);
    expect(err?.message).toContain('kc_no_such_kernel_function, kc_no_such_kernel_variable');
    expect(k.dead).toBe(false);
    expect(k.arena.usage().has('module kc_unresolved .text')).toBe(false);
  });

  it('refuses a module built for another version, naming both (EPROGMISMATCH), unless forced', () => {
    const { k, host } = bootWith(['kc_version']);
    expect(() => k.modctl('load', { filename: '/kc_version.kmod' })).toThrow(
      expect.objectContaining({
        errno: errno.EPROGMISMATCH,
        message: expect.stringMatching(
          /NetBSD 10\.99\.11 \(1099001100\).*NetBSD 10\.99\.12 \(1099001200\)/,
        ),
      }),
    );
    k.modctl('load', { filename: '/kc_version.kmod', flags: 1 /* MODCTL_LOAD_FORCE */ });
    expect(host.consoleText()).toContain('forced load, system may be unstable');
  });
});

describe('failure containment', () => {
  it('a guest fault stops that kernel with registers and a symbolized backtrace; others carry on', () => {
    const { k } = bootWith(['kc_fault'], {}, { disassembler: formatInstruction });
    const other = bootWith(['kc_hello']);
    let err: GuestFault | undefined;
    try {
      k.modctl('load', { filename: '/kc_fault.kmod' });
    } catch (e) {
      err = e as GuestFault;
    }
    expect(err).toBeInstanceOf(GuestFault);
    expect(err?.kind).toBe('PageFault');
    expect(err?.registers.rip).toBe(err?.rip);
    const where = err!.backtrace.map((f) => f.where);
    expect(where[0]).toMatch(/^kc_fault\.kmod kc_fault_deref\+0x/);
    expect(where).toContainEqual(expect.stringMatching(/^kc_fault\.kmod kc_fault_walk\+0x/));
    expect(err?.message).toContain('kc_fault_deref');
    // kc_fault_deref is `mov 0x10(%rdi),%eax` with rdi = 0x1000.
    expect(err?.instruction).toMatch(/^mov\s+0x10\(%rdi\),%eax/);
    expect(err?.registers.rdi).toBe(0x1000n);
    expect(err?.message).toContain('mov');
    expect(k.dead).toBe(true);
    expect(() => k.modctl('stat')).toThrow(KernelDead);
    other.k.modctl('load', { filename: '/kc_hello.kmod' });
    expect(other.host.consoleText()).toContain('kc_hello: init');
  });

  it('panic(9) from a module carries the formatted message and the module frames', () => {
    const { k, host } = bootWith(['kc_panic']);
    let err: KernelPanic | undefined;
    try {
      k.modctl('load', { filename: '/kc_panic.kmod' });
    } catch (e) {
      err = e as KernelPanic;
    }
    expect(err).toBeInstanceOf(KernelPanic);
    expect(err?.panicMessage).toBe('kc_panic: deliberate panic 42 (as requested)');
    expect(err?.backtrace[0]?.where).toBe('kernel panic');
    expect(err?.backtrace[1]?.where).toMatch(/^kc_panic\.kmod kc_panic_now\+0x/);
    expect(host.consoleText()).toContain('panic: kc_panic: deliberate panic 42 (as requested)\n');
    expect(() => k.modctl('stat')).toThrow(KernelDead);
  });

  it('a lock that can never be released is a diagnosed deadlock, not a hang', () => {
    const { k } = bootWith(['kc_deadlock']);
    expect(() => k.modctl('load', { filename: '/kc_deadlock.kmod' })).toThrow(
      expect.objectContaining({
        name: 'KernelPanic',
        panicMessage: expect.stringContaining('locking against myself'),
      }),
    );
  });

  it('an exhausted instruction budget stops the kernel', () => {
    const { k } = bootWith(['kc_pools'], {}, { instructionBudget: 50 });
    expect(() => k.modctl('load', { filename: '/kc_pools.kmod' })).toThrow(
      expect.objectContaining({ name: 'GuestFault', kind: 'BudgetExhausted' }),
    );
    expect(k.dead).toBe(true);
  });
});

describe('kernel printf', () => {
  it('formats NetBSD directives from registers, the stack and a va_list', () => {
    const { k, host } = bootWith(['kc_printf']);
    k.modctl('load', { filename: '/kc_printf.kmod' });
    expect(host.consoleText().split('\n')).toEqual([
      'kc_printf: [-42] [   42] [42   ] [00042] [+42] [3000000000] [beef] [0XBEEF] [10] [010]',
      'kc_printf: [-1234567890123] [123456789abcdef] [-5] [77] [-9] [11] [-100000] [-2] [65]',
      'kc_printf: [hello] [abc] [   right] [left    ] [Z] [%] [0xffffffff80001000] [(null)]',
      'kc_printf: [     1] [2     ] [xy] [5<ONE,THREE>]',
      'kc_printf: vsnprintf [va 1 2 3 4 5 6 7 8 9 feed|] snprintf [truncat] 11',
      '',
    ]);
  });
});

describe('sys_modctl with arguments in guest memory', () => {
  it('loads through a modctl_load_t, stats into an iovec, unloads by name', () => {
    const { k, host } = bootWith(['kc_hello']);
    const L = k.S.modctl_load;
    const ml = k.kmem.alloc(L.$size, 1, true);
    k.mem.write64(ml + BigInt(L.ml_filename.offset), k.kdata.string('/kc_hello.kmod'));
    expect(k.sysModctl(0 /* MODCTL_LOAD */, ml)).toBe(0);
    expect(k.sysModctl(0, ml)).toBe(errno.EEXIST);
    const iov = k.kmem.alloc(16, 1, true);
    const buf = k.kmem.alloc(4096, 1, true);
    k.mem.write64(iov, buf);
    k.mem.write64(iov + 8n, 4096n);
    expect(k.sysModctl(4 /* MODCTL_STAT */, iov)).toBe(0);
    const MS = k.S.modstat;
    expect(k.mem.readCString(buf + BigInt(MS.$size + MS.ms_name.offset))).toBe('kc_hello');
    expect(k.mem.read64(iov + 8n)).toBe(BigInt(2 * MS.$size + 2));
    expect(k.sysModctl(1 /* MODCTL_UNLOAD */, k.kdata.string('kc_hello'))).toBe(0);
    expect(k.sysModctl(1, k.kdata.string('kc_hello'))).toBe(errno.ENOENT);
    expect(host.consoleText()).toContain('kc_hello: fini');
  });
});

describe('module files are looked up in the kernel file system (namei)', () => {
  it('reports the VFS errno for a path that is not a module file', () => {
    const { k } = bootWith([]);
    k.vfs.mkdir('/dir');
    expect(() => k.modctl('load', { filename: '/dir' })).toThrow(
      expect.objectContaining({ errno: errno.EISDIR }),
    );
  });
});
