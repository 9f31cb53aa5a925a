/* SPDX-License-Identifier: MIT */
/*
 * relayset.h - the upstreams of one flush run (SPEC 9): which to try for
 * a sender, in order (the route, less those marked down; the first when
 * all are), one relay session per upstream, opened on first use and kept
 * for the run, the down-marks (down.h) and the rate windows (rate.h) in
 * the spool's state directory.  deliver.c decides what happens to each
 * entry; this module knows the upstreams.  Owner: relayset.c.
 */
#ifndef MH_RELAYSET_H
#define MH_RELAYSET_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "down.h"
#include "err.h"
#include "relay.h"
#include "spool.h"
#include "state.h"

/* Upstreams of one route at most (more are ignored). */
#define RELAYSET_ROUTE_MAX	16

/*
 * Where an upstream's rate window lives when not in the spool's own state
 * directory: the system's upstream on a multi-user system counts for
 * every user, under the system spool root, in a directory the set-id
 * helper opened before it dropped its group (SPEC 8, 9).
 */
struct relayset_home {
	const char	*upstream;	/* its name */
	struct state	*state;		/* open; the caller's */
};

struct relayset;

/*
 * For a run over sp; verbose and parallel as relay_new() takes them.
 * homes (n of them, may be NULL) must outlive the set.
 */
struct relayset *relayset_new(const struct config *, struct spool *,
	    int verbose, const struct relayset_home *homes, size_t nhomes);
void	relayset_free(struct relayset *);
/*
 * The upstreams to try for sender, in order: its route (route.h) less
 * those marked down at now; the route's first alone when all are down.
 * Returns how many (at least 1, at most max).
 */
size_t	relayset_route(struct relayset *, const char *sender, time_t now,
	    const struct upstream **, size_t max);
/* The session with up (made on first use); NULL with err if it cannot be. */
struct relay *relayset_relay(struct relayset *, const struct upstream *,
	    struct mh_err *);
/*
 * up failed before it accepted MAIL FROM: mark it down (once per run)
 * for its down_time.  Errors are logged by the caller's log: returned.
 */
int	relayset_down(struct relayset *, const struct upstream *,
	    const char *reason, time_t now, struct mh_err *);
/*
 * up answered (some recipient has its reply): forget a mark that sent it
 * to us anyway.
 */
void	relayset_up(struct relayset *, const struct upstream *);
/* Is up marked down at now?  *m filled when it is (for mailq, test). */
int	relayset_is_down(struct relayset *, const struct upstream *,
	    time_t now, struct down_mark *);
/*
 * A slot of up's rate (rate.h) at now_ms: 0 taken (*taken: its stamp for
 * relayset_give_slots(), 0 when up has no rate), 1 none free (*wait_ms
 * until one is), -1 on error.
 */
int	relayset_take_slot(struct relayset *, const struct upstream *,
	    long long now_ms, long long *wait_ms, long long *taken,
	    struct mh_err *);
/* Slots taken for messages that never reached up go back (rate_give()). */
int	relayset_give_slots(struct relayset *, const struct upstream *,
	    const long long *stamps, size_t n, struct mh_err *);

/* A job's outcome, final for this run; via: the upstream that gave it. */
typedef void	relayset_done_fn(struct relay_job *, const struct upstream *via,
		    void *);
/*
 * A job held back by via's rate: nothing was sent and no attempt counts;
 * a slot is free in about wait_ms; why names the limit.
 */
typedef void	relayset_hold_fn(struct relay_job *, const struct upstream *via,
		    long long wait_ms, const char *why, void *);
/*
 * Deliver the jobs, each through the upstreams relayset_route() gives for
 * its sender: a failure before MAIL FROM was accepted (job->before_mail)
 * marks that upstream down and moves the job to the next one in this run;
 * anything else (an answer to RCPT or to the data, a session that cannot
 * start because of the configuration) is the job's outcome.  Up to N jobs
 * of a rate-limited upstream go at once, the next when a slot frees: the
 * run waits for it when that is within a minute, else holds the rest
 * back.  Every job gets done or hold once, unless -1 (libcurl cannot
 * start) is returned or a stop was asked (relayset_stop_on): then the
 * jobs not begun get neither and are the caller's as they were.
 */
int	relayset_run(struct relayset *, struct relay_job **, size_t,
	    relayset_done_fn *, relayset_hold_fn *, void *, struct mh_err *);
/* A state file that could not be written since the last call: 1 and err. */
int	relayset_error(struct relayset *, struct mh_err *);
/*
 * The first session of the run that could not start (no host, a secret
 * that cannot be read): 1 and err, once per run, for a warning.
 */
int	relayset_setup_error(struct relayset *, struct mh_err *);
/* Something a session said the log should say (relay_notice()), once; NULL. */
const char *relayset_notice(struct relayset *);
/*
 * flush --watch and lingering (SPEC 10): once *flag is set no job is
 * started and no rate slot waited for; jobs not begun stay the caller's.
 */
void	relayset_stop_on(struct relayset *, const volatile sig_atomic_t *flag);
/*
 * A new pass over the spool: forget which upstreams failed in the last
 * one and re-read their down-marks (a lingering run lasts for hours).
 */
void	relayset_reset(struct relayset *);

#endif
