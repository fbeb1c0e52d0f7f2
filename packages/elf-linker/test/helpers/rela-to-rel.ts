/**
 * Rewrites an x86-64 object's SHT_RELA sections as SHT_REL in place: each addend moves into
 * the field it patches, as i386-style REL objects carry it. Linking both forms must give the
 * same bytes.
 */
import { parseElf, relocationType, SHT_REL, SHT_RELA } from '../../src/index.js';

export function relaToRel(original: Uint8Array): Uint8Array {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const elf = parseElf(original);
  for (const rel of elf.relocationSections) {
    if (!rel.rela) continue;
    const target = elf.sections[rel.target]!;
    const entries = elf.relocations(rel);
    entries.forEach((e, i) => {
      const at = rel.section.offset + i * 16;
      view.setBigUint64(at, e.offset, true);
      view.setBigUint64(at + 8, (BigInt(e.symbol) << 32n) | BigInt(e.type), true);
      const rt = relocationType(e.type);
      if (!rt || target.type === 8 /* NOBITS */) return;
      const field = target.offset + Number(e.offset);
      const a = e.addend;
      if (rt.size === 8) view.setBigInt64(field, a, true);
      else if (rt.size === 4) view.setUint32(field, Number(BigInt.asUintN(32, a)), true);
      else if (rt.size === 2) view.setUint16(field, Number(BigInt.asUintN(16, a)), true);
      else if (rt.size === 1) view.setUint8(field, Number(BigInt.asUintN(8, a)));
    });
    const h = rel.section.headerOffset;
    view.setUint32(h + 4, SHT_REL, true);
    view.setBigUint64(h + 32, BigInt(entries.length * 16), true);
    view.setBigUint64(h + 56, 16n, true);
  }
  if (parseElf(bytes).relocationSections.some((r) => r.section.type === SHT_RELA))
    throw new Error('RELA left');
  return bytes;
}
