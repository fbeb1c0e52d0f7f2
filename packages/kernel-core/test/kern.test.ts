/** Kernel functions called the way modules call them: through their addresses, on the CPU. */
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { constants } from '../src/abi/netbsd-10.99/index.js';
import { createKernel, errno, type Kernel, KernelPanic, kformat, ListArgs } from '../src/index.js';

const boot = (params: Record<string, string> = {}) => {
  const host = new MemoryHost({ params, time: 'virtual' });
  return { k: createKernel({ host }), host };
};
const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  k.callGuest(k.ksyms.resolve(name)!, ...args);
const panicOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelPanic) return e.panicMessage;
    throw e;
  }
  throw new Error('no panic');
};

describe('kmem', () => {
  it('allocates aligned, zeroes with kmem_zalloc, reuses freed blocks', () => {
    const { k } = boot();
    const a = call(k, 'kmem_alloc', 24, 1);
    expect(a % 8n).toBe(0n);
    k.mem.fill(a, 24, 0xaa);
    call(k, 'kmem_free', a, 24);
    const z = call(k, 'kmem_zalloc', 24, 1);
    expect(z).toBe(a);
    expect([...k.mem.read(z, 24)].every((b) => b === 0)).toBe(true);
    const big = call(k, 'kmem_alloc', 100_000, 1);
    expect(big % 4096n).toBe(0n);
    call(k, 'kmem_free', big, 100_000);
  });

  it('panics on a free with the wrong size and on a double free, as DIAGNOSTIC NetBSD does', () => {
    const { k } = boot();
    const a = call(k, 'kmem_alloc', 32, 1);
    expect(panicOf(() => call(k, 'kmem_free', a, 16))).toMatch(
      /^kmem_free\(0x[0-9a-f]+, 16\) != allocated size 32; overwrote\?$/,
    );
    const { k: k2 } = boot();
    const b = call(k2, 'kmem_alloc', 32, 1);
    call(k2, 'kmem_free', b, 32);
    expect(panicOf(() => call(k2, 'kmem_free', b, 32))).toContain('double free');
  });

  it('RUMP_MEMLIMIT: KM_NOSLEEP gets NULL, KM_SLEEP panics with the numbers', () => {
    const { k } = boot({ RUMP_MEMLIMIT: '4m' });
    expect(call(k, 'kmem_alloc', 8 * 1024 * 1024, constants.kmflags.KM_NOSLEEP)).toBe(0n);
    expect(
      panicOf(() => call(k, 'kmem_alloc', 8 * 1024 * 1024, constants.kmflags.KM_SLEEP)),
    ).toMatch(/out of memory: RUMP_MEMLIMIT is 4194304 bytes/);
  });

  it('malloc(9) keeps its header and frees by it', () => {
    const { k } = boot();
    const p = call(k, 'kern_malloc', 5000, 2 /* M_ZERO */);
    expect(k.mem.read64(p - 8n)).toBe(5008n);
    const before = k.kmem.stats().allocations;
    call(k, 'kern_free', p);
    expect(k.kmem.stats().allocations).toBe(before - 1);
  });
});

describe('locks', () => {
  it('rw_enter as writer while read-held is a diagnosed deadlock', () => {
    const { k } = boot();
    const rw = call(k, 'kmem_zalloc', 8, 1);
    call(k, 'rw_init', rw);
    call(k, 'rw_enter', rw, constants.locks.RW_READER);
    expect(panicOf(() => call(k, 'rw_enter', rw, constants.locks.RW_WRITER))).toMatch(
      /^deadlock: rw_enter\(.*RW_WRITER\): lock is read-held by 1 reader\(s\)/,
    );
  });

  it('cv_wait that nothing can signal panics; cv_timedwait times out with EWOULDBLOCK', () => {
    const { k } = boot();
    const mtx = call(k, 'kmem_zalloc', 8, 1);
    const cv = call(k, 'kmem_zalloc', 16, 1);
    call(k, 'mutex_init', mtx, 0, 0);
    call(k, 'cv_init', cv, k.kdata.string('kcwait'));
    call(k, 'mutex_enter', mtx);
    expect(Number(call(k, 'cv_timedwait', cv, mtx, 1))).toBe(errno.EAGAIN);
    expect(call(k, 'mutex_owned', mtx)).toBe(1n);
    expect(panicOf(() => call(k, 'cv_wait', cv, mtx))).toMatch(
      /^deadlock: cv_wait\(cv .* "kcwait"\)/,
    );
  });

  it('mutex_exit of a mutex nobody holds panics', () => {
    const { k } = boot();
    const mtx = call(k, 'kmem_zalloc', 8, 1);
    expect(panicOf(() => call(k, 'mutex_exit', mtx))).toContain('is not held');
  });
});

