/*
 * tinyfs file-system operations: module registration, mount, unmount, root,
 * statvfs, sync, and the vnode cache hooks (loadvnode, newvnode). The mount path
 * follows the sequence of ffs_mount/ffs_mountfs: look the device up by name,
 * check it is a block device, authorize, open it, read the superblock through
 * the buffer cache, fill in the mount, and write the superblock back unclean.
 */
#include "tinyfs.h"

MODULE(MODULE_CLASS_VFS, tinyfs, NULL);

static const struct vnodeopv_desc *const tinyfs_vnodeopv_descs[] = {
	&tinyfs_vnodeop_opv_desc,
	&tinyfs_specop_opv_desc,
	&tinyfs_fifoop_opv_desc,
	NULL,
};

static int tinyfs_mount(struct mount *, const char *, void *, size_t *);
static int tinyfs_start(struct mount *, int);
static int tinyfs_unmount(struct mount *, int);
static int tinyfs_root(struct mount *, int, struct vnode **);
static int tinyfs_quotactl(struct mount *, void *);
static int tinyfs_statvfs(struct mount *, struct statvfs *);
static int tinyfs_sync(struct mount *, int, kauth_cred_t);
static int tinyfs_vget(struct mount *, ino_t, int, struct vnode **);
static int tinyfs_loadvnode(struct mount *, struct vnode *, const void *, size_t,
    const void **);
static int tinyfs_newvnode(struct mount *, struct vnode *, struct vnode *,
    struct vattr *, kauth_cred_t, void *, size_t *, const void **);
static int tinyfs_fhtovp(struct mount *, void *, int, struct vnode **);
static int tinyfs_vptofh(struct vnode *, void *, size_t *);
static void tinyfs_init(void);
static void tinyfs_reinit(void);
static void tinyfs_done(void);
static int tinyfs_mountroot(void);
static int tinyfs_snapshot(struct mount *, struct vnode *, struct timespec *);
static int tinyfs_vfs_fsync(struct vnode *, int);

static struct vfsops tinyfs_vfsops = {
	.vfs_name = "tinyfs",
	.vfs_min_mount_data = sizeof(struct tinyfs_args),
	.vfs_mount = tinyfs_mount,
	.vfs_start = tinyfs_start,
	.vfs_unmount = tinyfs_unmount,
	.vfs_root = tinyfs_root,
	.vfs_quotactl = tinyfs_quotactl,
	.vfs_statvfs = tinyfs_statvfs,
	.vfs_sync = tinyfs_sync,
	.vfs_vget = tinyfs_vget,
	.vfs_loadvnode = tinyfs_loadvnode,
	.vfs_newvnode = tinyfs_newvnode,
	.vfs_fhtovp = tinyfs_fhtovp,
	.vfs_vptofh = tinyfs_vptofh,
	.vfs_init = tinyfs_init,
	.vfs_reinit = tinyfs_reinit,
	.vfs_done = tinyfs_done,
	.vfs_mountroot = tinyfs_mountroot,
	.vfs_snapshot = tinyfs_snapshot,
	.vfs_extattrctl = vfs_stdextattrctl,
	.vfs_suspendctl = genfs_suspendctl,
	.vfs_renamelock_enter = genfs_renamelock_enter,
	.vfs_renamelock_exit = genfs_renamelock_exit,
	.vfs_fsync = tinyfs_vfs_fsync,
	.vfs_opv_descs = (struct vnodeopv_desc **)tinyfs_vnodeopv_descs,
};

static int
tinyfs_modcmd(modcmd_t cmd, void *arg)
{
	(void)arg;
	switch (cmd) {
	case MODULE_CMD_INIT:
		return vfs_attach(&tinyfs_vfsops);
	case MODULE_CMD_FINI:
		return vfs_detach(&tinyfs_vfsops);
	default:
		return ENOTTY;
	}
}

