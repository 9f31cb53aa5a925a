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
#include "request.h"
#include "spool.h"

struct deliver_stats {
	unsigned long	 sent, deferred, bounced, failed;
};

/*
 * One flush of the spool for req (a REQ_FLUSH: its filters, force,
 * verbose, report and background fields; the helper handles config and
 * all before it gets here).
 */
int	deliver_run(struct spool *, const struct config *,
	    const struct request *, struct deliver_stats *, struct mh_err *);

#endif
