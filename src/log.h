/* SPDX-License-Identifier: MIT */
/*
 * log.h - one Postfix-style line per recipient and attempt, to syslog
 * (facility mail, ident mailhop) and/or [log] file.  Takes no secret and
 * formats none; replies are sanitized before they are written.
 */
#ifndef MH_LOG_H
#define MH_LOG_H

#include <time.h>

#include "conf.h"

struct log {
	int	 use_syslog;
	int	 fd;			/* [log] file, O_APPEND; -1 if none */
};

struct log_attempt {
	const char	*id;
	const char	*from;
	const char	*to;
	const char	*relay;		/* host[addr]:port */
	long		 delay;		/* seconds since arrival */
	int		 attempts;
	const char	*status;	/* sent, deferred, bounced, failed */
	const char	*reply;
};

int	log_open(struct log *, const struct config *);
void	log_attempt(struct log *, const struct log_attempt *);
/* A free-form line (warnings, helper start-up errors). */
void	log_msg(struct log *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	log_close(struct log *);

#endif
