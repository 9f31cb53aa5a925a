/* SPDX-License-Identifier: MIT */
/*
 * rate.h - `rate = N/s|m|h|d` of an upstream (SPEC 9): at most N messages
 * in any window of that length.  A sliding window: up to N may go at
 * once, the next when the oldest leaves the window; a per-second rate is
 * also paced, a slot every 1/N s (a deviation from SPEC 9, in NEWS).  Every message handed
 * to the upstream takes a slot before it goes, whatever its outcome (so
 * the limit holds even for messages the server counted and then refused);
 * one that never reached it (the session failed before MAIL FROM was
 * accepted, or a stop request came first) gives its slot back, so that a
 * down upstream does not use up a daily quota.
 *
 * The slots are a log of times, the state file "rate.NAME" (state.h),
 * appended under its lock: shared by every connection and every flusher
 * that uses the same state directory, and kept across runs.  For windows
 * of an hour or a day a slot is synced to disk before its message goes,
 * so a crash cannot let a daily quota be passed.  Owner: rate.c.
 */
#ifndef MH_RATE_H
#define MH_RATE_H

#include "conf.h"
#include "err.h"
#include "state.h"

/*
 * Take a slot of up's rate at now_ms (milliseconds since the epoch):
 * 0 when taken (or up has no rate), with *taken (may be NULL) the time
 * recorded for it, for rate_give(); 1 when none is free, with *wait_ms
 * until the next one is (nothing taken); -1 on an I/O error.
 */
int	rate_take(const struct state *, const struct upstream *,
	    long long now_ms, long long *wait_ms, long long *taken,
	    struct mh_err *);
/*
 * Give back n slots that rate_take() recorded at stamps (0s are skipped)
 * whose messages never reached the upstream: not begun (a stop request)
 * or the session failed before the upstream accepted MAIL FROM.
 */
int	rate_give(const struct state *, const struct upstream *,
	    const long long *stamps, size_t n, struct mh_err *);
/* "5/h of [upstream.ses]", for replies and logs. */
void	rate_describe(const struct upstream *, char *, size_t);

#endif
