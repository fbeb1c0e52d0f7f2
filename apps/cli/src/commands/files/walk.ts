/** Directory reading and tree walks over a FileSystemSession. */
import { type DirEntry, type FileStat, type FileSystemSession, O } from '../../session.js';

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function baseName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '/';
}

export function dirName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  parts.pop();
  return `/${parts.join('/')}`;
}

/** Every entry of a directory except `.` and `..`, sorted by name. */
export async function readDir(s: FileSystemSession, path: string): Promise<DirEntry[]> {
  const fd = await s.open(path, O.RDONLY | O.DIRECTORY);
  const all: DirEntry[] = [];
  try {
    for (;;) {
      const batch = await s.getdents(fd);
      if (batch.length === 0) break;
      for (const e of batch) if (e.name !== '.' && e.name !== '..') all.push(e);
    }
  } finally {
    await s.close(fd);
  }
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface WalkEntry {
  readonly path: string;
  readonly depth: number;
  readonly stat: FileStat;
}

/** Pre-order walk (lstat: symlinks are not followed), down to `maxDepth`. */
export async function* walk(
  s: FileSystemSession,
  root: string,
  maxDepth = Number.POSITIVE_INFINITY,
  check: () => void = () => {},
): AsyncGenerator<WalkEntry> {
  const stack: { path: string; depth: number }[] = [{ path: root, depth: 0 }];
  while (stack.length) {
    check();
    const { path, depth } = stack.pop()!;
    const stat = await s.lstat(path);
    yield { path, depth, stat };
    if ((stat.mode & 0o170000) === 0o040000 && depth < maxDepth) {
      const entries = await readDir(s, path);
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push({ path: joinPath(path, entries[i]!.name), depth: depth + 1 });
    }
  }
}
