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
#include <limits.h>
#include <fcntl.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsio.h"
#include "json.h"
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
 * SPEC 10: a path that names one of this process's own descriptors
 * (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, /proc/PID/fd/N
 * with our PID): N, else -1.  Those links are followed by taking the
 * descriptor itself: whatever it is (a pipe, a terminal, the journal's
 * socket), the process was started with it.
 */
static int
log_own_fd(const char *path)
{
	const char	*p;
	char		*end;
	long		 n, pid;

	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	if (strncmp(path, "/dev/fd/", 8) == 0)
		p = path + 8;
	else if (strncmp(path, "/proc/self/fd/", 14) == 0)
		p = path + 14;
	else if (strncmp(path, "/proc/", 6) == 0 && path[6] >= '0' &&
	    path[6] <= '9') {
		pid = strtol(path + 6, &end, 10);
		if (pid != (long)getpid() || strncmp(end, "/fd/", 4) != 0)
			return -1;
		p = end + 4;
	} else
		return -1;
	if (*p < '0' || *p > '9')
		return -1;
	n = strtol(p, &end, 10);
	return *end == '\0' && n <= 1024 ? (int)n : -1;
}

/* /proc/PID/fd/N of another process (a container's PID 1, say). */
static int
log_proc_fd(const char *path)
{
	const char	*p = path + 6;

	if (strncmp(path, "/proc/", 6) != 0 || *p < '0' || *p > '9')
		return 0;
	p += strspn(p, "0123456789");
	if (strncmp(p, "/fd/", 4) != 0 || p[4] < '0' || p[4] > '9')
		return 0;
	p += 4;
	return p[strspn(p, "0123456789")] == '\0';
}

/* What may be appended to, and by whom (SPEC 6, 10). */
static int
log_check_fd(int fd, const char *path, struct mh_err *err)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return mh_err_errno(err, EX_CANTCREAT, "log file %s", path);
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	    !S_ISCHR(st.st_mode))
		return mh_err_set(err, EX_CANTCREAT, "log file %s: not a "
		    "regular file, FIFO or character device; not used", path);
	if (st.st_uid != getuid() && st.st_uid != 0)
		return mh_err_set(err, EX_CANTCREAT, "log file %s: owned by uid "
		    "%lu, not by you or root; not used", path,
		    (unsigned long)st.st_uid);
	return 0;
}

/*
 * SPEC 6: the [log] file is opened without following a link and without
 * blocking (a FIFO with no reader is ENXIO, never a hang; one whose reader
 * stalls loses lines instead of stopping delivery), and then used only if
 * it is a regular file, a FIFO or a character device owned by the caller
 * or root.  Anything else (a file another user planted in a shared
 * directory to collect our lines) is refused: EX_CANTCREAT saying why.
 * SPEC 10: "-" and our own descriptors' names are those descriptors; the
 * link of another process's /proc/PID/fd/N is followed, and it is opened
 * for appending, never created, with the same checks.
 */
