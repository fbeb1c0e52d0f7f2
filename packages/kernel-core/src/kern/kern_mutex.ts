/**
 * mutex(9) on one CPU with one running lwp. The owner word (kmutex_t's mtx_owner) holds the
 * owning lwp's address while the mutex is held, 0 when free — what mutex_owned() and a debugger
 * read. Type and IPL live in a side table. Blocking can never end on a single lwp: entering a
 * mutex the current lwp holds panics "locking against myself" (LOCKDEBUG's diagnosis), and one
 * held by another lwp is a diagnosed deadlock, never a hang.
 */
import { ipl, locks } from '../abi/netbsd-10.99/constants.js';
import type { Kernel } from '../kernel.js';
import { windowOffset } from '../uvm/uvm_km.js';
import { argWindow } from './hostcall.js';

interface MutexInfo {
  type: number;
  ipl: number;
}

const hex = (a: bigint) => `0x${a.toString(16)}`;

export class Mutexes {
  readonly info = new Map<bigint, MutexInfo>();
  /** Window offsets of spin mutexes: the fast paths below leave those to the full ones. */
  private readonly spinAt = new Set<number>();
  /** curlwp as int32 halves, recomputed when curlwp changes. */
  private lwp = -1n;
  private lwpLo = 0;
  private lwpHi = 0;

  constructor(private readonly k: Kernel) {}

  init(mtx: bigint, type: number, level: number): void {
    this.k.mem.write64(mtx, 0n);
    // MUTEX_DEFAULT at an IPL above IPL_VM is a spin mutex, as mutex_init decides.
    const spin = type === locks.MUTEX_SPIN || (type !== locks.MUTEX_ADAPTIVE && level > ipl.IPL_VM);
    this.info.set(mtx, { type: spin ? locks.MUTEX_SPIN : locks.MUTEX_ADAPTIVE, ipl: level });
    const o = windowOffset(mtx);
    if (o >= 0) {
      if (spin) this.spinAt.add(o);
      else this.spinAt.delete(o);
    }
  }

  private curlwpHalves(): void {
    const c = this.k.curlwp;
    if (c === this.lwp) return;
    this.lwp = c;
    this.lwpLo = Number(c & 0xffffffffn) | 0;
    this.lwpHi = Number((c >> 32n) & 0xffffffffn) | 0;
  }

  /**
   * mutex_enter of a free adaptive mutex at window offset `o`, on the owner word's int32
   * halves (no BigInt); false when the full path must decide (held, spin, not backed).
   */
  enterFast(o: number): boolean {
    const mem = this.k.mem;
    if (o + 8 > mem.windowSize) return false;
    const dv = mem.dv;
    // A held mutex (the rare case) fails here, before the spin lookup.
    if (dv.getInt32(o, true) !== 0 || dv.getInt32(o + 4, true) !== 0) return false;
    if (this.spinAt.size !== 0 && this.spinAt.has(o)) return false;
    this.curlwpHalves();
    mem.store64((0x8000_0000 + o) | 0, -1, this.lwpLo, this.lwpHi);
    return true;
  }

  /** mutex_exit of an adaptive mutex curlwp holds at window offset `o`; false: full path. */
  exitFast(o: number): boolean {
    const mem = this.k.mem;
    if (o + 8 > mem.windowSize) return false;
    this.curlwpHalves();
    const dv = mem.dv;
    if (dv.getInt32(o, true) !== this.lwpLo || dv.getInt32(o + 4, true) !== this.lwpHi)
      return false;
    if (this.spinAt.size !== 0 && this.spinAt.has(o)) return false;
    mem.store64((0x8000_0000 + o) | 0, -1, 0, 0);
    return true;
  }

  /** mutex_owned at window offset `o` (backed). */
  ownedAt(o: number): boolean {
    this.curlwpHalves();
    const dv = this.k.mem.dv;
    return dv.getInt32(o, true) === this.lwpLo && dv.getInt32(o + 4, true) === this.lwpHi;
  }

  owner(mtx: bigint): bigint {
    return this.k.mem.read64(mtx);
  }

  enter(mtx: bigint, who = 'mutex_enter'): void {
    const cur = this.k.curlwp;
    const owner = this.owner(mtx);
    if (owner === cur) this.k.panic(`${who}: locking against myself: mutex ${this.describe(mtx)}`);
    if (owner !== 0n) {
      this.k.panic(
        `deadlock: ${who}: mutex ${this.describe(mtx)} is held by lwp ${hex(owner)} and no other lwp can run to release it`,
      );
    }
    this.k.mem.write64(mtx, cur);
    const info = this.info.get(mtx);
    if (info !== undefined && info.type === locks.MUTEX_SPIN) this.k.spl.raise(info.ipl, mtx);
  }

