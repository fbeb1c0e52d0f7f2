/**
 * Targets: `IMAGE`, `IMAGE:PATH`, `IMAGE@PART`, `IMAGE@PART:PATH`.
 *
 * How an argument splits (host file names may contain `:` and `@`, in-image paths may contain `:`):
 * 1. A leading drive (`C:\` or `C:/`, one letter) belongs to the image name.
 * 2. Every later `:` is a candidate separator. Scanning from the right, the first candidate whose
 *    left side names an existing host file (regular file or device) is the separator; so
 *    `back:up.img:/etc` works when `back:up.img` exists, and `disk.img:/a:b` is `/a:b` inside
 *    `disk.img`. When the whole argument names an existing file it is an image with no path.
 * 3. When no left side exists, the first candidate is the separator (and the error then names
 *    the missing image).
 * 4. On the image side, a trailing `@PART` picks a partition unless the whole side names an
 *    existing file: PART is `N` (MBR or GPT entry as `rump parts` numbers it), `Nx` (disklabel
 *    partition x inside MBR partition N) or `x` (disklabel partition at the start of the disk).
 * 5. PATH is made absolute (`disk.img:etc` is `/etc`); an empty PATH is `/`.
 */
import { statSync } from 'node:fs';
import { UsageError } from './errors.js';

export interface Target {
  /** Host path of the image, as given. */
  readonly image: string;
  /** Partition id (`1`, `2a`, `a`) or undefined for the whole image. */
  readonly partition: string | undefined;
  /** Absolute path inside the image's file system, or undefined when none was given. */
  readonly path: string | undefined;
  /** The argument as the user wrote it (for messages). */
  readonly text: string;
}

/** Whether a host path names something usable as an image (a regular file or a device). */
export type ImageExists = (hostPath: string) => boolean;

export const hostImageExists: ImageExists = (p) => {
  try {
    const st = statSync(p);
    return st.isFile() || st.isBlockDevice() || st.isCharacterDevice();
  } catch {
    return false;
  }
};

const PARTITION = /^(?:[0-9]+[a-p]?|[a-p])$/;

/** `/a/b` from `a/b`, `/a/b/`, `//a//b`; `/` from ``. Keeps `.` and `..` for the kernel's namei. */
export function normalizeImagePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

function splitPartition(imageSide: string, exists: ImageExists): [string, string | undefined] {
  const at = imageSide.lastIndexOf('@');
  if (at <= 0 || exists(imageSide)) return [imageSide, undefined];
  const part = imageSide.slice(at + 1);
  if (!PARTITION.test(part)) return [imageSide, undefined];
  return [imageSide.slice(0, at), part];
}

export function parseTarget(text: string, exists: ImageExists = hostImageExists): Target {
  if (text === '') throw new UsageError('empty image argument');
  const drive = /^[A-Za-z]:[\\/]/.test(text) ? 2 : 0;
  const candidates: number[] = [];
  for (let i = text.indexOf(':', drive); i >= 0; i = text.indexOf(':', i + 1)) candidates.push(i);

  let sep: number | undefined;
  if (candidates.length > 0 && !exists(text)) {
    for (let k = candidates.length - 1; k >= 0; k--) {
      const left = text.slice(0, candidates[k]);
      if (exists(left) || exists(splitPartition(left, exists)[0])) {
        sep = candidates[k];
        break;
      }
    }
    sep ??= candidates[0];
  }
  const imageSide = sep === undefined ? text : text.slice(0, sep);
  if (imageSide === '') throw new UsageError(`'${text}': no image before ':'`);
  const [image, partition] = splitPartition(imageSide, exists);
  const path = sep === undefined ? undefined : normalizeImagePath(text.slice(sep + 1));
  return { image, partition, path, text };
}

/** `IMAGE[@PART]:PATH` as text, for messages. */
export function formatTarget(t: Pick<Target, 'image' | 'partition' | 'path'>): string {
  return `${t.image}${t.partition ? `@${t.partition}` : ''}${t.path === undefined ? '' : `:${t.path}`}`;
}
