/* SPDX-License-Identifier: MIT */
/*
 * wake.c - sleeping until there is something to deliver (wake.h).  A new
 * entry becomes visible when its envelope is renamed into place (spool.c's
 * commit), so IN_MOVED_TO of "ID.e" is the event; envelope updates look
 * the same and are the caller's to tell apart (it knows what it touched).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "spool.h"
#include "wake.h"
#include "xmem.h"

/* More new entries than this between two looks: rescan instead. */
#define WAKE_IDS_MAX	4096
/* Without inotify, the directory is looked at this often. */
#define WAKE_FALLBACK_MS 1000

static volatile sig_atomic_t wake_stop;
static volatile sig_atomic_t wake_hup;
static int	 wake_pipe[2] = { -1, -1 };

static const int wake_signals[] = { SIGTERM, SIGINT, SIGHUP };

static void
wake_on_signal(int sig)
{
	int	 saved = errno;
	char	 c = 1;

	if (sig == SIGHUP)
		wake_hup = 1;
	else
		wake_stop = 1;
	if (wake_pipe[1] != -1)
		(void)write(wake_pipe[1], &c, 1);
	errno = saved;
}

static int
wake_signals_on(struct mh_err *err)
{
	struct sigaction sa;
	size_t		 i;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return mh_err_errno(err, EX_OSERR, "pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake_on_signal;
	sigemptyset(&sa.sa_mask);
	/* Whatever is in progress goes on; only the sleep is cut short. */
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(wake_signals) / sizeof(wake_signals[0]); i++)
		sigaction(wake_signals[i], &sa, NULL);
	return 0;
}

static void
wake_mtime(struct wake *w, struct timespec *ts)
{
	struct stat	 st;

	if (fstat(w->dirfd, &st) == 0)
		*ts = st.st_mtim;
	else
		memset(ts, 0, sizeof(*ts));
}

int
wake_open(struct wake *w, int dirfd, const char *path, struct mh_err *err)
{
	char	 self[64];

	memset(w, 0, sizeof(*w));
	w->ifd = -1;
	w->dirfd = dirfd;
	if (wake_signals_on(err) == -1)
		return -1;
	/*
	 * Through /proc, so that the directory watched is the one we hold
	 * open, not whatever its path names now; by its path in a root
	 * without /proc.
	 */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
	w->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->ifd != -1 && inotify_add_watch(w->ifd, self, IN_MOVED_TO |
	    IN_ONLYDIR) == -1 && inotify_add_watch(w->ifd, path, IN_MOVED_TO |
	    IN_ONLYDIR | IN_DONT_FOLLOW) == -1) {
		close(w->ifd);
		w->ifd = -1;
	}
	if (w->ifd == -1)
		wake_mtime(w, &w->mtime);
	return 0;
}

void
wake_close(struct wake *w)
{
	struct sigaction sa;
	size_t		 i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(wake_signals) / sizeof(wake_signals[0]); i++)
		sigaction(wake_signals[i], &sa, NULL);
	for (i = 0; i < 2; i++) {
		if (wake_pipe[i] != -1)
			close(wake_pipe[i]);
		wake_pipe[i] = -1;
	}
	if (w->ifd != -1)
		close(w->ifd);
	w->ifd = -1;
	wake_forget(w);
	free(w->ids);
	w->ids = NULL;
	w->cap = 0;
}

void
wake_forget(struct wake *w)
{
	size_t	 i;

	for (i = 0; i < w->nids; i++)
		free(w->ids[i]);
	w->nids = 0;
	w->rescan = 0;
}

/* "ID.e" of a valid id: remember ID once. */
static void
wake_note(struct wake *w, const char *name)
{
	char	 id[ENVELOPE_ID_MAX];
	size_t	 n = strlen(name), i;

	if (n < 3 || n - 2 >= sizeof(id) || strcmp(name + n - 2, ".e") != 0)
		return;
	memcpy(id, name, n - 2);
	id[n - 2] = '\0';
	if (!spool_id_valid(id))
		return;
	for (i = 0; i < w->nids; i++)
		if (strcmp(w->ids[i], id) == 0)
			return;
	if (w->nids == WAKE_IDS_MAX) {
		w->rescan = 1;
		return;
	}
	if (w->nids == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->ids = xreallocarray(w->ids, w->cap, sizeof(*w->ids));
	}
	w->ids[w->nids++] = xstrdup(id);
}

/* Read what inotify has; 1 if anything was noted. */
static int
wake_read_events(struct wake *w)
{
	char		 buf[4096] __attribute__((aligned(
			    __alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t		 n;
	char		*p;
	size_t		 before = w->nids;
	int		 before_rescan = w->rescan, lost = 0;

	for (;;) {
		n = read(w->ifd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED))
				w->rescan = 1;
			else if (ev->len > 0)
				wake_note(w, ev->name);
			if (ev->mask & IN_IGNORED)
				lost = 1;
		}
	}
	/* The directory went away: the fallback from now on. */
	if (lost) {
		close(w->ifd);
		w->ifd = -1;
		wake_mtime(w, &w->mtime);
	}
	return w->nids != before || w->rescan != before_rescan;
}

/* Without inotify: did the directory change since the last look? */
static int
wake_changed(struct wake *w)
{
	struct timespec	 ts;

	wake_mtime(w, &ts);
	if (ts.tv_sec == w->mtime.tv_sec && ts.tv_nsec == w->mtime.tv_nsec)
		return 0;
	w->mtime = ts;
	w->rescan = 1;
	return 1;
}

static int
wake_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum wake_why
wake_why_now(struct wake *w)
{
	char	 c;

	while (read(wake_pipe[0], &c, 1) == 1)
		;
	if (wake_stop)
		return WAKE_STOP;
	if (wake_hup) {
		wake_hup = 0;
		return WAKE_RELOAD;
	}
	if (w->rescan)
		return WAKE_RESCAN;
	if (w->nids > 0) {
		qsort(w->ids, w->nids, sizeof(*w->ids), wake_cmp);
		return WAKE_NEW;
	}
	return WAKE_TIME;
}

enum wake_why
wake_wait(struct wake *w, long timeout_ms)
{
	struct pollfd	 pfd[2];
	struct timespec	 start, now;
	long		 left = timeout_ms, slice;
	int		 n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (w->ifd != -1)
			wake_read_events(w);
		else
			wake_changed(w);
		if (wake_stop || wake_hup || w->rescan || w->nids > 0 ||
		    left == 0)
			return wake_why_now(w);
		pfd[0].fd = wake_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = w->ifd;
		pfd[1].events = POLLIN;
		slice = left;
		if (w->ifd == -1 && (slice < 0 || slice > WAKE_FALLBACK_MS))
			slice = WAKE_FALLBACK_MS;
		if (slice > INT_MAX)
			slice = INT_MAX;
		n = poll(pfd, w->ifd != -1 ? 2 : 1, (int)slice);
		if (n == -1 && errno != EINTR)
			return WAKE_RESCAN;	/* cannot sleep: look now */
		if (timeout_ms < 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left < 0)
			left = 0;
	}
}

char *const *
wake_ids(const struct wake *w, size_t *n)
{
	*n = w->nids;
	return w->ids;
}

int
wake_stopping(void)
{
	return wake_stop != 0;
}

const volatile sig_atomic_t *
wake_stop_flag(void)
{
	return &wake_stop;
}
