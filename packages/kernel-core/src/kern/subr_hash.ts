/**
 * hashinit(9)/hashdone(9): power-of-two arrays of list heads, as subr_hash.c makes them —
 * LIST and SLIST heads are one pointer, TAILQ heads two with tqh_last pointing at tqh_first.
 */
import type { Kernel } from '../kernel.js';

const HASH_LIST = 0;
const HASH_SLIST = 1;
const HASH_TAILQ = 2;
const HASH_PSLIST = 3;

const headSize = (type: number) => (type === HASH_TAILQ ? 16 : 8);

export function registerHash(k: Kernel): void {
  const t = k.ksyms;
  const m = k.mem;
  t.function('hashinit', 'hash', (cpu) => {
    const elements = Number(BigInt.asUintN(32, cpu.arg(0)));
    const type = Number(cpu.arg(1) & 0xffffffffn);
    const waitok = (cpu.arg(2) & 1n) !== 0n;
    if (elements === 0 || elements > 0x7fffffff) k.panic(`hashinit: bad cnt ${elements}`);
    if (![HASH_LIST, HASH_SLIST, HASH_TAILQ, HASH_PSLIST].includes(type))
      k.panic(`hashinit: invalid type ${type}`);
    let size = 1;
    while (size < elements) size <<= 1;
    const es = headSize(type);
    const tbl = k.kmem.alloc(size * es, waitok ? 1 : 2, true, 'hashinit');
    if (tbl === 0n) return 0n;
    if (type === HASH_TAILQ)
      for (let i = 0; i < size; i++) m.write64(tbl + BigInt(i * 16 + 8), tbl + BigInt(i * 16));
    m.write64(cpu.arg(3), BigInt(size - 1));
    return tbl;
  });
  t.function('hashdone', 'hash', (cpu) => {
    const type = Number(cpu.arg(1) & 0xffffffffn);
    const mask = Number(BigInt.asUintN(32, cpu.arg(2)));
    k.kmem.free(cpu.arg(0), (mask + 1) * headSize(type), 'hashdone');
  });
}
