/* SPDX-License-Identifier: MIT */
/*
 * secret.c - fetching the password or OAuth token at the moment it is
 * needed: from the configuration, from the first line of a private file,
 * or from the first line that a command prints.  The value lives only in
 * heap memory that the caller wipes; errors name the source, never it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "paths.h"
#include "secret.h"
#include "xmem.h"

#define SECRET_MAX	(64 * 1024)	/* more than any password or token */

/* The first line of data, without its CR/LF, as a fresh string. */
static char *
secret_first_line(const char *data, size_t len)
{
	size_t	 n;

	for (n = 0; n < len && data[n] != '\n'; n++)
		;
	while (n > 0 && data[n - 1] == '\r')
		n--;
	return xstrndup(data, n);
}

/* Wipe and free len bytes (a key may hold NUL bytes: not a string). */
static void
secret_wipe(char *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

static void
secret_wipe_buf(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

static int
secret_read_fd(int fd, struct buf *b)
{
	char	 chunk[4096];
	ssize_t	 n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_add(b, chunk, (size_t)n) == -1) {
			explicit_bzero(chunk, sizeof(chunk));
			errno = EFBIG;
			return -1;
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	return n == 0 ? 0 : -1;
}

/* A key that the environment set (SPEC 10): a Kubernetes hint on its file. */
static void
secret_env_hint(const struct upstream *up, const char *key,
    struct mh_err *err)
{
	const struct conf_origin *o = upstream_origin(up, key);

	if (o != NULL && o->layer == CONF_LAYER_ENV)
		secret_mode_hint(err);
}

/* Set while secret_hold() reads with the set-id group (SPEC 8). */
static int	secret_holding;

/*
 * A secret file we may not open: when it is the system's, say what the
 * set-id helper needs (SPEC 8: 0640, owner root, group mailhop), so that
 * a root-only secret does not leave every user's mail waiting on a bare
 * "Permission denied".
 */
static int
secret_open_denied(const char *key, const char *path, struct mh_err *err)
{
	struct stat	 st;
	struct group	*gr;

	if (secret_holding)
		return mh_err_set(err, EX_CONFIG, "%s %s: Permission denied: "
		    "the set-id helper reads it with the group %s only (chgrp "
		    "%s %s, and chmod 640 %s)", key, path, paths_group,
		    paths_group, path, path);
	if (stat(path, &st) == 0 && (st.st_mode & S_IRGRP) &&
	    (gr = getgrnam(paths_group)) != NULL && gr->gr_gid == st.st_gid)
		return mh_err_set(err, EX_CONFIG, "%s %s: Permission denied: "
		    "only the set-id helper reads it (group %s), and only for "
		    "the upstream that %s defines", key, path, paths_group,
		    paths_sysconf_file);
	errno = EACCES;
	return mh_err_errno(err, EX_CONFIG, "%s %s", key, path);
}

/*
 * The system's secret, read for every user: secret_check_fd() would offer
 * the caller a chown to themselves, which would lock every other user
 * out.  Only root's ownership fixes it.
 */
static int
secret_system_owner(const char *key, const char *path, int fd,
    struct mh_err *err)
{
	struct stat	 st;

	if (!secret_holding || fstat(fd, &st) == -1 || st.st_uid == 0 ||
	    st.st_uid == getuid())
		return 0;
	return mh_err_set(err, EX_CONFIG, "%s %s: owned by uid %lu, not root: "
	    "the system's secret serves every user (chown root %s)", key,
	    path, (unsigned long)st.st_uid, path);
}

/* A whole secret file into b (capped at SECRET_MAX), checked first. */
static int
secret_read_file(const char *key, const char *path, struct buf *b,
    struct mh_err *err)
{
	int	 fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 && errno == EACCES)
		return secret_open_denied(key, path, err);
	if (fd == -1)
		return mh_err_errno(err, EX_CONFIG, "%s %s", key, path);
	if (secret_system_owner(key, path, fd, err) == 0 &&
	    secret_check_fd(key, path, fd, err) == 0) {
		rc = secret_read_fd(fd, b);
		if (rc == -1)
			mh_err_errno(err, EX_CONFIG, "%s %s", key, path);
	}
	close(fd);
	return rc;
}

/* password_file: first line of a file nobody else may read. */
static int
secret_from_file(const char *key, const char *path, char **out,
    struct mh_err *err)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b, SECRET_MAX);
	if (secret_read_file(key, path, &b, err) == -1)
		goto done;
	*out = secret_first_line(b.data != NULL ? b.data : "", b.len);
	if (**out == '\0') {
		free(*out);
		*out = NULL;
		/* The Debian package ships /etc/mailhop/secret empty. */
		mh_err_set(err, EX_CONFIG, "%s %s: %s: the password goes on "
		    "its first line (see FILES in mailhop(8))", key, path,
		    b.len == 0 ? "the file is empty" : "the first line is empty");
		goto done;
	}
	rc = 0;
