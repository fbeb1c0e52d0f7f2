/*
 * tinyfs vnode operations and their vectors. The vectors list the same
 * operations as ffs's (regular, special-device and fifo vnodes), with genfs,
 * specfs and fifofs entries where ffs uses them. Regular-file data goes through
 * the page cache (ubc_uiomove, genfs_getpages/putpages, tinyfs_bmap), directory
 * and symlink blocks through the buffer cache (tinyfs_dir.c).
 */
#include "tinyfs.h"

#define KAUTH_VNODE_RETAIN_SUID (1ULL << 19)
#define KAUTH_VNODE_RETAIN_SGID (1ULL << 20)
#define TINYFS_MAXPHYS_SHIFT 16	/* flush written pages every 64 KiB, as ufs does per MAXPHYS */

static int tinyfs_lookup(void *);
static int tinyfs_create(void *);
static int tinyfs_mknod(void *);
static int tinyfs_open(void *);
static int tinyfs_close(void *);
static int tinyfs_accessx(void *);
static int tinyfs_getattr(void *);
static int tinyfs_setattr(void *);
static int tinyfs_read(void *);
static int tinyfs_write(void *);
static int tinyfs_fsync(void *);
static int tinyfs_remove(void *);
static int tinyfs_link(void *);
static int tinyfs_mkdir(void *);
static int tinyfs_rmdir(void *);
static int tinyfs_symlink(void *);
static int tinyfs_readdir(void *);
static int tinyfs_readlink(void *);
static int tinyfs_inactive(void *);
static int tinyfs_reclaim(void *);
static int tinyfs_bmap(void *);
static int tinyfs_strategy(void *);
static int tinyfs_print(void *);
static int tinyfs_pathconf(void *);
static int tinyfs_advlock(void *);
static int tinyfs_spec_read(void *);
static int tinyfs_spec_write(void *);
static int tinyfs_spec_close(void *);
static int tinyfs_spec_fsync(void *);
static int tinyfs_fifo_read(void *);
static int tinyfs_fifo_write(void *);
static int tinyfs_fifo_close(void *);

#define E(desc, fn) { &desc, (void *)(fn) }

int (**tinyfs_vnodeop_p)(void *);
static const struct vnodeopv_entry_desc tinyfs_vnodeop_entries[] = {
	E(vop_default_desc, vn_default_error),
	E(vop_parsepath_desc, genfs_parsepath),
	E(vop_lookup_desc, tinyfs_lookup),
	E(vop_create_desc, tinyfs_create),
	E(vop_whiteout_desc, genfs_eopnotsupp),
	E(vop_mknod_desc, tinyfs_mknod),
	E(vop_open_desc, tinyfs_open),
	E(vop_close_desc, tinyfs_close),
	E(vop_access_desc, genfs_access),
	E(vop_accessx_desc, tinyfs_accessx),
	E(vop_getattr_desc, tinyfs_getattr),
	E(vop_setattr_desc, tinyfs_setattr),
	E(vop_read_desc, tinyfs_read),
	E(vop_write_desc, tinyfs_write),
	E(vop_fallocate_desc, genfs_eopnotsupp),
	E(vop_fdiscard_desc, genfs_eopnotsupp),
	E(vop_ioctl_desc, genfs_enoioctl),
	E(vop_fcntl_desc, genfs_fcntl),
	E(vop_poll_desc, genfs_poll),
	E(vop_kqfilter_desc, genfs_kqfilter),
	E(vop_revoke_desc, genfs_revoke),
	E(vop_mmap_desc, genfs_mmap),
	E(vop_fsync_desc, tinyfs_fsync),
	E(vop_seek_desc, genfs_seek),
	E(vop_remove_desc, tinyfs_remove),
	E(vop_link_desc, tinyfs_link),
	E(vop_rename_desc, tinyfs_rename),
	E(vop_mkdir_desc, tinyfs_mkdir),
	E(vop_rmdir_desc, tinyfs_rmdir),
	E(vop_symlink_desc, tinyfs_symlink),
	E(vop_readdir_desc, tinyfs_readdir),
	E(vop_readlink_desc, tinyfs_readlink),
	E(vop_abortop_desc, genfs_abortop),
	E(vop_inactive_desc, tinyfs_inactive),
	E(vop_reclaim_desc, tinyfs_reclaim),
	E(vop_lock_desc, genfs_lock),
	E(vop_unlock_desc, genfs_unlock),
	E(vop_bmap_desc, tinyfs_bmap),
	E(vop_strategy_desc, tinyfs_strategy),
	E(vop_print_desc, tinyfs_print),
	E(vop_islocked_desc, genfs_islocked),
	E(vop_pathconf_desc, tinyfs_pathconf),
	E(vop_advlock_desc, tinyfs_advlock),
	E(vop_bwrite_desc, vn_bwrite),
	E(vop_getpages_desc, genfs_getpages),
	E(vop_putpages_desc, genfs_putpages),
	{ NULL, NULL },
};
const struct vnodeopv_desc tinyfs_vnodeop_opv_desc = {
	(void **)&tinyfs_vnodeop_p, (struct vnodeopv_entry_desc *)tinyfs_vnodeop_entries,
};

