/** copy(9) with host addresses (HOST_IOV_HI): reads copy from the page cache into the caller's buffer. */
import { MemoryHost } from '@rump/hypercall';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, errno, type Kernel } from '../src/index.js';
import { HOST_IOV_HI, hostIov } from '../src/kern/subr_copy.js';

const call = (k: Kernel, name: string, ...args: (bigint | number)[]) =>
  Number(k.callGuest(k.ksyms.resolve(name)!, ...args));
const host = (i: number) => (BigInt(HOST_IOV_HI) << 32n) | BigInt(i);

describe('copy(9) to and from host addresses', () => {
  afterEach(() => {
    hostIov.bytes = null;
  });

  it('copyout lands in the host buffer, copyin reads it, outside it is EFAULT', () => {
    const k = createKernel({ host: new MemoryHost() });
    const a = k.kmem.alloc(64, 1, false);
    k.mem.write(
      a,
      Uint8Array.from({ length: 64 }, (_, i) => i + 1),
    );
    expect(call(k, 'copyout', a, host(4), 8)).toBe(errno.EFAULT);
    const out = new Uint8Array(16);
    hostIov.bytes = out;
    expect(call(k, 'copyout', a, host(4), 8)).toBe(0);
    expect([...out]).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
    expect(call(k, 'copyout', a, host(9), 8)).toBe(errno.EFAULT);
    out.fill(0xee);
    expect(call(k, 'copyin', host(0), a + 32n, 16)).toBe(0);
    expect([...k.mem.read(a + 32n, 16)].every((b) => b === 0xee)).toBe(true);
    expect(call(k, 'copyin', host(1), a, 16)).toBe(errno.EFAULT);
    // Host to host is not a copy(9) transfer.
    expect(call(k, 'copyout', host(0), host(8), 4)).toBe(errno.EFAULT);
    k.kmem.free(a, 64);
  });
});