done:
	secret_wipe_buf(&b);
	return rc;
}

/* In the child: stdin from /dev/null, stdout to the pipe, nothing else. */
static void
secret_child(const char *cmd, int wfd)
{
	gid_t	 g = getegid();
	int	 fd;

	/*
	 * The set-id helper runs the system file's command with the group
	 * (SPEC 8).  /bin/sh gives up an effective group that differs from
	 * the real one, so the command gets the group as real, effective
	 * and saved gid; the caller, whose gid differs, may then neither
	 * ptrace it nor read its /proc files, and its core limit is 0.
	 */
	if (secret_holding && getgid() != g && setresgid(g, g, g) == -1)
		_exit(126);
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	fd = open("/dev/null", O_RDONLY);
	if (fd != -1 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if (wfd != STDOUT_FILENO) {
		dup2(wfd, STDOUT_FILENO);
		close(wfd);
	}
	/*
	 * Descriptors above stderr (spool files and their locks, sockets)
	 * must not outlive us in a command that leaves a daemon behind.
	 */
	for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
		close(fd);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static long
secret_ms_left(const struct timespec *deadline)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Read the command's output until EOF; 1 on timeout. */
static int
secret_collect(int fd, long timeout, struct buf *b)
{
	struct timespec	 deadline;
	struct pollfd	 pfd;
	char		 chunk[4096];
	ssize_t		 n;
	long		 left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		left = secret_ms_left(&deadline);
		if (left <= 0)
			return 1;
		if (poll(&pfd, 1, left > 60000 ? 60000 : (int)left) == -1 &&
		    errno != EINTR)
			return -1;
		if (pfd.revents == 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		/* Past the cap, keep draining so the command can finish. */
		(void)buf_add(b, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof(chunk));
	return n == 0 ? 0 : -1;
}

static int
secret_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int
secret_status(const char *key, long timeout, int timedout, int status,
    struct mh_err *err)
{
	if (timedout)
		return mh_err_set(err, EX_TEMPFAIL, "%s timed out after %lds "
		    "(killed)", key, timeout);
	if (WIFSIGNALED(status))
		return mh_err_set(err, EX_TEMPFAIL, "%s killed by signal %d",
		    key, WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return mh_err_set(err, EX_TEMPFAIL, "%s failed (exit %d)", key,
		    WEXITSTATUS(status));
	return 0;
}

/* password_command: the first line of what /bin/sh -c CMD prints. */
static int
secret_from_command(const char *key, const char *cmd, long timeout,
    char **out, struct mh_err *err)
{
	struct buf	 b;
	pid_t		 pid;
	int		 fds[2], status = 0, rc, timedout;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "%s: pipe", key);
	pid = fork();
	if (pid == -1) {
		close(fds[0]);
		close(fds[1]);
		return mh_err_errno(err, EX_TEMPFAIL, "%s: fork", key);
	}
	if (pid == 0)
		secret_child(cmd, fds[1]);
	close(fds[1]);
	buf_init(&b, SECRET_MAX);
	rc = secret_collect(fds[0], timeout, &b);
	close(fds[0]);
	timedout = rc == 1;
	if (timedout) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (secret_wait(pid, &status) == -1 ||
	    secret_status(key, timeout, timedout, status, err) == -1)
		goto fail;
	if (rc == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "%s: reading its output", key);
		goto fail;
	}
	*out = secret_first_line(b.data != NULL ? b.data : "", b.len);
	secret_wipe_buf(&b);
	if (**out == '\0') {
		free(*out);
		*out = NULL;
		return mh_err_set(err, EX_TEMPFAIL, "%s printed nothing", key);
	}
	return 0;
fail:
	secret_wipe_buf(&b);
	return -1;
}

/* ---- secrets held by the set-id helper (SPEC 8) ---- */

/*
 * One per upstream of the system configuration that has a secret: what
 * secret_password() and secret_oauth_token() answer for it once held.
 * The helper is one short process, so a table in the module is its whole
 * lifetime; secret_held_clear() wipes it.
 */
struct secret_held {
	char		*name;		/* the upstream's name */
	char		*password;	/* NULL: none (or not read) */
	char		*token;
	char		*key;		/* client_key's bytes, or NULL */
	size_t		 keylen;
	struct mh_err	 err;		/* exit != 0: every call fails with it */
	/* oauth_provider set: oauth.c's two files, each with its own error */
	int		 oauth;
	char		*refresh;	/* NULL: no refresh-token file (yet) */
	struct mh_err	 refresh_err;
	char		*client;	/* NULL: no client secret configured */
	struct mh_err	 client_err;
	int		 refused;	/* secret_refuse(): not to be used at all */
};

static struct secret_held	*held;
static size_t			 nheld;

static struct secret_held *
secret_held_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nheld; i++)
		if (strcmp(held[i].name, name) == 0)
			return &held[i];
	return NULL;
}

