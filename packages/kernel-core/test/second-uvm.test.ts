/**
 * The memory-side kernel functions tmpfs needs, called through the CPU: vmem(9) arenas,
 * reference-counted rw_obj locks with uvm_obj_setlock, and anonymous memory objects (uao_*)
 * whose pages are zero-filled on first use, survive the page pool's reclaim, and go with
 * PGO_FREE or the last detach.
 */
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { locks } from '../src/abi/netbsd-10.99/constants.js';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import { createKernel, type Kernel } from '../src/index.js';
import { rwObjRefcnt } from '../src/kern/kern_rwlock_obj.js';
import { pg } from '../src/uvm/uvm_page.js';
import { pgo } from '../src/uvm/uvm_vnode.js';

const VM_SLEEP = 1;
const VM_NOSLEEP = 2;
const VM_BESTFIT = 0x2000;

const boot = () => createKernel({ host: new MemoryHost() });
const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  k.callGuest(k.ksyms.resolve(name)!, ...args);

describe('vmem(9)', () => {
  it('allocates the lowest free units, frees and merges, refuses double frees', () => {
    const k = boot();
    const vm = call(k, 'vmem_create', k.kdata.string('test'), 3, 5, 1, 0, 0, 0, 0, VM_SLEEP, 0);
    const out = k.kdata.allocate(8);
    const alloc = (n: number, flags = VM_SLEEP | VM_BESTFIT) => {
      const e = Number(call(k, 'vmem_alloc', vm, n, flags, out));
      return e ? -e : Number(k.mem.read64(out));
    };
    expect([alloc(1), alloc(1), alloc(2)]).toEqual([3, 4, 5]);
    expect(alloc(2, VM_NOSLEEP)).toBe(-errno.ENOMEM); // only 7 is left
    call(k, 'vmem_free', vm, 4, 1);
    expect(alloc(1)).toBe(4);
    call(k, 'vmem_free', vm, 5, 2);
    call(k, 'vmem_free', vm, 4, 1);
    call(k, 'vmem_free', vm, 3, 1);
    expect(alloc(5)).toBe(3); // merged back into one span
    expect(() => call(k, 'vmem_free', vm, 3, 1)).toThrow(/was not allocated/);
  });

  it('panics on VM_SLEEP exhaustion and on destroying an arena in use', () => {
    const k = boot();
    const vm = call(k, 'vmem_create', k.kdata.string('t'), 0, 1, 1, 0, 0, 0, 0, VM_SLEEP, 0);
    const out = k.kdata.allocate(8);
    expect(call(k, 'vmem_alloc', vm, 1, VM_SLEEP, out)).toBe(0n);
    expect(() => call(k, 'vmem_alloc', vm, 1, VM_SLEEP, out)).toThrow(/exhausted/);
    const k2 = boot();
    const vm2 = call(k2, 'vmem_create', k2.kdata.string('t'), 0, 4, 1, 0, 0, 0, 0, VM_SLEEP, 0);
    call(k2, 'vmem_alloc', vm2, 1, VM_SLEEP, k2.kdata.allocate(8));
    expect(() => call(k2, 'vmem_destroy', vm2)).toThrow(/still outstanding/);
  });
});