  tryEnter(mtx: bigint): boolean {
    if (this.owner(mtx) !== 0n) return false;
    this.enter(mtx, 'mutex_tryenter');
    return true;
  }

  exit(mtx: bigint): void {
    const owner = this.owner(mtx);
    if (owner !== this.k.curlwp) {
      this.k.panic(
        owner === 0n
          ? `mutex_exit: mutex ${this.describe(mtx)} is not held`
          : `mutex_exit: mutex ${this.describe(mtx)} is held by lwp ${hex(owner)}, not by curlwp`,
      );
    }
    this.k.mem.write64(mtx, 0n);
    if (this.info.get(mtx)?.type === locks.MUTEX_SPIN) this.k.spl.restore(mtx);
  }

  owned(mtx: bigint): boolean {
    return this.owner(mtx) === this.k.curlwp;
  }

  destroy(mtx: bigint): void {
    const owner = this.owner(mtx);
    if (owner !== 0n) this.k.panic(`mutex_destroy: mutex ${this.describe(mtx)} is still held`);
    this.info.delete(mtx);
    const o = windowOffset(mtx);
    if (o >= 0) this.spinAt.delete(o);
  }

  describe(mtx: bigint): string {
    return this.k.describeAddress(mtx);
  }
}

export function registerMutex(k: Kernel): void {
  const t = k.ksyms;
  const m = k.mutexes;
  t.function('mutex_init', 'mutex', (cpu) =>
    m.init(cpu.arg(0), Number(cpu.arg(1) & 0xffffffffn), Number(cpu.arg(2) & 0xffn)),
  );
  t.function('mutex_destroy', 'mutex', (cpu) => m.destroy(cpu.arg(0)));
  // The hot three try the window fast paths first (a free adaptive mutex, one curlwp holds).
  t.function('mutex_enter', 'mutex', (cpu) => {
    const o = argWindow(cpu, 0);
    if (o < 0 || !m.enterFast(o)) m.enter(cpu.arg(0));
  });
  t.function('mutex_spin_enter', 'mutex', (cpu) => m.enter(cpu.arg(0), 'mutex_spin_enter'));
  t.function('mutex_exit', 'mutex', (cpu) => {
    const o = argWindow(cpu, 0);
    if (o < 0 || !m.exitFast(o)) m.exit(cpu.arg(0));
  });
  t.function('mutex_spin_exit', 'mutex', (cpu) => m.exit(cpu.arg(0)));
  t.function('mutex_tryenter', 'mutex', (cpu) => m.tryEnter(cpu.arg(0)));
  t.function('mutex_owned', 'mutex', (cpu) => {
    const o = argWindow(cpu, 0);
    return o >= 0 && o + 8 <= k.mem.windowSize ? m.ownedAt(o) : m.owned(cpu.arg(0));
  });
  t.function('mutex_owner', 'mutex', (cpu) => m.owner(cpu.arg(0)));
  // mutex_obj_*: reference-counted mutexes allocated by the kernel.
  const objRefs = new Map<bigint, number>();
  t.function('mutex_obj_alloc', 'mutex', (cpu) => {
    const mtx = k.kmem.alloc(8, 1, true, 'mutex_obj_alloc');
    m.init(mtx, Number(cpu.arg(0) & 0xffffffffn), Number(cpu.arg(1) & 0xffn));
    objRefs.set(mtx, 1);
    return mtx;
  });
  t.function('mutex_obj_hold', 'mutex', (cpu) => {
    const mtx = cpu.arg(0);
    const n = objRefs.get(mtx);
    if (n === undefined) k.panic(`mutex_obj_hold: ${hex(mtx)} is not a mutex object`);
    objRefs.set(mtx, n + 1);
  });
  t.function('mutex_obj_free', 'mutex', (cpu) => {
    const mtx = cpu.arg(0);
    const n = objRefs.get(mtx);
    if (n === undefined) k.panic(`mutex_obj_free: ${hex(mtx)} is not a mutex object`);
    if (n > 1) {
      objRefs.set(mtx, n - 1);
      return false;
    }
    objRefs.delete(mtx);
    m.destroy(mtx);
    k.kmem.free(mtx, 8, 'mutex_obj_free');
    return true;
  });
}
