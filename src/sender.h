/* SPDX-License-Identifier: MIT */
/*
 * sender.h - the envelope sender policy, the one both ways in share:
 * sendmail mode (-f/-r) and -bs (MAIL FROM).  Issue 9 #1: -bs once took
 * MAIL FROM as it came and never consulted force_from.
 */
#ifndef MH_SENDER_H
#define MH_SENDER_H

#include "conf.h"
#include "err.h"

/*
 * The envelope sender for a message.  given is what the caller asked for
 * (-f/-r, or the path of MAIL FROM; "<>" or "" is the null sender), or
 * NULL when it asked for nothing.  It is checked whatever happens next
 * (SPEC 4: -f gets the same check as any address), then:
 * [sender] force_from = yes with `from` set: `from`, always; else given;
 * else [sender] from; else the account's login@domain.  A bare local name
 * is qualified with domain.  *out is allocated, "" for the null sender.
 * -1 with err (EX_DATAERR, starting with the quoted address) otherwise.
 */
int	sender_envelope(const struct config *, const char *given, char **out,
	    struct mh_err *);

#endif