static void tinyfs_init(void) {}
static void tinyfs_reinit(void) {}
static void tinyfs_done(void) {}
static int tinyfs_mountroot(void) { return EOPNOTSUPP; }
static int tinyfs_quotactl(struct mount *mp, void *args) { (void)mp; (void)args; return EOPNOTSUPP; }
static int tinyfs_snapshot(struct mount *mp, struct vnode *vp, struct timespec *ts)
{
	(void)mp; (void)vp; (void)ts;
	return EOPNOTSUPP;
}
static int tinyfs_fhtovp(struct mount *mp, void *fhp, int lktype, struct vnode **vpp)
{
	(void)mp; (void)fhp; (void)lktype; (void)vpp;
	return EOPNOTSUPP;
}
static int tinyfs_vptofh(struct vnode *vp, void *fhp, size_t *fh_size)
{
	(void)vp; (void)fhp; (void)fh_size;
	return EOPNOTSUPP;
}

static int
tinyfs_start(struct mount *mp, int flags)
{
	(void)mp; (void)flags;
	return 0;
}

/* Checks that a superblock describes a file system this code can use on a device of devblocks sectors. */
static int
tinyfs_sbcheck(const struct tinyfs_super *sb, uint64_t devbytes)
{
	if (sb->s_magic != TINYFS_MAGIC || sb->s_version != TINYFS_VERSION ||
	    sb->s_bsize != TINYFS_BSIZE)
		return EINVAL;
	if (sb->s_nblocks == 0 || (uint64_t)sb->s_nblocks * TINYFS_BSIZE > devbytes)
		return EINVAL;
	if (sb->s_bitmap_start != 1 ||
	    sb->s_bitmap_blocks != howmany(sb->s_nblocks, TINYFS_BSIZE * 8) ||
	    sb->s_itable_start != sb->s_bitmap_start + sb->s_bitmap_blocks ||
	    sb->s_itable_blocks != howmany(sb->s_ninodes, TINYFS_INOPB) ||
	    sb->s_data_start != sb->s_itable_start + sb->s_itable_blocks ||
	    sb->s_data_start >= sb->s_nblocks ||
	    sb->s_root_ino != TINYFS_ROOTINO || sb->s_ninodes < 2 ||
	    sb->s_free_blocks > sb->s_nblocks - sb->s_data_start ||
	    sb->s_free_inodes >= sb->s_ninodes)
		return EINVAL;
	return 0;
}

/* Writes the in-memory superblock to block 0: synchronously for MNT_WAIT, else asynchronously. */
int
tinyfs_sbupdate(struct tinyfs_mount *tmp, int waitfor)
{
	struct timespec ts;
	struct buf *bp;

	bp = getblk(tmp->tm_devvp, TINYFS_FSBTODB(0), TINYFS_BSIZE, 0, 0);
	if (bp == NULL)
		return EIO;
	vfs_timestamp(&ts);
	mutex_enter(&tmp->tm_lock);
	tmp->tm_sb.s_time = ts.tv_sec;
	memset(bp->b_data, 0, TINYFS_BSIZE);
	memcpy(bp->b_data, &tmp->tm_sb, sizeof(tmp->tm_sb));
	tmp->tm_sbdirty = 0;
	mutex_exit(&tmp->tm_lock);
	if (waitfor == MNT_WAIT)
		return bwrite(bp);
	bawrite(bp);
	return 0;
}

