/*
 * The NetBSD kernel programming interface that the project's file-system test
 * modules call: prototypes of kernel functions and data, and the constants that go
 * with them, for NetBSD 10.99 amd64. Written for this project from NetBSD's
 * documented KPI (vnode(9), vnodeops(9), vfsops(9), buffercache(9), ubc(9),
 * vcache(9), genfs, namei(9), kauth(9)); structure layouts come from netbsd_abi.h.
 *
 * Only symbols that NetBSD's own ffs.kmod/ufs.kmod import are declared here, so
 * that a kernel able to run ffs can run every module built against this header.
 */
#ifndef RUMP_TEST_NETBSD_KPI_H
#define RUMP_TEST_NETBSD_KPI_H

#include <netbsd_abi.h>

/* Scalar types of the KPI (amd64). */
typedef int64_t off_t;
typedef int64_t daddr_t;
typedef uint64_t ino_t;
typedef uint64_t dev_t;
typedef uint32_t mode_t;
typedef uint32_t uid_t;
typedef uint32_t gid_t;
typedef uint32_t nlink_t;
typedef uint32_t accmode_t;
typedef uint64_t vsize_t;
typedef int64_t voff_t;
typedef long register_t;
typedef uint64_t kauth_action_t;
typedef int64_t time_t;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef __builtin_va_list va_list;

#define true 1
#define false 0
#define NULLVP ((struct vnode *)0)
#define NOCRED ((kauth_cred_t)-1)	/* no credential available */
#define FSCRED ((kauth_cred_t)-2)	/* the file system itself */

#define offsetof(t, m) __builtin_offsetof(t, m)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define howmany(x, y) (((x) + ((y) - 1)) / (y))
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))

/* Errors that are not in errno.h: <sys/errno.h> kernel-only values. */
#define ERESTART (-3)
#define EJUSTRETURN (-2)

/* <sys/stat.h> */
#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFBLK 0060000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_IFSOCK 0140000
#define S_ISUID 0004000
#define S_ISGID 0002000
#define S_ISVTX 0001000
#define S_IXUSR 0000100
#define S_IXGRP 0000010
#define S_IXOTH 0000001
#define ALLPERMS 07777

/* <sys/dirent.h> */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define IFTODT(mode) (((mode) & 0170000) >> 12)
#define DTTOIF(dt) ((dt) << 12)
#define _DIRENT_NAMEOFF 13 /* offsetof(struct dirent, d_name) */
#define _DIRENT_RECLEN(namlen) ((_DIRENT_NAMEOFF + (namlen) + 1 + 7) & ~7)
#define NAME_MAX 255
#define MAXPATHLEN 1024

/* <sys/unistd.h> pathconf names */
#define _PC_LINK_MAX 1
#define _PC_MAX_CANON 2
#define _PC_MAX_INPUT 3
#define _PC_NAME_MAX 4
#define _PC_PATH_MAX 5
#define _PC_PIPE_BUF 6
#define _PC_CHOWN_RESTRICTED 7
#define _PC_NO_TRUNC 8
#define _PC_VDISABLE 9
#define _PC_SYNC_IO 10
#define _PC_FILESIZEBITS 11

/* <sys/vnode.h> */
#define VNOVAL (-1)
#define VNOVALSIZE ((uint64_t)-1)
#define VA_UTIMES_NULL 0x01
#define VEXEC 000000000100
#define VWRITE 000000000200
#define VREAD 000000000400
#define VADMIN 000000010000
#define VAPPEND 000000040000
#define VEXPLICIT_DENY 000000100000
#define VWRITE_ATTRIBUTES 000004000000
#define VDELETE 000010000000
#define VWRITE_ACL 000040000000
#define VWRITE_OWNER 000100000000
#define VDELETE_CHILD 000001000000
#define VADMIN_PERMS (VADMIN | VWRITE_ATTRIBUTES | VWRITE_ACL | VWRITE_OWNER)
#define VMODIFY_PERMS (VWRITE | VAPPEND | VADMIN_PERMS | VDELETE_CHILD | VDELETE)
#define IO_ADV_DECODE(ioflag) ((ioflag) & IO_ADV_MASK)
#define v_rdev v_un.vu_specnode->sn_rdev
#define VT_NON 0 /* enum vtagtype */
#define VT_UFS 1
#define VT_VFS 21
#define VOCALL(vops, off, ap) (((int (**)(void *))(vops))[(off)])(ap)
#define v_mountedhere v_un.vu_mountedhere

