/**
 * HTTP for fetch-modules, through Node's global fetch: a small text file (the SHA512 list) and a
 * download streamed to a file while its SHA-512 is computed, reporting progress. Failures are
 * FetchErrors naming the URL: an HTTP status, or why the server could not be reached.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    message: string,
    readonly url: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Called as bytes arrive: how many so far, and the total when the server said (Content-Length). */
export type ProgressListener = (received: number, total: number | undefined) => void;

function unreachable(url: string, e: unknown): FetchError {
  // Node's fetch throws TypeError('fetch failed') with the socket error as its cause.
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.message ?? (e instanceof Error ? e.message : String(e));
  return new FetchError(`cannot reach ${new URL(url).host}: ${why}`, url);
}

async function get(url: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw unreachable(url, e);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new FetchError(
      `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
      url,
      res.status,
    );
  }
  return res;
}

/** The body of `url` as text. */
export async function fetchText(url: string, signal?: AbortSignal): Promise<string> {
  const res = await get(url, signal);
  try {
    return await res.text();
  } catch (e) {
    throw unreachable(url, e);
  }
}

export interface Download {
  /** Bytes written. */
  readonly bytes: number;
  /** Lower-case hex SHA-512 of what was written. */
  readonly sha512: string;
}

/** Streams `url` into the new file `path` (it must not exist), hashing as it goes. */
export async function downloadFile(
  url: string,
  path: string,
  onProgress?: ProgressListener,
  signal?: AbortSignal,
): Promise<Download> {
  const res = await get(url, signal);
  const length = Number(res.headers.get('content-length'));
  // With a Content-Encoding, fetch decodes the body and the length is the encoded one's.
  const encoded = res.headers.get('content-encoding');
  const total =
    Number.isSafeInteger(length) && length > 0 && (!encoded || encoded === 'identity')
      ? length
      : undefined;
  const hash = createHash('sha512');
  const file = await open(path, 'wx', 0o644);
  let bytes = 0;
  try {
    if (!res.body) throw new FetchError('the server sent no body', url);
    const reader = res.body.getReader();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        const cause = (e as { cause?: { message?: string } }).cause;
        throw new FetchError(
          `the download broke off after ${bytes} bytes: ${cause?.message ?? (e as Error).message}`,
          url,
        );
      }
      if (chunk.done) break;
      hash.update(chunk.value);
      await file.write(chunk.value);
      bytes += chunk.value.length;
      onProgress?.(bytes, total);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  if (total !== undefined && bytes !== total)
    throw new FetchError(`the download stopped after ${bytes} of ${total} bytes`, url);
  return { bytes, sha512: hash.digest('hex') };
}
