/**
 * kern/vfs_vnops.c and the vnode side of the file system calls: vn_lock, vn_open, vn_close,
 * vn_rdwr, reads, writes, stat, getdents, readlink, mkdir — the operations @rump/syscalls
 * builds its system calls on. Data moves through kernel buffers and `struct uio`s in guest
 * memory exactly as a system call's would; results are NetBSD errnos (ErrnoError in the
 * TypeScript API).
 */
import {
  kmflags,
  fcntl as O,
  uio as U,
  vnode as VF,
  vtype,
} from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { ErrnoError } from '../errors.js';
import { argKva, argLo } from '../kern/hostcall.js';
import { type Kva, kvaBig, kvaOf, loadKva, loadU64, storeKva, storeU64 } from '../kern/kva.js';
import { HOST_IOV_HI, hostIov } from '../kern/subr_copy.js';
import type { Kernel } from '../kernel.js';
import type { Vfs } from './vfs.js';
import type { NameiOptions } from './vfs_lookup.js';
import { VUSECOUNT_MASK } from './vfs_vnode.js';
import { VOP } from './vnode_if.js';

const FREAD = O.FREAD;
const FWRITE = O.FWRITE;
const VREAD = 0o400;
const VWRITE = 0o200;
const VEXEC = 0o100;
const VAPPEND = 0o40000;
const VTTOIF = [0, 0o100000, 0o040000, 0o060000, 0o020000, 0o120000, 0o140000, 0o010000, 0o170000];
const IO_CHUNK = 1 << 20;
/** Kva + WINDOW_BIAS = offset in the kernel window. */
const WINDOW_BIAS = 0x8000_0000;
/** sys/param.h MAXBSIZE: vn_readdir's limit on one getdents transfer. */
const MAXBSIZE = 0x10000;

/** Unsigned 64-bit value of int32 halves, as a BigInt (one allocation below 2^53). */
function pairU64(lo: number, hi: number): bigint {
  const h = hi >>> 0;
  return h < 0x200000 ? BigInt(h * 4294967296 + (lo >>> 0)) : (BigInt(h) << 32n) | BigInt(lo >>> 0);
}

