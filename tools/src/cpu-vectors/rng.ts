/**
 * A seeded 64-bit PRNG (splitmix64) so the generated vectors are the same on every run:
 * the differential vectors must only change when the catalog or the CPU changes.
 */
const M64 = (1n << 64n) - 1n;

export class SplitMix64 {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = seed & M64;
  }

  next(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & M64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Number(this.next() % BigInt(n));
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(this.next() & 0xffn);
    return out;
  }
}