/* Device special files: specfs does the I/O, tinyfs keeps the inode (as ffs_specop_entries). */
int (**tinyfs_specop_p)(void *);
static const struct vnodeopv_entry_desc tinyfs_specop_entries[] = {
	E(vop_default_desc, vn_default_error),
	E(vop_parsepath_desc, genfs_badop),
	E(vop_lookup_desc, spec_lookup),
	E(vop_create_desc, genfs_badop),
	E(vop_whiteout_desc, genfs_badop),
	E(vop_mknod_desc, genfs_badop),
	E(vop_open_desc, spec_open),
	E(vop_fallocate_desc, genfs_eopnotsupp),
	E(vop_fdiscard_desc, spec_fdiscard),
	E(vop_ioctl_desc, spec_ioctl),
	E(vop_poll_desc, spec_poll),
	E(vop_kqfilter_desc, spec_kqfilter),
	E(vop_revoke_desc, genfs_revoke),
	E(vop_mmap_desc, spec_mmap),
	E(vop_seek_desc, spec_seek),
	E(vop_remove_desc, genfs_badop),
	E(vop_link_desc, genfs_badop),
	E(vop_rename_desc, genfs_badop),
	E(vop_mkdir_desc, genfs_badop),
	E(vop_rmdir_desc, genfs_badop),
	E(vop_symlink_desc, genfs_badop),
	E(vop_readdir_desc, genfs_badop),
	E(vop_readlink_desc, genfs_badop),
	E(vop_abortop_desc, genfs_badop),
	E(vop_bmap_desc, spec_bmap),
	E(vop_strategy_desc, spec_strategy),
	E(vop_pathconf_desc, spec_pathconf),
	E(vop_advlock_desc, spec_advlock),
	E(vop_getpages_desc, genfs_getpages),
	E(vop_putpages_desc, genfs_putpages),
	E(vop_close_desc, tinyfs_spec_close),
	E(vop_access_desc, genfs_access),
	E(vop_accessx_desc, tinyfs_accessx),
	E(vop_getattr_desc, tinyfs_getattr),
	E(vop_setattr_desc, tinyfs_setattr),
	E(vop_read_desc, tinyfs_spec_read),
	E(vop_write_desc, tinyfs_spec_write),
	E(vop_fcntl_desc, genfs_fcntl),
	E(vop_fsync_desc, tinyfs_spec_fsync),
	E(vop_inactive_desc, tinyfs_inactive),
	E(vop_reclaim_desc, tinyfs_reclaim),
	E(vop_lock_desc, genfs_lock),
	E(vop_unlock_desc, genfs_unlock),
	E(vop_print_desc, tinyfs_print),
	E(vop_islocked_desc, genfs_islocked),
	E(vop_bwrite_desc, vn_bwrite),
	{ NULL, NULL },
};
const struct vnodeopv_desc tinyfs_specop_opv_desc = {
	(void **)&tinyfs_specop_p, (struct vnodeopv_entry_desc *)tinyfs_specop_entries,
};

/* Named pipes: fifofs does the I/O (as ffs_fifoop_entries). */
int (**tinyfs_fifoop_p)(void *);
static const struct vnodeopv_entry_desc tinyfs_fifoop_entries[] = {
	E(vop_default_desc, vn_default_error),
	E(vop_parsepath_desc, genfs_badop),
	E(vop_lookup_desc, vn_fifo_bypass),
	E(vop_create_desc, vn_fifo_bypass),
	E(vop_whiteout_desc, vn_fifo_bypass),
	E(vop_mknod_desc, vn_fifo_bypass),
	E(vop_open_desc, vn_fifo_bypass),
	E(vop_fallocate_desc, vn_fifo_bypass),
	E(vop_fdiscard_desc, vn_fifo_bypass),
	E(vop_ioctl_desc, vn_fifo_bypass),
	E(vop_poll_desc, vn_fifo_bypass),
	E(vop_kqfilter_desc, vn_fifo_bypass),
	E(vop_revoke_desc, vn_fifo_bypass),
	E(vop_mmap_desc, vn_fifo_bypass),
	E(vop_seek_desc, vn_fifo_bypass),
	E(vop_remove_desc, vn_fifo_bypass),
	E(vop_link_desc, vn_fifo_bypass),
	E(vop_rename_desc, vn_fifo_bypass),
	E(vop_mkdir_desc, vn_fifo_bypass),
	E(vop_rmdir_desc, vn_fifo_bypass),
	E(vop_symlink_desc, vn_fifo_bypass),
	E(vop_readdir_desc, vn_fifo_bypass),
	E(vop_readlink_desc, vn_fifo_bypass),
	E(vop_abortop_desc, vn_fifo_bypass),
	E(vop_bmap_desc, vn_fifo_bypass),
	E(vop_pathconf_desc, vn_fifo_bypass),
	E(vop_advlock_desc, vn_fifo_bypass),
	E(vop_getpages_desc, genfs_badop),
	E(vop_putpages_desc, vn_fifo_bypass),
	E(vop_close_desc, tinyfs_fifo_close),
	E(vop_access_desc, genfs_access),
	E(vop_accessx_desc, tinyfs_accessx),
	E(vop_getattr_desc, tinyfs_getattr),
	E(vop_setattr_desc, tinyfs_setattr),
	E(vop_read_desc, tinyfs_fifo_read),
	E(vop_write_desc, tinyfs_fifo_write),
	E(vop_fcntl_desc, genfs_fcntl),
	E(vop_fsync_desc, tinyfs_fsync),
	E(vop_inactive_desc, tinyfs_inactive),
	E(vop_reclaim_desc, tinyfs_reclaim),
	E(vop_lock_desc, genfs_lock),
	E(vop_unlock_desc, genfs_unlock),
	E(vop_strategy_desc, tinyfs_strategy),
	E(vop_print_desc, tinyfs_print),
	E(vop_islocked_desc, genfs_islocked),
	E(vop_bwrite_desc, vn_bwrite),
	{ NULL, NULL },
};
const struct vnodeopv_desc tinyfs_fifoop_opv_desc = {
	(void **)&tinyfs_fifoop_p, (struct vnodeopv_entry_desc *)tinyfs_fifoop_entries,
};

static int
tinyfs_dtype(uint16_t mode)
{
	return (int)IFTODT(mode);
}

/* ---- Name lookup ---- */

/* A referenced, unlocked vnode for ino found in directory vdp ("." is vdp itself). */
static int
tinyfs_getino(struct vnode *vdp, ino_t ino, struct vnode **vpp)
{
	if (ino == VTOT(vdp)->tn_ino) {
		vref(vdp);
		*vpp = vdp;
		return 0;
	}
	return vcache_get(vdp->v_mount, &ino, sizeof(ino), vpp);
}

/*
 * VOP_LOOKUP (version 2): dvp locked on entry and exit; the result comes back
 * referenced and unlocked. As ufs_lookup: the name cache first, then a scan of
 * the directory, EJUSTRETURN for a name to be created, and delete/rename
 * permission checks on the last component.
 */
