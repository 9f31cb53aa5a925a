/* SPDX-License-Identifier: MIT */
/*
 * fuzz_route.c - the [route] table (route.c, and conf.c reading it) under
 * libFuzzer, replayed by `make check`.  The input is text: "pattern =
 * upstream, ..." lines, an empty line, then one envelope sender per line
 * (an empty one is the null sender).  Invariants, each an abort():
 * - route_init() takes exactly the patterns route_pattern_kind() calls one
 *   of the four forms; route_parse_names() gives names that are each
 *   upstream_name_ok() and none twice, or says why in one line;
 * - after route_sort() the table is most specific first, and route_find()
 *   gives, for every sender, the most specific matching pattern as
 *   SPEC 9 defines it (worked out here on the unsorted table), the same
 *   whatever order the lines came in; the null sender matches * only;
 * - the same lines read as a [route] section by the configuration reader
 *   either fail with one EX_CONFIG line naming the file, or give a
 *   configuration whose route_upstreams() is the matching route's
 *   upstreams that exist, else "default" alone.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "fuzz.h"
#include "route.h"
#include "xmem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ROUTES	64
#define FUZZ_SENDERS	64
#define FUZZ_UPS	8

struct fuzz_in {
	char	*lines[FUZZ_ROUTES];	/* "pattern = names" */
	size_t	 nlines;
	char	*senders[FUZZ_SENDERS];
	size_t	 nsenders;
};

/* Split the input at NULs and LFs; the first empty line ends the routes. */
static void
fuzz_split(char *text, size_t len, struct fuzz_in *in)
{
	char	*p = text, *end = text + len, *nl;
	int	 senders = 0;

	memset(in, 0, sizeof(*in));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (!senders && *p == '\0')
			senders = 1;
		else if (!senders && in->nlines < FUZZ_ROUTES)
			in->lines[in->nlines++] = p;
		else if (senders && in->nsenders < FUZZ_SENDERS)
			in->senders[in->nsenders++] = p;
		p = nl + 1;
	}
}

static int
fuzz_ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* Does pattern r match sender?  SPEC 9, written out independently. */
static int
fuzz_matches(const struct route *r, const char *sender)
{
	const char	*at = strrchr(sender, '@'), *dom;
	size_t		 ld, lr;

	if (sender[0] == '\0')
		return r->kind == ROUTE_ANY;
	if (r->kind == ROUTE_ANY)
		return 1;
	if (r->kind == ROUTE_EXACT)
		return fuzz_ieq(r->pattern, sender);
	if (at == NULL)
		return 0;
	dom = at + 1;
	if (r->kind == ROUTE_DOMAIN)
		return fuzz_ieq(dom, r->domain);
	/* *@*.domain: a proper subdomain, never the domain itself */
	ld = strlen(dom);
	lr = strlen(r->domain);
	return ld >= lr + 2 && dom[ld - lr - 1] == '.' &&
	    fuzz_ieq(dom + ld - lr, r->domain);
}

/* Is a more specific than b? */
static int
fuzz_before(const struct route *a, const struct route *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->kind == ROUTE_SUBDOMAIN &&
	    strlen(a->domain) > strlen(b->domain);
}

/* The lines as a table, in the input's order; duplicates dropped. */
static size_t
fuzz_table(const struct fuzz_in *in, struct route *v, int reverse)
{
	char		 pat[256], why[128];
	const char	*line, *eq;
	size_t		 i, j, k, n = 0, len;
	int		 kind;

	for (k = 0; k < in->nlines; k++) {
		line = in->lines[reverse ? in->nlines - 1 - k : k];
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		len = (size_t)(eq - line);
		while (len > 0 && line[len - 1] == ' ')
			len--;
		if (len >= sizeof(pat))
			continue;
		memcpy(pat, line, len);
		pat[len] = '\0';
		kind = route_pattern_kind(pat);
		if (route_init(&v[n], pat) != (kind == -1 ? -1 : 0))
			abort();
		if (kind == -1)
			continue;
		if ((int)v[n].kind != kind)
			abort();
		why[0] = '\0';
		/* why is raw (mh_err_set() makes it safe): only look at it */
		if (route_parse_names(eq + 1, &v[n].names, &v[n].nnames, why,
		    sizeof(why)) == -1) {
			if (why[0] == '\0' || v[n].names != NULL ||
			    v[n].nnames != 0)
				abort();
		}
		for (i = 0; i < v[n].nnames; i++) {
			if (!upstream_name_ok(v[n].names[i],
			    strlen(v[n].names[i])))
				abort();
			for (j = 0; j < i; j++)
				if (strcmp(v[n].names[i], v[n].names[j]) == 0)
					abort();
		}
		for (i = 0; i < n; i++)
			if (strcmp(v[i].pattern, v[n].pattern) == 0)
				break;
		if (i < n)
			route_free(&v[n]);
		else
			n++;
	}
	return n;
}

