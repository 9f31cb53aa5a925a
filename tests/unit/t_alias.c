/* SPDX-License-Identifier: MIT */
/*
 * t_alias.c - alias.c: recursion, loops, `default`, self-aliases,
 * qualification with the domain, case, and the caps on depth and fan-out.
 * The configuration is built by hand (conf_init plus fields), so that these
 * tests depend on conf.c only for conf_alias_find and conf_domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "conf.h"
#include "unit.h"
#include "xmem.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct alias_case {
	const char	*aliases[16];	/* name, value, name, value, ..., NULL */
	const char	*in;		/* an address list */
	const char	*want;		/* final addresses joined by " | " */
	const char	*err;		/* or a substring of the error */
};

static const struct alias_case cases[] = {
	{ { NULL }, "root", "root@example.org", NULL },
	{ { NULL }, "root, bob", "root@example.org | bob@example.org", NULL },
	{ { NULL }, "\"john doe\"", "\"john doe\"@example.org", NULL },
	{ { "root", "admin@example.com", NULL }, "root",
	    "admin@example.com", NULL },
	{ { "root", "admin@example.com", NULL }, "ROOT",
	    "admin@example.com", NULL },
	{ { "root", "admin@example.com", NULL }, "Root <Root>",
	    "admin@example.com", NULL },
	{ { "root", "admin@example.com", NULL }, "root@example.net",
	    "root@example.net", NULL },
	{ { "root", "postmaster", "postmaster", "admin", "admin", "ann@x",
	    NULL }, "root", "ann@x", NULL },
	{ { "root", "ADMIN", "admin", "a@x", NULL }, "root", "a@x", NULL },
	{ { "root", "ann@x, bob@y", NULL }, "root", "ann@x | bob@y", NULL },
	{ { "root", "Ann <ann@x>, bob", NULL }, "root",
	    "ann@x | bob@example.org", NULL },
	{ { "team", "Team: a@x, b@y;", NULL }, "team", "a@x | b@y", NULL },
	{ { "root", "(admin) <@relay.example:adm@x>", NULL }, "root",
	    "adm@x", NULL },
	{ { "root", "root", NULL }, "root", "root@example.org", NULL },
	{ { "root", "root, admin@x", NULL }, "root",
	    "root@example.org | admin@x", NULL },
	{ { "root", "ROOT", NULL }, "root", "ROOT@example.org", NULL },
	{ { "root", "root", "default", "d@x", NULL }, "root",
	    "root@example.org", NULL },
	{ { "a", "b", "b", "a", NULL }, "a", NULL,
	    "alias loop: \"a\" -> \"b\" -> \"a\"" },
	{ { "a", "b", "b", "c", "c", "a", NULL }, "a", NULL,
	    "alias loop: \"a\" -> \"b\" -> \"c\" -> \"a\"" },
	{ { "x", "a", "a", "b", "b", "a", NULL }, "x", NULL,
	    "alias loop: \"a\" -> \"b\" -> \"a\"" },
	{ { "a", "B", "b", "A", NULL }, "A", NULL,
	    "alias loop: \"a\" -> \"b\" -> \"a\"" },
	{ { "a", "ok@x, b", "b", "c, a", NULL }, "a", NULL, "alias loop" },
	{ { "default", "admin@x", NULL }, "bob", "admin@x", NULL },
	{ { "root", "r@x", "default", "d@x", NULL }, "root, bob",
	    "r@x | d@x", NULL },
	{ { "default", "admin", NULL }, "bob", "admin@example.org", NULL },
	{ { "default", "admin", "admin", "ann@x", NULL }, "bob",
	    "ann@x", NULL },
	{ { "default", "admin, ops", "admin", "ann@x", NULL }, "bob",
	    "ann@x | ops@example.org", NULL },
	{ { "default", "d@x", NULL }, "default", "d@x", NULL },
	{ { "default", "default", NULL }, "bob", "default@example.org", NULL },
	{ { "default", "x", "x", "default", NULL }, "bob", NULL,
	    "alias loop: \"default\" -> \"x\" -> \"default\"" },
	{ { "default", "d@x", NULL }, "bob@example.org", "bob@example.org",
	    NULL },
	{ { "root", "a@x, b@x", NULL }, "root, a@X", "a@x | b@x", NULL },
	{ { "root", "a@x", "admin", "a@x", NULL }, "root, admin", "a@x",
	    NULL },
	{ { "root", "", NULL }, "root, bob@x", "bob@x", NULL },
	{ { "root", "undisclosed:;", NULL }, "root", "", NULL },
	{ { "root", "a b@c", NULL }, "root", NULL,
	    "alias \"root\" (test.conf:1): \"a b@c\": unquoted space" },
	{ { "ok", "a@x", "root", "a@b\r\nRCPT TO:<x@y>", NULL }, "root", NULL,
	    "alias \"root\" (test.conf:2): " },
	{ { "root", "a@b\r\nRCPT TO:<x@y>", NULL }, "root", NULL,
	    "control character in address" },
	{ { "root", "<a@x", NULL }, "root", NULL, "missing '>'" },
};

