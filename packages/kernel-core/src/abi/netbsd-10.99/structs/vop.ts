/**
 * Argument blocks of the vnode operations (sys/vnode_if.h): VOP_*() builds one, the vector slot receives its address.
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const vop_abortop_args = struct('vop_abortop_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_cnp: f(16, 8, 'struct componentname *'),
});

export const vop_access_args = struct('vop_access_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_accmode: f(16, 4, '__accmode_t'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_accessx_args = struct('vop_accessx_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_accmode: f(16, 4, '__accmode_t'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_aclcheck_args = struct('vop_aclcheck_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_type: f(16, 4, 'acl_type_t'),
  a_aclp: f(24, 8, 'struct acl *'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});

export const vop_advlock_args = struct('vop_advlock_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_id: f(16, 8, 'void *'),
  a_op: f(24, 4, 'int'),
  a_fl: f(32, 8, 'struct flock *'),
  a_flags: f(40, 4, 'int'),
});

export const vop_bmap_args = struct('vop_bmap_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_bn: f(16, 8, 'daddr_t'),
  a_vpp: f(24, 8, 'struct vnode * *'),
  a_bnp: f(32, 8, 'daddr_t *'),
  a_runp: f(40, 8, 'int *'),
});

export const vop_bwrite_args = struct('vop_bwrite_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_bp: f(16, 8, 'struct buf *'),
});

export const vop_close_args = struct('vop_close_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_fflag: f(16, 4, 'int'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_closeextattr_args = struct('vop_closeextattr_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_commit: f(16, 4, 'int'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_create_v3_args = struct('vop_create_v3_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vpp: f(16, 8, 'struct vnode * *'),
  a_cnp: f(24, 8, 'struct componentname *'),
  a_vap: f(32, 8, 'struct vattr *'),
});

export const vop_deleteextattr_args = struct('vop_deleteextattr_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_attrnamespace: f(16, 4, 'int'),
  a_name: f(24, 8, 'const char *'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});

export const vop_fallocate_args = struct('vop_fallocate_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_pos: f(16, 8, '__off_t'),
  a_len: f(24, 8, '__off_t'),
});

export const vop_fcntl_args = struct('vop_fcntl_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_command: f(16, 4, 'u_int'),
  a_data: f(24, 8, 'void *'),
  a_fflag: f(32, 4, 'int'),
  a_cred: f(40, 8, 'kauth_cred_t'),
});

export const vop_fdiscard_args = struct('vop_fdiscard_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_pos: f(16, 8, '__off_t'),
  a_len: f(24, 8, '__off_t'),
});

export const vop_fsync_args = struct('vop_fsync_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_cred: f(16, 8, 'kauth_cred_t'),
  a_flags: f(24, 4, 'int'),
  a_offlo: f(32, 8, '__off_t'),
  a_offhi: f(40, 8, '__off_t'),
});

export const vop_generic_args = struct('vop_generic_args', 8, {
  a_desc: f(0, 8, 'struct vnodeop_desc *'),
});

export const vop_getacl_args = struct('vop_getacl_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_type: f(16, 4, 'acl_type_t'),
  a_aclp: f(24, 8, 'struct acl *'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});

export const vop_getattr_args = struct('vop_getattr_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_vap: f(16, 8, 'struct vattr *'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_getextattr_args = struct('vop_getextattr_args', 56, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_attrnamespace: f(16, 4, 'int'),
  a_name: f(24, 8, 'const char *'),
  a_uio: f(32, 8, 'struct uio *'),
  a_size: f(40, 8, 'size_t *'),
  a_cred: f(48, 8, 'kauth_cred_t'),
});

export const vop_getpages_args = struct('vop_getpages_args', 56, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_offset: f(16, 8, 'voff_t'),
  a_m: f(24, 8, 'struct vm_page * *'),
  a_count: f(32, 8, 'int *'),
  a_centeridx: f(40, 4, 'int'),
  a_access_type: f(44, 4, 'vm_prot_t'),
  a_advice: f(48, 4, 'int'),
  a_flags: f(52, 4, 'int'),
});

export const vop_inactive_v2_args = struct('vop_inactive_v2_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_recycle: f(16, 8, '_Bool *'),
});

export const vop_ioctl_args = struct('vop_ioctl_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_command: f(16, 8, 'u_long'),
  a_data: f(24, 8, 'void *'),
  a_fflag: f(32, 4, 'int'),
  a_cred: f(40, 8, 'kauth_cred_t'),
});

export const vop_islocked_args = struct('vop_islocked_args', 16, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
});

export const vop_kqfilter_args = struct('vop_kqfilter_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_kn: f(16, 8, 'struct knote *'),
});

export const vop_link_v2_args = struct('vop_link_v2_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vp: f(16, 8, 'struct vnode *'),
  a_cnp: f(24, 8, 'struct componentname *'),
});

export const vop_listextattr_args = struct('vop_listextattr_args', 56, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_attrnamespace: f(16, 4, 'int'),
  a_uio: f(24, 8, 'struct uio *'),
  a_size: f(32, 8, 'size_t *'),
  a_flag: f(40, 4, 'int'),
  a_cred: f(48, 8, 'kauth_cred_t'),
});

export const vop_lock_args = struct('vop_lock_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_flags: f(16, 4, 'int'),
});

export const vop_lookup_v2_args = struct('vop_lookup_v2_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vpp: f(16, 8, 'struct vnode * *'),
  a_cnp: f(24, 8, 'struct componentname *'),
});

export const vop_mkdir_v3_args = struct('vop_mkdir_v3_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vpp: f(16, 8, 'struct vnode * *'),
  a_cnp: f(24, 8, 'struct componentname *'),
  a_vap: f(32, 8, 'struct vattr *'),
});

export const vop_mknod_v3_args = struct('vop_mknod_v3_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vpp: f(16, 8, 'struct vnode * *'),
  a_cnp: f(24, 8, 'struct componentname *'),
  a_vap: f(32, 8, 'struct vattr *'),
});

export const vop_mmap_args = struct('vop_mmap_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_prot: f(16, 4, 'vm_prot_t'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_open_args = struct('vop_open_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_mode: f(16, 4, 'int'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_openextattr_args = struct('vop_openextattr_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_cred: f(16, 8, 'kauth_cred_t'),
});

export const vop_parsepath_args = struct('vop_parsepath_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_name: f(16, 8, 'const char *'),
  a_retval: f(24, 8, 'size_t *'),
});

export const vop_pathconf_args = struct('vop_pathconf_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_name: f(16, 4, 'int'),
  a_retval: f(24, 8, 'register_t *'),
});

export const vop_poll_args = struct('vop_poll_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_events: f(16, 4, 'int'),
});

export const vop_print_args = struct('vop_print_args', 16, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
});

export const vop_putpages_args = struct('vop_putpages_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_offlo: f(16, 8, 'voff_t'),
  a_offhi: f(24, 8, 'voff_t'),
  a_flags: f(32, 4, 'int'),
});

export const vop_read_args = struct('vop_read_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_uio: f(16, 8, 'struct uio *'),
  a_ioflag: f(24, 4, 'int'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});

export const vop_readdir_args = struct('vop_readdir_args', 56, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_uio: f(16, 8, 'struct uio *'),
  a_cred: f(24, 8, 'kauth_cred_t'),
  a_eofflag: f(32, 8, 'int *'),
  a_cookies: f(40, 8, '__off_t * *'),
  a_ncookies: f(48, 8, 'int *'),
});

export const vop_readlink_args = struct('vop_readlink_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_uio: f(16, 8, 'struct uio *'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_reclaim_v2_args = struct('vop_reclaim_v2_args', 16, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
});

export const vop_remove_v3_args = struct('vop_remove_v3_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vp: f(16, 8, 'struct vnode *'),
  a_cnp: f(24, 8, 'struct componentname *'),
  ctx_vp_new_nlink: f(32, 4, 'nlink_t'),
});

export const vop_rename_args = struct('vop_rename_args', 56, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_fdvp: f(8, 8, 'struct vnode *'),
  a_fvp: f(16, 8, 'struct vnode *'),
  a_fcnp: f(24, 8, 'struct componentname *'),
  a_tdvp: f(32, 8, 'struct vnode *'),
  a_tvp: f(40, 8, 'struct vnode *'),
  a_tcnp: f(48, 8, 'struct componentname *'),
});

export const vop_revoke_args = struct('vop_revoke_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_flags: f(16, 4, 'int'),
});

export const vop_rmdir_v2_args = struct('vop_rmdir_v2_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vp: f(16, 8, 'struct vnode *'),
  a_cnp: f(24, 8, 'struct componentname *'),
});

export const vop_seek_args = struct('vop_seek_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_oldoff: f(16, 8, '__off_t'),
  a_newoff: f(24, 8, '__off_t'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});

export const vop_setacl_args = struct('vop_setacl_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_type: f(16, 4, 'acl_type_t'),
  a_aclp: f(24, 8, 'struct acl *'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});

export const vop_setattr_args = struct('vop_setattr_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_vap: f(16, 8, 'struct vattr *'),
  a_cred: f(24, 8, 'kauth_cred_t'),
});

export const vop_setextattr_args = struct('vop_setextattr_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_attrnamespace: f(16, 4, 'int'),
  a_name: f(24, 8, 'const char *'),
  a_uio: f(32, 8, 'struct uio *'),
  a_cred: f(40, 8, 'kauth_cred_t'),
});

export const vop_strategy_args = struct('vop_strategy_args', 24, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_bp: f(16, 8, 'struct buf *'),
});

export const vop_symlink_v3_args = struct('vop_symlink_v3_args', 48, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_vpp: f(16, 8, 'struct vnode * *'),
  a_cnp: f(24, 8, 'struct componentname *'),
  a_vap: f(32, 8, 'struct vattr *'),
  a_target: f(40, 8, 'char *'),
});

export const vop_unlock_args = struct('vop_unlock_args', 16, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
});

export const vop_whiteout_args = struct('vop_whiteout_args', 32, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_dvp: f(8, 8, 'struct vnode *'),
  a_cnp: f(16, 8, 'struct componentname *'),
  a_flags: f(24, 4, 'int'),
});

export const vop_write_args = struct('vop_write_args', 40, {
  a_desc: f(0, 8, 'const struct vnodeop_desc *'),
  a_vp: f(8, 8, 'struct vnode *'),
  a_uio: f(16, 8, 'struct uio *'),
  a_ioflag: f(24, 4, 'int'),
  a_cred: f(32, 8, 'kauth_cred_t'),
});
