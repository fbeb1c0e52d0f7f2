/**
 * The checksum lists NetBSD publishes next to each release's sets (`binary/sets/SHA512`), in the
 * BSD format NetBSD's `cksum -a sha512` writes:
 *   SHA512 (modules.tar.xz) = 3c9a…(128 hex digits)
 * Lines of other algorithms or shapes are ignored; a file listed twice with different sums is
 * an error (which one would be right?).
 */

export class ChecksumListError extends Error {
  override name = 'ChecksumListError';
}

const LINE = /^SHA512 \((.+)\) = ([0-9a-fA-F]{128})\s*$/;

/** File name → lower-case hex SHA-512, from the text of a SHA512 file. */
export function parseSha512List(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const name = m[1]!;
    const hex = m[2]!.toLowerCase();
    const before = sums.get(name);
    if (before !== undefined && before !== hex)
      throw new ChecksumListError(`SHA512 lists ${name} twice with different sums`);
    sums.set(name, hex);
  }
  return sums;
}

/** The module set names a release may have, in the order they are preferred. */
export const MODULE_SETS = ['modules.tar.xz', 'modules.tgz'] as const;
export type ModuleSetName = (typeof MODULE_SETS)[number];

/** The module set the list names (NetBSD 10 and later: .tar.xz; NetBSD 9: .tgz), if any. */
export function pickModuleSet(
  sums: ReadonlyMap<string, string>,
): { set: ModuleSetName; sha512: string } | undefined {
  for (const set of MODULE_SETS) {
    const sha512 = sums.get(set);
    if (sha512 !== undefined) return { set, sha512 };
  }
  return undefined;
}
