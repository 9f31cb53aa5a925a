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
#include "spool.h"

struct deliver_opts {
	const char	*only_id;	/* -qI: this entry, whatever its retry time */
	const char	*rcpt_domain;	/* -qR: recipients whose domain contains it */
	const char	*sender_substr;	/* -qS: senders containing it */
	int		 force;		/* ignore next-attempt times */
	int		 verbose;	/* -v: SMTP dialogue on stderr, masked */
	int		 report;	/* -odi: outcome per recipient on stderr */
	int		 background;	/* -odb: skip if another flusher runs */
};

struct deliver_stats {
	unsigned long	 sent, deferred, bounced, failed;
};

int	deliver_run(struct spool *, const struct config *,
	    const struct deliver_opts *, struct deliver_stats *, struct mh_err *);

#endif
