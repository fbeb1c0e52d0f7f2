/** Notes (SHT_NOTE sections): namesz, descsz, type, then the padded name and descriptor. */
import { ElfError } from '../errors.js';
import { SHT_NOTE } from './constants.js';
import type { ElfReader } from './reader.js';
import type { ElfNote, ElfSection } from './types.js';

const align = (n: number, a: number) => Math.ceil(n / a) * a;
const decoder = new TextDecoder('latin1');

export function readNotes(r: ElfReader, sections: readonly ElfSection[]): ElfNote[] {
  const notes: ElfNote[] = [];
  for (const s of sections) {
    if (s.type !== SHT_NOTE) continue;
    // Notes are 4-byte aligned on every common system; an 8-aligned section (gABI ELF64) pads to 8.
    const a = s.addralign === 8 ? 8 : 4;
    const end = s.offset + s.size;
    let at = s.offset;
    // Every note takes at least 12 bytes, so this loop runs at most size/12 times.
    while (at + 12 <= end) {
      const namesz = r.u32('n_namesz', at);
      const descsz = r.u32('n_descsz', at + 4);
      const type = r.u32('n_type', at + 8);
      // As binutils does: the descriptor starts at the note's start + align(12 + namesz), the
      // next note at align(that + descsz), both relative to the note's start.
      const nameAt = at + 12;
      const descAt = at + align(12 + namesz, a);
      const next = at + align(descAt - at + descsz, a);
      if (descAt + descsz > end || nameAt + namesz > end) {
        throw new ElfError(
          'n_descsz',
          at + 4,
          `note in ${s.name} extends past the end of its section`,
        );
      }
      const rawName = r.slice('note name', nameAt, namesz);
      const nul = rawName.indexOf(0);
      notes.push({
        section: s.name,
        name: decoder.decode(nul >= 0 ? rawName.subarray(0, nul) : rawName),
        type,
        desc: r.slice('note desc', descAt, descsz),
        offset: at,
      });
      at = next;
    }
  }
  return notes;
}
