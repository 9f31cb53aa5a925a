/* SPDX-License-Identifier: MIT */
/*
 * wake.h - what a lingering (-odb, [queue] linger) or watching (flush
 * --watch) flusher sleeps on, without using the CPU: a new entry in the
 * spool (inotify on the spool directory; where inotify is missing, a look
 * at the directory's mtime once a second), a time limit, and the signals
 * that end it (SIGTERM, SIGINT) or make it re-read its configuration
 * (SIGHUP).  The handlers only set a flag and write a byte to a pipe that
 * the sleep also watches, so no signal is lost between a check and the
 * sleep, and nothing else in the process is interrupted halfway: the
 * transaction in progress finishes.  One per process (the handlers are).
 * Owner: deliver.c.
 */
#ifndef MH_WAKE_H
#define MH_WAKE_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

enum wake_why {
	WAKE_TIME,		/* the time limit passed */
	WAKE_NEW,		/* entries appeared: wake_ids() */
	WAKE_RESCAN,		/* the spool changed, which entries unknown */
	WAKE_STOP,		/* SIGTERM or SIGINT */
	WAKE_RELOAD,		/* SIGHUP */
};

struct wake {
	int	 ifd;		/* inotify, or -1: look at the mtime */
	int	 dirfd;		/* the spool (not ours to close) */
	struct timespec	 mtime;	/* without inotify: last seen */
	int	 rescan;	/* events were lost, or no inotify */
	char	**ids;		/* new entries' ids, since wake_forget() */
	size_t	 nids;
	size_t	 cap;
};

/*
 * Watch the spool (dirfd; its path where /proc is not mounted) and take
 * SIGTERM, SIGINT and SIGHUP.  Without inotify it still works (the
 * fallback); -1 only when the signal pipe cannot be made.
 */
int	wake_open(struct wake *, int dirfd, const char *path, struct mh_err *);
/* Back to the default signal actions; close what wake_open opened. */
void	wake_close(struct wake *);
/*
 * Forget the entries seen so far: the caller is about to list the whole
 * spool, which covers them.  Events that come after this call are kept.
 */
void	wake_forget(struct wake *);
/*
 * Sleep until timeout_ms passed (-1: no limit), an entry appears, or a
 * signal comes.  A stop or reload already pending returns at once.
 */
enum wake_why wake_wait(struct wake *, long timeout_ms);
/* The ids of the entries that appeared (valid ids only), oldest first. */
char *const *wake_ids(const struct wake *, size_t *n);
/* SIGTERM or SIGINT came: finish what is in progress, start nothing. */
int	wake_stopping(void);
/* The flag wake_stopping() reads, for relay.c's loop. */
const volatile sig_atomic_t *wake_stop_flag(void);

#endif
