/**
 * tinyfs.kmod, the project's example file system, must run on exactly the kernel that runs
 * NetBSD's ffs.kmod and ufs.kmod: every symbol it imports is one that those modules import from
 * the kernel (../shared/netbsd/kernel-symbols-for-ffs-ufs.txt, NetBSD 10.99.12), and it imports
 * the entry points of the paths it is meant to exercise (buffer cache, vcache, genfs, page cache).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectModule } from '@rump/elf-linker';
import { describe, expect, it } from 'vitest';

const KMOD = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../tools/test-modules/kmod/tinyfs.kmod',
);

/** The 337 kernel symbols that ufs.kmod + ffs.kmod import (ffs's imports from ufs removed). */
const FFS_UFS_KERNEL_SYMBOLS = new Set(
  `
NSM_FOLLOW_NOEMULROOT cache_enter cache_enter_id cache_lookup cache_purge1 copy_statvfs_info
desiredvnodes doforce extattr_check_cred iftovt_tab lf_advlock makefstype mountlist_append
namecache_count_2passes namecache_count_pass2 namei_simple_user pathbuf_create pathbuf_destroy
relookup rootvp set_statvfs_info setrootfstime uio_setup_sysspace vattr_null vcache_get
vcache_new vflush vflushbuf vfs_attach vfs_busy vfs_detach vfs_rele vfs_resume
vfs_rootmountalloc vfs_stdextattrctl vfs_suspend vfs_timestamp vfs_unbusy vfs_unixify_accmode
vfs_vnode_iterator_destroy vfs_vnode_iterator_init vfs_vnode_iterator_next vinvalbuf vn_bwrite
vn_close vn_default_error vn_extattr_get vn_extattr_rm vn_extattr_set vn_lock vn_open vn_rdwr
vput vrecycle vref vrefcnt vrele vrele_flush vtruncbuf vttoif_tab VFS_ROOT VFS_SYNC
VOP_ABORTOP VOP_ACCESS VOP_ACCESSX VOP_ACLCHECK VOP_BMAP VOP_BWRITE VOP_CLOSE VOP_FDISCARD
VOP_FSYNC VOP_GETACL VOP_GETPAGES VOP_IOCTL VOP_ISLOCKED VOP_OPEN VOP_PUTPAGES VOP_READ
VOP_SETACL VOP_STRATEGY VOP_UNLOCK VOP_WRITE vop_abortop_desc vop_access_desc vop_accessx_desc
vop_aclcheck_desc vop_advlock_desc vop_bmap_desc vop_bwrite_desc vop_close_desc
vop_closeextattr_desc vop_create_desc vop_default_desc vop_deleteextattr_desc
vop_fallocate_desc vop_fcntl_desc vop_fdiscard_desc vop_fsync_desc vop_getacl_desc
vop_getattr_desc vop_getextattr_desc vop_getpages_desc vop_inactive_desc vop_ioctl_desc
vop_islocked_desc vop_kqfilter_desc vop_link_desc vop_listextattr_desc vop_lock_desc
vop_lookup_desc vop_mkdir_desc vop_mknod_desc vop_mmap_desc vop_open_desc vop_openextattr_desc
vop_parsepath_desc vop_pathconf_desc vop_poll_desc vop_print_desc vop_putpages_desc
vop_read_desc vop_readdir_desc vop_readlink_desc vop_reclaim_desc vop_remove_desc
vop_rename_desc vop_revoke_desc vop_rmdir_desc vop_seek_desc vop_setacl_desc vop_setattr_desc
vop_setextattr_desc vop_strategy_desc vop_symlink_desc vop_unlock_desc vop_whiteout_desc
vop_write_desc __acl_nfs4_sync_mode_from_acl acl_alloc acl_copy_acl_into_oldacl
acl_copy_oldacl_into_acl acl_free acl_nfs4_check acl_nfs4_compute_inherited_acl
acl_nfs4_is_trivial acl_nfs4_sync_acl_from_mode acl_posix1e_acl_to_mode acl_posix1e_check
acl_posix1e_mode_to_perm acl_posix1e_newfilemode allocbuf bawrite bbusy bdev_strategy
bdevsw_lookup bdwrite binvalbuf biodone biowait bread breadn brelse brelsel bufcache_lock
bwrite getblk getiobuf incore putiobuf atomic_add_int atomic_add_int_nv cv_broadcast
cv_destroy cv_has_waiters cv_init cv_signal cv_wait mutex_destroy mutex_enter mutex_exit
mutex_init mutex_owned mutex_tryenter rw_enter rw_exit boothowto physmem copystr memcmp memcpy
memmove memset scanc skpc strlcpy strlen strncmp strncpy uiomove cprng_fast32 cprng_fast64
device_class getdiskinfo getdisksize root_device fifo_vnodeop_p spec_advlock spec_bmap
spec_fdiscard spec_fsync spec_ioctl spec_kqfilter spec_lookup spec_mmap spec_node_getmountedfs
spec_node_init spec_node_setmountedfs spec_open spec_pathconf spec_poll spec_strategy
spec_vnodeop_p vn_fifo_bypass fscow_disestablish fscow_establish fscow_run fstrans_done
fstrans_held fstrans_is_owner fstrans_start genfs_abortop genfs_access genfs_badop
genfs_can_access genfs_can_access_acl_nfs4 genfs_can_access_acl_posix1e genfs_can_chflags
genfs_can_chmod genfs_can_chown genfs_can_chtimes genfs_can_sticky genfs_directio
genfs_enoioctl genfs_eopnotsupp genfs_fcntl genfs_getpages genfs_gop_putrange genfs_gop_write
genfs_insane_rename genfs_islocked genfs_kqfilter genfs_lock genfs_mmap genfs_node_destroy
genfs_node_init genfs_node_unlock genfs_node_wrlock genfs_nullop genfs_parsepath genfs_poll
genfs_putpages genfs_renamelock_enter genfs_renamelock_exit genfs_revoke genfs_sane_rename
genfs_seek genfs_suspendctl genfs_ufslike_remove_check_permitted
genfs_ufslike_remove_check_possible genfs_ufslike_rename_check_permitted
genfs_ufslike_rename_check_possible genfs_unlock getmicrotime getmicrouptime time__second
hashdone hashinit kauth_accmode_to_action kauth_authorize_system kauth_authorize_vnode
kauth_cred_free kauth_cred_get kauth_cred_geteuid kauth_cred_getuid kauth_cred_hold
kauth_listen_scope kauth_unlisten_scope kern_assert log panic printf snprintf uprintf
kern_free kern_malloc kmem_alloc kmem_free kmem_zalloc pool_cache_destroy pool_cache_get_paddr
pool_cache_init pool_cache_put_paddr lwp0 preempt_point proc0 x86_curlwp sysctl_createv
sysctl_notavail ubc_uiomove ubc_zerorange uvm uvm_page_unbusy uvm_pageactivate uvm_pagelock
uvm_pagemarkdirty uvm_pageunlock uvm_vnp_setsize uvm_vnp_setwritesize wapbl_begin wapbl_end
wapbl_flush wapbl_jlock_assert wapbl_junlock_assert wapbl_ops wapbl_register_deallocation
wapbl_register_inode wapbl_replay_free wapbl_replay_start wapbl_replay_stop wapbl_replay_write
wapbl_start wapbl_stop wapbl_unregister_deallocation wapbl_unregister_inode workqueue_create
workqueue_destroy workqueue_enqueue
`
    .trim()
    .split(/\s+/),
);

