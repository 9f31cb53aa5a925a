/* SPDX-License-Identifier: MIT */
/*
 * faultfs.c - an LD_PRELOAD shim that makes one file-system call of the
 * real binary fail, the way SQLite's SimulateIOError does inside SQLite:
 *
 *	FAULTFS_OP=fsync	write, fsync, fdatasync, rename (rename and
 *				renameat), link (link and linkat), create
 *				(open/openat with O_CREAT, mknodat), inotify
 *				(inotify_init1: no inotify, as where a
 *				container's limit is used up)
 *	FAULTFS_NTH=2		the Nth matching call fails (1-based); 0 never
 *	FAULTFS_ERRNO=EIO	EIO or ENOSPC (default ENOSPC)
 *	FAULTFS_DIR=/path	only calls on files at or below this directory
 *				count (an fd is mapped to its path through
 *				/proc/self/fd); stdout, pipes and the test's
 *				other files are left alone
 *	FAULTFS_LOG=/file	optional: append "op N path" for every matching
 *				call, and "FAIL" on the one that failed
 *
 * Only the listed calls are wrapped, through the dynamic symbols the
 * binary calls; glibc's own internal calls (stdio flushing) go past it,
 * which is fine: mailhop writes its spool files with write(2) directly.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long	 ff_count;	/* matching calls so far */

