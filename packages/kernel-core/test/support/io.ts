/**
 * Helpers for the vfs-io tests: a kernel on a MemoryHost holding disk images, and bare bufs
 * built the way drivers see them.
 */
import { MemoryHost } from '@rump/hypercall';
import { expect } from 'vitest';
import { buf as B_ } from '../../src/abi/netbsd-10.99/constants.js';
import { createKernel, type Kernel } from '../../src/index.js';
import { VOP } from '../../src/vfs/vnode_if.js';

/** Bytes where byte i of sector s is (s * 7 + i) & 0xff: every sector recognisable. */
export function patterned(size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = ((i >> 9) * 7 + (i & 511)) & 0xff;
  return b;
}

export function bootIo(
  files: Record<string, Uint8Array> = {},
  readOnly: Record<string, Uint8Array> = {},
) {
  const host = new MemoryHost();
  for (const [p, b] of Object.entries(files)) host.addFile(p, b);
  for (const [p, b] of Object.entries(readOnly)) host.addFile(p, b, { readOnly: true });
  const k: Kernel = createKernel({ host });
  return { k, host };
}

export interface RawBuf {
  bp: bigint;
  data: bigint;
}

/** A getiobuf'd buf with `bcount` bytes of kmem data, for driver-level tests. */
export function rawBuf(
  k: Kernel,
  o: { dev: bigint; blkno: number; bcount: number; read: boolean; async?: boolean },
): RawBuf {
  const S = k.S.buf;
  const m = k.mem;
  const bp = k.io.bufcache.getiobuf(0n);
  const data = k.kmem.alloc(Math.max(o.bcount, 8), 1, true);
  m.write64(bp + BigInt(S.b_dev.offset), o.dev);
  m.write64(bp + BigInt(S.b_blkno.offset), BigInt.asUintN(64, BigInt(o.blkno)));
  m.write32(bp + BigInt(S.b_bcount.offset), o.bcount);
  m.write32(bp + BigInt(S.b_bufsize.offset), o.bcount);
  m.write64(bp + BigInt(S.b_data.offset), data);
  m.write32(bp + BigInt(S.b_flags.offset), (o.read ? B_.B_READ : 0) | (o.async ? B_.B_ASYNC : 0));
  return { bp, data };
}

export function bufField(
  k: Kernel,
  bp: bigint,
  f: 'b_error' | 'b_resid' | 'b_bcount' | 'b_oflags' | 'b_cflags' | 'b_flags',
): number {
  return k.mem.read32(bp + BigInt(k.S.buf[f].offset)) | 0;
}

/**
 * A block-device vnode for buffer-cache tests, standing in for specfs: VOP_STRATEGY sends the
 * buf to the disk driver (b_dev = v_rdev), VOP_BWRITE is vn_bwrite, VOP_FSYNC is vflushbuf,
 * VOP_BMAP is spec_bmap, VOP_GETPAGES/PUTPAGES are genfs's, as NetBSD's spec vector has them.
 */
