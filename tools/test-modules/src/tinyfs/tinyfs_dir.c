/*
 * tinyfs directories: arrays of fixed-size entries in whole blocks, read and
 * written through the directory vnode's own buffers (bread/getblk on the
 * directory's logical blocks; tinyfs_strategy maps them to the disk), as ufs
 * does with its directory blocks.
 */
#include "tinyfs.h"

static struct tinyfs_dirent *
tinyfs_dirent_at(struct buf *bp, int slot)
{
	return (struct tinyfs_dirent *)((char *)bp->b_data + slot * TINYFS_DIRENT_SIZE);
}

static int
tinyfs_dir_write(struct vnode *dvp, struct buf *bp)
{
	if (dvp->v_mount->mnt_flag & MNT_SYNCHRONOUS)
		return bwrite(bp);
	bdwrite(bp);
	return 0;
}

static daddr_t
tinyfs_dir_nblocks(const struct tinyfs_node *dp)
{
	return (daddr_t)(dp->tn_din.di_size / TINYFS_BSIZE);
}

/* Finds name in directory dvp: its inode number and the entry's directory offset. */
int
tinyfs_dirlookup(struct vnode *dvp, const char *name, size_t namelen, ino_t *inop, off_t *offp)
{
	struct tinyfs_node *dp = VTOT(dvp);
	struct tinyfs_dirent *de;
	struct buf *bp;
	daddr_t lbn, nblocks = tinyfs_dir_nblocks(dp);
	int slot, error;

	if (namelen > TINYFS_NAME_MAX)
		return ENAMETOOLONG;
	for (lbn = 0; lbn < nblocks; lbn++) {
		error = bread(dvp, lbn, TINYFS_BSIZE, 0, &bp);
		if (error)
			return error;
		for (slot = 0; slot < TINYFS_DIRENTS_PER_BLOCK; slot++) {
			de = tinyfs_dirent_at(bp, slot);
			if (de->d_ino == 0 || de->d_namlen != namelen ||
			    memcmp(de->d_name, name, namelen) != 0)
				continue;
			*inop = de->d_ino;
			if (offp != NULL)
				*offp = TINYFS_DIROFF(lbn, slot);
			brelse(bp, 0);
			return 0;
		}
		brelse(bp, 0);
	}
	return ENOENT;
}

/* Adds the entry name -> ino (of DT_ type dtype) to directory dvp, growing it by a block if full. */
int
tinyfs_direnter(struct vnode *dvp, const char *name, size_t namelen, ino_t ino, int dtype)
{
	struct tinyfs_node *dp = VTOT(dvp);
	struct tinyfs_dirent *de = NULL;
	struct buf *bp = NULL;
	daddr_t lbn, nblocks = tinyfs_dir_nblocks(dp);
	uint32_t bno;
	int slot = 0, error;

	if (namelen == 0)
		return ENOENT;
	if (namelen > TINYFS_NAME_MAX)
		return ENAMETOOLONG;
	for (lbn = 0; lbn < nblocks && de == NULL; lbn++) {
		error = bread(dvp, lbn, TINYFS_BSIZE, B_MODIFY, &bp);
		if (error)
			return error;
		for (slot = 0; slot < TINYFS_DIRENTS_PER_BLOCK; slot++) {
			if (tinyfs_dirent_at(bp, slot)->d_ino == 0) {
				de = tinyfs_dirent_at(bp, slot);
				break;
			}
		}
		if (de == NULL)
			brelse(bp, 0);
	}
	if (de == NULL) {
		/* Every slot is taken: append a zeroed block. */
		lbn = nblocks;
		error = tinyfs_bmap_alloc(dp, lbn, &bno);
		if (error)
			return error;
		bp = getblk(dvp, lbn, TINYFS_BSIZE, 0, 0);
		memset(bp->b_data, 0, TINYFS_BSIZE);
		bp->b_resid = 0;
		bp->b_blkno = TINYFS_FSBTODB(bno);
		dp->tn_din.di_size += TINYFS_BSIZE;
		uvm_vnp_setsize(dvp, (off_t)dp->tn_din.di_size);
		de = tinyfs_dirent_at(bp, 0);
	}
	memset(de, 0, sizeof(*de));
	de->d_ino = (uint32_t)ino;
	de->d_type = (uint8_t)dtype;
	de->d_namlen = (uint8_t)namelen;
	memcpy(de->d_name, name, namelen);
	dp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	return tinyfs_dir_write(dvp, bp);
}

