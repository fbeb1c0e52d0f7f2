/**
 * An in-memory FileSystemSession for testing the file commands' own logic (argument handling,
 * recursion, output formats, error lines) while @rump/syscalls is not there. It follows POSIX
 * semantics closely enough for that: symlinks followed by stat/open, ENOENT/ENOTDIR/EISDIR/
 * ENOTEMPTY/EEXIST/EROFS as NetBSD returns them.
 */
import {
  type DirEntry,
  type FileStat,
  type FileSystemSession,
  type MountPlan,
  O,
  SessionError,
  type StatVfs,
  type Timespec,
} from '../../src/session.js';

type Node =
  | { kind: 'dir'; attr: Attr; children: Map<string, Node> }
  | { kind: 'reg'; attr: Attr; data: Uint8Array }
  | { kind: 'lnk'; attr: Attr; target: string };
interface Attr {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

const T0: Timespec = { sec: 1736553600, nsec: 0 };
const TYPE_BITS = { dir: 0o040000, reg: 0o100000, lnk: 0o120000 } as const;

export class MemoryFs {
  private nextIno = 2;
  readonly root: Node = { kind: 'dir', attr: this.attr(0o755), children: new Map() };
  unmounts = 0;
  readonly calls: string[] = [];

  attr(perm: number): Attr {
    return {
      ino: this.nextIno++,
      mode: perm,
      uid: 0,
      gid: 0,
      nlink: 1,
      atime: T0,
      mtime: T0,
      ctime: T0,
    };
  }

  /** Adds files for tests: `{ '/etc/motd': 'hi', '/bin/': null, '/l': { link: '/etc' } }`. */
  populate(tree: Record<string, string | null | { link: string }>): this {
    for (const [path, v] of Object.entries(tree)) {
      const parts = path.split('/').filter((p) => p);
      let dir = this.root as Extract<Node, { kind: 'dir' }>;
      for (let i = 0; i < parts.length - (v === null ? 0 : 1); i++) {
        let next = dir.children.get(parts[i]!);
        if (!next) {
          next = { kind: 'dir', attr: this.attr(0o755), children: new Map() };
          dir.children.set(parts[i]!, next);
        }
        dir = next as Extract<Node, { kind: 'dir' }>;
      }
      if (v === null) continue;
      const name = parts[parts.length - 1]!;
      dir.children.set(
        name,
        typeof v === 'string'
          ? { kind: 'reg', attr: this.attr(0o644), data: new TextEncoder().encode(v) }
          : { kind: 'lnk', attr: this.attr(0o777), target: v.link },
      );
    }
    return this;
  }

  session(plan: MountPlan): FileSystemSession {
    return new MemorySession(this, plan);
  }
}

interface OpenFile {
  node: Node;
  offset: number;
  flags: number;
  listed: boolean;
}

class MemorySession implements FileSystemSession {
  private fds = new Map<number, OpenFile>();
  private nextFd = 3;
  private mounted = true;

  constructor(
    private readonly fs: MemoryFs,
    readonly plan: MountPlan,
  ) {}

  private log(call: string) {
    if (!this.mounted) throw new Error(`${call} after unmount`);
    this.fs.calls.push(call);
  }

  private lookup(
    path: string,
    follow: boolean,
    depth = 0,
  ): { node: Node | undefined; parent: Extract<Node, { kind: 'dir' }>; name: string } {
    if (depth > 32) throw new SessionError('ELOOP', path);
    const parts = path.split('/').filter((p) => p && p !== '.');
    let dir = this.fs.root as Extract<Node, { kind: 'dir' }>;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const last = i === parts.length - 1;
      const node = dir.children.get(name);
      if (last) {
        if (node?.kind === 'lnk' && follow)
          return this.lookup(
            node.target.startsWith('/')
              ? node.target
              : `/${parts.slice(0, i).join('/')}/${node.target}`,
            true,
            depth + 1,
          );
        return { node, parent: dir, name };
      }
      let next = node;
      if (next?.kind === 'lnk')
        next = this.lookup(
          next.target.startsWith('/')
            ? next.target
            : `/${parts.slice(0, i).join('/')}/${next.target}`,
          true,
          depth + 1,
        ).node;
      if (!next) throw new SessionError('ENOENT', path);
      if (next.kind !== 'dir') throw new SessionError('ENOTDIR', path);
      dir = next;
    }
    return { node: dir, parent: dir, name: '.' };
  }

