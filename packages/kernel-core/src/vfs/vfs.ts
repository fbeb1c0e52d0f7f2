/**
 * The VFS layer of the kernel (vfs-core): built once at boot, after the VFS data symbols exist
 * and before the not-implemented names are filled in, so that every function defined here
 * replaces a panicking placeholder. `kernel.vfs` is the TypeScript face of it.
 */
import type { Kernel } from '../kernel.js';
import { Vnodes } from './vnode.js';
import { VnodeIf } from './vnode_if.js';

export class Vfs {
  /** VOP_* calls and TypeScript vnode operations. */
  readonly vop: VnodeIf;
  /** struct vnode field accessors. */
  readonly vn: Vnodes;

  constructor(readonly k: Kernel) {
    this.vop = new VnodeIf(k);
    this.vn = new Vnodes(k);
  }
}

/** Boot hook: builds the VFS layer of kernel `k`. */
export function registerVfs(k: Kernel): Vfs {
  return new Vfs(k);
}
