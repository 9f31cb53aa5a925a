/* SPDX-License-Identifier: MIT */
/*
 * down.h - an upstream that failed before it accepted MAIL FROM is marked
 * down for its down_time (SPEC 9): later flushes go straight to the next
 * upstream of a route and try it again once the time is over.  The mark
 * is the state file "down.NAME" (state.h), crash-safe like the rest of the
 * spool; it names the server it is about, so a changed host or port
 * forgets it.  Owner: down.c.
 */
#ifndef MH_DOWN_H
#define MH_DOWN_H

#include <time.h>

#include "conf.h"
#include "err.h"
#include "state.h"

#define DOWN_REASON_MAX	256

struct down_mark {
	time_t	 until;
	char	 reason[DOWN_REASON_MAX];	/* why, sanitized */
};

/* 1 with *m when up is down at now; 0 when it is not (or unknown). */
int	down_check(const struct state *, const struct upstream *, time_t now,
	    struct down_mark *);
/* Mark up down from now for its down_time (nothing when that is 0). */
int	down_mark(const struct state *, const struct upstream *, time_t now,
	    const char *reason, struct mh_err *);
/* A mark as the spool holds it, whatever the configuration now says. */
struct down_entry {
	char			 name[CONF_NAME_MAX + 1];	/* the upstream */
	char			 server[300];	/* host:port it was about */
	struct down_mark	 mark;
};

/*
 * Every mark in st still in force at now, sorted by upstream name (mailq,
 * and root's view of other users' spools, whose configuration it does
 * not read).  *v freed by the caller.
 */
int	down_list(const struct state *, time_t now, struct down_entry **v,
	    size_t *n, struct mh_err *);
/* Forget a mark (up answered again). */
int	down_clear(const struct state *, const struct upstream *,
	    struct mh_err *);

#endif
