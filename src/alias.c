/* SPDX-License-Identifier: MIT */
/*
 * alias.c - [aliases] expansion.  The rules, decided here:
 *
 * - Only bare local names (no '@') are looked up, case-insensitively (the
 *   name is lower-cased; conf.c stores names in lower case).
 * - A value is an RFC 5322 address list; its bare names are looked up in
 *   turn.  Duplicates collapse (addr_list_add).
 * - A name in its own value ("root = root, admin@example.com") is not
 *   looked up again but qualified, like sendmail's "\root": keep a copy
 *   locally as well as forwarding it.
 * - Any longer cycle ("a = b", "b = a") is EX_DATAERR:
 *	alias loop: "a" -> "b" -> "a"
 * - Nesting deeper than ALIAS_DEPTH_MAX, or more than ALIAS_WORK_MAX
 *   lookups for one address (a fan-out bomb), is EX_DATAERR.
 * - A bare name without an alias goes to the `default` alias when there is
 *   one.  Inside default's own expansion it does not (that would recurse
 *   forever): there, as when no default is set, the name is qualified with
 *   conf_domain().  So "default = admin" sends every unknown name to
 *   admin@domain.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "xmem.h"

struct alias_ctx {
	const struct config	*cfg;
	struct addr_list	*out;
	char			*chain[ALIAS_DEPTH_MAX];  /* names being expanded */
	size_t			 depth;
	int			 in_default;	/* inside `default`'s value */
	const char		*top;		/* the address being expanded */
	size_t			 work;		/* lookups for it so far */
	struct mh_err		*err;
};

static int	alias_one(struct alias_ctx *, const char *);

static char *
alias_lower(const char *s)
{
	char	*l, *p;

	l = xstrdup(s);
	for (p = l; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
}

/* "alias loop: "a" -> "b" -> "a"", from the first time name was seen. */
static int
alias_err_loop(struct alias_ctx *x, size_t from, const char *name)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 0);
	for (i = from; i < x->depth; i++)
		buf_addf(&b, "\"%s\" -> ", x->chain[i]);
	buf_addf(&b, "\"%s\"", name);
	mh_err_set(x->err, EX_DATAERR, "alias loop: %s", b.data);
	buf_free(&b);
	return -1;
}

static int
alias_add_qualified(struct alias_ctx *x, const char *addr)
{
	char	*q;
	int	 rc;

	q = addr_qualify(addr, conf_domain(x->cfg));
	rc = addr_list_add(x->out, q, x->err);
	free(q);
	return rc;
}

/* Expand one alias's value, with name pushed on the chain. */
static int
alias_expand_value(struct alias_ctx *x, const struct conf_alias *al,
    char *name, int is_default)
{
	struct addr_list	 vals;
	struct mh_err		 perr;
	size_t			 i;
	int			 rc = 0, was_default = x->in_default;

	if (x->depth == ALIAS_DEPTH_MAX) {
		free(name);
		return mh_err_set(x->err, EX_DATAERR, "alias \"%s\": nested "
		    "deeper than %d", al->name, ALIAS_DEPTH_MAX);
	}
	addr_list_init(&vals, 0);
	if (addr_parse_list(al->value, strlen(al->value), &vals, &perr) == -1) {
		free(name);
		addr_list_free(&vals);
		if (al->file != NULL)
			return mh_err_set(x->err, EX_DATAERR, "alias \"%s\" "
			    "(%s:%d): %s", al->name, al->file, al->line,
			    perr.msg);
		return mh_err_set(x->err, EX_DATAERR, "alias \"%s\": %s",
		    al->name, perr.msg);
	}
	x->chain[x->depth++] = name;
	if (is_default)
		x->in_default = 1;
	for (i = 0; i < vals.n && rc == 0; i++)
		rc = alias_one(x, vals.v[i]);
	x->in_default = was_default;
	free(x->chain[--x->depth]);
	addr_list_free(&vals);
	return rc;
}

static int
alias_one(struct alias_ctx *x, const char *addr)
{
	const struct conf_alias	*al;
	char			*name;
	size_t			 i;
	int			 is_default = 0;

	if (addr_domain(addr) != NULL)
		return addr_list_add(x->out, addr, x->err);
	name = alias_lower(addr);
	if (x->depth > 0 && strcmp(name, x->chain[x->depth - 1]) == 0) {
		free(name);
		return alias_add_qualified(x, addr);	/* root = root */
	}
	for (i = 0; i < x->depth; i++)
		if (strcmp(name, x->chain[i]) == 0) {
			alias_err_loop(x, i, name);
			free(name);
			return -1;
		}
	if (++x->work > ALIAS_WORK_MAX) {
		free(name);
		return mh_err_set(x->err, EX_DATAERR, "alias expansion of "
		    "\"%s\" needs more than %d lookups", x->top,
		    ALIAS_WORK_MAX);
	}
	al = conf_alias_find(x->cfg, name);
	if (al == NULL && !x->in_default) {
		al = conf_alias_find(x->cfg, "default");
		is_default = 1;
	}
	if (al == NULL) {
		free(name);
		return alias_add_qualified(x, addr);
	}
	if (is_default) {
		free(name);
		name = xstrdup("default");
	}
	return alias_expand_value(x, al, name, is_default ||
	    strcmp(name, "default") == 0);
}

int
alias_expand(const struct config *cfg, const struct addr_list *in,
    struct addr_list *out, struct mh_err *err)
{
	struct alias_ctx	 x;
	size_t			 i;

	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.out = out;
	x.err = err;
	for (i = 0; i < in->n; i++) {
		x.work = 0;
		x.top = in->v[i];
		if (alias_one(&x, in->v[i]) == -1)
			return -1;
	}
	return 0;
}
