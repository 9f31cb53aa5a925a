/* SPDX-License-Identifier: MIT */
/*
 * uptest.c - `mailhop test` for one upstream or all of them (uptest.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "down.h"
#include "relay.h"
#include "spool.h"
#include "state.h"
#include "timefmt.h"
#include "uptest.h"

/* " (marked down until T: why)", or "" when up is not marked down. */
static void
ut_down(const struct state *st, const struct upstream *up, char *out,
    size_t len)
{
	struct down_mark	 m;
	char			 when[TIMEFMT_MAX];

	out[0] = '\0';
	if (st == NULL || !down_check(st, up, time(NULL), &m))
		return;
	if (timefmt_rfc3339(m.until, when, sizeof(when)) == -1)
		snprintf(when, sizeof(when), "%lld", (long long)m.until);
	snprintf(out, len, " (marked down until %s%s%s)", when,
	    m.reason[0] != '\0' ? ": " : "", m.reason);
}

/* Test up; brief: one line, else the whole report.  0 passed, -1 not. */
static int
ut_one(const struct upstream *up, const struct request *req, int brief,
    const struct state *st, struct mh_err *err)
{
	struct relay	*r;
	struct buf	 report;
	char		 line[512], down[DOWN_REASON_MAX + 96];
	char		 warn[RELAY_REPLY_MAX];
	int		 rc = -1;

	line[0] = '\0';
	/* A port and tls that do not match: said before connecting. */
	if (relay_port_warning(up, warn, sizeof(warn)) != NULL)
		fprintf(stderr, "mailhop: warning: %s%s%s\n", brief ?
		    up->name : "", brief ? ": " : "", warn);
	buf_init(&report, 0);
	if ((r = relay_new(up, 1, req->verbose, err)) != NULL)
		rc = relay_test(r, &report, line, sizeof(line), err);
	relay_free(r);
	ut_down(st, up, down, sizeof(down));
	if (brief && rc == 0)
		printf("%s: ok, %s%s\n", up->name, line, down);
	else if (brief)
		printf("%s: FAILED: %s%s\n", up->name, err->msg, down);
	else {
		fwrite(report.data != NULL ? report.data : "", 1, report.len,
		    stdout);
		if (down[0] != '\0')
			printf("down:%s\n", down);
	}
	buf_free(&report);
	return rc;
}

/* "default, backup, ses", for the error naming a wrong one. */
static void
ut_names(const struct config *cfg, char *out, size_t len)
{
	size_t	 i, n = 0;

	out[0] = '\0';
	for (i = 0; i < cfg->nupstreams && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", i > 0 ? ", " :
		    "", cfg->upstreams[i]->name);
}

/* The spool's state, read-only: which upstreams are down.  sp is opened. */
static const struct state *
ut_state(const struct config *cfg, struct spool *sp, struct state *st)
{
	struct mh_err	 ignored;

	st->dirfd = -1;
	if (spool_open(sp, cfg, &ignored) == -1)
		return NULL;
	if (state_open(st, sp, 0, &ignored) != 0)
		return NULL;
	return st;
}

int
uptest_run(const struct config *cfg, const struct request *req,
    struct mh_err *err)
{
	const struct upstream	*up;
	const struct state	*st;
	struct state		 state;
	struct spool		 sp;
	struct mh_err		 one, first;
	char			 names[512];
	size_t			 i, nfail = 0, n;

	if (conf_delivery_error(cfg) != NULL) {
		*err = *conf_delivery_error(cfg);
		return -1;
	}
	up = conf_upstream_default(cfg);
	if (req->upstream != NULL &&
	    (up = conf_upstream(cfg, req->upstream)) == NULL) {
		ut_names(cfg, names, sizeof(names));
		return mh_err_set(err, EX_USAGE, "test: no upstream \"%.32s\" "
		    "(configured: %s)", req->upstream, names);
	}
	mh_err_clear(&first);
	st = ut_state(cfg, &sp, &state);
	if (!req->all) {
		n = ut_one(up, req, 0, st, err) == -1;
		nfail = n;
	} else
		for (i = 0; i < cfg->nupstreams; i++) {
			mh_err_clear(&one);
			if (ut_one(cfg->upstreams[i], req, 1, st, &one) == 0)
				continue;
			if (nfail++ == 0)
				first = one;
		}
	if (st != NULL)
		state_close(&state);
	spool_close(&sp);
	if (nfail == 0 || !req->all)
		return nfail == 0 ? 0 : -1;
	mh_err_set(err, first.exit, "%zu of %zu upstreams failed the test",
	    nfail, cfg->nupstreams);
	return -1;
}
