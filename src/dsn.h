/* SPDX-License-Identifier: MIT */
/*
 * dsn.h - RFC 3464 delivery status notifications (multipart/report) for
 * recipients that failed permanently.  Owner: dsn.c.
 */
#ifndef MH_DSN_H
#define MH_DSN_H

#include <stddef.h>

#include "conf.h"
#include "envelope.h"
#include "err.h"

#define DSN_STATUS_MAX	16	/* "5.123.123" and its NUL fit */

/*
 * Write the bounce for env's RCPT_FAILED recipients to outfd (CRLF), with
 * the original message's header section read from msgfd (with pread, from
 * offset 0, at most max_header_size bytes: memory does not depend on the
 * message).  Addressed to env->sender, from bounce_sender or
 * MAILER-DAEMON@domain.  up is the upstream that gave the permanent
 * replies (Remote-MTA), NULL when none did (expired before any answer).
 * However many recipients failed, the size is bounded: those that do not
 * fit in 128 KiB are counted ("... and N more") instead of listed, so a
 * bounce never fails for its size.  EX_TEMPFAIL on a read or write error.
 */
int	dsn_write(const struct config *, const struct upstream *,
	    const struct envelope *, int msgfd, int outfd, struct mh_err *);
/*
 * The Status: for a failed recipient's last reply: the reply's enhanced
 * status code if it has a permanent one ("550 5.1.1 ..." -> "5.1.1"),
 * 5.4.7 for an expired message, else 5.0.0.
 */
void	dsn_status(const char *reply, char *out, size_t len);

/* The reason recorded for recipients bounced for age (prefix of the reply). */
#define DSN_EXPIRED	"message too old in queue"

#endif
