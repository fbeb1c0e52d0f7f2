import { describe, expect, it } from 'vitest';
import { vnode as V_ } from '../src/abi/netbsd-10.99/constants.js';
import { KernelPanic } from '../src/errors.js';
import { ubc } from '../src/uvm/uvm_bio.js';
import { pg } from '../src/uvm/uvm_page.js';
import { pgo } from '../src/uvm/uvm_vnode.js';
import {
  attachGenfsNode,
  blockVnode,
  bootIo,
  fileVnode,
  patterned,
  sameBytes,
  sysUio,
} from './support/io.js';

const IMG = 2 * 1024 * 1024;

function setup() {
  const img = patterned(IMG);
  const { k, host } = bootIo({ '/disk.img': img });
  const d = k.io.rumpblk.attach('/disk.img');
  const devvp = blockVnode(k, d.dev);
  attachGenfsNode(k, devvp);
  k.io.uvn.setsize(devvp, BigInt(IMG));
  return { k, host, img, devvp, blk: k.io.rumpblk, pages: k.io.pages };
}

/** ubc_uiomove of `len` bytes at `off` into a fresh kernel buffer; returns the bytes and the error. */
function ubcRead(
  k: ReturnType<typeof setup>['k'],
  vp: bigint,
  off: number,
  len: number,
): [number, Uint8Array] {
  const buf = k.kmem.alloc(len, 1, true);
  const uio = sysUio(k, buf, len, off, false);
  const err = k.io.ubc.uiomove(vp, uio, BigInt(len), 0, ubc.UBC_READ | ubc.UBC_PARTIALOK);
  return [err, k.mem.read(buf, len)];
}

function ubcWrite(
  k: ReturnType<typeof setup>['k'],
  vp: bigint,
  off: number,
  bytes: Uint8Array,
): number {
  const buf = k.kmem.alloc(bytes.length, 1, true);
  k.mem.write(buf, bytes);
  const uio = sysUio(k, buf, bytes.length, off, true);
  return k.io.ubc.uiomove(vp, uio, BigInt(bytes.length), 0, ubc.UBC_WRITE);
}

function putpages(k: ReturnType<typeof setup>['k'], vp: bigint, flags: number): number {
  k.io.uvn.lock(vp);
  return k.vfs.vop.putpages(vp, 0n, 0n, flags);
}

