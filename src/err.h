/* SPDX-License-Identifier: MIT */
/*
 * err.h - one error value carried up to main.c, which alone prints it and
 * exits.  Modules fill it in and return -1; nothing below main.c exits
 * (xmem.c's out-of-memory path excepted).
 */
#ifndef MH_ERR_H
#define MH_ERR_H

#include <sysexits.h>

#define MH_ERR_MSG	512

/*
 * Why, for a caller that must act on the kind of error and not only on its
 * exit code (-bs answers 552 to a message over max_size, 554 to other
 * data errors).  Callers test this, never the text of msg.
 */
enum mh_reason {
	MH_REASON_NONE = 0,		/* exit says all there is */
	MH_REASON_MAX_SIZE,		/* the message is over [queue] max_size */
	MH_REASON_UNREACHABLE,		/* no answer: connect failed, timed out */
	MH_REASON_SPOOL_ROOT,		/* a directory of the system spool root
					 * that only the set-id helper may make */
	MH_REASON_SECRET_MODE,		/* a secret file's mode or group */
};

struct mh_err {
	int		 exit;		/* sysexits code for main.c */
	char		 msg[MH_ERR_MSG];	/* one line, no "mailhop: " prefix */
	enum mh_reason	 reason;	/* MH_REASON_NONE unless set */
};

/*
 * Record an error (reason MH_REASON_NONE); always returns -1 so
 * "return mh_err_set(...)" reads well.
 */
int	mh_err_set(struct mh_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* As mh_err_set, with ": strerror(errno)" appended (errno as on entry). */
int	mh_err_errno(struct mh_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Tag the error just recorded with a reason; returns -1. */
int	mh_err_because(struct mh_err *, enum mh_reason);
/* Forget any recorded error. */
void	mh_err_clear(struct mh_err *);

#endif