export function blockVnode(k: Kernel, dev: bigint): bigint {
  const { vop } = k.vfs;
  const V = k.S.vnode;
  const m = k.mem;
  const vector = k.kmem.alloc(8 * 55, 1, true);
  const slot = (name: string, fn: bigint) => m.write64(vector + BigInt(8 * vopIndex(name)), fn);
  const arg = (ap: bigint, n: number) => m.read64(ap + BigInt(n));
  if (!k.ksyms.has('iotest_spec_strategy')) {
    vop.define('iotest_spec_strategy', 'test', (ap) => {
      const vp = arg(ap, 8);
      const bp = arg(ap, 16);
      m.write64(bp + BigInt(k.S.buf.b_dev.offset), rdevOf(k, vp));
      k.io.devsw.bdevStrategy(bp);
      return 0;
    });
    vop.define('iotest_vn_bwrite', 'test', (ap) => k.io.bufcache.bwrite(arg(ap, 16)));
    vop.define('iotest_spec_fsync', 'test', (ap) =>
      k.io.bufcache.vflushbuf(arg(ap, 8), Number(m.read32(ap + 24n))),
    );
    vop.define('iotest_spec_ioctl', 'test', (ap) =>
      k.io.devsw.bdevIoctl(
        rdevOf(k, arg(ap, 8)),
        Number(arg(ap, 16) & 0xffffffffn),
        arg(ap, 24),
        m.read32(ap + 32n),
      ),
    );
    vop.define('iotest_spec_bmap', 'test', (ap) => {
      const [vp, bn, vpp, bnp, runp] = [
        arg(ap, 8),
        arg(ap, 16),
        arg(ap, 24),
        arg(ap, 32),
        arg(ap, 40),
      ];
      if (vpp) m.write64(vpp, vp);
      if (bnp) m.write64(bnp, bn);
      if (runp) m.write32(runp, 127);
      return 0;
    });
  }
  slot('strategy', k.ksyms.resolve('iotest_spec_strategy')!);
  slot('bwrite', k.ksyms.resolve('iotest_vn_bwrite')!);
  slot('fsync', k.ksyms.resolve('iotest_spec_fsync')!);
  slot('ioctl', k.ksyms.resolve('iotest_spec_ioctl')!);
  slot('bmap', k.ksyms.resolve('iotest_spec_bmap')!);
  slot('getpages', k.ksyms.resolve('genfs_getpages')!);
  slot('putpages', k.ksyms.resolve('genfs_putpages')!);
  const vp = k.kmem.alloc(k.S.vnode_impl.$size, 1, true);
  const il = k.kmem.alloc(8, 1, true);
  k.mutexes.init(il, 2, 0);
  m.write64(vp + BigInt(V.v_interlock.offset), il);
  k.io.uvn.objInit(vp);
  m.write32(vp + BigInt(V.v_type.offset), 3 /* VBLK */);
  m.write64(vp + BigInt(V.v_op.offset), vector);
  const sd = k.kmem.alloc(k.S.specdev.$size, 1, true);
  const sn = k.kmem.alloc(k.S.specnode.$size, 1, true);
  m.write64(sn + BigInt(k.S.specnode.sn_dev.offset), sd);
  m.write64(sn + BigInt(k.S.specnode.sn_rdev.offset), dev);
  m.write64(vp + BigInt(V.v_un.offset), sn);
  m.write32(vp + BigInt(V.v_usecount.offset), 1);
  // The mount the device node lives on (the root file system's), with DEV_BSIZE blocks.
  const mp = k.kmem.alloc(k.S.mount.$size, 1, true);
  m.write32(mp + BigInt(k.S.mount.mnt_fs_bshift.offset), 9);
  m.write32(mp + BigInt(k.S.mount.mnt_dev_bshift.offset), 9);
  m.write64(vp + BigInt(V.v_mount.offset), mp);
  return vp;
}

export function rdevOf(k: Kernel, vp: bigint): bigint {
  const sn = k.mem.read64(vp + BigInt(k.S.vnode.v_un.offset));
  return k.mem.read64(sn + BigInt(k.S.specnode.sn_rdev.offset));
}

