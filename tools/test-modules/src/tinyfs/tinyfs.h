/*
 * tinyfs: the project's own example file system (see FORMAT.md for the on-disk
 * format). Shared declarations of the module's files.
 */
#ifndef TINYFS_H
#define TINYFS_H

#include <netbsd_kpi.h>

/* ---- On-disk format (all little-endian, block size 4096) ---- */

#define TINYFS_MAGIC 0x544e5946u /* "FYNT" read as bytes: 46 59 4e 54 */
#define TINYFS_VERSION 1
#define TINYFS_BSIZE 4096
#define TINYFS_BSHIFT 12
#define TINYFS_DB_PER_BLOCK (TINYFS_BSIZE / DEV_BSIZE)	/* 8 disk sectors */
#define TINYFS_FSBTODB(b) ((daddr_t)(b) << (TINYFS_BSHIFT - DEV_BSHIFT))
#define TINYFS_ROOTINO 1
#define TINYFS_NDIRECT 12
#define TINYFS_NINDIRECT (TINYFS_BSIZE / 4)		/* 1024 pointers */
#define TINYFS_MAXBLOCKS (TINYFS_NDIRECT + TINYFS_NINDIRECT)
#define TINYFS_MAXFILESIZE ((off_t)TINYFS_MAXBLOCKS * TINYFS_BSIZE)
#define TINYFS_INODE_SIZE 128
#define TINYFS_INOPB (TINYFS_BSIZE / TINYFS_INODE_SIZE)	/* 32 inodes per block */
#define TINYFS_FASTLINK_MAX 52	/* symlink targets this short live in the inode */
#define TINYFS_DIRENT_SIZE 264
#define TINYFS_DIRENTS_PER_BLOCK 15
#define TINYFS_NAME_MAX 255
#define TINYFS_LINK_MAX 65535
#define TINYFS_INDIR_LBN (-1)	/* logical block of the indirect block (as ffs: negative) */

struct tinyfs_super {
	uint32_t s_magic;
	uint32_t s_version;
	uint32_t s_bsize;
	uint32_t s_nblocks;	/* blocks in the file system, metadata included */
	uint32_t s_ninodes;	/* inode slots, slot 0 unused */
	uint32_t s_bitmap_start;
	uint32_t s_bitmap_blocks;
	uint32_t s_itable_start;
	uint32_t s_itable_blocks;
	uint32_t s_data_start;
	uint32_t s_free_blocks;
	uint32_t s_free_inodes;
	uint32_t s_clean;	/* 1: unmounted cleanly; 0: mounted read-write or crashed */
	uint32_t s_root_ino;
	int64_t s_time;		/* last superblock write, seconds since the epoch */
	char s_volname[32];
	uint8_t s_reserved[32];
};
_Static_assert(sizeof(struct tinyfs_super) == 128, "tinyfs_super");

struct tinyfs_dinode {
	uint16_t di_mode;	/* S_IF* type and permission bits; 0: free */
	uint16_t di_nlink;
	uint32_t di_uid;
	uint32_t di_gid;
	uint32_t di_flags;	/* reserved, 0 */
	uint64_t di_size;
	int64_t di_atime;
	int64_t di_mtime;
	int64_t di_ctime;
	uint32_t di_atimensec;
	uint32_t di_mtimensec;
	uint32_t di_ctimensec;
	uint32_t di_gen;
	uint32_t di_rdev;	/* device number of block/character special files */
	uint32_t di_blocks;	/* 4 KiB blocks held, indirect block included */
	union {
		struct {
			uint32_t direct[TINYFS_NDIRECT];
			uint32_t indirect;
		} b;
		char symlink[TINYFS_FASTLINK_MAX];
	} di_u;
	uint32_t di_spare;
};
_Static_assert(sizeof(struct tinyfs_dinode) == TINYFS_INODE_SIZE, "tinyfs_dinode");
#define di_direct di_u.b.direct
#define di_indirect di_u.b.indirect

struct tinyfs_dirent {
	uint32_t d_ino;		/* 0: free slot */
	uint8_t d_type;		/* DT_* */
	uint8_t d_namlen;
	uint16_t d_reserved;
	char d_name[TINYFS_NAME_MAX + 1];
};
_Static_assert(sizeof(struct tinyfs_dirent) == TINYFS_DIRENT_SIZE, "tinyfs_dirent");

/* Directory offsets: block * TINYFS_BSIZE + slot * TINYFS_DIRENT_SIZE. */
#define TINYFS_DIROFF(lbn, slot) ((off_t)(lbn) * TINYFS_BSIZE + (off_t)(slot) * TINYFS_DIRENT_SIZE)