static int
tinyfs_lookup(void *v)
{
	struct vop_lookup_v2_args *ap = v;
	struct vnode *vdp = ap->a_dvp, **vpp = ap->a_vpp, *tdp;
	struct componentname *cnp = ap->a_cnp;
	struct tinyfs_node *dp = VTOT(vdp);
	kauth_cred_t cred = cnp->cn_cred;
	uint32_t flags = cnp->cn_flags;
	uint32_t nameiop = cnp->cn_nameiop;
	int error, iswhiteout;
	ino_t ino;
	off_t off;

	*vpp = NULL;
	if (vdp->v_type != VDIR)
		return ENOTDIR;
	error = VOP_ACCESS(vdp, VEXEC, cred);
	if (error)
		return error;
	if ((flags & ISLASTCN) && (vdp->v_mount->mnt_flag & MNT_RDONLY) &&
	    (nameiop == DELETE || nameiop == RENAME))
		return EROFS;
	if (cnp->cn_namelen > TINYFS_NAME_MAX)
		return ENAMETOOLONG;

	if (cache_lookup(vdp, cnp->cn_nameptr, cnp->cn_namelen, nameiop, flags,
	    &iswhiteout, vpp)) {
		if (iswhiteout)
			cnp->cn_flags |= ISWHITEOUT;
		return *vpp == NULLVP ? ENOENT : 0;
	}

	error = tinyfs_dirlookup(vdp, cnp->cn_nameptr, cnp->cn_namelen, &ino, &off);
	if (error == ENOENT) {
		if ((nameiop == CREATE || nameiop == RENAME) && (flags & ISLASTCN) &&
		    dp->tn_din.di_nlink != 0) {
			/* Write access to the directory allows creating in it. */
			error = VOP_ACCESS(vdp, VWRITE, cred);
			if (error)
				return error;
			return EJUSTRETURN;
		}
		if (nameiop != CREATE)
			cache_enter(vdp, NULL, cnp->cn_nameptr, cnp->cn_namelen, flags);
		return ENOENT;
	}
	if (error)
		return error;

	if (nameiop == DELETE && (flags & ISLASTCN)) {
		error = VOP_ACCESS(vdp, VWRITE, cred);
		if (error)
			return error;
		error = tinyfs_getino(vdp, ino, &tdp);
		if (error)
			return error;
		if (dp->tn_din.di_mode & S_ISVTX) {
			/* Sticky directory: only the owner of the file or directory deletes. */
			error = kauth_authorize_vnode(cred, KAUTH_VNODE_DELETE, tdp, vdp,
			    genfs_can_sticky(vdp, cred, dp->tn_din.di_uid,
			    VTOT(tdp)->tn_din.di_uid));
			if (error) {
				vrele(tdp);
				return EPERM;
			}
		}
		*vpp = tdp;
		return 0;
	}

	if (nameiop == RENAME && (flags & ISLASTCN)) {
		error = VOP_ACCESS(vdp, VWRITE, cred);
		if (error)
			return error;
		if (ino == dp->tn_ino)
			return EISDIR;
		return tinyfs_getino(vdp, ino, vpp);
	}

	error = tinyfs_getino(vdp, ino, &tdp);
	if (error)
		return error;
	*vpp = tdp;
	cache_enter(vdp, tdp, cnp->cn_nameptr, cnp->cn_namelen, flags);
	return 0;
}

/* ---- Creating names ---- */

/*
 * Allocates an inode through vcache_new and enters it in dvp under cnp's name.
 * Returns the new vnode referenced and locked (as ufs_makeinode).
 */
static int
tinyfs_makeinode(struct vattr *vap, struct vnode *dvp, struct componentname *cnp,
    struct vnode **vpp)
{
	struct vnode *tvp;
	struct tinyfs_node *tp;
	int error;

	error = vcache_new(dvp->v_mount, dvp, vap, cnp->cn_cred, NULL, &tvp);
	if (error)
		return error;
	error = vn_lock(tvp, LK_EXCLUSIVE);
	if (error) {
		vrele(tvp);
		return error;
	}
	tp = VTOT(tvp);
	tp->tn_din.di_nlink = vap->va_type == VDIR ? 2 : 1;
	tp->tn_flag |= TN_ACCESS | TN_CHANGE | TN_UPDATE | TN_MODIFIED;

	if (tp->tn_din.di_mode & S_ISGID) {
		error = kauth_authorize_vnode(cnp->cn_cred, KAUTH_VNODE_WRITE_SECURITY, tvp,
		    NULL, genfs_can_chmod(tvp, cnp->cn_cred, tp->tn_din.di_uid,
		    tp->tn_din.di_gid, tp->tn_din.di_mode & ALLPERMS));
		if (error)
			tp->tn_din.di_mode &= (uint16_t)~S_ISGID;
	}

	if (vap->va_type == VDIR) {
		error = tinyfs_dirinit(tvp, VTOT(dvp)->tn_ino);
		if (error)
			goto bad;
	}
	/* The inode reaches the disk before the name that points to it. */
	error = tinyfs_update(tvp, 1);
	if (error)
		goto bad;
	error = tinyfs_direnter(dvp, cnp->cn_nameptr, cnp->cn_namelen, tp->tn_ino,
	    tinyfs_dtype(tp->tn_din.di_mode));
	if (error)
		goto bad;
	cache_enter(dvp, tvp, cnp->cn_nameptr, cnp->cn_namelen, cnp->cn_flags);
	*vpp = tvp;
	return 0;
bad:
	/* Unlinked: tinyfs_inactive frees the blocks and reclaim the inode. */
	tp->tn_din.di_nlink = 0;
	tp->tn_flag |= TN_CHANGE;
	vput(tvp);
	return error;
}

/* VOP_CREATE (version 3): dvp stays locked; the new vnode comes back unlocked. */
static int
tinyfs_create(void *v)
{
	struct vop_create_v3_args *ap = v;
	int error;

	error = tinyfs_makeinode(ap->a_vap, ap->a_dvp, ap->a_cnp, ap->a_vpp);
	if (error)
		return error;
	VOP_UNLOCK(*ap->a_vpp);
	return 0;
}

static int
tinyfs_mknod(void *v)
{
	struct vop_mknod_v3_args *ap = v;
	int error;

	error = tinyfs_makeinode(ap->a_vap, ap->a_dvp, ap->a_cnp, ap->a_vpp);
	if (error)
		return error;
	VOP_UNLOCK(*ap->a_vpp);
	return 0;
}

static int
tinyfs_mkdir(void *v)
{
	struct vop_mkdir_v3_args *ap = v;
	struct vnode *dvp = ap->a_dvp;
	struct tinyfs_node *dp = VTOT(dvp);
	int error;

	if (dp->tn_din.di_nlink >= TINYFS_LINK_MAX)
		return EMLINK;
	/* The new directory's ".." is a link to the parent. */
	dp->tn_din.di_nlink++;
	dp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	error = tinyfs_update(dvp, 1);
	if (error == 0)
		error = tinyfs_makeinode(ap->a_vap, dvp, ap->a_cnp, ap->a_vpp);
	if (error) {
		dp->tn_din.di_nlink--;
		dp->tn_flag |= TN_CHANGE | TN_MODIFIED;
		(void)tinyfs_update(dvp, 0);
		return error;
	}
	VOP_UNLOCK(*ap->a_vpp);
	return 0;
}

