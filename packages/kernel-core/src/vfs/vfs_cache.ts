/**
 * kern/vfs_cache.c: the name cache. Entries map (directory vnode, name) to a vnode, or to
 * nothing (a negative entry: the name does not exist). File systems consult it first in their
 * lookup (cache_lookup) and fill it after a directory scan (cache_enter); the protocol that
 * keeps it true is NetBSD's: a DELETE/RENAME lookup of the last component (MAKEENTRY clear)
 * removes the entry, a CREATE lookup drops a negative one, directories and reclaimed vnodes are
 * purged (cache_purge1), and an unmount purges its file system. `enabled = false` makes every
 * lookup miss (always correct, only slower). The identity cache_enter_id records lives in
 * vnode_impl (vi_nc_mode/uid/gid), where only the kernel reads it.
 */
import { namei as N, vtype } from '../abi/netbsd-10.99/constants.js';
import { argKva, argSize, argStack, argU32 } from '../kern/hostcall.js';
import { isKva, type Kva, kvaBig, kvaOf, storeKva } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import type { Vfs } from './vfs.js';

const PURGE_PARENTS = 1;
/**
 * cache_mp_name: the key under which a covered directory's entry names the root of the file
 * system mounted on it (cache_enter_mount). No path component holds a NUL byte.
 */
const MOUNT_NAME = '\u0000';
/** VNOVAL as the u_int vi_nc_mode / vi_nc_uid / vi_nc_gid hold it: no identity cached. */
const NC_NOVAL = -1;
const PURGE_CHILDREN = 2;
/** cache_maxlen: longer names are not cached. */
const NCHNAMLEN_MAX = 255;

export interface NameCacheEntry {
  /** The directory and the named vnode as Kvas (vp 0 for a negative entry). */
  readonly dvp: Kva;
  readonly name: string;
  readonly vp: Kva;
}

export interface NameCacheStats {
  hits: number;
  negativeHits: number;
  misses: number;
  entries: number;
}

export class NameCache {
  enabled = true;
  /** Offset of vi_nc_mode in vnode_impl (vi_nc_uid and vi_nc_gid follow it). */
  private readonly ncMode: number;
  /** Per directory (Kva): name → entry. */
  private readonly dirs = new Map<Kva, Map<string, NameCacheEntry>>();
  /** Per vnode (Kva): the entries naming it (for PURGE_PARENTS). */
  private readonly names = new Map<Kva, Set<NameCacheEntry>>();
  /** Every entry, oldest first (the LRU cache_reclaim trims). */
  private readonly lru = new Set<NameCacheEntry>();
  readonly stats: NameCacheStats = { hits: 0, negativeHits: 0, misses: 0, entries: 0 };
  /** Result vnode of the last lookupK hit (0 for a negative hit). */
  foundVp: Kva = 0;

  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {
    const I = k.S.vnode_impl;
    this.ncMode = I.vi_nc_mode.offset;
    if (I.vi_nc_uid.offset !== this.ncMode + 4 || I.vi_nc_gid.offset !== this.ncMode + 8)
      throw new Error('vnode_impl: vi_nc_mode, vi_nc_uid, vi_nc_gid are not consecutive');
  }

  /** The name at `p` (a Kva) as a Latin-1 key. */
  private nameAt(p: Kva, len: number): string {
    let s = '';
    const u8 = this.k.mem.windowU8();
    const off = p + 0x8000_0000;
    if (Number.isNaN(off) || off + len > u8.length)
      this.k.panic(`namecache: name at ${this.k.describeAddress(kvaBig(p))} is not kernel memory`);
    for (let i = 0; i < len; i++) s += String.fromCharCode(u8[off + i]!);
    return s;
  }

  private remove(e: NameCacheEntry): void {
    const d = this.dirs.get(e.dvp);
    if (d?.get(e.name) === e) {
      d.delete(e.name);
      if (d.size === 0) this.dirs.delete(e.dvp);
    }
    if (e.vp !== 0) {
      const n = this.names.get(e.vp);
      n?.delete(e);
      if (n && n.size === 0) this.names.delete(e.vp);
    }
    this.lru.delete(e);
    this.stats.entries = this.lru.size;
  }

  /** cache_lookup: [hit, vnode (referenced; 0 for a negative hit)]. */
  lookup(
    dvp: bigint,
    name: bigint,
    namelen: number,
    nameiop: number,
    cnflags: number,
  ): [boolean, bigint] {
    const hit = this.lookupK(kvaOf(dvp), kvaOf(name), namelen, nameiop, cnflags);
    return [hit, kvaBig(this.foundVp)];
  }

