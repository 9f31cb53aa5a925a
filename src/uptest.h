/* SPDX-License-Identifier: MIT */
/*
 * uptest.h - `mailhop test [NAME | --all]` (SPEC 1, 9): connect, TLS,
 * AUTH and NOOP to the default upstream, to the one named, or to every
 * one; nothing is sent.  Also says which upstreams are marked down in the
 * spool.  Owner: uptest.c; deliver_main.c calls it for REQ_TEST.
 */
#ifndef MH_UPTEST_H
#define MH_UPTEST_H

#include "conf.h"
#include "err.h"
#include "request.h"

/*
 * One upstream (req->upstream, else "default"): the full report on
 * stdout.  req->all: one line per upstream, "NAME: ok, ..." or "NAME:
 * FAILED: ...".  0 only when every upstream tested passes; else -1 with
 * err: the first failure's (EX_UNAVAILABLE, EX_CONFIG), EX_USAGE for a
 * name no upstream has, EX_CONFIG for a delivery-only mistake in the
 * configuration (nothing is tested then).
 */
int	uptest_run(const struct config *, const struct request *,
	    struct mh_err *);

#endif
