/* SPDX-License-Identifier: MIT */
/*
 * timefmt.h - the three time formats mailhop writes: RFC 5322 dates (Date:,
 * DSN Arrival-Date), RFC 3339 (queue --json) and durations for the log.
 */
#ifndef MH_TIMEFMT_H
#define MH_TIMEFMT_H

#include <stddef.h>
#include <time.h>

#define TIMEFMT_MAX	64

/* "Wed, 25 Nov 2026 00:19:50 +0100" in the local zone. */
int	timefmt_rfc5322(time_t, char *, size_t);
/* "2026-11-25T00:19:50+01:00" in the local zone. */
int	timefmt_rfc3339(time_t, char *, size_t);
/* "3d2h", "15m", "42s": short, for logs and mailq. */
int	timefmt_duration(long, char *, size_t);

#endif
