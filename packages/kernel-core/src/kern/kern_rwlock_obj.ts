/**
 * kern/kern_rwlock_obj.c: reference-counted reader/writer locks. Objects that share a lock (a
 * tmpfs vnode and its anonymous memory object) hold references to one `krwlock_t`; the last
 * rw_obj_free destroys it. Locks allocated elsewhere (a vnode's own vmobjlock) count as one
 * reference until somebody takes another. Allocation is `kmem(sizeof(krwlock_t))` under the
 * owner name `vmobjlock`, the same as uvm_obj_init's, so either side may free the last one.
 */
import type { Kernel } from '../kernel.js';

/** What the lock bookkeeping needs of the kernel (the I/O half passes its narrower view). */
export type RwObjKernel = Pick<Kernel, 'kmem' | 'rwlocks' | 'S'>;

const refs = new WeakMap<RwObjKernel, Map<bigint, number>>();
const table = (k: RwObjKernel) => {
  let m = refs.get(k);
  if (!m) {
    m = new Map();
    refs.set(k, m);
  }
  return m;
};

/** rw_obj_alloc: a new lock with one reference. */
export function rwObjAlloc(k: RwObjKernel): bigint {
  const lock = k.kmem.alloc(k.S.krwlock.$size, 1 /* KM_SLEEP */, true, 'vmobjlock');
  k.rwlocks.init(lock);
  table(k).set(lock, 1);
  return lock;
}

export function rwObjHold(k: RwObjKernel, lock: bigint): void {
  const t = table(k);
  t.set(lock, (t.get(lock) ?? 1) + 1);
}

/** Drops a reference; true when it was the last (the caller destroys and frees the lock). */
export function rwObjRelease(k: RwObjKernel, lock: bigint): boolean {
  const t = table(k);
  const n = t.get(lock) ?? 1;
  if (n <= 1) {
    t.delete(lock);
    return true;
  }
  t.set(lock, n - 1);
  return false;
}

export function rwObjRefcnt(k: RwObjKernel, lock: bigint): number {
  return table(k).get(lock) ?? 1;
}

/** rw_obj_free: drop a reference, destroying the lock with the last one. */
export function rwObjFree(k: RwObjKernel, lock: bigint): boolean {
  if (!rwObjRelease(k, lock)) return false;
  k.rwlocks.destroy(lock);
  k.kmem.free(lock, k.S.krwlock.$size, 'vmobjlock');
  return true;
}

export function registerRwlockObj(k: Kernel): void {
  const t = k.ksyms;
  t.function('rw_obj_alloc', 'rwlock', () => rwObjAlloc(k));
  t.function('rw_obj_hold', 'rwlock', (cpu) => rwObjHold(k, cpu.arg(0)));
  t.function('rw_obj_free', 'rwlock', (cpu) => rwObjFree(k, cpu.arg(0)));
  t.function('rw_obj_refcnt', 'rwlock', (cpu) => rwObjRefcnt(k, cpu.arg(0)));
}