/* Aliases as conf.c would store them: lower-case name, file and line. */
static void
cfg_build(struct config *cfg, const char *const *pairs, const char *domain)
{
	size_t	 n = 0, i;

	conf_init(cfg);
	cfg->domain = xstrdup(domain);
	while (pairs[n * 2] != NULL)
		n++;
	cfg->aliases = xcalloc(n + 1, sizeof(*cfg->aliases));
	for (i = 0; i < n; i++) {
		cfg->aliases[i].name = xstrdup(pairs[i * 2]);
		cfg->aliases[i].value = xstrdup(pairs[i * 2 + 1]);
		cfg->aliases[i].file = xstrdup("test.conf");
		cfg->aliases[i].line = (int)i + 1;
	}
	cfg->naliases = n;
}

static void
join_list(const struct addr_list *l, struct buf *b)
{
	size_t	 i;

	buf_reset(b);
	buf_adds(b, "");
	for (i = 0; i < l->n; i++)
		buf_addf(b, "%s%s", i > 0 ? " | " : "", l->v[i]);
}

/* Parse in, expand it; return alias_expand's result, out filled. */
static int
expand(const struct config *cfg, const char *in, struct addr_list *out,
    struct mh_err *err)
{
	struct addr_list	 l;
	int			 rc;

	addr_list_init(&l, 0);
	ck_assert_msg(addr_parse_list(in, strlen(in), &l, err) == 0, "%s",
	    err->msg);
	rc = alias_expand(cfg, &l, out, err);
	addr_list_free(&l);
	return rc;
}

START_TEST(table)
{
	const struct alias_case	*c = &cases[_i];
	struct config		 cfg;
	struct addr_list	 out;
	struct mh_err		 err = { 0 };
	struct buf		 b;
	int			 rc;

	cfg_build(&cfg, c->aliases, "example.org");
	addr_list_init(&out, 0);
	rc = expand(&cfg, c->in, &out, &err);
	if (c->want != NULL) {
		ck_assert_msg(rc == 0, "case %d [%s]: %s", _i, c->in, err.msg);
		buf_init(&b, 0);
		join_list(&out, &b);
		ck_assert_msg(strcmp(b.data, c->want) == 0,
		    "case %d [%s]: got [%s], want [%s]", _i, c->in, b.data,
		    c->want);
		buf_free(&b);
	} else {
		ck_assert_msg(rc == -1, "case %d [%s]: accepted", _i, c->in);
		ck_assert_int_eq(err.exit, EX_DATAERR);
		ck_assert_msg(strstr(err.msg, c->err) != NULL,
		    "case %d: got [%s], want [%s]", _i, err.msg, c->err);
	}
	addr_list_free(&out);
	conf_free(&cfg);
}
END_TEST

/* a0 -> a1 -> ... -> aN -> end@x: N + 1 nested aliases. */
static void
cfg_chain(struct config *cfg, int n)
{
	const char	**pairs;
	char		**names;
	int		 i;

	pairs = xcalloc((size_t)(n + 1) * 2 + 1, sizeof(*pairs));
	names = xcalloc((size_t)(n + 1) * 2, sizeof(*names));
	for (i = 0; i <= n; i++) {
		names[i * 2] = xasprintf("a%d", i);
		names[i * 2 + 1] = i < n ? xasprintf("a%d", i + 1) :
		    xstrdup("end@x");
		pairs[i * 2] = names[i * 2];
		pairs[i * 2 + 1] = names[i * 2 + 1];
	}
	cfg_build(cfg, pairs, "example.org");
	for (i = 0; i < (n + 1) * 2; i++)
		free(names[i]);
	free(names);
	free(pairs);
}