static const char *
ff_env(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Is path (absolute) the directory or below it? */
static int
ff_under(const char *path)
{
	const char	*dir = ff_env("FAULTFS_DIR");
	size_t		 n;

	if (dir == NULL || path == NULL)
		return dir == NULL;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

static int
ff_fd_path(int fd, char *out, size_t len)
{
	char	 link[64];
	ssize_t	 r;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	r = readlink(link, out, len - 1);
	if (r == -1)
		return -1;
	out[r] = '\0';
	return 0;
}

/* name relative to dirfd (or the cwd) as an absolute path. */
static int
ff_at_path(int dirfd, const char *name, char *out, size_t len)
{
	char	 base[PATH_MAX];

	if (name == NULL)
		return -1;
	if (name[0] == '/') {
		snprintf(out, len, "%s", name);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		if (getcwd(base, sizeof(base)) == NULL)
			return -1;
	} else if (ff_fd_path(dirfd, base, sizeof(base)) == -1)
		return -1;
	snprintf(out, len, "%s/%s", base, name);
	return 0;
}

/*
 * Called for every wrapped call with its operation and path: 1 if this
 * call must fail (errno is then set).
 */
static int
ff_hit(const char *op, const char *path)
{
	const char	*want = ff_env("FAULTFS_OP"), *e, *log;
	long		 nth;
	int		 fail, saved = errno;
	FILE		*f;

	if (want == NULL || strcmp(want, op) != 0 || !ff_under(path))
		return 0;
	ff_count++;
	nth = ff_env("FAULTFS_NTH") ? strtol(ff_env("FAULTFS_NTH"), NULL, 10) :
	    0;
	fail = nth > 0 && ff_count == nth;
	if ((log = ff_env("FAULTFS_LOG")) != NULL &&
	    (f = fopen(log, "a")) != NULL) {
		fprintf(f, "%s %ld %s%s\n", op, ff_count, path,
		    fail ? " FAIL" : "");
		fclose(f);
	}
	errno = saved;
	if (!fail)
		return 0;
	e = ff_env("FAULTFS_ERRNO");
	errno = e != NULL && strcmp(e, "EIO") == 0 ? EIO : ENOSPC;
	return 1;
}

static int
ff_hit_fd(const char *op, int fd)
{
	char	 path[PATH_MAX];

	if (ff_env("FAULTFS_OP") == NULL ||
	    strcmp(ff_env("FAULTFS_OP"), op) != 0)
		return 0;
	if (ff_fd_path(fd, path, sizeof(path)) == -1)
		return 0;
	return ff_hit(op, path);
}

static int
ff_hit_at(const char *op, int dirfd, const char *name)
{
	char	 path[PATH_MAX];

	if (ff_env("FAULTFS_OP") == NULL ||
	    strcmp(ff_env("FAULTFS_OP"), op) != 0)
		return 0;
	if (ff_at_path(dirfd, name, path, sizeof(path)) == -1)
		return 0;
	return ff_hit(op, path);
}

#define FF_REAL(ret, name, args)					\
	static ret (*real_##name) args;					\
	if (real_##name == NULL)					\
		real_##name = (ret (*) args)dlsym(RTLD_NEXT, #name)

ssize_t
write(int fd, const void *p, size_t n)
{
	FF_REAL(ssize_t, write, (int, const void *, size_t));
	if (ff_hit_fd("write", fd))
		return -1;
	return real_write(fd, p, n);
}

int
fsync(int fd)
{
	FF_REAL(int, fsync, (int));
	if (ff_hit_fd("fsync", fd))
		return -1;
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	FF_REAL(int, fdatasync, (int));
	if (ff_hit_fd("fdatasync", fd))
		return -1;
	return real_fdatasync(fd);
}

int
rename(const char *from, const char *to)
{
	FF_REAL(int, rename, (const char *, const char *));
	if (ff_hit_at("rename", AT_FDCWD, to))
		return -1;
	return real_rename(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	FF_REAL(int, renameat, (int, const char *, int, const char *));
	if (ff_hit_at("rename", tofd, to))
		return -1;
	return real_renameat(fromfd, from, tofd, to);
}

int
link(const char *from, const char *to)
{
	FF_REAL(int, link, (const char *, const char *));
	if (ff_hit_at("link", AT_FDCWD, to))
		return -1;
	return real_link(from, to);
}

int
linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	FF_REAL(int, linkat, (int, const char *, int, const char *, int));
	if (ff_hit_at("link", tofd, to))
		return -1;
	return real_linkat(fromfd, from, tofd, to, flags);
}

/* open and openat with O_CREAT: the "create" point. */
static mode_t
ff_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int
openat(int dirfd, const char *name, int flags, ...)
{
	va_list	 ap;
	mode_t	 mode;
	FF_REAL(int, openat, (int, const char *, int, ...));

	va_start(ap, flags);
	mode = ff_mode(flags, ap);
	va_end(ap);
	if ((flags & O_CREAT) && ff_hit_at("create", dirfd, name))
		return -1;
	return real_openat(dirfd, name, flags, mode);
}

int
openat64(int dirfd, const char *name, int flags, ...)
{
	va_list	 ap;
	mode_t	 mode;
	FF_REAL(int, openat64, (int, const char *, int, ...));

	va_start(ap, flags);
	mode = ff_mode(flags, ap);
	va_end(ap);
	if ((flags & O_CREAT) && ff_hit_at("create", dirfd, name))
		return -1;
	return real_openat64(dirfd, name, flags, mode);
}

int
open(const char *name, int flags, ...)
{
	va_list	 ap;
	mode_t	 mode;
	FF_REAL(int, open, (const char *, int, ...));

	va_start(ap, flags);
	mode = ff_mode(flags, ap);
	va_end(ap);
	if ((flags & O_CREAT) && ff_hit_at("create", AT_FDCWD, name))
		return -1;
	return real_open(name, flags, mode);
}

int
open64(const char *name, int flags, ...)
{
	va_list	 ap;
	mode_t	 mode;
	FF_REAL(int, open64, (const char *, int, ...));

	va_start(ap, flags);
	mode = ff_mode(flags, ap);
	va_end(ap);
	if ((flags & O_CREAT) && ff_hit_at("create", AT_FDCWD, name))
		return -1;
	return real_open64(name, flags, mode);
}

int
mknodat(int dirfd, const char *name, mode_t mode, dev_t dev)
{
	FF_REAL(int, mknodat, (int, const char *, mode_t, dev_t));

	if (ff_hit_at("create", dirfd, name))
		return -1;
	return real_mknodat(dirfd, name, mode, dev);
}

int
inotify_init1(int flags)
{
	FF_REAL(int, inotify_init1, (int));
	if (ff_hit("inotify", "-"))
		return -1;
	return real_inotify_init1(flags);
}
