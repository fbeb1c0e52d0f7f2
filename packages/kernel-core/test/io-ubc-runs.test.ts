import { describe, expect, it } from 'vitest';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import { ubc } from '../src/uvm/uvm_bio.js';
import { attachGenfsNode, blockVnode, bootIo, patterned, sameBytes, sysUio } from './support/io.js';

const IMG = 1024 * 1024;
const KWIN = 0xffff_ffff_8000_0000n;

function setup() {
  const img = patterned(IMG);
  const { k } = bootIo({ '/disk.img': img });
  const d = k.io.rumpblk.attach('/disk.img');
  const devvp = blockVnode(k, d.dev);
  attachGenfsNode(k, devvp);
  k.io.uvn.setsize(devvp, BigInt(IMG));
  return { k, img, devvp };
}

describe('ubc_uiomove copies', () => {
  it('moves a multi-page window whose frames are adjacent in one go, byte-exact at odd ends', () => {
    const { k, img, devvp } = setup();
    const len = 5 * 4096 + 123;
    const buf = k.kmem.alloc(len, 1, true);
    const uio = sysUio(k, buf, len, 777, false);
    expect(k.io.ubc.uiomove(devvp, uio, BigInt(len), 0, ubc.UBC_READ)).toBe(0);
    expect(sameBytes(k.mem.read(buf, len), img.subarray(777, 777 + len))).toBe(true);
    expect(k.mem.read64(uio + BigInt(k.S.uio.uio_resid.offset))).toBe(0n);
    expect(k.mem.read64(uio + BigInt(k.S.uio.uio_offset.offset))).toBe(BigInt(777 + len));
    // Written back through the same path: the pages become dirty with the new bytes.
    const data = new Uint8Array(len).map((_, i) => (i * 7) & 0xff);
    k.mem.write(buf, data);
    const wuio = sysUio(k, buf, len, 777, true);
    expect(k.io.ubc.uiomove(devvp, wuio, BigInt(len), 0, ubc.UBC_WRITE)).toBe(0);
    const back = k.kmem.alloc(len, 1, true);
    const ruio = sysUio(k, back, len, 777, false);
    expect(k.io.ubc.uiomove(devvp, ruio, BigInt(len), 0, ubc.UBC_READ)).toBe(0);
    expect(sameBytes(k.mem.read(back, len), data)).toBe(true);
  });

  it('an iovec running into unmapped memory stops at the page where rump stops (EFAULT)', () => {
    const { k, img, devvp } = setup();
    // The page cache's first frames back the window for a full cache: take them first (a read
    // far from the pages below), so that the window's end stays where it is measured here.
    const warm = k.kmem.alloc(4096, 1, true);
    const wuio = sysUio(k, warm, 4096, 512 * 1024, false);
    expect(k.io.ubc.uiomove(devvp, wuio, 4096n, 0, ubc.UBC_READ)).toBe(0);
    // The destination's first 5000 bytes are the last bytes of the backed kernel window; the
    // rest lies past it (unmapped). rump copies page by page: page 0 arrives, page 1 faults.
    const base = KWIN + BigInt(k.mem.windowSize - 5000);
    const uio = sysUio(k, base, 3 * 4096, 0, false);
    const err = k.io.ubc.uiomove(devvp, uio, BigInt(3 * 4096), 0, ubc.UBC_READ);
    expect(err).toBe(errno.EFAULT);
    expect(k.mem.read64(uio + BigInt(k.S.uio.uio_resid.offset))).toBe(BigInt(2 * 4096));
    expect(k.mem.read64(uio + BigInt(k.S.uio.uio_offset.offset))).toBe(4096n);
    expect(sameBytes(k.mem.read(base, 4096), img.subarray(0, 4096))).toBe(true);
    // The pages were unbusied on the way out: the next read finds them idle.
    const buf = k.kmem.alloc(4096, 1, true);
    const again = sysUio(k, buf, 4096, 4096, false);
    expect(k.io.ubc.uiomove(devvp, again, 4096n, 0, ubc.UBC_READ)).toBe(0);
    expect(sameBytes(k.mem.read(buf, 4096), img.subarray(4096, 8192))).toBe(true);
  });

  it("a page allocated while the reclaim frees its object's last page stays in the object", () => {
    const a = patterned(IMG);
    const b = patterned(IMG).reverse();
    const { k } = bootIo({ '/a.img': a, '/b.img': b });
    const vps = ['/a.img', '/b.img'].map((path) => {
      const vp = blockVnode(k, k.io.rumpblk.attach(path).dev);
      attachGenfsNode(k, vp);
      k.io.uvn.setsize(vp, BigInt(IMG));
      return vp;
    });
    const [va, vb] = vps as [bigint, bigint];
    const pages = k.io.pages;
    pages.maxResident = 16;
    const read = (vp: bigint, off: number, len: number) => {
      const buf = k.kmem.alloc(len, 1, true);
      const uio = sysUio(k, buf, len, off, false);
      expect(k.io.ubc.uiomove(vp, uio, BigInt(len), 0, ubc.UBC_READ)).toBe(0);
      return k.mem.read(buf, len);
    };
    // One page of A (the least recently used), then 15 of B: the cache is full.
    read(va, 0, 4096);
    read(vb, 0, 15 * 4096);
    expect(pages.npages(va)).toBe(1);
    // The next page of A makes the reclaim free A's only page while A's new page goes in.
    expect(sameBytes(read(va, 8192, 4096), a.subarray(8192, 12288))).toBe(true);
    expect(pages.npages(va)).toBe(1);
    expect(pages.lookup(va, 8192n)).not.toBe(0n);
    expect(k.mem.read32(va + BigInt(k.S.uvm_object.uo_npages.offset))).toBe(1);
  });
});
