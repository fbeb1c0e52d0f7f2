/*
 * tinyfs inodes and blocks: reading and writing dinodes in the inode table,
 * inode and block allocation in the bitmap, logical-to-physical block mapping
 * (direct pointers and one indirect block), truncation, and the genfs_ops the
 * page cache calls back (size, alloc, markupdate).
 *
 * Metadata goes through the buffer cache: the inode table and the bitmap as
 * blocks of the device vnode, the indirect block as logical block -1 of the
 * file's own vnode (as ffs keeps indirect blocks at negative logical blocks).
 */
#include "tinyfs.h"

const struct genfs_ops tinyfs_genfsops = {
	.gop_size = tinyfs_gop_size,
	.gop_alloc = tinyfs_gop_alloc,
	.gop_write = genfs_gop_write,
	.gop_markupdate = tinyfs_gop_markupdate,
	.gop_putrange = genfs_gop_putrange,
};

static daddr_t
tinyfs_ino_dblk(const struct tinyfs_mount *tmp, ino_t ino)
{
	return TINYFS_FSBTODB(tmp->tm_sb.s_itable_start + ino / TINYFS_INOPB);
}

static struct tinyfs_dinode *
tinyfs_ino_in_buf(struct buf *bp, ino_t ino)
{
	return (struct tinyfs_dinode *)((char *)bp->b_data +
	    (ino % TINYFS_INOPB) * TINYFS_INODE_SIZE);
}

/* Metadata writes: synchronous on MNT_SYNCHRONOUS mounts, delayed otherwise. */
static int
tinyfs_meta_write(struct tinyfs_mount *tmp, struct buf *bp)
{
	if (tmp->tm_mountp->mnt_flag & MNT_SYNCHRONOUS)
		return bwrite(bp);
	bdwrite(bp);
	return 0;
}

/* Attaches a new node holding inode ino's dinode to vp (as ffs_init_vnode). */
int
tinyfs_node_init(struct tinyfs_mount *tmp, struct vnode *vp, ino_t ino)
{
	struct tinyfs_node *tp;
	struct buf *bp;
	int error;

	error = bread(tmp->tm_devvp, tinyfs_ino_dblk(tmp, ino), TINYFS_BSIZE, 0, &bp);
	if (error)
		return error;
	tp = kmem_zalloc(sizeof(*tp), KM_SLEEP);
	memcpy(&tp->tn_din, tinyfs_ino_in_buf(bp, ino), sizeof(tp->tn_din));
	brelse(bp, 0);
	tp->tn_vnode = vp;
	tp->tn_tmp = tmp;
	tp->tn_devvp = tmp->tm_devvp;
	tp->tn_ino = ino;

	vp->v_tag = VT_VFS;
	vp->v_op = tinyfs_vnodeop_p;
	vp->v_data = tp;
	genfs_node_init(vp, &tinyfs_genfsops);
	return 0;
}

/* Sets the vnode type and operations from the inode (as ufs_vinit). */
void
tinyfs_node_vinit(struct vnode *vp)
{
	struct tinyfs_node *tp = VTOT(vp);

	vp->v_type = IFTOVT(tp->tn_din.di_mode);
	switch (vp->v_type) {
	case VCHR:
	case VBLK:
		vp->v_op = tinyfs_specop_p;
		spec_node_init(vp, (dev_t)tp->tn_din.di_rdev);
		break;
	case VFIFO:
		vp->v_op = tinyfs_fifoop_p;
		break;
	default:
		break;
	}
	if (tp->tn_ino == TINYFS_ROOTINO)
		vp->v_vflag |= VV_ROOT;
	/* The device vnode stays referenced while any node uses it. */
	vref(tp->tn_devvp);
}

