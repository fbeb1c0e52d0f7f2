/** Program headers (Elf32_Phdr / Elf64_Phdr). Relocatable objects have none; executables do. */
import { ElfError } from '../errors.js';
import type { ElfReader } from './reader.js';
import type { ElfHeader, ElfProgramHeader } from './types.js';

export function readProgramHeaders(r: ElfReader, h: ElfHeader): ElfProgramHeader[] {
  const is64 = h.class === 64;
  const out: ElfProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * h.phentsize;
    const f = (n: string) => `${n}[${i}]`;
    const p: ElfProgramHeader = is64
      ? {
          index: i,
          type: r.u32(f('p_type'), at),
          flags: r.u32(f('p_flags'), at + 4),
          offset: r.safeWord(f('p_offset'), at + 8, true),
          vaddr: r.u64(f('p_vaddr'), at + 16),
          paddr: r.u64(f('p_paddr'), at + 24),
          filesz: r.safeWord(f('p_filesz'), at + 32, true),
          memsz: r.u64(f('p_memsz'), at + 40),
          align: r.u64(f('p_align'), at + 48),
        }
      : {
          index: i,
          type: r.u32(f('p_type'), at),
          offset: r.u32(f('p_offset'), at + 4),
          vaddr: BigInt(r.u32(f('p_vaddr'), at + 8)),
          paddr: BigInt(r.u32(f('p_paddr'), at + 12)),
          filesz: r.u32(f('p_filesz'), at + 16),
          memsz: BigInt(r.u32(f('p_memsz'), at + 20)),
          flags: r.u32(f('p_flags'), at + 24),
          align: BigInt(r.u32(f('p_align'), at + 28)),
        };
    if (p.offset + p.filesz > r.size) {
      throw new ElfError(
        f('p_offset'),
        at,
        `segment contents extend past the end of the ${r.size}-byte file`,
      );
    }
    out.push(p);
  }
  return out;
}
