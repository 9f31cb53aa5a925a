/* SPDX-License-Identifier: MIT */
/*
 * spool.c - the per-user queue between "accepted" and "delivered".  Paths,
 * ids, claiming and atomic commit live here; SMTP and headers do not.
 *
 * Files in the spool directory (see doc/SPOOL.md for the full argument):
 *	ID.m		the message, CRLF, immutable once committed.  Its flock
 *			is the entry's lock: it is never replaced by rename, so
 *			the lock cannot end up on an inode nobody else opens.
 *	ID.e		the envelope; present = the entry exists.  Replaced only
 *			by write .tmp.ID.e, fsync, rename, fsync directory.
 *	.tmp.ID.e	an envelope being written by whoever holds ID.m's lock.
 *	flush.lock	held by a background flusher (spool_flush_lock()).
 *	state/due/	the schedule index (due.h), kept by the functions here.
 * Leftovers (ID.m without ID.e, .tmp.*) are removed by spool_cleanup() once
 * it can take the lock: a live writer always holds it, so no age guess is
 * needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "due.h"
#include "envelope.h"
#include "err.h"
#include "fsio.h"
#include "paths.h"
#include "spool.h"
#include "xmem.h"

/* Seconds (7) + microseconds (4) + pid (5) + random (4), base 36. */
#define SPOOL_ID_LEN	20
#define SPOOL_NAME_MAX	(ENVELOPE_ID_MAX + 16)
/* An envelope of max_recipients long addresses and replies fits easily. */
#define SPOOL_ENV_MAX	(64UL * 1024 * 1024)

static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static void
spool_b36(char *out, unsigned long long v, int width)
{
	int	 i;

	for (i = width - 1; i >= 0; i--) {
		out[i] = b36[v % 36];
		v /= 36;
	}
}

/*
 * Fixed width and an alphabet in ASCII order, so that strcmp order is
 * arrival order (to the microsecond); pid and random part keep two
 * processes in the same microsecond apart, O_EXCL does the rest.
 */
static void
spool_id_new(char *id)
{
	struct timeval	 tv;
	unsigned int	 rnd;
	static unsigned	 counter;

	gettimeofday(&tv, NULL);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (unsigned)tv.tv_usec * 2654435761u + counter;
	counter++;
	spool_b36(id, (unsigned long long)tv.tv_sec, 7);
	spool_b36(id + 7, (unsigned long long)tv.tv_usec, 4);
	spool_b36(id + 11, (unsigned long long)getpid() % 60466176ULL, 5);
	spool_b36(id + 16, rnd % 1679616u, 4);
	id[SPOOL_ID_LEN] = '\0';
}

int
spool_id_valid(const char *id)
{
	size_t	 i;

	for (i = 0; i < SPOOL_ID_LEN; i++)
		if (!(id[i] >= '0' && id[i] <= '9') &&
		    !(id[i] >= 'A' && id[i] <= 'Z'))
			return 0;
	return id[SPOOL_ID_LEN] == '\0';
}

/* The arrival second encoded in a valid id. */
static time_t
spool_id_time(const char *id)
{
	unsigned long long v = 0;
	int	 i;

	for (i = 0; i < 7; i++)
		v = v * 36 + (unsigned long long)(strchr(b36, id[i]) - b36);
	return (time_t)v;
}

static void
spool_name(char *out, const char *id, const char *fmt)
{
	const char	*at = strstr(fmt, "%s");
	size_t		 pre, n, post;

	/* Without snprintf: mailq names every envelope (SPEC 13). */
	pre = at != NULL ? (size_t)(at - fmt) : 0;
	n = strlen(id);
	post = at != NULL ? strlen(at + 2) : 0;
	if (at == NULL || pre + n + post >= SPOOL_NAME_MAX) {
		snprintf(out, SPOOL_NAME_MAX, fmt, id);
		return;
	}
	memcpy(out, fmt, pre);
	memcpy(out + pre, id, n);
	memcpy(out + pre + n, at + 2, post + 1);
}

/* ---- location ---- */

/*
 * What moves the spool (SPEC 10): a read-only root file system or a home
 * that cannot be written must say what to set, not only errno.
 */
#define SPOOL_MOVE_HINT	"set [queue] dir (or MAILHOP_QUEUE_DIR) or " \
	"XDG_STATE_HOME to a writable directory"

/*
 * dir/name could not be made (errno): on a read-only file system that is
 * EX_CANTCREAT with what moves the spool, else code.
 */
static int
spool_cannot_create(struct mh_err *err, int code, const char *dir,
    const char *name)
{
	int	 saved = errno;

	if (saved == EROFS)
		return mh_err_set(err, EX_CANTCREAT, "cannot create %s/%s: %s; "
		    "%s", dir, name, strerror(saved), SPOOL_MOVE_HINT);
	errno = saved;
	return mh_err_errno(err, code, "cannot create %s/%s", dir, name);
}

