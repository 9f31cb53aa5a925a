/* SPDX-License-Identifier: MIT */
/*
 * fsio.c - durable writes and the checks on what we open.  This is the only
 * file that calls fsync(2) and renameat(2): the durability argument of
 * doc/SPOOL.md is about these few functions.
 *
 * Rule: an fsync that failed is never retried.  After a failed fsync the
 * kernel may already have dropped (or marked clean) the dirty pages, so a
 * second fsync can succeed without the data being on disk.  We give up with
 * EX_TEMPFAIL and remove what we created, so nothing half-written is
 * visible and the caller resends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fsio.h"
#include "xmem.h"

int
fsio_write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		if (w == 0) {
			/* write(2) returning 0 for n > 0: treat as full disk. */
			errno = ENOSPC;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t
fsio_read_full(int fd, void *p, size_t n)
{
	char	*s = p;
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		r = read(fd, s + got, n - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * Read a whole small file below dirfd.  Sized by reading, not by fstat:
 * an envelope fits the first buffer, so a file costs open, one read (a
 * short read of a regular file is its end) and close -- what keeps mailq
 * fast on a long queue.  O_NONBLOCK so that a FIFO planted under an
 * envelope's name reads as empty instead of hanging us.  On failure errno
 * is kept (callers test ENOENT: an entry that went away between readdir
 * and open is not an error for them).
 */
int
fsio_read_file(int dirfd, const char *name, size_t max, char **data,
    size_t *len, struct mh_err *err)
{
	char	*p;
	size_t	 cap = 4096, got = 0, want;
	ssize_t	 r;
	int	 fd, saved;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "%s", name);
	p = xmalloc(cap + 1);
	for (;;) {
		want = cap - got;
		r = read(fd, p + got, want);
		if (r == -1 && errno == EINTR)
			continue;
		/*
		 * Only a regular file is read whole.  Checked when the first
		 * read fails (a directory) or fills the buffer (a device
		 * would fill it for ever): a small file, what every envelope
		 * is, costs no fstat (SPEC 13: mailq reads them all).  A
		 * FIFO reads as empty and nothing parses it.
		 */
		if ((r == -1 || (size_t)r == want) && got == 0 &&
		    !fsio_is_regular(fd)) {
			free(p);
			close(fd);
			errno = EINVAL;
			return mh_err_set(err, EX_DATAERR, "%s: not a regular "
			    "file", name);
		}
		if (r == -1)
			goto fail;
		got += (size_t)r;
		if (got > max) {
			errno = EFBIG;
			goto fail;
		}
		if ((size_t)r < want)
			break;
		cap *= 2;
		p = xreallocarray(p, cap + 1, 1);
	}
	p[got] = '\0';
	close(fd);
	*data = p;
	*len = got;
	return 0;
fail:
	mh_err_errno(err, EX_TEMPFAIL, "%s", name);
	saved = errno;
	free(p);
	close(fd);
	errno = saved;
	return -1;
}

int
fsio_fsync_dir(int dirfd, struct mh_err *err)
{
	if (fsync(dirfd) == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "fsync of the spool directory");
	return 0;
}

void
fsio_writeback(int fd, off_t off, off_t len)
{
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fd, off, len, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)off;
	(void)len;
#endif
}

int
fsio_fsync_file(int fd, const char *what, struct mh_err *err)
{
	if (fsync(fd) == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "fsync of %s", what);
	return 0;
}

/*
 * tmp takes like's owner, group and permission bits (at most 0640: a
 * secret's); a group we may not give (not root) leaves it 0600, ours.
 */
static int
fsio_take_owner(int fd, const struct stat *like)
{
	struct stat	 st;
	mode_t		 mode = like->st_mode & 0640;

	if (fstat(fd, &st) == -1)
		return -1;
	if ((st.st_uid != like->st_uid || st.st_gid != like->st_gid) &&
	    fchown(fd, like->st_uid, like->st_gid) == -1)
		mode &= 0600;
	return fchmod(fd, mode);
}

/*
 * Write tmp and fsync it; on failure tmp is removed.  like: NULL for a
 * file 0600 of ours, else the file it replaces (fsio_take_owner()).
 */
