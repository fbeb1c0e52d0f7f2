/**
 * Vnodes, mounts and the VFS interfaces modules see (sys/vnode.h, vnode_impl.h, sys/mount.h, sys/namei.h, sys/uio.h ...).
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const vnode = struct('vnode', 256, {
  v_uobj: f(0, 48, 'struct uvm_object'),
  v_size: f(48, 8, 'voff_t'),
  v_writesize: f(56, 8, 'voff_t'),
  v_cv: f(64, 16, 'kcondvar_t'),
  v_iflag: f(80, 4, 'int'),
  v_uflag: f(84, 4, 'int'),
  v_usecount: f(88, 4, 'int'),
  v_numoutput: f(92, 4, 'int'),
  v_writecount: f(96, 4, 'int'),
  v_holdcnt: f(100, 4, 'int'),
  v_cleanblkhd: f(104, 8, 'struct buflists'),
  v_dirtyblkhd: f(112, 8, 'struct buflists'),
  v_vflag: f(128, 4, 'int'),
  v_interlock: f(136, 8, 'kmutex_t *'),
  v_mount: f(144, 8, 'struct mount *'),
  v_op: f(152, 8, 'funcptr *'),
  v_un: f(160, 8, 'union <anon>', {
    vu_mountedhere: f(160, 8, 'struct mount *'),
    vu_socket: f(160, 8, 'struct socket *'),
    vu_specnode: f(160, 8, 'struct specnode *'),
    vu_fifoinfo: f(160, 8, 'struct fifoinfo *'),
    vu_ractx: f(160, 8, 'struct uvm_ractx *'),
  }),
  v_type: f(168, 4, 'enum vtype'),
  v_tag: f(172, 4, 'enum vtagtype'),
  v_data: f(176, 8, 'void *'),
  v_klist: f(184, 8, 'struct vnode_klist *'),
  v_segvguard: f(192, 8, 'void *'),
});

export const vnode_impl = struct('vnode_impl', 576, {
  vi_vnode: f(0, 256, 'struct vnode'),
  vi_key: f(256, 24, 'struct vcache_key'),
  vi_klist: f(280, 16, 'struct vnode_klist'),
  vi_lrulisthd: f(296, 8, 'struct vnodelst *'),
  vi_lrulist: f(304, 16, 'struct <anon>', {
    tqe_next: f(304, 8, 'struct vnode_impl *'),
    tqe_prev: f(312, 8, 'struct vnode_impl * *'),
  }),
  vi_synclist_slot: f(320, 4, 'int'),
  vi_lrulisttm: f(324, 4, 'int'),
  vi_synclist: f(328, 16, 'struct <anon>', {
    tqe_next: f(328, 8, 'struct vnode_impl *'),
    tqe_prev: f(336, 8, 'struct vnode_impl * *'),
  }),
  vi_hash: f(344, 8, 'struct <anon>', {
    sle_next: f(344, 8, 'struct vnode_impl *'),
  }),
  vi_state: f(352, 4, 'enum vnode_state'),
  vi_mntvnodes: f(360, 16, 'struct <anon>', {
    tqe_next: f(360, 8, 'struct vnode_impl *'),
    tqe_prev: f(368, 8, 'struct vnode_impl * *'),
  }),
  vi_nc_tree: f(384, 32, 'rb_tree_t'),
  vi_nc_list: f(416, 16, 'struct <anon>', {
    tqh_first: f(416, 8, 'struct namecache *'),
    tqh_last: f(424, 8, 'struct namecache * *'),
  }),
  vi_nc_mode: f(432, 4, '__mode_t'),
  vi_nc_uid: f(436, 4, '__uid_t'),
  vi_nc_gid: f(440, 4, '__gid_t'),
  vi_nc_spare: f(444, 4, 'uint32_t'),
  vi_lock: f(448, 8, 'krwlock_t'),
  vi_nc_lock: f(512, 8, 'krwlock_t'),
  vi_nc_listlock: f(520, 8, 'krwlock_t'),
});

export const vcache_key = struct('vcache_key', 24, {
  vk_mount: f(0, 8, 'struct mount *'),
  vk_key: f(8, 8, 'const void *'),
  vk_key_len: f(16, 8, 'size_t'),
});

export const vnodelst = struct('vnodelst', 16, {
  tqh_first: f(0, 8, 'struct vnode_impl *'),
  tqh_last: f(8, 8, 'struct vnode_impl * *'),
});

export const vnode_klist = struct('vnode_klist', 16, {
  vk_klist: f(0, 8, 'struct klist'),
  vk_interest: f(8, 8, 'long int'),
});

export const mount = struct('mount', 3456, {
  mnt_vnodelock: f(0, 8, 'kmutex_t *'),
  mnt_op: f(8, 8, 'struct vfsops *'),
  mnt_vnodecovered: f(16, 8, 'struct vnode *'),
  mnt_lower: f(24, 8, 'struct mount *'),
  mnt_data: f(32, 8, 'void *'),
  mnt_renamelock: f(40, 8, 'kmutex_t *'),
  mnt_flag: f(48, 4, 'int'),
  mnt_iflag: f(52, 4, 'int'),
  mnt_fs_bshift: f(56, 4, 'int'),
  mnt_dev_bshift: f(60, 4, 'int'),
  mnt_specdataref: f(64, 16, 'specificdata_reference'),
  mnt_updating: f(80, 8, 'kmutex_t *'),
  mnt_wapbl_op: f(88, 8, 'const struct wapbl_ops *'),
  mnt_wapbl: f(96, 8, 'struct wapbl *'),
  mnt_wapbl_replay: f(104, 8, 'struct wapbl_replay *'),
  mnt_gen: f(112, 8, 'uint64_t'),
  mnt_refcnt: f(128, 4, 'int'),
  mnt_synclist_slot: f(132, 4, 'int'),
  mnt_vnodelist: f(136, 16, 'struct <anon>', {
    tqh_first: f(136, 8, 'struct vnode_impl *'),
    tqh_last: f(144, 8, 'struct vnode_impl * *'),
  }),
  mnt_stat: f(152, 3296, 'struct statvfs'),
});

export const statvfs = struct('statvfs', 3296, {
  f_flag: f(0, 8, 'long unsigned int'),
  f_bsize: f(8, 8, 'long unsigned int'),
  f_frsize: f(16, 8, 'long unsigned int'),
  f_iosize: f(24, 8, 'long unsigned int'),
  f_blocks: f(32, 8, '__fsblkcnt_t'),
  f_bfree: f(40, 8, '__fsblkcnt_t'),
  f_bavail: f(48, 8, '__fsblkcnt_t'),
  f_bresvd: f(56, 8, '__fsblkcnt_t'),
  f_files: f(64, 8, '__fsfilcnt_t'),
  f_ffree: f(72, 8, '__fsfilcnt_t'),
  f_favail: f(80, 8, '__fsfilcnt_t'),
  f_fresvd: f(88, 8, '__fsfilcnt_t'),
  f_syncreads: f(96, 8, 'uint64_t'),
  f_syncwrites: f(104, 8, 'uint64_t'),
  f_asyncreads: f(112, 8, 'uint64_t'),
  f_asyncwrites: f(120, 8, 'uint64_t'),
  f_fsidx: f(128, 8, 'fsid_t'),
  f_fsid: f(136, 8, 'long unsigned int'),
  f_namemax: f(144, 8, 'long unsigned int'),
  f_owner: f(152, 4, '__uid_t'),
  f_spare: f(160, 32, 'uint64_t[4]'),
  f_fstypename: f(192, 32, 'char[32]'),
  f_mntonname: f(224, 1024, 'char[1024]'),
  f_mntfromname: f(1248, 1024, 'char[1024]'),
  f_mntfromlabel: f(2272, 1024, 'char[1024]'),
});

export const vattr = struct('vattr', 176, {
  va_type: f(0, 4, 'enum vtype'),
  va_mode: f(4, 4, '__mode_t'),
  va_nlink: f(8, 4, 'nlink_t'),
  va_uid: f(12, 4, '__uid_t'),
  va_gid: f(16, 4, '__gid_t'),
  va_fsid: f(24, 8, 'dev_t'),
  va_fileid: f(32, 8, 'ino_t'),
  va_size: f(40, 8, 'u_quad_t'),
  va_blocksize: f(48, 8, 'long int'),
  va_atime: f(56, 16, 'struct timespec'),
  va_mtime: f(72, 16, 'struct timespec'),
  va_ctime: f(88, 16, 'struct timespec'),
  va_birthtime: f(104, 16, 'struct timespec'),
  va_gen: f(120, 8, 'u_long'),
  va_flags: f(128, 8, 'u_long'),
  va_rdev: f(136, 8, 'dev_t'),
  va_bytes: f(144, 8, 'u_quad_t'),
  va_filerev: f(152, 8, 'u_quad_t'),
  va_vaflags: f(160, 4, 'unsigned int'),
  va_spare: f(168, 8, 'long int'),
});

export const componentname = struct('componentname', 32, {
  cn_nameiop: f(0, 4, 'uint32_t'),
  cn_flags: f(4, 4, 'uint32_t'),
  cn_cred: f(8, 8, 'kauth_cred_t'),
  cn_nameptr: f(16, 8, 'const char *'),
  cn_namelen: f(24, 8, 'size_t'),
});

export const pathbuf = struct('pathbuf', 24, {
  pb_path: f(0, 8, 'char *'),
  pb_pathcopy: f(8, 8, 'char *'),
  pb_pathcopyuses: f(16, 4, 'unsigned int'),
});

export const nameidata = struct('nameidata', 112, {
  ni_atdir: f(0, 8, 'struct vnode *'),
  ni_pathbuf: f(8, 8, 'struct pathbuf *'),
  ni_pnbuf: f(16, 8, 'char *'),
  ni_rootdir: f(24, 8, 'struct vnode *'),
  ni_erootdir: f(32, 8, 'struct vnode *'),
  ni_vp: f(40, 8, 'struct vnode *'),
  ni_dvp: f(48, 8, 'struct vnode *'),
  ni_pathlen: f(56, 8, 'size_t'),
  ni_next: f(64, 8, 'const char *'),
  ni_loopcnt: f(72, 4, 'unsigned int'),
  ni_cnd: f(80, 32, 'struct componentname'),
});

export const vfsops = struct('vfsops', 224, {
  vfs_name: f(0, 8, 'const char *'),
  vfs_min_mount_data: f(8, 8, 'size_t'),
  vfs_mount: f(16, 8, 'funcptr'),
  vfs_start: f(24, 8, 'funcptr'),
  vfs_unmount: f(32, 8, 'funcptr'),
  vfs_root: f(40, 8, 'funcptr'),
  vfs_quotactl: f(48, 8, 'funcptr'),
  vfs_statvfs: f(56, 8, 'funcptr'),
  vfs_sync: f(64, 8, 'funcptr'),
  vfs_vget: f(72, 8, 'funcptr'),
  vfs_loadvnode: f(80, 8, 'funcptr'),
  vfs_newvnode: f(88, 8, 'funcptr'),
  vfs_fhtovp: f(96, 8, 'funcptr'),
  vfs_vptofh: f(104, 8, 'funcptr'),
  vfs_init: f(112, 8, 'funcptr'),
  vfs_reinit: f(120, 8, 'funcptr'),
  vfs_done: f(128, 8, 'funcptr'),
  vfs_mountroot: f(136, 8, 'funcptr'),
  vfs_snapshot: f(144, 8, 'funcptr'),
  vfs_extattrctl: f(152, 8, 'funcptr'),
  vfs_suspendctl: f(160, 8, 'funcptr'),
  vfs_renamelock_enter: f(168, 8, 'funcptr'),
  vfs_renamelock_exit: f(176, 8, 'funcptr'),
  vfs_fsync: f(184, 8, 'funcptr'),
  vfs_opv_descs: f(192, 8, 'const const struct vnodeopv_desc * *'),
  vfs_refcount: f(200, 4, 'int'),
  vfs_list: f(208, 16, 'struct <anon>', {
    le_next: f(208, 8, 'struct vfsops *'),
    le_prev: f(216, 8, 'struct vfsops * *'),
  }),
});

export const vnodeopv_desc = struct('vnodeopv_desc', 16, {
  opv_desc_vector_p: f(0, 8, 'funcptr * *'),
  opv_desc_ops: f(8, 8, 'const struct vnodeopv_entry_desc *'),
});

export const vnodeopv_entry_desc = struct('vnodeopv_entry_desc', 16, {
  opve_op: f(0, 8, 'const struct vnodeop_desc *'),
  opve_impl: f(8, 8, 'funcptr'),
});

export const vnodeop_desc = struct('vnodeop_desc', 48, {
  vdesc_offset: f(0, 4, 'int'),
  vdesc_name: f(8, 8, 'const char *'),
  vdesc_flags: f(16, 4, 'int'),
  vdesc_vp_offsets: f(24, 8, 'const int *'),
  vdesc_vpp_offset: f(32, 4, 'int'),
  vdesc_cred_offset: f(36, 4, 'int'),
  vdesc_componentname_offset: f(40, 4, 'int'),
});

export const uio = struct('uio', 48, {
  uio_iov: f(0, 8, 'struct iovec *'),
  uio_iovcnt: f(8, 4, 'int'),
  uio_offset: f(16, 8, '__off_t'),
  uio_resid: f(24, 8, 'size_t'),
  uio_rw: f(32, 4, 'enum uio_rw'),
  uio_vmspace: f(40, 8, 'struct vmspace *'),
});

export const iovec = struct('iovec', 16, {
  iov_base: f(0, 8, 'void *'),
  iov_len: f(8, 8, 'size_t'),
});

export const dirent = struct('dirent', 528, {
  d_fileno: f(0, 8, 'ino_t'),
  d_reclen: f(8, 2, 'uint16_t'),
  d_namlen: f(10, 2, 'uint16_t'),
  d_type: f(12, 1, 'uint8_t'),
  d_name: f(13, 512, 'char[512]'),
});

export const stat = struct('stat', 152, {
  st_dev: f(0, 8, 'dev_t'),
  st_mode: f(8, 4, '__mode_t'),
  st_ino: f(16, 8, 'ino_t'),
  st_nlink: f(24, 4, 'nlink_t'),
  st_uid: f(28, 4, '__uid_t'),
  st_gid: f(32, 4, '__gid_t'),
  st_rdev: f(40, 8, 'dev_t'),
  st_atim: f(48, 16, 'struct timespec'),
  st_mtim: f(64, 16, 'struct timespec'),
  st_ctim: f(80, 16, 'struct timespec'),
  st_birthtim: f(96, 16, 'struct timespec'),
  st_size: f(112, 8, '__off_t'),
  st_blocks: f(120, 8, 'blkcnt_t'),
  st_blksize: f(128, 4, 'blksize_t'),
  st_flags: f(132, 4, 'uint32_t'),
  st_gen: f(136, 4, 'uint32_t'),
  st_spare: f(140, 8, 'uint32_t[2]'),
});

export const fid = struct('fid', 4, {
  fid_len: f(0, 2, 'short unsigned int'),
  fid_reserved: f(2, 2, 'short unsigned int'),
  fid_data: f(4, 0, 'char[0]'),
});

export const ufs_args = struct('ufs_args', 8, {
  fspec: f(0, 8, 'char *'),
});

export const flock = struct('flock', 24, {
  l_start: f(0, 8, '__off_t'),
  l_len: f(8, 8, '__off_t'),
  l_pid: f(16, 4, '__pid_t'),
  l_type: f(20, 2, 'short int'),
  l_whence: f(22, 2, 'short int'),
});

export const specnode = struct('specnode', 32, {
  sn_next: f(0, 8, 'vnode_t *'),
  sn_dev: f(8, 8, 'struct specdev *'),
  sn_rdev: f(16, 8, 'dev_t'),
  sn_opencnt: f(24, 4, 'u_int'),
  sn_gone: f(28, 1, '_Bool'),
});

export const specdev = struct('specdev', 40, {
  sd_mountpoint: f(0, 8, 'struct mount *'),
  sd_lockf: f(8, 8, 'struct lockf *'),
  sd_bdevvp: f(16, 8, 'vnode_t *'),
  sd_opencnt: f(24, 4, 'u_int'),
  sd_refcnt: f(28, 4, 'u_int'),
  sd_iocnt: f(32, 4, 'volatile u_int'),
  sd_opened: f(36, 1, '_Bool'),
  sd_closing: f(37, 1, '_Bool'),
});

export const wapbl_ops = struct('wapbl_ops', 96, {
  wo_wapbl_discard: f(0, 8, 'funcptr'),
  wo_wapbl_replay_isopen: f(8, 8, 'funcptr'),
  wo_wapbl_replay_can_read: f(16, 8, 'funcptr'),
  wo_wapbl_replay_read: f(24, 8, 'funcptr'),
  wo_wapbl_add_buf: f(32, 8, 'funcptr'),
  wo_wapbl_remove_buf: f(40, 8, 'funcptr'),
  wo_wapbl_resize_buf: f(48, 8, 'funcptr'),
  wo_wapbl_begin: f(56, 8, 'funcptr'),
  wo_wapbl_end: f(64, 8, 'funcptr'),
  wo_wapbl_junlock_assert: f(72, 8, 'funcptr'),
  wo_wapbl_jlock_assert: f(80, 8, 'funcptr'),
  wo_wapbl_biodone: f(88, 8, 'funcptr'),
});

export const acl = struct('acl', 4088, {
  acl_maxcnt: f(0, 4, 'unsigned int'),
  acl_cnt: f(4, 4, 'unsigned int'),
  acl_spare: f(8, 16, 'int[4]'),
  acl_entry: f(24, 4064, 'struct acl_entry[254]'),
});

export const acl_entry = struct('acl_entry', 16, {
  ae_tag: f(0, 4, 'acl_tag_t'),
  ae_id: f(4, 4, '__uid_t'),
  ae_perm: f(8, 4, 'acl_perm_t'),
  ae_entry_type: f(12, 2, 'acl_entry_type_t'),
  ae_flags: f(14, 2, 'acl_flag_t'),
});

export const oldacl = struct('oldacl', 388, {
  acl_cnt: f(0, 4, 'int'),
  acl_entry: f(4, 384, 'struct oldacl_entry[32]'),
});

export const oldacl_entry = struct('oldacl_entry', 12, {
  ae_tag: f(0, 4, 'oldacl_tag_t'),
  ae_id: f(4, 4, '__uid_t'),
  ae_perm: f(8, 4, 'oldacl_perm_t'),
});