/* Applies pending timestamp updates to the in-memory dinode. */
void
tinyfs_itimes(struct tinyfs_node *tp)
{
	struct timespec ts;

	if ((tp->tn_flag & (TN_ACCESS | TN_CHANGE | TN_UPDATE)) == 0)
		return;
	if (tp->tn_tmp->tm_ronly) {
		tp->tn_flag &= ~(TN_ACCESS | TN_CHANGE | TN_UPDATE);
		return;
	}
	vfs_timestamp(&ts);
	if (tp->tn_flag & TN_ACCESS) {
		tp->tn_din.di_atime = ts.tv_sec;
		tp->tn_din.di_atimensec = (uint32_t)ts.tv_nsec;
	}
	if (tp->tn_flag & TN_UPDATE) {
		tp->tn_din.di_mtime = ts.tv_sec;
		tp->tn_din.di_mtimensec = (uint32_t)ts.tv_nsec;
	}
	if (tp->tn_flag & TN_CHANGE) {
		tp->tn_din.di_ctime = ts.tv_sec;
		tp->tn_din.di_ctimensec = (uint32_t)ts.tv_nsec;
	}
	tp->tn_flag &= ~(TN_ACCESS | TN_CHANGE | TN_UPDATE);
	tp->tn_flag |= TN_MODIFIED;
}

/* Writes the node's dinode into the inode table (synchronously when waitfor). */
int
tinyfs_update(struct vnode *vp, int waitfor)
{
	struct tinyfs_node *tp = VTOT(vp);
	struct tinyfs_mount *tmp = tp->tn_tmp;
	struct buf *bp;
	int error;

	tinyfs_itimes(tp);
	if ((tp->tn_flag & TN_MODIFIED) == 0 || tmp->tm_ronly)
		return 0;
	error = bread(tmp->tm_devvp, tinyfs_ino_dblk(tmp, tp->tn_ino), TINYFS_BSIZE,
	    B_MODIFY, &bp);
	if (error)
		return error;
	memcpy(tinyfs_ino_in_buf(bp, tp->tn_ino), &tp->tn_din, sizeof(tp->tn_din));
	tp->tn_flag &= ~TN_MODIFIED;
	if (waitfor)
		return bwrite(bp);
	return tinyfs_meta_write(tmp, bp);
}

static void
tinyfs_sb_adjust(struct tinyfs_mount *tmp, int dblocks, int dinodes)
{
	mutex_enter(&tmp->tm_lock);
	tmp->tm_sb.s_free_blocks += dblocks;
	tmp->tm_sb.s_free_inodes += dinodes;
	tmp->tm_sbdirty = 1;
	mutex_exit(&tmp->tm_lock);
}

/*
 * Allocates a free inode: a slot whose mode is 0 in the inode table. The slot
 * is claimed on disk at once (mode S_IFREG, nothing else) so that a second
 * allocation cannot hand it out before the new node is first written; the
 * caller's newvnode sets the real mode.
 */
int
tinyfs_ialloc(struct tinyfs_mount *tmp, ino_t *inop)
{
	const uint32_t ninodes = tmp->tm_sb.s_ninodes;
	struct tinyfs_dinode *dp;
	struct buf *bp = NULL;
	uint32_t n, ino, blk, cur = (uint32_t)-1;
	int error;

	if (tmp->tm_sb.s_free_inodes == 0)
		return ENOSPC;
	if (tmp->tm_ihint == 0 || tmp->tm_ihint >= ninodes)
		tmp->tm_ihint = 1;
	for (n = 0; n < ninodes - 1; n++) {
		ino = tmp->tm_ihint + n;
		if (ino >= ninodes)
			ino -= ninodes - 1;
		blk = ino / TINYFS_INOPB;
		if (blk != cur) {
			if (bp != NULL)
				brelse(bp, 0);
			error = bread(tmp->tm_devvp, TINYFS_FSBTODB(tmp->tm_sb.s_itable_start + blk),
			    TINYFS_BSIZE, B_MODIFY, &bp);
			if (error)
				return error;
			cur = blk;
		}
		dp = tinyfs_ino_in_buf(bp, ino);
		if (dp->di_mode != 0)
			continue;
		dp->di_mode = S_IFREG;
		dp->di_nlink = 0;
		dp->di_size = 0;
		dp->di_blocks = 0;
		memset(&dp->di_u, 0, sizeof(dp->di_u));
		error = tinyfs_meta_write(tmp, bp);
		if (error)
			return error;
		tinyfs_sb_adjust(tmp, 0, -1);
		tmp->tm_ihint = ino + 1;
		*inop = ino;
		return 0;
	}
	if (bp != NULL)
		brelse(bp, 0);
	printf("tinyfs: out of inodes although the superblock counts %u free\n",
	    tmp->tm_sb.s_free_inodes);
	return ENOSPC;
}

