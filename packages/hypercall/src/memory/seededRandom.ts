/**
 * A reproducible byte generator (mulberry32) for tests that want the same "random" bytes on
 * every run. Not cryptographic: only MemoryHost with an explicit `randomSeed` uses it.
 */
export function seededRandom(seed: number): (buf: Uint8Array) => void {
  let state = seed >>> 0;
  return (buf) => {
    for (let i = 0; i < buf.length; i += 4) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const word = (t ^ (t >>> 14)) >>> 0;
      for (let j = 0; j < 4 && i + j < buf.length; j++) buf[i + j] = (word >>> (8 * j)) & 0xff;
    }
  };
}

/** crypto.getRandomValues fills at most 65536 bytes per call. */
export function cryptoRandom(buf: Uint8Array): void {
  for (let i = 0; i < buf.length; i += 65536) {
    globalThis.crypto.getRandomValues(buf.subarray(i, Math.min(buf.length, i + 65536)));
  }
}
