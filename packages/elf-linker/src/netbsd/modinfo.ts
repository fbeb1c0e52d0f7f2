/**
 * Reads a module's metadata the way NetBSD's kobj and module_do_load do: the single pointer in
 * link_set_modules, the modinfo_t it points to, the strings mi_name and mi_required. The same
 * code serves a linked module (pointers read from the relocated image) and an unlinked one
 * (pointers recovered from the relocation entries), through the ModuleImage interface.
 */
import { SHF_ALLOC } from '../elf/constants.js';
import type { ElfFile, ElfSection } from '../elf/types.js';
import { ModuleMetadataError } from '../errors.js';
import { type NetbsdIdent, readNetbsdIdent } from './ident-note.js';
import {
  LINK_SET_MODULES,
  MAXMODNAME,
  MODINFO,
  MODULE_CLASSES,
  type ModuleClass,
  netbsdVersionString,
} from './module-abi.js';

/** A place inside the module, or outside it (`section` undefined) for pointers to elsewhere. */
export interface ImageLocation {
  readonly section: ElfSection | undefined;
  /** Offset inside `section`. */
  readonly offset: number;
  /** Absolute address, when the module is linked. */
  readonly address?: bigint;
  /** Symbol naming the location, when known. */
  readonly symbol?: string;
}

/** Read access to a module's (relocated or symbolically relocated) contents. */
export interface ModuleImage {
  /** The pointer stored at `offset` of `section`: null for NULL. */
  pointer(section: ElfSection, offset: number): ImageLocation | null;
  /** `length` bytes at `offset` of `section`, with relocations applied as far as the image knows them. */
  bytes(section: ElfSection, offset: number, length: number): Uint8Array;
}

export interface ModuleMetadata {
  readonly name: string;
  readonly class: ModuleClass;
  readonly classNumber: number;
  /** mi_version: the __NetBSD_Version__ the module was built for. */
  readonly version: number;
  readonly versionString: string;
  /** Modules to load first, from mi_required split on commas. */
  readonly required: readonly string[];
  /** The `.note.netbsd.ident` note, when present (NetBSD's module link script drops it). */
  readonly ident: NetbsdIdent | undefined;
  /** Where modinfo_t and mi_modcmd are, as symbols (`ffs_modinfo`, `ffs_modcmd`) when known. */
  readonly modinfoSymbol: string | undefined;
  readonly modcmdSymbol: string | undefined;
}

export interface LinkedModuleMetadata extends ModuleMetadata {
  readonly modinfoAddress: bigint;
  readonly modcmdAddress: bigint;
}

/**
 * Splits mi_required as module_do_load does: skip one comma, take up to the next comma, stop at
 * the first empty name. Names of MAXMODNAME - 1 characters or more are refused, as there.
 */
export function splitRequired(required: string): string[] {
  const out: string[] = [];
  let s = 0;
  while (s < required.length) {
    if (required[s] === ',') s++;
    let p = s;
    while (p < required.length && required[p] !== ',') p++;
    const name = required.slice(s, p);
    if (name.length + 1 >= MAXMODNAME) {
      throw new ModuleMetadataError(
        'mi_required',
        `required module name in "${required}" is longer than ${MAXMODNAME - 2} characters`,
      );
    }
    if (name === '') break;
    out.push(name);
    s = p;
  }
  return out;
}

function cString(image: ModuleImage, loc: ImageLocation, field: string): string {
  const s = loc.section;
  if (!s) {
    throw new ModuleMetadataError(
      field,
      `points outside the module${loc.symbol ? ` (to ${loc.symbol})` : ''}`,
    );
  }
  if (loc.offset < 0 || loc.offset >= s.size) {
    throw new ModuleMetadataError(field, `points past the end of ${s.name}`);
  }
  const rest = image.bytes(s, loc.offset, s.size - loc.offset);
  const nul = rest.indexOf(0);
  if (nul < 0) throw new ModuleMetadataError(field, `string in ${s.name} is not NUL-terminated`);
  return new TextDecoder('latin1').decode(rest.subarray(0, nul));
}

/** The link_set_modules section, checked to hold exactly one pointer. */
export function modulesLinkSet(elf: ElfFile): ElfSection {
  const set = elf.sections.find((s) => s.name === LINK_SET_MODULES && (s.flags & SHF_ALLOC) !== 0);
  if (!set) {
    throw new ModuleMetadataError(
      LINK_SET_MODULES,
      'no allocated link_set_modules section: not a NetBSD module',
    );
  }
  if (set.size !== 8) {
    throw new ModuleMetadataError(
      LINK_SET_MODULES,
      set.size % 8 === 0
        ? `holds ${set.size / 8} modinfo pointers; a module file holds exactly one module`
        : `size ${set.size} is not one 8-byte pointer`,
    );
  }
  return set;
}

export function readModuleMetadata(
  elf: ElfFile,
  image: ModuleImage,
): ModuleMetadata & { modinfo: ImageLocation; modcmd: ImageLocation } {
  const set = modulesLinkSet(elf);
  const modinfo = image.pointer(set, 0);
  if (!modinfo) throw new ModuleMetadataError(LINK_SET_MODULES, 'holds a NULL modinfo pointer');
  const mi = modinfo.section;
  if (!mi)
    throw new ModuleMetadataError(
      LINK_SET_MODULES,
      `points outside the module${modinfo.symbol ? ` (to ${modinfo.symbol})` : ''}`,
    );
  if (modinfo.offset < 0 || modinfo.offset + MODINFO.size > mi.size) {
    throw new ModuleMetadataError(
      'modinfo',
      `the 32-byte modinfo at ${mi.name}+0x${modinfo.offset.toString(16)} does not fit its ${mi.size}-byte section`,
    );
  }
  const raw = image.bytes(mi, modinfo.offset, MODINFO.size);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const version = view.getUint32(MODINFO.mi_version, true);
  const classNumber = view.getInt32(MODINFO.mi_class, true);
  const cls = MODULE_CLASSES[classNumber];
  // module_do_load refuses MODULE_CLASS_ANY (0) as a module's own class.
  if (cls === undefined || classNumber === 0) {
    throw new ModuleMetadataError(
      'mi_class',
      `${classNumber} is not a module class (MISC to BUFQ)`,
    );
  }
  const modcmd = image.pointer(mi, modinfo.offset + MODINFO.mi_modcmd);
  if (!modcmd) throw new ModuleMetadataError('mi_modcmd', 'is NULL');
  const namePtr = image.pointer(mi, modinfo.offset + MODINFO.mi_name);
  if (!namePtr) throw new ModuleMetadataError('mi_name', 'is NULL');
  const name = cString(image, namePtr, 'mi_name');
  if (name === '' || name.length >= MAXMODNAME) {
    throw new ModuleMetadataError(
      'mi_name',
      `"${name}" is not a module name (1 to ${MAXMODNAME - 1} characters)`,
    );
  }
  const reqPtr = image.pointer(mi, modinfo.offset + MODINFO.mi_required);
  const required = reqPtr ? splitRequired(cString(image, reqPtr, 'mi_required')) : [];
  return {
    name,
    class: cls,
    classNumber,
    version,
    versionString: netbsdVersionString(version),
    required,
    ident: readNetbsdIdent(elf),
    modinfoSymbol: modinfo.symbol,
    modcmdSymbol: modcmd.symbol,
    modinfo,
    modcmd,
  };
}
