/**
 * Files: creation and open(2) flags, reads and writes at offsets, holes, large files, append,
 * truncation (NetBSD's tests/fs/vfs t_io.c and t_vnops.c categories, written anew).
 */
import { O, S, SEEK } from '@rump/syscalls';
import { bytesEq, eq, fails, ok, pattern, utf8 } from '../check.js';
import { defineTests, type TestContext } from './context.js';

const MiB = 1024 * 1024;

/** Writes `data` at `off` through a fresh descriptor. */
export function putAt(t: TestContext, path: string, data: Uint8Array, off: number): void {
  const fd = t.sys.open(path, O.RDWR | O.CREAT, 0o644);
  try {
    let done = 0;
    while (done < data.length) {
      const n = t.sys.pwrite(fd, data.subarray(done, done + 256 * 1024), off + done);
      ok(n > 0, `pwrite at ${off + done} made progress`);
      done += n;
    }
  } finally {
    t.sys.close(fd);
  }
}

/** pread of `len` bytes at `off` (short at end of file). */
export function getAt(t: TestContext, path: string, off: number, len: number): Uint8Array {
  const fd = t.sys.open(path, O.RDONLY);
  try {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = t.sys.pread(fd, out.subarray(done), off + done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } finally {
    t.sys.close(fd);
  }
}

export const fileTests = [
  ...defineTests('create', [
    {
      name: 'creat-mode',
      title: 'O_CREAT makes an empty regular file with the requested mode',
      run(t) {
        const fd = t.sys.open(t.p('new'), O.WRONLY | O.CREAT | O.EXCL, 0o640);
        const st = t.sys.fstat(fd);
        t.sys.close(fd);
        eq(st.mode & S.IFMT, S.IFREG, 'type');
        eq(st.mode & 0o7777, 0o640, 'permissions');
        eq(st.size, 0n, 'size');
        eq(st.nlink, 1, 'nlink');
        eq(t.sys.stat(t.p('new')).ino, st.ino, 'stat and fstat agree on the inode');
      },
    },
    {
      name: 'excl',
      title: 'O_CREAT|O_EXCL on an existing name fails with EEXIST, without O_EXCL opens it',
      run(t) {
        t.fs.writeFile(t.p('f'), 'keep');
        fails('EEXIST', () => t.sys.open(t.p('f'), O.WRONLY | O.CREAT | O.EXCL), 'O_EXCL');
        t.sys.close(t.sys.open(t.p('f'), O.WRONLY | O.CREAT));
        eq(t.fs.readTextFile(t.p('f')), 'keep', 'O_CREAT without O_TRUNC keeps the content');
      },
    },
    {
      name: 'trunc',
      title: 'O_TRUNC empties an existing file',
      run(t) {
        t.fs.writeFile(t.p('f'), pattern(10000, 1));
        t.sys.close(t.sys.open(t.p('f'), O.WRONLY | O.TRUNC));
        eq(t.sys.stat(t.p('f')).size, 0n, 'size after O_TRUNC');
        eq(t.fs.readFile(t.p('f')).length, 0, 'bytes read back');
      },
    },
    {
      name: 'append',
      title: 'O_APPEND writes at the end whatever the offset',
      run(t) {
        t.fs.writeFile(t.p('log'), 'one\n');
        const fd = t.sys.open(t.p('log'), O.WRONLY | O.APPEND);
        t.sys.lseek(fd, 0, SEEK.SET);
        t.sys.write(fd, utf8('two\n'));
        t.sys.lseek(fd, 1, SEEK.SET);
        t.sys.write(fd, utf8('three\n'));
        t.sys.close(fd);
        eq(t.fs.readTextFile(t.p('log')), 'one\ntwo\nthree\n', 'content');
      },
    },
    {
      name: 'append-many',
      title: 'many O_APPEND writes of odd sizes across block boundaries',
      run(t) {
        const parts: Uint8Array[] = [];
        const fd = t.sys.open(t.p('a'), O.WRONLY | O.CREAT | O.APPEND, 0o644);
        for (let i = 0; i < 24; i++) {
          const d = pattern(777 * i + 13, i + 1);
          eq(t.sys.write(fd, d), d.length, `append ${i}`);
          parts.push(d);
        }
        t.sys.close(fd);
        const want = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          want.set(p, o);
          o += p.length;
        }
        bytesEq(t.fs.readFile(t.p('a')), want, 'appended content');
        t.remount();
        bytesEq(t.fs.readFile(t.p('a')), want, 'appended content after remount');
      },
    },
    {
      name: 'open-errors',
      title: 'open(2) misuse: ENOENT, ENOTDIR, EISDIR',
      run(t) {
        t.fs.writeFile(t.p('f'), 'x');
        t.sys.mkdir(t.p('d'), 0o755);
        fails('ENOENT', () => t.sys.open(t.p('missing')), 'open of a missing file');
        fails(
          'ENOENT',
          () => t.sys.open(t.p('nodir/f'), O.CREAT | O.WRONLY),
          'O_CREAT in a missing folder',
        );
        fails('ENOTDIR', () => t.sys.open(t.p('f/x')), 'a file as a folder');
        fails(
          'ENOTDIR',
          () => t.sys.open(t.p('f'), O.RDONLY | O.DIRECTORY),
          'O_DIRECTORY on a file',
        );
        fails('EISDIR', () => t.sys.open(t.p('d'), O.WRONLY), 'a folder for writing');
        fails('EISDIR', () => t.sys.open(t.p('d'), O.RDWR), 'a folder for reading and writing');
      },
    },
    {
      name: 'name-max',
      title: 'names of NAME_MAX bytes work, one more is ENAMETOOLONG',
      run(t) {
        const max = t.profile.limits.nameMax;
        const long = 'n'.repeat(max);
        t.fs.writeFile(t.p(long), 'long');
        eq(t.fs.readTextFile(t.p(long)), 'long', 'content under the longest name');
        ok(
          t.fs.readdir(t.dir).some((e) => e.name === long),
          'readdir shows the longest name',
        );
        fails('ENAMETOOLONG', () => t.sys.open(t.p(`${long}x`), O.CREAT | O.WRONLY), 'create');
        fails('ENAMETOOLONG', () => t.sys.stat(t.p(`${long}x`)), 'stat');
        fails('ENAMETOOLONG', () => t.sys.mkdir(t.p(`${long}x`)), 'mkdir');
        t.remount();
        eq(t.fs.readTextFile(t.p(long)), 'long', 'content after remount');
      },
    },
  ]),
  ...defineTests('io', [
    {
      name: 'offsets',
      title: 'pwrite/pread at odd offsets and sizes, read at end of file gives 0',
      run(t) {
        const f = t.p('f');
        const model = new Uint8Array(200_000);
        let seed = 7;
        for (const [off, len] of [
          [0, 4097],
          [150_000, 50_000],
          [12_345, 70_001],
          [3, 1],
          [65_535, 3],
          [8191, 2],
        ] as const) {
          const d = pattern(len, seed++);
          putAt(t, f, d, off);
          model.set(d, off);
        }
        for (const [off, len] of [
          [0, 200_000],
          [4095, 3],
          [12_340, 10],
          [199_990, 100],
        ] as const)
          bytesEq(getAt(t, f, off, len), model.subarray(off, off + len), `pread ${off}+${len}`);
        eq(getAt(t, f, 200_000, 10).length, 0, 'pread at end of file');
        const fd = t.sys.open(f, O.RDONLY);
        eq(t.sys.lseek(fd, 0, SEEK.END), 200_000n, 'SEEK_END');
        eq(t.sys.read(fd, new Uint8Array(5)), 0, 'read at end of file');
        t.sys.close(fd);
        t.remount();
        bytesEq(t.fs.readFile(f), model, 'content after remount');
      },
    },
    {
      name: 'holes',
      title: 'writing past the end leaves a hole that reads as zeros and holds no blocks',
      run(t) {
        const f = t.p('sparse');
        putAt(t, f, utf8('head'), 0);
        putAt(t, f, utf8('tail'), MiB);
        const st = t.sys.stat(f);
        eq(st.size, BigInt(MiB + 4), 'size');
        ok(
          st.blocks * 512n < BigInt(MiB / 2),
          `a sparse file holds few blocks (${st.blocks} sectors)`,
        );
        const mid = getAt(t, f, 4, MiB - 4);
        ok(
          mid.every((b) => b === 0),
          'the hole reads as zeros',
        );
        t.remount();
        eq(new TextDecoder().decode(getAt(t, f, MiB, 4)), 'tail', 'data after the hole survives');
        ok(
          getAt(t, f, 100_000, 4096).every((b) => b === 0),
          'the hole still reads as zeros',
        );
      },
    },
    {
      name: 'large-file',
      title: 'a 1.5 MiB file (through the indirect blocks) written, read back and remounted',
      image: { sizeBytes: 4 * MiB },
      run(t) {
        const size = Math.min(1.5 * MiB, t.profile.limits.maxFileSize);
        const data = pattern(size, 99);
        t.fs.writeFile(t.p('big'), data);
        eq(t.sys.stat(t.p('big')).size, BigInt(size), 'size');
        bytesEq(t.fs.readFile(t.p('big')), data, 'content');
        t.remount();
        bytesEq(t.fs.readFile(t.p('big')), data, 'content after remount');
      },
    },
    {
      name: 'max-file-size',
      title: 'writing past the largest file size fails with EFBIG',
      image: { sizeBytes: 4 * MiB },
      run(t) {
        const max = t.profile.limits.maxFileSize;
        const fd = t.sys.open(t.p('f'), O.RDWR | O.CREAT, 0o644);
        if (max <= 8 * MiB) {
          eq(t.sys.pwrite(fd, utf8('z'), max - 1), 1, 'the last byte of the largest file');
          eq(t.sys.fstat(fd).size, BigInt(max), 'size of the largest file');
          fails('EFBIG', () => t.sys.pwrite(fd, utf8('z'), max), 'one byte past the largest file');
        }
        fails('EFBIG', () => t.sys.pwrite(fd, utf8('z'), 2n ** 62n), 'a write at 2^62');
        t.sys.close(fd);
      },
    },
  ]),
  ...defineTests('truncate', [
    {
      name: 'shrink-extend',
      title: 'shrinking then extending exposes zeros, never the old bytes',
      run(t) {
        const f = t.p('f');
        const data = pattern(100_000, 3);
        t.fs.writeFile(f, data);
        t.sys.truncate(f, 5000);
        eq(t.sys.stat(f).size, 5000n, 'size after shrink');
        bytesEq(t.fs.readFile(f), data.subarray(0, 5000), 'content after shrink');
        t.sys.truncate(f, 100_000);
        const back = t.fs.readFile(f);
        bytesEq(back.subarray(0, 5000), data.subarray(0, 5000), 'kept prefix');
        ok(
          back.subarray(5000).every((b) => b === 0),
          'the extension reads as zeros',
        );
        t.remount();
        const again = t.fs.readFile(f);
        eq(again.length, 100_000, 'size after remount');
        ok(
          again.subarray(5000).every((b) => b === 0),
          'zeros after remount',
        );
      },
    },
    {
      name: 'ftruncate',
      title: 'ftruncate to 0 and to a larger size through a descriptor',
      run(t) {
        const f = t.p('f');
        t.fs.writeFile(f, pattern(30_000, 4));
        const fd = t.sys.open(f, O.RDWR);
        t.sys.ftruncate(fd, 0);
        eq(t.sys.fstat(fd).size, 0n, 'size 0');
        t.sys.ftruncate(fd, 12_345);
        eq(t.sys.fstat(fd).size, 12_345n, 'size after extension');
        t.sys.close(fd);
        ok(
          t.fs.readFile(f).every((b) => b === 0),
          'all zeros',
        );
      },
    },
    {
      name: 'errors',
      title: 'truncate misuse: EISDIR, ENOENT, EINVAL (read-only descriptor, negative length)',
      run(t) {
        t.sys.mkdir(t.p('d'));
        t.fs.writeFile(t.p('f'), 'abc');
        fails('EISDIR', () => t.sys.truncate(t.p('d'), 0), 'truncate of a folder');
        fails('ENOENT', () => t.sys.truncate(t.p('missing'), 0), 'truncate of a missing file');
        fails('EINVAL', () => t.sys.truncate(t.p('f'), -1), 'negative length');
        const fd = t.sys.open(t.p('f'), O.RDONLY);
        fails('EINVAL', () => t.sys.ftruncate(fd, 0), 'ftruncate of a read-only descriptor');
        t.sys.close(fd);
        eq(t.fs.readTextFile(t.p('f')), 'abc', 'the file is unchanged');
      },
    },
  ]),
];
