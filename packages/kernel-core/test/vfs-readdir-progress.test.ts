/**
 * getdents and readdir when VOP_READDIR makes no progress. NetBSD's ufs_readdir, at a directory
 * record with d_reclen 0 (a zeroed block, a hole in the directory, a damaged entry), hands out one
 * 16-byte dirent whose d_reclen is 0 and leaves uio_offset where it was; vn_readdir copies that
 * offset into f_offset, so getdents returns the same 16 bytes for ever. getdents keeps NetBSD's
 * behaviour; readdir (every entry) fails with EIO naming the directory instead of looping.
 *
 * tinyfs cannot make such a directory (fixed slots: its readdir always moves on), so the tinyfs
 * directory vnode here gets a copy of its operations vector whose VOP_READDIR is a TypeScript
 * stand-in following ufs_readdir's rules over a list of records. The real case — ffs.kmod on a
 * damaged copy of the committed tiny FFSv1 fixture — runs when RUMP_TEST_FFS_KMOD is set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { fcntl as O } from '../src/abi/netbsd-10.99/constants.js';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import {
  createKernel,
  ErrnoError,
  type Kernel,
  parseDirents,
  type VnodeFile,
} from '../src/index.js';
import { VOP } from '../src/vfs/vnode_if.js';
import { mountTinyfs } from './helpers.js';

const SEEK_CUR = 1;
const DIRENT_NAMEOFF = 13;
/** _DIRENT_RECLEN: the name, its NUL, rounded up to 8. */
const direntReclen = (namlen: number) => (DIRENT_NAMEOFF + namlen + 1 + 7) & ~7;

/** A directory record as ufs keeps one: its byte offset is the sum of the reclens before it. */
interface Rec {
  ino: number;
  name: string;
  /** 0: the damaged record ufs_readdir stops at. */
  reclen: number;
}

/** "." ".." "x" (ufs reclens 12, 12, 12) and `tail` after them. */
const records = (...tail: Rec[]): Rec[] => [
  { ino: 3, name: '.', reclen: 12 },
  { ino: 2, name: '..', reclen: 12 },
  { ino: 5, name: 'x', reclen: 12 },
  ...tail,
];

function bootTinyfs(): Kernel {
  return mountTinyfs({ d: { type: 'dir', entries: { x: { type: 'file', content: 'x' } } } }).k;
}

/**
 * Gives /mnt/d (held open, so namei finds the same vnode) a VOP_READDIR over `recs` with
 * ufs_readdir's rules: start at the record at uio_offset, copy whole dirents while they fit,
 * stop at d_reclen 0 with a 16-byte dirent whose d_reclen is 0 and the offset unchanged; eof when
 * the offset reaches the records' end. `fail` makes it return that errno after the first record.
 * Returns the held directory, what each call saw, and a function that restores the vector.
 */
