/* SPDX-License-Identifier: MIT */
/*
 * deliver_main.c - mailhop-deliver, the delivery helper the front end
 * runs for -q, -odi, -odb, `mailhop flush` and `mailhop test`.  It alone
 * links libcurl and OpenSSL.  Like main.c, it is the only place here that
 * prints an error and picks the exit status.
 *
 *	mailhop-deliver [-C FILE] [-v] flush [-I ID] [-R SUBSTR] [-S SUBSTR]
 *	    [--background] [--report]
 *	mailhop-deliver [-C FILE] [-v] test
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "err.h"
#include "relay.h"
#include "launch.h"
#include "spool.h"

struct dm_args {
	const char		*config;	/* -C */
	int			 verbose;	/* -v */
	const char		*cmd;		/* flush | test */
	struct deliver_opts	 opts;
};

/*
 * Peak memory (doc/PERFORMANCE.md).  Debian's libcurl links librtmp,
 * which links GnuTLS, and GnuTLS initialises itself in a library
 * constructor, before main(): about 0.7 MB of resident memory for a
 * library mailhop never calls.  GnuTLS skips that when
 * GNUTLS_NO_IMPLICIT_INIT=1 is in the environment at start-up, so the
 * front end (launch.c) starts us with it set and a marker saying it did;
 * we take both out again at once: password_command's children may use
 * GnuTLS and get the environment the user gave, nothing more.
 */
static void
dm_env_restore(void)
{
	if (getenv(LAUNCH_GNUTLS_MARK) == NULL)
		return;		/* not set by us: the user's own setting */
	unsetenv(LAUNCH_GNUTLS_MARK);
	unsetenv(LAUNCH_GNUTLS_VAR);
}

static int
dm_usage(struct mh_err *err, const char *what)
{
	return mh_err_set(err, EX_USAGE, "mailhop-deliver: %s (usage: "
	    "mailhop-deliver [-C file] [-v] flush [-I id] [-R substr] "
	    "[-S substr] [--background] [--report] | test)", what);
}

/* flush's own options, from argv[i] on. */
static int
dm_parse_flush(struct dm_args *a, int argc, char *argv[], int i,
    struct mh_err *err)
{
	const char	**dst;

	for (; i < argc; i++) {
		dst = NULL;
		if (strcmp(argv[i], "-I") == 0)
			dst = &a->opts.only_id;
		else if (strcmp(argv[i], "-R") == 0)
			dst = &a->opts.rcpt_domain;
		else if (strcmp(argv[i], "-S") == 0)
			dst = &a->opts.sender_substr;
		else if (strcmp(argv[i], "--background") == 0)
			a->opts.background = 1;
		else if (strcmp(argv[i], "--report") == 0)
			a->opts.report = 1;
		else if (strcmp(argv[i], "-v") == 0)
			a->verbose = 1;
		else
			return dm_usage(err, "unknown argument");
		if (dst == NULL)
			continue;
		if (i + 1 >= argc || argv[i + 1][0] == '\0')
			return dm_usage(err, "option needs a value");
		*dst = argv[++i];
	}
	return 0;
}

static int
dm_parse(struct dm_args *a, int argc, char *argv[], struct mh_err *err)
{
	int	 i = 1;

	memset(a, 0, sizeof(*a));
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			a->config = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "-v") == 0) {
			a->verbose = 1;
			i++;
		} else
			return dm_usage(err, "unknown option");
	}
	if (i >= argc)
		return dm_usage(err, "no command");
	a->cmd = argv[i++];
	if (strcmp(a->cmd, "flush") == 0)
		return dm_parse_flush(a, argc, argv, i, err);
	if (strcmp(a->cmd, "test") == 0 && i == argc)
		return 0;
	return dm_usage(err, "unknown command");
}

static int
dm_flush(struct dm_args *a, const struct config *cfg, struct mh_err *err)
{
	struct spool		 sp;
	struct deliver_stats	 st;
	int			 rc;

	if (a->opts.only_id != NULL && !spool_id_valid(a->opts.only_id))
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not found",
		    a->opts.only_id);
	if (spool_open(&sp, cfg, err) == -1)
		return -1;
	a->opts.verbose = a->verbose;
	rc = deliver_run(&sp, cfg, &a->opts, &st, err);
	spool_close(&sp);
	if (rc == -1)
		return -1;
	if (st.deferred == 0)
		return 0;
	/* -odi: exit 75 means "queued, not yet delivered" (SPEC §3). */
	if (a->opts.only_id != NULL)
		return mh_err_set(err, EX_TEMPFAIL, "%s: queued, not yet "
		    "delivered (%lu recipient%s deferred)", a->opts.only_id,
		    st.deferred, st.deferred == 1 ? "" : "s");
	return mh_err_set(err, EX_TEMPFAIL, "%lu recipient%s deferred, "
	    "still queued", st.deferred, st.deferred == 1 ? "" : "s");
}

static int
dm_test(struct dm_args *a, const struct config *cfg, struct mh_err *err)
{
	struct relay	*r;
	struct buf	 report;
	int		 rc;

	r = relay_new(cfg, a->verbose, err);
	if (r == NULL)
		return -1;
	buf_init(&report, 0);
	rc = relay_test(r, &report, err);
	if (report.len > 0)
		fwrite(report.data, 1, report.len, stdout);
	buf_free(&report);
	relay_free(r);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct mh_err	 err;
	struct config	 cfg;
	struct dm_args	 a;
	int		 rc = -1;

	dm_env_restore();
	mh_err_clear(&err);
	umask(077);
	/* A server that hangs up must not kill us halfway through an update. */
	signal(SIGPIPE, SIG_IGN);
	conf_init(&cfg);
	if (dm_parse(&a, argc, argv, &err) == 0 &&
	    conf_load(&cfg, a.config, a.config != NULL, &err) == 0) {
		if (strcmp(a.cmd, "test") == 0)
			rc = dm_test(&a, &cfg, &err);
		else
			rc = dm_flush(&a, &cfg, &err);
	}
	conf_free(&cfg);
	if (rc == -1 && err.exit == 0)
		err.exit = EX_SOFTWARE;
	if (rc == -1 && err.msg[0] != '\0')
		fprintf(stderr, "mailhop: %s\n", err.msg);
	if (fflush(stdout) == EOF && rc == 0)
		return EX_IOERR;
	return rc == -1 ? err.exit : 0;
}