static int
tinyfs_mountfs(struct vnode *devvp, struct mount *mp, struct lwp *l)
{
	struct tinyfs_mount *tmp = NULL;
	struct buf *bp = NULL;
	uint64_t numsecs;
	unsigned int secsize;
	int error, ronly = (mp->mnt_flag & MNT_RDONLY) != 0;

	/* Forget any stale cached blocks of the device before reading it. */
	vn_lock(devvp, LK_EXCLUSIVE | LK_RETRY);
	error = vinvalbuf(devvp, V_SAVE, FSCRED, l, 0, 0);
	VOP_UNLOCK(devvp);
	if (error)
		return error;

	error = getdisksize(devvp, &numsecs, &secsize);
	if (error)
		return error;

	error = bread(devvp, TINYFS_FSBTODB(0), TINYFS_BSIZE, 0, &bp);
	if (error)
		goto out;
	tmp = kmem_zalloc(sizeof(*tmp), KM_SLEEP);
	memcpy(&tmp->tm_sb, bp->b_data, sizeof(tmp->tm_sb));
	brelse(bp, 0);
	bp = NULL;

	error = tinyfs_sbcheck(&tmp->tm_sb, numsecs * secsize);
	if (error) {
		printf("tinyfs: no valid tinyfs superblock on the device\n");
		goto out;
	}
	if (!ronly && !tmp->tm_sb.s_clean && (mp->mnt_flag & MNT_FORCE) == 0) {
		/* As ffs: an unclean file system mounts read-write only when forced. */
		printf("tinyfs: R/W mount denied, file system is not clean\n");
		error = EPERM;
		goto out;
	}

	mutex_init(&tmp->tm_lock, MUTEX_DEFAULT, IPL_NONE);
	tmp->tm_mountp = mp;
	tmp->tm_devvp = devvp;
	tmp->tm_dev = devvp->v_rdev;
	tmp->tm_ronly = ronly;

	mp->mnt_data = tmp;
	{
		int32_t *fsidx = (int32_t *)(void *)mp->mnt_stat.f_fsidx;
		fsidx[0] = (int32_t)tmp->tm_dev;
		fsidx[1] = (int32_t)makefstype(tinyfs_vfsops.vfs_name);
		mp->mnt_stat.f_fsid = (uint32_t)fsidx[0];
	}
	mp->mnt_stat.f_namemax = TINYFS_NAME_MAX;
	mp->mnt_flag |= MNT_LOCAL;
	mp->mnt_iflag |= IMNT_MPSAFE | IMNT_CAN_RWTORO | IMNT_DTYPE;
	mp->mnt_fs_bshift = TINYFS_BSHIFT;
	mp->mnt_dev_bshift = DEV_BSHIFT;
	spec_node_setmountedfs(devvp, mp);

	if (!ronly) {
		tmp->tm_sb.s_clean = 0;
		error = tinyfs_sbupdate(tmp, MNT_WAIT);
		if (error) {
			spec_node_setmountedfs(devvp, NULL);
			mp->mnt_data = NULL;
			mutex_destroy(&tmp->tm_lock);
			goto out;
		}
	}
	return 0;
out:
	if (bp != NULL)
		brelse(bp, 0);
	if (tmp != NULL)
		kmem_free(tmp, sizeof(*tmp));
	return error;
}

static int
tinyfs_mount(struct mount *mp, const char *path, void *data, size_t *data_len)
{
	struct lwp *l = curlwp;
	struct tinyfs_args *args = data;
	struct tinyfs_mount *tmp = VFSTOTINY(mp);
	struct vnode *devvp = NULL;
	int error, accessmode, xflags;

	if (args == NULL || *data_len < sizeof(*args))
		return EINVAL;

	if (mp->mnt_flag & MNT_GETARGS) {
		if (tmp == NULL)
			return EIO;
		args->fspec = NULL;
		*data_len = sizeof(*args);
		return 0;
	}

	if (mp->mnt_flag & MNT_UPDATE) {
		if (tmp == NULL)
			return EINVAL;
		if (!tmp->tm_ronly && (mp->mnt_flag & MNT_RDONLY)) {
			/* Read-write to read-only: flush everything, mark clean. */
			xflags = WRITECLOSE | ((mp->mnt_flag & MNT_FORCE) ? FORCECLOSE : 0);
			error = vflush(mp, NULLVP, xflags);
			if (error == 0)
				error = tinyfs_sync(mp, MNT_WAIT, l->l_cred);
			if (error)
				return error;
			tmp->tm_sb.s_clean = 1;
			error = tinyfs_sbupdate(tmp, MNT_WAIT);
			if (error)
				return error;
			tmp->tm_ronly = 1;
		}
		if (tmp->tm_ronly && (mp->mnt_iflag & IMNT_WANTRDWR)) {
			if (!tmp->tm_sb.s_clean && (mp->mnt_flag & MNT_FORCE) == 0)
				return EPERM;
			tmp->tm_ronly = 0;
			tmp->tm_sb.s_clean = 0;
			error = tinyfs_sbupdate(tmp, MNT_WAIT);
			if (error)
				return error;
		}
		if (args->fspec == NULL)
			return 0;
	}

	if (args->fspec == NULL)
		return EINVAL;

	/* Look the device up by name, as ffs does. */
	error = namei_simple_user(args->fspec, NSM_FOLLOW_NOEMULROOT, &devvp);
	if (error)
		return error;
	if (devvp->v_type != VBLK) {
		error = ENOTBLK;
		goto fail;
	}
	if (mp->mnt_flag & MNT_UPDATE) {
		/* Only the flags can change on update, never the device. */
		error = devvp == tmp->tm_devvp ? 0 : EINVAL;
		vrele(devvp);
		if (error)
			return error;
		return set_statvfs_info(path, UIO_USERSPACE, args->fspec,
		    UIO_USERSPACE, mp->mnt_op->vfs_name, mp, l);
	}

	/* A non-root mounter must be allowed to use the device. */
	accessmode = VREAD;
	if ((mp->mnt_flag & MNT_RDONLY) == 0)
		accessmode |= VWRITE;
	vn_lock(devvp, LK_EXCLUSIVE | LK_RETRY);
	error = kauth_authorize_system(l->l_cred, KAUTH_SYSTEM_MOUNT,
	    KAUTH_REQ_SYSTEM_MOUNT_DEVICE, mp, devvp, KAUTH_ARG(accessmode));
	VOP_UNLOCK(devvp);
	if (error)
		goto fail;
	error = set_statvfs_info(path, UIO_USERSPACE, args->fspec, UIO_USERSPACE,
	    mp->mnt_op->vfs_name, mp, l);
	if (error)
		goto fail;

	xflags = (mp->mnt_flag & MNT_RDONLY) ? FREAD : FREAD | FWRITE;
	vn_lock(devvp, LK_EXCLUSIVE | LK_RETRY);
	error = VOP_OPEN(devvp, xflags, FSCRED);
	VOP_UNLOCK(devvp);
	if (error)
		goto fail;
	error = tinyfs_mountfs(devvp, mp, l);
	if (error) {
		vn_lock(devvp, LK_EXCLUSIVE | LK_RETRY);
		(void)VOP_CLOSE(devvp, xflags, NOCRED);
		VOP_UNLOCK(devvp);
		goto fail;
	}
	/* devvp's reference now belongs to the mount. */
	return 0;
fail:
	vrele(devvp);
	return error;
}

