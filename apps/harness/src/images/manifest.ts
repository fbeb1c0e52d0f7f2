/**
 * The expected tree of an image recorded as hashes: one line per path, walked through the
 * mounted file system (so it checks what the module shows, not what the bytes say):
 *
 *   /a_directory            dir 0755
 *   /a_directory/README     file 0644 155 sha256:bfe887…
 *   /link                   symlink -> a_directory/README
 */
import { createHash } from 'node:crypto';
import { type Rump, S } from '@rump/syscalls';

export type TreeManifest = Record<string, string>;

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Walks `root` (default /mnt) and describes every entry below it; paths are relative to it. */
export function treeManifest(rump: Rump, root = '/mnt'): TreeManifest {
  const out: TreeManifest = {};
  const walk = (dir: string, rel: string) => {
    const names = rump.fs
      .readdir(dir)
      .map((e) => e.name)
      .sort();
    for (const name of names) {
      const p = `${dir}/${name}`;
      const r = `${rel}/${name}`;
      const st = rump.sys.lstat(p);
      const perm = (st.mode & 0o7777).toString(8).padStart(4, '0');
      switch (st.mode & S.IFMT) {
        case S.IFDIR:
          out[r] = `dir ${perm}`;
          walk(p, r);
          break;
        case S.IFREG:
          out[r] = `file ${perm} ${st.size} sha256:${sha256(rump.fs.readFile(p))}`;
          break;
        case S.IFLNK:
          out[r] = `symlink -> ${rump.fs.readlink(p)}`;
          break;
        default:
          out[r] = `special 0${st.mode.toString(8)}`;
      }
    }
  };
  walk(root, '');
  return out;
}

/** Lines where two manifests differ: `+ path`, `- path`, `~ path: want / got`. */
export function diffManifests(want: TreeManifest, got: TreeManifest): string[] {
  const out: string[] = [];
  for (const [p, w] of Object.entries(want)) {
    const g = got[p];
    if (g === undefined) out.push(`- ${p} (${w})`);
    else if (g !== w) out.push(`~ ${p}: expected ${w}, got ${g}`);
  }
  for (const p of Object.keys(got)) if (!(p in want)) out.push(`+ ${p} (${got[p]})`);
  return out;
}
