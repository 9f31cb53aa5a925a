/* SPDX-License-Identifier: MIT */
/*
 * route.c - [route] patterns: checking them when the configuration is
 * read, and picking a sender's upstreams when an entry is delivered (so a
 * changed route applies to mail already queued).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_key.h"
#include "route.h"
#include "xmem.h"

/* Labels of letters, digits, '-' (or UTF-8), separated by single dots. */
static int
route_domain_ok(const char *s)
{
	int	 label = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' &&
		    (unsigned char)*s < 0x80)
			return 0;
		label++;
	}
	return label > 0;
}

/* A local part as written in an envelope: no space, quote or wildcard. */
static int
route_local_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f ||
		    strchr("*<>\"(),;:\\[]", s[i]) != NULL)
			return 0;
	return 1;
}

int
route_pattern_kind(const char *p)
{
	const char	*at;

	if (strcmp(p, "*") == 0)
		return ROUTE_ANY;
	at = strchr(p, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return -1;
	if (strncmp(p, "*@*.", 4) == 0)
		return route_domain_ok(p + 4) ? ROUTE_SUBDOMAIN : -1;
	if (strncmp(p, "*@", 2) == 0)
		return route_domain_ok(p + 2) ? ROUTE_DOMAIN : -1;
	if (!route_local_ok(p, (size_t)(at - p)) || !route_domain_ok(at + 1))
		return -1;
	return ROUTE_EXACT;
}

int
route_init(struct route *r, const char *pattern)
{
	char	*s;
	int	 kind;

	memset(r, 0, sizeof(*r));
	if ((kind = route_pattern_kind(pattern)) == -1)
		return -1;
	r->pattern = xstrdup(pattern);
	for (s = r->pattern; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	r->kind = (enum route_kind)kind;
	if (kind == ROUTE_SUBDOMAIN)
		r->domain = r->pattern + 4;
	else if (kind == ROUTE_DOMAIN)
		r->domain = r->pattern + 2;
	return 0;
}

void
route_free(struct route *r)
{
	size_t	 i;

	for (i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->pattern);
	memset(r, 0, sizeof(*r));
}

static void
route_names_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

int
route_parse_names(const char *s, char ***names, size_t *n, char *why,
    size_t whylen)
{
	char		**v = NULL;
	size_t		 nv = 0, len, i;
	const char	*end;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		end = strchr(s, ',');
		len = end != NULL ? (size_t)(end - s) : strlen(s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!upstream_name_ok(s, len)) {
			snprintf(why, whylen, len == 0 ? "an empty upstream "
			    "name" : "bad upstream name \"%.*s\" (expected "
			    "1 to 32 of a-z 0-9 _ -)", (int)(len > 40 ? 40 :
			    len), s);
			goto fail;
		}
		for (i = 0; i < nv; i++)
			if (strlen(v[i]) == len && memcmp(v[i], s, len) == 0) {
				snprintf(why, whylen, "upstream \"%s\" is "
				    "named twice", v[i]);
				goto fail;
			}
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = xstrndup(s, len);
		if (end == NULL)
			break;
		s = end + 1;
	}
	*names = v;
	*n = nv;
	return 0;
fail:
	route_names_free(v, nv);
	return -1;
}

static int
route_cmp(const void *a, const void *b)
{
	const struct route	*x = a, *y = b;
	size_t			 lx, ly;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->kind == ROUTE_SUBDOMAIN) {
		lx = strlen(x->domain);
		ly = strlen(y->domain);
		if (lx != ly)
			return lx > ly ? -1 : 1;
	}
	return strcmp(x->pattern, y->pattern);
}

void
route_sort(struct route *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), route_cmp);
}

static int
route_matches(const struct route *r, const char *sender, const char *dom)
{
	size_t	 ls, ld;

	switch (r->kind) {
	case ROUTE_ANY:
		return 1;
	case ROUTE_EXACT:
		return strcasecmp(r->pattern, sender) == 0;
	case ROUTE_DOMAIN:
		return dom != NULL && strcasecmp(dom, r->domain) == 0;
	case ROUTE_SUBDOMAIN:
		if (dom == NULL)
			return 0;
		ls = strlen(dom);
		ld = strlen(r->domain);
		return ls > ld + 1 && dom[ls - ld - 1] == '.' &&
		    strcasecmp(dom + ls - ld, r->domain) == 0;
	}
	return 0;
}

const struct route *
route_find(const struct route *v, size_t n, const char *sender)
{
	const char	*dom;
	size_t		 i;

	dom = sender[0] != '\0' ? strrchr(sender, '@') : NULL;
	if (dom != NULL)
		dom++;
	for (i = 0; i < n; i++) {
		/* The null sender (bounces) takes the * route only. */
		if (sender[0] == '\0' && v[i].kind != ROUTE_ANY)
			continue;
		if (route_matches(&v[i], sender, dom))
			return &v[i];
	}
	return NULL;
}

size_t
route_upstreams(const struct config *cfg, const char *sender,
    const struct upstream **out, size_t max)
{
	const struct route	*r;
	const struct upstream	*up;
	size_t			 i, n = 0;

	r = route_find(cfg->routes, cfg->nroutes, sender);
	for (i = 0; r != NULL && i < r->nnames && n < max; i++)
		if ((up = conf_upstream(cfg, r->names[i])) != NULL)
			out[n++] = up;
	if (n == 0 && max > 0)
		out[n++] = conf_upstream_default(cfg);
	return n;
}
