/* SPDX-License-Identifier: MIT */
/*
 * due.h - the schedule index of a spool (SPEC 13): where a flush finds
 * the entries whose next attempt has come without reading every
 * envelope.  Used by spool.c only; doc/SPOOL.md has the argument.
 *
 * One empty file per entry, state/due/HOUR/BUCKET/TIME.ID: TIME is a
 * second no later than the entry's next attempt (0: at once), BUCKET is
 * TIME rounded down to DUE_BUCKET seconds and HOUR to DUE_HOUR: two
 * levels, so that neither the top directory nor the bucket that has
 * begun grows large when retries are spread over hours or days.  A flush
 * lists the hours and buckets that have begun and, in them, the names
 * whose TIME has come: it reads those envelopes and no other.  The
 * envelope stays the truth.  A marker may be early (the flush finds the
 * entry not due and moves the marker) or stale (the entry is gone: the
 * marker goes), never late or missing: spool.c adds the new marker before
 * it removes the old one, and adds an entry's first marker before the
 * entry exists.
 *
 * Markers are never fsynced.  A process that dies cannot lose one (what
 * it did is in the page cache); a power cut can, so the index carries a
 * stamp naming the boot it was built or checked in, and an index from
 * another boot, without a stamp or damaged is rebuilt from the envelopes
 * before it is trusted (spool.c).  The stamp also names the layout
 * (DUE_VERSION): an index of another layout (version 1: one level of
 * 256-second buckets) is rebuilt too, and due_purge() removes what it
 * left.
 */
#ifndef MH_DUE_H
#define MH_DUE_H

#include <stddef.h>
#include <time.h>

#include "envelope.h"
#include "err.h"

#define DUE_DIR		"due"		/* in the spool's state directory */
#define DUE_HOUR	3600		/* seconds a top directory spans */
#define DUE_BUCKET	16		/* seconds a bucket directory spans */
#define DUE_VERSION	2		/* the layout, in the stamp */

struct due {
	int	 dirfd;		/* state/due; -1 when not open */
};

/* One marker: the entry id and its time. */
struct due_item {
	time_t	 t;
	char	 id[ENVELOPE_ID_MAX];
};

/*
 * Open state/due under the spool's state directory statefd (path names
 * that one, for errors), making it when missing.  EX_CANTCREAT when it is
 * not a private directory of ours.
 */
int	due_open(struct due *, int statefd, const char *path, struct mh_err *);
void	due_close(struct due *);

/* Add the marker (t, id); one that exists already is fine.  -1, errno. */
int	due_add(struct due *, time_t, const char *id);
/* Remove the marker (t, id) if it is there. */
void	due_del(struct due *, time_t, const char *id);

/*
 * Every marker whose time is <= now, sorted by id, then time (an id may
 * have several: a stale one and the current one).  Empty buckets that
 * have ended are removed on the way.
 */
int	due_list(struct due *, time_t now, struct due_item **, size_t *,
	    struct mh_err *);
/*
 * Every marker in time order (an id may come twice), until fn returns
 * nonzero: then 0; 1 when fn never did; -1 when a bucket cannot be read.
 */
typedef int	 due_walk_fn(const struct due_item *, void *);
int	due_walk(struct due *, due_walk_fn *, void *);
/* The earliest marker time; 1 when there is none. */
int	due_next(struct due *, time_t *);
/*
 * Remove what is not of this layout from the top directory (a rebuild
 * does this first; inside an hour, junk goes when it is listed).
 */
void	due_purge(struct due *);

/*
 * 1 when the stamp names this boot (the index can be trusted), 0 when it
 * must be rebuilt first.  due_stamp() writes the stamp, after a rebuild;
 * due_unstamp() removes it (a marker could not be added: the next flush
 * rebuilds rather than miss an entry).
 */
int	due_trusted(struct due *);
int	due_stamp(struct due *, struct mh_err *);
void	due_unstamp(struct due *);

#endif