/* <sys/namei.h> */
#define LOOKUP 0
#define CREATE 1
#define DELETE 2
#define RENAME 3
#define NOCACHE 0x00000020
#define ISDOTDOT 0x0002000
#define MAKEENTRY 0x0004000
#define ISLASTCN 0x0008000
#define WILLBEDIR 0x0010000
#define ISWHITEOUT 0x0020000
#define DOWHITEOUT 0x0040000
#define PURGE_PARENTS 1
#define PURGE_CHILDREN 2

/* <sys/mount.h> */
#define MNT_WAIT 1
#define MNT_NOWAIT 2
#define MNT_LAZY 3

/* <sys/kauth.h> */
#define KAUTH_SYSTEM_MOUNT 8
#define KAUTH_REQ_SYSTEM_MOUNT_DEVICE 38
#define KAUTH_ARG(arg) ((void *)(unsigned long)(arg))
#define KAUTH_VNODE_DELETE (1ULL << 3)
#define KAUTH_VNODE_WRITE_TIMES (1ULL << 6)
#define KAUTH_VNODE_CHANGE_OWNERSHIP (1ULL << 12)
#define KAUTH_VNODE_WRITE_SECURITY (1ULL << 14)
#define KAUTH_VNODE_IS_EXEC (1ULL << 29)

/* <uvm/uvm_pager.h>, <uvm/uvm_extern.h> */
#define PGO_CLEANIT 0x001
#define PGO_SYNCIO 0x002
#define PGO_DEACTIVATE 0x004
#define PGO_FREE 0x008
#define PGO_ALLPAGES 0x010
#define PGO_JOURNALLOCKED 0x020
#define PGO_PASTEOF 0x400
#define PGO_NOBLOCKALLOC 0x800
#define PGO_NOTIMESTAMP 0x1000
#define PGO_GLOCKHELD 0x4000
#define PGO_LAZY 0x8000
#define VM_PROT_READ 0x01
#define VM_PROT_WRITE 0x02
#define PG_BUSY 0x00000004
#define PG_RDONLY 0x00000080
#define UVM_PAGE_STATUS_DIRTY 2
#define UBC_READ 0x001
#define UBC_WRITE 0x002
#define UBC_FAULTBUSY 0x004
#define UBC_ISMAPPED 0x008
#define UBC_PARTIALOK 0x100
#define UBC_VNODE_FLAGS(vp) (((vp)->v_vflag & VV_MAPPED) != 0 ? UBC_ISMAPPED : 0)
#define PAGE_MASK (PAGE_SIZE - 1)

/* <miscfs/genfs/genfs_node.h> */
#define GOP_SIZE_MEM 0x4
#define GOP_UPDATE_ACCESSED 1
#define GOP_UPDATE_MODIFIED 2

/* Vnode operation descriptors (kern/vnode_if.c). */
extern struct vnodeop_desc vop_default_desc, vop_bwrite_desc, vop_parsepath_desc,
    vop_lookup_desc, vop_create_desc, vop_mknod_desc, vop_open_desc, vop_close_desc,
    vop_access_desc, vop_accessx_desc, vop_getattr_desc, vop_setattr_desc,
    vop_read_desc, vop_write_desc, vop_fallocate_desc, vop_fdiscard_desc,
    vop_ioctl_desc, vop_fcntl_desc, vop_poll_desc, vop_kqfilter_desc,
    vop_revoke_desc, vop_mmap_desc, vop_fsync_desc, vop_seek_desc,
    vop_remove_desc, vop_link_desc, vop_rename_desc, vop_mkdir_desc,
    vop_rmdir_desc, vop_symlink_desc, vop_readdir_desc, vop_readlink_desc,
    vop_abortop_desc, vop_inactive_desc, vop_reclaim_desc, vop_lock_desc,
    vop_unlock_desc, vop_bmap_desc, vop_strategy_desc, vop_print_desc,
    vop_islocked_desc, vop_pathconf_desc, vop_advlock_desc, vop_whiteout_desc,
    vop_getpages_desc, vop_putpages_desc;

