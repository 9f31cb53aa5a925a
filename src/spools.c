/* SPDX-License-Identifier: MIT */
/*
 * spools.c - root's view of every spool: the listing of the system spool
 * root and a child per spool that works as the spool's owner.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "fsio.h"
#include "launch.h"
#include "paths.h"
#include "setid.h"
#include "spool.h"
#include "spools.h"
#include "xmem.h"

/* What a child sends back before it exits. */
struct spools_report {
	int		 rc;
	struct mh_err	 err;
};

int
spools_all_visible(void)
{
	return getuid() == 0;
}

/*
 * The owner's group: from passwd; for a uid without an entry (containers)
 * the directory's group unless that is root's or the mailhop group (the
 * helper made the directory with it), then nogroup.
 */
static gid_t
spools_gid(uid_t uid, gid_t dirgid)
{
	struct passwd	*pw;
	struct group	*gr;

	if ((pw = getpwuid(uid)) != NULL)
		return pw->pw_gid;
	gr = getgrnam(paths_group);
	if (dirgid == 0 || (gr != NULL && gr->gr_gid == dirgid))
		return 65534;
	return dirgid;
}

static void
spools_add(struct spools_dir **v, size_t *n, const char *path,
    const struct stat *st)
{
	struct spools_dir	*d;
	struct passwd		*pw;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	d = &(*v)[(*n)++];
	d->path = xstrdup(path);
	d->uid = st->st_uid;
	d->gid = spools_gid(st->st_uid, st->st_gid);
	pw = getpwuid(st->st_uid);
	d->user = pw != NULL ? xstrdup(pw->pw_name) :
	    xasprintf("%lu", (unsigned long)st->st_uid);
}

static int
spools_cmp(const void *a, const void *b)
{
	return strcmp(((const struct spools_dir *)a)->path,
	    ((const struct spools_dir *)b)->path);
}

/* Every directory of the system spool root; never a link, never a dot name. */
static int
spools_scan(struct spools_dir **v, size_t *n, struct mh_err *err)
{
	DIR		*dir;
	struct dirent	*de;
	struct stat	 st;
	size_t		 first = *n;
	char		*path;

	if ((dir = opendir(paths_spool_root)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return mh_err_errno(err, EX_TEMPFAIL, "%s", paths_spool_root);
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode))
			continue;
		path = xasprintf("%s/%s", paths_spool_root, de->d_name);
		spools_add(v, n, path, &st);
		free(path);
	}
	closedir(dir);
	if (*n - first > 1)
		qsort(*v + first, *n - first, sizeof(**v), spools_cmp);
	return 0;
}

/*
 * The account that ROOT/name belongs to by its name (%u: the account
 * name; %U or no passwd entry: the uid in decimal); 0 when the name is
 * nobody's.
 */
static int
spools_name_uid(const char *name, uid_t *uid)
{
	struct passwd	*pw;
	char		*end;
	unsigned long	 v;

	if ((pw = getpwnam(name)) != NULL) {
		*uid = pw->pw_uid;
		return 1;
	}
	errno = 0;
	v = strtoul(name, &end, 10);
	if (name[0] < '0' || name[0] > '9' || *end != '\0' || errno != 0 ||
	    v != (unsigned long)(uid_t)v)
		return 0;
	*uid = (uid_t)v;
	return 1;
}

/* One line on stderr: what ROOT/name is instead of name's directory. */
static void
spools_blocked_say(const char *name, const struct stat *st)
{
	struct passwd	*pw;
	char		 what[640];

	if (S_ISLNK(st->st_mode))
		snprintf(what, sizeof(what), "a symbolic link");
	else if (!S_ISDIR(st->st_mode))
		snprintf(what, sizeof(what), "not a directory");
	else if ((pw = getpwuid(st->st_uid)) != NULL)
		snprintf(what, sizeof(what), "owned by %s, not %s", pw->pw_name,
		    name);
	else
		snprintf(what, sizeof(what), "owned by uid %lu, not %s",
		    (unsigned long)st->st_uid, name);
	fprintf(stderr, "mailhop: %s/%s is %s: %s's mail cannot be queued "
	    "until root removes it (rm -r %s/%s)\n", paths_spool_root, name,
	    what, name, paths_spool_root, name);
}

int
spools_blocked(void)
{
	DIR		*dir;
	struct dirent	*de;
	struct stat	 st;
	uid_t		 uid;
	int		 n = 0;

	if ((dir = opendir(paths_spool_root)) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || !spools_name_uid(de->d_name, &uid) ||
		    fstatat(dirfd(dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 ||
		    (S_ISDIR(st.st_mode) && st.st_uid == uid))
			continue;
		spools_blocked_say(de->d_name, &st);
		n++;
	}
	closedir(dir);
	return n;
}

int
spools_list(const char *own, struct spools_dir **out, size_t *n,
    struct mh_err *err)
{
	struct stat	 st;

	*out = NULL;
	*n = 0;
	/* Root's own spool, when it is not one of the root's directories. */
	if (own != NULL && spool_root_leaf(own) == NULL &&
	    lstat(own, &st) == 0 && S_ISDIR(st.st_mode))
		spools_add(out, n, own, &st);
	if (spools_scan(out, n, err) == -1) {
		spools_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void
spools_free(struct spools_dir *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].user);
	}
	free(v);
}

/* The child: become the owner, run fn, report, exit. */
static void
spools_child(const struct spools_dir *d, spools_fn *fn, void *arg,
    size_t len, int wfd)
{
	struct spools_report	 rep;

	memset(&rep, 0, sizeof(rep));
	if (d->uid != 0 && setid_become(d->uid, d->gid, &rep.err) == -1)
		rep.rc = -1;
	else
		rep.rc = fn(d, arg, &rep.err);
	fflush(stdout);
	if (fsio_write_all(wfd, &rep, sizeof(rep)) == 0 && len > 0)
		fsio_write_all(wfd, arg, len);
	_exit(0);
}

int
spools_run(const struct spools_dir *d, spools_fn *fn, void *arg, size_t len,
    int *status, struct mh_err *err)
{
	struct spools_report	 rep;
	int			 p[2];
	pid_t			 pid;
	ssize_t			 got;

	*status = 0;
	if ((pid = launch_fork(p, err)) == -1)
		return -1;
	if (pid == 0)
		spools_child(d, fn, arg, len, p[1]);
	got = fsio_read_full(p[0], &rep, sizeof(rep));
	if (got == (ssize_t)sizeof(rep) && len > 0 &&
	    fsio_read_full(p[0], arg, len) != (ssize_t)len)
		got = -1;
	close(p[0]);
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return mh_err_errno(err, EX_OSERR, "waitpid");
	if (got != (ssize_t)sizeof(rep))
		return 2;
	if (rep.rc == -1)
		*err = rep.err;
	return rep.rc;
}