static int
tinyfs_unmount(struct mount *mp, int mntflags)
{
	struct tinyfs_mount *tmp = VFSTOTINY(mp);
	struct vnode *devvp = tmp->tm_devvp;
	int error, flags = 0;

	if (mntflags & MNT_FORCE)
		flags |= FORCECLOSE;
	error = vflush(mp, NULLVP, flags);
	if (error)
		return error;

	if (!tmp->tm_ronly) {
		/* Every vnode is gone: push the device's dirty metadata, then mark clean. */
		vn_lock(devvp, LK_EXCLUSIVE | LK_RETRY);
		error = VOP_FSYNC(devvp, FSCRED, FSYNC_WAIT, 0, 0);
		VOP_UNLOCK(devvp);
		if (error && (mntflags & MNT_FORCE) == 0)
			return error;
		tmp->tm_sb.s_clean = 1;
		error = tinyfs_sbupdate(tmp, MNT_WAIT);
		if (error && (mntflags & MNT_FORCE) == 0) {
			tmp->tm_sb.s_clean = 0;
			return error;
		}
	}

	spec_node_setmountedfs(devvp, NULL);
	vn_lock(devvp, LK_EXCLUSIVE | LK_RETRY);
	(void)vinvalbuf(devvp, V_SAVE, NOCRED, curlwp, 0, 0);
	(void)VOP_CLOSE(devvp, tmp->tm_ronly ? FREAD : FREAD | FWRITE, NOCRED);
	vput(devvp);

	mutex_destroy(&tmp->tm_lock);
	kmem_free(tmp, sizeof(*tmp));
	mp->mnt_data = NULL;
	mp->mnt_flag &= ~MNT_LOCAL;
	return 0;
}

static int
tinyfs_vget(struct mount *mp, ino_t ino, int lktype, struct vnode **vpp)
{
	struct vnode *vp;
	int error;

	error = vcache_get(mp, &ino, sizeof(ino), &vp);
	if (error)
		return error;
	error = vn_lock(vp, lktype);
	if (error) {
		vrele(vp);
		return error;
	}
	*vpp = vp;
	return 0;
}

