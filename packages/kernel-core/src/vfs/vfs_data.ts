/**
 * The VFS's global data that modules import (vnode_if.c, vfs_subr.c, vfs_init.c, vfs_wapbl.c):
 * the vop_*_desc descriptors with NetBSD's offsets and flags, the vnode-type conversion tables,
 * rootvp, desiredvnodes, doforce, bufcache_lock, NSM_FOLLOW_NOEMULROOT, wapbl_ops, uvm.
 * Objects whose contents the VFS layer fills in later (the specfs and fifofs vectors) exist with
 * zeroes and are listed as not implemented until then.
 */

import type { Field, StructMeta } from '../abi/layout.js';
import { VDESC_NO_OFFSET } from '../abi/netbsd-10.99/vdesc-table.js';
import type { Kernel } from '../kernel.js';
import { kva } from '../uvm/uvm_km.js';

const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFBLK = 0o060000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFSOCK = 0o140000;
const S_IFMT = 0o170000;

/** Stores the kernel-window address of window offset `off` (a pointer) at window offset `at`. */
function setKva(dv: DataView, at: number, off: number): void {
  dv.setUint32(at, (0x8000_0000 + off) >>> 0, true);
  dv.setUint32(at + 4, 0xffff_ffff, true);
}

/** Names of the data symbols this file defines. */
export const VFS_DATA_SYMBOLS = new Set<string>();

export function registerVfsData(k: Kernel): void {
  const { mem, kdata, ksyms: t, S } = k;
  const data = (name: string, sub: string, size: number, align = 8, implemented = true) => {
    VFS_DATA_SYMBOLS.add(name);
    return t.dataAt(name, sub, kdata.allocate(size, align), size, implemented);
  };

  // vop_*_desc: struct vnodeop_desc, in descriptor order. Kernel data is always backed, so the
  // ~55 descriptors are written by window offset through the DataView (no BigInt per field).
  const D = S.vnodeop_desc;
  const dv = mem.dv;
  const addr = (off: number) => kva(off);
  const vdescs = k.profile.vdesc;
  for (let index = 0; index < vdescs.length; index++) {
    const d = vdescs[index]!;
    const symbol = d.name === 'default' ? 'vop_default_desc' : `${d.name}_desc`;
    const desc = kdata.allocateOffset(D.$size, 8);
    VFS_DATA_SYMBOLS.add(symbol);
    t.dataAt(symbol, 'vnode_if', addr(desc), D.$size);
    const args = d.args
      ? ((S as unknown as Record<string, StructMeta>)[d.args] as unknown as Record<string, Field>)
      : undefined;
    const off = (member: string | null) => {
      if (!member) return VDESC_NO_OFFSET;
      const f = args?.[member];
      if (!f) throw new Error(`${symbol}: struct ${d.args} has no member ${member}`);
      return f.offset;
    };
    let vpOffsets = 0;
    if (d.vps.length) {
      vpOffsets = kdata.allocateOffset(4 * (d.vps.length + 1), 4);
      for (let i = 0; i < d.vps.length; i++) dv.setInt32(vpOffsets + 4 * i, off(d.vps[i]!), true);
      dv.setInt32(vpOffsets + 4 * d.vps.length, VDESC_NO_OFFSET, true);
    }
    const name = kdata.stringOffset(d.name);
    dv.setInt32(desc + D.vdesc_offset.offset, index, true);
    setKva(dv, desc + D.vdesc_name.offset, name);
    dv.setInt32(desc + D.vdesc_flags.offset, d.flags, true);
    if (vpOffsets) setKva(dv, desc + D.vdesc_vp_offsets.offset, vpOffsets);
    dv.setInt32(desc + D.vdesc_vpp_offset.offset, off(d.vpp), true);
    dv.setInt32(desc + D.vdesc_cred_offset.offset, off(d.cred), true);
    dv.setInt32(desc + D.vdesc_componentname_offset.offset, off(d.cnp), true);
    k.vdescs.push(addr(desc));
  }

  // iftovt_tab[16] (enum vtype by S_IFMT >> 12) and vttoif_tab[9] (S_IF* by vtype).
  const iftovt = [0, 7, 4, 0, 2, 0, 3, 0, 1, 0, 5, 0, 6, 0, 0, 8];
  const a = data('iftovt_tab', 'vfs', 4 * iftovt.length, 4);
  iftovt.forEach((v, i) => {
    mem.write32(a + BigInt(4 * i), v);
  });
  const vttoif = [0, S_IFREG, S_IFDIR, S_IFBLK, S_IFCHR, S_IFLNK, S_IFSOCK, S_IFIFO, S_IFMT];
  const b = data('vttoif_tab', 'vfs', 4 * vttoif.length, 4);
  vttoif.forEach((v, i) => {
    mem.write32(b + BigInt(4 * i), v);
  });

  data('rootvp', 'vfs', 8);
  // rootvnode: the root of the kernel's name space, set when the root file system is mounted.
  data('rootvnode', 'vfs', 8);
  mem.write32(data('desiredvnodes', 'vfs', 4, 4), 2048);
  mem.write32(data('doforce', 'vfs', 4, 4), 1);
  // NSM_FOLLOW_NOEMULROOT: a pointer whose identity namei_simple_* compares against.
  const nsm = kdata.allocate(8);
  mem.write64(data('NSM_FOLLOW_NOEMULROOT', 'vfs', 8), nsm);
  k.mutexes.init(data('bufcache_lock', 'vfs_bio', S.kmutex.$size), 2, 6 /* IPL_VM */);

  // Vectors the specfs/fifofs code fills; NULL until that layer exists.
  data('spec_vnodeop_p', 'specfs', 8, 8, false);
  data('fifo_vnodeop_p', 'specfs', 8, 8, false);
  // root_device: a rump kernel booted without a root device has none.
  data('root_device', 'disk', 8);
  // struct uvm: modules read uvm.pagedaemon_lwp (ffs snapshots compare it with curlwp). A rump
  // kernel has no pagedaemon, so it stays NULL; the page allocator is up from boot on.
  const uvm = data('uvm', 'uvm', S.uvm.$size, 64);
  mem.write8(uvm + BigInt(S.uvm.page_init_done.offset), 1);
  mem.write32(uvm + BigInt(S.uvm.bucketcount.offset), 1);

  // wapbl_ops: the journal's entry points (vfs_wapbl.c).
  const W = S.wapbl_ops;
  const ops = data('wapbl_ops', 'wapbl', W.$size);
  const fns: [keyof typeof W, string][] = [
    ['wo_wapbl_discard', 'wapbl_discard'],
    ['wo_wapbl_replay_isopen', 'wapbl_replay_isopen1'],
    ['wo_wapbl_replay_can_read', 'wapbl_replay_can_read'],
    ['wo_wapbl_replay_read', 'wapbl_replay_read'],
    ['wo_wapbl_add_buf', 'wapbl_add_buf'],
    ['wo_wapbl_remove_buf', 'wapbl_remove_buf'],
    ['wo_wapbl_resize_buf', 'wapbl_resize_buf'],
    ['wo_wapbl_begin', 'wapbl_begin'],
    ['wo_wapbl_end', 'wapbl_end'],
    ['wo_wapbl_junlock_assert', 'wapbl_junlock_assert'],
    ['wo_wapbl_jlock_assert', 'wapbl_jlock_assert'],
    ['wo_wapbl_biodone', 'wapbl_biodone'],
  ];
  for (const [field, fn] of fns) {
    const addr = t.resolve(fn) ?? t.unimplemented(fn, 'wapbl');
    mem.write64(ops + BigInt((W[field] as Field).offset), addr);
  }
}
