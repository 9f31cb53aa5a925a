/* SPDX-License-Identifier: MIT */
/*
 * due.c - the schedule index of a spool (due.h): bucket directories of
 * empty marker files, and the stamp that says which boot checked them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "due.h"
#include "fsio.h"
#include "spool.h"
#include "xmem.h"

#define DUE_STAMP	"stamp"
#define DUE_NAME_MAX	128
#define DUE_PATH_MAX	48	/* "HOUR/BUCKET" */
#define DUE_TIME_MAX	24	/* a time_t in decimal */
#define DUE_BOOT_ID	"/proc/sys/kernel/random/boot_id"

int
due_open(struct due *d, int statefd, const char *path, struct mh_err *err)
{
	char	*where;
	int	 fd;

	d->dirfd = -1;
	fd = openat(statefd, DUE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT &&
	    (mkdirat(statefd, DUE_DIR, 0700) == 0 || errno == EEXIST))
		fd = openat(statefd, DUE_DIR, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	where = xasprintf("%s/%s", path, DUE_DIR);
	if (fd == -1) {
		mh_err_errno(err, EX_CANTCREAT, "%s", where);
		free(where);
		return -1;
	}
	if (fsio_check_private_dir(fd, where, geteuid(), err) == -1) {
		close(fd);
		free(where);
		return -1;
	}
	free(where);
	d->dirfd = fd;
	return 0;
}

void
due_close(struct due *d)
{
	if (d->dirfd != -1)
		close(d->dirfd);
	d->dirfd = -1;
}

static void
due_hour_name(char *out, time_t t)
{
	snprintf(out, DUE_TIME_MAX, "%lld", (long long)(t - t % DUE_HOUR));
}

/* "HOUR/BUCKET": the bucket's path under state/due. */
static void
due_bucket_path(char *out, time_t t)
{
	snprintf(out, DUE_PATH_MAX, "%lld/%lld", (long long)(t - t % DUE_HOUR),
	    (long long)(t - t % DUE_BUCKET));
}

static void
due_marker_name(char *out, time_t t, const char *id)
{
	char	 b[DUE_PATH_MAX];

	due_bucket_path(b, t);
	snprintf(out, DUE_NAME_MAX, "%s/%lld.%.20s", b, (long long)t, id);
}

int
due_add(struct due *d, time_t t, const char *id)
{
	char	 h[DUE_TIME_MAX], b[DUE_PATH_MAX], m[DUE_NAME_MAX];
	int	 tries;

	if (d->dirfd == -1 || t < 0) {
		errno = EINVAL;
		return -1;
	}
	due_hour_name(h, t);
	due_bucket_path(b, t);
	due_marker_name(m, t, id);
	/* A flusher may remove the hour or the bucket between our mkdirs. */
	for (tries = 0; tries < 8; tries++) {
		if (mknodat(d->dirfd, m, S_IFREG | 0600, 0) == 0 ||
		    errno == EEXIST)
			return 0;
		if (errno != ENOENT)
			return -1;
		if (mkdirat(d->dirfd, h, 0700) == -1 && errno != EEXIST)
			return -1;
		if (mkdirat(d->dirfd, b, 0700) == -1 && errno != EEXIST &&
		    errno != ENOENT)
			return -1;
	}
	return -1;
}

void
due_del(struct due *d, time_t t, const char *id)
{
	char	 m[DUE_NAME_MAX];

	if (d->dirfd == -1 || t < 0)
		return;
	due_marker_name(m, t, id);
	unlinkat(d->dirfd, m, 0);
}

/* A decimal number of seconds (no sign, no leading zero but "0"). */
static int
due_parse_time(const char *s, size_t len, time_t *t)
{
	long long	 v = 0;
	size_t		 i;

	if (len == 0 || len > 18 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = (time_t)v;
	return 0;
}

/* "TIME.ID" with a valid id; the time must fall in the bucket. */
static int
due_parse_marker(const char *name, time_t bucket, struct due_item *it)
{
	const char	*dot = strchr(name, '.');

	if (dot == NULL || due_parse_time(name, (size_t)(dot - name),
	    &it->t) == -1 || it->t - it->t % DUE_BUCKET != bucket ||
	    strlen(dot + 1) >= sizeof(it->id))
		return -1;
	memcpy(it->id, dot + 1, strlen(dot + 1) + 1);
	return spool_id_valid(it->id) ? 0 : -1;
}

/* Remove a name that has no place in the index: a file, or a directory
 * of files (a bucket of another layout). */
static void
due_remove_junk(int fd, const char *name)
{
	struct dirent	*de;
	DIR		*dir;
	int		 sub;

	if (unlinkat(fd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub != -1 && (dir = fdopendir(sub)) != NULL) {
		while ((de = readdir(dir)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				unlinkat(sub, de->d_name, 0);
		closedir(dir);
	} else if (sub != -1)
		close(sub);
	unlinkat(fd, name, AT_REMOVEDIR);
}

static int
due_cmp_time(const void *a, const void *b)
{
	time_t	 x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The directories of fd named by a time that is a multiple of step and
 * falls in [lo, lo + span) (span 0: no upper end), ascending.  Other
 * names are ignored, or removed as junk when junk is set.
 */
static int
due_dirs(int fd, time_t lo, time_t span, time_t step, int junk, time_t **out,
    size_t *n)
{
	struct dirent	*de;
	DIR		*dir;
	time_t		*v = NULL, t;
	size_t		 cap = 0;
	int		 fd2;

	*n = 0;
	*out = NULL;
	fd2 = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd2 == -1 || (dir = fdopendir(fd2)) == NULL) {
		if (fd2 != -1)
			close(fd2);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (due_parse_time(de->d_name, strlen(de->d_name), &t) == -1 ||
		    t % step != 0 || t < lo || (span != 0 && t >= lo + span)) {
			if (junk)
				due_remove_junk(fd2, de->d_name);
			continue;
		}
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = t;
	}
	closedir(dir);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), due_cmp_time);
	*out = v;
	return 0;
}

static int
due_cmp_item(const void *a, const void *b)
{
	const struct due_item *x = a, *y = b;
	int	 c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->t < y->t ? -1 : x->t > y->t;
}

struct due_set {
	struct due_item	*v;
	size_t		 n, cap;
};

/*
 * Read the markers of one bucket (in the hour directory hourfd) with a
 * time <= now into set (all of them when now is -1).  A name that is not
 * a marker is removed: the directory is private, only we write there.  A
 * bucket that has ended and turns out empty is removed; an adder that
 * loses the race makes it again (due_add).  Returns the number of
 * markers in the bucket.
 */
static ssize_t
due_read_bucket(int hourfd, time_t bucket, time_t now, struct due_set *set,
    struct mh_err *err)
{
	char		 b[DUE_TIME_MAX];
	struct dirent	*de;
	struct due_item	 it;
	DIR		*dir;
	ssize_t		 found = 0;
	int		 fd;

	snprintf(b, sizeof(b), "%lld", (long long)bucket);
	fd = openat(hourfd, b, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return mh_err_errno(err, EX_TEMPFAIL, "schedule index %s", b);
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (due_parse_marker(de->d_name, bucket, &it) == -1) {
			due_remove_junk(fd, de->d_name);
			continue;
		}
		found++;
		if (now != -1 && it.t > now)
			continue;
		if (set->n == set->cap) {
			set->cap = set->cap == 0 ? 256 : set->cap * 2;
			set->v = xreallocarray(set->v, set->cap, sizeof(*set->v));
		}
		set->v[set->n++] = it;
	}
	closedir(dir);
	if (found == 0 && now != -1 && bucket + DUE_BUCKET <= now)
		unlinkat(hourfd, b, AT_REMOVEDIR);
	return found;
}

/* The hour directories of the index, ascending. */
static int
due_hours(struct due *d, time_t **out, size_t *n, struct mh_err *err)
{
	if (due_dirs(d->dirfd, 0, 0, DUE_HOUR, 0, out, n) == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "schedule index");
	return 0;
}

/*
 * Call fn for each bucket of an hour that has begun by now (every one
 * when now is -1), in time order, with the hour's directory.  An hour
 * that has ended and whose buckets all turned out empty is removed.
 */
typedef int	 due_bucket_fn(int hourfd, time_t bucket, ssize_t *found,
		    void *);

static int
due_each_bucket(struct due *d, time_t hour, time_t now, due_bucket_fn *fn,
    void *arg, struct mh_err *err)
{
	char	 h[DUE_TIME_MAX];
	time_t	*b;
	size_t	 nb, i, left;
	ssize_t	 found;
	int	 fd, rc = 1;

	due_hour_name(h, hour);
	fd = openat(d->dirfd, h, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 1;
	if (fd == -1 || due_dirs(fd, hour, DUE_HOUR, DUE_BUCKET, 1, &b,
	    &nb) == -1) {
		if (fd != -1)
			close(fd);
		return mh_err_errno(err, EX_TEMPFAIL, "schedule index %s", h);
	}
	left = nb;
	for (i = 0; i < nb && rc == 1; i++) {
		if (now != -1 && b[i] > now)
			break;
		found = 1;
		rc = fn(fd, b[i], &found, arg);
		if (found == 0 && now != -1 && b[i] + DUE_BUCKET <= now)
			left--;
	}
	free(b);
	close(fd);
	if (rc == 1 && left == 0 && now != -1 && hour + DUE_HOUR <= now)
		unlinkat(d->dirfd, h, AT_REMOVEDIR);
	return rc;
}

/* Walk the buckets that have begun by now (all: -1); -1, 0 (fn stopped)
 * or 1. */
static int
due_each(struct due *d, time_t now, due_bucket_fn *fn, void *arg,
    struct mh_err *err)
{
	time_t	*hours;
	size_t	 nh, i;
	int	 rc = 1;

	if (due_hours(d, &hours, &nh, err) == -1)
		return -1;
	for (i = 0; i < nh && rc == 1; i++) {
		if (now != -1 && hours[i] > now)
			break;
		rc = due_each_bucket(d, hours[i], now, fn, arg, err);
	}
	free(hours);
	return rc;
}

struct due_listing {
	struct due_set	 set;
	time_t		 now;
	struct mh_err	*err;
};

static int
due_list_bucket(int hourfd, time_t bucket, ssize_t *found, void *arg)
{
	struct due_listing	*l = arg;

	*found = due_read_bucket(hourfd, bucket, l->now, &l->set, l->err);
	return *found == -1 ? -1 : 1;
}

int
due_list(struct due *d, time_t now, struct due_item **out, size_t *n,
    struct mh_err *err)
{
	struct due_listing	 l = { { NULL, 0, 0 }, now, err };

	*out = NULL;
	*n = 0;
	if (now < 0)
		now = 0;
	l.now = now;
	if (due_each(d, now, due_list_bucket, &l, err) == -1) {
		free(l.set.v);
		return -1;
	}
	if (l.set.n > 1)
		qsort(l.set.v, l.set.n, sizeof(*l.set.v), due_cmp_item);
	*out = l.set.v;
	*n = l.set.n;
	return 0;
}

static int
due_cmp_when(const void *a, const void *b)
{
	const struct due_item *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

struct due_walking {
	struct due_set	 set;
	due_walk_fn	*fn;
	void		*arg;
	struct mh_err	 err;
};

static int
due_walk_bucket(int hourfd, time_t bucket, ssize_t *found, void *arg)
{
	struct due_walking	*w = arg;
	size_t			 k;

	w->set.n = 0;
	*found = due_read_bucket(hourfd, bucket, -1, &w->set, &w->err);
	if (*found == -1)
		return -1;
	if (w->set.n > 1)
		qsort(w->set.v, w->set.n, sizeof(*w->set.v), due_cmp_when);
	for (k = 0; k < w->set.n; k++)
		if (w->fn(&w->set.v[k], w->arg))
			return 0;
	return 1;
}

int
due_walk(struct due *d, due_walk_fn *fn, void *arg)
{
	struct due_walking	 w = { { NULL, 0, 0 }, fn, arg, { 0 } };
	int			 rc;

	rc = due_each(d, -1, due_walk_bucket, &w, &w.err);
	free(w.set.v);
	return rc;
}

static int
due_first(const struct due_item *it, void *arg)
{
	*(time_t *)arg = it->t;
	return 1;
}

int
due_next(struct due *d, time_t *when)
{
	return due_walk(d, due_first, when);
}

void
due_purge(struct due *d)
{
	struct dirent	*de;
	DIR		*dir;
	time_t		 t;
	int		 fd;

	if (d->dirfd == -1)
		return;
	fd = openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	/* Dot names: ".", "..", and a rebuilder's temporary stamp. */
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, DUE_STAMP) == 0)
			continue;
		if (due_parse_time(de->d_name, strlen(de->d_name), &t) == 0 &&
		    t % DUE_HOUR == 0)
			continue;
		due_remove_junk(fd, de->d_name);
	}
	closedir(dir);
}

/* ---- the stamp ---- */

/*
 * What names this boot: the kernel's boot id, else (no /proc in a
 * minimal root) the minute the system booted.
 */
static void
due_boot(char *out, size_t len)
{
	struct timespec	 real, up;
	struct mh_err	 err;
	char		*data;
	size_t		 n;

	if (fsio_read_file(AT_FDCWD, DUE_BOOT_ID, 128, &data, &n, &err) == 0) {
		while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == ' '))
			n--;
		snprintf(out, len, "id %.*s", (int)n, data);
		free(data);
		if (n > 0)
			return;
	}
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &up);
	snprintf(out, len, "at %lld", (long long)(real.tv_sec - up.tv_sec) / 60);
}