static int
tinyfs_root(struct mount *mp, int lktype, struct vnode **vpp)
{
	return tinyfs_vget(mp, TINYFS_ROOTINO, lktype, vpp);
}

static int
tinyfs_statvfs(struct mount *mp, struct statvfs *sbp)
{
	struct tinyfs_mount *tmp = VFSTOTINY(mp);

	mutex_enter(&tmp->tm_lock);
	sbp->f_bsize = TINYFS_BSIZE;
	sbp->f_frsize = TINYFS_BSIZE;
	sbp->f_iosize = TINYFS_BSIZE;
	sbp->f_blocks = tmp->tm_sb.s_nblocks - tmp->tm_sb.s_data_start;
	sbp->f_bfree = tmp->tm_sb.s_free_blocks;
	sbp->f_bavail = tmp->tm_sb.s_free_blocks;
	sbp->f_bresvd = 0;
	sbp->f_files = tmp->tm_sb.s_ninodes - 1;
	sbp->f_ffree = tmp->tm_sb.s_free_inodes;
	sbp->f_favail = tmp->tm_sb.s_free_inodes;
	sbp->f_fresvd = 0;
	mutex_exit(&tmp->tm_lock);
	copy_statvfs_info(sbp, mp);
	return 0;
}

/* Which vnodes tinyfs_sync visits: those with state not yet on disk. */
static bool
tinyfs_sync_selector(void *cl, struct vnode *vp)
{
	struct tinyfs_node *tp = VTOT(vp);
	(void)cl;

	if (tp == NULL || vp->v_type == VNON)
		return false;
	if ((tp->tn_flag & (TN_ACCESS | TN_CHANGE | TN_UPDATE | TN_MODIFIED)) == 0 &&
	    vp->v_dirtyblkhd.lh_first == NULL && (vp->v_iflag & VI_ONWORKLST) == 0)
		return false;
	return true;
}

static int
tinyfs_sync(struct mount *mp, int waitfor, kauth_cred_t cred)
{
	struct tinyfs_mount *tmp = VFSTOTINY(mp);
	struct vnode_iterator *marker;
	struct vnode *vp;
	int error, allerror = 0, dirty;

	if (tmp->tm_ronly)
		return 0;

	vfs_vnode_iterator_init(mp, &marker);
	while ((vp = vfs_vnode_iterator_next(marker, tinyfs_sync_selector, NULL)) != NULL) {
		error = vn_lock(vp, LK_EXCLUSIVE | (waitfor == MNT_LAZY ? LK_NOWAIT : 0));
		if (error) {
			vrele(vp);
			continue;
		}
		if (waitfor == MNT_LAZY)
			error = tinyfs_update(vp, 0);
		else
			error = VOP_FSYNC(vp, cred, waitfor == MNT_WAIT ? FSYNC_WAIT : 0, 0, 0);
		if (error)
			allerror = error;
		vput(vp);
	}
	vfs_vnode_iterator_destroy(marker);

	/* Inode-table, bitmap and indirect blocks live in the device's buffers. */
	if (waitfor != MNT_LAZY) {
		vn_lock(tmp->tm_devvp, LK_EXCLUSIVE | LK_RETRY);
		error = VOP_FSYNC(tmp->tm_devvp, cred, waitfor == MNT_WAIT ? FSYNC_WAIT : 0, 0, 0);
		VOP_UNLOCK(tmp->tm_devvp);
		if (error)
			allerror = error;
	}

	mutex_enter(&tmp->tm_lock);
	dirty = tmp->tm_sbdirty;
	mutex_exit(&tmp->tm_lock);
	if (dirty) {
		error = tinyfs_sbupdate(tmp, waitfor);
		if (error)
			allerror = error;
	}
	return allerror;
}

/*
 * spec_fsync calls this for the device vnode of a mounted tinyfs: push the
 * device's pages and delayed-write buffers (our metadata) to the disk.
 */
static int
tinyfs_vfs_fsync(struct vnode *vp, int flags)
{
	int error, pflags;

	pflags = PGO_ALLPAGES | PGO_CLEANIT;
	if (flags & FSYNC_WAIT)
		pflags |= PGO_SYNCIO;
	rw_enter(vp->v_uobj.vmobjlock, RW_WRITER);
	error = VOP_PUTPAGES(vp, 0, 0, pflags);
	if (error)
		return error;
	return vflushbuf(vp, flags);
}