/* Releases inode ino in the inode table: mode 0, no blocks. */
int
tinyfs_ifree(struct tinyfs_mount *tmp, ino_t ino)
{
	struct tinyfs_dinode *dp;
	struct buf *bp;
	int error;

	error = bread(tmp->tm_devvp, tinyfs_ino_dblk(tmp, ino), TINYFS_BSIZE, B_MODIFY, &bp);
	if (error)
		return error;
	dp = tinyfs_ino_in_buf(bp, ino);
	dp->di_mode = 0;
	dp->di_nlink = 0;
	dp->di_size = 0;
	dp->di_blocks = 0;
	memset(&dp->di_u, 0, sizeof(dp->di_u));
	error = tinyfs_meta_write(tmp, bp);
	tinyfs_sb_adjust(tmp, 0, 1);
	return error;
}

/*
 * Allocates a data block: the first clear bit of the bitmap at or after the
 * hint (the block after the last one handed out), wrapping around the data area.
 */
int
tinyfs_balloc(struct tinyfs_mount *tmp, uint32_t *bnop)
{
	const uint32_t bits_per_block = TINYFS_BSIZE * 8;
	const uint32_t first = tmp->tm_sb.s_data_start, end = tmp->tm_sb.s_nblocks;
	const uint32_t ndata = end - first;
	struct buf *bp = NULL;
	uint8_t *map = NULL;
	uint32_t n, bno, bit, mapblk, cur = (uint32_t)-1;
	int error;

	if (tmp->tm_sb.s_free_blocks == 0)
		return ENOSPC;
	if (tmp->tm_bhint < first || tmp->tm_bhint >= end)
		tmp->tm_bhint = first;
	for (n = 0; n < ndata; n++) {
		bno = tmp->tm_bhint + n;
		if (bno >= end)
			bno -= ndata;
		mapblk = bno / bits_per_block;
		bit = bno % bits_per_block;
		if (mapblk != cur) {
			if (bp != NULL)
				brelse(bp, 0);
			error = bread(tmp->tm_devvp,
			    TINYFS_FSBTODB(tmp->tm_sb.s_bitmap_start + mapblk), TINYFS_BSIZE,
			    B_MODIFY, &bp);
			if (error)
				return error;
			map = bp->b_data;
			cur = mapblk;
		}
		if ((bit & 7) == 0 && map[bit >> 3] == 0xff && bno + 8 <= end) {
			n += 7;	/* a full byte: eight blocks in use */
			continue;
		}
		if (map[bit >> 3] & (1u << (bit & 7)))
			continue;
		map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		error = tinyfs_meta_write(tmp, bp);
		if (error)
			return error;
		tinyfs_sb_adjust(tmp, -1, 0);
		tmp->tm_bhint = bno + 1;
		*bnop = bno;
		return 0;
	}
	if (bp != NULL)
		brelse(bp, 0);
	printf("tinyfs: out of blocks although the superblock counts %u free\n",
	    tmp->tm_sb.s_free_blocks);
	return ENOSPC;
}