/* ---- In memory ---- */

struct tinyfs_args {
	char *fspec;		/* block special device to mount */
};

struct tinyfs_mount {
	struct mount *tm_mountp;
	struct vnode *tm_devvp;
	dev_t tm_dev;
	int tm_ronly;
	int tm_sbdirty;		/* superblock counters changed since written */
	uint32_t tm_bhint;	/* where the next block search starts */
	uint32_t tm_ihint;	/* where the next inode search starts */
	kmutex_t tm_lock;	/* protects tm_sb counters and tm_sbdirty */
	struct tinyfs_super tm_sb;
};

/* Pending timestamp updates and dirty state of a node (as ufs's IN_* flags). */
#define TN_ACCESS 0x01
#define TN_CHANGE 0x02
#define TN_UPDATE 0x04
#define TN_MODIFIED 0x08	/* the dinode copy differs from the inode table */

struct tinyfs_node {
	struct genfs_node tn_gnode;	/* must be first: genfs finds it at v_data */
	struct vnode *tn_vnode;
	struct tinyfs_mount *tn_tmp;
	struct vnode *tn_devvp;
	ino_t tn_ino;			/* the vcache key */
	int tn_flag;
	uint16_t tn_omode;		/* mode before an unlinked inode was released */
	struct lockf *tn_lockf;
	struct tinyfs_dinode tn_din;
};

#define VTOT(vp) ((struct tinyfs_node *)(vp)->v_data)
#define VFSTOTINY(mp) ((struct tinyfs_mount *)(mp)->mnt_data)

#define TINYFS_ASSERT(cond) do { \
	if (__builtin_expect(!(cond), 0)) \
		panic("tinyfs: assertion \"%s\" failed: %s:%d", #cond, __FILE__, __LINE__); \
} while (0)

/* Vnode operation vectors (tinyfs_vnops.c). */
extern int (**tinyfs_vnodeop_p)(void *);
extern int (**tinyfs_specop_p)(void *);
extern int (**tinyfs_fifoop_p)(void *);
extern const struct vnodeopv_desc tinyfs_vnodeop_opv_desc;
extern const struct vnodeopv_desc tinyfs_specop_opv_desc;
extern const struct vnodeopv_desc tinyfs_fifoop_opv_desc;
extern const struct genfs_ops tinyfs_genfsops;

/* tinyfs_vfsops.c */
int tinyfs_sbupdate(struct tinyfs_mount *, int);

/* tinyfs_inode.c: inodes, blocks, sizes. */
int tinyfs_node_init(struct tinyfs_mount *, struct vnode *, ino_t);
void tinyfs_node_vinit(struct vnode *);
void tinyfs_itimes(struct tinyfs_node *);
int tinyfs_update(struct vnode *, int);
int tinyfs_ialloc(struct tinyfs_mount *, ino_t *);
int tinyfs_ifree(struct tinyfs_mount *, ino_t);
int tinyfs_balloc(struct tinyfs_mount *, uint32_t *);
int tinyfs_bfree(struct tinyfs_mount *, uint32_t);
int tinyfs_bmap_lookup(struct tinyfs_node *, daddr_t, uint32_t *);
int tinyfs_bmap_alloc(struct tinyfs_node *, daddr_t, uint32_t *);
int tinyfs_truncate(struct vnode *, off_t, int, kauth_cred_t);
void tinyfs_gop_size(struct vnode *, off_t, off_t *, int);
int tinyfs_gop_alloc(struct vnode *, off_t, off_t, int, kauth_cred_t);
int tinyfs_balloc_range(struct vnode *, off_t, off_t, kauth_cred_t, int);
void tinyfs_gop_markupdate(struct vnode *, int);
int tinyfs_is_fastlink(const struct tinyfs_node *);

/* tinyfs_dir.c: directories. */
int tinyfs_dirlookup(struct vnode *, const char *, size_t, ino_t *, off_t *);
int tinyfs_direnter(struct vnode *, const char *, size_t, ino_t, int);
int tinyfs_dirremove(struct vnode *, off_t);
int tinyfs_dirrewrite(struct vnode *, off_t, ino_t, int);
int tinyfs_dirempty(struct vnode *, ino_t, int *);
int tinyfs_dirinit(struct vnode *, ino_t);
int tinyfs_bufrd(struct vnode *, struct uio *);

/* tinyfs_vnops.c helpers shared with the rename code. */
int tinyfs_rename(void *);

#endif