static int
tinyfs_symlink(void *v)
{
	struct vop_symlink_v3_args *ap = v;
	struct vnode *vp;
	struct tinyfs_node *tp;
	struct buf *bp;
	size_t len = strlen(ap->a_target);
	uint32_t bno;
	int error;

	if (len == 0 || len >= MAXPATHLEN)
		return len == 0 ? ENOENT : ENAMETOOLONG;
	error = tinyfs_makeinode(ap->a_vap, ap->a_dvp, ap->a_cnp, ap->a_vpp);
	if (error)
		return error;
	vp = *ap->a_vpp;
	tp = VTOT(vp);
	if (len <= TINYFS_FASTLINK_MAX) {
		/* A short target lives in the inode's block pointers (as ffs). */
		memcpy(tp->tn_din.di_u.symlink, ap->a_target, len);
	} else {
		error = tinyfs_bmap_alloc(tp, 0, &bno);
		if (error)
			goto bad;
		bp = getblk(vp, 0, TINYFS_BSIZE, 0, 0);
		memset(bp->b_data, 0, TINYFS_BSIZE);
		memcpy(bp->b_data, ap->a_target, len);
		bp->b_resid = 0;
		bp->b_blkno = TINYFS_FSBTODB(bno);
		if (vp->v_mount->mnt_flag & MNT_SYNCHRONOUS)
			error = bwrite(bp);
		else
			bdwrite(bp);
		if (error)
			goto bad;
	}
	tp->tn_din.di_size = len;
	uvm_vnp_setsize(vp, (off_t)len);
	tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	error = tinyfs_update(vp, 0);
	if (error)
		goto bad;
	VOP_UNLOCK(vp);
	return 0;
bad:
	/* Take the name back and let the inode go (inactive, then reclaim). */
	{
		ino_t ino;
		off_t off;

		if (tinyfs_dirlookup(ap->a_dvp, ap->a_cnp->cn_nameptr, ap->a_cnp->cn_namelen,
		    &ino, &off) == 0 && ino == tp->tn_ino)
			(void)tinyfs_dirremove(ap->a_dvp, off);
	}
	cache_purge1(ap->a_dvp, ap->a_cnp->cn_nameptr, ap->a_cnp->cn_namelen, 0);
	tp->tn_din.di_nlink = 0;
	tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	vput(vp);
	*ap->a_vpp = NULL;
	return error;
}

/* VOP_LINK (version 2): dvp locked, vp unlocked on entry and exit. */
static int
tinyfs_link(void *v)
{
	struct vop_link_v2_args *ap = v;
	struct vnode *dvp = ap->a_dvp, *vp = ap->a_vp;
	struct componentname *cnp = ap->a_cnp;
	struct tinyfs_node *tp;
	int error;

	if (vp->v_type == VDIR)
		return EPERM;
	if (dvp->v_mount != vp->v_mount)
		return EXDEV;
	error = vn_lock(vp, LK_EXCLUSIVE);
	if (error)
		return error;
	tp = VTOT(vp);
	if (tp->tn_din.di_nlink >= TINYFS_LINK_MAX) {
		error = EMLINK;
		goto out;
	}
	tp->tn_din.di_nlink++;
	tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	error = tinyfs_update(vp, 1);
	if (error == 0)
		error = tinyfs_direnter(dvp, cnp->cn_nameptr, cnp->cn_namelen, tp->tn_ino,
		    tinyfs_dtype(tp->tn_din.di_mode));
	if (error) {
		tp->tn_din.di_nlink--;
		tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
		(void)tinyfs_update(vp, 0);
	}
out:
	VOP_UNLOCK(vp);
	return error;
}

/* ---- Removing names ---- */

/* VOP_REMOVE (version 3): dvp stays locked, vp is put. */
static int
tinyfs_remove(void *v)
{
	struct vop_remove_v3_args *ap = v;
	struct vnode *dvp = ap->a_dvp, *vp = ap->a_vp;
	struct componentname *cnp = ap->a_cnp;
	struct tinyfs_node *tp = VTOT(vp);
	ino_t ino;
	off_t off;
	int error;

	if (vp->v_type == VDIR) {
		error = EPERM;
		goto out;
	}
	error = tinyfs_dirlookup(dvp, cnp->cn_nameptr, cnp->cn_namelen, &ino, &off);
	if (error == 0 && ino != tp->tn_ino)
		error = ENOENT;
	if (error == 0)
		error = tinyfs_dirremove(dvp, off);
	if (error == 0) {
		tp->tn_din.di_nlink--;
		tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
		ap->ctx_vp_new_nlink = tp->tn_din.di_nlink;
	}
out:
	if (dvp == vp)
		vrele(vp);
	else
		vput(vp);
	return error;
}

/* VOP_RMDIR (version 2): dvp stays locked, vp is put. */
static int
tinyfs_rmdir(void *v)
{
	struct vop_rmdir_v2_args *ap = v;
	struct vnode *dvp = ap->a_dvp, *vp = ap->a_vp;
	struct componentname *cnp = ap->a_cnp;
	struct tinyfs_node *dp = VTOT(dvp), *tp = VTOT(vp);
	int error, empty;
	ino_t ino;
	off_t off;

	if (vp == dvp) {
		vrele(vp);
		return EINVAL;
	}
	if (vp->v_mountedhere != NULL) {
		error = EBUSY;
		goto out;
	}
	error = tinyfs_dirempty(vp, dp->tn_ino, &empty);
	if (error == 0 && !empty)
		error = ENOTEMPTY;
	if (error == 0)
		error = tinyfs_dirlookup(dvp, cnp->cn_nameptr, cnp->cn_namelen, &ino, &off);
	if (error == 0 && ino != tp->tn_ino)
		error = ENOENT;
	if (error == 0)
		error = tinyfs_dirremove(dvp, off);
	if (error)
		goto out;
	/* The parent loses the child's "..", the child its name and ".". */
	dp->tn_din.di_nlink--;
	dp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	tp->tn_din.di_nlink = 0;
	tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	error = tinyfs_truncate(vp, 0, IO_SYNC, cnp->cn_cred);
	cache_purge(vp);
out:
	vput(vp);
	return error;
}

