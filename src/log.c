/* SPDX-License-Identifier: MIT */
/*
 * log.c - the delivery log.  Every line is built whole in a fixed buffer
 * and written with one write(2) to an O_APPEND file, so concurrent
 * flushers never interleave half-lines.  Values that came from a server or
 * a user pass through text_show() first: a reply with a CR/LF cannot
 * forge a second log line, nor an ESC or a C1 control reach a terminal
 * that shows the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "fsio.h"
#include "log.h"
#include "text.h"
#include "timefmt.h"

/* A value for a log line: NULL is "", unsafe characters are '?'. */
static void
log_clean(const char *s, char *out, size_t len)
{
	text_show(out, len, s, s == NULL ? 0 : strlen(s), 0);
}

/*
 * SPEC 6: the [log] file is opened without following a link and without
 * blocking (a FIFO with no reader is ENXIO, never a hang; one whose reader
 * stalls loses lines instead of stopping delivery), and then used only if
 * it is a regular file, a FIFO or a character device owned by the caller
 * or root.  Anything else (a file another user planted in a shared
 * directory to collect our lines) is refused: EX_CANTCREAT saying why.
 */
static int
log_open_file(const char *path, struct mh_err *err)
{
	struct stat	 st;
	int		 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK |
	    O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd == -1 && errno == ELOOP)
		return mh_err_set(err, EX_CANTCREAT, "log file %s: is a "
		    "symbolic link; not used", path);
	if (fd == -1 && errno == ENXIO)
		return mh_err_set(err, EX_CANTCREAT, "log file %s: a FIFO "
		    "that no one reads; not used", path);
	if (fd == -1)
		return mh_err_errno(err, EX_CANTCREAT, "log file %s", path);
	if (fstat(fd, &st) == -1) {
		mh_err_errno(err, EX_CANTCREAT, "log file %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	    !S_ISCHR(st.st_mode)) {
		mh_err_set(err, EX_CANTCREAT, "log file %s: not a regular "
		    "file, FIFO or character device; not used", path);
		goto fail;
	}
	if (st.st_uid != getuid() && st.st_uid != 0) {
		mh_err_set(err, EX_CANTCREAT, "log file %s: owned by uid %lu, "
		    "not by you or root; not used", path,
		    (unsigned long)st.st_uid);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int
log_open(struct log *l, const struct config *cfg, struct mh_err *err)
{
	l->use_syslog = cfg->log_syslog;
	l->fd = -1;
	l->errfd = -1;
	/* Not looked up per line: no process logs across a fork. */
	l->pid = (long)getpid();
	if (l->use_syslog)
		openlog("mailhop", LOG_PID, LOG_MAIL);
	if (cfg->log_file == NULL || cfg->log_file[0] == '\0')
		return 0;
	l->fd = log_open_file(cfg->log_file, err);
	return l->fd == -1 ? -1 : 0;
}

/* Hand one finished line (no newline) to syslog and the file. */
static void
log_emit(struct log *l, const char *line)
{
	char	 buf[LOG_LINE_MAX + 128], when[TIMEFMT_MAX];
	int	 n;

	if (l->use_syslog)
		syslog(LOG_INFO, "%s", line);
	if (l->fd == -1 && l->errfd == -1)
		return;
	if (timefmt_rfc3339(time(NULL), when, sizeof(when)) == -1)
		when[0] = '\0';
	n = snprintf(buf, sizeof(buf), "%s mailhop[%ld]: %s\n", when,
	    l->pid, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	/* A log that cannot be written must not stop delivery. */
	if (l->fd != -1)
		(void)fsio_write_all(l->fd, buf, (size_t)n);
	if (l->errfd != -1)
		(void)fsio_write_all(l->errfd, buf, (size_t)n);
}

void
log_also_stderr(struct log *l)
{
	l->errfd = STDERR_FILENO;
}

const char *
log_status_name(enum log_status st)
{
	switch (st) {
	case LOG_SENT:
		return "sent";
	case LOG_DEFERRED:
		return "deferred";
	case LOG_BOUNCED:
		return "bounced";
	case LOG_NOT_TRIED:
		break;
	}
	return "none";
}

void
log_attempt(struct log *l, const struct log_attempt *a)
{
	char	 line[LOG_LINE_MAX], from[600], to[600], relay[300];
	char	 reply[600];

	log_clean(a->from, from, sizeof(from));
	log_clean(a->to, to, sizeof(to));
	log_clean(a->relay != NULL && a->relay[0] != '\0' ? a->relay :
	    "none", relay, sizeof(relay));
	log_clean(a->reply, reply, sizeof(reply));
	/* Cut, not split, if it is ever longer than a line. */
	if (snprintf(line, sizeof(line), "%s: from=<%s>, to=<%s>, relay=%s, "
	    "delay=%.1f, attempts=%d, status=%s%s%s%s", a->id, from, to, relay,
	    a->delay < 0 ? 0.0 : a->delay, a->attempts,
	    log_status_name(a->status),
	    reply[0] != '\0' ? " (" : "", reply, reply[0] != '\0' ? ")" : "") < 0)
		return;
	log_emit(l, line);
}

void
log_msg(struct log *l, const char *fmt, ...)
{
	char	 raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_clean(raw, line, sizeof(line));
	log_emit(l, line);
}

void
log_close(struct log *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	l->errfd = -1;
	/* Not looked up per line: no process logs across a fork. */
	l->pid = (long)getpid();
	if (l->use_syslog)
		closelog();
	l->use_syslog = 0;
}
