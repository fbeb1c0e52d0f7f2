/**
 * kern/vfs_cache.c: the name cache. This kernel's cache never holds names: cache_lookup always
 * misses, so file systems scan their directories (correct, and the simplification NetBSD's
 * own design allows — a cache is an optimisation). What the kernel must still keep is the
 * identity cache_enter_id records in vnode_impl (vi_nc_mode/uid/gid), which only the kernel reads.
 */
import type { Kernel } from '../kernel.js';

export class NameCache {
  private readonly o: { mode: bigint; uid: bigint; gid: bigint };
  /** Lookups answered (all misses): for statistics. */
  misses = 0;

  constructor(private readonly k: Kernel) {
    const I = k.S.vnode_impl;
    this.o = {
      mode: BigInt(I.vi_nc_mode.offset),
      uid: BigInt(I.vi_nc_uid.offset),
      gid: BigInt(I.vi_nc_gid.offset),
    };
  }

  /** cache_purge1(vp, name, namelen, flags): nothing is cached, so nothing to drop. */
  purge(_vp: bigint, _flags: number): void {}

  /** cache_purgevfs(mp) */
  purgevfs(_mp: bigint): void {}

  /** cache_enter_id(vp, mode, uid, gid, valid): remembers the owner and mode of a vnode. */
  enterId(vp: bigint, mode: number, uid: number, gid: number, valid: boolean): void {
    const m = this.k.mem;
    if (valid) {
      m.write32(vp + this.o.mode, mode);
      m.write32(vp + this.o.uid, uid);
      m.write32(vp + this.o.gid, gid);
    } else {
      m.write32(vp + this.o.mode, 0xffffffff);
      m.write32(vp + this.o.uid, 0xffffffff);
      m.write32(vp + this.o.gid, 0xffffffff);
    }
  }

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    const u32 = (v: bigint) => Number(v & 0xffffffffn);
    // cache_lookup(dvp, name, namelen, nameiop, cnflags, iswht_ret, vn_ret): a miss.
    t.function('cache_lookup', 'vfs', (cpu) => {
      this.misses++;
      const iswht = cpu.arg(5);
      if (iswht !== 0n) m.write32(iswht, 0);
      const vpp = cpu.arg(6);
      if (vpp !== 0n) m.write64(vpp, 0n);
      return false;
    });
    t.function('cache_lookup_linked', 'vfs', () => false);
    t.function('cache_enter', 'vfs', () => undefined);
    t.function('cache_enter_id', 'vfs', (cpu) =>
      this.enterId(
        cpu.arg(0),
        u32(cpu.arg(1)),
        u32(cpu.arg(2)),
        u32(cpu.arg(3)),
        (cpu.arg(4) & 0xffn) !== 0n,
      ),
    );
    t.function('cache_purge1', 'vfs', (cpu) => this.purge(cpu.arg(0), u32(cpu.arg(3))));
    t.function('cache_purgevfs', 'vfs', (cpu) => this.purgevfs(cpu.arg(0)));
    t.function('namecache_count_pass2', 'vfs', () => undefined);
    t.function('namecache_count_2passes', 'vfs', () => undefined);
  }
}
