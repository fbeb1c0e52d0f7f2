/**
 * atomic_ops(3) and membar_ops(3). Module code calls these out of line (no `lock` prefix in
 * modules); on one CPU running one instruction stream at a time every read-modify-write here is
 * atomic, and the memory barriers have nothing to order.
 */
import type { Kernel } from '../kernel.js';

type Width = 32 | 64;
const TYPES: [string, Width][] = [
  ['32', 32],
  ['int', 32],
  ['uint', 32],
  ['long', 64],
  ['ulong', 64],
  ['ptr', 64],
  ['64', 64],
];

export function registerAtomic(k: Kernel): void {
  const t = k.ksyms;
  const mem = k.mem;
  const rd = (a: bigint, w: Width) => (w === 32 ? BigInt(mem.read32(a)) : mem.read64(a));
  const wr = (a: bigint, w: Width, v: bigint) => {
    if (w === 32) mem.write32(a, Number(BigInt.asUintN(32, v)));
    else mem.write64(a, BigInt.asUintN(64, v));
  };
  const fit = (v: bigint, w: Width) => BigInt.asUintN(w, v);
  const ops: [string, (old: bigint, arg: bigint) => bigint, boolean][] = [
    ['add', (o, a) => o + a, true],
    ['and', (o, a) => o & a, true],
    ['or', (o, a) => o | a, true],
    ['inc', (o) => o + 1n, false],
    ['dec', (o) => o - 1n, false],
  ];
  for (const [suffix, w] of TYPES) {
    for (const [op, f, hasArg] of ops) {
      // and/or have no pointer or signed-long flavours in NetBSD.
      if (
        (op === 'and' || op === 'or') &&
        (suffix === 'ptr' || suffix === 'long' || suffix === 'int')
      )
        continue;
      if ((op === 'add' && suffix === 'uint') || (op === 'add' && suffix === 'ulong')) continue;
      if ((op === 'inc' || op === 'dec') && (suffix === 'int' || suffix === 'long')) continue;
      const apply = (p: bigint, arg: bigint) => {
        const nv = fit(f(rd(p, w), hasArg ? arg : 0n), w);
        wr(p, w, nv);
        return nv;
      };
      t.function(`atomic_${op}_${suffix}`, 'atomic', (cpu) => {
        apply(cpu.arg(0), cpu.arg(1));
      });
      t.function(`atomic_${op}_${suffix}_nv`, 'atomic', (cpu) => apply(cpu.arg(0), cpu.arg(1)));
    }
    if (suffix === 'int' || suffix === 'long') continue; // no cas/swap flavours for these
    const cas = (p: bigint, expected: bigint, nv: bigint) => {
      const old = rd(p, w);
      if (old === fit(expected, w)) wr(p, w, nv);
      return old;
    };
    t.function(`atomic_cas_${suffix}`, 'atomic', (cpu) => cas(cpu.arg(0), cpu.arg(1), cpu.arg(2)));
    t.function(`atomic_cas_${suffix}_ni`, 'atomic', (cpu) =>
      cas(cpu.arg(0), cpu.arg(1), cpu.arg(2)),
    );
    t.function(`atomic_swap_${suffix}`, 'atomic', (cpu) => {
      const old = rd(cpu.arg(0), w);
      wr(cpu.arg(0), w, cpu.arg(1));
      return old;
    });
  }
  for (const b of [
    'enter',
    'exit',
    'producer',
    'consumer',
    'sync',
    'acquire',
    'release',
    'datadep_consumer',
  ]) {
    t.function(`membar_${b}`, 'atomic', () => undefined);
  }
}