const inspection = inspectModule(readFileSync(KMOD));

describe('tinyfs.kmod imports', () => {
  it('is a VFS-class NetBSD module named tinyfs', () => {
    expect(FFS_UFS_KERNEL_SYMBOLS.size).toBe(337);
    expect(inspection.metadata?.name).toBe('tinyfs');
    expect(inspection.metadata?.class).toBe('VFS');
    expect(inspection.weakImports).toEqual([]);
  });

  it('imports only kernel symbols that ffs.kmod and ufs.kmod import', () => {
    const foreign = inspection.imports.filter((name) => !FFS_UFS_KERNEL_SYMBOLS.has(name));
    expect(foreign).toEqual([]);
  });

  it('takes the ffs paths: mount, vcache, buffer cache, genfs, page cache, specfs, fifofs', () => {
    for (const name of [
      'namei_simple_user',
      'VOP_OPEN',
      'set_statvfs_info',
      'copy_statvfs_info',
      'vfs_attach',
      'vfs_detach',
      'vcache_get',
      'vcache_new',
      'vflush',
      'vfs_vnode_iterator_next',
      'bread',
      'getblk',
      'bwrite',
      'bdwrite',
      'bawrite',
      'brelse',
      'VOP_BMAP',
      'VOP_STRATEGY',
      'VOP_PUTPAGES',
      'VOP_GETPAGES',
      'uvm_pagemarkdirty',
      'uvm_page_unbusy',
      'genfs_node_init',
      'genfs_getpages',
      'genfs_putpages',
      'genfs_gop_write',
      'ubc_uiomove',
      'ubc_zerorange',
      'uvm_vnp_setsize',
      'uvm_vnp_setwritesize',
      'cache_lookup',
      'cache_enter',
      'spec_vnodeop_p',
      'fifo_vnodeop_p',
      'vop_lookup_desc',
      'vop_getpages_desc',
    ]) {
      expect(inspection.imports, name).toContain(name);
    }
  });
});
