/**
 * Attributes: chmod/chown/utimes and what stat reports afterwards, timestamps that writes
 * update, and all of it after a remount (tests/fs/vfs t_vnops.c attrs, written anew).
 */
import { O, S, type Stat } from '@rump/syscalls';
import { eq, ok, utf8 } from '../check.js';
import { defineTests } from './context.js';

const ns = (ts: { sec: bigint; nsec: bigint }) => ts.sec * 1_000_000_000n + ts.nsec;

export const attrTests = defineTests('attr', [
  {
    name: 'chmod',
    title: 'chmod and fchmod change the permission bits and keep the type',
    run(t) {
      t.fs.writeFile(t.p('f'), 'x');
      t.sys.mkdir(t.p('d'));
      t.sys.chmod(t.p('f'), 0o600);
      eq(t.sys.stat(t.p('f')).mode, S.IFREG | 0o600, 'mode of the file');
      t.sys.chmod(t.p('d'), 0o711);
      eq(t.sys.stat(t.p('d')).mode, S.IFDIR | 0o711, 'mode of the folder');
      const fd = t.sys.open(t.p('f'), O.RDONLY);
      t.sys.fchmod(fd, 0o4755);
      t.sys.close(fd);
      eq(t.sys.stat(t.p('f')).mode, S.IFREG | 0o4755, 'mode after fchmod (setuid kept for root)');
      t.remount();
      eq(t.sys.stat(t.p('f')).mode, S.IFREG | 0o4755, 'mode after remount');
      eq(t.sys.stat(t.p('d')).mode, S.IFDIR | 0o711, 'folder mode after remount');
    },
  },
  {
    name: 'chown',
    title: 'chown and fchown change owner and group; -1 keeps a value',
    run(t) {
      t.fs.writeFile(t.p('f'), 'x');
      t.sys.chown(t.p('f'), 1234, 5678);
      let st = t.sys.stat(t.p('f'));
      eq(st.uid, 1234, 'uid');
      eq(st.gid, 5678, 'gid');
      t.sys.chown(t.p('f'), -1, 42);
      st = t.sys.stat(t.p('f'));
      eq(st.uid, 1234, 'uid kept with -1');
      eq(st.gid, 42, 'gid');
      const fd = t.sys.open(t.p('f'), O.RDONLY);
      t.sys.fchown(fd, 7, -1);
      t.sys.close(fd);
      t.sys.symlink('f', t.p('l'));
      t.sys.lchown(t.p('l'), 99, 98);
      eq(t.sys.lstat(t.p('l')).uid, 99, 'lchown changes the link');
      eq(t.sys.stat(t.p('l')).uid, 7, 'not its target');
      t.remount();
      st = t.sys.stat(t.p('f'));
      eq(`${st.uid}:${st.gid}`, '7:42', 'owner after remount');
    },
  },
  {
    name: 'utimes',
    title: 'utimes and futimes set atime and mtime; stat reports them after remount',
    run(t) {
      t.fs.writeFile(t.p('f'), 'x');
      const a = 1_600_000_000_123_456_000n;
      const m = 1_500_000_000_654_321_000n;
      t.sys.utimes(t.p('f'), a, m);
      let st = t.sys.stat(t.p('f'));
      eq(ns(st.atime), a, 'atime');
      eq(ns(st.mtime), m, 'mtime');
      const fd = t.sys.open(t.p('f'), O.RDONLY);
      t.sys.futimes(fd, m, a);
      t.sys.close(fd);
      t.remount();
      st = t.sys.stat(t.p('f'));
      eq(ns(st.atime), m, 'atime after remount');
      eq(ns(st.mtime), a, 'mtime after remount');
    },
  },
  {
    name: 'times-on-change',
    title: 'a write moves mtime and ctime forward; chmod moves ctime only',
    run(t) {
      t.fs.writeFile(t.p('f'), 'x');
      const old = 1_000_000_000_000_000_000n;
      t.sys.utimes(t.p('f'), old, old);
      const before: Stat = t.sys.stat(t.p('f'));
      const fd = t.sys.open(t.p('f'), O.WRONLY);
      t.sys.write(fd, utf8('y'));
      t.sys.close(fd);
      const after = t.sys.stat(t.p('f'));
      ok(ns(after.mtime) > old, `mtime moved forward (${ns(after.mtime)})`);
      ok(ns(after.ctime) >= ns(before.ctime), 'ctime did not go back');
      t.sys.utimes(t.p('f'), old, old);
      t.sys.chmod(t.p('f'), 0o600);
      const chm = t.sys.stat(t.p('f'));
      eq(ns(chm.mtime), old, 'chmod leaves mtime alone');
      ok(ns(chm.ctime) > old, 'chmod sets ctime');
    },
  },
]);
