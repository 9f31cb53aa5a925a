/* SPDX-License-Identifier: MIT */
/*
 * fsio.h - the only callers of fsync, rename and link: durable writes and
 * the safety checks on what we open.  Every failure is EX_TEMPFAIL unless
 * said otherwise; an fsync failure is never retried (the kernel may have
 * dropped the dirty pages: a second fsync would lie).
 */
#ifndef MH_FSIO_H
#define MH_FSIO_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"

/* write(2) all of it, retrying on EINTR and short writes. */
int	fsio_write_all(int, const void *, size_t);
/* read(2) up to n bytes, retrying on EINTR; returns bytes read or -1. */
ssize_t	fsio_read_full(int, void *, size_t);
/* Whether fd is a regular file (not a FIFO, device, socket or directory). */
int	fsio_is_regular(int);
/* Read a whole small file below dirfd (O_NOFOLLOW), at most max bytes. */
int	fsio_read_file(int dirfd, const char *, size_t max, char **data,
	    size_t *len, struct mh_err *);
/* tmp name -> write -> fsync -> rename to name -> fsync dir. */
int	fsio_write_atomic(int dirfd, const char *tmp, const char *name,
	    const void *, size_t, struct mh_err *);
/*
 * The same for a name that exists already (an envelope update): once
 * renamed, the new version stays even if the directory fsync fails.
 */
int	fsio_replace_atomic(int dirfd, const char *tmp, const char *name,
	    const void *, size_t, struct mh_err *);
/*
 * The same, the new file taking like's owner, group and mode (at most
 * 0640; a group the caller may not give: 0600); NULL: 0600, the caller's.
 * For a secret that others read through its group (root:mailhop 0640).
 */
int	fsio_replace_keep(int dirfd, const char *tmp, const char *name,
	    const void *, size_t, const struct stat *like, struct mh_err *);
int	fsio_fsync_dir(int dirfd, struct mh_err *);
/*
 * Start writing [off, off + len) of fd back to the disk, without waiting
 * (sync_file_range; a no-op where it is missing).  Not a durability step:
 * a large file written this way as it grows leaves less for its fsync.
 */
void	fsio_writeback(int fd, off_t off, off_t len);
/* fsync a file we wrote; EX_TEMPFAIL "fsync of <what>" on failure. */
int	fsio_fsync_file(int fd, const char *what, struct mh_err *);
/*
 * Open a directory for use as a spool: O_DIRECTORY | O_NOFOLLOW, with
 * EX_CANTCREAT naming the path ("is a symbolic link", ...) on failure.
 */
int	fsio_open_dir(const char *path, struct mh_err *);
/* mkdir -p; every directory created gets mode.  -1 with errno. */
int	fsio_mkdirs(const char *path, mode_t mode);
/*
 * Check that path is a real directory (not a symlink), owned by uid and not
 * group/world accessible; EX_CANTCREAT naming the path and the fault.
 */
int	fsio_check_private_dir(int fd, const char *path, uid_t, struct mh_err *);

#endif
