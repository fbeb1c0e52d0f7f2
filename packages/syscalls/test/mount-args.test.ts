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
