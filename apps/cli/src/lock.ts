/**
 * Advisory locks for read-write mounts: a lock file next to the image, `IMAGE.rump-lock`, created
 * with O_CREAT|O_EXCL (atomic on local file systems and on NFSv3+), holding who owns it. Node has
 * no flock(2), and a lock file also works across processes that do not share a file descriptor,
 * shows who holds the lock, and survives on file systems where flock is a no-op.
 *
 * A lock whose owner is gone is stale: same host and the pid no longer exists. Breaking it takes
 * a second exclusive file, `IMAGE.rump-lock.break`, so two processes cannot both break the same
 * stale lock and then each believe they own the new one; a break file older than
 * BREAK_TIMEOUT_MS (its holder died mid-break) is removed. Locks from other hosts are never
 * broken automatically: remove the file by hand when sure.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { OperationError } from './cli/errors.js';

export const LOCK_SUFFIX = '.rump-lock';

/**
 * 8 random bytes as hex, from Web Crypto (the same generator as node:crypto's randomBytes):
 * importing node:crypto would load it at every start of the CLI, 5–10 ms, for a lock that most
 * commands never take.
 */
function randomToken(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(8))).toString('hex');
}
export const BREAK_SUFFIX = '.break';
export const BREAK_TIMEOUT_MS = 10_000;

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** Random token: release only removes the file when it still holds this. */
  readonly token: string;
}

export interface ImageLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

export interface LockOptions {
  /** What is taking the lock, shown to whoever finds it held (`rump put`). */
  readonly command?: string;
  readonly hostname?: string;
  readonly pid?: number;
  /** Whether a process exists on this host (default: kill(pid, 0)). */
  readonly isAlive?: (pid: number) => boolean;
  readonly now?: () => Date;
}

export function lockPath(image: string): string {
  return `${image}${LOCK_SUFFIX}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // exists, owned by someone else
  }
}

function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The owner recorded in a lock file, or undefined if it is missing or unreadable. */
export function readLockOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string') return undefined;
    return {
      pid: o.pid,
      host: o.host,
      command: String(o.command ?? '?'),
      since: String(o.since ?? '?'),
      token: String(o.token ?? ''),
    };
  } catch {
    return undefined;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
}

/**
 * Takes the read-write lock of `image`, breaking a stale one; throws an OperationError (EBUSY)
 * naming the holder when another live process has it.
 */
export function lockImage(image: string, options: LockOptions = {}): ImageLock {
  const path = lockPath(image);
  const host = options.hostname ?? osHostname();
  const alive = options.isAlive ?? processAlive;
  const now = options.now ?? (() => new Date());
  const owner: LockOwner = {
    pid: options.pid ?? process.pid,
    host,
    command: options.command ?? 'rump',
    since: now().toISOString(),
    token: randomToken(),
  };
  const text = `${JSON.stringify(owner)}\n`;
  const fail = (why: string) =>
    new OperationError(`image is locked for writing: ${why} (lock file ${path})`, {
      subject: image,
      errno: 'EBUSY',
    });

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (createExclusive(path, text)) return makeLock(path, owner);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new OperationError(`cannot create lock file ${path}: ${(e as Error).message}`, {
        subject: image,
        errno: code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? code : undefined,
      });
    }
    const held = readLockOwner(path);
    if (!held) {
      // Being written right now, or garbage: only garbage older than the break timeout is removed.
      let age = 0;
      try {
        age = now().getTime() - statSync(path).mtimeMs;
      } catch {
        continue; // gone meanwhile: try again
      }
      if (age < BREAK_TIMEOUT_MS) throw fail('the lock file is being written or is unreadable');
    } else if (held.host !== host) {
      throw fail(
        `held by pid ${held.pid} (${held.command}) on host ${held.host} since ${held.since}`,
      );
    } else if (alive(held.pid)) {
      throw fail(`held by pid ${held.pid} (${held.command}) since ${held.since}`);
    }
    // Stale: break it under the break lock.
    const breakPath = `${path}${BREAK_SUFFIX}`;
    if (!createExclusive(breakPath, text)) {
      let age = 0;
      try {
        age = now().getTime() - statSync(breakPath).mtimeMs;
      } catch {
        continue;
      }
      if (age < BREAK_TIMEOUT_MS) throw fail('another process is breaking a stale lock');
      unlinkQuiet(breakPath);
      continue;
    }
    try {
      const again = readLockOwner(path);
      if (held === undefined || (again && again.token === held.token)) unlinkQuiet(path);
    } finally {
      unlinkQuiet(breakPath);
    }
  }
  throw fail('could not take the lock after breaking a stale one');
}

function makeLock(path: string, owner: LockOwner): ImageLock {
  let released = false;
  return {
    path,
    owner,
    release() {
      if (released) return;
      released = true;
      if (readLockOwner(path)?.token === owner.token) unlinkQuiet(path);
    },
  };
}