static void
due_stamp_text(char *out, size_t len)
{
	char	 boot[160];

	due_boot(boot, sizeof(boot));
	snprintf(out, len, "mailhop-due %d\nboot %s\n", DUE_VERSION, boot);
}

int
due_trusted(struct due *d)
{
	char	 want[256];
	char	*data;
	size_t	 len;
	int	 ok;
	struct mh_err err;

	if (d->dirfd == -1 ||
	    fsio_read_file(d->dirfd, DUE_STAMP, 255, &data, &len, &err) == -1)
		return 0;
	due_stamp_text(want, sizeof(want));
	ok = len == strlen(want) && memcmp(data, want, len) == 0;
	free(data);
	return ok;
}

int
due_stamp(struct due *d, struct mh_err *err)
{
	char	 text[256], tmp[DUE_NAME_MAX];

	/* Two rebuilders may stamp at once: a temporary name each. */
	due_stamp_text(text, sizeof(text));
	snprintf(tmp, sizeof(tmp), ".tmp.stamp.%ld", (long)getpid());
	unlinkat(d->dirfd, tmp, 0);
	return fsio_replace_atomic(d->dirfd, tmp, DUE_STAMP, text,
	    strlen(text), err);
}

void
due_unstamp(struct due *d)
{
	if (d->dirfd != -1)
		unlinkat(d->dirfd, DUE_STAMP, 0);
}
