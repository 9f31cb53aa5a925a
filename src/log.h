/* SPDX-License-Identifier: MIT */
/*
 * log.h - one Postfix-style line per recipient and attempt, to syslog
 * (facility mail, ident mailhop) and/or [log] file, which may be "-"
 * (stderr), a FIFO or a character device (/dev/stdout, /proc/1/fd/1:
 * SPEC 10); with [log] format = json, one JSON object per line in the
 * file and on stderr instead (syslog keeps the text line).  Takes no
 * secret and formats none; every value passes text_show() (text) or
 * json.c (JSON) before it is written.
 */
#ifndef MH_LOG_H
#define MH_LOG_H

#include <time.h>

#include "conf.h"

#define LOG_LINE_MAX	2048	/* a line is cut here, never split */

struct log {
	int	 use_syslog;		/* asked for, and /dev/log listens */
	int	 fd;			/* [log] file, O_APPEND; -1 if none */
	int	 fd_is_stderr;		/* file = - (or /dev/stderr) */
	int	 errfd;			/* stderr as well; -1 if not */
	int	 json;			/* format = json */
	long	 pid;			/* of the process that opened it */
};

/* The outcome of one recipient's attempt; the word is SPEC §6's. */
enum log_status {
	LOG_NOT_TRIED = 0,		/* no attempt: nothing to log */
	LOG_SENT,			/* status=sent */
	LOG_DEFERRED,			/* status=deferred */
	LOG_BOUNCED,			/* status=bounced (failed for good) */
};

struct log_attempt {
	const char	*id;
	const char	*from;		/* "" is the null sender */
	const char	*to;
	const char	*relay;		/* host[addr]:port; NULL: none reached */
	double		 delay;		/* seconds since arrival */
	int		 attempts;
	enum log_status	 status;
	const char	*reply;
};

/*
 * Open syslog and/or the [log] file (O_APPEND, created 0600).  The file is
 * opened without following a link or blocking, and used only if it is a
 * regular file, FIFO or character device owned by the caller or root
 * (SPEC 6).  "-", /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N
 * are this process's own descriptors, taken as they are; another
 * process's /proc/PID/fd/N is followed and opened for appending, never
 * created, with the checks above (SPEC 10).  Syslog asked for with nothing
 * listening on /dev/log is left off: the lines go to the file, else to
 * stderr when it is a terminal.  Returns -1 with err (EX_CANTCREAT,
 * naming the file and why) when the file is not used; l is usable either
 * way: the caller warns and goes on.
 */
int	log_open(struct log *, const struct config *, struct mh_err *);
/*
 * Where a delivery's lines go, in words, as log_open() decides it (nothing
 * is opened): "syslog (facility mail)", "FILE", both joined by "and", or
 * why neither, for `mailhop config`.  [log] file adds to syslog: with
 * syslog = yes both get every line.
 */
void	log_describe(const struct config *, char *buf, size_t len);
/* Every line to stderr as well (flush --watch, SPEC 10). */
void	log_also_stderr(struct log *);
/* "ID: from=<a>, to=<b>, relay=h[ip]:port, delay=1.2, attempts=2, status=sent (250 ok)" */
void	log_attempt(struct log *, const struct log_attempt *);
/* "sent", "deferred", "bounced" (and "none" for LOG_NOT_TRIED). */
const char *log_status_name(enum log_status);
/* A free-form line (warnings, helper start-up errors). */
void	log_msg(struct log *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	log_close(struct log *);

#endif
