/**
 * More of kern/vfs_vnode.c and kern/vfs_subr.c / vfs_mount.c for file systems beyond ffs:
 * - `vcache_rekey_enter` / `vcache_rekey_exit`: a file system changing a cached vnode's key
 *   (msdosfs keys vnodes by directory entry position, which moves on rename). Enter fails with
 *   EEXIST when the new key is taken and points the vnode's key at the caller's copy of the old
 *   key; exit moves the vnode to the new key.
 * - `vdead_check`: 0 for a live vnode, ENOENT once reclaimed, EBUSY while reclaiming (VDEAD_NOWAIT).
 * - `vtype2dt`: a vnode type as a `struct dirent` d_type.
 * - `vfs_getnewfsid`: a new file system id from the vfs name (makefstype) and a counter, unique
 *   on the mount list, stored in `mnt_stat.f_fsidx` / `f_fsid`.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import { makedev } from '../dev/subr_disk.js';
import { kvaBig, kvaOf } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import { type VcacheKey, VS } from './vfs_vnode.js';

/** vtype (VNON VREG VDIR VBLK VCHR VLNK VSOCK VFIFO VBAD) → DT_* (sys/dirent.h). */
export const VTYPE_TO_DT = [0, 8, 4, 6, 2, 10, 12, 1, 0] as const;
const VDEAD_NOWAIT = 0x1;

/** makefstype(9): the vfs name folded into a number. */
export function makefstype(name: string): bigint {
  let rv = 0n;
  for (const c of Buffer.from(name, 'latin1'))
    rv = BigInt.asIntN(64, (rv << 2n) ^ BigInt((c << 24) >> 24));
  return rv;
}

export function registerVnodeRekey(k: Kernel): void {
  const t = k.ksyms;
  const m = k.mem;
  const I = k.S.vnode_impl;
  const K = k.S.vcache_key;
  const vkKey = BigInt(I.vi_key.offset + K.vk_key.offset);
  const vkLen = BigInt(I.vi_key.offset + K.vk_key_len.offset);
  const cache = () => k.vfs.vnodes;
  /** New keys reserved by vcache_rekey_enter (per mount Kva), until vcache_rekey_exit. */
  const reserved = new Map<number, Set<VcacheKey>>();
  const isReserved = (mp: bigint, key: VcacheKey) => reserved.get(kvaOf(mp))?.has(key) ?? false;

  // (mp, vp, old_key, old_len, new_key, new_len)
  t.function('vcache_rekey_enter', 'vfs', (cpu) => {
    const [mp, vp, oldKey, oldLen, newKey, newLen] = [0, 1, 2, 3, 4, 5].map((i) => cpu.arg(i));
    const c = cache();
    const nh = c.keyOf(newKey!, Number(newLen));
    if (c.lookupKey(kvaOf(mp!), nh) !== 0 || isReserved(mp!, nh)) return errno.EEXIST;
    const oh = c.keyOf(oldKey!, Number(oldLen));
    if (kvaBig(c.lookupKey(kvaOf(mp!), oh)) !== vp)
      k.panic('kernel diagnostic assertion "VIMPL_TO_VNODE(vip) == vp" failed: vcache_rekey_enter');
    if (m.read64(vp! + vkKey) === oldKey)
      k.panic('kernel diagnostic assertion "vip->vi_key.vk_key != old_vcache_key.vk_key" failed');
    let r = reserved.get(kvaOf(mp!));
    if (r === undefined) reserved.set(kvaOf(mp!), (r = new Set()));
    r.add(nh);
    m.write64(vp! + vkKey, oldKey!);
    m.write64(vp! + vkLen, oldLen!);
    return 0;
  });

  t.function('vcache_rekey_exit', 'vfs', (cpu) => {
    const [mp, vp, oldKey, oldLen, newKey, newLen] = [0, 1, 2, 3, 4, 5].map((i) => cpu.arg(i));
    const c = cache();
    const oh = c.keyOf(oldKey!, Number(oldLen));
    const nh = c.keyOf(newKey!, Number(newLen));
    if (kvaBig(c.lookupKey(kvaOf(mp!), oh)) !== vp)
      k.panic('kernel diagnostic assertion "VIMPL_TO_VNODE(vip) == vp" failed: vcache_rekey_exit');
    if (!reserved.get(kvaOf(mp!))?.delete(nh))
      k.panic('kernel diagnostic assertion "new_vip != NULL" failed: vcache_rekey_exit');
    c.setKey(kvaOf(vp!), kvaOf(mp!), nh);
    m.write64(vp! + vkKey, newKey!);
    m.write64(vp! + vkLen, newLen!);
  });

  t.function('vdead_check', 'vfs', (cpu) => {
    const st = k.vfs.vnodes.state(cpu.arg(0));
    const flags = Number(cpu.arg(1) & 0xffffffffn);
    if (st === VS.RECLAIMING) {
      if (!(flags & VDEAD_NOWAIT))
        k.panic('deadlock: vdead_check: vnode is RECLAIMING and no other lwp can finish it');
      return errno.EBUSY;
    }
    return st === VS.RECLAIMED ? errno.ENOENT : 0;
  });

  t.function('vtype2dt', 'vfs', (cpu) => {
    const vt = Number(cpu.arg(0) & 0xffffffffn);
    return VTYPE_TO_DT[vt] ?? k.panic(`vtype2dt: bad vnode type ${vt}`);
  });

  let mntid = 0;
  const fsidx = BigInt(k.S.mount.mnt_stat.offset + k.S.statvfs.f_fsidx.offset);
  const fsid = BigInt(k.S.mount.mnt_stat.offset + k.S.statvfs.f_fsid.offset);
  t.function('vfs_getnewfsid', 'vfs', (cpu) => {
    const mp = cpu.arg(0);
    const ops = m.read64(mp + BigInt(k.S.mount.mnt_op.offset));
    const name = m.readCString(m.read64(ops + BigInt(k.S.vfsops.vfs_name.offset)));
    if (mntid === 0) mntid++;
    const mtype = makefstype(name);
    let v0 = Number(BigInt.asIntN(32, makedev(Number(mtype & 0xffn), mntid & 0xffff)));
    const v1 = Number(BigInt.asIntN(32, mtype));
    mntid = (mntid + 1) & 0xffff;
    for (let i = 0; i < k.vfs.mounts.list.length; i++) {
      const other = k.vfs.mounts.list[i]!;
      if (
        other !== mp &&
        (m.read32(other + fsidx) | 0) === v0 &&
        (m.read32(other + fsidx + 4n) | 0) === v1
      ) {
        v0 = (v0 + 1) | 0;
        mntid = (mntid + 1) & 0xffff;
        i = -1;
      }
    }
    m.write32(mp + fsidx, v0 >>> 0);
    m.write32(mp + fsidx + 4n, v1 >>> 0);
    m.write64(mp + fsid, BigInt.asUintN(64, BigInt(v0)));
  });
}
