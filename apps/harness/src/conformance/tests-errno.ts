/**
 * Misuse that only the path walk and the descriptor table see: the right errno for each
 * (ENAMETOOLONG for long paths, ENOTDIR for a trailing slash on a file, EBADF, EINVAL).
 */
import { O } from '@rump/syscalls';
import { fails } from '../check.js';
import { defineTests } from './context.js';

export const errnoTests = defineTests('errno', [
  {
    name: 'path-walk',
    title: 'ENAMETOOLONG past MAXPATHLEN, ENOTDIR for "file/", ENOENT for an empty component chain',
    run(t) {
      t.fs.writeFile(t.p('f'), 'x');
      const deep = `${t.dir}/${'a/'.repeat(600)}x`;
      fails('ENAMETOOLONG', () => t.sys.stat(deep), 'a path of 1200 bytes');
      fails('ENOTDIR', () => t.sys.stat(t.p('f/')), 'a trailing slash on a file');
      fails('ENOENT', () => t.sys.stat(t.p('missing/deeper/still')), 'missing components');
      fails('ENOENT', () => t.sys.open(''), 'the empty path');
    },
  },
  {
    name: 'descriptors',
    title: 'EBADF for closed descriptors and for writing through a read-only one',
    run(t) {
      t.fs.writeFile(t.p('f'), 'x');
      const fd = t.sys.open(t.p('f'), O.RDONLY);
      fails('EBADF', () => t.sys.write(fd, new Uint8Array(1)), 'write to a read-only descriptor');
      t.sys.close(fd);
      fails('EBADF', () => t.sys.read(fd, new Uint8Array(1)), 'read of a closed descriptor');
      fails('EBADF', () => t.sys.close(fd), 'close twice');
      const w = t.sys.open(t.p('f'), O.WRONLY);
      fails('EBADF', () => t.sys.read(w, new Uint8Array(1)), 'read from a write-only descriptor');
      t.sys.close(w);
    },
  },
  {
    name: 'folders-and-offsets',
    title: 'EISDIR writing a folder; EINVAL for negative offsets',
    run(t) {
      t.sys.mkdir(t.p('d'));
      // read(2) of a folder is the implementation's choice (NetBSD's ufs returns the raw
      // entries); opening one for writing is EISDIR everywhere.
      fails(
        'EISDIR',
        () => t.sys.open(t.p('d'), O.WRONLY | O.CREAT),
        'O_CREAT|O_WRONLY on a folder',
      );
      t.fs.writeFile(t.p('f'), 'abc');
      const f = t.sys.open(t.p('f'), O.RDWR);
      fails('EINVAL', () => t.sys.pread(f, new Uint8Array(1), -1), 'pread at -1');
      fails('EINVAL', () => t.sys.pwrite(f, new Uint8Array(1), -5), 'pwrite at -5');
      fails('EINVAL', () => t.sys.lseek(f, -10, 0), 'lseek to -10');
      t.sys.close(f);
    },
  },
]);
