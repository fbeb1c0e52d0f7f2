/**
 * Progress bars: the Progress line itself on a fake clock (throttled to 10 redraws a second,
 * bytes done/total, rate, erased at the end), and `rump put` / `rump get` of a 3 MiB file on the
 * real kernel with tinyfs.kmod through an Io that claims to be a terminal. The clock advances
 * 25 ms each time the bar reads it, so the number of redraws is known whatever the machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import {
  CLEAR_LINE,
  formatBytes,
  Progress,
  progressFor,
  setProgressClock,
} from '../src/progress.js';
import { scratchDir } from './support/fixtures.js';
import { TINYFS } from './support/modules.js';
import { writeTinyfs } from './support/tinyfs-images.js';

const dir = scratchDir('rump-progress-');
afterEach(() => setProgressClock(undefined));

/** A clock that advances `step` ms each time it is read. */
function steppingClock(step: number) {
  let t = 0;
  setProgressClock(() => {
    t += step;
    return t;
  });
}

describe('Progress', () => {
  it('redraws at most 10 times a second, with label, percentage, bytes and rate', () => {
    let now = 0;
    setProgressClock(() => now);
    const out: string[] = [];
    const p = new Progress({ write: (t) => out.push(t) });
    p.start('put /big.bin', 200 * 8192);
    // 2 s of 8 KiB writes every 10 ms: 800 KiB/s
    for (let i = 0; i < 200; i++) {
      now += 10;
      p.add(8192);
    }
    expect(p.draws).toBe(20);
    expect(out.length).toBe(20);
    expect(out.every((l) => l.startsWith(CLEAR_LINE))).toBe(true);
    const last = out.at(-1)!.slice(CLEAR_LINE.length);
    expect(last).toBe('put /big.bin 100% [####################] 1.6 MiB/1.6 MiB  800.0 KiB/s');
    expect(out[9]!).toContain(' 50% [##########..........] 800.0 KiB/1.6 MiB  800.0 KiB/s');
    p.finish();
    expect(out.at(-1)).toBe(CLEAR_LINE);
    p.finish();
    expect(out.length).toBe(21); // erased once
  });

  it('draws nothing for a copy shorter than the interval', () => {
    let now = 0;
    setProgressClock(() => now);
    const out: string[] = [];
    const p = new Progress({ write: (t) => out.push(t) });
    p.start('get /small', 100);
    now = 50;
    p.add(100);
    p.finish();
    expect(out).toEqual([]);
  });

  it('fits the terminal width, cutting the label from the left', () => {
    setProgressClock(() => 0);
    const p = new Progress({ write: () => {}, columns: 40 });
    p.start(`put /${'very/'.repeat(20)}deep.bin`, 1000);
    const l = p.line(1000);
    expect(l.length).toBeLessThanOrEqual(39);
    expect(l).toMatch(/^….*deep\.bin +0% 0 B\/1000 B {2}0 B\/s$/);
  });

  it('formats sizes in binary units', () => {
    expect([0, 1023, 1024, 1536, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '3.0 GiB',
    ]);
  });

  it('is offered only on a terminal, and not with --json, --trace, -v or TERM=dumb', () => {
    const io = (isTTY?: boolean) => ({ isTTY, err: () => {} });
    const g = { json: false, trace: false, verbose: 0 };
    expect(progressFor({ io: io(true), global: g })).toBeInstanceOf(Progress);
    expect(progressFor({ io: io(false), global: g })).toBeUndefined();
    expect(progressFor({ io: io(undefined), global: g })).toBeUndefined();
    expect(progressFor({ io: io(true), global: { ...g, json: true } })).toBeUndefined();
    expect(progressFor({ io: io(true), global: { ...g, trace: true } })).toBeUndefined();
    expect(progressFor({ io: io(true), global: { ...g, verbose: 1 } })).toBeUndefined();
    expect(progressFor({ io: io(true), global: g, env: { TERM: 'dumb' } })).toBeUndefined();
  });
});

describe('rump put / get with a progress bar', () => {
  const SIZE = 3 * 1024 * 1024;
  const big = join(dir, 'big.bin');
  const data = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) data[i] = (i * 31) & 0xff;
  writeFileSync(big, data);
  const image = join(dir, 'fs.img');
  writeTinyfs(image, { spareBlocks: 1000, spareInodes: 8 });

  async function run(isTTY: boolean, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const status = await main(
      [...TINYFS, ...argv],
      { out: (s) => out.push(s), err: (s) => err.push(s), isTTY },
      {},
    );
    return { status, out: out.join(''), err };
  }

  it('put draws the bar on stderr while copying and erases it at the end', async () => {
    steppingClock(25);
    const r = await run(true, 'put', big, `${image}:/big.bin`);
    expect(r.status, r.err.join('')).toBe(0);
    // 64 KiB writes with a bar: 48 of them, one clock read each after start, a redraw every
    // 4th (100 ms)
    const bars = r.err.filter((t) => t.startsWith(`${CLEAR_LINE}put /big.bin`));
    expect(bars.length).toBe(12);
    expect(bars.at(-1)).toContain('100% [####################] 3.0 MiB/3.0 MiB');
    expect(bars[0]).toContain('  8% [##..................] 256.0 KiB/3.0 MiB');
    expect(r.err.at(-1)).toBe(CLEAR_LINE);
    expect(
      r.err
        .join('')
        .replaceAll(CLEAR_LINE, '')
        .replace(/put \/big\.bin[^\r]*/g, ''),
    ).toBe('');
  });

  it('get draws it too, and the copy is intact', async () => {
    steppingClock(25);
    const dst = join(dir, 'back.bin');
    const r = await run(true, 'get', `${image}:/big.bin`, dst);
    expect(r.status, r.err.join('')).toBe(0);
    expect(Buffer.compare(readFileSync(dst), Buffer.from(data))).toBe(0);
    // 64 KiB reads: 48, a redraw every 4th
    const bars = r.err.filter((t) => t.startsWith(`${CLEAR_LINE}get /big.bin`));
    expect(bars.length).toBe(12);
    expect(r.err.at(-1)).toBe(CLEAR_LINE);
  });

  it('draws nothing when stdout is not a terminal, or with --json', async () => {
    steppingClock(25);
    const plain = await run(false, 'get', `${image}:/big.bin`, join(dir, 'plain.bin'));
    expect(plain.status).toBe(0);
    expect(plain.err).toEqual([]);
    const json = await run(true, '--json', 'get', `${image}:/big.bin`, join(dir, 'json.bin'));
    expect(json.status).toBe(0);
    expect(json.err).toEqual([]);
    expect(JSON.parse(json.out).bytes).toBe(SIZE);
  });
});