static struct secret_held *
secret_held_add(const char *name)
{
	struct secret_held	*h;

	if ((h = secret_held_find(name)) != NULL)
		return h;
	held = xreallocarray(held, nheld + 1, sizeof(*held));
	h = &held[nheld++];
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	return h;
}

static int	secret_read_password(const struct upstream *, char **,
		    struct mh_err *);
static int	secret_read_oauth_file(const char *, const char *, char **,
		    struct mh_err *);
static int	secret_read_token(const struct upstream *, char **,
		    struct mh_err *);

/* An upstream that refreshes its tokens: oauth.c's two files. */
static void
secret_hold_oauth(const struct upstream *up, struct secret_held *h)
{
	h->oauth = 1;
	mh_err_clear(&h->refresh_err);
	mh_err_clear(&h->client_err);
	secret_read_oauth_file("oauth_refresh_token_file",
	    up->oauth_refresh_token_file, &h->refresh, &h->refresh_err);
	secret_read_oauth_file("oauth_client_secret_file",
	    up->oauth_client_secret_file, &h->client, &h->client_err);
}

void
secret_hold(const struct upstream *up)
{
	struct secret_held	*h;

	h = secret_held_add(up->name);
	mh_err_clear(&h->err);
	secret_holding = 1;
	/* What relay.c will ask for: the key, the password, else the token. */
	if (up->client_key != NULL && up->client_key[0] != '\0' &&
	    secret_file_read("client_key", up->client_key, &h->key,
	    &h->keylen, &h->err) == -1)
		;
	else if (up->user == NULL || up->user[0] == '\0')
		;
	else if (up->oauth_provider != CONF_OAUTH_NONE)
		secret_hold_oauth(up, h);
	else if (up->auth == CONF_AUTH_XOAUTH2 ||
	    up->auth == CONF_AUTH_OAUTHBEARER ||
	    secret_read_password(up, &h->password, &h->err) == 0)
		if (h->password == NULL)
			secret_read_token(up, &h->token, &h->err);
	secret_holding = 0;
}

void
secret_refuse(const char *name, const char *why)
{
	struct secret_held	*h;

	h = secret_held_add(name);
	xfree_secret(h->password);
	xfree_secret(h->token);
	xfree_secret(h->refresh);
	xfree_secret(h->client);
	h->password = h->token = h->refresh = h->client = NULL;
	secret_wipe(h->key, h->keylen);
	h->key = NULL;
	h->refused = 1;
	mh_err_set(&h->err, EX_CONFIG, "%s", why);
}

int
secret_upstream_allowed(const struct upstream *up, struct mh_err *err)
{
	struct secret_held	*h = secret_held_find(up->name);

	if (h == NULL || !h->refused)
		return 0;
	*err = h->err;
	return -1;
}

void
secret_held_clear(void)
{
	size_t	 i;

	for (i = 0; i < nheld; i++) {
		xfree_secret(held[i].password);
		xfree_secret(held[i].token);
		secret_wipe(held[i].key, held[i].keylen);
		xfree_secret(held[i].refresh);
		xfree_secret(held[i].client);
		free(held[i].name);
	}
	free(held);
	held = NULL;
	nheld = 0;
}

/* A held answer: 1 (taken, *out set or err filled), 0: not held. */
static int
secret_held_answer(const struct upstream *up, int token, char **out,
    struct mh_err *err, int *rc)
{
	struct secret_held	*h = secret_held_find(up->name);
	const char		*v;

	if (h == NULL)
		return 0;
	if (h->err.exit != 0) {
		*err = h->err;
		*rc = -1;
		return 1;
	}
	v = token ? h->token : h->password;
	*out = v != NULL ? xstrdup(v) : NULL;
	*rc = 0;
	return 1;
}

