/* SPDX-License-Identifier: MIT */
/*
 * t_route.c - route.c: the four pattern forms and what is refused, the
 * upstream lists, precedence (exact, *@domain, longest *@*.domain, *),
 * the null sender, case, and the fallback to "default".
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "route.h"
#include "unit.h"

START_TEST(pattern_kinds)
{
	ck_assert_int_eq(route_pattern_kind("*"), ROUTE_ANY);
	ck_assert_int_eq(route_pattern_kind("alice@example.org"), ROUTE_EXACT);
	ck_assert_int_eq(route_pattern_kind("a.b+tag@x-y.example"),
	    ROUTE_EXACT);
	ck_assert_int_eq(route_pattern_kind("*@shop.example"), ROUTE_DOMAIN);
	ck_assert_int_eq(route_pattern_kind("*@*.example.org"),
	    ROUTE_SUBDOMAIN);
	ck_assert_int_eq(route_pattern_kind(""), -1);
	ck_assert_int_eq(route_pattern_kind("shop.example"), -1);
	ck_assert_int_eq(route_pattern_kind("*.example"), -1);
	ck_assert_int_eq(route_pattern_kind("alice@*"), -1);
	ck_assert_int_eq(route_pattern_kind("a*@example.org"), -1);
	ck_assert_int_eq(route_pattern_kind("@example.org"), -1);
	ck_assert_int_eq(route_pattern_kind("*@"), -1);
	ck_assert_int_eq(route_pattern_kind("*@*."), -1);
	ck_assert_int_eq(route_pattern_kind("*@a..b"), -1);
	ck_assert_int_eq(route_pattern_kind("a@b@c"), -1);
	ck_assert_int_eq(route_pattern_kind("<>"), -1);
	ck_assert_int_eq(route_pattern_kind("a b@c"), -1);
	ck_assert_int_eq(route_pattern_kind("**"), -1);
}
END_TEST

START_TEST(name_lists)
{
	char	**v, why[128];
	size_t	 n, i;

	ck_assert_int_eq(route_parse_names("ses, backup", &v, &n, why,
	    sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "ses");
	ck_assert_str_eq(v[1], "backup");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	ck_assert_int_eq(route_parse_names("a,b ,\tc_1-x", &v, &n, why,
	    sizeof(why)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[2], "c_1-x");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	ck_assert_int_eq(route_parse_names("ses,", &v, &n, why, sizeof(why)),
	    -1);
	ck_assert_str_eq(why, "an empty upstream name");
	ck_assert_int_eq(route_parse_names("SES", &v, &n, why, sizeof(why)),
	    -1);
	ck_assert_str_eq(why, "bad upstream name \"SES\" (expected 1 to 32 of "
	    "a-z 0-9 _ -)");
	ck_assert_int_eq(route_parse_names("a, b, a", &v, &n, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "upstream \"a\" is named twice");
	ck_assert_int_eq(route_parse_names(
	    "abcdefghijabcdefghijabcdefghijabc", &v, &n, why, sizeof(why)), -1);
}
END_TEST

static void
load(struct config *c, const char *text)
{
	struct mh_err	 e;

	conf_init(c);
	if (conf_load_buffer(c, "t.conf", text, strlen(text), &e) != 0 ||
	    conf_finish(c, &e) != 0)
		ck_abort_msg("%s", e.msg);
	if (conf_delivery_error(c) != NULL)
		ck_abort_msg("%s", conf_delivery_error(c)->msg);
}

static const char routes[] =
	"[upstream]\nhost = d.example\n"
	"[upstream.a]\n[upstream.b]\n[upstream.c]\n[upstream.d]\n[upstream.e]\n"
	"[route]\n"
	"* = e, a\n"
	"*@*.example.org = c\n"
	"*@*.eu.example.org = d\n"
	"*@shop.example = b\n"
	"Alice@Shop.Example = a\n";

/* The first upstream name for sender, or "-" for no route. */
static const char *
first(const struct config *c, const char *sender)
{
	const struct route	*r;

	r = route_find(c->routes, c->nroutes, sender);
	return r != NULL ? r->names[0] : "-";
}

