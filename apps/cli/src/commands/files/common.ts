/** Pieces the file commands share: option specs, time and stat formatting, JSON shapes. */
import type { OptionSpec } from '../../cli/args.js';
import {
  type FileStat,
  type FileSystemSession,
  fileTypeOfMode,
  O,
  SessionError,
  type Timespec,
} from '../../session.js';
import { modeString } from './mode.js';

export const TARGET_HELP =
  'IMAGE:PATH names PATH inside the file system of IMAGE (IMAGE@PART:PATH inside a partition; see rump parts). Read commands mount read-only; commands that change the image mount read-write, take a lock on the image, and unmount cleanly even when interrupted.';

export function isoTime(t: Timespec): string {
  return new Date(t.sec * 1000 + Math.floor(t.nsec / 1e6)).toISOString();
}

/** `2025-01-11 12:34` (UTC), as ls -l prints it. */
export function shortTime(t: Timespec): string {
  return isoTime(t).slice(0, 16).replace('T', ' ');
}

export function statJson(path: string, st: FileStat, extra: Record<string, unknown> = {}) {
  return {
    path,
    type: fileTypeOfMode(st.mode),
    mode: `0${(st.mode & 0o7777).toString(8)}`,
    modeString: modeString(st.mode),
    ino: st.ino.toString(),
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    blocks: st.blocks,
    blksize: st.blksize,
    flags: st.flags,
    rdev: st.rdev.toString(),
    atime: isoTime(st.atime),
    mtime: isoTime(st.mtime),
    ctime: isoTime(st.ctime),
    birthtime: isoTime(st.birthtime),
    ...extra,
  };
}

export const RECURSIVE: OptionSpec = {
  long: 'recursive',
  short: 'r',
  kind: 'flag',
  help: 'recurse into directories',
};
export const PRESERVE: OptionSpec = {
  long: 'preserve',
  short: 'p',
  kind: 'flag',
  help: 'keep modes, ownership and access/modification times',
};

/** Reads a whole file of the image. */
export async function readWhole(
  s: FileSystemSession,
  path: string,
  sink: (chunk: Uint8Array) => void,
  check: () => void,
): Promise<number> {
  const fd = await s.open(path, O.RDONLY);
  let total = 0;
  try {
    return await copyLoop();
  } catch (e) {
    throw atPath(e, path);
  } finally {
    await s.close(fd);
  }
  async function copyLoop(): Promise<number> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      check();
      const n = await s.read(fd, buf);
      if (n === 0) break;
      sink(buf.slice(0, n));
      total += n;
    }
    return total;
  }
}

/** Errors on a descriptor name no path: attribute them to the file the descriptor is for. */
export function atPath(e: unknown, path: string): unknown {
  return e instanceof SessionError && e.path === undefined
    ? new SessionError(e.errno, path, e.message)
    : e;
}
