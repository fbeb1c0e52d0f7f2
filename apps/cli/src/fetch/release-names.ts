/**
 * What `rump fetch-modules` needs before it fetches anything: the defaults (its help text shows
 * them), the checks of its arguments and its error. Apart from ./release.ts so that loading the
 * CLI does not load the downloader (and with it node:stream/web, node:stream and
 * node:fs/promises, which cost a few ms of every start): fetch-modules imports that when it runs.
 */

export const DEFAULT_MIRROR = 'https://cdn.netbsd.org/pub/NetBSD';
/** The release fetched when none is named: NetBSD 10.1 (December 2024), the current 10.x. */
export const DEFAULT_RELEASE = '10.1';
export const DEFAULT_ARCH = 'amd64';

/** A step of fetching that failed: which one, in one line (`SHA512 mismatch for …`). */
export class FetchModulesError extends Error {
  override name = 'FetchModulesError';
  constructor(
    message: string,
    /** What it is about: a URL or a file name. */
    readonly subject?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const RELEASE = /^[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:_[A-Za-z0-9]+)?$/;
const ARCH = /^[a-z0-9_]+$/;

export function checkRelease(release: string): void {
  if (!RELEASE.test(release))
    throw new FetchModulesError(`'${release}' is not a NetBSD release (e.g. 10.1, 9.4, 10.0_RC1)`);
}

export function checkArch(arch: string): void {
  if (!ARCH.test(arch))
    throw new FetchModulesError(`'${arch}' is not a NetBSD port name (e.g. amd64)`);
}