function fakeReaddir(k: Kernel, recs: Rec[], fail = 0) {
  const { vfs, mem } = k;
  const dir = vfs.open('/mnt/d', O.O_RDONLY | O.O_DIRECTORY);
  const vp = dir.vp;
  const original = vfs.vn.op(vp);
  const size = 8 * vfs.vop.count;
  const vector = k.kmem.alloc(size, 1, true, 'test vector');
  mem.write(vector, mem.read(original, size));
  const A = k.S.vop_readdir_args;
  const UI = k.S.uio;
  const D = k.S.dirent;
  const calls: { offset: bigint; resid: bigint }[] = [];
  const end = recs.reduce((n, r) => n + r.reclen, 0);
  const impl = vfs.vop.define('test_ufs_like_readdir', 'test', (ap) => {
    const uio = mem.read64(ap + BigInt(A.a_uio.offset));
    const eofp = mem.read64(ap + BigInt(A.a_eofflag.offset));
    const offAddr = uio + BigInt(UI.uio_offset.offset);
    const residAddr = uio + BigInt(UI.uio_resid.offset);
    const start = mem.read64(offAddr);
    calls.push({ offset: start, resid: mem.read64(residAddr) });
    let at = 0;
    let i = 0;
    while (i < recs.length && at < Number(start)) at += recs[i++]!.reclen;
    if (at !== Number(start)) return errno.EINVAL; // not on an entry, as ufs_readdir says
    const buf = k.kmem.alloc(D.$size, 1, true, 'test dirent');
    try {
      for (; i < recs.length; i++) {
        const r = recs[i]!;
        const name = new TextEncoder().encode(r.name);
        const reclen = r.reclen === 0 ? direntReclen(0) : direntReclen(name.length);
        if (Number(mem.read64(residAddr)) < reclen) break;
        mem.fill(buf, reclen, 0);
        mem.write64(buf + BigInt(D.d_fileno.offset), BigInt(r.ino));
        mem.write16(buf + BigInt(D.d_reclen.offset), r.reclen === 0 ? 0 : reclen);
        if (r.reclen !== 0) {
          mem.write16(buf + BigInt(D.d_namlen.offset), name.length);
          mem.write(buf + BigInt(D.d_name.offset), name);
        }
        const e = vfs.vnops.uiomove(buf, reclen, uio);
        if (e) return e;
        // uiomove moved uio_offset by the dirent's size; the cookie is the on-disk position.
        mem.write64(offAddr, BigInt(at + r.reclen));
        if (r.reclen === 0) break;
        at += r.reclen;
        if (fail) return fail;
      }
      if (eofp !== 0n) mem.write32(eofp, at >= end ? 1 : 0);
      return 0;
    } finally {
      k.kmem.free(buf, D.$size, 'test dirent');
    }
  });
  mem.write64(vector + BigInt(8 * VOP.readdir!), impl);
  vfs.vn.setOp(vp, vector);
  const restore = () => {
    vfs.vn.setOp(vp, original);
    vfs.close(dir);
  };
  return { dir, calls, restore };
}

const errnoOf = (fn: () => unknown): ErrnoError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ErrnoError) return e;
    throw e;
  }
  throw new Error('expected an ErrnoError');
};

describe('readdir when VOP_READDIR does not move the offset', () => {
  it('a healthy listing through the stand-in ends normally (the check is not over-eager)', () => {
    const k = bootTinyfs();
    const { calls, restore } = fakeReaddir(k, records({ ino: 6, name: 'y', reclen: 476 }));
    try {
      expect(k.vfs.readdir('/mnt/d').map((e) => e.name)).toEqual(['.', '..', 'x', 'y']);
      expect(calls.map((c) => c.offset)).toEqual([0n, 512n]);
    } finally {
      restore();
    }
  });

  it('getdents at a d_reclen 0 record: 16 bytes, d_reclen 0, the offset stays (as NetBSD)', () => {
    const k = bootTinyfs();
    const { dir, restore } = fakeReaddir(k, [{ ino: 0, name: '', reclen: 0 }]);
    try {
      for (let i = 0; i < 3; i++) {
        const raw = k.vfs.getdents(dir, 8192);
        expect(raw.length).toBe(16);
        expect(new DataView(raw.buffer, raw.byteOffset).getUint16(8, true)).toBe(0);
        expect(parseDirents(raw)).toEqual([]);
        expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(0n);
      }
    } finally {
      restore();
    }
  });

  it('readdir of a directory whose first record is damaged fails with EIO naming it', () => {
    const k = bootTinyfs();
    const { calls, restore } = fakeReaddir(k, [{ ino: 0, name: '', reclen: 0 }]);
    try {
      const e = errnoOf(() => k.vfs.readdir('/mnt/d'));
      expect(e.errno).toBe(errno.EIO);
      expect(e.message).toMatch(
        /readdir \/mnt\/d: getdents returned 16 bytes at offset 0 .*offset at 0/,
      );
      expect(calls.length).toBe(1);
    } finally {
      restore();
    }
  });

  it('readdir that stops at a damaged record after "." fails with EIO at that offset', () => {
    const k = bootTinyfs();
    const bad: Rec[] = [
      { ino: 3, name: '.', reclen: 12 },
      { ino: 0, name: '', reclen: 0 },
    ];
    const { dir, calls, restore } = fakeReaddir(k, bad);
    try {
      // getdents: "." and the 16-byte stop record, offset 12; then the stop record again.
      const first = k.vfs.getdents(dir, 8192);
      expect(first.length).toBe(16 + 16);
      expect(parseDirents(first).map((e) => e.name)).toEqual(['.']);
      expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(12n);
      expect(k.vfs.getdents(dir, 8192).length).toBe(16);
      expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(12n);
      calls.length = 0;
      const e = errnoOf(() => k.vfs.readdir('/mnt/d'));
      expect(e.errno).toBe(errno.EIO);
      expect(e.message).toContain('at offset 12 and left the offset at 12');
      expect(calls.map((c) => c.offset)).toEqual([0n, 12n]);
    } finally {
      restore();
    }
  });

  it('readdir whose offset comes back to an earlier one fails with EIO instead of cycling', () => {
    const k = bootTinyfs();
    // A record whose reclen wraps the 64-bit offset back to 0 (what no sane readdir does).
    const { restore } = fakeReaddir(k, [{ ino: 3, name: '.', reclen: 12 }]);
    const back = fakeReaddirCycle(k);
    try {
      const e = errnoOf(() => k.vfs.readdir('/mnt/d'));
      expect(e.errno).toBe(errno.EIO);
      expect(e.message).toContain('at offset 24 and left the offset at 0');
    } finally {
      back();
      restore();
    }
  });

  it('a failing VOP_READDIR still moves the file offset (vn_readdir sets f_offset first)', () => {
    const k = bootTinyfs();
    const { dir, restore } = fakeReaddir(k, records(), errno.EIO);
    try {
      expect(errnoOf(() => k.vfs.getdents(dir, 8192)).errno).toBe(errno.EIO);
      expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(12n);
    } finally {
      restore();
    }
  });

  it('getdents gives VOP_READDIR at most MAXBSIZE bytes and refuses a non-directory with EINVAL', () => {
    const k = bootTinyfs();
    const { dir, calls, restore } = fakeReaddir(k, records({ ino: 6, name: 'y', reclen: 476 }));
    try {
      k.vfs.getdents(dir, 1 << 20);
      expect(calls[0]!.resid).toBe(0x10000n);
    } finally {
      restore();
    }
    const f: VnodeFile = k.vfs.open('/mnt/d/x', O.O_RDONLY);
    try {
      // vn_readdir: `if (vp->v_type != VDIR) return EINVAL`.
      expect(errnoOf(() => k.vfs.getdents(f, 8192)).errno).toBe(errno.EINVAL);
    } finally {
      k.vfs.close(f);
    }
  });
});