describe('anonymous memory objects (uvm_aobj)', () => {
  const U = (k: Kernel) => k.S.uvm_object;
  const lockOf = (k: Kernel, o: bigint) => k.mem.read64(o + BigInt(U(k).vmobjlock.offset));
  const pgops = (k: Kernel, o: bigint) => k.mem.read64(o + BigInt(U(k).pgops.offset));
  const slot = (k: Kernel, o: bigint, f: 'pgo_get' | 'pgo_put') =>
    k.mem.read64(pgops(k, o) + BigInt(k.S.uvm_pagerops[f].offset));

  it('pgo_get gives zeroed busy pages, unlocked; data stays through the pool reclaim', () => {
    const k = boot();
    const o = call(k, 'uao_create', 1n << 40n, 0);
    const lock = lockOf(k, o);
    expect(lock).not.toBe(0n);
    const pps = k.kdata.allocate(16);
    const np = k.kdata.allocate(4);
    const get = (off: bigint, n: number, flags: number) => {
      k.mem.write64(pps, 0n);
      k.mem.write64(pps + 8n, 0n);
      k.mem.write32(np, n);
      if (!(flags & pgo.PGO_LOCKED)) k.rwlocks.enter(lock, locks.RW_WRITER);
      return Number(call(k, 'uao_get', o, off, pps, np, 0, 1, 0, flags));
    };
    expect(get(8192n, 2, pgo.PGO_SYNCIO)).toBe(0);
    expect(k.rwlocks.writeHeld(lock)).toBe(false);
    const p0 = k.mem.read64(pps);
    const pages = k.io.pages;
    expect(pages.offset(p0)).toBe(8192n);
    expect(pages.flags(p0) & (pg.PG_BUSY | pg.PG_FAKE | pg.PG_CLEAN)).toBe(pg.PG_BUSY);
    expect([...k.mem.read(pages.frame(p0), 4096)].every((b) => b === 0)).toBe(true);
    k.mem.write(pages.frame(p0), new TextEncoder().encode('kept'));
    k.rwlocks.enter(lock, locks.RW_WRITER);
    pages.unbusy([p0, k.mem.read64(pps + 8n)]);
    expect(pages.reclaim(0)).toBe(0); // anonymous pages have no backing store: never reclaimed
    // PGO_LOCKED: resident unbusy pages only, the lock stays held.
    expect(get(8192n, 1, pgo.PGO_LOCKED)).toBe(0);
    expect(k.mem.read64(pps)).toBe(p0);
    expect(get(0n, 1, pgo.PGO_LOCKED)).toBe(errno.EBUSY);
    expect(new TextDecoder().decode(k.mem.read(pages.frame(p0), 4))).toBe('kept');
    // pgops slots are the same functions.
    expect(slot(k, o, 'pgo_get')).toBe(k.ksyms.resolve('uao_get'));
    // PGO_FREE of the first page leaves the second.
    expect(Number(call(k, 'uao_put', o, 8192n, 12288n, pgo.PGO_FREE))).toBe(0);
    expect(k.rwlocks.writeHeld(lock)).toBe(false);
    expect(pages.npages(o)).toBe(1);
    call(k, 'uao_detach', o);
    expect(pages.npages(o)).toBe(0);
  });

  it('a vnode and an aobj share one lock: uvm_obj_setlock + rw_obj_hold, freed by the last user', () => {
    const k = boot();
    const o = call(k, 'uao_create', 1n << 30n, 0);
    const lock = lockOf(k, o);
    const other = k.kmem.alloc(U(k).$size, 1, true, 'test uobj');
    call(k, 'uvm_obj_setlock', other, 0n); // NULL: a fresh lock of its own
    const own = lockOf(k, other);
    expect(own).not.toBe(0n);
    call(k, 'rw_obj_hold', lock);
    call(k, 'uvm_obj_setlock', other, lock);
    expect(lockOf(k, other)).toBe(lock);
    expect(rwObjRefcnt(k, lock)).toBe(2);
    call(k, 'uao_detach', o); // the aobj goes, the lock stays for the other object
    expect(rwObjRefcnt(k, lock)).toBe(1);
    k.rwlocks.enter(lock, locks.RW_WRITER);
    k.rwlocks.exit(lock);
    expect(call(k, 'rw_obj_free', lock)).toBe(1n);
  });

  it('uvm_availmem and uvmexp describe the memory limit', () => {
    const k = boot();
    const u = k.ksyms.resolve('uvmexp')!;
    expect(k.mem.read32(u)).toBe(4096);
    const avail = Number(call(k, 'uvm_availmem', 1));
    expect(avail).toBeGreaterThan(0);
    expect(avail).toBeLessThanOrEqual(k.mem.read32(u + 12n));
  });
});
