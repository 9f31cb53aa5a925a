/* SPDX-License-Identifier: MIT */
/*
 * state.c - the spool's state directory (state.h).  Small files, replaced
 * through fsio's atomic write; locks on NAME.lock files that nothing ever
 * replaces; temporary files of writers that died are removed when the
 * directory is opened for writing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsio.h"
#include "state.h"
#include "xmem.h"

#define STATE_TMP_AGE	60	/* a temporary file this old is dead */

int
state_name_ok(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || s[0] == '.')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= STATE_NAME_MAX || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
state_bad_name(const char *name, struct mh_err *err)
{
	return mh_err_set(err, EX_SOFTWARE, "state file name \"%.64s\" is "
	    "not valid", name);
}

/* Temporary files of writers that died (a crash between write and rename). */
static void
state_clean(int dirfd)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd;

	if ((fd = dup(dirfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".tmp.", 5) == 0 &&
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime + STATE_TMP_AGE < time(NULL))
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

int
state_open(struct state *st, struct spool *sp, int create,
    struct mh_err *err)
{
	char	*path;
	int	 fd, rc;

	st->dirfd = -1;
	st->pins = NULL;
	st->npins = 0;
	if (create) {
		/* spool.c makes and checks it (one home); we keep a copy. */
		if ((fd = spool_state_open(sp, err)) == -1)
			return -1;
		if ((st->dirfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
			return mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path,
			    SPOOL_STATE_DIR);
		state_clean(st->dirfd);
		return 0;
	}
	/* A reader (mailq) creates nothing: no directory, no state. */
	fd = openat(sp->dirfd, SPOOL_STATE_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 1;
	path = xasprintf("%s/%s", sp->path, SPOOL_STATE_DIR);
	if (fd == -1)
		rc = mh_err_errno(err, EX_CANTCREAT, "%s", path);
	else if ((rc = fsio_check_private_dir(fd, path, geteuid(), err)) == -1)
		close(fd);
	else
		st->dirfd = fd;
	free(path);
	return rc;
}

void
state_adopt(struct state *st, int dirfd)
{
	st->dirfd = dirfd;
	st->pins = NULL;
	st->npins = 0;
}

void
state_close(struct state *st)
{
	size_t	 i;

	for (i = 0; i < st->npins; i++) {
		close(st->pins[i].fd);
		close(st->pins[i].lockfd);
	}
	free(st->pins);
	st->pins = NULL;
	st->npins = 0;
	if (st->dirfd != -1)
		close(st->dirfd);
	st->dirfd = -1;
}

static const struct state_pin *
state_pinned(const struct state *st, const char *name)
{
	size_t	 i;

	for (i = 0; i < st->npins; i++)
		if (strcmp(st->pins[i].name, name) == 0)
			return &st->pins[i];
	return NULL;
}

/* One file of a pin: root's, not writable by others; made when create. */
static int
state_pin_open(const struct state *st, const char *name, int flags,
    int create, gid_t gid, struct mh_err *err)
{
	struct stat	 sb;
	int		 fd;

	fd = openat(st->dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | (create ? O_CREAT : 0), 0660);
	if (fd == -1 && errno == ENOENT && !create)
		return -2;
	if (fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
	/* Root makes them for the group (whatever its umask). */
	if (create && (fchown(fd, 0, gid) == -1 || fchmod(fd, 0660) == -1)) {
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
		close(fd);
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & S_IWOTH)) {
		mh_err_set(err, EX_TEMPFAIL, "state file %s: not a regular "
		    "file of root's that only root and its group may write",
		    name);
		close(fd);
		return -1;
	}
	return fd;
}

int
state_pin(struct state *st, const char *name, int create, gid_t gid,
    struct mh_err *err)
{
	struct state_pin	 p;
	char			 lock[STATE_NAME_MAX + 8];

	if (!state_name_ok(name))
		return state_bad_name(name, err);
	if (state_pinned(st, name) != NULL)
		return 0;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(lock, sizeof(lock), "%s.lock", name);
	p.fd = state_pin_open(st, name, O_RDWR | O_APPEND, create, gid, err);
	if (p.fd < 0)
		return p.fd == -2 ? 1 : -1;
	p.lockfd = state_pin_open(st, lock, O_RDWR, create, gid, err);
	if (p.lockfd < 0) {
		close(p.fd);
		return p.lockfd == -2 ? 1 : -1;
	}
	st->pins = xreallocarray(st->pins, st->npins + 1, sizeof(*st->pins));
	st->pins[st->npins++] = p;
	return 0;
}

/*
 * A pinned state_write(): in place, under the caller's lock.  Written
 * from the start, then cut to its length, then synced: when the new text
 * is the tail of the old one and at most half of it (rate.c's rewrite
 * keeps the newest records of 2N + 64), a crash at any point leaves that
 * tail at the end of the file, where rate.c reads.
 */
static int
state_write_pinned(const struct state_pin *p, const void *data, size_t len,
    struct mh_err *err)
{
	const char	*d = data;
	size_t		 off = 0;
	ssize_t		 w;
	int		 fl, rc = -1;

	/* pwrite() ignores its offset on an O_APPEND descriptor (Linux). */
	if ((fl = fcntl(p->fd, F_GETFL)) == -1 ||
	    fcntl(p->fd, F_SETFL, fl & ~O_APPEND) == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "state file %s",
		    p->name);
	while (off < len) {
		w = pwrite(p->fd, d + off, len - off, (off_t)off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			errno = w == 0 ? EIO : errno;
			goto done;
		}
		off += (size_t)w;
	}
	if (ftruncate(p->fd, (off_t)len) == -1 || fsync(p->fd) == -1)
		goto done;
	rc = 0;
done:
	if (rc == -1)
		mh_err_errno(err, EX_TEMPFAIL, "state file %s", p->name);
	(void)fcntl(p->fd, F_SETFL, fl);
	return rc;
}

int
state_read(const struct state *st, const char *name, size_t max,
    char **data, size_t *len, struct mh_err *err)
{
	*data = NULL;
	*len = 0;
	if (!state_name_ok(name))
		return state_bad_name(name, err);
	if (st->dirfd == -1)
		return 1;
	if (fsio_read_file(st->dirfd, name, max, data, len, err) == 0)
		return 0;
	if (errno == ENOENT)
		return 1;
	return -1;
}

int
state_write(const struct state *st, const char *name, const void *data,
    size_t len, struct mh_err *err)
{
	char			 tmp[STATE_NAME_MAX + 32];
	const struct state_pin	*p;

	if (!state_name_ok(name))
		return state_bad_name(name, err);
	p = state_pinned(st, name);
	if (p != NULL)
		return state_write_pinned(p, data, len, err);
	snprintf(tmp, sizeof(tmp), ".tmp.%s.%ld", name, (long)getpid());
	unlinkat(st->dirfd, tmp, 0);
	return fsio_write_atomic(st->dirfd, tmp, name, data, len, err);
}

int
state_remove(const struct state *st, const char *name, struct mh_err *err)
{
	if (!state_name_ok(name))
		return state_bad_name(name, err);
	if (unlinkat(st->dirfd, name, 0) == -1 && errno != ENOENT)
		return mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
	return 0;
}

int
state_open_file(const struct state *st, const char *name, int *fd,
    struct mh_err *err)
{
	const struct state_pin	*p;

	if (!state_name_ok(name))
		return state_bad_name(name, err);
	p = state_pinned(st, name);
	if (p != NULL) {
		*fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0);
		if (*fd == -1)
			return mh_err_errno(err, EX_TEMPFAIL, "state file %s",
			    name);
		return 0;
	}
	*fd = openat(st->dirfd, name, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (*fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "state file %s", name);
	return 0;
}

int
state_lock(const struct state *st, const char *name, int *fd,
    struct mh_err *err)
{
	const struct state_pin	*p;
	char			 lock[STATE_NAME_MAX + 8];

	if (!state_name_ok(name))
		return state_bad_name(name, err);
	snprintf(lock, sizeof(lock), "%s.lock", name);
	/* A pin's lock is a dup: state_unlock() unlocks before it closes. */
	p = state_pinned(st, name);
	if (p != NULL)
		*fd = fcntl(p->lockfd, F_DUPFD_CLOEXEC, 0);
	else
		*fd = openat(st->dirfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (*fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "state lock %s", lock);
	while (flock(*fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			mh_err_errno(err, EX_TEMPFAIL, "state lock %s", lock);
			close(*fd);
			*fd = -1;
			return -1;
		}
	return 0;
}

void
state_unlock(int fd)
{
	if (fd == -1)
		return;
	/* A pinned lock's description stays open: unlock it explicitly. */
	flock(fd, LOCK_UN);
	close(fd);
}

static int
state_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
state_listed(const char *name, const char *prefix)
{
	size_t	 n = strlen(name);

	return strncmp(name, prefix, strlen(prefix)) == 0 &&
	    state_name_ok(name) && !(n > 5 && strcmp(name + n - 5, ".lock") == 0);
}

int
state_list(const struct state *st, const char *prefix, char ***names,
    size_t *n, struct mh_err *err)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	*names = NULL;
	*n = 0;
	if (st->dirfd == -1)
		return 0;
	if ((fd = dup(st->dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return mh_err_errno(err, EX_TEMPFAIL, "state directory");
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!state_listed(de->d_name, prefix))
			continue;
		*names = xreallocarray(*names, *n + 1, sizeof(**names));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), state_cmp);
	return 0;
}

void
state_names_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}