/**
 * Swaps the held /mnt/d's stand-in for one that answers offsets 0 → 24 → 0 → 24 …: the offset
 * moves every call but never reaches the end. Returns the undo.
 */
function fakeReaddirCycle(k: Kernel): () => void {
  const { vfs, mem } = k;
  const f = vfs.open('/mnt/d', O.O_RDONLY | O.O_DIRECTORY);
  const vector = vfs.vn.op(f.vp);
  const slot = vector + BigInt(8 * VOP.readdir!);
  const before = mem.read64(slot);
  const A = k.S.vop_readdir_args;
  const UI = k.S.uio;
  const D = k.S.dirent;
  const impl = vfs.vop.define('test_cycling_readdir', 'test', (ap) => {
    const uio = mem.read64(ap + BigInt(A.a_uio.offset));
    const offAddr = uio + BigInt(UI.uio_offset.offset);
    const start = mem.read64(offAddr);
    const buf = k.kmem.alloc(16, 1, true, 'test dirent');
    mem.write64(buf + BigInt(D.d_fileno.offset), 3n);
    mem.write16(buf + BigInt(D.d_reclen.offset), 16);
    mem.write16(buf + BigInt(D.d_namlen.offset), 1);
    mem.write8(buf + BigInt(D.d_name.offset), 0x2e);
    const e = vfs.vnops.uiomove(buf, 16, uio);
    k.kmem.free(buf, 16, 'test dirent');
    mem.write64(offAddr, start === 0n ? 24n : 0n);
    return e;
  });
  mem.write64(slot, impl);
  return () => {
    mem.write64(slot, before);
    vfs.close(f);
  };
}

// ------------------------------------------------------------------ the real ffs.kmod

const FFS = process.env.RUMP_TEST_FFS_KMOD;
const MODPATH = process.env.RUMP_TEST_MODULE_PATH ?? (FFS ? dirname(FFS) : undefined);
const HAVE_FFS = !!FFS && !!MODPATH && existsSync(FFS) && existsSync(join(MODPATH, 'ufs.kmod'));
const NEED_FFS = '(needs RUMP_TEST_FFS_KMOD, and ufs.kmod beside it or in RUMP_TEST_MODULE_PATH)';
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tiny-ffs1.img.gz');