/** Signed 64-bit value of int32 halves, as a BigInt. */
function pairS64(lo: number, hi: number): bigint {
  return hi >= -0x200000 && hi < 0x200000
    ? BigInt(hi * 4294967296 + (lo >>> 0))
    : BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

const LOCKLEAF: NameiOptions = { lockleaf: true, follow: false };
const LOCKLEAF_FOLLOW: NameiOptions = { lockleaf: true, follow: true };

/** An open file: a referenced vnode, the open flags (FREAD/FWRITE ...) and the offset. */
export interface VnodeFile {
  readonly vp: bigint;
  readonly flags: number;
  offset: bigint;
  closed: boolean;
}

export interface VnodeStat {
  dev: bigint;
  mode: number;
  ino: bigint;
  nlink: number;
  uid: number;
  gid: number;
  rdev: bigint;
  atime: { sec: bigint; nsec: bigint };
  mtime: { sec: bigint; nsec: bigint };
  ctime: { sec: bigint; nsec: bigint };
  birthtime: { sec: bigint; nsec: bigint };
  size: bigint;
  blocks: bigint;
  blksize: number;
  flags: number;
  gen: number;
  /** enum vtype */
  type: number;
}

export interface Dirent {
  fileno: bigint;
  name: string;
  /** DT_* */
  type: number;
}

export class VnodeOps {
  constructor(
    private readonly k: Kernel,
    private readonly vfs: Vfs,
  ) {}

  private check(error: number, what: string): void {
    if (error) throw new ErrnoError(error, what);
  }

  /** vn_lock(vp, flags): VOP_LOCK, retried once for LK_RETRY on a dying vnode. */
  lock(vp: bigint, flags: number): number {
    return this.lockK(kvaOf(vp), flags);
  }
  lockK(vp: Kva, flags: number): number {
    if ((this.vfs.vn.usecountK(vp) & VUSECOUNT_MASK) <= 0)
      this.k.panic(`vn_lock: vnode ${this.k.describeAddress(kvaBig(vp))} has no references`);
    const vop = this.vfs.vop;
    let e = vop.lockK(vp, flags);
    if (flags & VF.LK_RETRY && e === errno.ENOENT) e = vop.lockK(vp, flags);
    return e;
  }

  /** uiomove(buf, n, uio) (the kernel's). */
  uiomove(buf: bigint, n: number, uio: bigint): number {
    const f = this.k.ksyms.resolve('uiomove') ?? this.k.panic('uiomove is not defined');
    return Number(BigInt.asIntN(32, this.k.callGuest(f, buf, n, uio)));
  }

  /**
   * Runs `fn(uio)` on a kernel-space uio over [buf, buf+len) at `offset` (one iovec): returns
   * [error, bytes transferred, the uio's final offset].
   */
  rdwrSys(
    vp: bigint,
    buf: bigint,
    len: number,
    offset: bigint,
    rw: number,
    fn: (uio: bigint) => number,
  ): [number, number, bigint] {
    void vp;
    const k = this.k;
    const m = k.mem;
    const UI = k.S.uio;
    const IV = k.S.iovec;
    return this.vfs.vop.withScratch(UI.$size + IV.$size, (uio) => {
      const iov = uio + BigInt(UI.$size);
      m.write64(iov + BigInt(IV.iov_base.offset), buf);
      m.write64(iov + BigInt(IV.iov_len.offset), BigInt(len));
      m.write64(uio + BigInt(UI.uio_iov.offset), iov);
      m.write32(uio + BigInt(UI.uio_iovcnt.offset), 1);
      m.write64(uio + BigInt(UI.uio_offset.offset), BigInt.asUintN(64, offset));
      m.write64(uio + BigInt(UI.uio_resid.offset), BigInt(len));
      m.write32(uio + BigInt(UI.uio_rw.offset), rw);
      m.write64(uio + BigInt(UI.uio_vmspace.offset), k.vmspaceKernel);
      const e = fn(uio);
      const resid = Number(m.read64(uio + BigInt(UI.uio_resid.offset)));
      return [e, len - resid, BigInt.asIntN(64, m.read64(uio + BigInt(UI.uio_offset.offset)))];
    });
  }

  /**
   * rdwrSys's uio with no BigInt: a kernel-space uio and iovec for `len` bytes at `buf` (a
   * Kva) at file offset `offset` (exact below 2^53), on the VOP args stack — give it back with
   * `vop.release(uio)` after reading the outcome with uioDone.
   */
  private uioK(buf: Kva, len: number, offset: number, rw: number): Kva {
    const k = this.k;
    const m = k.mem;
    const UI = k.S.uio;
    const IV = k.S.iovec;
    const uio = this.vfs.vop.scratch(UI.$size + IV.$size);
    const iov = uio + UI.$size;
    storeKva(m, iov + IV.iov_base.offset, buf);
    storeU64(m, iov + IV.iov_len.offset, len);
    storeKva(m, uio + UI.uio_iov.offset, iov);
    m.store32(uio + UI.uio_iovcnt.offset, -1, 1);
    storeU64(m, uio + UI.uio_offset.offset, offset);
    storeU64(m, uio + UI.uio_resid.offset, len);
    m.store32(uio + UI.uio_rw.offset, -1, rw);
    let vs = this.vmspaceK;
    if (vs === 0) vs = this.vmspaceK = kvaOf(k.vmspaceKernel);
    storeKva(m, uio + UI.uio_vmspace.offset, vs);
    return uio;
  }
  private vmspaceK: Kva = 0;

  /** After a VOP on uioK's uio: the bytes moved (of `len`) and the final offset in uioEnd. */
  private uioDone(uio: Kva, len: number): number {
    const m = this.k.mem;
    const UI = this.k.S.uio;
    const lo = m.load64(uio + UI.uio_offset.offset, -1);
    this.uioEnd = m.hi * 4294967296 + (lo >>> 0);
    return len - loadU64(m, uio + UI.uio_resid.offset);
  }
  /** The uio's offset after the last uioDone. */
  private uioEnd = 0;

  /** vn_open: namei, create if asked, permission checks, VOP_OPEN; returns the open file. */
  open(path: string, oflags: number, cmode = 0o644): VnodeFile {
    const vfs = this.vfs;
    const vc = vfs.vnodes;
    const vop = vfs.vop;
    const m = this.k.mem;
    const cred = vfs.credK();
    let fmode = (oflags & ~O.O_ACCMODE) | ((oflags + 1) & O.O_ACCMODE);
    if ((fmode & (O.O_CREAT | O.O_DIRECTORY)) === (O.O_CREAT | O.O_DIRECTORY))
      this.check(errno.EINVAL, `open ${path}`);
    let vp: Kva;
    if (fmode & O.O_CREAT) {
      const nd = vfs.lookup.nameiK(path, {
        op: 'create',
        lockparent: true,
        lockleaf: true,
        follow: !(fmode & O.O_EXCL) && !(fmode & O.O_NOFOLLOW),
      });
      try {
        this.check(nd.error, `open ${path}`);
        if (nd.vp === 0) {
          const A = this.k.S.vattr;
          const p = vop.scratch(8 + A.$size);
          let err: number;
          try {
            const va = p + 8;
            vfs.subr.vattrNullK(va);
            m.store32(va + A.va_type.offset, -1, vtype.VREG);
            m.store32(va + A.va_mode.offset, -1, cmode & 0o7777);
            err = vop.vopK(VOP.create!, nd.dvp, p, nd.cnp, va);
            if (err) vc.vputK(nd.dvp);
            vp = err ? 0 : loadKva(m, p);
          } finally {
            vop.release(p);
          }
          this.check(err, `open ${path}`);
          fmode &= ~O.O_TRUNC;
          this.lockK(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
          vc.vputK(nd.dvp);
        } else {
          vop.vopK(VOP.abortop!, nd.dvp, nd.cnp);
          if (nd.dvp === nd.vp) vc.vreleK(nd.dvp);
          else vc.vputK(nd.dvp);
          vp = nd.vp;
          if (fmode & O.O_EXCL) {
            vc.vputK(vp);
            this.check(errno.EEXIST, `open ${path}`);
          }
          fmode &= ~O.O_CREAT;
        }
      } finally {
        vfs.lookup.done(nd);
      }
    } else {
      const nd = vfs.lookup.nameiK(path, fmode & O.O_NOFOLLOW ? LOCKLEAF : LOCKLEAF_FOLLOW);
      vfs.lookup.done(nd);
      this.check(nd.error, `open ${path}`);
      vp = nd.vp;
    }
    const t = vfs.vn.typeK(vp);
    let e = 0;
    if (t === vtype.VSOCK) e = errno.EOPNOTSUPP;
    else if (t === vtype.VLNK) e = errno.EFTYPE;
    else if (!(fmode & O.O_CREAT)) {
      // vn_openchk
      if (fmode & O.O_DIRECTORY && t !== vtype.VDIR) e = errno.ENOTDIR;
      else {
        let acc = 0;
        if (fmode & FREAD) acc |= VREAD;
        if (fmode & FWRITE) {
          acc |= VWRITE;
          if (fmode & O.O_APPEND) acc |= VAPPEND;
          if (t === vtype.VDIR) e = errno.EISDIR;
        }
        if (!e && acc) e = vop.accessK(vp, acc, cred);
      }
    }
    if (!e && fmode & O.O_TRUNC) {
      const A = this.k.S.vattr;
      const va = vop.scratch(A.$size);
      try {
        vfs.subr.vattrNullK(va);
        m.store64(va + A.va_size.offset, -1, 0, 0);
        e = vop.vopK(VOP.setattr!, vp, va, cred);
      } finally {
        vop.release(va);
      }
    }
    if (!e) e = vop.openK(vp, fmode, cred);
    if (e) {
      vc.vputK(vp);
      this.check(e, `open ${path}`);
    }
    if (fmode & FWRITE) vfs.vn.setWritecountK(vp, vfs.vn.writecountK(vp) + 1);
    vop.unlockK(vp);
    return { vp: kvaBig(vp), flags: fmode, offset: 0n, closed: false };
  }

  /** vn_close: VOP_CLOSE and release. */
  close(f: VnodeFile): void {
    if (f.closed) throw new ErrnoError(errno.EBADF, 'close: file already closed');
    f.closed = true;
    const vfs = this.vfs;
    const vp = kvaOf(f.vp);
    this.lockK(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    if (f.flags & FWRITE) vfs.vn.setWritecountK(vp, vfs.vn.writecountK(vp) - 1);
    const e = vfs.vop.closeK(vp, f.flags, vfs.credK());
    vfs.vnodes.vputK(vp);
    this.check(e, 'close');
  }

  private live(f: VnodeFile): void {
    if (f.closed) throw new ErrnoError(errno.EBADF, 'file is closed');
  }

  /** VOP_READ of up to `length` bytes at `offset` into kernel memory, then out: the bytes read. */
  preadVnode(vp: bigint, length: number, offset: bigint, ioflag = 0): Uint8Array {
    const out = new Uint8Array(length);
    return out.subarray(0, this.preadVnodeInto(vp, out, offset, ioflag));
  }

  /**
   * VOP_READ into the caller's own buffer (as rump's copyout writes straight into the client's
   * memory): no intermediate array per call. Returns the bytes read.
   */
  preadVnodeInto(vp: bigint, out: Uint8Array, offset: bigint, ioflag = 0): number {
    const off = Number(offset);
    const vpK = kvaOf(vp);
    if (Number.isNaN(vpK) || !(off >= 0 && off + out.length <= Number.MAX_SAFE_INTEGER))
      return this.preadVnodeIntoBig(vp, out, offset, ioflag);
    const k = this.k;
    const vfs = this.vfs;
    const vop = vfs.vop;
    const length = out.length;
    const cap = Math.max(Math.min(IO_CHUNK, length), 1);
    // Straight into `out` (its bytes are host addresses to uiomove, see HOST_IOV_HI), or
    // through a kmem block at window offset bo.
    const bo = this.beginTransfer(out, cap, 'read buffer');
    const own = bo < 0;
    const iovBase = k.S.uio.$size + k.S.iovec.iov_base.offset;
    let done = 0;
    try {
      while (done < length) {
        const n = Math.min(cap, length - done);
        this.lockK(vpK, VF.LK_SHARED | VF.LK_RETRY);
        let got: number;
        let e: number;
        const uio = this.uioK((WINDOW_BIAS + bo) | 0, n, off + done, U.UIO_READ);
        if (own) k.mem.store64(uio + iovBase, -1, done, HOST_IOV_HI);
        try {
          e = vop.readK(vpK, uio, ioflag, vfs.credK());
          got = this.uioDone(uio, n);
        } finally {
          vop.release(uio);
          vop.unlockK(vpK);
        }
        this.check(e, 'read');
        // mem.u8 after the VOP: a window growth during it replaces the array.
        if (!own) out.set(k.mem.windowU8().subarray(bo, bo + got), done);
        done += got;
        if (got < n) break;
      }
    } finally {
      this.endTransfer(bo, cap, 'read buffer');
    }
    return done;
  }

  /**
   * Sets up a read's or write's data transfer with the caller's `bytes`: straight between them
   * and the kernel (hostIov holds them; the uio's iovec points at HOST_IOV_HI addresses) —
   * returns -1 — unless a transfer is already under way (a VOP that came back into these paths)
   * or `bytes` is too large to index with an address's low half; then the window offset of a
   * kmem block of `size` bytes. endTransfer(result, size, what) undoes it.
   */
  private beginTransfer(bytes: Uint8Array, size: number, what: string): number {
    if (this.ioBufBusy || bytes.length >= 0x8000_0000)
      return this.k.kmem.allocOffset(size, kmflags.KM_SLEEP, false, what);
    this.ioBufBusy = true;
    // hostIov is one per process: a kernel's transfer nested in another kernel's (LIFO) restores it.
    this.outerHostIov = hostIov.bytes;
    hostIov.bytes = bytes;
    return -1;
  }

  private endTransfer(bo: number, size: number, what: string): void {
    if (bo >= 0) {
      this.k.kmem.freeOffset(bo, size, what);
      return;
    }
    hostIov.bytes = this.outerHostIov;
    this.outerHostIov = null;
    this.ioBufBusy = false;
  }

  /** True while a direct transfer (beginTransfer returned -1) is under way in this kernel. */
  private ioBufBusy = false;
  /** hostIov's buffer before this kernel's direct transfer began (another kernel's, or null). */
  private outerHostIov: Uint8Array | null = null;

  /** preadVnodeInto for offsets beyond 2^53 (and vnodes outside the window): BigInt throughout. */
  private preadVnodeIntoBig(vp: bigint, out: Uint8Array, offset: bigint, ioflag: number): number {
    const k = this.k;
    const vfs = this.vfs;
    const length = out.length;
    let done = 0;
    while (done < length) {
      const n = Math.min(IO_CHUNK, length - done);
      const buf = k.kmem.alloc(n, kmflags.KM_SLEEP, false, 'read buffer');
      try {
        this.lock(vp, VF.LK_SHARED | VF.LK_RETRY);
        let got: number;
        let e: number;
        try {
          [e, got] = this.rdwrSys(vp, buf, n, offset + BigInt(done), U.UIO_READ, (uio) =>
            vfs.vop.read(vp, uio, ioflag, vfs.cred()),
          );
        } finally {
          vfs.vop.unlock(vp);
        }
        this.check(e, 'read');
        k.mem.readInto(buf, out.subarray(done, done + got));
        done += got;
        if (got < n) break;
      } finally {
        k.kmem.free(buf, n, 'read buffer');
      }
    }
    return done;
  }

  /** VOP_WRITE of `data` at `offset` (IO_APPEND when asked): bytes written and the new offset. */
  pwriteVnode(vp: bigint, data: Uint8Array, offset: bigint, ioflag = 0): [number, bigint] {
    const off0 = Number(offset);
    const vpK = kvaOf(vp);
    if (Number.isNaN(vpK) || !(off0 >= 0 && off0 + data.length <= Number.MAX_SAFE_INTEGER))
      return this.pwriteVnodeBig(vp, data, offset, ioflag);
    const k = this.k;
    const vfs = this.vfs;
    const vop = vfs.vop;
    const cap = Math.max(Math.min(IO_CHUNK, data.length), 1);
    // Straight from `data` (host addresses, as in preadVnodeInto) unless nested or too large.
    const bo = this.beginTransfer(data, cap, 'write buffer');
    const own = bo < 0;
    const buf = (WINDOW_BIAS + bo) | 0;
    const iovBase = k.S.uio.$size + k.S.iovec.iov_base.offset;
    let done = 0;
    let off = off0;
    try {
      while (done < data.length || (data.length === 0 && done === 0)) {
        const n = Math.min(cap, data.length - done);
        // Through GuestMemory: the block may have held decoded guest code before.
        if (!own) k.mem.write(kvaBig(buf), data.subarray(done, done + n));
        this.lockK(vpK, VF.LK_EXCLUSIVE | VF.LK_RETRY);
        let e: number;
        let put: number;
        const uio = this.uioK(buf, n, off, U.UIO_WRITE);
        if (own) k.mem.store64(uio + iovBase, -1, done, HOST_IOV_HI);
        try {
          e = vop.vopK(VOP.write!, vpK, uio, ioflag, vfs.credK());
          put = this.uioDone(uio, n);
        } finally {
          vop.release(uio);
          vop.unlockK(vpK);
        }
        this.check(e, 'write');
        done += put;
        off = this.uioEnd;
        if (put < n || n === 0) break;
      }
    } finally {
      this.endTransfer(bo, cap, 'write buffer');
    }
    return [done, BigInt(off)];
  }

  /** pwriteVnode for offsets beyond 2^53 (and vnodes outside the window): BigInt throughout. */
  private pwriteVnodeBig(
    vp: bigint,
    data: Uint8Array,
    offset: bigint,
    ioflag: number,
  ): [number, bigint] {
    const k = this.k;
    const vfs = this.vfs;
    let done = 0;
    let off = offset;
    while (done < data.length || (data.length === 0 && done === 0)) {
      const n = Math.min(IO_CHUNK, data.length - done);
      const buf = k.kmem.alloc(Math.max(n, 1), kmflags.KM_SLEEP, false, 'write buffer');
      try {
        k.mem.write(buf, data.subarray(done, done + n));
        this.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
        let e: number;
        let put: number;
        let end: bigint;
        try {
          [e, put, end] = this.rdwrSys(vp, buf, n, off, U.UIO_WRITE, (uio) =>
            vfs.vop.write(vp, uio, ioflag, vfs.cred()),
          );
        } finally {
          vfs.vop.unlock(vp);
        }
        this.check(e, 'write');
        done += put;
        off = end;
        if (put < n || n === 0) break;
      } finally {
        k.kmem.free(buf, Math.max(n, 1), 'write buffer');
      }
    }
    return [done, off];
  }

  read(f: VnodeFile, length: number): Uint8Array {
    this.live(f);
    if (!(f.flags & FREAD)) throw new ErrnoError(errno.EBADF, 'read: not open for reading');
    const d = this.preadVnode(f.vp, length, f.offset);
    f.offset += BigInt(d.length);
    return d;
  }

  /** read(2) into `into`: the bytes read. */
  readInto(f: VnodeFile, into: Uint8Array): number {
    this.live(f);
    if (!(f.flags & FREAD)) throw new ErrnoError(errno.EBADF, 'read: not open for reading');
    const n = this.preadVnodeInto(f.vp, into, f.offset);
    f.offset += BigInt(n);
    return n;
  }

  /** pread(2) into `into`: the bytes read. */
  preadInto(f: VnodeFile, into: Uint8Array, offset: bigint): number {
    this.live(f);
    if (!(f.flags & FREAD)) throw new ErrnoError(errno.EBADF, 'pread: not open for reading');
    if (offset < 0n) throw new ErrnoError(errno.EINVAL, 'pread: negative offset');
    if (this.vfs.vn.type(f.vp) === vtype.VDIR)
      throw new ErrnoError(errno.EISDIR, 'pread: is a directory');
    return this.preadVnodeInto(f.vp, into, offset);
  }

  pread(f: VnodeFile, length: number, offset: bigint): Uint8Array {
    this.live(f);
    if (!(f.flags & FREAD)) throw new ErrnoError(errno.EBADF, 'pread: not open for reading');
    if (offset < 0n) throw new ErrnoError(errno.EINVAL, 'pread: negative offset');
    if (this.vfs.vn.type(f.vp) === vtype.VDIR)
      throw new ErrnoError(errno.EISDIR, 'pread: is a directory');
    return this.preadVnode(f.vp, length, offset);
  }

  write(f: VnodeFile, data: Uint8Array): number {
    this.live(f);
    if (!(f.flags & FWRITE)) throw new ErrnoError(errno.EBADF, 'write: not open for writing');
    const append = f.flags & O.O_APPEND;
    const [n, end] = this.pwriteVnode(
      f.vp,
      data,
      f.offset,
      this.ioflags(f) | (append ? VF.IO_APPEND : 0),
    );
    f.offset = end;
    return n;
  }

  pwrite(f: VnodeFile, data: Uint8Array, offset: bigint): number {
    this.live(f);
    if (!(f.flags & FWRITE)) throw new ErrnoError(errno.EBADF, 'pwrite: not open for writing');
    if (offset < 0n) throw new ErrnoError(errno.EINVAL, 'pwrite: negative offset');
    return this.pwriteVnode(f.vp, data, offset, this.ioflags(f))[0];
  }

  private ioflags(f: VnodeFile): number {
    let io = 0;
    if (f.flags & (O.O_SYNC | O.O_DSYNC)) io |= VF.IO_SYNC;
    return io;
  }

  /** lseek: SEEK_SET 0, SEEK_CUR 1, SEEK_END 2 (VOP_SEEK validates). */
  lseek(f: VnodeFile, offset: bigint, whence: number): bigint {
    this.live(f);
    let base = 0n;
    if (whence === 1) base = f.offset;
    else if (whence === 2) base = this.fstat(f).size;
    else if (whence !== 0) throw new ErrnoError(errno.EINVAL, 'lseek: bad whence');
    const n = base + offset;
    const e = this.vfs.vop.seek(f.vp, f.offset, n, this.vfs.cred());
    this.check(e, 'lseek');
    f.offset = n;
    return n;
  }

  /** VOP_GETATTR → struct stat fields. */
  statVnode(vp: bigint): VnodeStat {
    return this.statVnodeK(kvaOf(vp));
  }

  /**
   * statVnode with the vnode as a Kva (vn_statfile: locked exclusively around vn_stat); the
   * vattr is read with the pair API.
   */
  statVnodeK(vp: Kva): VnodeStat {
    this.lockK(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    try {
      return this.vnStatK(vp);
    } finally {
      this.vfs.vop.unlockK(vp);
    }
  }

  /**
   * vn_stat of a locked vnode: VOP_GETATTR into a zeroed vattr (as vn_stat's memset: fields a
   * file system leaves alone read 0), then the struct stat fields.
   */
  private vnStatK(vp: Kva): VnodeStat {
    const vfs = this.vfs;
    const vop = vfs.vop;
    const va = vop.scratch(this.k.S.vattr.$size);
    try {
      this.check(vop.getattrK(vp, va, vfs.credK()), 'stat');
      return this.vattrToStat(va);
    } finally {
      vop.release(va);
    }
  }

  /** struct stat fields of a filled vattr in kernel scratch memory (a Kva). */
  private vattrToStat(va: Kva): VnodeStat {
    const m = this.k.mem;
    const A = this.k.S.vattr;
    const type = m.load32(va + A.va_type.offset, -1) >>> 0;
    const bytesLo = m.load64(va + A.va_bytes.offset, -1);
    const bytesHi = m.hi;
    return {
      dev: this.u64(va + A.va_fsid.offset),
      mode: ((m.load32(va + A.va_mode.offset, -1) >>> 0) & 0o7777) | (VTTOIF[type] ?? 0),
      ino: this.u64(va + A.va_fileid.offset),
      nlink: m.load32(va + A.va_nlink.offset, -1) >>> 0,
      uid: m.load32(va + A.va_uid.offset, -1) >>> 0,
      gid: m.load32(va + A.va_gid.offset, -1) >>> 0,
      rdev: this.u64(va + A.va_rdev.offset),
      atime: this.timespec(va + A.va_atime.offset),
      mtime: this.timespec(va + A.va_mtime.offset),
      ctime: this.timespec(va + A.va_ctime.offset),
      birthtime: this.timespec(va + A.va_birthtime.offset),
      size: this.s64(va + A.va_size.offset),
      blocks: bytesLo === -1 && bytesHi === -1 ? 0n : pairU64(bytesLo, bytesHi) / 512n,
      blksize: Number(this.s64(va + A.va_blocksize.offset)),
      flags: m.load32(va + A.va_flags.offset, -1) >>> 0,
      gen: m.load32(va + A.va_gen.offset, -1) >>> 0,
      type,
    };
  }

  private u64(at: Kva): bigint {
    const m = this.k.mem;
    return pairU64(m.load64(at, -1), m.hi);
  }
  private s64(at: Kva): bigint {
    const m = this.k.mem;
    return pairS64(m.load64(at, -1), m.hi);
  }
  private timespec(at: Kva): { sec: bigint; nsec: bigint } {
    return { sec: this.s64(at), nsec: this.s64(at + 8) };
  }

  fstat(f: VnodeFile): VnodeStat {
    this.live(f);
    return this.statVnode(f.vp);
  }

  /** stat/lstat(path): do_sys_statat — namei with LOCKLEAF, vn_stat, vput. */
  stat(path: string, follow = true): VnodeStat {
    const lookup = this.vfs.lookup;
    const w = lookup.nameiK(path, follow ? LOCKLEAF_FOLLOW : LOCKLEAF);
    lookup.done(w);
    const error = w.error;
    const vp = w.vp;
    if (error) this.check(error, `stat ${path}`);
    try {
      return this.vnStatK(vp);
    } finally {
      this.vfs.vnodes.vputK(vp);
    }
  }

  /**
   * getdents (vn_readdir): VOP_READDIR into a buffer of `bufsize` bytes (at most MAXBSIZE, as
   * vn_readdir limits it) at the file offset; the raw bytes. As in NetBSD the file offset becomes
   * the uio's final offset even when VOP_READDIR fails, and it is whatever the file system left
   * there: ufs_readdir stops at a record with d_reclen 0 (a zeroed block, a hole, a damaged entry)
   * by handing out one 16-byte dirent whose d_reclen is 0 without moving the offset, so every
   * later call returns the same 16 bytes. Callers that loop until 0 must check progress (readdir
   * below does).
   */
  getdentsRaw(f: VnodeFile, bufsize: number): Uint8Array {
    const out = new Uint8Array(Math.min(MAXBSIZE, Math.max(0, bufsize)));
    const n = this.getdentsInto(f, out);
    return n === out.length ? out : out.slice(0, n);
  }

  /**
   * getdents into the caller's buffer (at most MAXBSIZE bytes of it, as vn_readdir limits a
   * transfer): the bytes filled, 0 at the end of the directory. See getdentsRaw.
   */
  getdentsInto(f: VnodeFile, into: Uint8Array): number {
    this.live(f);
    const k = this.k;
    const vfs = this.vfs;
    const vop = vfs.vop;
    const vp = kvaOf(f.vp);
    // vn_readdir: EINVAL (not ENOTDIR) for a descriptor that is not a directory.
    if (vfs.vn.typeK(vp) !== vtype.VDIR)
      throw new ErrnoError(errno.EINVAL, 'getdents: not a directory');
    const count = Math.min(MAXBSIZE, into.length);
    const alloc = Math.max(count, 1);
    const bo = k.kmem.allocOffset(alloc, kmflags.KM_SLEEP, true, 'getdents');
    try {
      this.lockK(vp, VF.LK_SHARED | VF.LK_RETRY);
      let e: number;
      let got: number;
      const eof = vop.scratch(4);
      try {
        const UI = k.S.uio;
        const uio = this.uioK((WINDOW_BIAS + bo) | 0, count, 0, U.UIO_READ);
        // The directory offset may be any 64-bit cookie: stored from the BigInt as it is.
        k.mem.write64(kvaBig(uio + UI.uio_offset.offset), BigInt.asUintN(64, f.offset));
        e = vop.vopK(VOP.readdir!, vp, uio, vfs.credK(), eof, 0, 0);
        got = this.uioDone(uio, count);
        f.offset = BigInt.asIntN(64, k.mem.read64(kvaBig(uio + UI.uio_offset.offset)));
      } finally {
        vop.release(eof);
        vop.unlockK(vp);
      }
      this.check(e, 'getdents');
      into.set(k.mem.windowU8().subarray(bo, bo + got));
      return got;
    } finally {
      k.kmem.freeOffset(bo, alloc, 'getdents');
    }
  }

  /**
   * Every entry of a directory: getdents until it returns nothing. A call that returns bytes
   * but leaves the offset where an earlier call already started (ufs_readdir at a d_reclen 0
   * record does exactly that, see getdentsRaw) would repeat forever, in NetBSD too (its libc
   * readdir(3) refetches the same 16 bytes for ever); it fails with EIO naming the directory and
   * the offset instead.
   */
  readdir(path: string): Dirent[] {
    const f = this.open(path, O.O_RDONLY | O.O_DIRECTORY);
    try {
      const out: Dirent[] = [];
      const seen = new Set<bigint>();
      for (;;) {
        const at = f.offset;
        seen.add(at);
        const raw = this.getdentsRaw(f, 8192);
        if (raw.length === 0) break;
        if (seen.has(f.offset))
          throw new ErrnoError(
            errno.EIO,
            `readdir ${path}: getdents returned ${raw.length} bytes at offset ${at} and left the offset at ${f.offset}: no progress (a damaged directory)`,
          );
        out.push(...parseDirents(raw));
      }
      return out;
    } finally {
      this.close(f);
    }
  }

  /** readlink(path): the link target. */
  readlink(path: string): Uint8Array {
    const r = this.vfs.lookup.nameiSimple(path, false);
    this.check(r.error, `readlink ${path}`);
    const vp = r.vp;
    try {
      if (this.vfs.vn.type(vp) !== vtype.VLNK)
        throw new ErrnoError(errno.EINVAL, `readlink ${path}: not a symbolic link`);
      this.lock(vp, VF.LK_SHARED | VF.LK_RETRY);
      try {
        const [e, bytes] = this.vfs.lookup.readlink(vp);
        this.check(e, `readlink ${path}`);
        return bytes;
      } finally {
        this.vfs.vop.unlock(vp);
      }
    } finally {
      this.vfs.vnodes.vrele(vp);
    }
  }

  /** mkdir(path, mode) */
  mkdir(path: string, mode = 0o755): void {
    const vfs = this.vfs;
    const nd = vfs.lookup.namei(path.replace(/\/+$/, '') || '/', {
      op: 'create',
      lockparent: true,
    });
    try {
      this.check(nd.error, `mkdir ${path}`);
      if (nd.vp !== 0n) {
        this.abort(nd, false);
        this.check(errno.EEXIST, `mkdir ${path}`);
      }
      const e = vfs.vop.withScratch(8 + this.k.S.vattr.$size, (p) => {
        const va = p + 8n;
        vfs.subr.vattrNull(va);
        this.k.mem.write32(va + BigInt(this.k.S.vattr.va_type.offset), vtype.VDIR);
        this.k.mem.write32(va + BigInt(this.k.S.vattr.va_mode.offset), mode & 0o7777);
        const err = vfs.vop.mkdir(nd.dvp, p, nd.cnp, va);
        if (!err) vfs.vnodes.vrele(this.k.mem.read64(p));
        return err;
      });
      vfs.vnodes.vput(nd.dvp);
      this.check(e, `mkdir ${path}`);
    } finally {
      nd.release();
    }
  }

  /** access(path, mode): R_OK 4, W_OK 2, X_OK 1. */
  access(path: string, amode: number): void {
    const w = this.vfs.lookup.nameiSimpleK(path, true);
    const error = w.error;
    const vp = w.vp;
    if (error) this.check(error, `access ${path}`);
    try {
      let acc = 0;
      if (amode & 4) acc |= VREAD;
      if (amode & 2) acc |= VWRITE;
      if (amode & 1) acc |= VEXEC;
      if (acc) {
        const vop = this.vfs.vop;
        this.lockK(vp, VF.LK_SHARED | VF.LK_RETRY);
        let e: number;
        try {
          e = vop.accessK(vp, acc, this.vfs.credK());
        } finally {
          vop.unlockK(vp);
        }
        this.check(e, `access ${path}`);
      }
    } finally {
      this.vfs.vnodes.vreleK(vp);
    }
  }

  /** pathconf(2) / fpathconf(2): VOP_PATHCONF(vp, name, &retval) (_PC_LINK_MAX 1, _PC_NAME_MAX 4, _PC_PATH_MAX 5 ...). */
  pathconfVnode(vp: bigint, name: number): bigint {
    const vfs = this.vfs;
    return vfs.vop.withScratch(8, (ret) => {
      this.lock(vp, VF.LK_SHARED | VF.LK_RETRY);
      let e: number;
      try {
        e = vfs.vop.pathconf(vp, name, ret);
      } finally {
        vfs.vop.unlock(vp);
      }
      this.check(e, 'pathconf');
      return BigInt.asIntN(64, this.k.mem.read64(ret));
    });
  }

  pathconf(path: string, name: number): bigint {
    return this.withPath(path, true, (vp) => this.pathconfVnode(vp, name));
  }

  fpathconf(f: VnodeFile, name: number): bigint {
    this.live(f);
    return this.pathconfVnode(f.vp, name);
  }

  /** fsync(2): VOP_FSYNC(FSYNC_WAIT). */
  fsync(f: VnodeFile): void {
    this.live(f);
    this.lock(f.vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
    try {
      this.check(this.vfs.vop.fsync(f.vp, this.vfs.cred(), VF.FSYNC_WAIT, 0n, 0n), 'fsync');
    } finally {
      this.vfs.vop.unlock(f.vp);
    }
  }

  /**
   * VOP_SETATTR with the fields given (others VNOVAL): size, mode, uid/gid, times (ns since
   * the epoch). The vnode must be referenced and unlocked.
   */
  setattr(
    vp: bigint,
    a: {
      size?: bigint;
      mode?: number;
      uid?: number;
      gid?: number;
      atimeNs?: bigint;
      mtimeNs?: bigint;
      flags?: number;
    },
  ): void {
    const k = this.k;
    const m = k.mem;
    const A = k.S.vattr;
    const vfs = this.vfs;
    const e = vfs.vop.withScratch(A.$size, (va) => {
      vfs.subr.vattrNull(va);
      if (a.size !== undefined)
        m.write64(va + BigInt(A.va_size.offset), BigInt.asUintN(64, a.size));
      if (a.mode !== undefined) m.write32(va + BigInt(A.va_mode.offset), a.mode & 0o7777);
      if (a.uid !== undefined) m.write32(va + BigInt(A.va_uid.offset), a.uid >>> 0);
      if (a.gid !== undefined) m.write32(va + BigInt(A.va_gid.offset), a.gid >>> 0);
      if (a.flags !== undefined) m.write64(va + BigInt(A.va_flags.offset), BigInt(a.flags >>> 0));
      for (const [ns, f] of [
        [a.atimeNs, A.va_atime],
        [a.mtimeNs, A.va_mtime],
      ] as const) {
        if (ns === undefined) continue;
        m.write64(va + BigInt(f.offset), BigInt.asUintN(64, ns / 1_000_000_000n));
        m.write64(va + BigInt(f.offset + 8), BigInt.asUintN(64, ns % 1_000_000_000n));
      }
      this.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
      try {
        return vfs.vop.setattr(vp, va, vfs.cred());
      } finally {
        vfs.vop.unlock(vp);
      }
    });
    this.check(e, 'setattr');
  }

  /** Runs `fn(vp)` on the (referenced, unlocked) vnode of `path`. */
  private withPath<T>(path: string, follow: boolean, fn: (vp: bigint) => T): T {
    const r = this.vfs.lookup.nameiSimple(path, follow);
    this.check(r.error, path);
    try {
      return fn(r.vp);
    } finally {
      this.vfs.vnodes.vrele(r.vp);
    }
  }

  truncate(path: string, length: bigint): void {
    if (length < 0n) throw new ErrnoError(errno.EINVAL, `truncate ${path}: negative length`);
    this.withPath(path, true, (vp) => {
      if (this.vfs.vn.type(vp) === vtype.VDIR)
        throw new ErrnoError(errno.EISDIR, `truncate ${path}`);
      this.lock(vp, VF.LK_SHARED | VF.LK_RETRY);
      const e = this.vfs.vop.access(vp, VWRITE, this.vfs.cred());
      this.vfs.vop.unlock(vp);
      this.check(e, `truncate ${path}`);
      this.setattr(vp, { size: length });
    });
  }

  ftruncate(f: VnodeFile, length: bigint): void {
    this.live(f);
    if (!(f.flags & FWRITE)) throw new ErrnoError(errno.EINVAL, 'ftruncate: not open for writing');
    if (length < 0n) throw new ErrnoError(errno.EINVAL, 'ftruncate: negative length');
    if (this.vfs.vn.type(f.vp) === vtype.VDIR) throw new ErrnoError(errno.EISDIR, 'ftruncate');
    this.setattr(f.vp, { size: length });
  }

  chmod(path: string, mode: number, follow = true): void {
    this.withPath(path, follow, (vp) => this.setattr(vp, { mode }));
  }
  chown(path: string, uid: number, gid: number, follow = true): void {
    this.withPath(path, follow, (vp) => this.setattr(vp, { uid, gid }));
  }
  utimes(path: string, atimeNs: bigint, mtimeNs: bigint, follow = true): void {
    this.withPath(path, follow, (vp) => this.setattr(vp, { atimeNs, mtimeNs }));
  }
  fchmod(f: VnodeFile, mode: number): void {
    this.live(f);
    this.setattr(f.vp, { mode });
  }
  fchown(f: VnodeFile, uid: number, gid: number): void {
    this.live(f);
    this.setattr(f.vp, { uid, gid });
  }
  futimes(f: VnodeFile, atimeNs: bigint, mtimeNs: bigint): void {
    this.live(f);
    this.setattr(f.vp, { atimeNs, mtimeNs });
  }

  /** Drops the namei result of an operation that will not happen (VOP_ABORTOP + releases). */
  private abort(nd: { vp: bigint; dvp: bigint; cnp: bigint }, vpLocked: boolean): void {
    const vc = this.vfs.vnodes;
    this.vfs.vop.abortop(nd.dvp, nd.cnp);
    if (nd.dvp === nd.vp) vc.vrele(nd.dvp);
    else vc.vput(nd.dvp);
    if (nd.vp !== 0n) {
      // vp is locked when the caller asked for it, or when it is dvp itself ("."): put it then.
      if (vpLocked || nd.vp === nd.dvp) vc.vput(nd.vp);
      else vc.vrele(nd.vp);
    }
  }

  /** unlink(2) (dir = false) and rmdir(2) (dir = true). */
  remove(path: string, dir: boolean): void {
    const vfs = this.vfs;
    const nd = vfs.lookup.namei(path, { op: 'delete', lockparent: true, lockleaf: true });
    try {
      this.check(nd.error, path);
      const vp = nd.vp;
      let error = 0;
      if (vfs.vn.vflag(vp) & VF.VV_ROOT) error = errno.EBUSY;
      else if (vfs.vn.type(vp) === vtype.VDIR && vfs.vn.mountedhere(vp) !== 0n) error = errno.EBUSY;
      else if (nd.dvp === vp) error = errno.EINVAL;
      else if (vfs.vn.type(vp) === vtype.VDIR && !dir) error = errno.EPERM;
      else if (vfs.vn.type(vp) !== vtype.VDIR && dir) error = errno.ENOTDIR;
      if (error) {
        this.abort(nd, true);
        this.check(error, path);
      }
      error = dir ? vfs.vop.rmdir(nd.dvp, vp, nd.cnp) : vfs.vop.remove(nd.dvp, vp, nd.cnp);
      vfs.vnodes.vput(nd.dvp);
      this.check(error, path);
    } finally {
      nd.release();
    }
  }

  /** symlink(2): `path` becomes a link to `target`. */
  symlink(target: string, path: string): void {
    const vfs = this.vfs;
    const nd = vfs.lookup.namei(path, { op: 'create', lockparent: true });
    try {
      this.check(nd.error, path);
      if (nd.vp !== 0n) {
        this.abort(nd, false);
        this.check(errno.EEXIST, path);
      }
      const t = vfs.strings.dup(target);
      try {
        const e = vfs.vop.withScratch(8 + this.k.S.vattr.$size, (p) => {
          const va = p + 8n;
          vfs.subr.vattrNull(va);
          this.k.mem.write32(va + BigInt(this.k.S.vattr.va_type.offset), vtype.VLNK);
          this.k.mem.write32(va + BigInt(this.k.S.vattr.va_mode.offset), 0o777);
          const err = vfs.vop.symlink(nd.dvp, p, nd.cnp, va, t);
          if (!err) vfs.vnodes.vrele(this.k.mem.read64(p));
          return err;
        });
        vfs.vnodes.vput(nd.dvp);
        this.check(e, path);
      } finally {
        vfs.strings.free(t);
      }
    } finally {
      nd.release();
    }
  }

  /** link(2): a new name `path` for the file `existing`. */
  link(existing: string, path: string): void {
    const vfs = this.vfs;
    const r = vfs.lookup.nameiSimple(existing, false);
    this.check(r.error, existing);
    const vp = r.vp;
    try {
      const nd = vfs.lookup.namei(path, { op: 'create', lockparent: true });
      try {
        this.check(nd.error, path);
        let error = 0;
        if (nd.vp !== 0n) error = errno.EEXIST;
        else if (vfs.vn.type(vp) === vtype.VDIR)
          error = errno.EPERM; // no hard links on directories
        else if (vfs.vn.mount(nd.dvp) !== vfs.vn.mount(vp)) error = errno.EXDEV;
        if (error) {
          this.abort(nd, false);
          this.check(error, path);
        }
        error = vfs.vop.link(nd.dvp, vp, nd.cnp);
        vfs.vop.unlock(nd.dvp);
        vfs.vnodes.vrele(nd.dvp);
        this.check(error, path);
      } finally {
        nd.release();
      }
    } finally {
      vfs.vnodes.vrele(vp);
    }
  }

  /** rename(2) (do_sys_renameat). */
  rename(from: string, to: string): void {
    const k = this.k;
    const m = k.mem;
    const vfs = this.vfs;
    const vc = vfs.vnodes;
    const fnd = vfs.lookup.namei(from, { op: 'delete', lockparent: true });
    try {
      this.check(fnd.error, from);
      const fdvp = fnd.dvp;
      const fvp = fnd.vp;
      const mp = vfs.vn.mount(fdvp);
      if (fdvp === fvp) {
        // "." (or ".." at the root): the one vnode is locked once and referenced twice.
        vfs.vop.abortop(fdvp, fnd.cnp);
        vc.vrele(fdvp);
        vc.vput(fvp);
        this.check(errno.EINVAL, `rename ${from} ${to}`);
      }
      vfs.trans.start(mp);
      vfs.vop.unlock(fdvp);
      const name = (cnp: bigint) =>
        new TextDecoder().decode(
          m.read(
            m.read64(cnp + BigInt(k.S.componentname.cn_nameptr.offset)),
            Number(m.read64(cnp + BigInt(k.S.componentname.cn_namelen.offset))),
          ),
        );
      const abort0 = (e: number): never => {
        vfs.vop.abortop(fdvp, fnd.cnp);
        vc.vrele(fdvp);
        vc.vrele(fvp);
        vfs.trans.done(mp);
        return this.check(e, `rename ${from} ${to}`) as never;
      };
      const fname = name(fnd.cnp);
      if (fname === '.' || fname === '..') abort0(errno.EINVAL);
      const tnd = vfs.lookup.namei(to, {
        op: 'rename',
        lockparent: true,
        nocache: true,
        createdir: vfs.vn.type(fvp) === vtype.VDIR,
      });
      try {
        if (tnd.error) abort0(tnd.error);
        const tdvp = tnd.dvp;
        let tvp = tnd.vp;
        const C = k.S.componentname;
        if (vfs.vn.type(fvp) === vtype.VDIR) {
          const fl = tnd.cnp + BigInt(C.cn_flags.offset);
          m.write32(fl, m.read32(fl) | 0x10000 /* WILLBEDIR */);
        }
        const abort1 = (e: number): never => {
          vfs.vop.abortop(tdvp, tnd.cnp);
          vc.vrele(tdvp);
          if (tvp !== 0n) vc.vrele(tvp);
          return abort0(e);
        };
        if (tdvp === tvp) {
          // The target is "." (or ".." at the root): locked once as tdvp.
          vfs.vop.unlock(tdvp);
          abort1(errno.EINVAL);
        }
        vfs.vop.unlock(tdvp);
        const tname = name(tnd.cnp);
        if (tname === '.') abort1(errno.EISDIR);
        if (tname === '..') abort1(errno.EINVAL);
        if (vfs.vn.mount(tdvp) !== mp) abort1(errno.EXDEV);
        let e = vfs.mounts.call(mp, 'vfs_renamelock_enter', mp);
        if (e) abort1(e);
        this.lock(tdvp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
        const abort2 = (err: number): never => {
          vfs.vop.unlock(tdvp);
          vfs.mounts.call(mp, 'vfs_renamelock_exit', mp);
          return abort1(err);
        };
        const [re, nvp] = vfs.lookup.relookup(tdvp, tnd.cnp);
        if (re) abort2(re);
        if (tvp !== 0n) vc.vrele(tvp);
        tvp = nvp;
        const abort3 = (err: number): never => {
          if (tvp !== 0n && tvp !== tdvp) vfs.vop.unlock(tvp);
          return abort2(err);
        };
        if (tvp !== 0n) {
          if (vfs.vn.type(fvp) === vtype.VDIR && vfs.vn.type(tvp) !== vtype.VDIR)
            abort3(errno.ENOTDIR);
          else if (vfs.vn.type(fvp) !== vtype.VDIR && vfs.vn.type(tvp) === vtype.VDIR)
            abort3(errno.EISDIR);
        }
        if (fvp === tdvp) abort3(errno.EINVAL);
        if (fvp === tvp && fdvp === tdvp && fname === tname) {
          // Renaming a name to itself succeeds without doing anything.
          abort3(0);
          return;
        }
        e = vfs.vop.rename(fdvp, fvp, fnd.cnp, tdvp, tvp, tnd.cnp);
        vfs.mounts.call(mp, 'vfs_renamelock_exit', mp);
        vfs.trans.done(mp);
        this.check(e, `rename ${from} ${to}`);
      } finally {
        tnd.release();
      }
    } finally {
      fnd.release();
    }
  }

  register(): void {
    const k = this.k;
    const m = k.mem;
    const t = k.ksyms;
    t.function('vn_lock', 'vfs', (c) => this.lockK(argKva(c, 0), argLo(c, 1)));
    t.function('vn_close', 'vfs', (c) => {
      const vp = c.arg(0);
      const flags = Number(c.arg(1) & 0xffffffffn);
      this.lock(vp, VF.LK_EXCLUSIVE | VF.LK_RETRY);
      if (flags & FWRITE) this.vfs.vn.setWritecount(vp, this.vfs.vn.writecount(vp) - 1);
      const e = this.vfs.vop.close(vp, flags, c.arg(2));
      this.vfs.vnodes.vput(vp);
      return e;
    });
    // vn_rdwr(rw, vp, base, len, offset, segflg, ioflg, cred, aresid, l)
    t.function('vn_rdwr', 'vfs', (c) => {
      const rw = Number(c.arg(0) & 0xffffffffn);
      const vp = c.arg(1);
      const base = c.arg(2);
      const len = Number(c.arg(3) & 0x7fffffffn);
      const off = BigInt.asIntN(64, c.arg(4));
      const ioflg = Number(c.arg(6) & 0xffffffffn);
      const cred = c.arg(7);
      const aresid = c.arg(8);
      const locked = (ioflg & VF.IO_NODELOCKED) !== 0;
      if (!locked)
        this.lock(vp, (rw === U.UIO_READ ? VF.LK_SHARED : VF.LK_EXCLUSIVE) | VF.LK_RETRY);
      let e: number;
      let done: number;
      try {
        [e, done] = this.rdwrSys(vp, base, len, off, rw, (uio) =>
          rw === U.UIO_READ
            ? this.vfs.vop.read(vp, uio, ioflg, cred)
            : this.vfs.vop.write(vp, uio, ioflg, cred),
        );
      } finally {
        if (!locked) this.vfs.vop.unlock(vp);
      }
      if (aresid !== 0n) m.write64(aresid, BigInt(len - done));
      else if (e === 0 && done !== len) e = errno.EIO;
      return e;
    });
  }
}

/** Decodes NetBSD `struct dirent` records (d_fileno u64, d_reclen u16, d_namlen u16, d_type u8, d_name). */
export function parseDirents(raw: Uint8Array): Dirent[] {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: Dirent[] = [];
  let p = 0;
  while (p + 13 <= raw.length) {
    const reclen = dv.getUint16(p + 8, true);
    if (reclen === 0) break;
    const namlen = dv.getUint16(p + 10, true);
    const fileno = dv.getBigUint64(p, true);
    if (fileno !== 0n) {
      out.push({
        fileno,
        type: raw[p + 12]!,
        name: new TextDecoder().decode(raw.subarray(p + 13, p + 13 + namlen)),
      });
    }
    p += reclen;
  }
  return out;
}
