/* SPDX-License-Identifier: MIT */
/*
 * conf_value.c - the values of mailhop.conf as text and back: durations
 * (30s 15m 2h 5d), sizes (512 64K 64M 1G), booleans, retry (1m..1h) and
 * rate (14/s).  Pure: no I/O, no state.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_key.h"
#include "xmem.h"

static int
conf_parse_ulong(const char **sp, unsigned long long *out)
{
	const char		*s = *sp;
	unsigned long long	 v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*sp = s;
	*out = v;
	return 0;
}

int
conf_parse_duration(const char *s, long *out)
{
	unsigned long long	 n, total = 0, unit;

	if (*s == '\0')
		return -1;
	do {
		if (conf_parse_ulong(&s, &n) == -1)
			return -1;
		switch (*s) {
		case 's': case 'S': unit = 1; s++; break;
		case 'm': case 'M': unit = 60; s++; break;
		case 'h': case 'H': unit = 3600; s++; break;
		case 'd': case 'D': unit = 86400; s++; break;
		case '\0': unit = 1; break;
		default: return -1;
		}
		if (n > (unsigned long long)CONF_DURATION_MAX / unit)
			return -1;
		total += n * unit;
		if (total > (unsigned long long)CONF_DURATION_MAX)
			return -1;
	} while (*s != '\0');
	*out = (long)total;
	return 0;
}

int
conf_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long	 n, unit = 1;

	if (conf_parse_ulong(&s, &n) == -1)
		return -1;
	switch (*s) {
	case 'k': case 'K': unit = 1ULL << 10; s++; break;
	case 'm': case 'M': unit = 1ULL << 20; s++; break;
	case 'g': case 'G': unit = 1ULL << 30; s++; break;
	default: break;
	}
	if (*s != '\0' || n > CONF_SIZE_MAX / unit)
		return -1;
	*out = n * unit;
	return 0;
}

int
conf_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on", NULL };
	static const char *const no[] = { "no", "false", "0", "off", NULL };
	int	 i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
conf_parse_retry(const char *s, long *min, long *max)
{
	const char	*dots;
	char		*first;
	long		 a, b;
	int		 rc;

	dots = strstr(s, "..");
	if (dots == NULL) {
		if (conf_parse_duration(s, &a) == -1 || a < 1)
			return -1;
		*min = *max = a;
		return 0;
	}
	first = xstrndup(s, (size_t)(dots - s));
	rc = conf_parse_duration(first, &a);
	free(first);
	if (rc == -1 || conf_parse_duration(dots + 2, &b) == -1 || a < 1 ||
	    b < a)
		return -1;
	*min = a;
	*max = b;
	return 0;
}

int
conf_parse_long(const char *s, long min, long max, long *out)
{
	unsigned long long	 v;

	if (conf_parse_ulong(&s, &v) == -1 || *s != '\0' ||
	    v < (unsigned long long)min || v > (unsigned long long)max)
		return -1;
	*out = (long)v;
	return 0;
}

int
conf_parse_rate(const char *s, struct conf_rate *out)
{
	unsigned long long	 n;

	if (conf_parse_ulong(&s, &n) == -1 || *s++ != '/' || n < 1 ||
	    n > 1000000)
		return -1;
	switch (*s) {
	case 's': case 'S': out->window = 1; break;
	case 'm': case 'M': out->window = 60; break;
	case 'h': case 'H': out->window = 3600; break;
	case 'd': case 'D': out->window = CONF_DAYS; break;
	default: return -1;
	}
	if (s[1] != '\0')
		return -1;
	out->count = (long)n;
	return 0;
}

/* 90 -> "90s", 3600 -> "1h": the largest unit that divides evenly. */
void
conf_fmt_duration(char *out, size_t len, long v)
{
	if (v != 0 && v % 86400 == 0)
		snprintf(out, len, "%ldd", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		snprintf(out, len, "%ldh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		snprintf(out, len, "%ldm", v / 60);
	else
		snprintf(out, len, "%lds", v);
}

void
conf_fmt_size(char *out, size_t len, unsigned long long v)
{
	if (v != 0 && v % (1ULL << 30) == 0)
		snprintf(out, len, "%lluG", v >> 30);
	else if (v != 0 && v % (1ULL << 20) == 0)
		snprintf(out, len, "%lluM", v >> 20);
	else if (v != 0 && v % (1ULL << 10) == 0)
		snprintf(out, len, "%lluK", v >> 10);
	else
		snprintf(out, len, "%llu", v);
}

/* {14, 1} -> "14/s"; no limit -> "". */
void
conf_fmt_rate(char *out, size_t len, const struct conf_rate *r)
{
	const char	*u;

	if (r->count <= 0) {
		snprintf(out, len, "%s", "");
		return;
	}
	u = r->window == 1 ? "s" : r->window == 60 ? "m" :
	    r->window == 3600 ? "h" : "d";
	snprintf(out, len, "%ld/%s", r->count, u);
}
