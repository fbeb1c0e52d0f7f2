/** The `.note.netbsd.ident` note: owner "NetBSD", type NT_NETBSD_IDENT, a 4-byte __NetBSD_Version__. */
import { NT_NETBSD_IDENT } from '../elf/constants.js';
import type { ElfFile } from '../elf/types.js';
import { netbsdVersionString } from './module-abi.js';

export interface NetbsdIdent {
  readonly version: number;
  readonly versionString: string;
}

export function readNetbsdIdent(elf: ElfFile): NetbsdIdent | undefined {
  const note = elf.notes.find(
    (n) => n.name === 'NetBSD' && n.type === NT_NETBSD_IDENT && n.desc.byteLength === 4,
  );
  if (!note) return undefined;
  const view = new DataView(note.desc.buffer, note.desc.byteOffset, 4);
  const version = view.getUint32(0, elf.header.endian === 'little');
  return { version, versionString: netbsdVersionString(version) };
}
