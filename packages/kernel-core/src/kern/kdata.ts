/**
 * The kernel's static data: a fixed region at the bottom of the window where boot places the
 * objects NetBSD has as global variables (lwp0, proc0, cpu_info, hz, time__second, the
 * vop_*_desc descriptors, strings they point to). Bump-allocated, never freed — like a
 * kernel's .data and .bss.
 */
import type { GuestMemory } from '@rump/cpu-x86';
import { kva } from '../uvm/uvm_km.js';

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
    const at = Math.ceil(this.next / align) * align;
    if (at + size > this.base + this.size) {
      throw new Error(`kernel data region full (${this.size} bytes): cannot place ${size} more`);
    }
    this.next = at + Math.max(size, 1);
    return kva(at);
  }

  /** A NUL-terminated copy of `s`. */
  string(s: string): bigint {
    const bytes = new TextEncoder().encode(s);
    const a = this.allocate(bytes.length + 1, 1);
    this.mem.write(a, bytes);
    return a;
  }

  get used(): number {
    return this.next - this.base;
  }
}
