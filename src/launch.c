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
#include "request.h"

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/local/libexec/mailhop"
#endif

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
	 * has it in PKGLIBEXECDIR.  Only the binary's own directory is
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
	r = snprintf(out, len, "%s/%s", PKGLIBEXECDIR, HELPER_NAME);
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
