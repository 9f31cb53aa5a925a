/* SPDX-License-Identifier: MIT */
/*
 * route.h - [route]: envelope sender patterns and the upstreams to try for
 * each, in order (SPEC 9).  A pattern is an exact address, *@domain,
 * *@*.domain (any subdomain, not the domain itself) or *; the most
 * specific match wins: exact, then *@domain, then the longest *@*.domain,
 * then *.  The null sender matches * only.  Without a match (or without
 * [route]) the upstream "default" alone is used.  Pure: no I/O.
 * Owner: route.c; conf.c fills the table while it reads [route].
 */
#ifndef MH_ROUTE_H
#define MH_ROUTE_H

#include <stddef.h>

#include "conf.h"

/* In the order of precedence. */
enum route_kind { ROUTE_EXACT, ROUTE_DOMAIN, ROUTE_SUBDOMAIN, ROUTE_ANY };

struct route {
	char		*pattern;	/* as matched: lower case */
	enum route_kind	 kind;
	const char	*domain;	/* into pattern: after "*@" or "*@*." */
	char		**names;	/* upstream names, in order */
	size_t		 nnames;
	struct conf_origin origin;	/* where it was set */
};

/* The kind of a pattern, or -1 if it is none of the four forms. */
int	route_pattern_kind(const char *);
/*
 * Split "ses, backup" into names (each [a-z0-9_-]{1,32}, none twice).
 * On a bad list -1, with what is wrong in why.
 */
int	route_parse_names(const char *, char ***names, size_t *n, char *why,
	    size_t whylen);
/* Fill r (pattern lower-cased, kind, domain); -1 for a bad pattern. */
int	route_init(struct route *, const char *pattern);
void	route_free(struct route *);
/* Sort most specific first (the order route_find() and printing use). */
void	route_sort(struct route *, size_t);
/* The route for sender ("" is the null sender), or NULL. */
const struct route *route_find(const struct route *, size_t, const char *sender);
/*
 * The upstreams to try for sender, in order: the route's that exist, or
 * "default" alone.  At most max; returns how many (at least 1).
 */
size_t	route_upstreams(const struct config *, const char *sender,
	    const struct upstream **, size_t max);

#endif
