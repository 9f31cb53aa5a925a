/* SPDX-License-Identifier: MIT */
/*
 * spools.h - root's view (SPEC 8): every user's spool under the system
 * spool root, and root's own.  Root never works in a user's spool itself:
 * spools_run() gives each one to a child that has become its owner (uid,
 * gid and groups, setid.h) before anything in it is opened, so a user's
 * spool can never make root follow a link, open a FIFO, write a file or
 * read one of root's files.  The listing only reads the root directory
 * (root's own) and lstat()s its entries: a symbolic link or anything that
 * is not a directory is not a spool.
 */
#ifndef MH_SPOOLS_H
#define MH_SPOOLS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct spools_dir {
	char	*path;		/* ROOT/NAME, or root's own spool */
	char	*user;		/* the owner's name, else the uid in decimal */
	uid_t	 uid;		/* the owner, as lstat() saw it */
	gid_t	 gid;		/* the owner's group (passwd; else the
				 * directory's, else 65534) */
};

/* Whether this process sees every spool (it is root). */
int	spools_all_visible(void);
/*
 * own (root's own spool path, or NULL) first unless it lies in the system
 * spool root, then every directory of the system spool root in name
 * order.  A missing root is an empty list.  Free with spools_free().
 */
int	spools_list(const char *own, struct spools_dir **, size_t *,
	    struct mh_err *);
void	spools_free(struct spools_dir *, size_t);
/*
 * Entries of the system spool root named for an account (its name, or a
 * uid) that are not that account's directory -- another user's, a link,
 * a file -- left from a 1733 root, when any user could make one first:
 * each named on stderr with what root must do.  Returns how many.
 */
int	spools_blocked(void);

/*
 * In the child: 0 done, 1 nothing for it in this spool, -1 with err.
 * It may change *arg (len bytes), which goes back to the parent; it may
 * also exec() instead of returning (flush --all).
 */
typedef int	spools_fn(const struct spools_dir *, void *arg,
		    struct mh_err *);
/*
 * Run fn in a child that became d's owner.  Returns what fn returned,
 * with err and arg copied back; or 2 when the child exited without a
 * report (it exec()ed, or died): *status is then its wait status.  -1
 * with err when no child could be started.  stdout is flushed first.
 */
int	spools_run(const struct spools_dir *, spools_fn *, void *arg,
	    size_t len, int *status, struct mh_err *);

#endif
