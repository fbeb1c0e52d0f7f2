/**
 * The host's cryptographic random bytes (rumpuser_getrandom), with node:crypto loaded on first use:
 * loading it costs 5–10 ms of a process's start-up, and many boots never ask for a random byte.
 */

type Fill = (buf: Uint8Array) => void;

let fill: Fill | undefined;

/** Fills `buf` from the operating system's CSPRNG. */
export function randomFill(buf: Uint8Array): void {
  fill ??= loadFill();
  fill(buf);
}

function loadFill(): Fill {
  // process.getBuiltinModule exists from Node 20.16; before it, Web Crypto (global since Node 19)
  // draws from the same generator, at most 64 KiB per call.
  const crypto =
    typeof process.getBuiltinModule === 'function'
      ? process.getBuiltinModule('node:crypto')
      : undefined;
  if (crypto) return (buf) => crypto.randomFillSync(buf);
  return webCryptoFill;
}

/** The fallback before Node 20.16: Web Crypto, in calls of at most 64 KiB (its limit). */
export function webCryptoFill(buf: Uint8Array): void {
  for (let off = 0; off < buf.length; off += 65536)
    globalThis.crypto.getRandomValues(buf.subarray(off, off + 65536));
}