int
secret_client_key(const struct upstream *up, char **out, size_t *len,
    struct mh_err *err)
{
	struct secret_held	*h = secret_held_find(up->name);

	*out = NULL;
	*len = 0;
	if (up->client_key == NULL || up->client_key[0] == '\0')
		return 0;
	if (h != NULL && h->err.exit != 0) {
		*err = h->err;
		return -1;
	}
	if (h == NULL || h->key == NULL) {
		if (secret_file_read("client_key", up->client_key, out, len,
		    err) == 0)
			return 0;
		secret_env_hint(up, "client_key", err);
		return -1;
	}
	*out = xmalloc(h->keylen + 1);
	memcpy(*out, h->key, h->keylen);
	(*out)[h->keylen] = '\0';
	*len = h->keylen;
	return 0;
}

/* ---- the sources ---- */

int
secret_password(const struct upstream *up, char **out, struct mh_err *err)
{
	int	 rc;

	*out = NULL;
	if (secret_held_answer(up, 0, out, err, &rc))
		return rc;
	return secret_read_password(up, out, err);
}

static int
secret_read_password(const struct upstream *up, char **out,
    struct mh_err *err)
{
	*out = NULL;
	if (up->password != NULL && *up->password != '\0') {
		*out = xstrdup(up->password);
		return 0;
	}
	if (up->password_file != NULL && *up->password_file != '\0') {
		if (secret_from_file("password_file", up->password_file, out,
		    err) == 0)
			return 0;
		secret_env_hint(up, "password_file", err);
		return -1;
	}
	if (up->password_command != NULL && *up->password_command != '\0')
		return secret_from_command("password_command",
		    up->password_command, up->timeout, out, err);
	return 0;
}

int
secret_oauth_token(const struct upstream *up, char **out, struct mh_err *err)
{
	int	 rc;

	*out = NULL;
	if (secret_held_answer(up, 1, out, err, &rc))
		return rc;
	return secret_read_token(up, out, err);
}

static int
secret_read_token(const struct upstream *up, char **out, struct mh_err *err)
{
	*out = NULL;
	if (up->oauth_token != NULL && *up->oauth_token != '\0') {
		*out = xstrdup(up->oauth_token);
		return 0;
	}
	if (up->oauth_token_command != NULL &&
	    *up->oauth_token_command != '\0')
		return secret_from_command("oauth_token_command",
		    up->oauth_token_command, up->timeout, out, err);
	return 0;
}

int
secret_file_line(const char *key, const char *path, char **out,
    struct mh_err *err)
{
	*out = NULL;
	return secret_from_file(key, path, out, err);
}

int
secret_file_read(const char *key, const char *path, char **out,
    size_t *len, struct mh_err *err)
{
	struct buf	 b;

	*out = NULL;
	*len = 0;
	buf_init(&b, SECRET_MAX);
	if (secret_read_file(key, path, &b, err) == -1) {
		secret_wipe_buf(&b);
		return -1;
	}
	if (b.len == 0) {
		secret_wipe_buf(&b);
		return mh_err_set(err, EX_CONFIG, "%s %s: empty", key, path);
	}
	*len = b.len;
	*out = b.data;
	return 0;
}

/* One of oauth.c's files: NULL (no error) when unset or, for the refresh
 * token, when it does not exist yet (no login so far). */
static int
secret_read_oauth_file(const char *key, const char *path, char **out,
    struct mh_err *err)
{
	*out = NULL;
	if (path == NULL || *path == '\0')
		return 0;
	if (access(path, F_OK) == -1 && errno == ENOENT &&
	    strcmp(key, "oauth_refresh_token_file") == 0)
		return 0;
	return secret_from_file(key, path, out, err);
}

int
secret_oauth_file(const struct upstream *up, const char *key, char **out,
    struct mh_err *err)
{
	struct secret_held	*h = secret_held_find(up->name);
	int			 refresh = strcmp(key, "oauth_refresh_token_file") == 0;
	const char		*v;

	*out = NULL;
	if (h == NULL || !h->oauth)
		return secret_read_oauth_file(key, refresh ?
		    up->oauth_refresh_token_file : up->oauth_client_secret_file,
		    out, err);
	if ((refresh ? h->refresh_err : h->client_err).exit != 0) {
		*err = refresh ? h->refresh_err : h->client_err;
		return -1;
	}
	v = refresh ? h->refresh : h->client;
	*out = v != NULL ? xstrdup(v) : NULL;
	return 0;
}

int
secret_is_held(const struct upstream *up)
{
	return secret_held_find(up->name) != NULL;
}
