/**
 * Cost of the host-facing API (not guest instructions): the BigInt memory API on kernel-window
 * addresses, the pair API, `Cpu.call` into a tiny guest function, a guest → host function round
 * trip, and `arg()`. This is the host↔guest path the kernel's TypeScript pays for on every system
 * call. Reported as ns per operation (process CPU time, best of `repeat` rounds).
 *
 *   pnpm bench -- --api            only these (fast)
 *   pnpm bench -- --api --repeat 5
 */
import { Cpu, GuestMemory, KERNEL_WINDOW_BASE, Reg } from '../src/index.js';

export interface ApiResult {
  name: string;
  ns: number;
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** Best ns/op of `repeat` rounds of `n` calls of `body` (which runs `per` operations per call). */
function time(name: string, n: number, repeat: number, body: () => void, per = 1): ApiResult {
  for (let k = 0; k < Math.min(n, 2000); k++) body(); // warm up (V8 tiers up)
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeat; r++) {
    const t0 = cpuNs();
    for (let k = 0; k < n; k++) body();
    best = Math.min(best, (cpuNs() - t0) / (n * per));
  }
  return { name, ns: best };
}

export function measureApi(repeat: number): ApiResult[] {
  const W = KERNEL_WINDOW_BASE;
  const mem = new GuestMemory({ windowSize: 4 << 20 });
  const cpu = new Cpu(mem);
  cpu.setReg(Reg.RSP, W + 0x3f_0000n);
  const code = W + 0x1000n;
  const data = W + 0x10_0000n;
  // f(a, b) = a + b
  mem.write(code, Uint8Array.of(0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3));
  // g(x) = h(x) + 1 where h is a host function: push rbp; movabs rax,h; call rax; add rax,1; pop rbp; ret
  const h = cpu.defineHostFunction('h', (c) => c.arg(0) + 1n);
  const hn = cpu.defineHostFunction('hn', (c) => (c.argLo(0) & 0xffff) + 1);
  const g = W + 0x2000n;
  const gn = W + 0x3000n;
  const callVia = (at: bigint, target: bigint): void => {
    const t = new Uint8Array(new BigUint64Array([target]).buffer);
    mem.write(
      at,
      Uint8Array.of(0x55, 0x48, 0xb8, ...t, 0xff, 0xd0, 0x48, 0x83, 0xc0, 0x01, 0x5d, 0xc3),
    );
  };
  callVia(g, h);
  callVia(gn, hn);
  mem.write(data + 0x800n, new TextEncoder().encode('/mnt/files/f00042\0'));
  const buf = new Uint8Array(65536);
  const N = 200_000;
  const out: ApiResult[] = [];
  let sink = 0;
  let sinkB = 0n;
  // Addresses vary a little so nothing is constant-folded.
  let i = 0;
  const at = (): bigint => data + BigInt((i = (i + 8) & 0xff8));
  const addrs = Array.from({ length: 512 }, (_, k) => data + BigInt(k * 8));
  let j = 0;
  const next = (): bigint => addrs[(j = (j + 1) & 511)]!;
  out.push(time('read8', N, repeat, () => (sink += mem.read8(next()))));
  out.push(time('read32', N, repeat, () => (sink += mem.read32(next()))));
  out.push(
    time('read64', N, repeat, () => {
      sinkB = mem.read64(next());
    }),
  );
  out.push(time('write32', N, repeat, () => mem.write32(next(), j)));
  out.push(time('write64', N, repeat, () => mem.write64(next(), 0x1234_5678_9abc_def0n)));
  out.push(time('read 16 B', N, repeat, () => (sink += mem.read(next(), 16).length)));
  out.push(time('write 16 B', N, repeat, () => mem.write(next(), buf.subarray(0, 16))));
  out.push(time('read 64 KiB', 2000, repeat, () => (sink += mem.read(data, 65536).length)));
  out.push(time('readInto 64 KiB', 2000, repeat, () => mem.readInto(data, buf)));
  out.push(time('write 64 KiB', 2000, repeat, () => mem.write(data, buf)));
  out.push(time('fill 4 KiB', 20000, repeat, () => mem.fill(data, 4096, 0)));
  out.push(
    time('readCString 17', N / 4, repeat, () => (sink += mem.readCString(data + 0x800n).length)),
  );
  out.push(
    time(
      'load64 (pair)',
      N,
      repeat,
      () => (sink += mem.load64((j = (j + 8) & 0xff8) | 0x80100000, -1) + mem.hi),
    ),
  );
  out.push(time('call f(a, b)', N / 4, repeat, () => (sinkB = cpu.call(code, 40, 2))));
  out.push(time('call f(bigint a, b)', N / 4, repeat, () => (sinkB = cpu.call(code, at(), 2n))));
  const kf = Number(BigInt.asIntN(64, code));
  const kg = Number(BigInt.asIntN(64, gn));
  out.push(time('callNum f(a, b)', N / 4, repeat, () => (sink += cpu.callNum(kf, j++, 2))));
  out.push(time('callNum g → host hn', N / 4, repeat, () => (sink += cpu.callNum(kg, 20))));
  out.push(time('call g → host h (bigint)', N / 4, repeat, () => (sinkB = cpu.call(g, 20))));
  out.push(time('call g → host hn (number)', N / 4, repeat, () => (sinkB = cpu.call(gn, 20))));
  if (sink === 0.5 && sinkB === 1n) console.log('');
  return out;
}

export function printApi(results: ApiResult[]): void {
  console.log(`\n${'host API operation'.padEnd(28)} ${'ns/op'.padStart(9)}`);
  for (const r of results) console.log(`${r.name.padEnd(28)} ${r.ns.toFixed(1).padStart(9)}`);
}
