/**
 * FileSystemApi.readdir on a directory whose getdents returns bytes without moving the offset
 * (NetBSD's ufs_readdir at a d_reclen 0 record: a 16-byte dirent with d_reclen 0, uio_offset
 * unchanged). getdents(2) keeps doing that, as in NetBSD; readdir fails with EIO naming the
 * directory instead of looping for ever. tinyfs's readdir always moves on, so the held /mnt/d
 * vnode gets a copy of its vector whose VOP_READDIR follows ufs_readdir's rule for
 * ".", then a damaged record.
 */
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { decodeDirents, O, type Rump, SEEK, SyscallError } from '../src/index.js';
import { bootTinyfs, mkfsTinyfs } from './support.js';

function boot(): Rump {
  const host = new MemoryHost();
  host.addFile(
    '/host/fs.img',
    mkfsTinyfs({ entries: { d: { type: 'dir', entries: { x: { type: 'file', content: 'x' } } } } }),
  );
  const rump = bootTinyfs(host);
  rump.sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
  return rump;
}

/**
 * /mnt/d's VOP_READDIR becomes: at offset 0, "." (16 bytes) and the offset moves to 12 (its ufs
 * reclen); at 12, a 16-byte record with d_reclen 0 and the offset left at 12. Holds the directory
 * open (so namei finds this vnode) until the returned undo runs.
 */
function damageAfterDot(rump: Rump): () => void {
  const k = rump.kernel;
  const { vfs, mem } = k;
  const dir = vfs.open('/mnt/d', O.RDONLY | O.DIRECTORY);
  const original = vfs.vn.op(dir.vp);
  const size = 8 * vfs.vop.count;
  const vector = k.kmem.alloc(size, 1, true, 'test vector');
  mem.write(vector, mem.read(original, size));
  const desc = k.ksyms.resolve('vop_readdir_desc')!;
  const slot = mem.read32(desc + BigInt(k.S.vnodeop_desc.vdesc_offset.offset));
  const A = k.S.vop_readdir_args;
  const UI = k.S.uio;
  const D = k.S.dirent;
  const impl = vfs.vop.define('test_damaged_readdir', 'test', (ap) => {
    const uio = mem.read64(ap + BigInt(A.a_uio.offset));
    const offAddr = uio + BigInt(UI.uio_offset.offset);
    const start = mem.read64(offAddr);
    const buf = k.kmem.alloc(32, 1, true, 'test dirents');
    try {
      let n = 0;
      if (start === 0n) {
        mem.write64(buf + BigInt(D.d_fileno.offset), 3n);
        mem.write16(buf + BigInt(D.d_reclen.offset), 16);
        mem.write16(buf + BigInt(D.d_namlen.offset), 1);
        mem.write8(buf + BigInt(D.d_name.offset), 0x2e);
        n = 16;
      }
      // The stop record: 16 bytes, d_reclen 0 (the rest left as it is, as ufs_readdir does).
      const e = vfs.vnops.uiomove(buf, n + 16, uio);
      mem.write64(offAddr, 12n);
      return e;
    } finally {
      k.kmem.free(buf, 32, 'test dirents');
    }
  });
  mem.write64(vector + BigInt(8 * slot), impl);
  vfs.vn.setOp(dir.vp, vector);
  return () => {
    vfs.vn.setOp(dir.vp, original);
    vfs.close(dir);
  };
}

describe('FileSystemApi.readdir and a directory that makes no progress', () => {
  it('getdents returns the stop record at the same offset again and again (as NetBSD)', () => {
    const rump = boot();
    const undo = damageAfterDot(rump);
    try {
      const { sys } = rump;
      const fd = sys.open('/mnt/d', O.RDONLY | O.DIRECTORY);
      const buf = new Uint8Array(8192);
      expect(sys.getdents(fd, buf)).toBe(32);
      expect(decodeDirents(buf.subarray(0, 32)).map((e) => e.name)).toEqual(['.']);
      for (let i = 0; i < 3; i++) {
        expect(sys.lseek(fd, 0, SEEK.CUR)).toBe(12n);
        expect(sys.getdents(fd, buf)).toBe(16);
      }
      sys.close(fd);
    } finally {
      undo();
    }
  });

  it('readdir fails with EIO naming the directory and the offset instead of looping', () => {
    const rump = boot();
    expect(rump.fs.readdir('/mnt/d').map((e) => e.name)).toEqual(['x']);
    const undo = damageAfterDot(rump);
    try {
      let err: unknown;
      try {
        rump.fs.readdir('/mnt/d');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SyscallError);
      const se = err as SyscallError;
      expect(se.code).toBe('EIO');
      expect(se.syscall).toBe('getdents');
      expect(se.message).toContain('/mnt/d: 16 bytes at offset 12 left the offset at 12');
      // The descriptor was closed: only the test's own hold remains, and other folders list.
      expect(rump.fs.readdir('/mnt').map((e) => e.name)).toEqual(['d']);
    } finally {
      undo();
    }
    expect(rump.fs.readdir('/mnt/d').map((e) => e.name)).toEqual(['x']);
  });
});
