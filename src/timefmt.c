/* SPDX-License-Identifier: MIT */
/*
 * timefmt.c - time formatting.  Month and day names are spelled out here
 * rather than with %a/%b: RFC 5322 wants English whatever the locale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "timefmt.h"

static const char *const days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Local time of t and its UTC offset in minutes. */
static int
timefmt_local(time_t t, struct tm *tm, long *off)
{
	if (localtime_r(&t, tm) == NULL)
		return -1;
	*off = tm->tm_gmtoff / 60;
	return 0;
}

int
timefmt_rfc5322(time_t t, char *out, size_t len)
{
	struct tm	 tm;
	long		 off;
	int		 n;

	if (timefmt_local(t, &tm, &off) == -1)
		return -1;
	n = snprintf(out, len, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
timefmt_rfc3339(time_t t, char *out, size_t len)
{
	struct tm	 tm;
	long		 off;
	int		 n;

	if (timefmt_local(t, &tm, &off) == -1)
		return -1;
	n = snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
timefmt_duration(long s, char *out, size_t len)
{
	int	 n;

	if (s < 0)
		s = 0;
	if (s >= 86400)
		n = snprintf(out, len, "%ldd%ldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		n = snprintf(out, len, "%ldh%ldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		n = snprintf(out, len, "%ldm%lds", s / 60, s % 60);
	else
		n = snprintf(out, len, "%lds", s);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
