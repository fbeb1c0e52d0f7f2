import { GuestMemory } from '@rump/cpu-x86';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kmem } from '../src/kern/kmem.js';
import { KernelArena, windowOffset } from '../src/uvm/uvm_km.js';

const panic = (m: string): never => {
  throw new Error(`panic: ${m}`);
};

describe('kmem', () => {
  it('keeps live blocks disjoint, aligned (64 bytes from 64 up) and intact across frees', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('alloc' as const),
              size: fc.integer({ min: 1, max: 9000 }),
              zero: fc.boolean(),
            }),
            fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
          ),
          { maxLength: 120 },
        ),
        (ops) => {
          const mem = new GuestMemory({ windowSize: 64 * 1024, maxWindowSize: 64 * 1024 * 1024 });
          const kmem = new Kmem(
            mem,
            new KernelArena(mem, 0x10000, 64 * 1024 * 1024, 32 * 1024 * 1024),
            panic,
          );
          const live = new Map<bigint, { size: number; fill: number }>();
          let n = 0;
          for (const o of ops) {
            if (o.op === 'alloc') {
              const p = kmem.alloc(o.size, 1, o.zero);
              expect(p % 8n).toBe(0n);
              if (o.size >= 64) expect(p % 64n).toBe(0n);
              if (o.zero) expect(mem.read(p, o.size).every((b) => b === 0)).toBe(true);
              const off = windowOffset(p);
              for (const [q, v] of live) {
                const qo = windowOffset(q);
                expect(off + o.size <= qo || qo + v.size <= off).toBe(true);
              }
              const fill = ++n & 0xff;
              mem.fill(p, o.size, fill);
              live.set(p, { size: o.size, fill });
            } else if (live.size) {
              const keys = [...live.keys()];
              const p = keys[o.pick % keys.length]!;
              const v = live.get(p)!;
              // Nobody else wrote into this block while it was live.
              expect(mem.read(p, v.size).every((b) => b === v.fill)).toBe(true);
              kmem.free(p, v.size);
              live.delete(p);
            }
            expect(kmem.stats().allocations).toBe(live.size);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
