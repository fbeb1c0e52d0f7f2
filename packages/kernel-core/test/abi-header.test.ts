import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateHeader, HEADER_PATH } from '../scripts/netbsd-abi-header.js';

const haveGcc = (() => {
  try {
    execFileSync('gcc', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe('netbsd_abi.h', () => {
  it('is what the generator writes from the TypeScript layouts (run scripts/netbsd-abi-header.ts)', () => {
    expect(readFileSync(HEADER_PATH, 'utf8')).toBe(generateHeader());
  });

  it.skipIf(!haveGcc)('compiles, so every offset and size assertion holds (needs gcc)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'abi-h-'));
    try {
      const src = join(dir, 't.c');
      writeFileSync(
        src,
        '#include <netbsd_abi.h>\nint probe(struct lwp *l) { return l->l_proc->p_pid; }\n',
      );
      execFileSync(
        'gcc',
        ['-ffreestanding', '-nostdinc', '-fno-pic', '-mcmodel=kernel', '-std=gnu99', '-O2'].concat([
          '-I',
          dirname(HEADER_PATH),
          '-c',
          src,
          '-o',
          join(dir, 't.o'),
        ]),
        { stdio: 'pipe' },
      );
      const dis = execFileSync('objdump', ['-d', join(dir, 't.o')], { encoding: 'utf8' });
      // l->l_proc is at +0x1a8 and p_pid at +0xa8, as NetBSD compiles them.
      expect(dis).toContain('0x1a8(%rdi)');
      expect(dis).toContain('0xa8(%rax)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
