/**
 * A file-system-neutral description of an image's contents and size, which each profile's image
 * maker turns into its own format (mkfsTinyfs for tinyfs, makefs for FFS).
 */

export type TreeEntry =
  | { readonly type: 'file'; readonly content: Uint8Array | string; readonly mode?: number }
  | { readonly type: 'dir'; readonly entries: TreeEntries; readonly mode?: number }
  | { readonly type: 'symlink'; readonly target: string };

export type TreeEntries = Readonly<Record<string, TreeEntry>>;

export interface ImageSpec {
  /** Size of the image in bytes (rounded up to the file system's block). */
  readonly sizeBytes: number;
  /** Inodes (files) the image must be able to hold beyond its tree. */
  readonly inodes: number;
  /** What the image holds at the start; empty when absent. */
  readonly tree?: TreeEntries;
}

/** The default image of the conformance tests: 2 MiB, 256 spare inodes, empty. */
export const DEFAULT_IMAGE: ImageSpec = { sizeBytes: 2 * 1024 * 1024, inodes: 256 };
