/** cprng(9): random numbers from the host's cryptographic generator (rumpuser_getrandom). */
import type { Kernel } from '../kernel.js';

export function registerCprng(k: Kernel): void {
  const t = k.ksyms;
  const random = (n: number) => {
    const b = new Uint8Array(n);
    k.host.getRandom(b);
    return b;
  };
  const u32 = () => new DataView(random(4).buffer).getUint32(0, true);
  const u64 = () => new DataView(random(8).buffer).getBigUint64(0, true);
  t.function('cprng_fast32', 'cprng', u32);
  t.function('cprng_fast64', 'cprng', u64);
  t.function('cprng_strong32', 'cprng', u32);
  t.function('cprng_strong64', 'cprng', u64);
  t.function('cprng_fast', 'cprng', (cpu) => {
    const n = Number(BigInt.asUintN(32, cpu.arg(1)));
    k.mem.write(cpu.arg(0), random(n));
  });
}