  /** cache_lookup with Kvas: whether it hit; the vnode (referenced, 0 if negative) in foundVp. */
  lookupK(dvp: Kva, name: Kva, namelen: number, nameiop: number, cnflags: number): boolean {
    this.foundVp = 0;
    if (!this.enabled || namelen > NCHNAMLEN_MAX) {
      this.stats.misses++;
      return false;
    }
    const d = this.dirs.get(dvp);
    const e = d === undefined ? undefined : d.get(this.nameAt(name, namelen));
    if (!e) {
      this.stats.misses++;
      return false;
    }
    if (!(cnflags & N.MAKEENTRY)) {
      // Last component of a delete or rename: the entry is about to become wrong.
      this.remove(e);
      this.stats.misses++;
      return false;
    }
    if (e.vp === 0) {
      if (nameiop === N.CREATE && cnflags & N.ISLASTCN) {
        this.remove(e);
        this.stats.misses++;
        return false;
      }
      this.stats.negativeHits++;
      return true;
    }
    if (this.vfs.vnodes.tryVgetK(e.vp) !== 0) {
      this.stats.misses++;
      return false;
    }
    this.lru.delete(e);
    this.lru.add(e);
    this.stats.hits++;
    this.foundVp = e.vp;
    return true;
  }

  /** cache_enter(dvp, vp, name, namelen, cnflags) */
  enter(dvp: bigint, vp: bigint, name: bigint, namelen: number, cnflags: number): void {
    this.enterK(kvaOf(dvp), kvaOf(vp), kvaOf(name), namelen, cnflags);
  }

  enterK(dvp: Kva, vp: Kva, name: Kva, namelen: number, cnflags: number): void {
    if (!this.enabled || !(cnflags & N.MAKEENTRY) || namelen > NCHNAMLEN_MAX) return;
    this.insert(dvp, this.nameAt(name, namelen), vp);
  }

  private insert(dvp: Kva, key: string, vp: Kva): void {
    let d = this.dirs.get(dvp);
    if (!d) this.dirs.set(dvp, (d = new Map()));
    const old = d.get(key);
    if (old) this.remove(old);
    const e: NameCacheEntry = { dvp, name: key, vp };
    d = this.dirs.get(dvp) ?? new Map();
    this.dirs.set(dvp, d);
    d.set(key, e);
    if (vp !== 0) {
      let n = this.names.get(vp);
      if (!n) this.names.set(vp, (n = new Set()));
      n.add(e);
    }
    this.lru.add(e);
    // cache_reclaim: at most desiredvnodes entries.
    const limit = Math.max(this.vfs.desiredvnodes(), 16);
    for (const x of this.lru) {
      if (this.lru.size <= limit) break;
      this.remove(x);
    }
    this.stats.entries = this.lru.size;
  }

  /** cache_purge1(vp, name, namelen, flags): PURGE_PARENTS 1, PURGE_CHILDREN 2, or one name in vp. */
  purge(vp: bigint, flags: number, name = 0n, namelen = 0): void {
    const v = kvaOf(vp);
    if (flags & PURGE_PARENTS) for (const e of [...(this.names.get(v) ?? [])]) this.remove(e);
    if (flags & PURGE_CHILDREN)
      for (const e of [...(this.dirs.get(v)?.values() ?? [])]) this.remove(e);
    if (name !== 0n) {
      const e = this.dirs.get(v)?.get(this.nameAt(kvaOf(name), namelen));
      if (e) this.remove(e);
    }
  }

  /** cache_purgevfs(mp): every entry of the mount's vnodes. */
  purgevfs(mp: bigint): void {
    const vn = this.vfs.vn;
    const m = kvaOf(mp);
    for (const e of [...this.lru]) {
      if (vn.mountK(e.dvp) === m || (e.vp !== 0 && vn.mountK(e.vp) === m)) this.remove(e);
    }
  }

  /** cache_enter_id(vp, mode, uid, gid, valid): remembers the owner and mode of a vnode. */
  enterId(vp: bigint, mode: number, uid: number, gid: number, valid: boolean): void {
    this.enterIdK(kvaOf(vp), mode, uid, gid, valid);
  }
  enterIdK(vp: Kva, mode: number, uid: number, gid: number, valid: boolean): void {
    // Only directories keep an identity (lookups check search permission on them alone).
    if (this.vfs.vn.typeK(vp) !== vtype.VDIR) return;
    this.setIdK(vp, mode, uid, gid, valid);
  }

  private setIdK(vp: Kva, mode: number, uid: number, gid: number, valid: boolean): void {
    const m = this.k.mem;
    m.store32(vp + this.ncMode, -1, valid ? mode | 0 : NC_NOVAL);
    m.store32(vp + this.ncMode + 4, -1, valid ? uid | 0 : NC_NOVAL);
    m.store32(vp + this.ncMode + 8, -1, valid ? gid | 0 : NC_NOVAL);
  }

