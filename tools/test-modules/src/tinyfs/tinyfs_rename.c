/*
 * tinyfs VOP_RENAME. On entry (vnode_if.src): fdvp and fvp referenced and
 * unlocked, tdvp locked, tvp (when the target name exists) locked; every one of
 * them is released here. The kernel holds the file system's rename lock
 * (genfs_renamelock_enter) around cross-directory renames, so the directory
 * tree cannot change shape while we check that a directory is not moved below
 * itself.
 */
#include "tinyfs.h"

/* Reads the ".." entry of directory vp (locked). */
static int
tinyfs_dotdot(struct vnode *vp, ino_t *parentp, off_t *offp)
{
	return tinyfs_dirlookup(vp, "..", 2, parentp, offp);
}

/*
 * Whether directory ino "moving" is tdvp or one of its ancestors: walks ".."
 * from tdvp (locked by the caller) up to the root.
 */
static int
tinyfs_is_ancestor(struct vnode *tdvp, ino_t moving, int *yesp)
{
	struct vnode *vp = tdvp, *next;
	ino_t ino = VTOT(tdvp)->tn_ino, parent;
	int error = 0;

	*yesp = 0;
	for (;;) {
		if (ino == moving) {
			*yesp = 1;
			break;
		}
		if (ino == TINYFS_ROOTINO)
			break;
		error = tinyfs_dotdot(vp, &parent, NULL);
		if (vp != tdvp)
			vput(vp);
		if (error)
			return error;
		if (parent == moving) {
			*yesp = 1;
			return 0;
		}
		if (parent == VTOT(tdvp)->tn_ino)
			return EINVAL;	/* a loop in the tree */
		error = vcache_get(tdvp->v_mount, &parent, sizeof(parent), &next);
		if (error)
			return error;
		error = vn_lock(next, LK_EXCLUSIVE);
		if (error) {
			vrele(next);
			return error;
		}
		vp = next;
		ino = parent;
	}
	if (vp != tdvp)
		vput(vp);
	return error;
}

