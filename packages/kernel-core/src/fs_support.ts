/**
 * Kernel functions that file systems other than ffs import (msdosfs, cd9660, ext2fs, tmpfs):
 * registered at boot once the VFS exists, before the remaining names are filled with panicking
 * stubs. Each lives in the file of its NetBSD subsystem.
 */

import { registerRwlockObj } from './kern/kern_rwlock_obj.js';
import { registerKernStub } from './kern/kern_stub.js';
import { registerLibkernExtra } from './kern/libkern_extra.js';
import { registerClock } from './kern/subr_clock.js';
import { registerRbtree } from './kern/subr_rbtree.js';
import { registerVmem } from './kern/subr_vmem.js';
import { registerLockf } from './kern/vfs_lockf.js';
import type { Kernel } from './kernel.js';
import { registerGenfsExtra } from './miscfs/genfs/genfs_vnops_extra.js';
import { registerAobj } from './uvm/uvm_aobj.js';
import { registerVnodeRekey } from './vfs/vfs_vnode_rekey.js';

export function registerFsSupport(k: Kernel): void {
  registerKernStub(k);
  registerLibkernExtra(k);
  registerClock(k);
  registerRbtree(k);
  registerGenfsExtra(k);
  registerVnodeRekey(k);
  registerRwlockObj(k);
  registerVmem(k);
  registerAobj(k);
  registerLockf(k);
}
