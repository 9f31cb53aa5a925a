/* SPDX-License-Identifier: MIT */
/*
 * dsn.h - RFC 3464 delivery status notifications (multipart/report) for
 * recipients that failed permanently.  Owner: dsn.c.
 */
#ifndef MH_DSN_H
#define MH_DSN_H

#include "conf.h"
#include "envelope.h"
#include "err.h"

/*
 * Write the bounce for env's RCPT_FAILED recipients to outfd (CRLF), with
 * the original message's header section read from msgfd.
 */
int	dsn_write(const struct config *, const struct envelope *, int msgfd,
	    int outfd, struct mh_err *);

#endif
