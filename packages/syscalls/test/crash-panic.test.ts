/**
 * Crash safety, the kernel panic: a kernel whose RUMP_MEMLIMIT is just above what it needs for
 * the fsync'ed part of the workload panics (KM_SLEEP out of memory) in the middle of a large
 * write. The host process carries on, the error is a typed KernelPanic with a backtrace, the
 * image holds only whole-block host writes, and a fresh kernel finds every fsync'ed file.
 */
import { readFileSync } from 'node:fs';
import { KernelDead, KernelDeath, KernelPanic } from '@rump/kernel-core';
import { describe, expect, it } from 'vitest';
import { bootRump, MNT, MODCTL, O, type Rump, SyscallError } from '../src/index.js';
import { bootTinyfs, checkTinyfs, mkfsTinyfs, TINYFS_KMOD } from './support.js';
import {
  bootFfs,
  FS_ISCLEAN,
  ffsFixture,
  HAVE_FFS,
  misalignedTransfers,
  NEED_FFS,
  RecordingMemoryHost,
  readFfsSuperblock,
  sha256,
} from './support-crash.js';

const FILES = 12;
const fileData = (i: number) => new Uint8Array(1000 + i * 1733).fill(i + 1);

function boot(host: RecordingMemoryHost): Rump {
  host.addFile('/host/tinyfs.kmod', readFileSync(TINYFS_KMOD));
  const rump = bootRump({ host });
  rump.etfsRegister('/tinyfs.kmod', '/host/tinyfs.kmod', 'REG');
  rump.etfsRegister('/img', '/host/fs.img', 'BLK');
  rump.sys.modctl(MODCTL.LOAD, { ml_filename: '/tinyfs.kmod' });
  rump.sys.mkdir('/mnt', 0o755);
  rump.sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' });
  return rump;
}

/** The durable part: files written, fsync'ed, their directory fsync'ed. */
function durablePart(rump: Rump): void {
  const { sys } = rump;
  sys.mkdir('/mnt/cs', 0o755);
  for (let i = 0; i < FILES; i++) {
    const fd = sys.open(`/mnt/cs/f${i}`, O.WRONLY | O.CREAT | O.EXCL, 0o644);
    sys.write(fd, fileData(i));
    sys.fsync(fd);
    sys.close(fd);
  }
  // The names: the files' directory, and that directory's own name (POSIX asks for both).
  for (const dir of ['/mnt/cs', '/mnt']) {
    const dfd = sys.open(dir, O.RDONLY);
    sys.fsync(dfd);
    sys.close(dfd);
  }
}

/** The part the panic interrupts: churn nobody fsyncs, then a large write. */
function doomedPart(rump: Rump): void {
  const { sys } = rump;
  for (let i = 0; i < 20; i++) {
    const fd = sys.open(`/mnt/scratch${i}`, O.WRONLY | O.CREAT, 0o644);
    sys.write(fd, new Uint8Array(5000).fill(i));
    sys.close(fd);
  }
  const fd = sys.open('/mnt/big', O.RDWR | O.CREAT, 0o644);
  for (let i = 0; i < 8; i++) sys.pwrite(fd, new Uint8Array(400_000).fill(0xa0 + i), i * 333_333);
  sys.fsync(fd);
}