/* ---- Attributes and permissions ---- */

static int
tinyfs_accessx(void *v)
{
	struct vop_accessx_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	accmode_t accmode = ap->a_accmode;
	mode_t mode = tp->tn_din.di_mode & ALLPERMS;
	int error;

	/* Nothing on a read-only mount may change, except devices and fifos on it. */
	if ((accmode & VMODIFY_PERMS) && (vp->v_mount->mnt_flag & MNT_RDONLY) &&
	    (vp->v_type == VDIR || vp->v_type == VLNK || vp->v_type == VREG))
		return EROFS;
	error = vfs_unixify_accmode(&accmode);
	if (error)
		return error;
	return kauth_authorize_vnode(ap->a_cred, KAUTH_ACCESS_ACTION(accmode, vp->v_type, mode),
	    vp, NULL, genfs_can_access(vp, ap->a_cred, tp->tn_din.di_uid, tp->tn_din.di_gid,
	    mode, NULL, accmode));
}

static int
tinyfs_getattr(void *v)
{
	struct vop_getattr_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	struct vattr *vap = ap->a_vap;

	tinyfs_itimes(tp);
	vap->va_type = vp->v_type;
	vap->va_mode = tp->tn_din.di_mode & ALLPERMS;
	vap->va_nlink = tp->tn_din.di_nlink;
	vap->va_uid = tp->tn_din.di_uid;
	vap->va_gid = tp->tn_din.di_gid;
	vap->va_fsid = tp->tn_tmp->tm_dev;
	vap->va_fileid = tp->tn_ino;
	vap->va_size = vp->v_size;
	vap->va_blocksize = TINYFS_BSIZE;
	vap->va_atime.tv_sec = tp->tn_din.di_atime;
	vap->va_atime.tv_nsec = tp->tn_din.di_atimensec;
	vap->va_mtime.tv_sec = tp->tn_din.di_mtime;
	vap->va_mtime.tv_nsec = tp->tn_din.di_mtimensec;
	vap->va_ctime.tv_sec = tp->tn_din.di_ctime;
	vap->va_ctime.tv_nsec = tp->tn_din.di_ctimensec;
	vap->va_birthtime.tv_sec = 0;
	vap->va_birthtime.tv_nsec = 0;
	vap->va_gen = tp->tn_din.di_gen;
	vap->va_flags = 0;
	vap->va_rdev = (vp->v_type == VBLK || vp->v_type == VCHR) ?
	    (uint64_t)tp->tn_din.di_rdev : (uint64_t)VNOVAL;
	vap->va_bytes = (uint64_t)tp->tn_din.di_blocks * TINYFS_BSIZE;
	vap->va_filerev = 0;
	vap->va_vaflags = 0;
	return 0;
}

#define VA_SET(x) ((x) != (__typeof__(x))VNOVAL)

static int
tinyfs_setattr(void *v)
{
	struct vop_setattr_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	struct vattr *vap = ap->a_vap;
	kauth_cred_t cred = ap->a_cred;
	int rdonly = (vp->v_mount->mnt_flag & MNT_RDONLY) != 0;
	int error = 0;

	if (vap->va_type != VNON || VA_SET(vap->va_nlink) || VA_SET(vap->va_fsid) ||
	    VA_SET(vap->va_fileid) || VA_SET(vap->va_blocksize) || VA_SET(vap->va_rdev) ||
	    VA_SET(vap->va_bytes) || VA_SET(vap->va_gen))
		return EINVAL;
	if (VA_SET(vap->va_flags))
		return rdonly ? EROFS : EOPNOTSUPP;

	if (VA_SET(vap->va_uid) || VA_SET(vap->va_gid)) {
		uid_t uid = VA_SET(vap->va_uid) ? vap->va_uid : tp->tn_din.di_uid;
		gid_t gid = VA_SET(vap->va_gid) ? vap->va_gid : tp->tn_din.di_gid;

		if (rdonly)
			return EROFS;
		error = kauth_authorize_vnode(cred, KAUTH_VNODE_CHANGE_OWNERSHIP, vp, NULL,
		    genfs_can_chown(vp, cred, tp->tn_din.di_uid, tp->tn_din.di_gid, uid, gid));
		if (error)
			return error;
		if ((uid != tp->tn_din.di_uid || gid != tp->tn_din.di_gid)) {
			if ((tp->tn_din.di_mode & S_ISUID) && kauth_authorize_vnode(cred,
			    KAUTH_VNODE_RETAIN_SUID, vp, NULL, EPERM) != 0)
				tp->tn_din.di_mode &= (uint16_t)~S_ISUID;
			if ((tp->tn_din.di_mode & S_ISGID) && kauth_authorize_vnode(cred,
			    KAUTH_VNODE_RETAIN_SGID, vp, NULL, EPERM) != 0)
				tp->tn_din.di_mode &= (uint16_t)~S_ISGID;
		}
		tp->tn_din.di_uid = uid;
		tp->tn_din.di_gid = gid;
		tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	}

	if (vap->va_size != VNOVALSIZE) {
		switch (vp->v_type) {
		case VDIR:
			return EISDIR;
		case VCHR:
		case VBLK:
		case VFIFO:
			break;
		case VREG:
			if (rdonly)
				return EROFS;
			error = tinyfs_truncate(vp, (off_t)vap->va_size, 0, cred);
			if (error)
				return error;
			break;
		default:
			return EOPNOTSUPP;
		}
	}

	if (VA_SET(vap->va_atime.tv_sec) || VA_SET(vap->va_mtime.tv_sec) ||
	    VA_SET(vap->va_birthtime.tv_sec)) {
		if (rdonly)
			return EROFS;
		error = kauth_authorize_vnode(cred, KAUTH_VNODE_WRITE_TIMES, vp, NULL,
		    genfs_can_chtimes(vp, cred, tp->tn_din.di_uid, vap->va_vaflags));
		if (error)
			return error;
		tinyfs_itimes(tp);
		if (VA_SET(vap->va_atime.tv_sec)) {
			tp->tn_din.di_atime = vap->va_atime.tv_sec;
			tp->tn_din.di_atimensec = (uint32_t)vap->va_atime.tv_nsec;
		}
		if (VA_SET(vap->va_mtime.tv_sec)) {
			tp->tn_din.di_mtime = vap->va_mtime.tv_sec;
			tp->tn_din.di_mtimensec = (uint32_t)vap->va_mtime.tv_nsec;
		}
		tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	}

	if (VA_SET(vap->va_mode)) {
		if (rdonly)
			return EROFS;
		error = kauth_authorize_vnode(cred, KAUTH_VNODE_WRITE_SECURITY, vp, NULL,
		    genfs_can_chmod(vp, cred, tp->tn_din.di_uid, tp->tn_din.di_gid,
		    vap->va_mode));
		if (error)
			return error;
		tp->tn_din.di_mode = (uint16_t)((tp->tn_din.di_mode & S_IFMT) |
		    (vap->va_mode & ALLPERMS));
		tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	}
	cache_enter_id(vp, tp->tn_din.di_mode, tp->tn_din.di_uid, tp->tn_din.di_gid, true);
	return tinyfs_update(vp, 0);
}

