/**
 * Whole file systems: mount/unmount/statvfs, read-only mounts, running out of space and inodes
 * and recovering, and everything surviving a reboot (tests/fs/vfs t_vfsops.c, t_ro.c, t_full.c
 * and tests/fs/ffs categories, written anew).
 */
import { createHash } from 'node:crypto';
import { MNT, O, S } from '@rump/syscalls';
import { bytesEq, eq, fails, ok, pattern, utf8 } from '../check.js';
import { diffManifests, treeManifest } from '../images/manifest.js';
import { MOUNT_POINT } from '../machine.js';
import { defineTests, type TestContext } from './context.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Writes until the file system says ENOSPC; returns the bytes written. */
function fillFile(t: TestContext, path: string, chunk = 64 * 1024): number {
  const fd = t.sys.open(path, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
  const data = pattern(chunk, 11);
  let total = 0;
  try {
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = t.sys.write(fd, data);
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOSPC') return total;
        throw e;
      }
      total += n;
      // A short write means the disk is full; the next write must say ENOSPC.
      if (n < data.length) {
        fails('ENOSPC', () => t.sys.write(fd, data), 'the write after a short write');
        return total;
      }
    }
    throw new Error(`no ENOSPC after ${total} bytes`);
  } finally {
    t.sys.close(fd);
  }
}

