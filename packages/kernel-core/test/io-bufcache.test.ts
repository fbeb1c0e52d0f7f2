import { describe, expect, it } from 'vitest';
import { buf as B_, vnode as V_ } from '../src/abi/netbsd-10.99/constants.js';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import { KernelPanic } from '../src/errors.js';
import { NOLIST } from '../src/vfs/vfs_bio.js';
import { blockVnode, bootIo, bufField, patterned, sameBytes } from './support/io.js';

const IMG = 256 * 1024;

function setup(readOnly = false) {
  const img = patterned(IMG);
  const { k, host } = readOnly ? bootIo({}, { '/disk.img': img }) : bootIo({ '/disk.img': img });
  const d = k.io.rumpblk.attach('/disk.img');
  const vp = blockVnode(k, d.dev);
  return { k, host, img, d, vp, bc: k.io.bufcache, blk: k.io.rumpblk };
}

describe('buffer cache', () => {
  it('bread reads through VOP_STRATEGY once; a second bread of the block is a cache hit', () => {
    const { k, img, vp, bc, blk, d } = setup();
    const V = k.S.vnode;
    const [e1, bp] = bc.bread(vp, 16, 2048, 0);
    expect(e1).toBe(0);
    expect(k.mem.read(bc.data(bp), 2048)).toEqual(img.subarray(16 * 512, 16 * 512 + 2048));
    expect(blk.stats.ios).toBe(1);
    // The buf as modules see it: busy, done, on the vnode's clean list, holding the vnode.
    expect(bc.cflags(bp) & B_.BC_BUSY).toBe(B_.BC_BUSY);
    expect(bc.oflags(bp) & B_.BO_DONE).toBe(B_.BO_DONE);
    expect(bc.bvp(bp)).toBe(vp);
    expect(k.mem.read64(bp + BigInt(k.S.buf.b_dev.offset))).toBe(d.dev);
    expect(k.mem.read64(vp + BigInt(V.v_cleanblkhd.offset))).toBe(bp);
    expect(k.mem.read32(vp + BigInt(V.v_holdcnt.offset))).toBe(1);
    expect(bufField(k, bp, 'b_bcount')).toBe(2048);
    bc.brelse(bp, 0);
    expect(bc.cflags(bp) & B_.BC_BUSY).toBe(0);
    const [e2, bp2] = bc.bread(vp, 16, 2048, 0);
    expect(e2).toBe(0);
    expect(bp2).toBe(bp);
    expect(blk.stats.ios).toBe(1);
    expect(bc.stats.hits).toBe(1);
    bc.brelse(bp2, 0);
  });

  it('bdwrite keeps the block dirty (VI_ONWORKLST) until vflushbuf writes it, once', () => {
    const { k, host, vp, bc, blk } = setup();
    const V = k.S.vnode;
    const bp = bc.getblk(vp, 40, 1024);
    k.mem.fill(bc.data(bp), 1024, 0x5a);
    bc.bdwrite(bp);
    expect(bc.oflags(bp) & B_.BO_DELWRI).toBe(B_.BO_DELWRI);
    expect(k.mem.read64(vp + BigInt(V.v_dirtyblkhd.offset))).toBe(bp);
    expect(k.mem.read64(vp + BigInt(V.v_cleanblkhd.offset))).toBe(0n);
    expect(k.mem.read32(vp + BigInt(V.v_iflag.offset)) & V_.VI_ONWORKLST).toBe(V_.VI_ONWORKLST);
    expect(blk.stats.ios).toBe(0);
    expect(host.readFile('/disk.img')[40 * 512]).not.toBe(0x5a);
    // A delayed-write buf is valid: bread of it does no I/O.
    const [, again] = bc.bread(vp, 40, 1024, 0);
    expect(again).toBe(bp);
    expect(blk.stats.ios).toBe(0);
    bc.bdwrite(again);
    expect(bc.vflushbuf(vp, V_.FSYNC_WAIT)).toBe(0);
    expect(blk.stats.ios).toBe(1);
    expect(blk.stats.bytesWritten).toBe(1024);
    const disk = host.readFile('/disk.img');
    expect(disk.subarray(40 * 512, 42 * 512).every((b) => b === 0x5a)).toBe(true);
    expect(k.mem.read64(vp + BigInt(V.v_dirtyblkhd.offset))).toBe(0n);
    expect(k.mem.read64(vp + BigInt(V.v_cleanblkhd.offset))).toBe(bp);
    expect(k.mem.read32(vp + BigInt(V.v_iflag.offset)) & V_.VI_ONWORKLST).toBe(0);
    expect(k.mem.read32(vp + BigInt(V.v_numoutput.offset))).toBe(0);
    // Flushing again writes nothing.
    expect(bc.vflushbuf(vp, V_.FSYNC_WAIT)).toBe(0);
    expect(blk.stats.ios).toBe(1);
  });

  it('brelse: BC_INVAL and BC_NOCACHE drop the block and release the vnode; errors invalidate', () => {
    const { k, vp, bc, blk } = setup();
    const V = k.S.vnode;
    const [, a] = bc.bread(vp, 0, 512, 0);
    bc.brelse(a, B_.BC_INVAL);
    expect(bc.incore(vp, 0)).toBe(0n);
    expect(k.mem.read32(vp + BigInt(V.v_holdcnt.offset))).toBe(0);
    expect(k.mem.read64(vp + BigInt(V.v_cleanblkhd.offset))).toBe(0n);
    const [, b] = bc.bread(vp, 0, 512, 0);
    expect(blk.stats.ios).toBe(2);
    bc.brelse(b, B_.BC_NOCACHE);
    expect(bc.incore(vp, 0)).toBe(0n);
    // Past the end of the disk: EINVAL from the driver, the buf is gone and bread reports it.
    const [err, none] = bc.bread(vp, IMG / 512 + 8, 512, 0);
    expect(err).toBe(errno.EINVAL);
    expect(none).toBe(0n);
    expect(bc.incore(vp, IMG / 512 + 8)).toBe(0n);
    expect(bc.stats.buffers).toBe(0);
    expect(k.mem.read32(vp + BigInt(V.v_holdcnt.offset))).toBe(0);
  });

  it('bwrite is synchronous and leaves a clean cached block; vinvalbuf(V_SAVE) writes delayed blocks first', () => {
    const { k, host, vp, bc, blk } = setup();
    const bp = bc.getblk(vp, 64, 512);
    k.mem.fill(bc.data(bp), 512, 0x11);
    expect(bc.bwrite(bp)).toBe(0);
    expect(host.readFile('/disk.img')[64 * 512]).toBe(0x11);
    expect(bc.incore(vp, 64)).toBe(bp);
    expect(bc.cflags(bp) & B_.BC_BUSY).toBe(0);
    const d = bc.getblk(vp, 80, 512);
    k.mem.fill(bc.data(d), 512, 0x22);
    bc.bdwrite(d);
    const ios = blk.stats.ios;
    expect(bc.vinvalbuf(vp, V_.V_SAVE, 0n)).toBe(0);
    expect(blk.stats.ios).toBe(ios + 1);
    expect(host.readFile('/disk.img')[80 * 512]).toBe(0x22);
    expect(bc.cachedBlocks(vp)).toEqual([]);
    expect(bc.stats.buffers).toBe(0);
  });

  it('vinvalbuf without V_SAVE throws delayed writes away; vtruncbuf drops blocks from lbn on', () => {
    const { k, host, img, vp, bc } = setup();
    for (const bn of [1, 2, 3, 4]) {
      const bp = bc.getblk(vp, bn, 512);
      k.mem.fill(bc.data(bp), 512, 0x33);
      bc.bdwrite(bp);
    }
    expect(bc.vtruncbuf(vp, 3)).toBe(0);
    expect(bc.cachedBlocks(vp)).toEqual([1, 2]);
    expect(bc.vinvalbuf(vp, 0, 0n)).toBe(0);
    expect(bc.cachedBlocks(vp)).toEqual([]);
    expect(sameBytes(host.readFile('/disk.img'), img)).toBe(true);
    expect(k.mem.read32(vp + BigInt(k.S.vnode.v_iflag.offset)) & V_.VI_ONWORKLST).toBe(0);
  });

  it('breadn reads ahead into the cache, released; allocbuf keeps contents when growing', () => {
    const { k, img, vp, bc, blk } = setup();
    const [, bp] = bc.breadn(
      vp,
      8,
      512,
      [
        [9, 512],
        [10, 1024],
      ],
      0,
    );
    expect(blk.stats.ios).toBe(3);
    expect(bc.cachedBlocks(vp)).toEqual([8, 9, 10]);
    const ra = bc.incore(vp, 10);
    expect(bc.cflags(ra) & B_.BC_BUSY).toBe(0);
    expect(k.mem.read(bc.data(ra), 1024)).toEqual(img.subarray(10 * 512, 12 * 512));
    bc.allocbuf(bp, 1024, true);
    expect(bufField(k, bp, 'b_bcount')).toBe(1024);
    expect(k.mem.read(bc.data(bp), 512)).toEqual(img.subarray(8 * 512, 9 * 512));
    bc.brelse(bp, 0);
  });

  it('on a read-only disk a write fails with EROFS and the image is untouched', () => {
    const { k, host, img, vp, bc } = setup(true);
    const bp = bc.getblk(vp, 2, 512);
    k.mem.fill(bc.data(bp), 512, 0x77);
    expect(bc.bwrite(bp)).toBe(errno.EROFS);
    expect(bc.incore(vp, 2)).toBe(0n);
    expect(sameBytes(host.readFile('/disk.img'), img)).toBe(true);
  });

  it('modules reach it through the symbol table: bread/brelse via guest calls, b_vnbufs lists in guest memory', () => {
    const { k, img, vp, bc } = setup();
    const bpp = k.kmem.alloc(8, 1, true);
    const err = k.callGuest(k.ksyms.resolve('bread')!, vp, 3, 512, 0, bpp);
    expect(err).toBe(0n);
    const bp = k.mem.read64(bpp);
    expect(k.mem.read(bc.data(bp), 512)).toEqual(img.subarray(3 * 512, 4 * 512));
    expect(k.mem.read64(bp + BigInt(k.S.buf.b_lblkno.offset))).toBe(3n);
    k.callGuest(k.ksyms.resolve('brelse')!, bp, 0);
    const [, b2] = bc.bread(vp, 4, 512, 0);
    // LIST_INSERT_HEAD: newest first, le_prev chains back to the head.
    const head = vp + BigInt(k.S.vnode.v_cleanblkhd.offset);
    const next = BigInt(k.S.buf.b_vnbufs.offset);
    expect(k.mem.read64(head)).toBe(b2);
    expect(k.mem.read64(b2 + next)).toBe(bp);
    expect(k.mem.read64(bp + next)).toBe(0n);
    expect(k.mem.read64(bp + next + 8n)).toBe(b2 + next);
    bc.brelse(b2, B_.BC_INVAL);
    expect(k.mem.read64(head)).toBe(bp);
    expect(k.mem.read64(b2 + next)).toBe(NOLIST);
  });

  it('diagnoses what would hang or corrupt: getblk of a busy block, biodone twice', () => {
    const a = setup();
    a.bc.getblk(a.vp, 5, 512);
    expect(() => a.bc.getblk(a.vp, 5, 512)).toThrow(KernelPanic);
    const b = setup();
    const bp = b.bc.getblk(b.vp, 5, 512);
    b.k.mem.write32(bp + BigInt(b.k.S.buf.b_flags.offset), B_.B_READ);
    b.bc.biodone(bp);
    expect(() => b.bc.biodone(bp)).toThrow(/biodone2 already/);
  });

  it('past maxBytes, idle clean bufs are evicted oldest first; delayed writes stay until written', () => {
    const { k, host, vp, bc } = setup();
    bc.maxBytes = 4096;
    const d = bc.getblk(vp, 100, 1024);
    k.mem.fill(bc.data(d), 1024, 0x99);
    bc.bdwrite(d);
    for (let bn = 0; bn < 20; bn++) {
      const [e, bp] = bc.bread(vp, bn * 2, 1024, 0);
      expect(e).toBe(0);
      bc.brelse(bp, 0);
    }
    expect(bc.stats.evicted).toBeGreaterThan(10);
    expect(bc.stats.bytes).toBeLessThanOrEqual(4096 + 1024);
    expect(bc.incore(vp, 100)).toBe(d);
    expect(bc.incore(vp, 0)).toBe(0n);
    expect(bc.incore(vp, 38)).not.toBe(0n);
    expect(bc.vflushbuf(vp, V_.FSYNC_WAIT)).toBe(0);
    expect(host.readFile('/disk.img')[100 * 512]).toBe(0x99);
  });
});
