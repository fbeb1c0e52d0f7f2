/**
 * NetBSD's module ABI as this loader reads it (NetBSD 10.99 amd64, <sys/module.h>):
 * the modinfo_t layout, the module classes, and the sections kobj looks for.
 */

/** `link_set_modules`: one pointer to the module's modinfo_t (NetBSD: one module per file). */
export const LINK_SET_MODULES = 'link_set_modules';
export const LINK_SET_PREFIX = 'link_set_';
export const NETBSD_IDENT_SECTION = '.note.netbsd.ident';

/** modinfo_t: u_int mi_version; modclass_t mi_class; int (*mi_modcmd)(modcmd_t, void *); const char *mi_name; const char *mi_required. */
export const MODINFO = {
  size: 32,
  mi_version: 0,
  mi_class: 4,
  mi_modcmd: 8,
  mi_name: 16,
  mi_required: 24,
} as const;

/** MAXMODNAME: module names are shorter than this. */
export const MAXMODNAME = 32;

/** modclass_t, in enum order. */
export const MODULE_CLASSES = ['ANY', 'MISC', 'VFS', 'DRIVER', 'EXEC', 'SECMODEL', 'BUFQ'] as const;
export type ModuleClass = (typeof MODULE_CLASSES)[number];

/**
 * __NetBSD_Version__ as text: MMmmrrpp00 is major.minor.patch, e.g. 1099001200 is 10.99.12
 * (rr has been 0 since NetBSD 3).
 */
export function netbsdVersionString(version: number): string {
  const major = Math.floor(version / 100_000_000);
  const minor = Math.floor(version / 1_000_000) % 100;
  const patch = Math.floor(version / 100) % 100;
  return patch ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
}
