/**
 * etfs, the extra-terrestrial file system (rump_etfs.c): host files that appear at a path
 * inside the rump kernel, as a regular file (REG) or as a block or character device (BLK, CHR).
 * This is the registry modctl and the VFS resolve names through; the VFS layer turns entries
 * into vnodes. Registering checks that the host file can be opened, as rump_etfs_register does.
 */
import type { Host } from '@rump/hypercall';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { ErrnoError } from '../errors.js';

/** RUMP_ETFS_* (rump/rump.h). */
export const RUMP_ETFS = { REG: 0, BLK: 1, CHR: 2, DIR: 3, DIR_SUBDIRS: 4 } as const;
export type EtfsType = 'REG' | 'BLK' | 'CHR';

export interface EtfsEntry {
  readonly key: string;
  readonly hostPath: string;
  readonly type: EtfsType;
  /** Byte range of the host file the entry covers (register_withsize). */
  readonly begin: number;
  /** Bytes, or undefined for "to the end of the host file". */
  readonly size: number | undefined;
}

/** Normalizes a key as a path inside the rump kernel: one leading slash, no empty components. */
export function etfsKey(key: string): string {
  if (!key.startsWith('/'))
    throw new ErrnoError(errno.EINVAL, `etfs: key "${key}" must be an absolute path`);
  return `/${key
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/')}`;
}

export class Etfs {
  private readonly entries = new Map<string, EtfsEntry>();

  constructor(private readonly host: Host) {}

  register(
    key: string,
    hostPath: string,
    type: EtfsType,
    options: { begin?: number; size?: number } = {},
  ): EtfsEntry {
    const k = etfsKey(key);
    if (this.entries.has(k)) throw new ErrnoError(errno.EEXIST, `etfs: ${k} is already registered`);
    if (!['REG', 'BLK', 'CHR'].includes(type))
      throw new ErrnoError(errno.EINVAL, `etfs: bad type ${type}`);
    // The host file must exist and be readable (rumpuser_getfileinfo in NetBSD).
    this.host.open(hostPath, { access: 'read-only' }).close();
    const e: EtfsEntry = { key: k, hostPath, type, begin: options.begin ?? 0, size: options.size };
    this.entries.set(k, e);
    return e;
  }

  remove(key: string): void {
    const k = etfsKey(key);
    if (!this.entries.delete(k)) throw new ErrnoError(errno.ENOENT, `etfs: ${k} is not registered`);
  }

  lookup(key: string): EtfsEntry | undefined {
    return this.entries.get(etfsKey(key));
  }

  list(): EtfsEntry[] {
    return [...this.entries.values()];
  }

  /** The whole contents of a REG entry, read from the host. */
  readFile(key: string): Uint8Array {
    const e = this.lookup(key);
    if (!e) throw new ErrnoError(errno.ENOENT, `${key}: no such file in the rump kernel`);
    if (e.type !== 'REG')
      throw new ErrnoError(errno.EFTYPE, `${key}: not a regular file (etfs ${e.type})`);
    return readHostFile(this.host, e.hostPath, e.begin, e.size);
  }
}

export function readHostFile(host: Host, path: string, begin = 0, size?: number): Uint8Array {
  const f = host.open(path, { access: 'read-only' });
  try {
    const len = size ?? Math.max(0, f.size() - begin);
    const buf = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = f.pread(buf.subarray(done), begin + done);
      if (n === 0) break;
      done += n;
    }
    return done === len ? buf : buf.subarray(0, done);
  } finally {
    f.close();
  }
}