/* ---- Open, close, data ---- */

static int
tinyfs_open(void *v)
{
	(void)v;
	return 0;
}

static int
tinyfs_close(void *v)
{
	struct vop_close_args *ap = v;
	struct vnode *vp = ap->a_vp;

	if (vrefcnt(vp) > 1)
		tinyfs_itimes(VTOT(vp));
	return 0;
}

/* VOP_READ of a regular file: through the page cache, as ffs_read. */
static int
tinyfs_read(void *v)
{
	struct vop_read_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	struct uio *uio = ap->a_uio;
	int error = 0;
	vsize_t bytelen;

	if (vp->v_type == VDIR)
		return tinyfs_bufrd(vp, uio);
	if (vp->v_type != VREG)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_resid == 0)
		return 0;
	while (uio->uio_resid > 0 && uio->uio_offset < (off_t)tp->tn_din.di_size) {
		bytelen = MIN(tp->tn_din.di_size - (uint64_t)uio->uio_offset, uio->uio_resid);
		error = ubc_uiomove(&vp->v_uobj, uio, bytelen, IO_ADV_DECODE(ap->a_ioflag),
		    UBC_READ | UBC_PARTIALOK | UBC_VNODE_FLAGS(vp));
		if (error)
			break;
	}
	if ((vp->v_mount->mnt_flag & MNT_NOATIME) == 0)
		tp->tn_flag |= TN_ACCESS;
	if (error == 0 && (ap->a_ioflag & IO_SYNC) == IO_SYNC)
		error = tinyfs_update(vp, 1);
	return error;
}

/*
 * VOP_WRITE of a regular file, as ffs_write: per block, back the block with
 * disk space when the page cache will not read it (it lies past the current
 * end), copy the data in with ubc_uiomove, move the end of file, and push the
 * pages out every 64 KiB. On error the file is cut back to its old size.
 */
static int
tinyfs_write(void *v)
{
	struct vop_write_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	struct uio *uio = ap->a_uio;
	kauth_cred_t cred = ap->a_cred;
	int ioflag = ap->a_ioflag;
	off_t osize, origoff, oldoff, newoff;
	size_t resid;
	vsize_t bytelen;
	int error = 0;
	int async = (vp->v_mount->mnt_flag & MNT_ASYNC) != 0;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (ioflag & IO_APPEND)
		uio->uio_offset = (off_t)tp->tn_din.di_size;
	if (uio->uio_offset < 0 || uio->uio_offset + (off_t)uio->uio_resid > TINYFS_MAXFILESIZE)
		return EFBIG;
	if (uio->uio_resid == 0)
		return 0;

	osize = (off_t)tp->tn_din.di_size;
	origoff = uio->uio_offset;
	resid = uio->uio_resid;

	while (uio->uio_resid > 0) {
		off_t blkstart;

		oldoff = uio->uio_offset;
		blkstart = oldoff & ~(off_t)(TINYFS_BSIZE - 1);
		bytelen = MIN((vsize_t)(TINYFS_BSIZE - (oldoff - blkstart)), uio->uio_resid);
		newoff = oldoff + (off_t)bytelen;
		if ((off_t)vp->v_size < newoff)
			uvm_vnp_setwritesize(vp, newoff);

		/*
		 * The page cache never allocates blocks on a write (ubc faults with
		 * PGO_NOBLOCKALLOC): a block that is a hole, inside the file or past
		 * its end, gets its page and its disk block here, as ffs_write does
		 * with ufs_balloc_range.
		 */
		{
			uint32_t bno;

			error = tinyfs_bmap_lookup(tp, blkstart >> TINYFS_BSHIFT, &bno);
			if (error == 0 && bno == 0)
				error = tinyfs_balloc_range(vp, oldoff, (off_t)bytelen, cred,
				    (ioflag & IO_SYNC) ? B_SYNC : 0);
			if (error)
				break;
		}

		error = ubc_uiomove(&vp->v_uobj, uio, bytelen, IO_ADV_DECODE(ioflag),
		    UBC_WRITE | UBC_VNODE_FLAGS(vp));

		/* The size moves even when the copy failed half-way, as in ffs. */
		if ((off_t)vp->v_size < newoff) {
			uvm_vnp_setsize(vp, newoff);
			tp->tn_din.di_size = (uint64_t)newoff;
			tp->tn_flag |= TN_MODIFIED;
		}
		if (error)
			break;

		if (!async && oldoff >> TINYFS_MAXPHYS_SHIFT != uio->uio_offset >> TINYFS_MAXPHYS_SHIFT) {
			rw_enter(vp->v_uobj.vmobjlock, RW_WRITER);
			error = VOP_PUTPAGES(vp, (oldoff >> TINYFS_MAXPHYS_SHIFT) << TINYFS_MAXPHYS_SHIFT,
			    (uio->uio_offset >> TINYFS_MAXPHYS_SHIFT) << TINYFS_MAXPHYS_SHIFT,
			    PGO_CLEANIT | PGO_LAZY);
			if (error)
				break;
		}
	}
	if (error == 0 && (ioflag & IO_SYNC)) {
		rw_enter(vp->v_uobj.vmobjlock, RW_WRITER);
		error = VOP_PUTPAGES(vp, origoff & ~(off_t)PAGE_MASK,
		    (uio->uio_offset + PAGE_MASK) & ~(off_t)PAGE_MASK, PGO_CLEANIT | PGO_SYNCIO);
	}

	tp->tn_flag |= TN_CHANGE | TN_UPDATE;
	if (resid > uio->uio_resid && cred != NOCRED && cred != FSCRED) {
		/* Writing drops set-id bits unless the writer may keep them. */
		if ((tp->tn_din.di_mode & S_ISUID) && kauth_authorize_vnode(cred,
		    KAUTH_VNODE_RETAIN_SUID, vp, NULL, EPERM) != 0)
			tp->tn_din.di_mode &= (uint16_t)~S_ISUID;
		if ((tp->tn_din.di_mode & S_ISGID) && kauth_authorize_vnode(cred,
		    KAUTH_VNODE_RETAIN_SGID, vp, NULL, EPERM) != 0)
			tp->tn_din.di_mode &= (uint16_t)~S_ISGID;
	}
	if (error) {
		(void)tinyfs_truncate(vp, osize, ioflag & IO_SYNC, cred);
		uio->uio_offset -= (off_t)(resid - uio->uio_resid);
		uio->uio_resid = resid;
	} else if (resid > uio->uio_resid && (ioflag & IO_SYNC) == IO_SYNC) {
		error = tinyfs_update(vp, 1);
	}
	return error;
}

