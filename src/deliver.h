/* SPDX-License-Identifier: MIT */
/*
 * deliver.h - the flush loop: pick due entries, claim them, relay them,
 * record each recipient's outcome atomically, bounce, back off, expire.
 * Lives in the mailhop-deliver helper so queueing never loads libcurl.
 */
#ifndef MH_DELIVER_H
#define MH_DELIVER_H

#include "conf.h"
#include "err.h"
#include "relayset.h"
#include "request.h"
#include "spool.h"

struct deliver_stats {
	unsigned long	 sent, deferred, bounced, failed;
};

/*
 * How flush --watch re-reads its configuration on SIGHUP: the helper's
 * own loader, into a conf_init()ed config.  -1 (with err) keeps the old.
 */
typedef int	deliver_reload_fn(struct config *, const struct request *,
		    struct mh_err *);

/*
 * One flush of the spool for req (a REQ_FLUSH: its filters, force,
 * verbose, report, background and watch fields; the helper handles config
 * and all before it gets here).  Each entry goes through its sender's
 * route (relayset.h).  homes: upstreams whose rate window is kept outside
 * this spool (the system's upstream, SPEC 9), or NULL.
 *
 * -odb (background) takes the spool's flush lock or, when another flusher
 * has it, returns 0 at once.  With [queue] linger > 0 it then lingers
 * (SPEC 10): while recipients are deferred it keeps the lock, sleeps until
 * the soonest retry and delivers again, for at most linger; an entry
 * queued meanwhile goes out within a second (wake.h).  watch is the same
 * without the time limit, waiting for the lock if a lingering flusher has
 * it, logging on stderr too, and reloading the configuration through
 * reload on SIGHUP.  SIGTERM and SIGINT end both once the transaction in
 * progress is done and recorded: 0.
 */
int	deliver_run(struct spool *, const struct config *,
	    const struct request *, deliver_reload_fn *reload,
	    const struct relayset_home *homes, size_t nhomes,
	    struct deliver_stats *, struct mh_err *);

#endif
