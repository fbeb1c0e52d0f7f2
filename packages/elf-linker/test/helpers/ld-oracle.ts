/**
 * GNU ld as an independent oracle: link a .kmod as a static executable with every section at
 * the address our linker chose and every import at the address our resolver gave, then
 * compare section contents byte for byte.
 *
 * ld optimizes two things a module loader does not: it merges SHF_MERGE strings and constants,
 * and it rewrites .eh_frame. objcopy first clears the merge flags and renames .eh_frame, so ld
 * places those sections verbatim and only applies their relocations.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf, SHF_ALLOC, SHF_MERGE } from '../../src/index.js';
import { run } from './fixtures.js';

export function linkWithLd(
  kmodFile: string,
  sections: ReadonlyMap<string, bigint>,
  symbols: ReadonlyMap<string, bigint>,
): Map<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'elf-linker-ld-'));
  const original = parseElf(new Uint8Array(readFileSync(kmodFile)));
  const plain = 'alloc,load,readonly,data,contents';
  const prepare: string[] = [];
  for (const sec of original.sections) {
    if (sec.flags & SHF_MERGE && sec.flags & SHF_ALLOC)
      prepare.push('--set-section-flags', `${sec.name}=${plain}`);
  }
  if (original.section('.eh_frame'))
    prepare.push('--rename-section', `.eh_frame=${ldName('.eh_frame')},${plain}`);
  try {
    const script = [
      'SECTIONS {',
      ...[...sections].map(
        ([name, addr]) => `  ${ldName(name)} 0x${addr.toString(16)} : { *(${ldName(name)}) }`,
      ),
      '  /DISCARD/ : { *(.note.GNU-stack) *(.comment) *(.ident) }',
      '}',
    ].join('\n');
    writeFileSync(join(dir, 'script.ld'), script);
    const input = join(dir, 'in.o');
    run('objcopy', [...prepare, kmodFile, input]);
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
      input,
    ]);
    const elf = parseElf(new Uint8Array(readFileSync(out)));
    const result = new Map<string, Uint8Array>();
    for (const name of sections.keys()) {
      const s = elf.section(ldName(name));
      if (s) result.set(name, elf.sectionData(s));
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The name a section has in the objcopy-prepared input. */
function ldName(name: string): string {
  return name === '.eh_frame' ? 'eh_frame_raw' : name;
}