/* Vnode operation calls (kern/vnode_if.c). */
int VOP_ACCESS(struct vnode *, accmode_t, kauth_cred_t);
int VOP_BMAP(struct vnode *, daddr_t, struct vnode **, daddr_t *, int *);
int VOP_CLOSE(struct vnode *, int, kauth_cred_t);
int VOP_FSYNC(struct vnode *, kauth_cred_t, int, off_t, off_t);
int VOP_ISLOCKED(struct vnode *);
int VOP_OPEN(struct vnode *, int, kauth_cred_t);
int VOP_GETPAGES(struct vnode *, voff_t, struct vm_page **, int *, int, int, int, int);
int VOP_PUTPAGES(struct vnode *, voff_t, voff_t, int);
int VOP_STRATEGY(struct vnode *, struct buf *);
int VOP_UNLOCK(struct vnode *);

/* File-system registration and mounts. */
int vfs_attach(struct vfsops *);
int vfs_detach(struct vfsops *);
int set_statvfs_info(const char *, int, const char *, int, const char *,
    struct mount *, struct lwp *);
void copy_statvfs_info(struct statvfs *, const struct mount *);
long makefstype(const char *);
int vflush(struct mount *, struct vnode *, int);
int vfs_stdextattrctl(struct mount *, int, struct vnode *, int, const char *);
struct vnode_iterator;
void vfs_vnode_iterator_init(struct mount *, struct vnode_iterator **);
void vfs_vnode_iterator_destroy(struct vnode_iterator *);
struct vnode *vfs_vnode_iterator_next(struct vnode_iterator *,
    bool (*)(void *, struct vnode *), void *);

/* Vnodes and the vnode cache. */
int vcache_get(struct mount *, const void *, size_t, struct vnode **);
int vcache_new(struct mount *, struct vnode *, struct vattr *, kauth_cred_t,
    void *, struct vnode **);
void vref(struct vnode *);
void vrele(struct vnode *);
void vput(struct vnode *);
int vrefcnt(struct vnode *);
int vn_lock(struct vnode *, int);
int vn_default_error(void *);
int vn_bwrite(void *);
int vn_fifo_bypass(void *);
void vattr_null(struct vattr *);
void vfs_timestamp(struct timespec *);
int vinvalbuf(struct vnode *, int, kauth_cred_t, struct lwp *, bool, int);
int vtruncbuf(struct vnode *, daddr_t, bool, int);
int vflushbuf(struct vnode *, int);
extern const int vttoif_tab[];
extern const int iftovt_tab[];
#define IFTOVT(mode) (iftovt_tab[((mode) & S_IFMT) >> 12])
#define VTTOIF(indx) (vttoif_tab[(int)(indx)])

/* Name lookup and the name cache. */
struct namei_simple_flags_type;
typedef const struct namei_simple_flags_type *namei_simple_flags_t;
extern const namei_simple_flags_t NSM_FOLLOW_NOEMULROOT;
int namei_simple_user(const char *, namei_simple_flags_t, struct vnode **);
bool cache_lookup(struct vnode *, const char *, size_t, uint32_t, uint32_t,
    int *, struct vnode **);
void cache_enter(struct vnode *, struct vnode *, const char *, size_t, uint32_t);
void cache_enter_id(struct vnode *, mode_t, uid_t, gid_t, bool);
void cache_purge1(struct vnode *, const char *, size_t, int);
#define cache_purge(vp) cache_purge1((vp), NULL, 0, PURGE_PARENTS | PURGE_CHILDREN)

/* The buffer cache (buffercache(9)). */
int bread(struct vnode *, daddr_t, int, int, struct buf **);
int bwrite(struct buf *);
void bawrite(struct buf *);
void bdwrite(struct buf *);
void brelse(struct buf *, int);
struct buf *getblk(struct vnode *, daddr_t, int, int, int);
void biodone(struct buf *);
int biowait(struct buf *);

/* The page cache (ubc(9), uvm). */
int ubc_uiomove(struct uvm_object *, struct uio *, vsize_t, int, int);
void ubc_zerorange(struct uvm_object *, off_t, size_t, int);
void uvm_vnp_setsize(struct vnode *, voff_t);
void uvm_vnp_setwritesize(struct vnode *, voff_t);
void uvm_pagemarkdirty(struct vm_page *, unsigned int);
void uvm_pagelock(struct vm_page *);
void uvm_pageunlock(struct vm_page *);
void uvm_pageactivate(struct vm_page *);
void uvm_page_unbusy(struct vm_page **, int);
int uiomove(void *, size_t, struct uio *);

