/**
 * Locks and condition variables (sys/mutex.h, sys/rwlock.h, sys/condvar.h).
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const kmutex = struct('kmutex', 8, {
  u: f(0, 8, 'union <anon>', {
    mtxa_owner: f(0, 8, 'volatile uintptr_t'),
    s: f(0, 4, 'struct <anon>', {
      mtxs_dummy: f(0, 1, 'volatile uint8_t'),
      mtxs_ipl: f(1, 1, 'ipl_cookie_t'),
      mtxs_lock: f(2, 1, '__cpu_simple_lock_t'),
      mtxs_unused: f(3, 1, 'volatile uint8_t'),
    }),
  }),
});

export const krwlock = struct('krwlock', 8, {
  rw_owner: f(0, 8, 'volatile uintptr_t'),
});

export const kcondvar = struct('kcondvar', 16, {
  cv_opaque: f(0, 16, 'void *[2]'),
});