/* VOP_FSYNC: dirty pages and buffers of the vnode (vflushbuf does both), then the inode. */
static int
tinyfs_fsync(void *v)
{
	struct vop_fsync_args *ap = v;
	struct vnode *vp = ap->a_vp;
	int error;

	error = vflushbuf(vp, ap->a_flags);
	if (error)
		return error;
	if (ap->a_flags & FSYNC_DATAONLY)
		return 0;
	return tinyfs_update(vp, (ap->a_flags & FSYNC_WAIT) != 0);
}

/* ---- Directories and symlinks ---- */

static int
tinyfs_readdir(void *v)
{
	struct vop_readdir_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	struct uio *uio = ap->a_uio;
	struct tinyfs_dirent *de;
	struct dirent d;
	struct buf *bp;
	daddr_t lbn, nblocks = (daddr_t)(tp->tn_din.di_size / TINYFS_BSIZE);
	off_t off = uio->uio_offset;
	int slot, error = 0, copied = 0, full = 0;
	size_t reclen;

	if (vp->v_type != VDIR)
		return ENOTDIR;
	if (off < 0)
		return EINVAL;
	if (ap->a_ncookies != NULL) {
		/* Cookies serve NFS exports, which tinyfs does not offer. */
		return EOPNOTSUPP;
	}

	lbn = off / TINYFS_BSIZE;
	slot = (int)howmany(off % TINYFS_BSIZE, TINYFS_DIRENT_SIZE);
	for (; lbn < nblocks && !full; lbn++, slot = 0) {
		if (slot >= TINYFS_DIRENTS_PER_BLOCK)
			continue;
		error = bread(vp, lbn, TINYFS_BSIZE, 0, &bp);
		if (error)
			return error;
		for (; slot < TINYFS_DIRENTS_PER_BLOCK; slot++) {
			de = (struct tinyfs_dirent *)((char *)bp->b_data + slot * TINYFS_DIRENT_SIZE);
			if (de->d_ino == 0)
				continue;
			reclen = _DIRENT_RECLEN(de->d_namlen);
			if (reclen > uio->uio_resid) {
				full = 1;
				break;
			}
			memset(&d, 0, reclen);
			d.d_fileno = de->d_ino;
			d.d_reclen = (uint16_t)reclen;
			d.d_namlen = de->d_namlen;
			d.d_type = de->d_type;
			memcpy(d.d_name, de->d_name, de->d_namlen);
			error = uiomove(&d, reclen, uio);
			if (error)
				break;
			copied++;
		}
		brelse(bp, 0);
		if (error)
			return error;
		/* Resume after the last entry handed out (or at the one that did not fit). */
		uio->uio_offset = TINYFS_DIROFF(lbn, slot);
		if (full)
			break;
	}
	if (!full)
		uio->uio_offset = (off_t)tp->tn_din.di_size > off ? (off_t)tp->tn_din.di_size : off;
	if (full && copied == 0)
		return EINVAL;
	if (ap->a_eofflag != NULL)
		*(int *)ap->a_eofflag = !full;
	return 0;
}

static int
tinyfs_readlink(void *v)
{
	struct vop_readlink_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);

	if (vp->v_type != VLNK)
		return EINVAL;
	if (tinyfs_is_fastlink(tp))
		return uiomove(tp->tn_din.di_u.symlink, (size_t)tp->tn_din.di_size, ap->a_uio);
	return tinyfs_bufrd(vp, ap->a_uio);
}

/* ---- Vnode life cycle ---- */

/* VOP_INACTIVE (version 2): last reference gone; an unlinked file loses its blocks here. */
static int
tinyfs_inactive(void *v)
{
	struct vop_inactive_v2_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	int error = 0;

	if (tp->tn_din.di_mode == 0)
		goto out;
	if (tp->tn_din.di_nlink == 0 && !tp->tn_tmp->tm_ronly) {
		if (vp->v_type == VREG || vp->v_type == VDIR || vp->v_type == VLNK)
			error = tinyfs_truncate(vp, 0, 0, NOCRED);
		/* The inode itself is released in tinyfs_reclaim, as ffs does. */
		tp->tn_omode = tp->tn_din.di_mode;
	}
	if (tp->tn_flag & (TN_ACCESS | TN_CHANGE | TN_UPDATE | TN_MODIFIED))
		(void)tinyfs_update(vp, 0);
out:
	*(bool *)ap->a_recycle = tp->tn_din.di_nlink == 0;
	return error;
}

/* VOP_RECLAIM (version 2): vp locked on entry, unlocked by us; frees the node. */
static int
tinyfs_reclaim(void *v)
{
	struct vop_reclaim_v2_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct tinyfs_node *tp = VTOT(vp);
	struct tinyfs_mount *tmp = tp->tn_tmp;
	int error;

	VOP_UNLOCK(vp);
	if (tp->tn_din.di_nlink == 0 && tp->tn_omode != 0 && !tmp->tm_ronly) {
		error = tinyfs_ifree(tmp, tp->tn_ino);
		tp->tn_flag = 0;
	} else {
		error = tinyfs_update(vp, 0);
	}
	if (error)
		printf("tinyfs: inode %lu not written at reclaim: error %d\n",
		    (unsigned long)tp->tn_ino, error);
	if (tp->tn_devvp != NULL)
		vrele(tp->tn_devvp);
	genfs_node_destroy(vp);
	mutex_enter((kmutex_t *)vp->v_interlock);
	vp->v_data = NULL;
	mutex_exit((kmutex_t *)vp->v_interlock);
	kmem_free(tp, sizeof(*tp));
	return 0;
}

