import { describe, expect, it } from 'vitest';
import { buf as B_, fcntl } from '../src/abi/netbsd-10.99/constants.js';
import { errno } from '../src/abi/netbsd-10.99/errno.js';
import { RUMPBLK_DEVMAJOR } from '../src/dev/rumpblk.js';
import { disk, dkio, major, makedev, minor, partinfo } from '../src/dev/subr_disk.js';
import { ErrnoError } from '../src/errors.js';
import { bootIo, bufField, patterned, rawBuf, sameBytes } from './support/io.js';

const IMG = 64 * 1024;

describe('device numbers', () => {
  it('makedev/major/minor use NetBSD encoding', () => {
    expect(makedev(197, 0)).toBe(0xc500n);
    expect(makedev(197, 3)).toBe(0xc503n);
    const d = makedev(197, 0x12345);
    expect(major(d)).toBe(197);
    expect(minor(d)).toBe(0x12345);
    expect(d).toBe((0x12345n & 0xffn) | ((0x12345n << 12n) & 0xfff00000n) | (197n << 8n));
  });
});

describe('rumpblk', () => {
  it('reads whole sectors from the host file into b_data and completes the buf', () => {
    const img = patterned(IMG);
    const { k } = bootIo({ '/disk.img': img });
    const d = k.io.rumpblk.attach('/disk.img');
    expect(d.dev).toBe(0xc500n);
    expect(d.size).toBe(IMG);
    const { bp, data } = rawBuf(k, { dev: d.dev, blkno: 3, bcount: 1024, read: true });
    k.io.rumpblk.strategy(bp);
    expect(bufField(k, bp, 'b_error')).toBe(0);
    expect(bufField(k, bp, 'b_resid')).toBe(0);
    expect(bufField(k, bp, 'b_oflags') & B_.BO_DONE).toBe(B_.BO_DONE);
    expect(k.mem.read(data, 1024)).toEqual(img.subarray(3 * 512, 5 * 512));
  });

  it('writes go to the host file; a second registration of the path is the same minor', () => {
    const { k, host } = bootIo({ '/disk.img': new Uint8Array(IMG) });
    const d = k.io.rumpblk.attach('/disk.img');
    expect(k.io.rumpblk.attach('/disk.img').minor).toBe(d.minor);
    const { bp, data } = rawBuf(k, { dev: d.dev, blkno: 5, bcount: 512, read: false });
    k.mem.fill(data, 512, 0xab);
    k.io.rumpblk.strategy(bp);
    expect(bufField(k, bp, 'b_error')).toBe(0);
    const back = host.readFile('/disk.img');
    expect(back[5 * 512]).toBe(0xab);
    expect(back[6 * 512 - 1]).toBe(0xab);
    expect(back[6 * 512]).toBe(0);
    expect(back[5 * 512 - 1]).toBe(0);
  });

  it('bounds: EOF at the end, EINVAL beyond it or for partial sectors, truncation across it', () => {
    const img = patterned(IMG);
    const { k } = bootIo({ '/disk.img': img });
    const d = k.io.rumpblk.attach('/disk.img');
    const sectors = IMG / 512;
    const atEnd = rawBuf(k, { dev: d.dev, blkno: sectors, bcount: 1024, read: true });
    k.io.rumpblk.strategy(atEnd.bp);
    expect(bufField(k, atEnd.bp, 'b_error')).toBe(0);
    expect(bufField(k, atEnd.bp, 'b_resid')).toBe(1024);
    const beyond = rawBuf(k, { dev: d.dev, blkno: sectors + 1, bcount: 512, read: true });
    k.io.rumpblk.strategy(beyond.bp);
    expect(bufField(k, beyond.bp, 'b_error')).toBe(errno.EINVAL);
    const partial = rawBuf(k, { dev: d.dev, blkno: 0, bcount: 100, read: true });
    k.io.rumpblk.strategy(partial.bp);
    expect(bufField(k, partial.bp, 'b_error')).toBe(errno.EINVAL);
    const across = rawBuf(k, { dev: d.dev, blkno: sectors - 1, bcount: 2048, read: true });
    k.io.rumpblk.strategy(across.bp);
    expect(bufField(k, across.bp, 'b_error')).toBe(0);
    expect(bufField(k, across.bp, 'b_bcount')).toBe(512);
    expect(bufField(k, across.bp, 'b_resid')).toBe(0);
    expect(k.mem.read(across.data, 512)).toEqual(img.subarray(IMG - 512));
    const noDev = rawBuf(k, {
      dev: makedev(RUMPBLK_DEVMAJOR, 9),
      blkno: 0,
      bcount: 512,
      read: true,
    });
    k.io.rumpblk.strategy(noDev.bp);
    expect(bufField(k, noDev.bp, 'b_error')).toBe(errno.ENXIO);
  });

  it('a host file the host only gives read-only is a read-only disk: EACCES for FWRITE opens, EROFS for writes', () => {
    const img = patterned(IMG);
    const { k, host } = bootIo({}, { '/ro.img': img });
    const d = k.io.rumpblk.attach('/ro.img');
    expect(d.mode).toBe(fcntl.FREAD);
    expect(k.io.devsw.bdevOpen(d.dev, fcntl.FREAD, disk.S_IFBLK)).toBe(0);
    expect(k.io.devsw.bdevOpen(d.dev, fcntl.FREAD | fcntl.FWRITE, disk.S_IFBLK)).toBe(errno.EACCES);
    const w = rawBuf(k, { dev: d.dev, blkno: 0, bcount: 512, read: false });
    k.mem.fill(w.data, 512, 0xee);
    k.io.rumpblk.strategy(w.bp);
    expect(bufField(k, w.bp, 'b_error')).toBe(errno.EROFS);
    expect(sameBytes(host.readFile('/ro.img'), img)).toBe(true);
    // readOnly registration of a writable file behaves the same.
    const { k: k2, host: h2 } = bootIo({ '/rw.img': img.slice() });
    const d2 = k2.io.rumpblk.attach('/rw.img', { readOnly: true });
    const w2 = rawBuf(k2, { dev: d2.dev, blkno: 1, bcount: 512, read: false });
    k2.io.rumpblk.strategy(w2.bp);
    expect(bufField(k2, w2.bp, 'b_error')).toBe(errno.EROFS);
    expect(sameBytes(h2.readFile('/rw.img'), img)).toBe(true);
  });

  it('register_withsize: a window of the host file; bad windows are EINVAL, missing files the host error', () => {
    const img = patterned(IMG);
    const { k } = bootIo({ '/disk.img': img });
    const d = k.io.rumpblk.attach('/disk.img', { offset: 4096, size: 8192 });
    expect(d.size).toBe(8192);
    const r = rawBuf(k, { dev: d.dev, blkno: 2, bcount: 512, read: true });
    k.io.rumpblk.strategy(r.bp);
    expect(k.mem.read(r.data, 512)).toEqual(img.subarray(4096 + 1024, 4096 + 1536));
    const eof = rawBuf(k, { dev: d.dev, blkno: 16, bcount: 512, read: true });
    k.io.rumpblk.strategy(eof.bp);
    expect(bufField(k, eof.bp, 'b_resid')).toBe(512);
    const { k: k2 } = bootIo({ '/disk.img': img });
    expect(() => k2.io.rumpblk.attach('/disk.img', { offset: 100 })).toThrow(ErrnoError);
    expect(() => k2.io.rumpblk.attach('/disk.img', { offset: 0, size: IMG + 512 })).toThrow(
      /exceeds/,
    );
    expect(() => k2.io.rumpblk.attach('/nope.img')).toThrow(/ENOENT/);
  });

  it('geometry ioctls: disklabel, partinfo, media size; wedge info and the rest are ENOTTY', () => {
    const { k } = bootIo({ '/a.img': new Uint8Array(IMG), '/b.img': new Uint8Array(2 * IMG) });
    k.io.rumpblk.attach('/a.img');
    const d = k.io.rumpblk.attach('/b.img');
    expect(d.minor).toBe(1);
    const m = k.mem;
    const buf = k.kmem.alloc(0x400, 1, true);
    expect(k.io.devsw.bdevIoctl(d.dev, dkio.DIOCGPARTINFO, buf, fcntl.FREAD)).toBe(0);
    expect(m.read64(buf + BigInt(partinfo.pi_size))).toBe(BigInt((2 * IMG) / 512));
    expect(m.read64(buf + BigInt(partinfo.pi_offset))).toBe(0n);
    expect(m.read32(buf + BigInt(partinfo.pi_secsize))).toBe(512);
    expect(m.read32(buf + BigInt(partinfo.pi_bsize))).toBe(disk.BLKDEV_IOSIZE);
    expect(m.read8(buf + BigInt(partinfo.pi_fstype))).toBe(disk.FS_UNUSED);
    const L = k.S.disklabel;
    expect(k.io.devsw.bdevIoctl(d.dev, dkio.DIOCGDINFO, buf, fcntl.FREAD)).toBe(0);
    expect(m.read32(buf + BigInt(L.d_magic.offset))).toBe(disk.DISKMAGIC);
    expect(m.read32(buf + BigInt(L.d_magic2.offset))).toBe(disk.DISKMAGIC);
    expect(m.read32(buf + BigInt(L.d_secsize.offset))).toBe(512);
    expect(m.read16(buf + BigInt(L.d_npartitions.offset))).toBe(2);
    expect(m.read16(buf + BigInt(L.d_type.offset))).toBe(disk.DKTYPE_RUMPD);
    const p1 = buf + BigInt(L.d_partitions.offset + k.S.partition.$size);
    expect(m.read32(p1 + BigInt(k.S.partition.p_size.offset))).toBe((2 * IMG) / 512);
    expect(k.io.devsw.bdevIoctl(d.dev, dkio.DIOCGMEDIASIZE, buf, fcntl.FREAD)).toBe(0);
    expect(m.read64(buf)).toBe(BigInt(2 * IMG));
    expect(k.io.devsw.bdevIoctl(d.dev, dkio.DIOCCACHESYNC, buf, fcntl.FWRITE)).toBe(0);
    expect(k.io.devsw.bdevIoctl(d.dev, dkio.DIOCGWEDGEINFO, buf, fcntl.FREAD)).toBe(errno.ENOTTY);
    expect(k.io.devsw.bdevIoctl(d.dev, 0x40046400, buf, fcntl.FREAD)).toBe(errno.ENOTTY);
    expect(k.io.devsw.bdevIoctl(makedev(12, 0), dkio.DIOCGMEDIASIZE, buf, fcntl.FREAD)).toBe(
      errno.ENXIO,
    );
  });

  it('bdevsw_lookup hands modules a guest struct bdevsw whose slots are callable', () => {
    const { k } = bootIo({ '/disk.img': new Uint8Array(IMG) });
    const d = k.io.rumpblk.attach('/disk.img');
    const lookup = k.ksyms.resolve('bdevsw_lookup')!;
    const sw = k.callGuest(lookup, d.dev);
    expect(sw).not.toBe(0n);
    expect(k.callGuest(lookup, makedev(3, 0))).toBe(0n);
    const B = k.S.bdevsw;
    expect(k.mem.read32(sw + BigInt(B.d_flag.offset))).toBe(disk.D_DISK);
    const open = k.mem.read64(sw + BigInt(B.d_open.offset));
    expect(k.ksyms.symbolize(open)).toBe('rumpblk_open');
    expect(Number(k.callGuest(open, d.dev, fcntl.FREAD, disk.S_IFBLK, 0n))).toBe(0);
    expect(
      Number(k.callGuest(open, makedev(RUMPBLK_DEVMAJOR, 5), fcntl.FREAD, disk.S_IFBLK, 0n)),
    ).toBe(errno.ENXIO);
    const psize = k.mem.read64(sw + BigInt(B.d_psize.offset));
    expect(Number(BigInt.asIntN(32, k.callGuest(psize, d.dev)))).toBe(-1);
  });

  it('all 16 minors can be taken, the 17th registration is EBUSY; deregistering frees one', () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 17; i++) files[`/d${i}.img`] = new Uint8Array(1024);
    const { k } = bootIo(files);
    for (let i = 0; i < 16; i++) expect(k.io.rumpblk.attach(`/d${i}.img`).minor).toBe(i);
    expect(() => k.io.rumpblk.attach('/d16.img')).toThrow(/EBUSY/);
    k.io.rumpblk.detach('/d3.img');
    expect(k.io.rumpblk.attach('/d16.img').minor).toBe(3);
    expect(() => k.io.rumpblk.detach('/d3.img')).toThrow(/ENOENT/);
  });

  it('an asynchronous write of an I/O buf that fails completes without touching any vnode list', () => {
    const { k } = bootIo({}, { '/ro.img': new Uint8Array(IMG) });
    const d = k.io.rumpblk.attach('/ro.img');
    const w = rawBuf(k, { dev: d.dev, blkno: 0, bcount: 512, read: false, async: true });
    k.io.rumpblk.strategy(w.bp);
    expect(bufField(k, w.bp, 'b_error')).toBe(errno.EROFS);
    expect(bufField(k, w.bp, 'b_oflags') & B_.BO_DONE).toBe(B_.BO_DONE);
    expect(bufField(k, w.bp, 'b_cflags') & B_.BC_BUSY).toBe(0);
    k.io.bufcache.putiobuf(w.bp);
    expect(k.io.bufcache.stats.buffers).toBe(0);
  });

  it('getdisksize and getdiskinfo answer through the etfs device vnode (VOP_IOCTL → specfs → rumpblk)', () => {
    const { k } = bootIo({ '/disk.img': new Uint8Array(IMG) });
    k.etfs.register('/dev/disk', '/disk.img', 'BLK');
    const vp = k.enter(() => {
      k.vfs.ready();
      const r = k.vfs.lookup.nameiSimple('/dev/disk', true);
      expect(r.error).toBe(0);
      return r.vp;
    });
    const out = k.kmem.alloc(16, 1, true);
    expect(Number(k.callGuest(k.ksyms.resolve('getdisksize')!, vp, out, out + 8n))).toBe(0);
    expect(k.mem.read64(out)).toBe(BigInt(IMG / 512));
    expect(k.mem.read32(out + 8n)).toBe(512);
    const W = k.S.dkwedge_info;
    const dkw = k.kmem.alloc(W.$size, 1, true);
    expect(Number(k.callGuest(k.ksyms.resolve('getdiskinfo')!, vp, dkw))).toBe(0);
    expect(k.mem.readCString(dkw + BigInt(W.dkw_devname.offset))).toBe('rumpblk0a');
    expect(k.mem.readCString(dkw + BigInt(W.dkw_parent.offset))).toBe('rumpblk0');
    expect(k.mem.read64(dkw + BigInt(W.dkw_size.offset))).toBe(BigInt(IMG / 512));
    expect(k.mem.readCString(dkw + BigInt(W.dkw_ptype.offset))).toBe('unused');
  });
});
