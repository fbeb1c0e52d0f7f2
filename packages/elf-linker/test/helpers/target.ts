/** A test target: a bump allocator over a window of guest addresses, and memory backing it. */
import type { SectionAllocator, SectionRequest, TargetMemory } from '../../src/index.js';

/** The kernel window of -mcmodel=kernel code: the top 2 GiB. */
export const KERNEL_BASE = 0xffffffff80000000n;

export class BumpAllocator implements SectionAllocator {
  readonly live = new Map<bigint, SectionRequest>();
  readonly requests: SectionRequest[] = [];
  next: bigint;

  constructor(
    readonly base: bigint = KERNEL_BASE + 0x100000n,
    readonly limit: bigint = 2n ** 64n,
  ) {
    this.next = base;
  }

  allocate(request: SectionRequest): bigint {
    const align = BigInt(request.align);
    const address = ((this.next + align - 1n) / align) * align;
    if (address + BigInt(request.size) > this.limit)
      throw new Error(`out of space for ${request.name}`);
    this.next = address + BigInt(request.size);
    this.live.set(address, request);
    this.requests.push(request);
    return address;
  }

  free(address: bigint, size: number): void {
    const r = this.live.get(address);
    if (!r || r.size !== size)
      throw new Error(`free of unknown allocation 0x${address.toString(16)}+${size}`);
    this.live.delete(address);
  }
}

/** Memory made of the byte ranges written to it. */
export class SparseMemory implements TargetMemory {
  readonly chunks = new Map<bigint, Uint8Array>();

  write(address: bigint, bytes: Uint8Array): void {
    this.chunks.set(address, bytes.slice());
  }

  read(address: bigint, length: number): Uint8Array {
    for (const [base, bytes] of this.chunks) {
      if (address >= base && address + BigInt(length) <= base + BigInt(bytes.byteLength)) {
        const o = Number(address - base);
        return bytes.subarray(o, o + length);
      }
    }
    throw new Error(`read of unwritten memory 0x${address.toString(16)}+${length}`);
  }

  u64(address: bigint): bigint {
    const b = this.read(address, 8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  u32(address: bigint): number {
    const b = this.read(address, 4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }

  i32(address: bigint): number {
    const b = this.read(address, 4);
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  }

  cstring(address: bigint): string {
    let s = '';
    for (let a = address; ; a++) {
      const c = this.read(a, 1)[0]!;
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
  }
}

/** A resolver giving each name a distinct address from `base` on, recording the names asked. */
export function trapResolver(base = KERNEL_BASE + 0x1000n, step = 16n) {
  const assigned = new Map<string, bigint>();
  const resolve = (name: string): bigint => {
    let a = assigned.get(name);
    if (a === undefined) {
      a = base + BigInt(assigned.size) * step;
      assigned.set(name, a);
    }
    return a;
  };
  return { resolve, assigned };
}