  private need(path: string, follow = true): Node {
    const { node } = this.lookup(path, follow);
    if (!node) throw new SessionError('ENOENT', path);
    return node;
  }

  private writable(path: string) {
    if (this.plan.readOnly) throw new SessionError('EROFS', path);
  }

  private statOf(n: Node): FileStat {
    const size = n.kind === 'reg' ? n.data.length : n.kind === 'lnk' ? n.target.length : 512;
    return {
      dev: 0n,
      ino: BigInt(n.attr.ino),
      mode: TYPE_BITS[n.kind] | n.attr.mode,
      nlink:
        n.kind === 'dir'
          ? 2 + [...n.children.values()].filter((c) => c.kind === 'dir').length
          : n.attr.nlink,
      uid: n.attr.uid,
      gid: n.attr.gid,
      rdev: 0n,
      size,
      blocks: Math.ceil(size / 512),
      blksize: 4096,
      flags: 0,
      gen: 0,
      atime: n.attr.atime,
      mtime: n.attr.mtime,
      ctime: n.attr.ctime,
      birthtime: T0,
    };
  }

  async open(path: string, flags: number, mode = 0): Promise<number> {
    this.log(`open ${path}`);
    let { node, parent, name } = this.lookup(path, !(flags & O.NOFOLLOW));
    const writing = (flags & 3) !== O.RDONLY;
    if (!node) {
      if (!(flags & O.CREAT)) throw new SessionError('ENOENT', path);
      this.writable(path);
      node = { kind: 'reg', attr: this.fs.attr(mode & 0o7777), data: new Uint8Array(0) };
      parent.children.set(name, node);
    } else if (flags & O.CREAT && flags & O.EXCL) throw new SessionError('EEXIST', path);
    if (node.kind === 'dir' && writing) throw new SessionError('EISDIR', path);
    if (flags & O.DIRECTORY && node.kind !== 'dir') throw new SessionError('ENOTDIR', path);
    if (writing) this.writable(path);
    if (flags & O.TRUNC && node.kind === 'reg') node.data = new Uint8Array(0);
    const fd = this.nextFd++;
    this.fds.set(fd, { node, offset: 0, flags, listed: false });
    return fd;
  }

  private file(fd: number): OpenFile {
    const f = this.fds.get(fd);
    if (!f) throw new SessionError('EBADF', undefined);
    return f;
  }

  async read(fd: number, buf: Uint8Array): Promise<number> {
    const f = this.file(fd);
    if (f.node.kind !== 'reg') throw new SessionError('EISDIR', undefined);
    const part = f.node.data.subarray(f.offset, f.offset + buf.length);
    buf.set(part);
    f.offset += part.length;
    return part.length;
  }

  async write(fd: number, buf: Uint8Array): Promise<number> {
    const f = this.file(fd);
    if (f.node.kind !== 'reg') throw new SessionError('EISDIR', undefined);
    const end = f.offset + buf.length;
    if (end > f.node.data.length) {
      const bigger = new Uint8Array(end);
      bigger.set(f.node.data);
      f.node.data = bigger;
    }
    f.node.data.set(buf, f.offset);
    f.offset = end;
    return buf.length;
  }

  async close(fd: number): Promise<void> {
    this.file(fd);
    this.fds.delete(fd);
  }