/* Clears the entry at directory offset off. */
int
tinyfs_dirremove(struct vnode *dvp, off_t off)
{
	struct tinyfs_node *dp = VTOT(dvp);
	struct buf *bp;
	int error;

	error = bread(dvp, off / TINYFS_BSIZE, TINYFS_BSIZE, B_MODIFY, &bp);
	if (error)
		return error;
	memset(tinyfs_dirent_at(bp, (int)((off % TINYFS_BSIZE) / TINYFS_DIRENT_SIZE)), 0,
	    TINYFS_DIRENT_SIZE);
	dp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	return tinyfs_dir_write(dvp, bp);
}

/* Points the entry at directory offset off to another inode (rename over an existing name, ".."). */
int
tinyfs_dirrewrite(struct vnode *dvp, off_t off, ino_t ino, int dtype)
{
	struct tinyfs_node *dp = VTOT(dvp);
	struct tinyfs_dirent *de;
	struct buf *bp;
	int error;

	error = bread(dvp, off / TINYFS_BSIZE, TINYFS_BSIZE, B_MODIFY, &bp);
	if (error)
		return error;
	de = tinyfs_dirent_at(bp, (int)((off % TINYFS_BSIZE) / TINYFS_DIRENT_SIZE));
	de->d_ino = (uint32_t)ino;
	de->d_type = (uint8_t)dtype;
	dp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	return tinyfs_dir_write(dvp, bp);
}

/* Whether directory vp holds nothing but "." and "..". */
int
tinyfs_dirempty(struct vnode *vp, ino_t parent, int *emptyp)
{
	struct tinyfs_node *dp = VTOT(vp);
	struct tinyfs_dirent *de;
	struct buf *bp;
	daddr_t lbn, nblocks = tinyfs_dir_nblocks(dp);
	int slot, error;
	(void)parent;

	*emptyp = 1;
	for (lbn = 0; lbn < nblocks; lbn++) {
		error = bread(vp, lbn, TINYFS_BSIZE, 0, &bp);
		if (error)
			return error;
		for (slot = 0; slot < TINYFS_DIRENTS_PER_BLOCK; slot++) {
			de = tinyfs_dirent_at(bp, slot);
			if (de->d_ino == 0)
				continue;
			if (de->d_namlen == 1 && de->d_name[0] == '.')
				continue;
			if (de->d_namlen == 2 && de->d_name[0] == '.' && de->d_name[1] == '.')
				continue;
			*emptyp = 0;
			break;
		}
		brelse(bp, 0);
		if (!*emptyp)
			break;
	}
	return 0;
}

/* Gives a new directory vp its first block with "." and "..". */
int
tinyfs_dirinit(struct vnode *vp, ino_t parent)
{
	struct tinyfs_node *tp = VTOT(vp);
	struct tinyfs_dirent *de;
	struct buf *bp;
	uint32_t bno;
	int error;

	error = tinyfs_bmap_alloc(tp, 0, &bno);
	if (error)
		return error;
	bp = getblk(vp, 0, TINYFS_BSIZE, 0, 0);
	memset(bp->b_data, 0, TINYFS_BSIZE);
	bp->b_resid = 0;
	bp->b_blkno = TINYFS_FSBTODB(bno);
	de = tinyfs_dirent_at(bp, 0);
	de->d_ino = (uint32_t)tp->tn_ino;
	de->d_type = DT_DIR;
	de->d_namlen = 1;
	de->d_name[0] = '.';
	de = tinyfs_dirent_at(bp, 1);
	de->d_ino = (uint32_t)parent;
	de->d_type = DT_DIR;
	de->d_namlen = 2;
	de->d_name[0] = '.';
	de->d_name[1] = '.';
	tp->tn_din.di_size = TINYFS_BSIZE;
	uvm_vnp_setsize(vp, TINYFS_BSIZE);
	tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	return tinyfs_dir_write(vp, bp);
}

/* Reads a vnode's bytes through its buffers (directories, long symlinks). */
int
tinyfs_bufrd(struct vnode *vp, struct uio *uio)
{
	struct tinyfs_node *tp = VTOT(vp);
	struct buf *bp;
	off_t size = (off_t)tp->tn_din.di_size;
	size_t n, boff;
	int error = 0;

	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0 && uio->uio_offset < size) {
		boff = (size_t)(uio->uio_offset & (TINYFS_BSIZE - 1));
		n = TINYFS_BSIZE - boff;
		if ((off_t)n > size - uio->uio_offset)
			n = (size_t)(size - uio->uio_offset);
		if (n > uio->uio_resid)
			n = uio->uio_resid;
		error = bread(vp, uio->uio_offset >> TINYFS_BSHIFT, TINYFS_BSIZE, 0, &bp);
		if (error)
			break;
		error = uiomove((char *)bp->b_data + boff, n, uio);
		brelse(bp, 0);
		if (error)
			break;
	}
	return error;
}
