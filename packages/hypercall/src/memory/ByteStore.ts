import { hostFailure } from '../hostFailure.js';

/**
 * The bytes of one in-memory file: a buffer with spare capacity that doubles as the file grows,
 * so appending sector by sector costs amortised O(1) copies.
 */
export class ByteStore {
  #bytes: Uint8Array;
  #length: number;
  readonly maxSize: number;

  constructor(initial: Uint8Array, maxSize: number) {
    this.#bytes = initial.slice();
    this.#length = initial.length;
    this.maxSize = maxSize;
  }

  get length(): number {
    return this.#length;
  }

  /** A copy of the contents. */
  snapshot(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  read(buf: Uint8Array, offset: number): number {
    if (offset >= this.#length) return 0;
    const n = Math.min(buf.length, this.#length - offset);
    buf.set(this.#bytes.subarray(offset, offset + n));
    return n;
  }

  write(buf: Uint8Array, offset: number): void {
    const end = offset + buf.length;
    if (end > this.#length) this.resize(end);
    this.#bytes.set(buf, offset);
  }

  /** Cuts or zero-extends to `size`. */
  resize(size: number): void {
    if (size > this.maxSize) {
      throw hostFailure(
        'EFBIG',
        `${size} bytes exceeds the in-memory file limit of ${this.maxSize}`,
      );
    }
    if (size > this.#bytes.length) {
      let capacity = Math.max(this.#bytes.length, 4096);
      while (capacity < size) capacity *= 2;
      let bigger: Uint8Array;
      try {
        bigger = new Uint8Array(Math.min(capacity, this.maxSize));
      } catch (err) {
        throw hostFailure('ENOSPC', `cannot allocate ${capacity} bytes`, err);
      }
      bigger.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = bigger;
    } else if (size < this.#length) {
      // Bytes past the end must read as zeros if the file grows again.
      this.#bytes.fill(0, size, this.#length);
    }
    this.#length = size;
  }
}
