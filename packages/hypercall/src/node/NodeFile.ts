import {
  closeSync,
  fstatSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  read,
  readSync,
  write,
  writeSync,
} from 'node:fs';
import type { FileBackend } from '../FileBackend.js';
import type { BioOp } from '../Host.js';
import { hostFailure } from '../hostFailure.js';

/**
 * One host file descriptor, used with positioned synchronous calls (the kernel is synchronous).
 * readSync and writeSync may move fewer bytes than asked, so both loop.
 */
export class NodeFile implements FileBackend {
  readonly fd: number;
  constructor(fd: number) {
    this.fd = fd;
  }
  size(): number {
    return fstatSync(this.fd).size;
  }
  pread(buf: Uint8Array, offset: number): number {
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, offset + done);
      if (n === 0) break; // end of file
      done += n;
    }
    return done;
  }
  pwrite(buf: Uint8Array, offset: number): void {
    let done = 0;
    while (done < buf.length) {
      const n = writeSync(this.fd, buf, done, buf.length - done, offset + done);
      if (n === 0) throw hostFailure('EIO', `write made no progress at byte ${offset + done}`);
      done += n;
    }
  }
  truncate(size: number): void {
    ftruncateSync(this.fd, size);
  }
  fsync(): void {
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * A NodeFile whose block transfers may also run on libuv's thread pool (fs.read / fs.write with
 * callbacks): the "workers" form of bioAsync. The kernel thread goes on while the pool moves bytes.
 */
export class ThreadpoolNodeFile extends NodeFile {
  transferAsync(
    op: BioOp,
    data: Uint8Array,
    offset: number,
    sync: boolean,
    cb: (err: unknown, bytes: number) => void,
  ): void {
    const fd = this.fd;
    let done = 0;
    const finish = () => {
      if (op === 'write' && sync) fsync(fd, (err) => cb(err, err ? 0 : done));
      else cb(null, done);
    };
    const step = (err: NodeJS.ErrnoException | null, n: number): void => {
      if (err) cb(err, 0);
      // End of file, or a write that made no progress: the device reports the short count as EIO.
      else if (n === 0) cb(null, done);
      else if ((done += n) >= data.length) finish();
      else next();
    };
    const next = () => {
      if (op === 'read') read(fd, data, done, data.length - done, offset + done, step);
      else write(fd, data, done, data.length - done, offset + done, step);
    };
    if (data.length === 0) queueMicrotask(finish);
    else next();
  }
}