  /** cache_vnode_init: a new vnode has no cached identity (vi_nc_mode/uid/gid are VNOVAL). */
  initVnodeK(vp: Kva): void {
    this.setIdK(vp, 0, 0, 0, false);
  }

  /**
   * The identity cache_enter_id recorded for a directory (a Kva), for lookup_fastforward's
   * permission check: the mode (with its type bits) in idMode, owner and group in idUid/idGid.
   * False when there is none (VNOVAL).
   */
  haveIdK(vp: Kva): boolean {
    const m = this.k.mem;
    const mode = m.load32(vp + this.ncMode, -1);
    if (mode === NC_NOVAL) return false;
    this.idMode = mode >>> 0;
    this.idUid = m.load32(vp + this.ncMode + 4, -1) >>> 0;
    this.idGid = m.load32(vp + this.ncMode + 8, -1) >>> 0;
    return true;
  }
  idMode = 0;
  idUid = 0;
  idGid = 0;

  /**
   * The lookup half of cache_lookup_linked (the caller checked search permission): the entry
   * for `name` in dvp, with no side effect but the statistics — no reference taken, nothing
   * removed. undefined on a miss; an entry with vp 0 is a negative hit.
   */
  peekK(dvp: Kva, name: Kva, namelen: number): NameCacheEntry | undefined {
    if (!this.enabled || namelen > NCHNAMLEN_MAX) return undefined;
    const d = this.dirs.get(dvp);
    if (d === undefined) {
      this.stats.misses++;
      return undefined;
    }
    const e = d.get(this.nameAt(name, namelen));
    if (e === undefined) this.stats.misses++;
    else if (e.vp === 0) this.stats.negativeHits++;
    else this.stats.hits++;
    return e;
  }

  /**
   * cache_lookup_mount without the reference: the root of the file system mounted on the
   * covered directory `cvp`, if cache_enter_mount recorded it (0 otherwise).
   */
  mountRootK(cvp: Kva): Kva {
    if (!this.enabled) return 0;
    const e = this.dirs.get(cvp)?.get(MOUNT_NAME);
    return e === undefined ? 0 : e.vp;
  }

  /** cache_enter_mount(cvp, rvp): remembers the root of the file system mounted on cvp. */
  enterMountK(cvp: Kva, rvp: Kva): void {
    if (!this.enabled) return;
    this.insert(cvp, MOUNT_NAME, rvp);
  }

  register(): void {
    const t = this.k.ksyms;
    const m = this.k.mem;
    const u32 = (v: bigint) => Number(v & 0xffffffffn);
    // cache_lookup(dvp, name, namelen, nameiop, cnflags, iswht_ret, vn_ret)
    t.function('cache_lookup', 'vfs', (cpu) => {
      // Every argument but vn_ret (the seventh, on the stack) straight from the registers.
      const iswht = argKva(cpu, 5);
      const vpp = argStack(cpu, 6);
      const hit = this.lookupK(
        argKva(cpu, 0),
        argKva(cpu, 1),
        argSize(cpu, 2),
        argU32(cpu, 3),
        argU32(cpu, 4),
      );
      if (Number.isNaN(iswht)) m.write32(cpu.arg(5), 0);
      else if (iswht !== 0) m.store32(iswht, -1, 0);
      if (vpp !== 0) {
        if (isKva(vpp)) storeKva(m, vpp, this.foundVp);
        else m.write64(BigInt.asUintN(64, BigInt(vpp)), kvaBig(this.foundVp));
      }
      return hit;
    });
    t.function('cache_enter', 'vfs', (cpu) =>
      this.enterK(argKva(cpu, 0), argKva(cpu, 1), argKva(cpu, 2), argSize(cpu, 3), argU32(cpu, 4)),
    );
    t.function('cache_enter_id', 'vfs', (cpu) => {
      const vp = argKva(cpu, 0);
      const valid = (argU32(cpu, 4) & 0xff) !== 0;
      if (Number.isNaN(vp))
        this.enterId(cpu.arg(0), argU32(cpu, 1), argU32(cpu, 2), argU32(cpu, 3), valid);
      else this.enterIdK(vp, argU32(cpu, 1), argU32(cpu, 2), argU32(cpu, 3), valid);
    });
    // cache_purge1(vp, name, namelen, flags)
    t.function('cache_purge1', 'vfs', (cpu) =>
      this.purge(cpu.arg(0), u32(cpu.arg(3)), cpu.arg(1), Number(cpu.arg(2))),
    );
    t.function('cache_purgevfs', 'vfs', (cpu) => this.purgevfs(cpu.arg(0)));
    t.function('namecache_count_pass2', 'vfs', () => undefined);
    t.function('namecache_count_2passes', 'vfs', () => undefined);
  }
}