describe('kauth', () => {
  it('allows root, defers to the file system for vnodes of other users', () => {
    const { k } = boot();
    const root = call(k, 'kauth_cred_get');
    expect(root).toBe(k.kauth.cred0);
    expect(call(k, 'kauth_authorize_system', root, 1, 0, 0, 0, 0)).toBe(0n);
    const user = call(k, 'kauth_cred_alloc');
    k.kauth.fill(user, 1000, 100);
    expect(Number(call(k, 'kauth_authorize_system', user, 1, 0, 0, 0, 0))).toBe(errno.EPERM);
    expect(Number(call(k, 'kauth_authorize_vnode', user, 1, 0, 0, errno.EACCES))).toBe(
      errno.EACCES,
    );
    expect(Number(call(k, 'kauth_authorize_vnode', user, 1, 0, 0, 0))).toBe(0);
    expect(Number(call(k, 'kauth_authorize_vnode', root, 1, 0, 0, errno.EACCES))).toBe(0);
    expect(call(k, 'kauth_cred_geteuid', user)).toBe(1000n);
    call(k, 'kauth_cred_free', user);
  });
});

describe('time, strings, copy', () => {
  it('time__second follows the host clock at kernel entry', () => {
    const { k, host } = boot();
    const t = k.ksyms.resolve('time__second')!;
    const before = k.mem.read64(t);
    host.advanceTime(5_000_000_000n);
    call(k, 'getticks');
    expect(k.mem.read64(t) - before).toBe(5n);
    expect(k.mem.read32(k.ksyms.resolve('hz')!)).toBe(100);
  });

  it('string functions work on guest memory with C semantics', () => {
    const { k } = boot();
    const s = k.kdata.string('hello, world');
    const d = call(k, 'kmem_zalloc', 64, 1);
    expect(call(k, 'strlcpy', d, s, 6)).toBe(12n);
    expect(k.mem.readCString(d)).toBe('hello');
    expect(call(k, 'strlcat', d, k.kdata.string('!!'), 64)).toBe(7n);
    expect(k.mem.readCString(d)).toBe('hello!!');
    expect(BigInt.asIntN(32, call(k, 'strcmp', s, d))).toBe(
      BigInt(','.charCodeAt(0) - '!'.charCodeAt(0)),
    );
    expect(call(k, 'strncmp', s, d, 5)).toBe(0n);
    call(k, 'memmove', d + 1n, d, 5);
    expect(k.mem.readCString(d)).toBe('hhello!');
    expect(call(k, 'skpc', 0x68, 7, d)).toBe(5n);
  });

  it('copyinstr reports ENAMETOOLONG and EFAULT as copy(9) does', () => {
    const { k } = boot();
    const s = k.kdata.string('abcdef');
    const d = call(k, 'kmem_zalloc', 16, 1);
    const done = call(k, 'kmem_zalloc', 8, 1);
    expect(Number(call(k, 'copyinstr', s, d, 4, done))).toBe(errno.ENAMETOOLONG);
    expect(Number(call(k, 'copyinstr', s, d, 16, done))).toBe(0);
    expect(k.mem.read64(done)).toBe(7n);
    expect(Number(call(k, 'copyin', 0x1000n, d, 4))).toBe(errno.EFAULT);
  });
});

describe('kformat', () => {
  const fmt = (f: string, ...args: (bigint | number)[]) => {
    const { k } = boot();
    return String.fromCharCode(
      ...kformat(k.mem, [...Buffer.from(f, 'latin1')], new ListArgs(args)),
    );
  };
  it('formats numbers like kprintf', () => {
    // The kernel's printf reads hh as h (a short), as subr_prf.c does.
    expect(fmt('%d|%5.3d|%-4x|%#o|%hhd|%lu', -7, 5, 0xab, 0, 0x1ff, -1)).toBe(
      '-7|  005|ab  |0|511|18446744073709551615',
    );
    expect(fmt('%qd %jx %zd %td', -3, 255, 9, -2)).toBe('-3 ff 9 -2');
    expect(fmt('%n%c%y', 0, 65)).toBe('Ay');
  });
});

describe('sysctl', () => {
  it('builds nodes with sysctl_createv and tears them down by log', () => {
    const { k } = boot();
    const log = call(k, 'kmem_zalloc', 8, 1);
    const node = call(k, 'kmem_zalloc', 8, 1);
    const val = call(k, 'kmem_zalloc', 4, 1);
    k.mem.write32(val, 5);
    const S = constants.sysctl;
    const name = k.kdata.string('kctest');
    expect(
      call(
        k,
        'sysctl_createv',
        log,
        0,
        0,
        node,
        S.CTLFLAG_READWRITE,
        S.CTLTYPE_INT,
        name,
        0,
        0,
        0,
        val,
        0,
        S.CTL_VFS,
        S.CTL_CREATE,
        S.CTL_EOL,
      ),
    ).toBe(0n);
    expect(k.sysctl.read('vfs.kctest')).toBe(5);
    expect(k.mem.readCString(k.mem.read64(node) + 8n)).toBe('kctest');
    call(k, 'sysctl_teardown', log);
    expect(k.sysctl.lookup('vfs.kctest')).toBeUndefined();
  });
});

