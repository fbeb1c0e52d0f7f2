import { GuestMemory } from '@rump/cpu-x86';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelArena, PAGE_SIZE } from '../src/uvm/uvm_km.js';

describe('KernelArena (kernel_map)', () => {
  it('never hands out overlapping runs, honours alignment and the limit, and accounts exactly', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('alloc' as const),
              size: fc.integer({ min: 1, max: 64 * 1024 }),
              alignShift: fc.integer({ min: 12, max: 16 }),
            }),
            fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
          ),
          { maxLength: 80 },
        ),
        (ops) => {
          const mem = new GuestMemory({ windowSize: 64 * 1024, maxWindowSize: 8 * 1024 * 1024 });
          const limit = 512 * 1024;
          const arena = new KernelArena(mem, 0x10000, 4 * 1024 * 1024, limit);
          const live = new Map<number, number>();
          for (const o of ops) {
            if (o.op === 'alloc') {
              const align = 1 << o.alignShift;
              const at = arena.allocate(o.size, align, 'test');
              const len = Math.ceil(o.size / PAGE_SIZE) * PAGE_SIZE;
              const used = [...live.values()].reduce((a, b) => a + b, 0);
              if (at < 0) {
                // Refused only when it would pass the limit (the 4 MiB space is never the bottleneck here).
                expect(used + len).toBeGreaterThan(limit);
                continue;
              }
              expect(at % align).toBe(0);
              expect(at).toBeGreaterThanOrEqual(0x10000);
              for (const [s, l] of live) expect(at + len <= s || s + l <= at).toBe(true);
              expect(mem.windowSize).toBeGreaterThanOrEqual(at + len);
              live.set(at, len);
            } else if (live.size) {
              const keys = [...live.keys()];
              const k = keys[o.pick % keys.length]!;
              expect(arena.release(k)).toBe(live.get(k));
              live.delete(k);
            }
            expect(arena.stats().inUse).toBe([...live.values()].reduce((a, b) => a + b, 0));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses to free what it did not hand out', () => {
    const mem = new GuestMemory({ windowSize: 64 * 1024, maxWindowSize: 1024 * 1024 });
    const arena = new KernelArena(mem, 0x10000, 1024 * 1024, 1024 * 1024);
    const a = arena.allocate(100, PAGE_SIZE, 'x');
    expect(() => arena.release(a + PAGE_SIZE)).toThrow(/not an allocated run/);
    arena.release(a);
    expect(() => arena.release(a)).toThrow(/not an allocated run/);
  });

  it('reserve makes the next growth back the reserved span at once, bounded by the arena', () => {
    const mem = new GuestMemory({ windowSize: 64 * 1024, maxWindowSize: 8 * 1024 * 1024 });
    const arena = new KernelArena(mem, 0x10000, 4 * 1024 * 1024, 4 * 1024 * 1024);
    arena.reserve(1024 * 1024);
    // Nothing happens while the window has room.
    expect(mem.windowSize).toBe(64 * 1024);
    const first = arena.allocate(4096, PAGE_SIZE, 'first');
    // The first growth covers the reserved span past the top in one step...
    const grown = mem.windowSize;
    expect(grown).toBeGreaterThanOrEqual(first + 4096 + 1024 * 1024);
    expect(arena.stats().inUse).toBe(4096);
    // ...so allocations inside it do not grow the window again.
    for (let i = 0; i < 200; i++)
      expect(arena.allocate(4096, PAGE_SIZE, 'more')).toBeGreaterThan(first);
    expect(mem.windowSize).toBe(grown);
    // A reservation never backs past the arena's end.
    arena.reserve(64 * 1024 * 1024);
    arena.allocate(2 * 1024 * 1024, PAGE_SIZE, 'big');
    expect(mem.windowSize).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
