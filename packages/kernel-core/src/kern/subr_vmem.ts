/**
 * kern/subr_vmem.c, vmem(9): arenas of integer resources (tmpfs numbers directory entries with
 * one). An arena is a list of free [start, end) spans kept by the kernel behind an opaque guest
 * handle; allocation takes the lowest fitting address (VM_BESTFIT and VM_INSTANTFIT agree on
 * that for the unit-sized requests modules make), freeing merges neighbours. Imported arenas
 * (a `source`) and quantum caches are not implemented yet and panic.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';

export const VM_SLEEP = 0x1;
export const VM_NOSLEEP = 0x2;
const HANDLE_SIZE = 64;

interface Arena {
  name: string;
  quantum: bigint;
  /** Free spans [start, end), sorted and disjoint. */
  free: [bigint, bigint][];
  /** Allocated spans by start, for vmem_free checks. */
  used: Map<bigint, bigint>;
}

export class Vmem {
  private readonly arenas = new Map<bigint, Arena>();
  constructor(private readonly k: Kernel) {}

  create(name: string, base: bigint, size: bigint, quantum: bigint): bigint {
    const h = this.k.kmem.alloc(HANDLE_SIZE, VM_SLEEP, true, 'vmem_create');
    this.arenas.set(h, {
      name,
      quantum: quantum > 0n ? quantum : 1n,
      free: size > 0n ? [[base, base + size]] : [],
      used: new Map(),
    });
    return h;
  }

  private arena(h: bigint, who: string): Arena {
    return (
      this.arenas.get(h) ?? this.k.panic(`${who}: ${this.k.describeAddress(h)} is not a vmem arena`)
    );
  }

  alloc(h: bigint, size: bigint): { error: number; addr: bigint } {
    const a = this.arena(h, 'vmem_alloc');
    const sz = ((size + a.quantum - 1n) / a.quantum) * a.quantum;
    if (sz <= 0n) this.k.panic(`vmem_alloc(${a.name}): size ${size}`);
    for (let i = 0; i < a.free.length; i++) {
      const [s, e] = a.free[i]!;
      if (e - s < sz) continue;
      if (e - s === sz) a.free.splice(i, 1);
      else a.free[i] = [s + sz, e];
      a.used.set(s, sz);
      return { error: 0, addr: s };
    }
    return { error: errno.ENOMEM, addr: 0n };
  }

  free(h: bigint, addr: bigint, size: bigint): void {
    const a = this.arena(h, 'vmem_free');
    const sz = a.used.get(addr);
    const want = ((size + a.quantum - 1n) / a.quantum) * a.quantum;
    if (sz === undefined || sz !== want)
      this.k.panic(`vmem_free(${a.name}): 0x${addr.toString(16)}+${size} was not allocated`);
    a.used.delete(addr);
    let i = 0;
    while (i < a.free.length && a.free[i]![0] < addr) i++;
    a.free.splice(i, 0, [addr, addr + sz]);
    // Merge with the neighbours.
    if (i + 1 < a.free.length && a.free[i]![1] === a.free[i + 1]![0]) {
      a.free[i] = [a.free[i]![0], a.free[i + 1]![1]];
      a.free.splice(i + 1, 1);
    }
    if (i > 0 && a.free[i - 1]![1] === a.free[i]![0]) {
      a.free[i - 1] = [a.free[i - 1]![0], a.free[i]![1]];
      a.free.splice(i, 1);
    }
  }

  destroy(h: bigint): void {
    const a = this.arena(h, 'vmem_destroy');
    if (a.used.size)
      this.k.panic(`vmem_destroy(${a.name}): ${a.used.size} allocations are still outstanding`);
    this.arenas.delete(h);
    this.k.kmem.free(h, HANDLE_SIZE, 'vmem_create');
  }

  /** Free spans of an arena (tests, debugging). */
  spans(h: bigint): [bigint, bigint][] {
    return this.arena(h, 'vmem_spans').free.map(([s, e]) => [s, e]);
  }
}

export function registerVmem(k: Kernel): Vmem {
  const v = new Vmem(k);
  const t = k.ksyms;
  // vmem_create(name, base, size, quantum, importfn, releasefn, source, qcache_max, flags, ipl)
  t.function('vmem_create', 'vmem', (cpu) => {
    const name = k.mem.readCString(cpu.arg(0), 64);
    const source = cpu.arg(6);
    const qcache = cpu.arg(7);
    if (cpu.arg(4) !== 0n || source !== 0n || qcache !== 0n)
      k.panic(`vmem_create(${name}): imported arenas and quantum caches are not implemented yet`);
    return v.create(name, cpu.arg(1), cpu.arg(2), cpu.arg(3));
  });
  // vmem_alloc(vm, size, flags, &addr)
  t.function('vmem_alloc', 'vmem', (cpu) => {
    const out = cpu.arg(3);
    const flags = Number(cpu.arg(2) & 0xffffffffn);
    const r = v.alloc(cpu.arg(0), cpu.arg(1));
    if (r.error && flags & VM_SLEEP)
      k.panic(
        `vmem_alloc(VM_SLEEP): arena ${k.describeAddress(cpu.arg(0))} is exhausted and nothing could free space`,
      );
    if (!r.error) k.mem.write64(out, r.addr);
    return r.error;
  });
  t.function('vmem_free', 'vmem', (cpu) => v.free(cpu.arg(0), cpu.arg(1), cpu.arg(2)));
  t.function('vmem_destroy', 'vmem', (cpu) => v.destroy(cpu.arg(0)));
  return v;
}
