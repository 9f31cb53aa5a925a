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

struct mh_err {
	int	 exit;			/* sysexits code for main.c */
	char	 msg[MH_ERR_MSG];	/* one line, no "mailhop: " prefix */
};

/* Record an error; always returns -1 so "return mh_err_set(...)" reads well. */
int	mh_err_set(struct mh_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* As mh_err_set, with ": strerror(errno)" appended (errno as on entry). */
int	mh_err_errno(struct mh_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Forget any recorded error. */
void	mh_err_clear(struct mh_err *);

#endif