  async getdents(fd: number): Promise<DirEntry[]> {
    const f = this.file(fd);
    if (f.node.kind !== 'dir') throw new SessionError('ENOTDIR', undefined);
    if (f.listed) return [];
    f.listed = true;
    return [
      { name: '.', ino: BigInt(f.node.attr.ino), type: 'dir' },
      { name: '..', ino: 2n, type: 'dir' },
      ...[...f.node.children].map(([name, n]) => ({ name, ino: BigInt(n.attr.ino), type: n.kind })),
    ];
  }

  async stat(path: string) {
    this.log(`stat ${path}`);
    return this.statOf(this.need(path, true));
  }

  async lstat(path: string) {
    this.log(`lstat ${path}`);
    return this.statOf(this.need(path, false));
  }

  async readlink(path: string) {
    const n = this.need(path, false);
    if (n.kind !== 'lnk') throw new SessionError('EINVAL', path);
    return n.target;
  }

  async statvfs(): Promise<StatVfs> {
    return {
      bsize: 8192,
      frsize: 1024,
      blocks: 1024,
      bfree: 1000,
      bavail: 950,
      files: 256,
      ffree: 250,
      favail: 250,
      flag: this.plan.readOnly ? 1 : 0,
      namemax: 255,
      fstypename: this.plan.fs,
      mntonname: '/mnt',
      mntfromname: '/dev/image',
    };
  }

  private create(path: string, node: Node) {
    this.writable(path);
    const { node: there, parent, name } = this.lookup(path, false);
    if (there) throw new SessionError('EEXIST', path);
    parent.children.set(name, node);
  }

  async mkdir(path: string, mode: number) {
    this.log(`mkdir ${path}`);
    this.create(path, { kind: 'dir', attr: this.fs.attr(mode & 0o7777), children: new Map() });
  }

  async rmdir(path: string) {
    this.log(`rmdir ${path}`);
    this.writable(path);
    const { node, parent, name } = this.lookup(path, false);
    if (!node) throw new SessionError('ENOENT', path);
    if (node.kind !== 'dir') throw new SessionError('ENOTDIR', path);
    if (node.children.size) throw new SessionError('ENOTEMPTY', path);
    parent.children.delete(name);
  }

  async unlink(path: string) {
    this.log(`unlink ${path}`);
    this.writable(path);
    const { node, parent, name } = this.lookup(path, false);
    if (!node) throw new SessionError('ENOENT', path);
    if (node.kind === 'dir') throw new SessionError('EPERM', path);
    node.attr.nlink--;
    parent.children.delete(name);
  }

  async rename(from: string, to: string) {
    this.log(`rename ${from} ${to}`);
    this.writable(from);
    const a = this.lookup(from, false);
    if (!a.node) throw new SessionError('ENOENT', from);
    const b = this.lookup(to, false);
    a.parent.children.delete(a.name);
    b.parent.children.set(b.name, a.node);
  }

  async link(existing: string, path: string) {
    const n = this.need(existing, false);
    if (n.kind === 'dir') throw new SessionError('EPERM', existing);
    this.create(path, n);
    n.attr.nlink++;
  }

  async symlink(target: string, path: string) {
    this.create(path, { kind: 'lnk', attr: this.fs.attr(0o755), target });
  }

  async chmod(path: string, mode: number) {
    this.writable(path);
    this.need(path, true).attr.mode = mode & 0o7777;
  }

  async chown(path: string, uid: number, gid: number, follow = true) {
    this.writable(path);
    const n = this.need(path, follow);
    if (uid !== -1) n.attr.uid = uid;
    if (gid !== -1) n.attr.gid = gid;
  }

  async utimes(path: string, atime: Timespec, mtime: Timespec, follow = true) {
    this.writable(path);
    const n = this.need(path, follow);
    n.attr.atime = atime;
    n.attr.mtime = mtime;
  }

  async unmount() {
    if (!this.mounted) return;
    this.fs.unmounts++;
    this.mounted = false;
  }
}