static int
log_open_file(const char *path, struct mh_err *err)
{
	int	 fd, own, flags = O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC |
		    O_NOCTTY;

	own = strcmp(path, "-") == 0 ? STDERR_FILENO : log_own_fd(path);
	if (own != -1) {
		fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
		if (fd == -1)
			return mh_err_errno(err, EX_CANTCREAT, "log file %s",
			    path);
		return fd;
	}
	if (!log_proc_fd(path))
		flags |= O_CREAT | O_NOFOLLOW;
	fd = open(path, flags, 0600);
	if (fd == -1 && errno == ELOOP)
		return mh_err_set(err, EX_CANTCREAT, "log file %s: is a "
		    "symbolic link; not used", path);
	if (fd == -1 && errno == ENXIO)
		return mh_err_set(err, EX_CANTCREAT, "log file %s: a FIFO "
		    "that no one reads%s; not used", path,
		    log_proc_fd(path) ? ", or a socket" : "");
	if (fd == -1)
		return mh_err_errno(err, EX_CANTCREAT, "log file %s", path);
	if (log_check_fd(fd, path, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * glibc's syslog() drops the line without a word when nothing listens on
 * /dev/log (a container, a chroot): look first (SPEC 10).
 */
static int
log_syslog_listens(void)
{
	struct sockaddr_un sun;
	int		 fd, ok, type;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
	for (type = SOCK_DGRAM; ; type = SOCK_STREAM) {
		fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return 0;
		ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
		close(fd);
		if (ok || type == SOCK_STREAM)
			return ok;
	}
}

void
log_describe(const struct config *cfg, char *buf, size_t len)
{
	const char	*f = cfg->log_file;
	char		 file[PATH_MAX + 64];
	int		 sys = cfg->log_syslog && log_syslog_listens();

	file[0] = '\0';
	if (f != NULL && strcmp(f, "-") == 0)
		snprintf(file, sizeof(file), "the standard error of the "
		    "process that delivers");
	else if (f != NULL && f[0] != '\0')
		snprintf(file, sizeof(file), "%s", f);
	if (sys)
		snprintf(buf, len, "syslog (facility mail, ident mailhop)%s%s",
		    file[0] != '\0' ? " and " : "", file);
	else if (file[0] != '\0' && cfg->log_syslog)
		snprintf(buf, len, "%s (syslog is on, but nothing listens on "
		    "%s here)", file, _PATH_LOG);
	else if (file[0] != '\0')
		snprintf(buf, len, "%s", file);
	else if (cfg->log_syslog)
		snprintf(buf, len, "nowhere: syslog is on, but nothing listens "
		    "on %s here (a delivery run from a terminal writes to the "
		    "terminal instead; every entry's last reply is in mailq)",
		    _PATH_LOG);
	else
		snprintf(buf, len, "nowhere (syslog = no and no file; every "
		    "entry's last reply is in mailq)");
}

int
log_open(struct log *l, const struct config *cfg, struct mh_err *err)
{
	int	 rc = 0;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->errfd = -1;
	l->json = cfg->log_format == CONF_LOG_JSON;
	/* Not looked up per line: no process logs across a fork. */
	l->pid = (long)getpid();
	if (cfg->log_file != NULL && cfg->log_file[0] != '\0') {
		l->fd = log_open_file(cfg->log_file, err);
		l->fd_is_stderr = strcmp(cfg->log_file, "-") == 0 ||
		    log_own_fd(cfg->log_file) == STDERR_FILENO;
		rc = l->fd == -1 ? -1 : 0;
	}
	if (cfg->log_syslog && log_syslog_listens()) {
		l->use_syslog = 1;
		openlog("mailhop", LOG_PID, LOG_MAIL);
	} else if (cfg->log_syslog && l->fd == -1 && isatty(STDERR_FILENO)) {
		/* No syslog here and no file: a terminal, if there is one. */
		log_also_stderr(l);
	}
	return rc;
}

/* Hand one finished line to the file and stderr (syslog has its own). */
static void
log_write(struct log *l, const char *buf, size_t n)
{
	/* A log that cannot be written must not stop delivery. */
	if (l->fd != -1)
		(void)fsio_write_all(l->fd, buf, n);
	if (l->errfd != -1)
		(void)fsio_write_all(l->errfd, buf, n);
}

/* The text line: "TIME mailhop[PID]: LINE". */
static void
log_emit(struct log *l, const char *line)
{
	char	 buf[LOG_LINE_MAX + 128], when[TIMEFMT_MAX];
	int	 n;

	if (l->use_syslog)
		syslog(LOG_INFO, "%s", line);
	if ((l->fd == -1 && l->errfd == -1) || l->json)
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
	log_write(l, buf, (size_t)n);
}

/* [log] format = json: the fields after time and pid, then a newline. */
static void
log_emit_json(struct log *l, struct buf *fields)
{
	struct buf	 b;
	char		 when[TIMEFMT_MAX];

	if (!l->json || (l->fd == -1 && l->errfd == -1))
		return;
	if (timefmt_rfc3339(time(NULL), when, sizeof(when)) == -1)
		when[0] = '\0';
	buf_init(&b, 0);
	buf_adds(&b, "{\"time\":");
	json_add_string(&b, when);
	buf_addf(&b, ",\"pid\":%ld,", l->pid);
	buf_add(&b, fields->data, fields->len);
	buf_adds(&b, "}\n");
	log_write(l, b.data, b.len);
	buf_free(&b);
}

void
log_also_stderr(struct log *l)
{
	/* "-" is stderr already: once is enough. */
	if (!(l->fd != -1 && l->fd_is_stderr))
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

/* One attempt as the fields of a JSON object (raw values: json.c escapes). */
static void
log_attempt_json(struct log *l, const struct log_attempt *a)
{
	struct buf	 b;

	buf_init(&b, 0);
	buf_adds(&b, "\"id\":");
	json_add_string(&b, a->id);
	buf_adds(&b, ",\"from\":");
	json_add_string(&b, a->from != NULL ? a->from : "");
	buf_adds(&b, ",\"to\":");
	json_add_string(&b, a->to);
	buf_adds(&b, ",\"relay\":");
	if (a->relay != NULL && a->relay[0] != '\0')
		json_add_string(&b, a->relay);
	else
		buf_adds(&b, "null");
	buf_addf(&b, ",\"delay\":%.1f,\"attempts\":%d,\"status\":\"%s\","
	    "\"reply\":", a->delay < 0 ? 0.0 : a->delay, a->attempts,
	    log_status_name(a->status));
	json_add_string(&b, a->reply != NULL ? a->reply : "");
	log_emit_json(l, &b);
	buf_free(&b);
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
	log_attempt_json(l, a);
}

void
log_msg(struct log *l, const char *fmt, ...)
{
	char		 raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	struct buf	 b;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_clean(raw, line, sizeof(line));
	log_emit(l, line);
	buf_init(&b, 0);
	buf_adds(&b, "\"message\":");
	json_add_string(&b, raw);
	log_emit_json(l, &b);
	buf_free(&b);
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
