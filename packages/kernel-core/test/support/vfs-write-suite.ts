/**
 * A file-system write suite run through kernel.vfs against a model of the expected tree:
 * many files, large writes at odd offsets and sizes, truncation (shrink and extend), renames
 * across directories, tree removal, filling the file system until ENOSPC and freeing space again.
 * `remount()` must give a fresh kernel with the image mounted read-only at /mnt; the tree it
 * shows must equal the model.
 */
import { expect } from 'vitest';
import type { Kernel } from '../../src/index.js';

const O_RDWR = 2;
const O_WRONLY = 1;
const O_CREAT = 0x200;
const O_TRUNC = 0x400;
const O_EXCL = 0x800;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** Deterministic bytes (xorshift) so every run writes the same data. */
export function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface Model {
  files: Map<string, Uint8Array>;
  dirs: Set<string>;
}

function writeAt(model: Model, path: string, data: Uint8Array, off: number): void {
  const old = model.files.get(path) ?? new Uint8Array(0);
  const n = new Uint8Array(Math.max(old.length, off + data.length));
  n.set(old);
  n.set(data, off);
  model.files.set(path, n);
}

export function runWriteSuite(k: Kernel, opts: { bigFile: number; fill: boolean }): Model {
  const v = k.vfs;
  const model: Model = { files: new Map(), dirs: new Set(['/']) };
  const mk = (p: string) => {
    v.mkdir(`/mnt${p}`);
    model.dirs.add(p);
  };
  const put = (p: string, data: Uint8Array) => {
    const f = v.open(`/mnt${p}`, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    expect(v.write(f, data)).toBe(data.length);
    v.close(f);
    model.files.set(p, data.slice());
  };
  // Many files in a few directories.
  mk('/many');
  mk('/many/sub');
  for (let i = 0; i < 40; i++)
    put(`/many/${i < 20 ? '' : 'sub/'}f${i}`, pattern(i * 37 + 1, i + 1));
  expect(() => v.open('/mnt/many/f1', O_WRONLY | O_CREAT | O_EXCL)).toThrow(/EEXIST/);
  // A big file written at odd offsets and sizes, read back piecewise.
  const big = '/big.bin';
  const f = v.open(`/mnt${big}`, O_RDWR | O_CREAT, 0o600);
  let seed = 100;
  for (const [off, len] of [
    [0, 4097],
    [opts.bigFile - 5000, 5000],
    [12345, 70001],
    [3, 1],
    [65535, 3],
    [opts.bigFile / 2 + 7, 9999],
  ] as const) {
    const d = pattern(len, seed++);
    expect(v.pwrite(f, d, off)).toBe(len);
    writeAt(model, big, d, off);
  }
  const want = model.files.get(big)!;
  expect(v.fstat(f).size).toBe(BigInt(want.length));
  for (const [off, len] of [
    [0, 100],
    [4000, 9000],
    [want.length - 10, 100],
    [65530, 20],
  ] as const) {
    const got = v.pread(f, len, off);
    expect(Buffer.from(got).equals(Buffer.from(want.subarray(off, off + len)))).toBe(true);
  }
  // Truncate: shrink to an odd size, extend again (the gap reads as zeros).
  v.ftruncate(f, 33333);
  model.files.set(big, want.slice(0, 33333));
  v.ftruncate(f, 50000);
  const ext = new Uint8Array(50000);
  ext.set(model.files.get(big)!);
  model.files.set(big, ext);
  expect(Buffer.from(v.pread(f, 50000, 0)).equals(Buffer.from(ext))).toBe(true);
  v.close(f);
  // Renames: within a directory, across directories, over an existing file, a directory.
  mk('/dst');
  v.rename('/mnt/many/f0', '/mnt/many/renamed0');
  model.files.set('/many/renamed0', model.files.get('/many/f0')!);
  model.files.delete('/many/f0');
  v.rename('/mnt/many/f1', '/mnt/dst/moved1');
  model.files.set('/dst/moved1', model.files.get('/many/f1')!);
  model.files.delete('/many/f1');
  v.rename('/mnt/many/f2', '/mnt/dst/moved1');
  model.files.set('/dst/moved1', model.files.get('/many/f2')!);
  model.files.delete('/many/f2');
  v.rename('/mnt/many/sub', '/mnt/dst/sub2');
  for (const [p, d] of [...model.files]) {
    if (p.startsWith('/many/sub/')) {
      model.files.delete(p);
      model.files.set(`/dst/sub2/${p.slice('/many/sub/'.length)}`, d);
    }
  }
  model.dirs.delete('/many/sub');
  model.dirs.add('/dst/sub2');
  expect(() => v.rename('/mnt/dst', '/mnt/dst/sub2/inside')).toThrow(/EINVAL/);
  // Remove a whole tree.
  mk('/tree');
  mk('/tree/a');
  mk('/tree/a/b');
  put('/tree/a/b/leaf', pattern(5000, 7));
  put('/tree/x', pattern(10, 8));
  expect(() => v.rmdir('/mnt/tree')).toThrow(/ENOTEMPTY/);
  for (const p of ['/tree/a/b/leaf', '/tree/x']) {
    v.unlink(`/mnt${p}`);
    model.files.delete(p);
  }
  for (const p of ['/tree/a/b', '/tree/a', '/tree']) {
    v.rmdir(`/mnt${p}`);
    model.dirs.delete(p);
  }
  expect(() => v.stat('/mnt/tree')).toThrow(/ENOENT/);
  if (opts.fill) {
    // Fill the file system until ENOSPC, then free the space and write again.
    const fillers: string[] = [];
    let full = false;
    for (let i = 0; i < 10000 && !full; i++) {
      const p = `/fill${i}`;
      const h = v.open(`/mnt${p}`, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
      fillers.push(p);
      try {
        v.write(h, pattern(64 * 1024, 1000 + i));
      } catch (e) {
        expect(String(e)).toMatch(/ENOSPC/);
        full = true;
      }
      v.close(h);
    }
    expect(full).toBe(true);
    for (const p of fillers) v.unlink(`/mnt${p}`);
    put('/after-enospc', pattern(20000, 4242));
  }
  return model;
}

/** Walks /mnt and checks it equals the model (names, types, contents). */
export function checkTree(k: Kernel, model: Model): void {
  const v = k.vfs;
  const seenFiles = new Map<string, Uint8Array>();
  const seenDirs = new Set<string>();
  const visit = (dir: string) => {
    seenDirs.add(dir);
    for (const e of v.readdir(`/mnt${dir === '/' ? '' : dir}`)) {
      if (e.name === '.' || e.name === '..') continue;
      const p = `${dir === '/' ? '' : dir}/${e.name}`;
      if ((v.lstat(`/mnt${p}`).mode & S_IFMT) === S_IFDIR) visit(p);
      else seenFiles.set(p, v.readFile(`/mnt${p}`));
    }
  };
  visit('/');
  const ignore = (p: string) =>
    p === '/lost+found' ||
    p.startsWith('/lost+found/') ||
    p === '/a_directory' ||
    p.startsWith('/a_directory/') ||
    p === '/README';
  expect([...seenDirs].filter((p) => !ignore(p)).sort()).toEqual([...model.dirs].sort());
  expect([...seenFiles.keys()].filter((p) => !ignore(p)).sort()).toEqual(
    [...model.files.keys()].sort(),
  );
  for (const [p, d] of model.files)
    expect(Buffer.from(seenFiles.get(p)!).equals(Buffer.from(d)), p).toBe(true);
}
