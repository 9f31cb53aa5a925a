/* SPDX-License-Identifier: MIT */
/*
 * launch.c - starting mailhop-deliver.  Delivery lives in a separate
 * program so that queueing a message never loads libcurl or OpenSSL; this
 * file is the whole cost of that split on the front end's side.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "launch.h"
#include "paths.h"
#include "request.h"
#include "spool.h"
#include "xmem.h"

#define HELPER_NAME	"mailhop-deliver"

int
launch_helper_path(char *out, size_t len, struct mh_err *err)
{
	char		 self[PATH_MAX];
	ssize_t		 n;
	char		*slash;
	struct stat	 st;
	int		 r;

	/*
	 * A build tree keeps the helper beside the binary; an installed one
	 * has it in paths_helper_dir.  Only the binary's own directory is
	 * trusted, never PATH or the environment.
	 */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			r = snprintf(out, len, "%s/%s", self, HELPER_NAME);
			if (r > 0 && (size_t)r < len && stat(out, &st) == 0 &&
			    S_ISREG(st.st_mode))
				return 0;
		}
	}
	r = snprintf(out, len, "%s/%s", paths_helper_dir, HELPER_NAME);
	if (r < 0 || (size_t)r >= len)
		return mh_err_set(err, EX_SOFTWARE, "helper path too long");
	return 0;
}

/* Just before exec: see LAUNCH_GNUTLS_VAR; a user's own setting stays. */
static void
launch_env(void)
{
	if (getenv(LAUNCH_GNUTLS_VAR) != NULL)
		return;
	if (setenv(LAUNCH_GNUTLS_VAR, "1", 1) == 0)
		setenv(LAUNCH_GNUTLS_MARK, "1", 1);
}

int
launch_exec(const struct request *req, struct mh_err *err)
{
	char	 path[PATH_MAX];
	char	*av[REQUEST_ARGV_MAX];

	if (launch_helper_path(path, sizeof(path), err) == -1 ||
	    request_encode(req, path, av, err) == -1)
		return -1;
	fflush(stdout);
	launch_env();
	execv(path, av);
	unsetenv(LAUNCH_GNUTLS_MARK);
	unsetenv(LAUNCH_GNUTLS_VAR);
	return mh_err_errno(err, EX_UNAVAILABLE, "cannot run %s", path);
}

/* In the detached grandchild: stdio on /dev/null, nothing else open. */
static void
launch_detach_fds(void)
{
	int	 fd;

	fd = open("/dev/null", O_RDWR);
	if (fd != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* close_range(2) is Linux 5.9+; the loop is the portable fallback. */
	for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
		close(fd);
}

int
launch_background(const struct request *req, struct mh_err *err)
{
	char	 path[PATH_MAX];
	char	*av[REQUEST_ARGV_MAX];
	pid_t	 pid;
	int	 status;

	if (launch_helper_path(path, sizeof(path), err) == -1 ||
	    request_encode(req, path, av, err) == -1)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == -1)
		return mh_err_errno(err, EX_OSERR, "fork");
	if (pid == 0) {
		/*
		 * Double fork: the caller (cron, PHP) reaps our child at
		 * once and never sees the delivery; setsid() keeps a
		 * terminal's hangup away from it.
		 */
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (fork() != 0)
			_exit(0);
		launch_detach_fds();
		launch_env();
		execv(path, av);
		_exit(EX_UNAVAILABLE);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			break;
	return 0;
}

pid_t
launch_fork(int p[2], struct mh_err *err)
{
	pid_t	 pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return mh_err_errno(err, EX_OSERR, "pipe");
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return mh_err_errno(err, EX_OSERR, "fork");
	}
	if (pid == 0)
		close(p[0]);
	else
		close(p[1]);
	return pid;
}

/* The helper's last line on stderr, without "mailhop: ", into msg. */
static void
launch_last_line(int fd, char *msg, size_t len)
{
	char	 buf[1024], *line, *nl;
	size_t	 got = 0;
	ssize_t	 r;

	while ((r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0 ||
	    (r == -1 && errno == EINTR))
		if (r > 0 && (got += (size_t)r) == sizeof(buf) - 1)
			break;
	buf[got] = '\0';
	while (got > 0 && buf[got - 1] == '\n')
		buf[--got] = '\0';
	line = (nl = strrchr(buf, '\n')) != NULL ? nl + 1 : buf;
	if (strncmp(line, "mailhop: ", 9) == 0)
		line += 9;
	snprintf(msg, len, "%.400s", line);
}

int
launch_wait(const struct request *req, struct mh_err *err)
{
	char	 path[PATH_MAX], said[MH_ERR_MSG];
	char	*av[REQUEST_ARGV_MAX];
	pid_t	 pid;
	int	 status, fd, p[2];

	if (launch_helper_path(path, sizeof(path), err) == -1 ||
	    request_encode(req, path, av, err) == -1)
		return -1;
	if ((pid = launch_fork(p, err)) == -1)
		return -1;
	if (pid == 0) {
		/* Not our stdin: -bs and sendmail are reading a message. */
		fd = open("/dev/null", O_RDWR);
		if (fd != -1 && fd != STDIN_FILENO) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		/* What it says becomes part of our one line. */
		dup2(p[1], STDERR_FILENO);
		launch_env();
		execv(path, av);
		_exit(EX_UNAVAILABLE);
	}
	launch_last_line(p[0], said, sizeof(said));
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return mh_err_errno(err, EX_OSERR, "waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (said[0] != '\0')
		return mh_err_set(err, EX_CANTCREAT, "%s", said);
	if (WIFEXITED(status))
		return mh_err_set(err, EX_CANTCREAT, "%s %s: exit %d", path,
		    request_op_name(req->op), WEXITSTATUS(status));
	return mh_err_set(err, EX_CANTCREAT, "%s %s: killed by signal %d",
	    path, request_op_name(req->op), WTERMSIG(status));
}

int
launch_spool_open(struct spool *sp, const struct config *cfg,
    struct mh_err *err)
{
	struct request	 req;
	struct mh_err	 why;
	const char	*leaf;
	char		*name;

	if (spool_open(sp, cfg, err) == 0)
		return 0;
	if (err->reason != MH_REASON_SPOOL_ROOT || sp->path == NULL ||
	    (leaf = spool_root_leaf(sp->path)) == NULL) {
		spool_close(sp);
		return -1;
	}
	/*
	 * ROOT/NAME in the 1731 root: only the set-id helper may make it,
	 * and only under the caller's own name or uid (SPEC 8).  It syncs
	 * the new directory before it exits, so our exit 0 still means the
	 * mail is on disk.
	 */
	name = xstrdup(leaf);
	spool_close(sp);
	request_init(&req, REQ_MKSPOOL);
	req.name = name;
	mh_err_clear(&why);
	if (launch_wait(&req, &why) == -1) {
		mh_err_set(err, EX_CANTCREAT, "cannot create spool directory "
		    "%s/%s: the set-id helper could not: %s", paths_spool_root,
		    name, why.msg);
		free(name);
		return -1;
	}
	free(name);
	return spool_open(sp, cfg, err);
}