int
tinyfs_bfree(struct tinyfs_mount *tmp, uint32_t bno)
{
	const uint32_t bits_per_block = TINYFS_BSIZE * 8;
	struct buf *bp;
	uint8_t *map;
	uint32_t bit = bno % bits_per_block;
	int error;

	if (bno < tmp->tm_sb.s_data_start || bno >= tmp->tm_sb.s_nblocks)
		panic("tinyfs_bfree: block %u outside the data area", bno);
	error = bread(tmp->tm_devvp,
	    TINYFS_FSBTODB(tmp->tm_sb.s_bitmap_start + bno / bits_per_block),
	    TINYFS_BSIZE, B_MODIFY, &bp);
	if (error)
		return error;
	map = bp->b_data;
	if ((map[bit >> 3] & (1u << (bit & 7))) == 0)
		panic("tinyfs_bfree: freeing free block %u", bno);
	map[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
	error = tinyfs_meta_write(tmp, bp);
	tinyfs_sb_adjust(tmp, 1, 0);
	return error;
}

int
tinyfs_is_fastlink(const struct tinyfs_node *tp)
{
	return (tp->tn_din.di_mode & S_IFMT) == S_IFLNK && tp->tn_din.di_blocks == 0 &&
	    tp->tn_din.di_size <= TINYFS_FASTLINK_MAX;
}

/* The physical block of logical block lbn, 0 for a hole; lbn -1 is the indirect block. */
int
tinyfs_bmap_lookup(struct tinyfs_node *tp, daddr_t lbn, uint32_t *bnop)
{
	struct buf *bp;
	int error;

	if (tinyfs_is_fastlink(tp))
		return EINVAL;
	if (lbn == TINYFS_INDIR_LBN) {
		*bnop = tp->tn_din.di_indirect;
		return 0;
	}
	if (lbn < 0 || lbn >= TINYFS_MAXBLOCKS)
		return EFBIG;
	if (lbn < TINYFS_NDIRECT) {
		*bnop = tp->tn_din.di_direct[lbn];
		return 0;
	}
	if (tp->tn_din.di_indirect == 0) {
		*bnop = 0;
		return 0;
	}
	error = bread(tp->tn_vnode, TINYFS_INDIR_LBN, TINYFS_BSIZE, 0, &bp);
	if (error)
		return error;
	*bnop = ((uint32_t *)bp->b_data)[lbn - TINYFS_NDIRECT];
	brelse(bp, 0);
	return 0;
}

/* Like tinyfs_bmap_lookup, but allocates the block (and the indirect block) when missing. */
int
tinyfs_bmap_alloc(struct tinyfs_node *tp, daddr_t lbn, uint32_t *bnop)
{
	struct tinyfs_mount *tmp = tp->tn_tmp;
	struct vnode *vp = tp->tn_vnode;
	struct buf *bp;
	uint32_t bno, ibno, *slot;
	int error;

	if (lbn < 0 || lbn >= TINYFS_MAXBLOCKS)
		return EFBIG;
	if (lbn < TINYFS_NDIRECT) {
		if (tp->tn_din.di_direct[lbn] == 0) {
			error = tinyfs_balloc(tmp, &bno);
			if (error)
				return error;
			tp->tn_din.di_direct[lbn] = bno;
			tp->tn_din.di_blocks++;
			tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
		}
		*bnop = tp->tn_din.di_direct[lbn];
		return 0;
	}

	if (tp->tn_din.di_indirect == 0) {
		error = tinyfs_balloc(tmp, &ibno);
		if (error)
			return error;
		bp = getblk(vp, TINYFS_INDIR_LBN, TINYFS_BSIZE, 0, 0);
		memset(bp->b_data, 0, TINYFS_BSIZE);
		bp->b_resid = 0;
		bp->b_blkno = TINYFS_FSBTODB(ibno);
		tp->tn_din.di_indirect = ibno;
		tp->tn_din.di_blocks++;
		tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	} else {
		error = bread(vp, TINYFS_INDIR_LBN, TINYFS_BSIZE, B_MODIFY, &bp);
		if (error)
			return error;
	}
	slot = &((uint32_t *)bp->b_data)[lbn - TINYFS_NDIRECT];
	if (*slot == 0) {
		error = tinyfs_balloc(tmp, &bno);
		if (error) {
			/* Keep a freshly allocated, still empty indirect block: it is valid. */
			bdwrite(bp);
			return error;
		}
		*slot = bno;
		tp->tn_din.di_blocks++;
		tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
	}
	*bnop = *slot;
	return tinyfs_meta_write(tmp, bp);
}

/*
 * Changes the size of a file, directory or symlink to length, freeing the
 * blocks past the new end (as ffs_truncate). Called with vp locked.
 */
int
tinyfs_truncate(struct vnode *vp, off_t length, int ioflag, kauth_cred_t cred)
{
	struct tinyfs_node *tp = VTOT(vp);
	struct tinyfs_mount *tmp = tp->tn_tmp;
	struct buf *bp = NULL;
	uint32_t *ind = NULL;
	daddr_t lbn, keep, last;
	off_t osize = (off_t)tp->tn_din.di_size;
	int error = 0, error2;
	(void)cred;

	if (length < 0)
		return EINVAL;
	if (length > TINYFS_MAXFILESIZE)
		return EFBIG;
	if (vp->v_type != VREG && vp->v_type != VDIR && vp->v_type != VLNK)
		return EINVAL;

	if (tinyfs_is_fastlink(tp)) {
		if (length > osize)
			return EINVAL;
		memset(tp->tn_din.di_u.symlink + length, 0, TINYFS_FASTLINK_MAX - length);
		tp->tn_din.di_size = (uint64_t)length;
		tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
		return tinyfs_update(vp, ioflag & IO_SYNC);
	}

	if (length > osize) {
		/* Growing only moves the end: the blocks in between read as holes. */
		tp->tn_din.di_size = (uint64_t)length;
		uvm_vnp_setsize(vp, length);
		tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;
		return tinyfs_update(vp, ioflag & IO_SYNC);
	}

	/*
	 * Zero the rest of the new last block in the page cache, so that a later
	 * extension does not bring old bytes back from the disk.
	 */
	if (vp->v_type == VREG && (length & (TINYFS_BSIZE - 1)) != 0 && length < osize) {
		off_t eoz = MIN((length | (TINYFS_BSIZE - 1)) + 1, osize);
		uint32_t bno;

		error = tinyfs_bmap_lookup(tp, length >> TINYFS_BSHIFT, &bno);
		if (error)
			return error;
		if (bno != 0)
			ubc_zerorange(&vp->v_uobj, length, (size_t)(eoz - length),
			    UBC_VNODE_FLAGS(vp));
	}

	genfs_node_wrlock(vp);
	tp->tn_din.di_size = (uint64_t)length;
	uvm_vnp_setsize(vp, length);
	tp->tn_flag |= TN_CHANGE | TN_UPDATE | TN_MODIFIED;

	/* Cached buffers of the freed blocks must never reach the disk. */
	keep = howmany(length, TINYFS_BSIZE);
	if (vp->v_type != VREG)
		(void)vtruncbuf(vp, keep, 0, 0);

	/*
	 * Scan every pointer, not only those below the old size: a write that ran
	 * out of space may have left an allocated indirect block past the end.
	 */
	last = tp->tn_din.di_indirect != 0 ? TINYFS_MAXBLOCKS : TINYFS_NDIRECT;
	if (tp->tn_din.di_indirect != 0) {
		error = bread(vp, TINYFS_INDIR_LBN, TINYFS_BSIZE, B_MODIFY, &bp);
		if (error) {
			bp = NULL;
			goto out;
		}
		ind = bp->b_data;
	}
	for (lbn = last - 1; lbn >= keep; lbn--) {
		uint32_t *slot;

		if (lbn < TINYFS_NDIRECT)
			slot = &tp->tn_din.di_direct[lbn];
		else if (ind != NULL)
			slot = &ind[lbn - TINYFS_NDIRECT];
		else
			continue;
		if (*slot == 0)
			continue;
		error2 = tinyfs_bfree(tmp, *slot);
		if (error2 && error == 0)
			error = error2;
		*slot = 0;
		tp->tn_din.di_blocks--;
	}
	if (bp != NULL) {
		if (keep <= TINYFS_NDIRECT) {
			/* No pointer left in the indirect block: free it and drop its buffer. */
			error2 = tinyfs_bfree(tmp, tp->tn_din.di_indirect);
			if (error2 && error == 0)
				error = error2;
			tp->tn_din.di_indirect = 0;
			tp->tn_din.di_blocks--;
			brelse(bp, BC_INVAL);
		} else {
			error2 = tinyfs_meta_write(tmp, bp);
			if (error2 && error == 0)
				error = error2;
		}
	}
out:
	genfs_node_unlock(vp);
	error2 = tinyfs_update(vp, ioflag & IO_SYNC);
	return error ? error : error2;
}

/*
 * Backs [off, off + len) of a regular file with disk blocks before data is
 * copied into its pages (as ufs_balloc_range). The write path of the page
 * cache never allocates (ubc faults pages with PGO_NOBLOCKALLOC), so the file
 * system must: bring the block's page in first (reading what is on disk, or
 * zeros for a hole or past the end), keep it busy while the block is
 * allocated so nobody sees the new block's old contents, then mark it dirty
 * so the page, not the disk, is the truth until it is written back.
 */
int
tinyfs_balloc_range(struct vnode *vp, off_t off, off_t len, kauth_cred_t cred, int flags)
{
	struct uvm_object *uobj = &vp->v_uobj;
	struct vm_page **pgs;
	off_t neweof, neweob, eob, pagestart, delta;
	size_t pgssize;
	int i, npages, error;

	neweof = MAX((off_t)vp->v_size, off + len);
	tinyfs_gop_size(vp, neweof, &neweob, 0);

	/* One block is one page: the pages are those of the blocks the range touches. */
	pagestart = off & ~(off_t)(TINYFS_BSIZE - 1);
	npages = (int)((((off + len + TINYFS_BSIZE - 1) & ~(off_t)(TINYFS_BSIZE - 1)) - pagestart) >> PAGE_SHIFT);
	if (pagestart + ((off_t)npages << PAGE_SHIFT) > neweob)
		npages = (int)((neweob - pagestart) >> PAGE_SHIFT);
	if (npages <= 0)
		return 0;
	pgssize = (size_t)npages * sizeof(struct vm_page *);
	pgs = kmem_zalloc(pgssize, KM_SLEEP);

	delta = off & (TINYFS_BSIZE - 1);
	off -= delta;
	len += delta;

	genfs_node_wrlock(vp);
	rw_enter(uobj->vmobjlock, RW_WRITER);
	error = VOP_GETPAGES(vp, pagestart, pgs, &npages, 0, VM_PROT_WRITE, 0,
	    PGO_SYNCIO | PGO_PASTEOF | PGO_NOBLOCKALLOC | PGO_NOTIMESTAMP | PGO_GLOCKHELD);
	if (error) {
		genfs_node_unlock(vp);
		goto out;
	}
	error = tinyfs_gop_alloc(vp, off, len, flags, cred);
	genfs_node_unlock(vp);

	/* Allocated: the pages become writable and dirty. Failed: leave them as they were. */
	tinyfs_gop_size(vp, off + len, &eob, 0);
	rw_enter(uobj->vmobjlock, RW_WRITER);
	for (i = 0; i < npages; i++) {
		if (error == 0) {
			if (off <= pagestart + ((off_t)i << PAGE_SHIFT) &&
			    pagestart + ((off_t)(i + 1) << PAGE_SHIFT) <= eob)
				pgs[i]->flags &= ~(uint32_t)PG_RDONLY;
			uvm_pagemarkdirty(pgs[i], UVM_PAGE_STATUS_DIRTY);
		}
		uvm_pagelock(pgs[i]);
		uvm_pageactivate(pgs[i]);
		uvm_pageunlock(pgs[i]);
	}
	uvm_page_unbusy(pgs, npages);
	rw_exit(uobj->vmobjlock);
out:
	kmem_free(pgs, pgssize);
	return error;
}

/* The page cache's notion of where the file's blocks end: whole blocks (block == page). */
void
tinyfs_gop_size(struct vnode *vp, off_t size, off_t *eobp, int flags)
{
	(void)vp;
	(void)flags;
	*eobp = (size + TINYFS_BSIZE - 1) & ~(off_t)(TINYFS_BSIZE - 1);
}

/*
 * Backs [off, off + len) with disk blocks. Callers hold the genfs node lock and
 * have the blocks' pages in the page cache already (tinyfs_balloc_range; or
 * genfs_getpages, which zero-fills hole pages of a write fault through mmap and
 * then calls this), so new blocks need no initialization on disk.
 */
int
tinyfs_gop_alloc(struct vnode *vp, off_t off, off_t len, int flags, kauth_cred_t cred)
{
	struct tinyfs_node *tp = VTOT(vp);
	daddr_t lbn, end;
	uint32_t bno;
	int error;
	(void)flags;
	(void)cred;

	if (len <= 0)
		return 0;
	if (off + len > TINYFS_MAXFILESIZE)
		return EFBIG;
	end = (off + len - 1) >> TINYFS_BSHIFT;
	for (lbn = off >> TINYFS_BSHIFT; lbn <= end; lbn++) {
		error = tinyfs_bmap_alloc(tp, lbn, &bno);
		if (error)
			return error;
	}
	return 0;
}

void
tinyfs_gop_markupdate(struct vnode *vp, int flags)
{
	struct tinyfs_node *tp = VTOT(vp);

	if (flags & GOP_UPDATE_ACCESSED)
		tp->tn_flag |= TN_ACCESS;
	if (flags & GOP_UPDATE_MODIFIED)
		tp->tn_flag |= TN_CHANGE | TN_UPDATE;
}
