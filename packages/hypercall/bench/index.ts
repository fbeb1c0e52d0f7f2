/**
 * Host-interface throughput: what one hypercall costs. Run with `pnpm bench` (tsx bench/index.ts).
 * Numbers are for this machine only; compare runs, not machines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Host, MemoryHost } from '../src/index.js';
import { NodeHost } from '../src/node.js';

const DISK_BYTES = 64 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'rump-hypercall-bench-'));
const diskPath = join(dir, 'disk.img');
writeFileSync(diskPath, new Uint8Array(DISK_BYTES).fill(0x5a));

function report(what: string, ops: number, bytes: number, ns: bigint): void {
  const s = Number(ns) / 1e9;
  const mb = bytes > 0 ? `  ${(bytes / s / 1024 / 1024).toFixed(0).padStart(6)} MiB/s` : '';
  console.log(`${what.padEnd(52)} ${(ops / s).toFixed(0).padStart(10)} ops/s${mb}`);
}

function timeFor(ms: number, body: () => number): [number, bigint] {
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let ops = 0;
  let now = start;
  while (now < end) {
    ops += body();
    now = process.hrtime.bigint();
  }
  return [ops, now - start];
}

function bioSequential(host: Host, label: string, size: number): void {
  const dev = host.openBlockDevice(diskPath, { access: 'read-only' });
  const buf = new Uint8Array(size);
  const sectors = size / 512;
  let sector = 0;
  const [ops, ns] = timeFor(500, () => {
    for (let i = 0; i < 64; i++) {
      if (sector + sectors > dev.sectorCount) sector = 0;
      dev.bio({ op: 'read', sector, data: buf });
      sector += sectors;
    }
    return 64;
  });
  report(`${label} bio read ${size / 1024} KiB sequential`, ops, ops * size, ns);
  dev.close();
}

async function bioAsyncParallel(host: Host, label: string, size: number, depth: number) {
  const dev = host.openBlockDevice(diskPath, { access: 'read-only' });
  const sectors = size / 512;
  const bufs = Array.from({ length: depth }, () => new Uint8Array(size));
  let next = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + 500_000_000n;
  await new Promise<void>((resolve) => {
    let running = 0;
    const issue = (buf: Uint8Array) => {
      if (next + sectors > dev.sectorCount) next = 0;
      const sector = next;
      next += sectors;
      running++;
      dev.bioAsync({ op: 'read', sector, data: buf }, (err) => {
        running--;
        if (err) throw err;
        ops++;
        if (process.hrtime.bigint() < end) issue(buf);
        else if (running === 0) resolve();
      });
    };
    for (const b of bufs) issue(b);
  });
  report(
    `${label} bioAsync read ${size / 1024} KiB, ${depth} in flight`,
    ops,
    ops * size,
    process.hrtime.bigint() - start,
  );
  dev.close();
}

const memory = new MemoryHost();
memory.addFile(diskPath, new Uint8Array(DISK_BYTES).fill(0x5a), { readOnly: true });
const node = new NodeHost({ env: false, console: { write: () => true } });
const nodeMicro = new NodeHost({ env: false, asyncBio: 'microtask' });

for (const size of [4096, 65536]) {
  bioSequential(memory, 'MemoryHost', size);
  bioSequential(node, 'NodeHost', size);
}
await bioAsyncParallel(memory, 'MemoryHost', 65536, 16);
await bioAsyncParallel(nodeMicro, 'NodeHost microtask', 65536, 16);
await bioAsyncParallel(node, 'NodeHost threadpool', 65536, 16);

for (const [label, host] of [
  ['MemoryHost', memory],
  ['NodeHost', node],
] as const) {
  const [ops, ns] = timeFor(300, () => {
    for (let i = 0; i < 1000; i++) host.clockGettime('monotonic');
    return 1000;
  });
  report(`${label} clockGettime('monotonic')`, ops, 0, ns);
  const line = new TextEncoder().encode(
    'a console line of about sixty bytes, like a boot message\n',
  );
  const [cops, cns] = timeFor(300, () => {
    for (const c of line) host.putchar(c);
    return line.length;
  });
  report(`${label} putchar (bytes, line-buffered)`, cops, cops, cns);
}

memory.shutdown();
node.shutdown();
nodeMicro.shutdown();
rmSync(dir, { recursive: true, force: true });
