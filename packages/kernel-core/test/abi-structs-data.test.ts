import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netbsd_10_99 } from '../src/abi/index.js';
import * as defs from '../src/abi/netbsd-10.99/structs/index.js';
import { STRUCTS_JSON } from '../src/abi/netbsd-10.99/structs-data.js';

const dataFile = fileURLToPath(new URL('../src/abi/netbsd-10.99/structs-data.ts', import.meta.url));

/**
 * structs-data.ts as structs/*.ts say it should read: one struct per line of JSON, each line a
 * single-quoted string literal (V8 scans those several times faster than a template literal).
 */
function generated(): string {
  const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = Object.entries(defs).map(
    ([k, v], i, all) =>
      `  ${quote(`${i === 0 ? '{' : ''}${JSON.stringify(k)}:${JSON.stringify(v)}${i === all.length - 1 ? '}' : ','}`)}`,
  );
  const head = readFileSync(dataFile, 'utf8').split('export const STRUCTS_JSON')[0];
  return `${head}export const STRUCTS_JSON =\n${lines.join(' +\n')};\n`;
}

describe('structs-data.ts (the layouts the kernel loads)', () => {
  it('holds exactly the layouts of structs/*.ts (RUMP_WRITE_ABI_DATA=1 rewrites it)', () => {
    if (process.env.RUMP_WRITE_ABI_DATA) writeFileSync(dataFile, generated());
    expect(JSON.parse(STRUCTS_JSON)).toEqual(JSON.parse(JSON.stringify(defs)));
    expect(Object.keys(JSON.parse(STRUCTS_JSON))).toEqual(Object.keys(defs));
  });

  it('gives the profile frozen layouts equal to the declared ones', () => {
    const S = netbsd_10_99.structs as unknown as Record<string, object>;
    expect(Object.keys(S).sort()).toEqual(Object.keys(defs).sort());
    for (const [k, v] of Object.entries(defs)) {
      expect(S[k], k).toEqual(v);
      expect(Object.isFrozen(S[k]), k).toBe(true);
    }
    expect(netbsd_10_99.structs.vnode.v_size.offset).toBe(defs.vnode.v_size.offset);
  });
});
