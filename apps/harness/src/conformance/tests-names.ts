/**
 * Names: mkdir/rmdir, readdir, rename of files and folders, hard and symbolic links, unlink of
 * open files, and a folder with thousands of entries (tests/fs/vfs t_vnops.c, t_rmdirrace.c,
 * t_renamerace.c categories, written anew).
 */
import { O, S, SEEK } from '@rump/syscalls';
import { bytesEq, eq, fails, ok, pattern, text, utf8 } from '../check.js';
import { defineTests, type TestContext } from './context.js';

function ino(t: TestContext, path: string): bigint {
  return t.sys.lstat(path).ino;
}

function names(t: TestContext, dir: string): string[] {
  return t.fs
    .readdir(dir)
    .map((e) => e.name)
    .sort();
}

export const nameTests = [
  ...defineTests('dir', [
    {
      name: 'mkdir-rmdir',
      title: 'mkdir makes a folder with nlink 2 and bumps the parent; rmdir undoes both',
      run(t) {
        const parentLinks = t.sys.stat(t.dir).nlink;
        t.sys.mkdir(t.p('d'), 0o750);
        const st = t.sys.stat(t.p('d'));
        eq(st.mode & S.IFMT, S.IFDIR, 'type');
        eq(st.mode & 0o7777, 0o750, 'permissions');
        eq(st.nlink, 2, 'nlink of a new folder');
        eq(t.sys.stat(t.dir).nlink, parentLinks + 1, 'parent nlink after mkdir');
        eq(t.sys.stat(t.p('d/..')).ino, t.sys.stat(t.dir).ino, '".." names the parent');
        eq(t.sys.stat(t.p('d/.')).ino, st.ino, '"." names the folder');
        t.sys.rmdir(t.p('d'));
        fails('ENOENT', () => t.sys.stat(t.p('d')), 'stat after rmdir');
        eq(t.sys.stat(t.dir).nlink, parentLinks, 'parent nlink after rmdir');
      },
    },
    {
      name: 'errors',
      title: 'mkdir/rmdir misuse: EEXIST, ENOTEMPTY, ENOTDIR, EINVAL, ENOENT',
      run(t) {
        t.sys.mkdir(t.p('d'));
        t.fs.writeFile(t.p('d/f'), 'x');
        t.fs.writeFile(t.p('f'), 'x');
        fails('EEXIST', () => t.sys.mkdir(t.p('d')), 'mkdir of an existing folder');
        fails('EEXIST', () => t.sys.mkdir(t.p('f')), 'mkdir over a file');
        fails('ENOTEMPTY', () => t.sys.rmdir(t.p('d')), 'rmdir of a non-empty folder');
        fails('ENOTDIR', () => t.sys.rmdir(t.p('f')), 'rmdir of a file');
        fails('EINVAL', () => t.sys.rmdir(t.p('d/.')), 'rmdir of "."');
        fails(['ENOTEMPTY', 'EINVAL', 'EBUSY'], () => t.sys.rmdir(t.p('d/..')), 'rmdir of ".."');
        fails('ENOENT', () => t.sys.rmdir(t.p('missing')), 'rmdir of a missing folder');
        fails('ENOENT', () => t.sys.mkdir(t.p('missing/d')), 'mkdir in a missing folder');
        fails('ENOTDIR', () => t.sys.mkdir(t.p('f/d')), 'mkdir under a file');
        fails('EPERM', () => t.sys.unlink(t.p('d')), 'unlink of a folder');
      },
    },
    {
      name: 'readdir',
      title: 'readdir lists every entry once with its type, "." and ".." included',
      run(t) {
        t.sys.mkdir(t.p('top'));
        const want = new Map<string, number>();
        for (let i = 0; i < 20; i++) {
          const n = `e${i}`;
          if (i % 3 === 0) {
            t.sys.mkdir(t.p('top', n));
            want.set(n, 4);
          } else if (i % 3 === 1) {
            t.fs.writeFile(t.p('top', n), n);
            want.set(n, 8);
          } else {
            t.sys.symlink(`target-${i}`, t.p('top', n));
            want.set(n, 10);
          }
        }
        const got = t.fs.readdir(t.p('top'), { dots: true });
        const seen = new Map<string, number>();
        for (const e of got) {
          ok(!seen.has(e.name), `${e.name} listed once`);
          seen.set(e.name, e.type);
        }
        ok(seen.has('.') && seen.has('..'), '"." and ".." are listed');
        eq(seen.size, want.size + 2, 'number of entries');
        for (const [n, type] of want) {
          const ty = seen.get(n);
          ok(ty !== undefined, `${n} is listed`);
          // DT_UNKNOWN (0) is allowed: d_type is advisory.
          ok(ty === type || ty === 0, `${n} has d_type ${type}, got ${ty}`);
        }
      },
    },
    {
      name: 'many-entries',
      title: 'a folder with thousands of entries: create, list, look up, remove',
      slow: true,
      image: { sizeBytes: 8 * 1024 * 1024, inodes: 4200 },
      run(t) {
        const n = t.manyEntries;
        t.note(`${n} entries`);
        t.sys.mkdir(t.p('big'));
        for (let i = 0; i < n; i++)
          t.sys.close(t.sys.open(t.p('big', `file-${i}`), O.CREAT | O.WRONLY, 0o644));
        const listed = names(t, t.p('big'));
        eq(listed.length, n, 'entries listed');
        eq(new Set(listed).size, n, 'distinct names');
        for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 50)))
          eq(t.sys.stat(t.p('big', `file-${i}`)).size, 0n, `stat file-${i}`);
        t.remount();
        eq(names(t, t.p('big')).length, n, 'entries after remount');
        for (let i = 0; i < n; i += 2) t.sys.unlink(t.p('big', `file-${i}`));
        eq(names(t, t.p('big')).length, n - Math.ceil(n / 2), 'entries after removing half');
        for (let i = 1; i < n; i += 2) t.sys.unlink(t.p('big', `file-${i}`));
        eq(names(t, t.p('big')).length, 0, 'empty again');
        t.sys.rmdir(t.p('big'));
      },
    },
  ]),
  ...defineTests('rename', [
    {
      name: 'file',
      title: 'rename of a file keeps its inode and content; the old name is gone',
      run(t) {
        t.fs.writeFile(t.p('a'), 'content');
        const i = ino(t, t.p('a'));
        t.sys.rename(t.p('a'), t.p('b'));
        fails('ENOENT', () => t.sys.stat(t.p('a')), 'old name');
        eq(ino(t, t.p('b')), i, 'inode kept');
        eq(t.fs.readTextFile(t.p('b')), 'content', 'content kept');
      },
    },
    {
      name: 'over-file',
      title: 'rename over an existing file replaces it atomically',
      run(t) {
        t.fs.writeFile(t.p('a'), 'new');
        t.fs.writeFile(t.p('b'), 'old');
        const before = t.sys.statvfs1(t.dir).ffree;
        t.sys.rename(t.p('a'), t.p('b'));
        eq(t.fs.readTextFile(t.p('b')), 'new', 'content of the target');
        fails('ENOENT', () => t.sys.stat(t.p('a')), 'source name');
        eq(t.sys.statvfs1(t.dir).ffree, before + 1n, 'the replaced inode is freed');
        t.remount();
        eq(
          names(t, t.dir)
            .filter((n) => n === 'a' || n === 'b')
            .join(),
          'b',
          'after remount',
        );
      },
    },
    {
      name: 'across-dirs',
      title: 'rename of a file into another folder',
      run(t) {
        t.sys.mkdir(t.p('d1'));
        t.sys.mkdir(t.p('d2'));
        t.fs.writeFile(t.p('d1/f'), 'moved');
        t.sys.rename(t.p('d1/f'), t.p('d2/g'));
        eq(names(t, t.p('d1')).length, 0, 'source folder empty');
        eq(t.fs.readTextFile(t.p('d2/g')), 'moved', 'content at the target');
      },
    },
    {
      name: 'dir',
      title: 'rename of a folder across folders updates ".." and link counts',
      run(t) {
        t.sys.mkdir(t.p('p1'));
        t.sys.mkdir(t.p('p2'));
        t.sys.mkdir(t.p('p1/d'));
        t.fs.writeFile(t.p('p1/d/f'), 'inside');
        t.sys.mkdir(t.p('p1/d/sub'));
        const l1 = t.sys.stat(t.p('p1')).nlink;
        const l2 = t.sys.stat(t.p('p2')).nlink;
        t.sys.rename(t.p('p1/d'), t.p('p2/e'));
        eq(t.sys.stat(t.p('p2/e/..')).ino, t.sys.stat(t.p('p2')).ino, '".." of the moved folder');
        eq(t.sys.stat(t.p('p1')).nlink, l1 - 1, 'old parent nlink');
        eq(t.sys.stat(t.p('p2')).nlink, l2 + 1, 'new parent nlink');
        eq(t.fs.readTextFile(t.p('p2/e/f')), 'inside', 'content moved along');
        t.remount();
        eq(t.sys.stat(t.p('p2/e/..')).ino, t.sys.stat(t.p('p2')).ino, '".." after remount');
        eq(t.sys.stat(t.p('p2/e/sub/..')).ino, t.sys.stat(t.p('p2/e')).ino, 'grandchild ".."');
      },
    },
    {
      name: 'dir-over-dir',
      title: 'a folder replaces an empty folder; a non-empty target is ENOTEMPTY',
      run(t) {
        t.sys.mkdir(t.p('a'));
        t.sys.mkdir(t.p('empty'));
        t.sys.mkdir(t.p('full'));
        t.fs.writeFile(t.p('full/f'), 'x');
        t.fs.writeFile(t.p('a/mark'), 'a');
        const links = t.sys.stat(t.dir).nlink;
        fails(
          ['ENOTEMPTY', 'EEXIST'],
          () => t.sys.rename(t.p('a'), t.p('full')),
          'over a non-empty folder',
        );
        t.sys.rename(t.p('a'), t.p('empty'));
        eq(t.fs.readTextFile(t.p('empty/mark')), 'a', 'the moved folder');
        eq(t.sys.stat(t.dir).nlink, links - 1, 'parent nlink after replacing a folder');
      },
    },
    {
      name: 'into-itself',
      title: 'renaming a folder into itself or below itself is EINVAL',
      run(t) {
        t.sys.mkdir(t.p('d'));
        t.sys.mkdir(t.p('d/sub'));
        fails('EINVAL', () => t.sys.rename(t.p('d'), t.p('d/sub/x')), 'into its own child');
        fails('EINVAL', () => t.sys.rename(t.p('d'), t.p('d/x')), 'into itself');
        fails('EINVAL', () => t.sys.rename(t.p('d/.'), t.p('x')), 'rename of "."');
        ok(t.sys.stat(t.p('d/sub')).nlink === 2, 'the tree is unchanged');
      },
    },
    {
      name: 'type-mismatch',
      title: 'a file over a folder is EISDIR, a folder over a file is ENOTDIR',
      run(t) {
        t.sys.mkdir(t.p('d'));
        t.fs.writeFile(t.p('f'), 'x');
        fails('EISDIR', () => t.sys.rename(t.p('f'), t.p('d')), 'file over folder');
        fails('ENOTDIR', () => t.sys.rename(t.p('d'), t.p('f')), 'folder over file');
        fails('ENOENT', () => t.sys.rename(t.p('missing'), t.p('x')), 'missing source');
        fails('ENOENT', () => t.sys.rename(t.p('f'), t.p('missing/x')), 'missing target folder');
      },
    },
    {
      name: 'same-file',
      title: 'rename onto itself does nothing; onto another link of the same file keeps the data',
      run(t) {
        t.fs.writeFile(t.p('a'), 'x');
        t.sys.rename(t.p('a'), t.p('a'));
        eq(t.fs.readTextFile(t.p('a')), 'x', 'after renaming a name onto itself');
        t.sys.link(t.p('a'), t.p('b'));
        t.sys.rename(t.p('a'), t.p('b'));
        // POSIX keeps both names; NetBSD's genfs_rename removes the source entry. Either way
        // the target survives and nlink counts the names that are left.
        const left = ['a', 'b'].filter((n) => t.fs.exists(t.p(n)));
        ok(left.includes('b'), 'the target name remains');
        eq(t.sys.stat(t.p('b')).nlink, left.length, 'nlink counts the names left');
        eq(t.fs.readTextFile(t.p('b')), 'x', 'content');
        t.note(left.length === 2 ? 'both names kept (POSIX)' : 'source removed (NetBSD)');
      },
    },
  ]),
  ...defineTests('link', [
    {
      name: 'hard-link',
      title: 'link shares the inode and counts names; unlink of one keeps the other',
      run(t) {
        t.fs.writeFile(t.p('a'), 'shared');
        t.sys.link(t.p('a'), t.p('b'));
        eq(ino(t, t.p('b')), ino(t, t.p('a')), 'same inode');
        eq(t.sys.stat(t.p('a')).nlink, 2, 'nlink 2');
        t.sys.unlink(t.p('a'));
        eq(t.sys.stat(t.p('b')).nlink, 1, 'nlink after unlink');
        t.remount();
        eq(t.fs.readTextFile(t.p('b')), 'shared', 'content after remount');
      },
    },
    {
      name: 'errors',
      title: 'link misuse: EEXIST, EPERM for folders, ENOENT',
      run(t) {
        t.fs.writeFile(t.p('a'), 'x');
        t.fs.writeFile(t.p('b'), 'y');
        t.sys.mkdir(t.p('d'));
        fails('EEXIST', () => t.sys.link(t.p('a'), t.p('b')), 'onto an existing name');
        fails('EPERM', () => t.sys.link(t.p('d'), t.p('d2')), 'of a folder');
        fails('ENOENT', () => t.sys.link(t.p('missing'), t.p('c')), 'of a missing file');
      },
    },
  ]),
  ...defineTests('symlink', [
    {
      name: 'short-and-long',
      title: 'symlink/readlink with short and long targets, lstat size, stat follows',
      run(t) {
        t.fs.writeFile(t.p('target'), 'pointed at');
        const long = `${'d/'.repeat(100)}target`;
        const max = 'x'.repeat(Math.min(t.profile.limits.symlinkMax, 1023));
        t.sys.symlink('target', t.p('short'));
        t.sys.symlink(long, t.p('long'));
        t.sys.symlink(max, t.p('max'));
        for (const [n, target] of [
          ['short', 'target'],
          ['long', long],
          ['max', max],
        ] as const) {
          const st = t.sys.lstat(t.p(n));
          eq(st.mode & S.IFMT, S.IFLNK, `${n}: type`);
          eq(st.size, BigInt(target.length), `${n}: lstat size`);
          eq(t.fs.readlink(t.p(n)), target, `${n}: readlink`);
        }
        eq(t.fs.readTextFile(t.p('short')), 'pointed at', 'open follows the link');
        const buf = new Uint8Array(3);
        eq(t.sys.readlink(t.p('short'), buf), 3, 'readlink into a short buffer');
        eq(text(buf), 'tar', 'truncated target');
        t.remount();
        eq(t.fs.readlink(t.p('long')), long, 'long target after remount');
        eq(t.fs.readlink(t.p('max')), max, 'longest target after remount');
      },
    },
    {
      name: 'dangling-and-loops',
      title: 'dangling links are ENOENT to stat and fine to lstat; loops are ELOOP',
      run(t) {
        t.sys.symlink('nowhere', t.p('dangling'));
        fails('ENOENT', () => t.sys.stat(t.p('dangling')), 'stat of a dangling link');
        eq(t.sys.lstat(t.p('dangling')).mode & S.IFMT, S.IFLNK, 'lstat of a dangling link');
        t.sys.symlink('loop2', t.p('loop1'));
        t.sys.symlink('loop1', t.p('loop2'));
        fails('ELOOP', () => t.sys.stat(t.p('loop1')), 'stat of a loop');
        fails('ELOOP', () => t.sys.open(t.p('loop1')), 'open of a loop');
      },
    },
    {
      name: 'errors',
      title: 'symlink over an existing name is EEXIST; readlink of a file is EINVAL',
      run(t) {
        t.fs.writeFile(t.p('f'), 'x');
        fails('EEXIST', () => t.sys.symlink('t', t.p('f')), 'symlink over a file');
        fails('EINVAL', () => t.sys.readlink(t.p('f'), new Uint8Array(10)), 'readlink of a file');
        fails(
          'ENOENT',
          () => t.sys.readlink(t.p('missing'), new Uint8Array(10)),
          'readlink of nothing',
        );
      },
    },
  ]),
  ...defineTests('unlink', [
    {
      name: 'open-file',
      title: 'an unlinked open file stays readable and writable until closed, then is freed',
      run(t) {
        const data = pattern(50_000, 5);
        t.fs.writeFile(t.p('f'), data);
        const free0 = t.sys.statvfs1(t.dir).ffree;
        const fd = t.sys.open(t.p('f'), O.RDWR);
        t.sys.unlink(t.p('f'));
        fails('ENOENT', () => t.sys.stat(t.p('f')), 'the name is gone');
        eq(t.sys.fstat(fd).nlink, 0, 'nlink of the open file');
        const back = new Uint8Array(data.length);
        eq(t.sys.pread(fd, back, 0), data.length, 'read through the descriptor');
        bytesEq(back, data, 'content through the descriptor');
        t.sys.lseek(fd, 0, SEEK.END);
        eq(t.sys.write(fd, utf8('more')), 4, 'write through the descriptor');
        t.sys.close(fd);
        eq(t.sys.statvfs1(t.dir).ffree, free0 + 1n, 'the inode is freed at last close');
      },
    },
    {
      name: 'errors',
      title: 'unlink misuse: ENOENT, ENOTDIR',
      run(t) {
        t.fs.writeFile(t.p('f'), 'x');
        fails('ENOENT', () => t.sys.unlink(t.p('missing')), 'unlink of nothing');
        fails('ENOTDIR', () => t.sys.unlink(t.p('f/x')), 'a file as a folder');
      },
    },
  ]),
];