START_TEST(depth_cap)
{
	struct config		 cfg;
	struct addr_list	 out;
	struct mh_err		 err;

	cfg_chain(&cfg, ALIAS_DEPTH_MAX - 1);	/* ALIAS_DEPTH_MAX aliases */
	addr_list_init(&out, 0);
	ck_assert_int_eq(expand(&cfg, "a0", &out, &err), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_str_eq(out.v[0], "end@x");
	addr_list_free(&out);
	conf_free(&cfg);

	cfg_chain(&cfg, ALIAS_DEPTH_MAX);
	ck_assert_int_eq(expand(&cfg, "a0", &out, &err), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(err.msg, "nested deeper than 16"));
	addr_list_free(&out);
	conf_free(&cfg);
}
END_TEST

/*
 * Twelve levels of two aliases, each naming both of the next level: 2^12
 * lookups from a few lines of configuration.  Refused, not ground through.
 */
START_TEST(fanout_cap)
{
	struct config		 cfg;
	struct addr_list	 out;
	struct mh_err		 err;
	const char		*pairs[64];
	char			*s[64];
	int			 lv, k = 0, i;

	for (lv = 0; lv < 12; lv++) {
		for (i = 0; i < 2; i++) {
			s[k] = xasprintf("l%d%c", lv, 'a' + i);
			s[k + 1] = lv < 11 ? xasprintf("l%da, l%db", lv + 1,
			    lv + 1) : xasprintf("leaf%c@x", 'a' + i);
			pairs[k] = s[k];
			pairs[k + 1] = s[k + 1];
			k += 2;
		}
	}
	pairs[k] = NULL;
	cfg_build(&cfg, pairs, "example.org");
	addr_list_init(&out, 0);
	ck_assert_int_eq(expand(&cfg, "l0a", &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg,
	    "alias expansion of \"l0a\" needs more than 1000 lookups"));
	addr_list_free(&out);
	/* Six levels (127 lookups) are fine, and give the two leaves. */
	ck_assert_int_eq(expand(&cfg, "l6a", &out, &err), 0);
	ck_assert_uint_eq(out.n, 2);
	addr_list_free(&out);
	conf_free(&cfg);
	for (i = 0; i < k; i++)
		free(s[i]);
}
END_TEST

/* out->max (max_recipients) holds for what aliases produce too. */
START_TEST(max_recipients_through_alias)
{
	static const char *const pairs[] = { "team", "a@x, b@x, c@x", NULL };
	struct config		 cfg;
	struct addr_list	 out;
	struct mh_err		 err;

	cfg_build(&cfg, pairs, "example.org");
	addr_list_init(&out, 2);
	ck_assert_int_eq(expand(&cfg, "team", &out, &err), -1);
	ck_assert_str_eq(err.msg, "too many recipients (max_recipients = 2)");
	addr_list_free(&out);
	conf_free(&cfg);
}
END_TEST

/* The domain comes from the configuration as written. */
START_TEST(qualify_with_config_domain)
{
	static const char *const pairs[] = { "root", "Admin", NULL };
	struct config		 cfg;
	struct addr_list	 out;
	struct mh_err		 err;

	cfg_build(&cfg, pairs, "Corp.Example");
	addr_list_init(&out, 0);
	ck_assert_int_eq(expand(&cfg, "bob, root", &out, &err), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_str_eq(out.v[0], "bob@Corp.Example");
	ck_assert_str_eq(out.v[1], "Admin@Corp.Example");
	addr_list_free(&out);
	conf_free(&cfg);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("alias");
	TCase	*tc = tcase_create("alias");

	tcase_add_loop_test(tc, table, 0, NELEM(cases));
	tcase_add_test(tc, depth_cap);
	tcase_add_test(tc, fanout_cap);
	tcase_add_test(tc, max_recipients_through_alias);
	tcase_add_test(tc, qualify_with_config_domain);
	suite_add_tcase(s, tc);
	return s;
}