START_TEST(precedence)
{
	struct config	 c;

	load(&c, routes);
	/* Exact beats *@domain; case does not matter. */
	ck_assert_str_eq(first(&c, "alice@shop.example"), "a");
	ck_assert_str_eq(first(&c, "ALICE@shop.EXAMPLE"), "a");
	ck_assert_str_eq(first(&c, "bob@shop.example"), "b");
	ck_assert_str_eq(first(&c, "bob@SHOP.example"), "b");
	/* *@domain is that domain only, not its subdomains. */
	ck_assert_str_eq(first(&c, "bob@www.shop.example"), "e");
	/* *@*.domain: any subdomain, not the domain; the longest wins. */
	ck_assert_str_eq(first(&c, "bob@www.example.org"), "c");
	ck_assert_str_eq(first(&c, "bob@a.b.example.org"), "c");
	ck_assert_str_eq(first(&c, "bob@example.org"), "e");
	ck_assert_str_eq(first(&c, "bob@x.eu.example.org"), "d");
	ck_assert_str_eq(first(&c, "bob@eu.example.org"), "c");
	ck_assert_str_eq(first(&c, "bob@badexample.org"), "e");
	/* The null sender (bounces) takes *. */
	ck_assert_str_eq(first(&c, ""), "e");
	ck_assert_str_eq(first(&c, "root"), "e");
	conf_free(&c);
}
END_TEST

START_TEST(upstream_lists)
{
	struct config		 c;
	const struct upstream	*v[8];

	load(&c, routes);
	ck_assert_uint_eq(route_upstreams(&c, "carol@elsewhere.net", v, 8), 2);
	ck_assert_str_eq(v[0]->name, "e");
	ck_assert_str_eq(v[1]->name, "a");
	ck_assert_uint_eq(route_upstreams(&c, "carol@elsewhere.net", v, 1), 1);
	ck_assert_str_eq(v[0]->name, "e");
	conf_free(&c);
	/* Without [route], or without a match: default alone. */
	load(&c, "[upstream]\nhost = d.example\n");
	ck_assert_uint_eq(route_upstreams(&c, "x@y.example", v, 8), 1);
	ck_assert_ptr_eq(v[0], conf_upstream_default(&c));
	ck_assert_uint_eq(route_upstreams(&c, "", v, 8), 1);
	conf_free(&c);
	load(&c, "[upstream.a]\n[route]\n*@a.example = a\n");
	ck_assert_uint_eq(route_upstreams(&c, "x@b.example", v, 8), 1);
	ck_assert_str_eq(v[0]->name, "default");
	ck_assert_uint_eq(route_upstreams(&c, "x@a.example", v, 8), 1);
	ck_assert_str_eq(v[0]->name, "a");
	conf_free(&c);
}
END_TEST

START_TEST(later_file_replaces_a_route)
{
	struct config	 c;
	struct mh_err	 e;
	static const char two[] = "[route]\n*@a.example = b\n* =\n";

	load(&c, "[upstream.a]\n[upstream.b]\n[route]\n*@a.example = a\n"
	    "* = a\n");
	ck_assert_uint_eq(c.nroutes, 2);
	ck_assert_int_eq(conf_load_buffer(&c, "u.conf", two, strlen(two), &e),
	    0);
	ck_assert_int_eq(conf_finish(&c, &e), 0);
	/* Replaced, and "* =" removes the route of the earlier file. */
	ck_assert_uint_eq(c.nroutes, 1);
	ck_assert_str_eq(c.routes[0].names[0], "b");
	ck_assert_str_eq(c.routes[0].origin.where, "u.conf");
	ck_assert_int_eq(c.routes[0].origin.line, 2);
	conf_free(&c);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("route");
	TCase	*tc;

	tc = tcase_create("routes");
	tcase_add_test(tc, pattern_kinds);
	tcase_add_test(tc, name_lists);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, upstream_lists);
	tcase_add_test(tc, later_file_replaces_a_route);
	suite_add_tcase(s, tc);
	return s;
}
