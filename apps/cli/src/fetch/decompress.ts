/**
 * The compressions release sets come in, told apart by their magic bytes: gzip (NetBSD 9's
 * `modules.tgz`, node:zlib) and xz (NetBSD 10's `modules.tar.xz`, the xz-decompress package:
 * XZ Embedded compiled to WebAssembly, no native code, bundled into dist/rump.mjs).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import xz from 'xz-decompress';

export type Compression = 'gzip' | 'xz' | 'none';

export class DecompressError extends Error {
  override name = 'DecompressError';
}

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** Which compression `head` (the first bytes of a file) starts with. */
export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (XZ_MAGIC.every((b, i) => head[i] === b)) return 'xz';
  return 'none';
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The decompressed contents of file `path` (gzip or xz, by its magic). */
export async function decompressFile(path: string, head: Uint8Array): Promise<Uint8Array> {
  const kind = compressionOf(head);
  try {
    switch (kind) {
      case 'gzip':
        return await promisify(gunzip)(await readFile(path));
      case 'xz': {
        const input = Readable.toWeb(createReadStream(path)) as NodeReadableStream<Uint8Array>;
        return await collect(
          new xz.XzReadableStream(input as unknown as ReadableStream<Uint8Array>),
        );
      }
      default:
        throw new DecompressError('neither gzip nor xz data');
    }
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError(`${kind}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