describe('nested guest calls', () => {
  it("keep the calling kernel function's arguments readable after the guest returns", () => {
    const host = new MemoryHost();
    const seen: bigint[] = [];
    const k = createKernel({
      host,
      extend: (k) => {
        // A guest-callable function that clobbers every argument register before returning.
        k.ksyms.function('test_clobber', 'test', (cpu) => {
          for (const r of [7, 6, 2, 1, 8, 9]) cpu.setReg(r, 0xdeadn);
        });
        k.ksyms.function('test_outer', 'test', (cpu) => {
          k.callGuest(k.ksyms.resolve('test_clobber')!, 1, 2, 3, 4, 5, 6);
          for (let i = 0; i < 6; i++) seen.push(cpu.arg(i));
        });
      },
    });
    call(k, 'test_outer', 11, 12, 13, 14, 15, 16);
    expect(seen).toEqual([11n, 12n, 13n, 14n, 15n, 16n]);
  });
});

describe('containment of bugs in kernel functions', () => {
  it('a TypeScript error inside a kernel function called by guest code ends the kernel as a panic', () => {
    const k = createKernel({
      host: new MemoryHost(),
      extend: (k) => {
        k.ksyms.function('test_buggy', 'test', () => {
          throw new TypeError('boom');
        });
        k.ksyms.function('test_calls_buggy', 'test', () =>
          k.callGuest(k.ksyms.resolve('test_buggy')!),
        );
      },
    });
    let err: unknown;
    try {
      call(k, 'test_calls_buggy');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelPanic);
    expect((err as KernelPanic).panicMessage).toBe('internal error: boom');
    expect((err as KernelPanic).cause).toBeInstanceOf(TypeError);
    expect(k.dead).toBe(true);
  });
});

describe('errors thrown through guest frames', () => {
  it('leave the stack and callee-saved registers as they were, so the kernel carries on', async () => {
    const { ErrnoError } = await import('../src/index.js');
    const k = createKernel({
      host: new MemoryHost(),
      extend: (k) => {
        k.ksyms.function('test_throws', 'test', (cpu) => {
          cpu.setReg(3 /* RBX */, 0x1234n);
          cpu.setReg(4 /* RSP */, cpu.getReg(4) - 0x100n);
          throw new ErrnoError(5, 'test_throws');
        });
      },
    });
    const rsp = k.cpu.getReg(4);
    const rbx = k.cpu.getReg(3);
    for (let i = 0; i < 3; i++) expect(() => call(k, 'test_throws')).toThrow(ErrnoError);
    expect(k.cpu.getReg(4)).toBe(rsp);
    expect(k.cpu.getReg(3)).toBe(rbx);
    expect(k.dead).toBe(false);
    expect(call(k, 'strlen', k.kdata.string('still fine'))).toBe(10n);
  });
});

describe('memory accounting', () => {
  it('pools obey RUMP_MEMLIMIT: PR_NOWAIT gets NULL; memstat names the owners', () => {
    const k = createKernel({ host: new MemoryHost({ params: { RUMP_MEMLIMIT: '4m' } }) });
    const pp = call(k, 'kmem_zalloc', k.S.pool.$size, 1);
    call(k, 'pool_init', pp, 1024 * 1024, 8, 0, 0, k.kdata.string('bigpl'), 0, 0);
    const got: bigint[] = [];
    for (let i = 0; i < 8; i++) {
      const it = call(k, 'pool_get', pp, 2 /* PR_NOWAIT */);
      if (it === 0n) break;
      got.push(it);
    }
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(4);
    const st = k.memstat();
    expect(st.limit).toBe(4 * 1024 * 1024);
    expect(st.byOwner['pool bigpl']).toBe(got.length * 1024 * 1024);
    expect(st.byOwner['stack lwp0']).toBe(512 * 1024);
    expect(st.inUse).toBeLessThanOrEqual(st.limit);
    for (const it of got) call(k, 'pool_put', pp, it);
    call(k, 'pool_destroy', pp);
    expect(k.memstat().byOwner['pool bigpl']).toBeUndefined();
  });
});

describe('extattr_check_cred', () => {
  it('root may do anything; users need VOP_ACCESS for "user" and privilege for "system"', () => {
    const k = createKernel({ host: new MemoryHost() });
    k.vfs.stat('/');
    const root = k.mem.read64(k.ksyms.resolve('rootvnode')!);
    expect(root).not.toBe(0n);
    const user = call(k, 'kauth_cred_alloc');
    k.kauth.fill(user, 1000, 100);
    const VREAD = 0o400;
    const VWRITE = 0o200;
    expect(call(k, 'extattr_check_cred', root, 1, k.kauth.cred0, VWRITE)).toBe(0n);
    expect(call(k, 'extattr_check_cred', root, 1, user, VREAD)).toBe(0n);
    expect(Number(call(k, 'extattr_check_cred', root, 1, user, VWRITE))).toBe(errno.EACCES);
    expect(Number(call(k, 'extattr_check_cred', root, 2, user, VREAD))).toBe(errno.EPERM);
    expect(Number(call(k, 'extattr_check_cred', root, 3, user, VREAD))).toBe(errno.EPERM);
    expect(call(k, 'extattr_check_cred', root, 2, k.kauth.cred0, VREAD)).toBe(0n);
  });
});
