/**
 * Benchmarks: parse, inspect and link of the test modules (and of ffs.kmod when
 * RUMP_TEST_FFS_KMOD names one), then a mutation-fuzz campaign's throughput and slowest case.
 *
 *   pnpm bench                       (FUZZ_CASES=N to change the campaign size)
 */
import { existsSync, readFileSync } from 'node:fs';
import { inspectModule, linkModule, parseElf } from '../src/index.js';
import { allFixtures, kmod } from '../test/helpers/fixtures.js';
import { exercise, mutate, prng, structureOffsets } from '../test/helpers/mutate.js';
import { BumpAllocator, SparseMemory, trapResolver } from '../test/helpers/target.js';

function time(label: string, iterations: number, fn: () => void): void {
  for (let i = 0; i < Math.min(20, iterations); i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = (performance.now() - start) / iterations;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3).padStart(9)} ms/op`);
}

const inputs: [string, Uint8Array][] = allFixtures().map((n) => [n, kmod(n)]);
const ffs = process.env.RUMP_TEST_FFS_KMOD;
if (ffs && existsSync(ffs)) inputs.push(['ffs.kmod', new Uint8Array(readFileSync(ffs))]);

for (const [name, bytes] of inputs) {
  const heavy = bytes.length > 50_000;
  const n = heavy ? 50 : 500;
  time(`parseElf ${name} (${bytes.length} B)`, n, () => parseElf(bytes));
  time(`inspectModule ${name}`, n, () => inspectModule(bytes));
  if (name === 'link_unresolved' || name === 'link_two_modules' || name === 'link_asm_relocs')
    continue;
  time(`linkModule ${name}`, n, () => {
    linkModule(bytes, {
      allocator: new BumpAllocator(),
      memory: new SparseMemory(),
      resolve: trapResolver().resolve,
      allowWeakUndefined: true,
    });
  });
}

const cases = Number(process.env.FUZZ_CASES ?? 2000);
let total = 0;
let slowest = 0;
const outcomes = new Map<string, number>();
const start = performance.now();
for (const [name, original] of inputs) {
  const rand = prng(0xbe7c4 + name.length);
  const offsets = structureOffsets(original);
  const perInput = name === 'ffs.kmod' ? Math.ceil(cases / 10) : cases;
  for (let i = 0; i < perInput; i++) {
    const { bytes } = mutate(original, rand, offsets);
    const t = performance.now();
    const out = exercise(bytes);
    slowest = Math.max(slowest, performance.now() - t);
    if (out.untyped) throw out.untyped;
    outcomes.set(out.result, (outcomes.get(out.result) ?? 0) + 1);
    total++;
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(
  `fuzz: ${total} mutated inputs in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s), slowest ${slowest.toFixed(1)} ms, untyped errors 0`,
);
console.log(`fuzz outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
