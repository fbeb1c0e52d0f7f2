/**
 * Small kernel objects modules beyond ffs link against, each as NetBSD defines it:
 * - `eopnotsupp` (kern/kern_stub.c): the "operation not supported" function vectors point at.
 * - `kauth_cred_uidmatch` (kern/kern_auth.c): two credentials share a real or effective uid.
 * - `pool_allocator_nointr` (kern/subr_pool.c): the default page allocator a pool_init caller can
 *   name; our pools take their pages from the kernel arena whatever allocator is named.
 * - `kernel_pmap_ptr` (x86 pmap): `pmap_kernel()`; the kernel vmspace's `vm_map.pmap` (offset 0
 *   of `struct vmspace`) points at the same object, so `VMSPACE_IS_KERNEL_P(uio->uio_vmspace)`
 *   is true for kernel I/O, as on NetBSD.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';

const NOCRED = 0xffff_ffff_ffff_ffffn;
const FSCRED = 0xffff_ffff_ffff_fffen;
/** sizeof(struct pmap) on amd64 is well under this; nothing reads inside it. */
const PMAP_SIZE = 512;

export function registerKernStub(k: Kernel): void {
  const { ksyms: t, kdata, mem, S } = k;
  t.function('eopnotsupp', 'kern', () => errno.EOPNOTSUPP);

  t.function('kauth_cred_uidmatch', 'kauth', (cpu) => {
    const a = cpu.arg(0);
    const b = cpu.arg(1);
    for (const c of [a, b]) {
      if (c === 0n || c === NOCRED || c === FSCRED)
        k.panic(`kauth_cred_uidmatch: credential ${k.describeAddress(c)} is not a real credential`);
    }
    const C = S.kauth_cred;
    const uid = (c: bigint) => mem.read32(c + BigInt(C.cr_uid.offset));
    const euid = (c: bigint) => mem.read32(c + BigInt(C.cr_euid.offset));
    return uid(a) === uid(b) || euid(a) === uid(b) || uid(a) === euid(b) || euid(a) === euid(b);
  });

  const PA = S.pool_allocator;
  const pa = t.dataAt('pool_allocator_nointr', 'pool', kdata.allocate(PA.$size, 8), PA.$size);
  mem.write32(pa + BigInt(PA.pa_pagesz.offset), 4096);

  const pmap = kdata.allocate(PMAP_SIZE, 64);
  const ptr = t.dataAt('kernel_pmap_ptr', 'pmap', kdata.allocate(8, 8), 8);
  mem.write64(ptr, pmap);
  mem.write64(k.vmspaceKernel, pmap); // vmspace.vm_map.pmap
}