export const vfsTests = [
  ...defineTests('mount', [
    {
      name: 'statvfs',
      title: 'statvfs reports the type, mount point, sizes and NAME_MAX',
      run(t) {
        const s = t.sys.statvfs1(MOUNT_POINT);
        eq(s.fstypename, t.profile.fstype, 'f_fstypename');
        eq(s.mntonname, MOUNT_POINT, 'f_mntonname');
        ok(s.bsize > 0n && s.frsize > 0n, 'block sizes');
        ok(s.blocks > 0n && s.bfree <= s.blocks && s.bavail <= s.bfree, 'block counts');
        ok(s.files > 0n && s.ffree <= s.files, 'inode counts');
        eq(s.namemax, BigInt(t.profile.limits.nameMax), 'f_namemax');
        ok((Number(s.flag) & MNT.RDONLY) === 0, 'read-write mount is not flagged read-only');
      },
    },
    {
      name: 'statvfs-accounting',
      title: 'writing a file uses blocks and an inode, removing it gives them back',
      run(t) {
        t.sys.sync();
        const s0 = t.sys.statvfs1(MOUNT_POINT);
        t.fs.writeFile(t.p('f'), pattern(256 * 1024, 2));
        t.sys.sync();
        const s1 = t.sys.statvfs1(MOUNT_POINT);
        const used = (s0.bfree - s1.bfree) * s0.frsize;
        ok(used >= 256n * 1024n, `256 KiB written used ${used} bytes`);
        eq(s1.ffree, s0.ffree - 1n, 'one inode used');
        t.sys.unlink(t.p('f'));
        t.sys.sync();
        const s2 = t.sys.statvfs1(MOUNT_POINT);
        eq(s2.bfree, s0.bfree, 'free blocks after unlink');
        eq(s2.ffree, s0.ffree, 'free inodes after unlink');
      },
    },
    {
      name: 'unmount-remount',
      title: 'unmount hides the files, mounting again shows them',
      run(t) {
        t.fs.writeFile(t.p('f'), 'persist');
        t.sys.unmount(MOUNT_POINT);
        fails('ENOENT', () => t.sys.stat(t.p('f')), 'stat after unmount');
        t.machine.mount();
        eq(t.fs.readTextFile(t.p('f')), 'persist', 'content after mounting again');
      },
    },
    {
      name: 'unmount-busy',
      title: 'unmount with an open file is EBUSY; after close it works',
      run(t) {
        t.fs.writeFile(t.p('f'), 'x');
        const fd = t.sys.open(t.p('f'), O.RDONLY);
        fails('EBUSY', () => t.sys.unmount(MOUNT_POINT), 'unmount while a file is open');
        t.sys.close(fd);
        t.sys.unmount(MOUNT_POINT);
        t.machine.mount();
      },
    },
    {
      name: 'read-only',
      title: 'a read-only mount refuses every change with EROFS and leaves the image untouched',
      run(t) {
        t.fs.writeFile(t.p('f'), 'x');
        t.sys.mkdir(t.p('d'));
        t.remount(MNT.RDONLY);
        const image = sha(t.machine.image());
        ok((Number(t.sys.statvfs1(MOUNT_POINT).flag) & MNT.RDONLY) !== 0, 'ST_RDONLY');
        fails('EROFS', () => t.sys.open(t.p('new'), O.CREAT | O.WRONLY), 'create');
        fails('EROFS', () => t.sys.open(t.p('f'), O.WRONLY), 'open for writing');
        fails('EROFS', () => t.sys.mkdir(t.p('d2')), 'mkdir');
        fails('EROFS', () => t.sys.rmdir(t.p('d')), 'rmdir');
        fails('EROFS', () => t.sys.unlink(t.p('f')), 'unlink');
        fails('EROFS', () => t.sys.rename(t.p('f'), t.p('g')), 'rename');
        fails('EROFS', () => t.sys.chmod(t.p('f'), 0o600), 'chmod');
        fails('EROFS', () => t.sys.truncate(t.p('f'), 0), 'truncate');
        fails('EROFS', () => t.sys.symlink('f', t.p('l')), 'symlink');
        eq(t.fs.readTextFile(t.p('f')), 'x', 'reads still work');
        t.machine.reboot();
        eq(sha(t.machine.image()), image, 'image bytes after the read-only mount');
        t.machine.start();
      },
    },
  ]),
  ...defineTests('space', [
    {
      name: 'enospc-recovery',
      title: 'filling the disk ends in ENOSPC; freeing space makes writes work again',
      image: { sizeBytes: 1024 * 1024 },
      fills: true,
      run(t) {
        const first = fillFile(t, t.p('fill1'));
        t.note(`${first} bytes until ENOSPC`);
        ok(first > 0, 'something was written before ENOSPC');
        const s = t.sys.statvfs1(MOUNT_POINT);
        ok(s.bavail * s.frsize < 128n * 1024n, `little space is left (${s.bavail} blocks)`);
        fails('ENOSPC', () => t.fs.writeFile(t.p('more'), pattern(200_000, 3)), 'another file');
        if (t.fs.exists(t.p('more'))) t.sys.unlink(t.p('more'));
        t.sys.unlink(t.p('fill1'));
        const data = pattern(first >> 1, 4);
        t.fs.writeFile(t.p('after'), data);
        bytesEq(t.fs.readFile(t.p('after')), data, 'a file written after recovery');
        const again = fillFile(t, t.p('fill2'));
        ok(again > 0, 'the disk fills again');
        t.sys.unlink(t.p('fill2'));
        t.remount();
        bytesEq(t.fs.readFile(t.p('after')), data, 'after remount');
      },
    },
    {
      name: 'inode-exhaustion',
      title:
        'creating files until no inode is left ends in ENOSPC; removing one lets a create work',
      image: { sizeBytes: 1024 * 1024, inodes: 40 },
      fills: true,
      run(t) {
        let n = 0;
        for (; n < 20_000; n++) {
          try {
            t.sys.close(t.sys.open(t.p(`i${n}`), O.CREAT | O.WRONLY, 0o644));
          } catch (e) {
            if ((e as { code?: string }).code === 'ENOSPC') break;
            throw e;
          }
        }
        t.note(`${n} files until ENOSPC`);
        ok(n > 0 && n < 20_000, 'ENOSPC when the inodes run out');
        eq(t.sys.statvfs1(MOUNT_POINT).ffree, 0n, 'no free inode left');
        fails('ENOSPC', () => t.sys.mkdir(t.p('d')), 'mkdir with no inode left');
        t.sys.unlink(t.p('i0'));
        t.sys.close(t.sys.open(t.p('again'), O.CREAT | O.WRONLY, 0o644));
        t.remount();
        ok(t.fs.exists(t.p('again')) && !t.fs.exists(t.p('i0')), 'after remount');
      },
    },
  ]),
  ...defineTests('remount', [
    {
      name: 'everything',
      title: 'a tree of every kind of entry reads back identically after reboot',
      run(t) {
        t.sys.mkdir(t.p('tree'));
        t.sys.mkdir(t.p('tree/sub'), 0o700);
        t.fs.writeFile(t.p('tree/small'), 'small\n');
        t.fs.writeFile(t.p('tree/sub/block'), pattern(8192, 8));
        t.fs.writeFile(t.p('tree/odd'), pattern(70_001, 9), { mode: 0o640 });
        const fd = t.sys.open(t.p('tree/sparse'), O.RDWR | O.CREAT, 0o600);
        t.sys.pwrite(fd, utf8('end'), 300_000);
        t.sys.close(fd);
        t.sys.link(t.p('tree/small'), t.p('tree/sub/hard'));
        t.sys.symlink('../small', t.p('tree/sub/soft'));
        t.sys.symlink(`${'long/'.repeat(30)}x`, t.p('tree/longlink'));
        t.sys.chown(t.p('tree/odd'), 100, 200);
        t.sys.utimes(t.p('tree/odd'), 1_234_567_890_000_000_000n, 1_234_567_891_000_000_000n);
        const stats = (p: string) => {
          const s = t.sys.lstat(t.p(p));
          return `${s.ino} ${s.mode.toString(8)} ${s.nlink} ${s.uid}:${s.gid} ${s.size} ${s.mtime.sec}`;
        };
        const paths = [
          'tree',
          'tree/sub',
          'tree/small',
          'tree/odd',
          'tree/sparse',
          'tree/sub/soft',
        ];
        const want = treeManifest(t.rump, t.p('tree'));
        const wantStats = paths.map(stats);
        t.remount();
        const diff = diffManifests(want, treeManifest(t.rump, t.p('tree')));
        ok(diff.length === 0, `the tree after reboot differs: ${diff.join('; ')}`);
        eq(
          paths.map(stats).join('\n'),
          wantStats.join('\n'),
          'inode numbers, modes, links, owners, sizes, mtimes',
        );
        eq(t.sys.lstat(t.p('tree/sub/soft')).mode & S.IFMT, S.IFLNK, 'the symlink is a symlink');
      },
    },
  ]),
];
