/**
 * A file-system profile: everything the harness needs to run scenarios, the conformance suite
 * and the corruption mode against one file-system module — the module files, the name `mount`
 * takes, an image maker, the format's limits, and (when known) how to read the clean flag, check
 * an image and find its metadata.
 */
import type { MetadataRegion } from './images/ffs-image.js';
import type { ImageSpec } from './images/tree.js';

/** A kernel module file handed to the kernel: loaded with modctl, or found on the module path. */
export interface ModuleFile {
  /** File name without `.kmod` (`ffs`, `ufs`, `tinyfs`). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface FsLimits {
  /** Longest name of one path component (NAME_MAX of the format). */
  readonly nameMax: number;
  /** Largest file size the format allows. */
  readonly maxFileSize: number;
  /** Longest symbolic-link target. */
  readonly symlinkMax: number;
}

export interface FsProfile {
  /** Profile name in reports: `tinyfs`, `ffs1`, `ffs2`, or what the user named. */
  readonly name: string;
  /** File-system type for mount(2): `tinyfs`, `ffs`. */
  readonly fstype: string;
  /** Modules loaded in this order with modctl (through etfs keys). */
  readonly modules: readonly ModuleFile[];
  /** Modules the kernel may load by name to satisfy requirements (`ufs` for `ffs`). */
  readonly modulePath: readonly ModuleFile[];
  readonly limits: FsLimits;
  /**
   * Why images cannot be made here (makefs not installed ...), or undefined: tests that need a
   * fresh image are then skipped with this reason.
   */
  readonly imageMakerMissing?: string;
  /** A fresh image holding `spec` (only when `imageMakerMissing` is undefined). */
  makeImage(spec: ImageSpec): Uint8Array;
  /** The superblock's clean flag, when the format has one the harness can read. */
  isClean?(image: Uint8Array): boolean;
  /** An fsck of the image: one sentence per inconsistency (empty: sound). */
  check?(image: Uint8Array): readonly string[];
  /** Metadata the corruption mode may mutate. */
  metadataRegions?(image: Uint8Array): readonly MetadataRegion[];
  /** Features the module legitimately lacks, with the reason (`devices`, `chown` ...). */
  readonly unsupported?: Readonly<Record<string, string>>;
}