/* ---- Block mapping and I/O ---- */

/*
 * VOP_BMAP: logical block a_bn of the file to a disk address in DEV_BSIZE
 * units on the device vnode, -1 for a hole, and how many following blocks are
 * contiguous on disk (genfs uses that to size its transfers).
 */
static int
tinyfs_bmap(void *v)
{
	struct vop_bmap_args *ap = v;
	struct tinyfs_node *tp = VTOT(ap->a_vp);
	daddr_t *bnp = ap->a_bnp;
	int *runp = ap->a_runp;
	uint32_t bno, next;
	int error, n;

	if (ap->a_vpp != NULL)
		*ap->a_vpp = tp->tn_devvp;
	if (bnp == NULL)
		return 0;
	if (runp != NULL)
		*runp = 0;
	error = tinyfs_bmap_lookup(tp, ap->a_bn, &bno);
	if (error)
		return error;
	*bnp = bno == 0 ? (daddr_t)-1 : TINYFS_FSBTODB(bno);
	if (runp == NULL || bno == 0 || ap->a_bn < 0)
		return 0;
	for (n = 1; n < 16 && ap->a_bn + n < TINYFS_MAXBLOCKS; n++) {
		if (tinyfs_bmap_lookup(tp, ap->a_bn + n, &next) != 0 || next != bno + (uint32_t)n)
			break;
		*runp = n;
	}
	return 0;
}

/* VOP_STRATEGY of a file's buffer: map its logical block, then hand it to the device (as ufs_strategy). */
static int
tinyfs_strategy(void *v)
{
	struct vop_strategy_args *ap = v;
	struct vnode *vp = ap->a_vp;
	struct buf *bp = ap->a_bp;
	struct tinyfs_node *tp = VTOT(vp);
	daddr_t blkno;
	int error;

	if (vp->v_type == VBLK || vp->v_type == VCHR)
		panic("tinyfs_strategy: special file");
	if (bp->b_blkno == bp->b_lblkno) {
		error = VOP_BMAP(vp, bp->b_lblkno, NULL, &blkno, NULL);
		if (error) {
			bp->b_error = error;
			biodone(bp);
			return error;
		}
		bp->b_blkno = blkno;
		if (blkno == -1) {
			/* A hole reads as zeros. */
			memset(bp->b_data, 0, (size_t)bp->b_bcount);
			bp->b_resid = 0;
		}
	}
	if (bp->b_blkno < 0) {
		biodone(bp);
		return 0;
	}
	return VOP_STRATEGY(tp->tn_devvp, bp);
}

static int
tinyfs_print(void *v)
{
	struct vop_print_args *ap = v;
	struct tinyfs_node *tp = VTOT(ap->a_vp);

	printf("tag VT_VFS (tinyfs), ino %lu, mode 0%o, nlink %u, size %lu, blocks %u\n",
	    (unsigned long)tp->tn_ino, tp->tn_din.di_mode, tp->tn_din.di_nlink,
	    (unsigned long)tp->tn_din.di_size, tp->tn_din.di_blocks);
	return 0;
}

static int
tinyfs_pathconf(void *v)
{
	struct vop_pathconf_args *ap = v;
	register_t *retval = ap->a_retval;

	switch (ap->a_name) {
	case _PC_LINK_MAX:
		*retval = TINYFS_LINK_MAX;
		return 0;
	case _PC_NAME_MAX:
		*retval = TINYFS_NAME_MAX;
		return 0;
	case _PC_PATH_MAX:
		*retval = MAXPATHLEN;
		return 0;
	case _PC_PIPE_BUF:
		*retval = 512;
		return 0;
	case _PC_CHOWN_RESTRICTED:
	case _PC_NO_TRUNC:
	case _PC_SYNC_IO:
		*retval = 1;
		return 0;
	case _PC_FILESIZEBITS:
		*retval = 23; /* (12 + 1024) blocks of 4 KiB fit in 23 bits */
		return 0;
	default:
		return EINVAL;
	}
}

static int
tinyfs_advlock(void *v)
{
	struct vop_advlock_args *ap = v;
	struct tinyfs_node *tp = VTOT(ap->a_vp);

	return lf_advlock(ap, &tp->tn_lockf, (off_t)tp->tn_din.di_size);
}

/* ---- Special files and fifos: timestamps here, I/O in specfs/fifofs ---- */

static int
tinyfs_spec_read(void *v)
{
	struct vop_read_args *ap = v;

	VTOT(ap->a_vp)->tn_flag |= TN_ACCESS;
	return VOCALL(spec_vnodeop_p, VOP_READ_DESCOFFSET, v);
}

static int
tinyfs_spec_write(void *v)
{
	struct vop_write_args *ap = v;

	VTOT(ap->a_vp)->tn_flag |= TN_CHANGE | TN_UPDATE;
	return VOCALL(spec_vnodeop_p, VOP_WRITE_DESCOFFSET, v);
}

static int
tinyfs_spec_close(void *v)
{
	struct vop_close_args *ap = v;

	if (vrefcnt(ap->a_vp) > 1)
		tinyfs_itimes(VTOT(ap->a_vp));
	return VOCALL(spec_vnodeop_p, VOP_CLOSE_DESCOFFSET, v);
}

static int
tinyfs_spec_fsync(void *v)
{
	struct vop_fsync_args *ap = v;
	int error;

	error = spec_fsync(v);
	if (error)
		return error;
	return tinyfs_update(ap->a_vp, (ap->a_flags & FSYNC_WAIT) != 0);
}

static int
tinyfs_fifo_read(void *v)
{
	struct vop_read_args *ap = v;

	VTOT(ap->a_vp)->tn_flag |= TN_ACCESS;
	return VOCALL(fifo_vnodeop_p, VOP_READ_DESCOFFSET, v);
}

static int
tinyfs_fifo_write(void *v)
{
	struct vop_write_args *ap = v;

	VTOT(ap->a_vp)->tn_flag |= TN_CHANGE | TN_UPDATE;
	return VOCALL(fifo_vnodeop_p, VOP_WRITE_DESCOFFSET, v);
}

static int
tinyfs_fifo_close(void *v)
{
	struct vop_close_args *ap = v;

	if (vrefcnt(ap->a_vp) > 1)
		tinyfs_itimes(VTOT(ap->a_vp));
	return VOCALL(fifo_vnodeop_p, VOP_CLOSE_DESCOFFSET, v);
}
