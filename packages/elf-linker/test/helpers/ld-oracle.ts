/**
 * GNU ld as an independent oracle: link a .kmod as a static executable with every section at
 * the address our linker chose and every import at the address our resolver gave, then
 * compare section contents byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf } from '../../src/index.js';
import { run } from './fixtures.js';

export function linkWithLd(
  kmodFile: string,
  sections: ReadonlyMap<string, bigint>,
  symbols: ReadonlyMap<string, bigint>,
): Map<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'elf-linker-ld-'));
  try {
    const script = [
      'SECTIONS {',
      ...[...sections].map(([name, addr]) => `  ${name} 0x${addr.toString(16)} : { *(${name}) }`),
      '  /DISCARD/ : { *(.note.GNU-stack) *(.comment) }',
      '}',
    ].join('\n');
    writeFileSync(join(dir, 'script.ld'), script);
    const out = join(dir, 'out.elf');
    run('ld', [
      '-static',
      '-nostdlib',
      '--no-relax',
      '--build-id=none',
      '-z',
      'norelro',
      '-e',
      '0',
      '--no-warn-rwx-segments',
      '-T',
      join(dir, 'script.ld'),
      ...[...symbols].map(([n, a]) => `--defsym=${n}=0x${a.toString(16)}`),
      '-o',
      out,
      kmodFile,
    ]);
    const elf = parseElf(new Uint8Array(readFileSync(out)));
    const result = new Map<string, Uint8Array>();
    for (const name of sections.keys()) {
      const s = elf.section(name);
      if (s) result.set(name, elf.sectionData(s));
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