static int
tinyfs_loadvnode(struct mount *mp, struct vnode *vp, const void *key, size_t key_len,
    const void **new_key)
{
	struct tinyfs_mount *tmp = VFSTOTINY(mp);
	struct tinyfs_node *tp;
	ino_t ino;
	int error;

	TINYFS_ASSERT(key_len == sizeof(ino));
	memcpy(&ino, key, sizeof(ino));
	if (ino == 0 || ino >= tmp->tm_sb.s_ninodes)
		return ENOENT;

	error = tinyfs_node_init(tmp, vp, ino);
	if (error)
		return error;
	tp = VTOT(vp);
	if (tp->tn_din.di_mode == 0) {
		/* A free inode: a stale name or handle. */
		genfs_node_destroy(vp);
		kmem_free(tp, sizeof(*tp));
		vp->v_data = NULL;
		return ENOENT;
	}
	tinyfs_node_vinit(vp);
	uvm_vnp_setsize(vp, tp->tn_din.di_size);
	cache_enter_id(vp, tp->tn_din.di_mode, tp->tn_din.di_uid, tp->tn_din.di_gid, true);
	*new_key = &tp->tn_ino;
	return 0;
}

static int
tinyfs_newvnode(struct mount *mp, struct vnode *dvp, struct vnode *vp,
    struct vattr *vap, kauth_cred_t cred, void *extra, size_t *key_len,
    const void **new_key)
{
	struct tinyfs_mount *tmp = VFSTOTINY(mp);
	struct tinyfs_node *tp;
	struct timespec ts;
	ino_t ino;
	int error;
	uint32_t gen;
	(void)extra;

	TINYFS_ASSERT(vap->va_type != VNON);
	*key_len = sizeof(ino);
	if (tmp->tm_ronly)
		return EROFS;
	error = tinyfs_ialloc(tmp, &ino);
	if (error)
		return error;
	error = tinyfs_node_init(tmp, vp, ino);
	if (error) {
		(void)tinyfs_ifree(tmp, ino);
		return error;
	}
	tp = VTOT(vp);
	/* tinyfs_ialloc claimed the slot with a bare S_IFREG: anything else is corruption. */
	if (tp->tn_din.di_mode != S_IFREG || tp->tn_din.di_nlink != 0 ||
	    tp->tn_din.di_blocks != 0)
		panic("tinyfs_newvnode: inode %lu allocated twice (mode %o, nlink %u, blocks %u)",
		    (unsigned long)ino, tp->tn_din.di_mode, tp->tn_din.di_nlink,
		    tp->tn_din.di_blocks);

	/* A fresh inode keeps only its generation number from the previous use. */
	gen = tp->tn_din.di_gen + 1;
	memset(&tp->tn_din, 0, sizeof(tp->tn_din));
	tp->tn_din.di_gen = gen;
	tp->tn_din.di_mode = (uint16_t)(VTTOIF(vap->va_type) | (vap->va_mode & ALLPERMS));
	if (cred == NOCRED || cred == FSCRED) {
		tp->tn_din.di_uid = 0;
		tp->tn_din.di_gid = 0;
	} else {
		tp->tn_din.di_uid = kauth_cred_geteuid(cred);
		tp->tn_din.di_gid = VTOT(dvp)->tn_din.di_gid;
	}
	if (vap->va_rdev != (uint64_t)VNOVAL)
		tp->tn_din.di_rdev = (uint32_t)vap->va_rdev;
	vfs_timestamp(&ts);
	tp->tn_din.di_atime = tp->tn_din.di_mtime = tp->tn_din.di_ctime = ts.tv_sec;
	tp->tn_din.di_atimensec = tp->tn_din.di_mtimensec = tp->tn_din.di_ctimensec =
	    (uint32_t)ts.tv_nsec;
	tp->tn_flag |= TN_MODIFIED;

	tinyfs_node_vinit(vp);
	uvm_vnp_setsize(vp, 0);
	cache_enter_id(vp, tp->tn_din.di_mode, tp->tn_din.di_uid, tp->tn_din.di_gid, true);
	*new_key = &tp->tn_ino;
	return 0;
}
