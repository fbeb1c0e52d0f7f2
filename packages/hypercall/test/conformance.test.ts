import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineHostConformanceTests, runHostConformance } from '@rump/hypercall/conformance';
import { MemoryHost } from '@rump/hypercall/memory';
import { NodeHost } from '@rump/hypercall/node';
import { describe, expect, it } from 'vitest';

// Every host configuration we ship runs the same suite a custom host would.

describe('MemoryHost, real time', () => {
  defineHostConformanceTests(
    () => {
      const host = new MemoryHost();
      return { host, path: (n) => `/conformance/${n}`, consoleText: () => host.consoleText() };
    },
    { describe, it },
  );
});

describe('MemoryHost, virtual time and seeded random', () => {
  defineHostConformanceTests(
    () => {
      const host = new MemoryHost({ time: 'virtual', randomSeed: 42 });
      return { host, path: (n) => `/conformance/${n}`, consoleText: () => host.consoleText() };
    },
    { describe, it },
  );
});

function nodeFixture(asyncBio: 'threadpool' | 'microtask') {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'rump-hypercall-'));
    const chunks: Uint8Array[] = [];
    const host = new NodeHost({
      asyncBio,
      env: false,
      console: { write: (c) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c) },
      debug: { write: () => true },
    });
    return {
      host,
      path: (n: string) => join(dir, n),
      consoleText: () => Buffer.concat(chunks).toString('utf8'),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  };
}

describe('NodeHost, thread-pool bioAsync', () => {
  defineHostConformanceTests(nodeFixture('threadpool'), { describe, it });
});

describe('NodeHost, microtask bioAsync', () => {
  defineHostConformanceTests(nodeFixture('microtask'), { describe, it });
});

describe('runHostConformance (no test framework)', () => {
  it('returns one passing result per check for a conforming host', async () => {
    const results = await runHostConformance(() => ({
      host: new MemoryHost({ time: 'virtual' }),
      path: (n) => `/${n}`,
    }));
    expect(results.length).toBeGreaterThan(30);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});
