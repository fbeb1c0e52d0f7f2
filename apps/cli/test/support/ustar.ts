/**
 * A tar writer for tests, independent of src/fetch/tar.ts: POSIX ustar headers (names longer
 * than 100 bytes split into prefix/name, or given as a pax `path` record when `pax` is set),
 * directories, files and symbolic links, and the two zero blocks at the end.
 */

export interface TarInput {
  readonly name: string;
  readonly type?: 'file' | 'dir' | 'symlink';
  readonly content?: Uint8Array | string;
  readonly target?: string;
  readonly mode?: number;
  /** Write the name as a pax extended header record instead of in the ustar header. */
  readonly pax?: boolean;
}

const enc = new TextEncoder();

function octal(h: Uint8Array, at: number, len: number, n: number): void {
  h.set(enc.encode(`${n.toString(8).padStart(len - 1, '0')}\0`), at);
}

function header(name: string, typeflag: string, size: number, mode: number, link = ''): Uint8Array {
  const h = new Uint8Array(512);
  let prefix = '';
  let base = name;
  if (enc.encode(name).length > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || enc.encode(name.slice(cut + 1)).length > 100)
      throw new Error(`name too long for ustar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.set(enc.encode(base), 0);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 1736553600);
  h[156] = typeflag.charCodeAt(0);
  h.set(enc.encode(link), 157);
  h.set(enc.encode('ustar\0'), 257);
  h.set(enc.encode('00'), 263);
  h.set(enc.encode('root'), 265);
  h.set(enc.encode('wheel'), 297);
  h.set(enc.encode(prefix), 345);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return h;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512;
  return [data, new Uint8Array(pad)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
  return `${len}${body}`;
}

/** The tar archive of `entries`, in order. */
export function makeTar(entries: readonly TarInput[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data =
      type === 'file'
        ? typeof e.content === 'string'
          ? enc.encode(e.content)
          : (e.content ?? new Uint8Array())
        : new Uint8Array();
    let name = e.name;
    if (e.pax) {
      const rec = enc.encode(paxRecord('path', e.name));
      parts.push(header('PaxHeader/x', 'x', rec.length, 0o644), ...padded(rec));
      name = 'placeholder';
    }
    const flag = type === 'file' ? '0' : type === 'dir' ? '5' : '2';
    const mode = e.mode ?? (type === 'dir' ? 0o755 : 0o444);
    parts.push(header(name, flag, data.length, mode, e.target ?? ''), ...padded(data));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}