/** The committed makefs FFSv1 fixture: inode 3 is /a_directory (512 bytes, one fragment). */
const UFS1_INODE3 = 33152;
const DI_DB = 40;

function bootFfs(image: Uint8Array): Kernel {
  const host = new MemoryHost();
  host.addFile('/modules/ufs.kmod', readFileSync(join(MODPATH!, 'ufs.kmod')));
  host.addFile('/host/ffs.kmod', readFileSync(FFS!));
  host.addFile('/host/ffs.img', image);
  const k = createKernel({ host, modulePath: ['/modules'] });
  k.etfs.register('/ffs.kmod', '/host/ffs.kmod', 'REG');
  k.etfs.register('/ffs.img', '/host/ffs.img', 'BLK');
  k.modctl('load', { filename: '/ffs.kmod' });
  k.vfs.mkdir('/mnt');
  k.vfs.mountUfs('ffs', '/ffs.img', '/mnt', 0);
  return k;
}

describe('readdir on a damaged FFS directory (NetBSD ffs.kmod)', () => {
  const image = () => new Uint8Array(gunzipSync(readFileSync(FIXTURE)));

  it.skipIf(!HAVE_FFS)(
    `corruption seed 10: /a_directory's blocks zeroed (a hole, size 512) — getdents stays at 0, readdir gives EIO ${NEED_FFS}`,
    () => {
      const img = image();
      const dv = new DataView(img.buffer);
      expect(dv.getUint16(UFS1_INODE3, true) & 0o170000).toBe(0o040000);
      expect(dv.getUint32(UFS1_INODE3 + DI_DB, true)).not.toBe(0);
      // rump-harness corrupt seed 10 on this image: "zero 37 bytes at +18" of inode 3, which
      // clears the times and di_db[0..3] while di_size stays 512.
      img.fill(0, UFS1_INODE3 + 18, UFS1_INODE3 + 55);
      const k = bootFfs(img);
      const dir = k.vfs.open('/mnt/a_directory', O.O_RDONLY | O.O_DIRECTORY);
      try {
        for (let i = 0; i < 3; i++) {
          const raw = k.vfs.getdents(dir, 8192);
          expect(raw.length).toBe(16);
          expect(new DataView(raw.buffer, raw.byteOffset).getUint16(8, true)).toBe(0);
          expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(0n);
        }
      } finally {
        k.vfs.close(dir);
      }
      const e = errnoOf(() => k.vfs.readdir('/mnt/a_directory'));
      expect(e.errno).toBe(errno.EIO);
      expect(e.message).toContain(
        'readdir /mnt/a_directory: getdents returned 16 bytes at offset 0',
      );
      // The rest of the file system still works.
      expect(k.vfs.readdir('/mnt').map((d) => d.name)).toContain('a_directory');
      k.vfs.unmount('/mnt');
    },
  );

  it.skipIf(!HAVE_FFS)(
    `a d_reclen 0 entry after "." in /a_directory — readdir gives EIO at offset 12 ${NEED_FFS}`,
    () => {
      const img = image();
      const dv = new DataView(img.buffer);
      const block = dv.getUint32(UFS1_INODE3 + DI_DB, true) * 1024; // fsize 1024
      expect(dv.getUint16(block + 4, true)).toBe(12); // "." 's reclen
      expect(dv.getUint16(block + 12 + 4, true)).toBe(12); // ".." 's reclen
      dv.setUint16(block + 12 + 4, 0, true);
      const k = bootFfs(img);
      const dir = k.vfs.open('/mnt/a_directory', O.O_RDONLY | O.O_DIRECTORY);
      try {
        expect(parseDirents(k.vfs.getdents(dir, 8192)).map((d) => d.name)).toEqual(['.']);
        expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(12n);
        expect(k.vfs.getdents(dir, 8192).length).toBe(16);
        expect(k.vfs.lseek(dir, 0, SEEK_CUR)).toBe(12n);
      } finally {
        k.vfs.close(dir);
      }
      const e = errnoOf(() => k.vfs.readdir('/mnt/a_directory'));
      expect(e.errno).toBe(errno.EIO);
      expect(e.message).toContain('at offset 12 and left the offset at 12');
      k.vfs.unmount('/mnt');
    },
  );
});
