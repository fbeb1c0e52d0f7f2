/**
 * mountArgs: args structs with pointer fields. The ufs form mounts tinyfs (whose args are
 * `struct ufs_args`) through the pointer-patching path; the other forms are checked byte by byte
 * against NetBSD amd64's layouts. With RUMP_TEST_MSDOS_KMOD and RUMP_TEST_SECOND_IMAGES
 * (msdos.img) a real msdos.kmod mounts through sys.mount as well.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { bootRump, MNT, MODCTL, MountArgs, mountArgs } from '../src/index.js';
import { bootTinyfs, mkfsTinyfs, text } from './support.js';

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer).getUint32(off, true);

describe('mountArgs', () => {
  it('mounts tinyfs with mountArgs.ufs: the device path reaches the kernel through a pointer', () => {
    const host = new MemoryHost();
    host.addFile(
      '/host/fs.img',
      mkfsTinyfs({
        entries: { hello: { type: 'file', content: 'hi\n' } },
        spareBlocks: 8,
        spareInodes: 8,
      }),
    );
    const { sys, fs, kernel } = bootTinyfs(host);
    sys.mount('tinyfs', '/mnt', MNT.RDONLY, mountArgs.ufs({ fspec: '/img' }));
    expect(text(fs.readFile('/mnt/hello'))).toBe('hi\n');
    sys.unmount('/mnt');
    const before = kernel.memstat().kmemAllocations;
    // A path that is not a device fails as mount(2) does, and the string copies are freed.
    expect(() =>
      sys.mount('tinyfs', '/mnt', MNT.RDONLY, mountArgs.ufs({ fspec: '/nonexistent' })),
    ).toThrow(/ENOENT/);
    expect(kernel.memstat().kmemAllocations).toBe(before);
  });

  it('lays out msdosfs_args, iso_args and tmpfs_args as NetBSD amd64 does', () => {
    const m = mountArgs.msdos({ fspec: '/img', uid: 1, gid: 2, mask: 0o700 });
    expect(m.bytes.length).toBe(168);
    expect([136, 140, 144, 148, 152, 156, 160].map((o) => u32(m.bytes, o))).toEqual([
      1, 2, 0o700, 0, 3, 0o700, 0,
    ]);
    expect(m.strings).toEqual([{ offset: 0, value: '/img' }]);
    const c = mountArgs.cd9660({ fspec: '/cd', flags: 1 });
    expect(c.bytes.length).toBe(160);
    expect([136, 148, 152].map((o) => u32(c.bytes, o))).toEqual([1, 0o777, 0o777]);
    const t = mountArgs.tmpfs({ sizeMax: 1n << 33n, rootMode: 0o1777 });
    expect(t.bytes.length).toBe(40);
    expect(u32(t.bytes, 0)).toBe(1);
    expect(new DataView(t.bytes.buffer).getBigUint64(16, true)).toBe(1n << 33n);
    expect(u32(t.bytes, 32)).toBe(0o1777);
    expect(t.strings).toEqual([]);
    expect(() => new MountArgs(new Uint8Array(8), [{ offset: 4, value: 'x' }])).toThrow(RangeError);
  });

  it('lays out udf_args, ntfs_args, v7fs_args, adosfs_args, efs_args and nilfs_args as NetBSD amd64 does', () => {
    const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const u = mountArgs.udf({ fspec: '/cd', sessionnr: -2, gmtoff: 3600, anonUid: 1000 });
    expect(u.bytes.length).toBe(80);
    expect(u.strings).toEqual([{ offset: 8, value: '/cd' }]);
    // version, sessionnr, udfmflags, gmtoff, anon_uid, anon_gid, nobody_uid, nobody_gid, sector_size
    expect([0, 16, 20, 24, 28, 32, 36, 40, 44].map((o) => dv(u.bytes).getInt32(o, true))).toEqual([
      1, -2, 0, 3600, 1000, 39, 32767, 39, 0,
    ]);
    expect(u.bytes.subarray(48).every((x) => x === 0)).toBe(true);

    const n = mountArgs.ntfs({ fspec: '/nt', uid: 5, gid: 6, mode: 0o700, flag: 2 });
    expect(n.bytes.length).toBe(160);
    expect(n.strings).toEqual([{ offset: 0, value: '/nt' }]);
    expect([136, 140, 144].map((o) => u32(n.bytes, o))).toEqual([5, 6, 0o700]);
    expect(dv(n.bytes).getBigUint64(152, true)).toBe(2n);
    expect(n.bytes.subarray(8, 136).every((x) => x === 0)).toBe(true);
    expect(u32(mountArgs.ntfs({ fspec: '/nt' }).bytes, 144)).toBe(0o755);

    const v = mountArgs.v7fs({ fspec: '/v7' });
    expect(v.bytes.length).toBe(16);
    expect(v.strings).toEqual([{ offset: 0, value: '/v7' }]);
    expect(u32(v.bytes, 8)).toBe(1234);
    expect(u32(mountArgs.v7fs({ fspec: '/v7', endian: 'big' }).bytes, 8)).toBe(4321);
    expect(u32(mountArgs.v7fs({ fspec: '/v7', endian: 'pdp' }).bytes, 8)).toBe(3412);

    const a = mountArgs.adosfs({ fspec: '/a', uid: 7 });
    expect(a.bytes.length).toBe(152);
    expect([136, 140, 144].map((o) => u32(a.bytes, o))).toEqual([7, 0, 0o755]);

    const e = mountArgs.efs({ fspec: '/e' });
    expect(e.bytes.length).toBe(16);
    expect(u32(e.bytes, 8)).toBe(0);
    expect(e.strings).toEqual([{ offset: 0, value: '/e' }]);

    const l = mountArgs.nilfs({ fspec: '/n', checkpoint: 1n << 40n });
    expect(l.bytes.length).toBe(64);
    expect(l.strings).toEqual([{ offset: 8, value: '/n' }]);
    expect(u32(l.bytes, 0)).toBe(1);
    expect(dv(l.bytes).getBigInt64(24, true)).toBe(1n << 40n);
  });

  it('places a pointer field that is not at offset 0 (udf_args.fspec at 8)', () => {
    const host = new MemoryHost();
    const { kernel } = bootRump({ host });
    const seen = mountArgs.udf({ fspec: '/dev/udfimg' }).withStrings(kernel, (bytes) => {
      const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const addr = d.getBigUint64(8, true);
      return { version: d.getUint32(0, true), path: text(kernel.mem.read(addr, 11)) };
    });
    expect(seen).toEqual({ version: 1, path: '/dev/udfimg' });
  });

  const MSDOS = process.env.RUMP_TEST_MSDOS_KMOD;
  const IMAGES = process.env.RUMP_TEST_SECOND_IMAGES;
  const haveMsdos =
    !!MSDOS && !!IMAGES && existsSync(MSDOS) && existsSync(join(IMAGES, 'msdos.img'));
  it.skipIf(!haveMsdos)(
    'mounts NetBSD msdos.kmod through sys.mount (needs RUMP_TEST_MSDOS_KMOD and RUMP_TEST_SECOND_IMAGES)',
    () => {
      const host = new MemoryHost();
      host.addFile('/host/msdos.kmod', readFileSync(MSDOS!));
      host.addFile('/host/msdos.img', readFileSync(join(IMAGES!, 'msdos.img')));
      const { sys, fs, etfsRegister } = bootRump({ host });
      etfsRegister('/msdos.kmod', '/host/msdos.kmod', 'REG');
      etfsRegister('/msdos.img', '/host/msdos.img', 'BLK');
      sys.modctl(MODCTL.LOAD, { ml_filename: '/msdos.kmod' });
      sys.mkdir('/mnt', 0o755);
      sys.mount('msdos', '/mnt', MNT.RDONLY, mountArgs.msdos({ fspec: '/msdos.img' }));
      expect(text(fs.readFile('/mnt/a_directory/README'))).toBe(
        readFileSync(join(IMAGES!, 'tree/a_directory/README'), 'utf8'),
      );
      sys.unmount('/mnt');
    },
  );
});