static int
fsio_write_tmp(int dirfd, const char *tmp, const void *p, size_t n,
    const struct stat *like, struct mh_err *err)
{
	int	 fd;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "cannot create %s", tmp);
	if (like != NULL && fsio_take_owner(fd, like) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "cannot set the owner and mode "
		    "of %s", tmp);
		goto fail;
	}
	if (fsio_write_all(fd, p, n) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "cannot write %s", tmp);
		goto fail;
	}
	if (fsync(fd) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "fsync of %s", tmp);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		mh_err_errno(err, EX_TEMPFAIL, "close of %s", tmp);
		goto fail;
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return -1;
}

/* Write tmp durably and rename it to name; on failure tmp is gone. */
static int
fsio_write_rename(int dirfd, const char *tmp, const char *name,
    const void *p, size_t n, const struct stat *like, struct mh_err *err)
{
	if (fsio_write_tmp(dirfd, tmp, p, n, like, err) == -1)
		return -1;
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "cannot rename %s to %s", tmp,
		    name);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

/*
 * For a name that did not exist before: if anything fails, name is taken
 * back (best effort), because a non-zero exit promises the caller that
 * nothing was queued, and it will resend.
 */
int
fsio_write_atomic(int dirfd, const char *tmp, const char *name,
    const void *p, size_t n, struct mh_err *err)
{
	if (fsio_write_rename(dirfd, tmp, name, p, n, NULL, err) == -1)
		return -1;
	/* The new name survives a power cut only once the directory is synced. */
	if (fsio_fsync_dir(dirfd, err) == -1) {
		unlinkat(dirfd, name, 0);
		return -1;
	}
	return 0;
}

/*
 * For a name that exists (an envelope update): same steps, but after the
 * rename the new version is the visible one and stays, even if the
 * directory fsync fails.  Removing it would lose the entry; keeping it
 * costs at worst the old version coming back after a crash, which the
 * update protocol allows (the caller reports the error).
 */
int
fsio_replace_atomic(int dirfd, const char *tmp, const char *name,
    const void *p, size_t n, struct mh_err *err)
{
	return fsio_replace_keep(dirfd, tmp, name, p, n, NULL, err);
}

int
fsio_replace_keep(int dirfd, const char *tmp, const char *name,
    const void *p, size_t n, const struct stat *like, struct mh_err *err)
{
	if (fsio_write_rename(dirfd, tmp, name, p, n, like, err) == -1)
		return -1;
	return fsio_fsync_dir(dirfd, err);
}

int
fsio_is_regular(int fd)
{
	struct stat	 st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int
fsio_check_private_dir(int fd, const char *path, uid_t uid, struct mh_err *err)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return mh_err_errno(err, EX_CANTCREAT, "spool directory %s",
		    path);
	if (!S_ISDIR(st.st_mode))
		return mh_err_set(err, EX_CANTCREAT,
		    "spool directory %s is not a directory", path);
	if (st.st_uid != uid)
		return mh_err_set(err, EX_CANTCREAT,
		    "spool directory %s is owned by uid %lu, not %lu", path,
		    (unsigned long)st.st_uid, (unsigned long)uid);
	if ((st.st_mode & 077) != 0)
		return mh_err_set(err, EX_CANTCREAT,
		    "spool directory %s is accessible by group or others "
		    "(mode %04o)", path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

int
fsio_open_dir(const char *path, struct mh_err *err)
{
	struct stat	 st;
	int		 fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1)
		return fd;
	/* Name the fault precisely: the user has to fix it by hand. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return mh_err_set(err, EX_CANTCREAT,
		    "spool directory %s is a symbolic link", path);
	if (errno == ENOTDIR)
		return mh_err_set(err, EX_CANTCREAT,
		    "spool directory %s is not a directory", path);
	return mh_err_errno(err, EX_CANTCREAT, "spool directory %s", path);
}

/* mkdir -p, with mode for every component we create. */
int
fsio_mkdirs(const char *path, mode_t mode)
{
	char	*p, *s;
	char	 c;
	int	 rc = 0;

	p = xstrdup(path);
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}