/* The most specific matching route of the unsorted table, or NULL. */
static const struct route *
fuzz_best(const struct route *v, size_t n, const char *sender)
{
	const struct route	*best = NULL;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (fuzz_matches(&v[i], sender) &&
		    (best == NULL || fuzz_before(&v[i], best)))
			best = &v[i];
	return best;
}

static void
fuzz_tables(const struct fuzz_in *in)
{
	struct route		 v[FUZZ_ROUTES], w[FUZZ_ROUTES];
	const struct route	*want, *got, *got2;
	size_t			 n, n2, i;

	n = fuzz_table(in, v, 0);
	n2 = fuzz_table(in, w, 1);
	if (n != n2)
		abort();
	route_sort(w, n2);
	for (i = 1; i < n2; i++)
		if (fuzz_before(&w[i], &w[i - 1]))
			abort();
	/*
	 * Two different patterns are never equally specific matches of one
	 * sender (they would be the same pattern), so the answer is unique.
	 */
	for (i = 0; i < in->nsenders; i++) {
		want = fuzz_best(v, n, in->senders[i]);
		got = route_find(w, n2, in->senders[i]);
		if ((want == NULL) != (got == NULL) || (got != NULL &&
		    strcmp(want->pattern, got->pattern) != 0))
			abort();
	}
	/* And the same whatever order the lines came in. */
	route_sort(v, n);
	for (i = 0; i < in->nsenders; i++) {
		got = route_find(w, n2, in->senders[i]);
		got2 = route_find(v, n, in->senders[i]);
		if ((got == NULL) != (got2 == NULL) || (got != NULL &&
		    strcmp(got->pattern, got2->pattern) != 0))
			abort();
	}
	for (i = 0; i < n; i++)
		route_free(&v[i]);
	for (i = 0; i < n2; i++)
		route_free(&w[i]);
}

/* The same lines through the configuration reader. */
static void
fuzz_conf(const struct fuzz_in *in)
{
	static const char head[] = "[upstream]\nhost = a.example\n"
	    "[upstream.ses]\nhost = b.example\n"
	    "[upstream.backup]\nhost = c.example\n[route]\n";
	const struct upstream	*ups[FUZZ_UPS], *want[FUZZ_UPS], *up;
	const struct route	*r, *best;
	struct config		 c;
	struct mh_err		 e;
	struct buf		 b;
	size_t			 i, j, n, k;

	buf_init(&b, 0);
	buf_adds(&b, head);
	for (i = 0; i < in->nlines; i++) {
		buf_adds(&b, in->lines[i]);
		buf_adds(&b, "\n");
	}
	conf_init(&c);
	mh_err_clear(&e);
	if (conf_load_buffer(&c, "fuzz.conf", b.data, b.len, &e) == -1 ||
	    conf_finish(&c, &e) == -1) {
		if (e.exit != EX_CONFIG ||
		    strncmp(e.msg, "fuzz.conf:", 10) != 0)
			abort();
		fuzz_assert_message(e.msg);
		goto done;
	}
	for (i = 0; i < in->nsenders; i++) {
		n = route_upstreams(&c, in->senders[i], ups, FUZZ_UPS);
		r = route_find(c.routes, c.nroutes, in->senders[i]);
		/* conf.c sorted its table */
		best = fuzz_best(c.routes, c.nroutes, in->senders[i]);
		if ((r == NULL) != (best == NULL) || (r != NULL &&
		    strcmp(r->pattern, best->pattern) != 0))
			abort();
		/* What SPEC 9 says: the route's upstreams that exist, in
		 * order, else "default" alone. */
		k = 0;
		for (j = 0; r != NULL && j < r->nnames && k < FUZZ_UPS; j++)
			if ((up = conf_upstream(&c, r->names[j])) != NULL)
				want[k++] = up;
		if (k == 0)
			want[k++] = conf_upstream_default(&c);
		if (n != k || memcmp(ups, want, n * sizeof(*ups)) != 0)
			abort();
	}
done:
	conf_free(&c);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in	 in;
	char		*text;

	if (len > 16384)
		return 0;
	text = xmalloc(len + 1);
	memcpy(text, data, len);
	text[len] = '\0';
	fuzz_split(text, len, &in);
	fuzz_tables(&in);
	fuzz_conf(&in);
	free(text);
	return 0;
}