/*
 * The name a user's directory has in the system spool root: the account's
 * name, or the uid in decimal when the uid has no passwd entry (SPEC 10)
 * or when byuid (%U).  NULL for a name that cannot be a path component.
 */
char *
spool_user_leaf(uid_t uid, int byuid)
{
	struct passwd	*pw;

	if (!byuid && (pw = getpwuid(uid)) != NULL) {
		if (pw->pw_name[0] == '\0' || pw->pw_name[0] == '.' ||
		    strchr(pw->pw_name, '/') != NULL)
			return NULL;
		return xstrdup(pw->pw_name);
	}
	return xasprintf("%lu", (unsigned long)uid);
}

/* [queue] dir with %u (user name), %U (uid) and %% expanded. */
static char *
spool_expand(const char *dir, struct mh_err *err)
{
	struct buf	 b;
	const char	*p;
	char		*leaf;

	buf_init(&b, 0);
	for (p = dir; *p != '\0'; p++) {
		if (*p != '%') {
			buf_addc(&b, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			buf_addc(&b, '%');
			continue;
		}
		if (*p != 'u' && *p != 'U') {
			buf_free(&b);
			mh_err_set(err, EX_CONFIG, "[queue] dir \"%.200s\": "
			    "unknown %%%.1s (use %%u for the user name, %%U "
			    "for the uid, %%%% for a %%)", dir, p);
			return NULL;
		}
		leaf = spool_user_leaf(geteuid(), *p == 'U');
		if (leaf == NULL) {
			buf_free(&b);
			mh_err_set(err, EX_CANTCREAT, "[queue] dir "
			    "\"%.200s\": the user name cannot be a directory "
			    "name (use %%U)", dir);
			return NULL;
		}
		buf_adds(&b, leaf);
		free(leaf);
		if (*p == '\0')
			break;
	}
	buf_addc(&b, '\0');
	return b.data;
}

/*
 * The system spool root is usable as a fallback when root made it: owned
 * by root, sticky, not writable or readable by others (1731 root:mailhop
 * today, 1733 from older installs).
 */
static int
spool_root_ok(void)
{
	struct stat	 st;

	return lstat(paths_spool_root, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == 0 && (st.st_mode & S_ISVTX) &&
	    (st.st_mode & (S_IROTH | S_IWOTH)) == 0;
}

/* path is ROOT/LEAF: a directory of the system spool root. */
const char *
spool_root_leaf(const char *path)
{
	size_t	 n = strlen(paths_spool_root);

	if (strncmp(path, paths_spool_root, n) != 0 || path[n] != '/' ||
	    path[n + 1] == '\0' || strchr(path + n + 1, '/') != NULL)
		return NULL;
	return path + n + 1;
}

/* [queue] dir, $XDG_STATE_HOME/mailhop, ~/.local/state/mailhop; or NULL. */
char *
spool_path(const struct config *cfg, struct mh_err *err)
{
	const char	*xdg, *home;

	if (cfg != NULL && cfg->dir != NULL && cfg->dir[0] != '\0')
		return spool_expand(cfg->dir, err);
	xdg = getenv("XDG_STATE_HOME");
	if (conf_own_dir(xdg))
		return xasprintf("%s/mailhop", xdg);
	if ((home = conf_home()) != NULL)
		return xasprintf("%s/.local/state/mailhop", home);
	mh_err_set(err, EX_CANTCREAT, "no spool directory: no home "
	    "directory and no %s; %s", paths_spool_root, SPOOL_MOVE_HINT);
	return NULL;
}

char *
spool_describe(const struct config *cfg, const char **why)
{
	struct mh_err	 err;
	char		*path, *leaf;

	mh_err_clear(&err);
	if (cfg != NULL && cfg->dir != NULL && cfg->dir[0] != '\0')
		*why = "[queue] dir";
	else if (conf_own_dir(getenv("XDG_STATE_HOME")))
		*why = "$XDG_STATE_HOME/mailhop";
	else
		*why = "~/.local/state/mailhop";
	if ((path = spool_path(cfg, &err)) != NULL)
		return path;
	*why = "no home directory: the system spool root";
	if (spool_root_ok() && (leaf = spool_user_leaf(geteuid(), 0)) != NULL) {
		path = xasprintf("%s/%s", paths_spool_root, leaf);
		free(leaf);
		return path;
	}
	*why = "none";
	return xasprintf("(none: %s)", err.msg);
}

/* The spool could not be made at path: say so, and whether the helper can. */
static int
spool_mkdir_failed(const char *path, struct mh_err *err)
{
	int	 saved = errno;

	if ((saved == EACCES || saved == EPERM) &&
	    spool_root_leaf(path) != NULL) {
		mh_err_errno(err, EX_CANTCREAT, "cannot create spool "
		    "directory %s", path);
		return mh_err_because(err, MH_REASON_SPOOL_ROOT);
	}
	return mh_err_set(err, EX_CANTCREAT, "cannot create spool directory "
	    "%s: %s; %s", path, strerror(saved), SPOOL_MOVE_HINT);
}

/*
 * SPEC 5: [queue] dir, else $XDG_STATE_HOME, else ~/.local/state, created
 * 0700 when missing; when the home is not usable, the user's directory of
 * the system spool root.  *path is what was tried last, also on failure.
 */
static int
spool_locate(const struct config *cfg, char **path, struct mh_err *err)
{
	char	*leaf;
	int	 configured, saved;

	configured = cfg != NULL && cfg->dir != NULL && cfg->dir[0] != '\0';
	*path = spool_path(cfg, err);
	if (*path != NULL && fsio_mkdirs(*path, 0700) == 0)
		return 0;
	saved = errno;
	if (configured || !spool_root_ok() ||
	    (leaf = spool_user_leaf(geteuid(), 0)) == NULL) {
		errno = saved;
		return *path == NULL ? -1 : spool_mkdir_failed(*path, err);
	}
	/* No usable home (a daemon account such as www-data). */
	free(*path);
	*path = xasprintf("%s/%s", paths_spool_root, leaf);
	free(leaf);
	if (mkdir(*path, 0700) == 0 || errno == EEXIST)
		return 0;
	return spool_mkdir_failed(*path, err);
}

int
spool_open(struct spool *sp, const struct config *cfg, struct mh_err *err)
{
	char	*path;
	int	 rc;

	sp->dirfd = -1;
	sp->statefd = -1;
	sp->due.dirfd = -1;
	sp->path = NULL;
	if (spool_locate(cfg, &path, err) == -1) {
		/* The caller may ask the helper to make it (spool.h). */
		if (err->reason == MH_REASON_SPOOL_ROOT)
			sp->path = path;
		else
			free(path);
		return -1;
	}
	rc = spool_open_dir(sp, path, err);
	free(path);
	if (rc == 0 && cfg != NULL && cfg->failed_keep > 0)
		sp->failed_keep = (time_t)cfg->failed_keep;
	return rc;
}

/* Whether leaf is the caller's directory name in the system spool root. */
static int
spool_own_leaf(const char *leaf)
{
	char	*mine;
	int	 byuid, yes = 0;

	for (byuid = 0; leaf != NULL && !yes && byuid <= 1; byuid++) {
		mine = spool_user_leaf(geteuid(), byuid);
		yes = mine != NULL && strcmp(mine, leaf) == 0;
		free(mine);
	}
	return yes;
}

/*
 * A directory of the system spool root that is a link or another user's:
 * left from a 1733 root (before SPEC 8's 1731), when any user could make
 * it first.  Only root can remove it; say so, or the owner's mail fails
 * with 73 for good.
 */
void
spool_blocked_hint(const char *path, struct mh_err *err)
{
	struct stat	 st;
	size_t		 n = strlen(err->msg);

	/* Only the caller's own name or uid: never .state, never another's. */
	if (!spool_own_leaf(spool_root_leaf(path)) || lstat(path, &st) == -1 ||
	    (!S_ISLNK(st.st_mode) && st.st_uid == geteuid()))
		return;
	snprintf(err->msg + n, sizeof(err->msg) - n, "; another user made "
	    "it there first (before the spool root was 1731): root must remove "
	    "it (rm -r %s), then mailhop makes yours", path);
}

int
spool_open_dir(struct spool *sp, const char *path, struct mh_err *err)
{
	sp->statefd = -1;
	sp->due.dirfd = -1;
	sp->failed_keep = 0;
	sp->path = xstrdup(path);
	sp->dirfd = fsio_open_dir(sp->path, err);
	if (sp->dirfd == -1)
		goto fail;
	if (fsio_check_private_dir(sp->dirfd, sp->path, geteuid(), err) == -1)
		goto fail;
	return 0;
fail:
	spool_blocked_hint(path, err);
	spool_close(sp);
	return -1;
}

int
spool_state_open(struct spool *sp, struct mh_err *err)
{
	char	*path;
	int	 fd;

	if (sp->statefd != -1)
		return sp->statefd;
	if (mkdirat(sp->dirfd, SPOOL_STATE_DIR, 0700) == -1 && errno != EEXIST)
		return spool_cannot_create(err, EX_CANTCREAT, sp->path,
		    SPOOL_STATE_DIR);
	path = xasprintf("%s/%s", sp->path, SPOOL_STATE_DIR);
	fd = openat(sp->dirfd, SPOOL_STATE_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		mh_err_errno(err, EX_CANTCREAT, "%s", path);
	else if (fsio_check_private_dir(fd, path, geteuid(), err) == -1) {
		close(fd);
		fd = -1;
	}
	free(path);
	sp->statefd = fd;
	return fd;
}

void
spool_close(struct spool *sp)
{
	due_close(&sp->due);
	if (sp->statefd != -1)
		close(sp->statefd);
	sp->statefd = -1;
	if (sp->dirfd != -1)
		close(sp->dirfd);
	sp->dirfd = -1;
	free(sp->path);
	sp->path = NULL;
}

/* ---- locking helpers ---- */

static int
spool_flock(int fd, int wait)
{
	int	 r;

	do
		r = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
	while (r == -1 && errno == EINTR);
	return r;
}

/* Is the inode behind fd still linked?  A lock on an unlinked file is void. */
static int
spool_fd_linked(int fd)
{
	struct stat	 st;

	return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

static int
spool_exists(struct spool *sp, const char *name)
{
	struct stat	 st;

	return fstatat(sp->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- the schedule index (due.h) ---- */

/* Open state/due on first use, making it (and state/) when missing. */
static int
spool_index(struct spool *sp, struct mh_err *err)
{
	char	*path;
	int	 rc;

	if (sp->due.dirfd != -1)
		return 0;
	if (spool_state_open(sp, err) == -1)
		return -1;
	path = xasprintf("%s/%s", sp->path, SPOOL_STATE_DIR);
	rc = due_open(&sp->due, sp->statefd, path, err);
	free(path);
	return rc;
}

/*
 * The time of an entry's marker: its earliest pending next attempt (0:
 * at once; also for an entry with nothing pending, which a flusher must
 * settle); a failed one is due when failed_keep ends; a held one has
 * none.
 */
static time_t
spool_due_time(const struct spool *sp, const struct envelope *env)
{
	if (env->state == ENV_HELD)
		return SPOOL_DUE_NONE;
	if (env->state == ENV_FAILED)
		return env->failed_at + sp->failed_keep;
	return envelope_next(env);
}

/*
 * Give e the marker its envelope asks for: the new one first, then the
 * old one goes, so that a crash in between leaves an early marker at
 * worst.  If the new one cannot be made the old one stays and the index
 * loses its stamp: the next flush rebuilds it rather than miss e.
 */
static void
spool_due_move(struct spool *sp, struct spool_entry *e, int keep_old)
{
	struct mh_err	 err;
	time_t		 t = spool_due_time(sp, &e->env);

	if (t == e->due)
		return;
	if (spool_index(sp, &err) == -1 ||
	    (t != SPOOL_DUE_NONE && due_add(&sp->due, t, e->id) == -1)) {
		due_unstamp(&sp->due);
		return;
	}
	if (e->due != SPOOL_DUE_NONE && !keep_old)
		due_del(&sp->due, e->due, e->id);
	e->due = t;
}

/*
 * A removed entry's marker goes last (ID.m is gone: it can never come
 * back, ids are not reused; a crash before this leaves a stale marker,
 * which spool_claim_due() removes).
 */
static void
spool_forget(struct spool *sp, const char *id, time_t due)
{
	struct mh_err	 err;

	if (due != SPOOL_DUE_NONE && spool_index(sp, &err) == 0)
		due_del(&sp->due, due, id);
}

/* ---- create and commit ---- */

int
spool_create(struct spool *sp, struct spool_entry *e, struct mh_err *err)
{
	char	 m[SPOOL_NAME_MAX];
	int	 tries, fd;

	envelope_init(&e->env);
	e->msgfd = -1;
	e->due = SPOOL_DUE_NONE;
	if (spool_index(sp, err) == -1)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		spool_id_new(e->id);
		spool_name(m, e->id, "%s.m");
		fd = openat(sp->dirfd, m, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 && errno == EEXIST)
			continue;
		if (fd == -1)
			return spool_cannot_create(err, EX_TEMPFAIL, sp->path,
			    m);
		/*
		 * spool_cleanup() may have taken the fresh file for a crash
		 * leftover between our open and our lock: then it is
		 * unlinked (or about to be), and we start over.
		 */
		if (spool_flock(fd, 0) == 0 && spool_fd_linked(fd))
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		return mh_err_set(err, EX_TEMPFAIL, "%s: cannot pick a queue "
		    "id", sp->path);
	/*
	 * The marker before the envelope: once ID.e exists, a flush must be
	 * able to find it.  A new entry is due at once.
	 */
	if (due_add(&sp->due, 0, e->id) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "cannot create %s/%s/%s/0/0.%s",
		    sp->path, SPOOL_STATE_DIR, DUE_DIR, e->id);
		unlinkat(sp->dirfd, m, 0);
		close(fd);
		return -1;
	}
	e->due = 0;
	e->msgfd = fd;
	memcpy(e->env.id, e->id, sizeof(e->env.id));
	return 0;
}

/* Remove what an uncommitted entry left; the lock is still ours. */
static void
spool_unlink_entry(struct spool *sp, struct spool_entry *e)
{
	char	 name[SPOOL_NAME_MAX];

	spool_name(name, e->id, ".tmp.%s.e");
	unlinkat(sp->dirfd, name, 0);
	spool_name(name, e->id, "%s.m");
	unlinkat(sp->dirfd, name, 0);
	if (e->due != SPOOL_DUE_NONE)
		due_del(&sp->due, e->due, e->id);
	e->due = SPOOL_DUE_NONE;
}

static int
spool_write_env(struct spool *sp, struct spool_entry *e, int replace,
    struct mh_err *err)
{
	char		 tmp[SPOOL_NAME_MAX], name[SPOOL_NAME_MAX];
	struct buf	 b;
	int		 rc;

	buf_init(&b, 0);
	if (envelope_format(&e->env, &b) == -1) {
		buf_free(&b);
		return mh_err_set(err, EX_SOFTWARE,
		    "queue entry %s: envelope cannot be written", e->id);
	}
	spool_name(tmp, e->id, ".tmp.%s.e");
	spool_name(name, e->id, "%s.e");
	/* We hold the lock: a temp file here is a dead writer's. */
	unlinkat(sp->dirfd, tmp, 0);
	if (replace)
		rc = fsio_replace_atomic(sp->dirfd, tmp, name, b.data, b.len,
		    err);
	else
		rc = fsio_write_atomic(sp->dirfd, tmp, name, b.data, b.len,
		    err);
	buf_free(&b);
	/*
	 * The marker follows the envelope.  A replacement that failed may
	 * or may not be in place: then both markers stay (one is early).
	 */
	if (rc == 0)
		spool_due_move(sp, e, 0);
	else if (replace)
		spool_due_move(sp, e, 1);
	return rc;
}

int
spool_commit(struct spool *sp, struct spool_entry *e, struct mh_err *err)
{
	struct stat	 st;
	char		 what[MH_ERR_MSG];

	snprintf(what, sizeof(what), "%s/%s.m", sp->path, e->id);
	if (fsio_fsync_file(e->msgfd, what, err) == -1)
		goto fail;
	if (fstat(e->msgfd, &st) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "%s/%s.m", sp->path, e->id);
		goto fail;
	}
	memcpy(e->env.id, e->id, sizeof(e->env.id));
	e->env.size = (uint64_t)st.st_size;
	if (e->env.arrival == 0)
		e->env.arrival = spool_id_time(e->id);
	if (e->env.sender == NULL)
		e->env.sender = xstrdup("");
	/* One directory fsync, after the rename, persists ID.m's name too. */
	if (spool_write_env(sp, e, 0, err) == -1)
		goto fail;
	return 0;
fail:
	spool_unlink_entry(sp, e);
	return -1;
}

int
spool_rewrite(struct spool *sp, struct spool_entry *e,
    int (*fn)(int, int, struct mh_err *), struct mh_err *err)
{
	struct spool_entry	 n;

	if (spool_create(sp, &n, err) == -1)
		return -1;
	if (fn(e->msgfd, n.msgfd, err) == -1) {
		spool_abort(sp, &n);
		return -1;
	}
	envelope_free(&n.env);
	n.env = e->env;
	memcpy(n.env.id, n.id, sizeof(n.env.id));
	envelope_init(&e->env);
	spool_abort(sp, e);
	*e = n;
	return 0;
}

void
spool_abort(struct spool *sp, struct spool_entry *e)
{
	if (e->msgfd != -1)
		spool_unlink_entry(sp, e);
	spool_release(e);
}

void
spool_release(struct spool_entry *e)
{
	if (e->msgfd != -1)
		close(e->msgfd);
	e->msgfd = -1;
	envelope_free(&e->env);
}

/* ---- listing and reading ---- */

static int
spool_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Names in the directory, each passed to keep(); kept ones are returned
 * sorted.  Read through a dup of dirfd so the spool's fd stays usable.
 */
static int
spool_scan(struct spool *sp, int (*keep)(const char *), char ***out,
    size_t *n, struct mh_err *err)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 cap = 0;
	int		 fd;

	*n = 0;
	fd = openat(sp->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return mh_err_errno(err, EX_TEMPFAIL, "%s", sp->path);
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!keep(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), spool_cmp);
	*out = v;
	return 0;
}

/* "ID.e" with a well-formed id. */
static int
spool_keep_env(const char *name)
{
	char	 id[SPOOL_ID_LEN + 1];

	if (strlen(name) != SPOOL_ID_LEN + 2 ||
	    strcmp(name + SPOOL_ID_LEN, ".e") != 0)
		return 0;
	memcpy(id, name, SPOOL_ID_LEN);
	id[SPOOL_ID_LEN] = '\0';
	return spool_id_valid(id);
}

int
spool_list(struct spool *sp, char ***ids, size_t *n, struct mh_err *err)
{
	size_t	 i;

	if (spool_scan(sp, spool_keep_env, ids, n, err) == -1)
		return -1;
	for (i = 0; i < *n; i++)
		(*ids)[i][SPOOL_ID_LEN] = '\0';
	return 0;
}

void
spool_ids_free(char **ids, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
spool_peek(struct spool *sp, const char *id, struct envelope *env,
    struct mh_err *err)
{
	char	 name[SPOOL_NAME_MAX];
	char	*data;
	size_t	 len;
	int	 rc;

	envelope_init(env);
	if (!spool_id_valid(id))
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not found",
		    id);
	spool_name(name, id, "%s.e");
	if (fsio_read_file(sp->dirfd, name, SPOOL_ENV_MAX, &data, &len,
	    err) == -1)
		return errno == ENOENT ? 1 : -1;
	rc = envelope_parse(data, len, env, err);
	free(data);
	if (rc == -1) {
		char	 why[MH_ERR_MSG];

		memcpy(why, err->msg, sizeof(why));
		return mh_err_set(err, EX_DATAERR,
		    "queue entry %s: damaged envelope: %s", id, why);
	}
	if (strcmp(env->id, id) != 0) {
		envelope_free(env);
		return mh_err_set(err, EX_DATAERR,
		    "queue entry %s: damaged envelope: it names id %s", id,
		    env->id);
	}
	return 0;
}

/* ---- claiming, updating, removing ---- */

int
spool_claim(struct spool *sp, const char *id, int wait,
    struct spool_entry *e, struct mh_err *err)
{
	char	 name[SPOOL_NAME_MAX];
	int	 fd, rc;

	e->msgfd = -1;
	envelope_init(&e->env);
	if (!spool_id_valid(id))
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not found",
		    id);
	spool_name(name, id, "%s.m");
	/* Never a FIFO or device: O_NONBLOCK so that opening one cannot hang. */
	fd = openat(sp->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return mh_err_set(err, EX_NOUSER, "queue id \"%s\" not found",
		    id);
	if (fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path, name);
	if (!fsio_is_regular(fd)) {
		close(fd);
		return mh_err_set(err, EX_DATAERR, "%s/%s: not a regular file",
		    sp->path, name);
	}
	if (spool_flock(fd, wait) == -1) {
		rc = errno == EWOULDBLOCK ? 1 :
		    mh_err_errno(err, EX_TEMPFAIL, "lock %s", name);
		close(fd);
		return rc;
	}
	/* Whoever held the lock before us may have finished the entry. */
	rc = spool_fd_linked(fd) ? spool_peek(sp, id, &e->env, err) : 1;
	if (rc != 0) {
		close(fd);
		return rc;
	}
	memcpy(e->id, id, SPOOL_ID_LEN + 1);
	e->msgfd = fd;
	e->due = spool_due_time(sp, &e->env);
	return 0;
}

int
spool_update(struct spool *sp, struct spool_entry *e, struct mh_err *err)
{
	if (e->msgfd == -1)
		return mh_err_set(err, EX_SOFTWARE,
		    "queue entry %s: update without the lock", e->id);
	return spool_write_env(sp, e, 1, err);
}

int
spool_remove(struct spool *sp, struct spool_entry *e, struct mh_err *err)
{
	char	 name[SPOOL_NAME_MAX];
	int	 rc = 0;

	/*
	 * The envelope goes first and durably: a crash in between leaves a
	 * message without envelope (a leftover), never an envelope without
	 * its message.
	 */
	spool_name(name, e->id, "%s.e");
	if (unlinkat(sp->dirfd, name, 0) == -1)
		rc = mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path, name);
	else if (fsio_fsync_dir(sp->dirfd, err) == -1)
		rc = -1;
	else {
		spool_name(name, e->id, "%s.m");
		if (unlinkat(sp->dirfd, name, 0) == -1)
			rc = mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path,
			    name);
		spool_forget(sp, e->id, e->due);
	}
	spool_release(e);
	return rc;
}

/* ---- crash leftovers ---- */

static int
spool_keep_junk(const char *name)
{
	size_t	 len = strlen(name);

	if (strncmp(name, ".tmp.", 5) == 0)
		return len == 5 + SPOOL_ID_LEN + 2;
	return len == SPOOL_ID_LEN + 2 && name[0] != '.' &&
	    (strcmp(name + SPOOL_ID_LEN, ".m") == 0 ||
	    strcmp(name + SPOOL_ID_LEN, ".e") == 0);
}

/*
 * Lock ID.m; if it has no envelope, it is a leftover: remove it.  1 when
 * the entry is gone for good (no ID.m, or it was a leftover), else 0.
 */
static int
spool_clean_one(struct spool *sp, const char *id, int has_tmp)
{
	char	 m[SPOOL_NAME_MAX], e[SPOOL_NAME_MAX], tmp[SPOOL_NAME_MAX];
	int	 fd, gone = 0;

	spool_name(m, id, "%s.m");
	spool_name(e, id, "%s.e");
	spool_name(tmp, id, ".tmp.%s.e");
	fd = openat(sp->dirfd, m, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		/* No message at all: a temp file for it is dead. */
		if (errno != ENOENT)
			return 0;
		if (has_tmp)
			unlinkat(sp->dirfd, tmp, 0);
		return 1;
	}
	if (spool_flock(fd, 0) == -1) {
		close(fd);
		return 0;	/* a live writer or flusher */
	}
	/* Re-check under the lock: the writer may have committed meanwhile. */
	if (has_tmp)
		unlinkat(sp->dirfd, tmp, 0);
	if (!spool_fd_linked(fd))
		gone = 1;
	else if (!spool_exists(sp, e))
		gone = unlinkat(sp->dirfd, m, 0) == 0;
	close(fd);
	return gone;
}

void
spool_cleanup(struct spool *sp)
{
	char		**names;
	char		 id[SPOOL_ID_LEN + 1], want[SPOOL_NAME_MAX];
	size_t		 n, i;
	struct mh_err	 err;
	int		 has_tmp;

	if (spool_scan(sp, spool_keep_junk, &names, &n, &err) == -1)
		return;
	for (i = 0; i < n; i++) {
		has_tmp = strncmp(names[i], ".tmp.", 5) == 0;
		memcpy(id, names[i] + (has_tmp ? 5 : 0), SPOOL_ID_LEN);
		id[SPOOL_ID_LEN] = '\0';
		if (!spool_id_valid(id))
			continue;
		if (!has_tmp && strcmp(names[i] + SPOOL_ID_LEN, ".e") == 0)
			continue;
		if (!has_tmp) {
			/* Sorted: "ID.e" sorts right before "ID.m". */
			spool_name(want, id, "%s.e");
			if (i > 0 && strcmp(names[i - 1], want) == 0)
				continue;
		}
		spool_clean_one(sp, id, has_tmp);
	}
	spool_ids_free(names, n);
}

/*
 * Group commit of removals (spool.h, doc/PERFORMANCE.md).  The same order as spool_remove() -- ID.e, the
 * directory fsync, then ID.m -- with the fsync shared by a group.
 */

int
spool_remove_start(struct spool *sp, struct spool_entry *e,
    struct spool_gone *g, struct mh_err *err)
{
	char	 name[SPOOL_NAME_MAX];
	int	 rc = 0;

	memcpy(g->id, e->id, sizeof(g->id));
	g->due = e->due;
	g->msgfd = e->msgfd;
	e->msgfd = -1;
	spool_name(name, e->id, "%s.e");
	/*
	 * Kept open, the unlink below only drops a name (microseconds); the
	 * blocks are freed by the last close, which can cost a millisecond
	 * on some disks.  If the open fails the unlink frees them at once.
	 */
	g->envfd = openat(sp->dirfd, name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (unlinkat(sp->dirfd, name, 0) == -1) {
		rc = mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path, name);
		if (g->envfd != -1)
			close(g->envfd);
		close(g->msgfd);
		g->envfd = g->msgfd = -1;
	}
	spool_release(e);
	return rc;
}

int
spool_remove_finish(struct spool *sp, struct spool_gone *g, size_t n,
    struct mh_err *err)
{
	char	 name[SPOOL_NAME_MAX];
	size_t	 i;
	int	 rc = 0;

	if (n == 0)
		return 0;
	/* Not retried on failure (fsio.h): the ID.m files stay leftovers. */
	if (fsio_fsync_dir(sp->dirfd, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		spool_name(name, g[i].id, "%s.m");
		if (unlinkat(sp->dirfd, name, 0) == -1 && rc == 0)
			rc = mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path,
			    name);
		spool_forget(sp, g[i].id, g[i].due);
	}
	return rc;
}

/* ---- flushing by the schedule index ---- */

/* Markers of entries that are gone: ID.m first exists, then its marker. */
static void
spool_sweep(struct spool *sp)
{
	struct due_item	*v;
	struct mh_err	 err;
	char		 m[SPOOL_NAME_MAX];
	size_t		 n, i;

	if (due_list(&sp->due, (time_t)LLONG_MAX, &v, &n, &err) == -1)
		return;
	for (i = 0; i < n; i++) {
		spool_name(m, v[i].id, "%s.m");
		if (!spool_exists(sp, m))
			due_del(&sp->due, v[i].t, v[i].id);
	}
	free(v);
}

int
spool_reindex(struct spool *sp, struct mh_err *err)
{
	struct envelope	 env;
	struct mh_err	 ignored;
	char		**ids;
	size_t		 n, i;
	time_t		 t;
	int		 rc = 0;

	if (spool_index(sp, err) == -1)
		return -1;
	spool_cleanup(sp);
	due_purge(&sp->due);
	spool_sweep(sp);
	if (spool_list(sp, &ids, &n, err) == -1)
		return -1;
	/*
	 * An entry changed meanwhile may get a marker from the version read
	 * here as well as its own: an early one, which is harmless.
	 */
	for (i = 0; i < n && rc == 0; i++) {
		if (spool_peek(sp, ids[i], &env, &ignored) != 0)
			continue;
		t = spool_due_time(sp, &env);
		envelope_free(&env);
		if (t != SPOOL_DUE_NONE && due_add(&sp->due, t, ids[i]) == -1)
			rc = mh_err_errno(err, EX_TEMPFAIL, "%s/%s/%s: cannot "
			    "add %s", sp->path, SPOOL_STATE_DIR, DUE_DIR, ids[i]);
	}
	spool_ids_free(ids, n);
	if (rc == 0)
		rc = due_stamp(&sp->due, err);
	return rc;
}

/* The index, rebuilt first when it cannot be trusted. */
static int
spool_index_ready(struct spool *sp, struct mh_err *err)
{
	if (spool_index(sp, err) == -1)
		return -1;
	if (due_trusted(&sp->due))
		return 0;
	return spool_reindex(sp, err);
}

int
spool_due(struct spool *sp, time_t now, struct due_item **items, size_t *n,
    struct mh_err *err)
{
	*items = NULL;
	*n = 0;
	if (spool_index_ready(sp, err) == -1)
		return -1;
	if (due_list(&sp->due, now, items, n, err) == 0)
		return 0;
	/* Damaged (a bucket we cannot read): rebuilt, not trusted. */
	due_unstamp(&sp->due);
	if (spool_reindex(sp, err) == -1)
		return -1;
	return due_list(&sp->due, now, items, n, err);
}

int
spool_next_due(struct spool *sp, time_t *when, struct mh_err *err)
{
	int	 rc;

	if (spool_index_ready(sp, err) == -1)
		return -1;
	rc = due_next(&sp->due, when);
	if (rc == -1)
		mh_err_errno(err, EX_TEMPFAIL, "%s/%s/%s", sp->path,
		    SPOOL_STATE_DIR, DUE_DIR);
	return rc;
}

/* due_walk(): stop at the first marker of an entry that is queued. */
struct spool_walk {
	struct spool	*sp;
	time_t		 when;
};

static int
spool_queued_marker(const struct due_item *it, void *arg)
{
	struct spool_walk	*w = arg;
	struct envelope		 env;
	struct mh_err		 ignored;
	int			 queued;

	/* Gone, damaged, failed or held: nothing that a retry would do. */
	if (spool_peek(w->sp, it->id, &env, &ignored) != 0)
		return 0;
	queued = env.state == ENV_QUEUED;
	envelope_free(&env);
	if (queued)
		w->when = it->t;
	return queued;
}

int
spool_next_queued(struct spool *sp, time_t *when, struct mh_err *err)
{
	struct spool_walk	 w = { sp, 0 };
	int			 rc;

	if (spool_index_ready(sp, err) == -1)
		return -1;
	rc = due_walk(&sp->due, spool_queued_marker, &w);
	if (rc == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "%s/%s/%s", sp->path,
		    SPOOL_STATE_DIR, DUE_DIR);
	if (rc == 0)
		*when = w.when;
	return rc;
}

int
spool_claim_due(struct spool *sp, const struct due_item *it,
    struct spool_entry *e, struct mh_err *err)
{
	int	 rc;

	rc = spool_claim(sp, it->id, 0, e, err);
	if (rc == 0) {
		/* An early or extra marker: the current one exists, this goes. */
		if (e->due != it->t) {
			if (e->due != SPOOL_DUE_NONE &&
			    due_add(&sp->due, e->due, e->id) == -1)
				return 0;
			due_del(&sp->due, it->t, it->id);
		}
		return 0;
	}
	if (rc == -1 && err->exit != EX_NOUSER)
		return -1;
	/* Gone: no ID.m (removed) or an ID.m whose writer died (cleaned). */
	if (spool_clean_one(sp, it->id, 1) == 1)
		due_del(&sp->due, it->t, it->id);
	return 1;
}

int
spool_flush_lock(struct spool *sp, int *fd, struct mh_err *err)
{
	if (*fd == -1)
		*fd = openat(sp->dirfd, SPOOL_FLUSH_LOCK, O_RDWR | O_CREAT |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "%s/%s", sp->path,
		    SPOOL_FLUSH_LOCK);
	if (spool_flock(*fd, 0) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return 1;
	return mh_err_errno(err, EX_TEMPFAIL, "lock %s/%s", sp->path,
	    SPOOL_FLUSH_LOCK);
}

void
spool_flush_unlock(int fd)
{
	if (fd != -1)
		flock(fd, LOCK_UN);
}

int
spool_flush_busy(struct spool *sp)
{
	struct mh_err	 err;
	int		 fd = -1, rc;

	rc = spool_flush_lock(sp, &fd, &err);
	if (fd != -1)
		close(fd);
	return rc == 1;
}