int
tinyfs_rename(void *v)
{
	struct vop_rename_args *ap = v;
	struct vnode *fdvp = ap->a_fdvp, *fvp = ap->a_fvp, *tdvp = ap->a_tdvp, *tvp = ap->a_tvp;
	struct componentname *fcnp = ap->a_fcnp, *tcnp = ap->a_tcnp;
	struct tinyfs_node *fdp, *fp, *tdp, *tp = NULL;
	int fdvp_locked = 0, fvp_locked = 0, isdir, error, yes, empty;
	ino_t ino;
	off_t foff, toff, dotdot_off;

	if (fvp->v_mount != tdvp->v_mount || (tvp != NULL && fvp->v_mount != tvp->v_mount)) {
		error = EXDEV;
		goto out;
	}
	if (fvp == tvp) {
		/* Two names of one file: POSIX says do nothing. */
		error = 0;
		goto out;
	}
	if (tvp != NULL && tvp == fdvp) {
		/* The target is the source's own directory, which is not empty. */
		error = fvp->v_type == VDIR ? ENOTEMPTY : EISDIR;
		goto out;
	}
	fdp = VTOT(fdvp);
	fp = VTOT(fvp);
	tdp = VTOT(tdvp);
	isdir = fvp->v_type == VDIR;

	/* A directory cannot move into itself or below itself. */
	if (isdir && fdvp != tdvp) {
		error = tinyfs_is_ancestor(tdvp, fp->tn_ino, &yes);
		if (error == 0 && yes)
			error = EINVAL;
		if (error)
			goto out;
	}
	if (fvp == tdvp) {
		error = EINVAL;
		goto out;
	}

	if (fdvp != tdvp) {
		error = vn_lock(fdvp, LK_EXCLUSIVE);
		if (error)
			goto out;
		fdvp_locked = 1;
	}
	/* fvp is neither tdvp nor tvp here, and namei never hands out "." as the source. */
	error = vn_lock(fvp, LK_EXCLUSIVE);
	if (error)
		goto out;
	fvp_locked = 1;

	/* The source name must still name fvp. */
	error = tinyfs_dirlookup(fdvp, fcnp->cn_nameptr, fcnp->cn_namelen, &ino, &foff);
	if (error == 0 && ino != fp->tn_ino)
		error = ENOENT;
	if (error)
		goto out;

	if (tvp != NULL) {
		tp = VTOT(tvp);
		if (isdir && tvp->v_type != VDIR) {
			error = ENOTDIR;
			goto out;
		}
		if (!isdir && tvp->v_type == VDIR) {
			error = EISDIR;
			goto out;
		}
		if (tvp->v_type == VDIR) {
			error = tinyfs_dirempty(tvp, tdp->tn_ino, &empty);
			if (error == 0 && !empty)
				error = ENOTEMPTY;
			if (error)
				goto out;
		}
		error = tinyfs_dirlookup(tdvp, tcnp->cn_nameptr, tcnp->cn_namelen, &ino, &toff);
		if (error == 0 && ino != tp->tn_ino)
			error = ENOENT;
		if (error)
			goto out;
	} else if (isdir && fdvp != tdvp && tdp->tn_din.di_nlink >= TINYFS_LINK_MAX) {
		error = EMLINK;
		goto out;
	}

	/* The file gets its new name first, then loses the old one. */
	if (tvp != NULL) {
		error = tinyfs_dirrewrite(tdvp, toff, fp->tn_ino, (int)IFTODT(fp->tn_din.di_mode));
		if (error)
			goto out;
		if (tvp->v_type == VDIR) {
			/* The replaced directory loses its name and ".", tdvp its "..". */
			tp->tn_din.di_nlink = 0;
			tdp->tn_din.di_nlink--;
			tdp->tn_flag |= TN_CHANGE | TN_MODIFIED;
			(void)tinyfs_truncate(tvp, 0, IO_SYNC, tcnp->cn_cred);
		} else {
			tp->tn_din.di_nlink--;
		}
		tp->tn_flag |= TN_CHANGE | TN_MODIFIED;
		cache_purge(tvp);
	} else {
		error = tinyfs_direnter(tdvp, tcnp->cn_nameptr, tcnp->cn_namelen, fp->tn_ino,
		    (int)IFTODT(fp->tn_din.di_mode));
		if (error)
			goto out;
	}
	if (isdir && fdvp != tdvp) {
		/* fvp's ".." now names tdvp: the link moves from fdvp to tdvp. */
		tdp->tn_din.di_nlink++;
		tdp->tn_flag |= TN_CHANGE | TN_MODIFIED;
		error = tinyfs_dotdot(fvp, &ino, &dotdot_off);
		if (error == 0)
			error = tinyfs_dirrewrite(fvp, dotdot_off, tdp->tn_ino, DT_DIR);
		if (error)
			goto out;
		fdp->tn_din.di_nlink--;
		fdp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	}
	/* The new name may sit in the same block as the old one: look it up again. */
	error = tinyfs_dirlookup(fdvp, fcnp->cn_nameptr, fcnp->cn_namelen, &ino, &foff);
	if (error == 0 && ino == fp->tn_ino)
		error = tinyfs_dirremove(fdvp, foff);
	fp->tn_flag |= TN_CHANGE | TN_MODIFIED;
	cache_purge1(fdvp, fcnp->cn_nameptr, fcnp->cn_namelen, 0);
	cache_purge1(tdvp, tcnp->cn_nameptr, tcnp->cn_namelen, 0);
	if (isdir)
		cache_purge(fvp);
	(void)tinyfs_update(fvp, 0);
	(void)tinyfs_update(tdvp, 0);
	if (fdvp != tdvp)
		(void)tinyfs_update(fdvp, 0);
out:
	if (fvp_locked)
		VOP_UNLOCK(fvp);
	if (fdvp_locked)
		VOP_UNLOCK(fdvp);
	vrele(fdvp);
	vrele(fvp);
	if (tvp != NULL)
		vput(tvp);
	vput(tdvp);
	return error;
}
