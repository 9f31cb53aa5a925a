/* SPDX-License-Identifier: MIT */
/*
 * relay.h - one SMTP session to the upstream over libcurl: TLS and AUTH
 * options, one easy handle reused across messages, each RCPT's reply and
 * the final reply captured.  The only file that includes <curl/curl.h>.
 * Owner: relay.c (the API below is a first cut for the owner to refine).
 */
#ifndef MH_RELAY_H
#define MH_RELAY_H

#include <stddef.h>

#include "conf.h"
#include "err.h"

struct relay;

struct relay_rcpt {
	const char	*addr;
	int		 code;		/* RCPT reply code, or the final one; 0: none */
	char		 reply[512];	/* sanitized */
};

struct relay *relay_new(const struct config *, int verbose, struct mh_err *);
/*
 * Send one message (msgfd, CRLF, from offset 0) from sender to rcpts.
 * Fills each rcpt's code/reply.  Returns 0 if the session worked at all
 * (individual rcpts may still have failed), -1 with err for a session-level
 * failure (connect, TLS, AUTH, timeout): then every rcpt is deferred.
 */
int	relay_send(struct relay *, const char *sender, struct relay_rcpt *,
	    size_t, int msgfd, struct mh_err *);
void	relay_free(struct relay *);

#endif
