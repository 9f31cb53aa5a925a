/* SPDX-License-Identifier: MIT */
/*
 * state.h - what a spool keeps besides its entries: upstreams marked down,
 * rate windows, OAuth token caches, any index.  They live in the private
 * subdirectory "state" of the spool (0700; made by spool.h's
 * spool_state_open()), which the entry scanner and spool_cleanup() never
 * look into; or, for state shared by every user (the system's upstream's
 * rate, SPEC 9), in a directory the caller opened itself.  This is the
 * file API on top: small files, atomic writes, locks.  Owner: state.c
 * (COORDINATION F).
 *
 * A state file is small and read whole.  It is replaced atomically (fsio:
 * temporary name, fsync, rename, directory fsync), so a crash leaves the
 * old or the new version.  Read-modify-write goes under state_lock(), an
 * flock on NAME.lock, a file that is never replaced by rename (a lock dies
 * with its inode).  Names are [a-z0-9._-]{1,64} and never start with ".".
 */
#ifndef MH_STATE_H
#define MH_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "spool.h"

#define STATE_NAME_MAX	64

/* A file opened ahead of time (state_pin()). */
struct state_pin {
	char	 name[STATE_NAME_MAX + 1];
	int	 fd;		/* NAME, read and append */
	int	 lockfd;	/* NAME.lock */
};

struct state {
	int	 dirfd;		/* -1: not open (a read-only caller found none) */
	struct state_pin *pins;	/* state_pin()'s, or NULL */
	size_t	 npins;
};

/*
 * Open the spool's state directory (spool_state_open(): SPOOL/state);
 * with create it is made (0700) when missing.  Without create a missing
 * one is 1, and st->dirfd -1: mailq must not write.  EX_CANTCREAT when it
 * is not a private directory of ours (a symbolic link, someone else's,
 * group or world accessible).  st has its own descriptor.
 */
int	state_open(struct state *, struct spool *, int create,
	    struct mh_err *);
/* Use a directory the caller opened and checked (it is owned now). */
void	state_adopt(struct state *, int dirfd);
/*
 * Open name and name.lock now and keep them open: state_lock(),
 * state_open_file() and state_write() of that name then use these
 * descriptors, so they keep working once the process may no longer open
 * files in the directory (the set-id helper after its group drop: the
 * shared rate window of the system's upstream, SPEC 8, 9).  Both must be
 * regular files owned by root and writable by no other; with create
 * (root only) they are made, 0660 and group gid, when missing.  1 when
 * they do not exist (and !create): nothing is pinned.  A pinned
 * state_write() rewrites the file in place, under the caller's
 * state_lock(): written from the start, cut, synced (when the new text is
 * a tail of at most half the old, a crash leaves that tail at the end).
 */
int	state_pin(struct state *, const char *name, int create, gid_t gid,
	    struct mh_err *);
void	state_close(struct state *);

/*
 * The whole file name, at most max bytes, NUL-terminated (*len without
 * the NUL).  1 when there is no such file (*data NULL).
 */
int	state_read(const struct state *, const char *name, size_t max,
	    char **data, size_t *len, struct mh_err *);
/* Replace name with data, atomically and durably. */
int	state_write(const struct state *, const char *name, const void *,
	    size_t, struct mh_err *);
int	state_remove(const struct state *, const char *name, struct mh_err *);
/*
 * Open name for appending and reading (created 0600; O_NOFOLLOW), for
 * logs that grow between rewrites.  Use under state_lock(name).
 */
int	state_open_file(const struct state *, const char *name, int *fd,
	    struct mh_err *);
/* Wait for the exclusive lock of name (NAME.lock); *fd is the lock. */
int	state_lock(const struct state *, const char *name, int *fd,
	    struct mh_err *);
void	state_unlock(int fd);
/* Names starting with prefix (lock files excluded), sorted. */
int	state_list(const struct state *, const char *prefix, char ***names,
	    size_t *n, struct mh_err *);
void	state_names_free(char **, size_t);
/* [a-z0-9._-]{1,STATE_NAME_MAX}, not starting with ".". */
int	state_name_ok(const char *);

#endif