describe('crash safety: a kernel panic in the middle of writes', () => {
  it('is a typed KernelPanic; the image has whole blocks only and keeps every fsync', () => {
    const image = mkfsTinyfs({ spareBlocks: 1000, spareInodes: 64 });

    // Calibrate: what the durable part needs, measured on a kernel with the default limit.
    const probe = new RecordingMemoryHost();
    probe.addFile('/host/fs.img', new Uint8Array(image));
    const p = boot(probe);
    durablePart(p);
    const limit = p.kernel.memstat().inUse + 128 * 1024;
    p.sys.reboot(0);

    const host = new RecordingMemoryHost({
      params: { RUMP_MEMLIMIT: `${Math.ceil(limit / 1024)}k` },
    });
    host.addFile('/host/fs.img', new Uint8Array(image));
    const rump = boot(host);
    durablePart(rump);
    const writesBefore = host.writes('/host/fs.img').length;
    let death: unknown;
    try {
      doomedPart(rump);
    } catch (e) {
      death = e;
    }
    expect(death, 'the kernel should have run out of memory').toBeInstanceOf(KernelPanic);
    const panic = death as KernelPanic;
    expect(panic.panicMessage).toMatch(/out of memory: RUMP_MEMLIMIT is \d+ bytes/);
    expect(panic.backtrace.length).toBeGreaterThan(0);
    expect(host.consoleText()).toContain('panic');
    // The instance is over; the process and the host are not.
    expect(() => rump.sys.stat('/mnt')).toThrow(KernelDead);
    expect(host.writes('/host/fs.img').length).toBeGreaterThan(writesBefore); // died mid-writes

    // Every host write was whole, aligned blocks.
    expect(misalignedTransfers(host.writes('/host/fs.img'), 512)).toEqual([]);
    expect(misalignedTransfers(host.writes('/host/fs.img'), 4096)).toEqual([]);

    // A fresh kernel in the same process, on the same host, on the image the panic left.
    const after = host.readFile('/host/fs.img');
    const again = bootTinyfs(host);
    expect(() => again.sys.mount('tinyfs', '/mnt', 0, { fspec: '/img' })).toThrow(SyscallError);
    again.sys.mount('tinyfs', '/mnt', MNT.RDONLY, { fspec: '/img' });
    for (let i = 0; i < FILES; i++)
      expect(sha256(again.fs.readFile(`/mnt/cs/f${i}`)), `fsync'ed f${i}`).toBe(
        sha256(fileData(i)),
      );
    again.sys.unmount('/mnt', 0);
    expect(sha256(host.readFile('/host/fs.img'))).toBe(sha256(after));
    again.sys.mount('tinyfs', '/mnt', MNT.FORCE, { fspec: '/img' });
    for (let i = 0; i < FILES; i++)
      expect(sha256(again.fs.readFile(`/mnt/cs/f${i}`))).toBe(sha256(fileData(i)));
    expect(again.sys.reboot(0)).toBe(true);
    const check = checkTinyfs(host.readFile('/host/fs.img'));
    expect(check.clean).toBe(true);
    const structural = check.problems.filter(
      (q) =>
        !/is marked in use but belongs to nothing|is not marked in use|^superblock counts|is allocated but has no name|nlink \d+, expected|blocks \d+, holds \d+|names free inode/.test(
          q,
        ),
    );
    expect(structural).toEqual([]);
  });

  // harness-findings.md, "from crash-safety" CS-1: the close after a failed operation must not
  // replace the KernelPanic (with its message and backtrace) by the close's KernelDead.
  it('the friendly API passes the KernelPanic through too', () => {
    const image = mkfsTinyfs({ spareBlocks: 1000, spareInodes: 64 });
    const probe = new RecordingMemoryHost();
    probe.addFile('/host/fs.img', new Uint8Array(image));
    const p = boot(probe);
    durablePart(p);
    const limit = p.kernel.memstat().inUse + 128 * 1024;
    p.sys.reboot(0);
    const host = new RecordingMemoryHost({
      params: { RUMP_MEMLIMIT: `${Math.ceil(limit / 1024)}k` },
    });
    host.addFile('/host/fs.img', new Uint8Array(image));
    const rump = boot(host);
    durablePart(rump);
    let death: unknown;
    try {
      for (let i = 0; i < 40; i++) rump.fs.writeFile(`/mnt/w${i}`, new Uint8Array(300_000).fill(i));
    } catch (e) {
      death = e;
    }
    expect(death).toBeInstanceOf(KernelDeath);
    expect(death).toBeInstanceOf(KernelPanic);
  });

  it.skipIf(!HAVE_FFS).each(['tiny-ffs1.img', 'tiny-ffs2.img'] as const)(
    `real ffs on %s: the same, and the unclean image mounts as NetBSD mounts it ${NEED_FFS}`,
    (img) => {
      const image = ffsFixture(img);
      const bootIt = (host: RecordingMemoryHost) => {
        const rump = bootFfs(host);
        rump.sys.mount('ffs', '/mnt', 0, { fspec: '/ffsimg' });
        return rump;
      };
      const probe = new RecordingMemoryHost();
      probe.addFile('/host/ffs.img', new Uint8Array(image));
      const p = bootIt(probe);
      durablePart(p);
      const limit = p.kernel.memstat().inUse + 128 * 1024;
      p.sys.reboot(0);

      const host = new RecordingMemoryHost({
        params: { RUMP_MEMLIMIT: `${Math.ceil(limit / 1024)}k` },
      });
      host.addFile('/host/ffs.img', new Uint8Array(image));
      const rump = bootIt(host);
      durablePart(rump);
      let death: unknown;
      try {
        const fd = rump.sys.open('/mnt/big', O.RDWR | O.CREAT, 0o644);
        for (let i = 0; i < 6; i++)
          rump.sys.pwrite(fd, new Uint8Array(90_000).fill(0xa0 + i), i * 77_777);
        rump.sys.fsync(fd);
      } catch (e) {
        death = e;
      }
      expect(death, 'the kernel should have run out of memory').toBeInstanceOf(KernelPanic);
      expect((death as KernelPanic).backtrace.length).toBeGreaterThan(0);
      const sb = readFfsSuperblock(image);
      expect(misalignedTransfers(host.writes('/host/ffs.img'), sb.fsize, 65536)).toEqual([]);

      const after = host.readFile('/host/ffs.img');
      expect(readFfsSuperblock(after).clean & FS_ISCLEAN).toBe(0);
      const again = bootFfs(host);
      again.sys.mount('ffs', '/mnt', MNT.RDONLY, { fspec: '/ffsimg' });
      expect(host.consoleText()).toContain('file system not clean');
      for (let i = 0; i < FILES; i++)
        expect(sha256(again.fs.readFile(`/mnt/cs/f${i}`)), `fsync'ed f${i}`).toBe(
          sha256(fileData(i)),
        );
      again.sys.unmount('/mnt', 0);
      expect(sha256(host.readFile('/host/ffs.img'))).toBe(sha256(after));
      again.sys.mount('ffs', '/mnt', 0, { fspec: '/ffsimg' }); // no MNT_FORCE needed (#if 0)
      expect(again.sys.reboot(0)).toBe(true);
      expect(readFfsSuperblock(host.readFile('/host/ffs.img')).clean).toBe(0);
    },
  );
});