describe('page cache', () => {
  it('ubc_uiomove reads a block device through VOP_GETPAGES; resident pages are not read again', () => {
    const { k, img, devvp, blk, pages } = setup();
    const [err, got] = ubcRead(k, devvp, 1000, 10000);
    expect(err).toBe(0);
    expect(sameBytes(got, img.subarray(1000, 11000))).toBe(true);
    expect(pages.npages(devvp)).toBe(3);
    expect(k.mem.read32(devvp + BigInt(k.S.uvm_object.uo_npages.offset))).toBe(3);
    expect(k.mem.read32(devvp + BigInt(k.S.vnode.v_iflag.offset)) & V_.VI_PAGES).toBe(V_.VI_PAGES);
    for (const [, p] of pages.pagesOf(devvp)) {
      expect(pages.flags(p) & (pg.PG_BUSY | pg.PG_FAKE)).toBe(0);
      expect(pages.getdirty(p)).toBe(1);
    }
    const ios = blk.stats.ios;
    const hits = k.io.genfs.stats.pageHits;
    const [err2, again] = ubcRead(k, devvp, 4096, 8192);
    expect(err2).toBe(0);
    expect(sameBytes(again, img.subarray(4096, 12288))).toBe(true);
    expect(blk.stats.ios).toBe(ios);
    expect(k.io.genfs.stats.pageHits - hits).toBe(2);
    expect(k.io.genfs.stats.pageMisses).toBe(3);
    expect(k.io.ubc.stats.bytesRead).toBe(10000 + 8192);
  });

  it('writes dirty the pages and put the vnode on the syncer list; putpages writes them back once', () => {
    const { k, host, devvp, blk, pages } = setup();
    const data = new Uint8Array(6000).fill(0xc3);
    expect(ubcWrite(k, devvp, 5000, data)).toBe(0);
    expect(k.mem.read32(devvp + BigInt(k.S.vnode.v_iflag.offset)) & V_.VI_ONWORKLST).toBe(
      V_.VI_ONWORKLST,
    );
    const dirty = pages
      .pagesOf(devvp)
      .filter(([, p]) => pages.getdirty(p) !== 1)
      .map(([i]) => i);
    expect(dirty).toEqual([1, 2]);
    expect(host.readFile('/disk.img')[5000]).not.toBe(0xc3);
    const before = blk.stats.bytesWritten;
    expect(putpages(k, devvp, pgo.PGO_CLEANIT | pgo.PGO_SYNCIO | pgo.PGO_ALLPAGES)).toBe(0);
    expect(blk.stats.bytesWritten - before).toBe(8192);
    const disk = host.readFile('/disk.img');
    expect(disk.subarray(5000, 11000).every((b) => b === 0xc3)).toBe(true);
    expect(disk[4999]).not.toBe(0xc3);
    expect(k.mem.read32(devvp + BigInt(k.S.vnode.v_iflag.offset)) & V_.VI_ONWORKLST).toBe(0);
    expect(pages.pagesOf(devvp).every(([, p]) => pages.getdirty(p) === 1)).toBe(true);
    expect(putpages(k, devvp, pgo.PGO_CLEANIT | pgo.PGO_SYNCIO | pgo.PGO_ALLPAGES)).toBe(0);
    expect(blk.stats.bytesWritten - before).toBe(8192);
    // PGO_FREE takes the pages out of the object; VI_PAGES goes with the last one.
    expect(putpages(k, devvp, pgo.PGO_FREE | pgo.PGO_ALLPAGES | pgo.PGO_SYNCIO)).toBe(0);
    expect(pages.npages(devvp)).toBe(0);
    expect(k.mem.read32(devvp + BigInt(k.S.vnode.v_iflag.offset)) & V_.VI_PAGES).toBe(0);
  });

  it('a file with a hole: mapped blocks come from their sectors, the hole reads zeros (PG_RDONLY)', () => {
    const { k, img, devvp, pages } = setup();
    const size = 3 * 4096 + 100;
    const map = new Map([
      [0, 64],
      [1, -1],
      [2, 96],
      [3, 128],
    ]);
    const vp = fileVnode(k, devvp, size, map);
    const [err, got] = ubcRead(k, vp, 0, size);
    expect(err).toBe(0);
    expect(sameBytes(got.subarray(0, 4096), img.subarray(64 * 512, 64 * 512 + 4096))).toBe(true);
    expect(got.subarray(4096, 8192).every((b) => b === 0)).toBe(true);
    expect(sameBytes(got.subarray(8192, 12288), img.subarray(96 * 512, 96 * 512 + 4096))).toBe(
      true,
    );
    expect(sameBytes(got.subarray(12288), img.subarray(128 * 512, 128 * 512 + 100))).toBe(true);
    const hole = pages.lookup(vp, 4096n);
    expect(pages.flags(hole) & pg.PG_RDONLY).toBe(pg.PG_RDONLY);
    expect(pages.flags(pages.lookup(vp, 0n)) & pg.PG_RDONLY).toBe(0);
    // Reading at or past the end of the file (no PGO_PASTEOF) is EINVAL from the pager.
    const [past] = ubcRead(k, vp, 5 * 4096, 10);
    expect(past).toBe(22);
  });

  it('file writes land in the mapped sectors, and never past the block-rounded end of file', () => {
    const { k, host, img, devvp } = setup();
    const size = 2 * 4096 + 10;
    const vp = fileVnode(
      k,
      devvp,
      size,
      new Map([
        [0, 200],
        [1, 216],
        [2, 240],
      ]),
    );
    const data = patterned(5000).map((b) => b ^ 0xff);
    expect(ubcWrite(k, vp, 3000, data)).toBe(0);
    expect(putpages(k, vp, pgo.PGO_CLEANIT | pgo.PGO_SYNCIO | pgo.PGO_ALLPAGES)).toBe(0);
    const disk = host.readFile('/disk.img');
    // bytes 3000..4095 of block 0 at sector 200, 4096..7999 of block 1 at sector 216
    expect(
      sameBytes(disk.subarray(200 * 512 + 3000, 200 * 512 + 4096), data.subarray(0, 1096)),
    ).toBe(true);
    expect(sameBytes(disk.subarray(216 * 512, 216 * 512 + 3904), data.subarray(1096))).toBe(true);
    // the rest of those blocks kept what was read from disk first
    expect(
      sameBytes(
        disk.subarray(200 * 512, 200 * 512 + 3000),
        img.subarray(200 * 512, 200 * 512 + 3000),
      ),
    ).toBe(true);
    // untouched block 2 (clean page) was not written; nothing between the blocks moved
    expect(sameBytes(disk.subarray(208 * 512, 216 * 512), img.subarray(208 * 512, 216 * 512))).toBe(
      true,
    );
    expect(sameBytes(disk.subarray(240 * 512, 248 * 512), img.subarray(240 * 512, 248 * 512))).toBe(
      true,
    );
  });

  it('uvm_vnp_setsize frees pages past a shrinking end; ubc_zerorange zeroes and dirties', () => {
    const { k, devvp, pages } = setup();
    ubcRead(k, devvp, 0, 5 * 4096);
    expect(pages.npages(devvp)).toBe(5);
    k.io.uvn.setsize(devvp, 8192n + 1n);
    expect(pages.pagesOf(devvp).map(([i]) => i)).toEqual([0, 1, 2]);
    expect(k.io.uvn.size(devvp)).toBe(8193n);
    expect(k.io.uvn.writesize(devvp)).toBe(8193n);
    k.io.uvn.setwritesize(devvp, 20000n);
    expect(k.io.uvn.writesize(devvp)).toBe(20000n);
    expect(() => k.io.uvn.setwritesize(devvp, 100n)).toThrow(KernelPanic);
    const { k: k2, devvp: d2, pages: p2 } = setup();
    ubcRead(k2, d2, 0, 8192);
    k2.io.ubc.zerorange(d2, 100n, 5000n);
    const [, got] = ubcRead(k2, d2, 0, 8192);
    expect(got.subarray(100, 5100).every((b) => b === 0)).toBe(true);
    expect(got[99]).not.toBe(0);
    expect(p2.pagesOf(d2).map(([, p]) => p2.getdirty(p))).toEqual([2, 2]);
  });

  it('page rules are enforced: object lock held, unbusy only busy pages', () => {
    const { k, devvp, pages } = setup();
    ubcRead(k, devvp, 0, 4096);
    const p = pages.lookup(devvp, 0n);
    expect(() => pages.markdirty(p, 2)).toThrow(/rw_write_held/);
    const { k: k2, devvp: d2, pages: p2 } = setup();
    ubcRead(k2, d2, 0, 4096);
    k2.io.uvn.lock(d2);
    expect(() => p2.unbusy([p2.lookup(d2, 0n)])).toThrow(/PG_BUSY/);
  });

  it('past maxResident, clean idle pages are reclaimed least recently used first; dirty ones never', () => {
    const { k, img, devvp, pages, blk } = setup();
    pages.maxResident = 16;
    // 12 dirty pages stay, whatever the pressure.
    expect(ubcWrite(k, devvp, 0, new Uint8Array(12 * 4096).fill(0x42))).toBe(0);
    // One 1 MiB transfer goes through in windows of 64 pages; earlier windows make room.
    const [err, got] = ubcRead(k, devvp, 64 * 1024, 1024 * 1024);
    expect(err).toBe(0);
    expect(sameBytes(got, img.subarray(64 * 1024, 64 * 1024 + 1024 * 1024))).toBe(true);
    expect(pages.stats.reclaimed).toBeGreaterThan(150);
    expect(pages.stats.resident).toBeLessThanOrEqual(12 + 64 + 16);
    const dirty = pages
      .pagesOf(devvp)
      .filter(([, p]) => pages.getdirty(p) !== 1)
      .map(([i]) => i);
    expect(dirty).toEqual([...Array(12).keys()]);
    // Reclaimed pages come back from the disk with the right bytes.
    const ios = blk.stats.ios;
    const [, again] = ubcRead(k, devvp, 64 * 1024, 64 * 1024);
    expect(sameBytes(again, img.subarray(64 * 1024, 128 * 1024))).toBe(true);
    expect(blk.stats.ios).toBeGreaterThan(ios);
    expect(putpages(k, devvp, pgo.PGO_CLEANIT | pgo.PGO_SYNCIO | pgo.PGO_ALLPAGES)).toBe(0);
    const [, mine] = ubcRead(k, devvp, 0, 12 * 4096);
    expect(mine.every((b) => b === 0x42)).toBe(true);
  });
});