export function vopIndex(name: string): number {
  const i = VOP[name];
  if (i === undefined) throw new Error(`no vop ${name}`);
  return i;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** Gives vp a genfs node (v_data) with genfs_ops {gop_size, gop_alloc, gop_write, gop_putrange}. */
export function attachGenfsNode(
  k: Kernel,
  vp: bigint,
  ops: { size?: bigint; alloc?: bigint } = {},
): bigint {
  const m = k.mem;
  const O = k.S.genfs_ops;
  const gops = k.kmem.alloc(O.$size, 1, true);
  m.write64(gops + BigInt(O.gop_size.offset), ops.size ?? k.ksyms.resolve('genfs_size')!);
  m.write64(gops + BigInt(O.gop_alloc.offset), ops.alloc ?? 0n);
  m.write64(gops + BigInt(O.gop_write.offset), k.ksyms.resolve('genfs_gop_write')!);
  m.write64(gops + BigInt(O.gop_putrange.offset), k.ksyms.resolve('genfs_gop_putrange')!);
  const node = k.kmem.alloc(64, 1, true);
  m.write64(vp + BigInt(k.S.vnode.v_data.offset), node);
  k.io.genfsNodes.init(vp, gops);
  return node;
}

/**
 * A regular-file vnode with 4 KiB file-system blocks mapped by `map` (logical block → device
 * sector, or -1 for a hole) onto the disk behind devvp: VOP_BMAP answers from the map, as a
 * file system's bmap would. gop_alloc gives a hole the next free disk blocks from `nextFree`.
 */
export function fileVnode(
  k: Kernel,
  devvp: bigint,
  size: number,
  map: Map<number, number>,
  nextFree = { sector: 0 },
) {
  const { vop } = k.vfs;
  const m = k.mem;
  const V = k.S.vnode;
  const vp = blockVnode(k, rdevOf(k, devvp));
  m.write32(vp + BigInt(V.v_type.offset), 1 /* VREG */);
  const mp = m.read64(vp + BigInt(V.v_mount.offset));
  m.write32(mp + BigInt(k.S.mount.mnt_fs_bshift.offset), 12);
  const vector = m.read64(vp + BigInt(V.v_op.offset));
  const name = `iotest_file_bmap_${vp.toString(16)}`;
  const bmap = vop.define(name, 'test', (ap) => {
    const [bn, vpp, bnp, runp] = [
      m.read64(ap + 16n),
      m.read64(ap + 24n),
      m.read64(ap + 32n),
      m.read64(ap + 40n),
    ];
    const sector = map.get(Number(BigInt.asIntN(64, bn)));
    if (vpp) m.write64(vpp, devvp);
    if (bnp)
      m.write64(bnp, sector === undefined || sector < 0 ? BigInt.asUintN(64, -1n) : BigInt(sector));
    if (runp) m.write32(runp, 0);
    return 0;
  });
  m.write64(vector + BigInt(8 * vopIndex('bmap')), bmap);
  const alloc = k.ksyms.function(`iotest_gop_alloc_${vp.toString(16)}`, 'test', (c) => {
    const [off, len] = [Number(c.arg(1)), Number(c.arg(2))];
    for (let lbn = Math.floor(off / 4096); lbn * 4096 < off + len; lbn++) {
      if ((map.get(lbn) ?? -1) < 0) {
        map.set(lbn, nextFree.sector);
        nextFree.sector += 8;
      }
    }
    return 0;
  });
  attachGenfsNode(k, vp, { alloc });
  m.write64(vp + BigInt(V.v_size.offset), BigInt(size));
  m.write64(vp + BigInt(V.v_writesize.offset), BigInt(size));
  return vp;
}

/** A sysspace uio over one iovec of guest memory. */
export function sysUio(
  k: Kernel,
  buf: bigint,
  len: number,
  offset: number,
  write: boolean,
): bigint {
  const U = k.S.uio;
  const I = k.S.iovec;
  const m = k.mem;
  const iov = k.kmem.alloc(I.$size, 1, true);
  m.write64(iov + BigInt(I.iov_base.offset), buf);
  m.write64(iov + BigInt(I.iov_len.offset), BigInt(len));
  const uio = k.kmem.alloc(U.$size, 1, true);
  m.write64(uio + BigInt(U.uio_iov.offset), iov);
  m.write32(uio + BigInt(U.uio_iovcnt.offset), 1);
  m.write64(uio + BigInt(U.uio_offset.offset), BigInt(offset));
  m.write64(uio + BigInt(U.uio_resid.offset), BigInt(len));
  m.write32(uio + BigInt(U.uio_rw.offset), write ? 1 : 0);
  m.write64(uio + BigInt(U.uio_vmspace.offset), k.vmspaceKernel);
  return uio;
}

/**
 * Random writes at odd offsets and sizes, truncations down (to a size inside a block) and up,
 * checked against a model after every phase; returns the expected contents of `path`.
 */
export function writeStress(
  k: Kernel,
  path: string,
  o: { span: number; rounds: number; maxWrite: number; seed: number },
  check: (what: string, got: Uint8Array, want: Uint8Array) => void,
): Uint8Array {
  let seed = o.seed;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const model = new Uint8Array(o.span);
  let size = 0;
  const f = k.vfs.open(path, 0x2 | 0x200 /* O_RDWR|O_CREAT */, 0o644);
  const writes = (n: number) => {
    for (let i = 0; i < n; i++) {
      const len = 1 + rnd(o.maxWrite);
      const off = rnd(o.span - len);
      const data = new Uint8Array(len);
      for (let j = 0; j < len; j++) data[j] = rnd(256);
      expect(k.vfs.pwrite(f, data, off)).toBe(len);
      model.set(data, off);
      size = Math.max(size, off + len);
    }
  };
  const truncate = (n: number) => {
    k.enter(() => k.vfs.vnops.truncate(path, BigInt(n)));
    if (n < size) model.fill(0, n);
    size = n;
  };
  writes(o.rounds);
  check('after writes', k.vfs.pread(f, size + 10, 0), model.subarray(0, size));
  truncate(Math.floor(size / 3) + 3);
  check('after shrinking', k.vfs.pread(f, size + 10, 0), model.subarray(0, size));
  truncate(Math.floor((o.span * 3) / 4));
  check('after extending', k.vfs.pread(f, size + 10, 0), model.subarray(0, size));
  writes(Math.ceil(o.rounds / 3));
  truncate(Math.floor(size / 2) + 1001);
  check('after the last writes', k.vfs.pread(f, size + 10, 0), model.subarray(0, size));
  k.vfs.fsync(f);
  k.vfs.close(f);
  return model.slice(0, size);
}
