/**
 * The kernel's static data: a fixed region at the bottom of the window where boot places the
 * objects NetBSD has as global variables (lwp0, proc0, cpu_info, hz, time__second, the
 * vop_*_desc descriptors, strings they point to). Bump-allocated, never freed — like a
 * kernel's .data and .bss.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import { kva } from '../uvm/uvm_km.js';

const encoder = new TextEncoder();

/**
 * UTF-8 bytes of `s`. The kernel's strings (node names, `cpu0`, version text) are short ASCII:
 * those are copied directly, which is much cheaper than a TextEncoder call (a native call that
 * allocates a fresh buffer each time); anything else goes through the encoder.
 */
export function utf8(s: string): Uint8Array {
  const n = s.length;
  if (n > 256) return encoder.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(s);
    out[i] = c;
  }
  return out;
}

export class KernelData {
  private next: number;

  constructor(
    private readonly mem: GuestMemory,
    /** Window offset of the region. */
    readonly base: number,
    readonly size: number,
  ) {
    this.next = base;
  }

  /** Zero-filled bytes (the window starts zeroed and nothing here is ever freed). */
  allocate(size: number, align = 8): bigint {
    return kva(this.allocateOffset(size, align));
  }

  /**
   * allocate() as a window offset: the region is always backed, so callers may write it through
   * `mem.u8` / `mem.dv` without BigInt addresses.
   */
  allocateOffset(size: number, align = 8): number {
    const at = Math.ceil(this.next / align) * align;
    if (at + size > this.base + this.size) {
      throw new Error(`kernel data region full (${this.size} bytes): cannot place ${size} more`);
    }
    this.next = at + Math.max(size, 1);
    return at;
  }

  /** A NUL-terminated copy of `s`. */
  string(s: string): bigint {
    return kva(this.stringOffset(s));
  }

  /** string() as a window offset. */
  stringOffset(s: string): number {
    const bytes = utf8(s);
    const at = this.allocateOffset(bytes.length + 1, 1);
    this.mem.u8.set(bytes, at);
    return at;
  }

  get used(): number {
    return this.next - this.base;
  }
}