/* genfs. */
void genfs_node_init(struct vnode *, const struct genfs_ops *);
void genfs_node_destroy(struct vnode *);
void genfs_node_wrlock(struct vnode *);
void genfs_node_unlock(struct vnode *);
int genfs_gop_write(struct vnode *, struct vm_page **, int, int);
void genfs_gop_putrange(struct vnode *, off_t, off_t *, off_t *);
int genfs_renamelock_enter(struct mount *);
void genfs_renamelock_exit(struct mount *);
int genfs_suspendctl(struct mount *, int);
int genfs_can_access(struct vnode *, kauth_cred_t, uid_t, gid_t, mode_t, void *, accmode_t);
int genfs_can_chmod(struct vnode *, kauth_cred_t, uid_t, gid_t, mode_t);
int genfs_can_chown(struct vnode *, kauth_cred_t, uid_t, gid_t, uid_t, gid_t);
int genfs_can_chtimes(struct vnode *, kauth_cred_t, uid_t, u_int);
int genfs_can_sticky(struct vnode *, kauth_cred_t, uid_t, uid_t);
int genfs_abortop(void *);
int genfs_access(void *);
int genfs_badop(void *);
int genfs_enoioctl(void *);
int genfs_eopnotsupp(void *);
int genfs_fcntl(void *);
int genfs_getpages(void *);
int genfs_islocked(void *);
int genfs_kqfilter(void *);
int genfs_lock(void *);
int genfs_mmap(void *);
int genfs_nullop(void *);
int genfs_parsepath(void *);
int genfs_poll(void *);
int genfs_putpages(void *);
int genfs_revoke(void *);
int genfs_seek(void *);
int genfs_unlock(void *);

/* specfs and fifofs. */
extern int (**spec_vnodeop_p)(void *);
extern int (**fifo_vnodeop_p)(void *);
void spec_node_init(struct vnode *, dev_t);
struct mount *spec_node_getmountedfs(struct vnode *);
void spec_node_setmountedfs(struct vnode *, struct mount *);
int spec_lookup(void *);
int spec_open(void *);
int spec_fdiscard(void *);
int spec_ioctl(void *);
int spec_poll(void *);
int spec_kqfilter(void *);
int spec_mmap(void *);
int spec_bmap(void *);
int spec_strategy(void *);
int spec_pathconf(void *);
int spec_advlock(void *);
int spec_fsync(void *);
#define spec_seek genfs_nullop /* as <miscfs/specfs/specdev.h> defines it */

/* Disks. */
int getdisksize(struct vnode *, uint64_t *, unsigned int *);

/* Advisory locks. */
struct lockf;
int lf_advlock(struct vop_advlock_args *, struct lockf **, off_t);

/* Credentials and authorization (kauth(9)). */
kauth_cred_t kauth_cred_get(void);
uid_t kauth_cred_geteuid(kauth_cred_t);
int kauth_authorize_system(kauth_cred_t, int, int, void *, void *, void *);
int kauth_authorize_vnode(kauth_cred_t, kauth_action_t, struct vnode *,
    struct vnode *, int);
kauth_action_t kauth_accmode_to_action(accmode_t);
int vfs_unixify_accmode(accmode_t *);
#define FS_OBJECT_CAN_EXEC(vtype, mode) \
	(((vtype) == VDIR) || ((mode) & (S_IXUSR | S_IXGRP | S_IXOTH)))
#define KAUTH_ACCESS_ACTION(accmode, vtype, mode) \
	(kauth_accmode_to_action(accmode) | \
	    (FS_OBJECT_CAN_EXEC(vtype, mode) ? KAUTH_VNODE_IS_EXEC : 0))

/* Locks. */
void mutex_init(kmutex_t *, int, int);
void mutex_destroy(kmutex_t *);
void mutex_enter(kmutex_t *);
void mutex_exit(kmutex_t *);
void rw_enter(krwlock_t *, int);
void rw_exit(krwlock_t *);

/* Memory, strings, output, time, the current lwp. */
void *kmem_alloc(size_t, int);
void *kmem_zalloc(size_t, int);
void kmem_free(void *, size_t);
void *memcpy(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
char *strncpy(char *, const char *, size_t);
size_t strlcpy(char *, const char *, size_t);
int printf(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
void panic(const char *, ...) __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
void getmicrouptime(struct timeval *);
struct lwp *x86_curlwp(void);
#define curlwp x86_curlwp()

#endif
