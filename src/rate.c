/* SPDX-License-Identifier: MIT */
/*
 * rate.c - the sliding window of rate.h as a log of fixed-width records
 * ("%013lld\n", milliseconds), appended in time order.  With k records,
 * a slot is free when k < N or record k-N (the N-th newest) has left the
 * window: one pread per message, whatever N.  The log is rewritten with
 * its newest N records (atomically) once it holds 2N + 64; a torn last
 * record (a crash during the append) is cut off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsio.h"
#include "rate.h"
#include "state.h"
#include "xmem.h"

#define RATE_REC	14		/* 13 digits and a newline */
#define RATE_SLACK	64		/* records past 2N before a rewrite */

void
rate_describe(const struct upstream *up, char *out, size_t len)
{
	char	 sect[64];
	char	 unit;

	unit = up->rate.window == 1 ? 's' : up->rate.window == 60 ? 'm' :
	    up->rate.window == 3600 ? 'h' : 'd';
	snprintf(out, len, "%ld/%c of %s", up->rate.count, unit,
	    upstream_section(up, sect, sizeof(sect)));
}

/* The time in a record's RATE_REC bytes; -1 when it is not a record. */
static long long
rate_parse(const char *p)
{
	char		 rec[RATE_REC + 1];
	char		*end;
	long long	 t;

	if (p[RATE_REC - 1] != '\n')
		return -1;
	memcpy(rec, p, RATE_REC - 1);
	rec[RATE_REC - 1] = '\0';
	t = strtoll(rec, &end, 10);
	return *end == '\0' && end != rec && t >= 0 ? t : -1;
}

/* Record i of the log; -1 when it cannot be read or is not a record. */
static long long
rate_record(int fd, off_t i)
{
	char	 rec[RATE_REC];

	if (pread(fd, rec, RATE_REC, i * RATE_REC) != RATE_REC)
		return -1;
	return rate_parse(rec);
}

/* Keep the newest n of k records: a new file, renamed over the log. */
static int
rate_compact(const struct state *st, const char *name, int fd, off_t k,
    off_t n, struct mh_err *err)
{
	char	*data;
	size_t	 len = (size_t)n * RATE_REC;
	int	 rc;

	data = xmalloc(len + 1);
	if (pread(fd, data, len, (k - n) * RATE_REC) != (ssize_t)len) {
		free(data);
		return mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
	}
	rc = state_write(st, name, data, len, err);
	free(data);
	return rc;
}

/* Under the lock: the free-slot test, the append, the sync. */
static int
rate_take_locked(const struct state *st, const struct upstream *up,
    const char *name, long long now, long long *wait, long long *taken,
    struct mh_err *err)
{
	struct stat	 sb;
	char		 rec[RATE_REC + 1];
	long long	 w = up->rate.window * 1000LL, old, last;
	off_t		 k, n = up->rate.count;
	int		 fd, rc = -1;

	if (state_open_file(st, name, &fd, err) == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
		goto done;
	}
	k = sb.st_size / RATE_REC;
	if (sb.st_size % RATE_REC != 0 && ftruncate(fd, k * RATE_REC) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
		goto done;
	}
	if (k >= n && (old = rate_record(fd, k - n)) != -1 && now - old < w) {
		*wait = old + w - now;
		rc = 1;
		goto done;
	}
	last = k > 0 ? rate_record(fd, k - 1) : -1;
	/*
	 * A per-second rate is also paced, a slot every 1/N s: providers
	 * count such rates over parts of a second (SES), and N messages
	 * still go within one window.
	 */
	if (up->rate.window == 1 && last != -1 && now < last + w / n) {
		*wait = last + w / n - now;
		rc = 1;
		goto done;
	}
	/* In time order even if the clock stepped back. */
	if (last > now)
		now = last;
	snprintf(rec, sizeof(rec), "%013lld\n", now);
	if (taken != NULL)
		*taken = now;
	if (fsio_write_all(fd, rec, RATE_REC) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
		goto done;
	}
	/* A daily quota must hold across a crash: the slot is on disk first. */
	if (up->rate.window >= 3600 &&
	    (fsio_fsync_file(fd, "the rate log", err) == -1 ||
	    (k == 0 && fsio_fsync_dir(st->dirfd, err) == -1)))
		goto done;
	rc = 0;
	if (k + 1 > 2 * n + RATE_SLACK &&
	    rate_compact(st, name, fd, k + 1, n, err) == -1)
		rc = -1;
done:
	close(fd);
	return rc;
}

int
rate_take(const struct state *st, const struct upstream *up,
    long long now_ms, long long *wait_ms, long long *taken,
    struct mh_err *err)
{
	char	 name[STATE_NAME_MAX + 8];
	int	 lock, rc;

	*wait_ms = 0;
	if (taken != NULL)
		*taken = 0;
	if (up->rate.count <= 0)
		return 0;
	snprintf(name, sizeof(name), "rate.%s", up->name);
	if (state_lock(st, name, &lock, err) == -1)
		return -1;
	rc = rate_take_locked(st, up, name, now_ms, wait_ms, taken, err);
	state_unlock(lock);
	return rc;
}

/*
 * Under the lock: drop, for each stamp, the newest record that holds it
 * (another flusher's records stay), and rewrite the log when one went.
 */
static int
rate_give_locked(const struct state *st, const char *name,
    const long long *stamps, size_t n, struct mh_err *err)
{
	struct stat	 sb;
	char		*data = NULL;
	off_t		 k, i;
	size_t		 j, len, gone = 0;
	int		 fd, rc = -1;

	if (state_open_file(st, name, &fd, err) == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
		goto done;
	}
	k = sb.st_size / RATE_REC;
	len = (size_t)k * RATE_REC;
	data = xmalloc(len + 1);
	if (pread(fd, data, len, 0) != (ssize_t)len) {
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
		goto done;
	}
	for (j = 0; j < n; j++)
		for (i = k - 1; stamps[j] > 0 && i >= 0; i--)
			if (rate_parse(data + i * RATE_REC) == stamps[j]) {
				data[i * RATE_REC] = 'x';	/* gone */
				gone++;
				break;
			}
	rc = 0;
	if (gone == 0)
		goto done;
	for (i = 0, j = 0; i < k; i++)
		if (data[i * RATE_REC] != 'x') {
			memmove(data + j * RATE_REC, data + i * RATE_REC,
			    RATE_REC);
			j++;
		}
	rc = state_write(st, name, data, j * RATE_REC, err);
done:
	free(data);
	close(fd);
	return rc;
}

int
rate_give(const struct state *st, const struct upstream *up,
    const long long *stamps, size_t n, struct mh_err *err)
{
	char	 name[STATE_NAME_MAX + 8];
	int	 lock, rc;

	if (up->rate.count <= 0 || n == 0)
		return 0;
	snprintf(name, sizeof(name), "rate.%s", up->name);
	if (state_lock(st, name, &lock, err) == -1)
		return -1;
	rc = rate_give_locked(st, name, stamps, n, err);
	state_unlock(lock);
	return rc;
}
