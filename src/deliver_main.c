/* SPDX-License-Identifier: MIT */
/*
 * deliver_main.c - mailhop-deliver, the delivery helper the front end
 * runs for -q, -odi, -odb, `mailhop flush` and `mailhop test`.  It alone
 * links libcurl and OpenSSL.  Like main.c, it is the only place here that
 * prints an error and picks the exit status.
 *
 *	mailhop-deliver OPERATION [OPTION...]
 *
 * The command line is a struct request (request.h) and nothing else.
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
#include "harden.h"
#include "relay.h"
#include "launch.h"
#include "oauth.h"
#include "oauth_login.h"
#include "request.h"
#include "spool.h"

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

/* flush --watch on SIGHUP: the same load as at start-up. */
static int
dm_reload(struct config *cfg, const struct request *req, struct mh_err *err)
{
	return conf_load(cfg, req->config, req->config != NULL, err);
}

static int
dm_flush(const struct request *req, const struct config *cfg,
    struct mh_err *err)
{
	struct spool		 sp;
	struct deliver_stats	 st;
	int			 rc;

	if (req->only_id != NULL && !spool_id_valid(req->only_id))
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not found",
		    req->only_id);
	if (spool_open(&sp, cfg, err) == -1)
		return -1;
	rc = deliver_run(&sp, cfg, req, req->watch ? dm_reload : NULL, &st,
	    err);
	spool_close(&sp);
	if (rc == -1)
		return -1;
	/* --watch ends on SIGTERM or SIGINT, after its last transaction. */
	if (req->watch)
		return 0;
	/*
	 * A mistake in a delivery-only section: recorded on every due entry
	 * as its last reply; `mailhop flush` says it (78).  -odi and -qI
	 * stay with the deferral path: their entry is queued.
	 */
	if (conf_delivery_error(cfg) != NULL && req->only_id == NULL) {
		*err = *conf_delivery_error(cfg);
		return -1;
	}
	if (st.deferred == 0)
		return 0;
	if (req->report) {
		/*
		 * -odi: the message is queued, so the exit is 0 (SPEC §3: a
		 * caller that retries on non-zero must never send it twice);
		 * what happened is on stderr, each recipient above.
		 */
		fprintf(stderr, "mailhop: %s: queued, not yet delivered (%lu "
		    "recipient%s deferred; mailhop will retry)\n", req->only_id,
		    st.deferred, st.deferred == 1 ? "" : "s");
		return 0;
	}
	return mh_err_set(err, EX_TEMPFAIL, "%lu recipient%s deferred, "
	    "still queued", st.deferred, st.deferred == 1 ? "" : "s");
}

static int
dm_test(const struct request *req, const struct config *cfg,
    struct mh_err *err)
{
	struct relay	*r;
	struct buf	 report;
	int		 rc;

	if (conf_delivery_error(cfg) != NULL) {
		*err = *conf_delivery_error(cfg);
		return -1;
	}
	r = relay_new(conf_upstream_default(cfg), 1, req->verbose, err);
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

/* `mailhop oauth login [NAME]`: on the terminal the front end had. */
static int
dm_oauth_login(const struct request *req, const struct config *cfg,
    struct mh_err *err)
{
	const char		*name = req->upstream != NULL ? req->upstream :
				    "default";
	const struct upstream	*up;
	char			 sect[64];

	if (conf_delivery_error(cfg) != NULL) {
		*err = *conf_delivery_error(cfg);
		return -1;
	}
	if ((up = conf_upstream(cfg, name)) == NULL)
		return mh_err_set(err, EX_USAGE, "oauth login: no upstream "
		    "\"%.40s\" ([upstream.%.40s] is not in the configuration)",
		    name, name);
	if (!oauth_enabled(up))
		return mh_err_set(err, EX_CONFIG, "oauth login: %s has no "
		    "oauth_provider (see mailhop.conf(5), OAuth2)",
		    upstream_section(up, sect, sizeof(sect)));
	return oauth_login(up, stdout, err);
}

int
main(int argc, char *argv[])
{
	struct mh_err	 err;
	struct config	 cfg;
	struct request	 req;
	int		 rc = -1, decoded;

	dm_env_restore();
	mh_err_clear(&err);
	umask(077);
	/* Secrets are read below: no core dump, no ptrace by our peers. */
	if (harden_nodump(&err) == -1) {
		fprintf(stderr, "mailhop: %s\n", err.msg);
		return err.exit;
	}
	/* A server that hangs up must not kill us halfway through an update. */
	signal(SIGPIPE, SIG_IGN);
	conf_init(&cfg);
	decoded = request_decode(&req, argc, argv, &err) == 0;
	if (decoded &&
	    conf_load(&cfg, req.config, req.config != NULL, &err) == 0) {
		if (req.op == REQ_TEST)
			rc = dm_test(&req, &cfg, &err);
		else if (req.op == REQ_OAUTH_LOGIN)
			rc = dm_oauth_login(&req, &cfg, &err);
		else
			rc = dm_flush(&req, &cfg, &err);
	}
	conf_free(&cfg);
	if (rc == -1 && err.exit == 0)
		err.exit = EX_SOFTWARE;
	if (rc == -1 && decoded && req.report && req.only_id != NULL) {
		/* -odi after the commit: queued is exit 0, whatever follows. */
		fprintf(stderr, "mailhop: %s: queued, not yet delivered: %s\n",
		    req.only_id, err.msg);
		rc = 0;
	} else if (rc == -1 && err.msg[0] != '\0')
		fprintf(stderr, "mailhop: %s\n", err.msg);
	if (fflush(stdout) == EOF && rc == 0)
		return EX_IOERR;
	return rc == -1 ? err.exit : 0;
}
