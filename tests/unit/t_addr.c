/* SPDX-License-Identifier: MIT */
/*
 * t_addr.c - addr.c: RFC 5322 address lists, single addresses, the mailbox
 * check, the list's duplicate rule and limit, and hostile input (controls,
 * unbalanced quoting, 1 MiB header bodies, 20,000 addresses).  Tables are
 * run with tcase_add_loop_test so that TAP counts one case per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "text.h"
#include "buf.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
/* Linear work on a 1 MiB input takes milliseconds; quadratic takes hours. */
#define SLOW_SECONDS	5.0

struct ok_case {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* addresses joined by " | " */
};

struct bad_case {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* substring of the error message */
};

/* ---- addr_parse_list: valid lists and what they give ---- */

static const struct ok_case list_ok[] = {
	{ "a@b", 0, "a@b" },
	{ "  a@b  ", 0, "a@b" },
	{ "a@example.com, b@example.org", 0, "a@example.com | b@example.org" },
	{ "John Doe <jd@x.com>", 0, "jd@x.com" },
	{ "\"Doe, John\" <jd@x.com>", 0, "jd@x.com" },
	{ "\"john doe\"@example.com", 0, "\"john doe\"@example.com" },
	{ "\"john\"@x", 0, "john@x" },
	{ "\"j.d\"@x", 0, "j.d@x" },
	{ "\"a\\\"b\"@x", 0, "\"a\\\"b\"@x" },
	{ "\"a\\b\"@x", 0, "ab@x" },
	{ "\"a\\\\b\"@x", 0, "\"a\\\\b\"@x" },
	{ "a@x,,b@y", 0, "a@x | b@y" },
	{ ",a@x,", 0, "a@x" },
	{ ",,,", 0, "" },
	{ "", 0, "" },
	{ "   ", 0, "" },
	{ "(just a comment)", 0, "" },
	{ "undisclosed-recipients:;", 0, "" },
	{ "undisclosed-recipients: ;", 0, "" },
	{ "team: a@x, b@y;", 0, "a@x | b@y" },
	{ "team: a@x, b@y;, c@z", 0, "a@x | b@y | c@z" },
	{ "team: a@x, b@y", 0, "a@x | b@y" },
	{ "a@x, team: b@y;", 0, "a@x | b@y" },
	{ "\"The Team\": Ann <a@x>, (c) b@y ;", 0, "a@x | b@y" },
	{ "g:;h:;", 0, "" },
	{ ": a@b;", 0, "a@b" },
	{ "<@a.example,@b.example:user@c.example>", 0, "user@c.example" },
	{ "Name <@a.example:user@c.example>", 0, "user@c.example" },
	{ "<@a,,@b:c@d>", 0, "c@d" },
	{ "<@[10.0.0.1]:c@d>", 0, "c@d" },
	{ "user@[192.0.2.1]", 0, "user@[192.0.2.1]" },
	{ "user@[IPv6:2001:db8::1]", 0, "user@[IPv6:2001:db8::1]" },
	{ "user@[ 192.0.2.1 ]", 0, "user@[192.0.2.1]" },
	{ "root", 0, "root" },
	{ "root, admin", 0, "root | admin" },
	{ "Root <root>", 0, "root" },
	{ "a@b,\r\n c@d", 0, "a@b | c@d" },
	{ "a@b,\r\n\tc@d", 0, "a@b | c@d" },
	{ "a@b,\n c@d", 0, "a@b | c@d" },
	{ "John\r\n Doe <jd@x>", 0, "jd@x" },
	{ "\"john\r\n doe\"@x", 0, "\"john doe\"@x" },
	{ "(a\r\n comment) a@b", 0, "a@b" },
	{ "a@b\r\n", 0, "a@b" },
	{ "(comment) a@b", 0, "a@b" },
	{ "a@b (comment)", 0, "a@b" },
	{ "a(c)@b", 0, "a@b" },
	{ "a@(c)b", 0, "a@b" },
	{ "(nested (comment (deep))) a@b", 0, "a@b" },
	{ "(esc \\( paren) a@b", 0, "a@b" },
	{ "(a@b) c@d", 0, "c@d" },
	{ "(\"not a quote) a@b", 0, "a@b" },
	{ "Mary <mary@x> (Mary's address)", 0, "mary@x" },
	{ "john . doe @ example . com", 0, "john.doe@example.com" },
	{ "John Q. Public <jqp@x>", 0, "jqp@x" },
	{ "bob@x.com <bob@x.com>", 0, "bob@x.com" },
	{ "a@b; c@d", 0, "a@b | c@d" },
	{ "A@EXAMPLE.com, a@example.COM, A@example.com", 0,
	    "A@EXAMPLE.com | a@example.COM" },
	{ "a@b, a@b, a@b", 0, "a@b" },
	{ "a@b, A@b", 0, "a@b | A@b" },
	{ "a@b, <a@B>, Name <a@b>", 0, "a@b" },
	{ "\"john\"@x, john@X", 0, "john@x" },
	{ "j\xc3\xb6hn@ex\xc3\xa4mple.org", 0, "j\xc3\xb6hn@ex\xc3\xa4mple.org" },
	{ "\"j\xc3\xb6hn\"@x", 0, "j\xc3\xb6hn@x" },
	{ "=?UTF-8?B?SsO2aG4=?= <j@x>", 0, "j@x" },
	{ "a+tag@x", 0, "a+tag@x" },
	{ "o'brien@x", 0, "o'brien@x" },
	{ "a.b.c@d.e.f", 0, "a.b.c@d.e.f" },
	{ "\"a b\" <ab@x>, \"c\" <c@x>", 0, "ab@x | c@x" },
	{ "<a@b>", 0, "a@b" },
	{ "< a@b >", 0, "a@b" },
	{ "<a@b>,<c@d>", 0, "a@b | c@d" },
	{ "Name<a@b>", 0, "a@b" },
	{ "\"\"<a@b>", 0, "a@b" },
	{ "\t a@b \t", 0, "a@b" },
	{ "a@b (c) , (d) e@f", 0, "a@b | e@f" },
	{ "\"a.\"@x", 0, "\"a.\"@x" },
	{ "\".a\"@x", 0, "\".a\"@x" },
	{ "\"a..b\"@x", 0, "\"a..b\"@x" },
	{ "\"a@b\"@x", 0, "\"a@b\"@x" },
	{ "\"a,b\"@x", 0, "\"a,b\"@x" },
	{ "\"a<b>\"@x", 0, "\"a<b>\"@x" },
	{ "x@EXAMPLE.ORG", 0, "x@EXAMPLE.ORG" },
	{ "a.@b", 0, "a.@b" },
	{ "Name\x01 <a@b>", 0, "a@b" },
	{ "\"multi\" \"word\" name <a@b>", 0, "a@b" },
	{ "a@b,c@d,e@f,g@h", 0, "a@b | c@d | e@f | g@h" },
	{ "\"quoted bare\"", 0, "\"quoted bare\"" },
	{ "a@sub-domain.example-1.org", 0, "a@sub-domain.example-1.org" },
	{ "\"a\".\"b\"@x", 0, "a.b@x" },
	{ "\"a b\".c@x", 0, "\"a b.c\"@x" },
	{ "\"a\".b.c@x", 0, "a.b.c@x" },
	{ "\"a\"b@x", 0, "ab@x" },
	{ "\"a\\\\b\" <z@x>, \"a\\\\b\"@x", 0, "z@x | \"a\\\\b\"@x" },
	/* bare local names in the forms cron, mail(1) and scripts write */
	{ "root (Cron Daemon)", 0, "root" },
	{ "(Cron Daemon) root", 0, "root" },
	{ "root(c)", 0, "root" },
	{ "<root> (c)", 0, "root" },
	{ "< root >", 0, "root" },
	{ "root\r\n (folded comment)", 0, "root" },
	{ "Admin <root>, admin (the boss)", 0, "root | admin" },
	{ "\"Doe, John\" <jdoe>", 0, "jdoe" },
	{ "=?UTF-8?B?SsO2aG4=?= <jdoe>", 0, "jdoe" },
	{ "team: root, bob@x;", 0, "root | bob@x" },
	{ "root,\r\n admin", 0, "root | admin" },
	{ "root ,, admin ,", 0, "root | admin" },
	{ "a+tag, o'brien", 0, "a+tag | o'brien" },
	{ "\"a b\", \"c\"", 0, "\"a b\" | c" },
	{ "j\xc3\xb6hn", 0, "j\xc3\xb6hn" },
	{ "root@x, admin", 0, "root@x | admin" },
};

static void
join_list(const struct addr_list *l, struct buf *b)
{
	size_t	 i;

	buf_reset(b);
	buf_adds(b, "");
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_adds(b, " | ");
		buf_adds(b, l->v[i]);
	}
}

START_TEST(parse_list_ok)
{
	const struct ok_case	*c = &list_ok[_i];
	struct addr_list	 l;
	struct mh_err		 err = { 0 };
	struct buf		 b;
	size_t			 len = c->len ? c->len : strlen(c->in);

	addr_list_init(&l, 0);
	buf_init(&b, 0);
	ck_assert_msg(addr_parse_list(c->in, len, &l, &err) == 0,
	    "case %d [%s]: %s", _i, c->in, err.msg);
	join_list(&l, &b);
	ck_assert_msg(strcmp(b.data, c->want) == 0,
	    "case %d [%s]: got [%s], want [%s]", _i, c->in, b.data, c->want);
	buf_free(&b);
	addr_list_free(&l);
}
END_TEST

/*
 * SPEC 11, over the same table: addr_qualify_header() adds "@x.test"
 * after exactly the bare names addr_parse_list() finds (the envelope
 * side), parsing the result gives those names qualified and nothing else
 * changed, and taking the insertions out gives the input byte for byte.
 */
START_TEST(qualify_header_table)
{
	const struct ok_case	*c = &list_ok[_i];
	struct addr_list	 l;
	struct mh_err		 err = { 0 };
	struct buf		 out, want, got, back;
	size_t			 len = c->len ? c->len : strlen(c->in), i, nbare;
	const char		*p, *q;
	char			*a;

	addr_list_init(&l, 0);
	buf_init(&out, 0);
	buf_init(&want, 0);
	buf_init(&got, 0);
	buf_init(&back, 0);
	ck_assert_int_eq(addr_parse_list(c->in, len, &l, &err), 0);
	buf_adds(&want, "");
	for (i = nbare = 0; i < l.n; i++) {
		a = addr_qualify(l.v[i], "x.test");
		nbare += strcmp(a, l.v[i]) != 0;
		buf_addf(&want, "%s%s", i > 0 ? " | " : "", a);
		free(a);
	}
	ck_assert_int_eq(addr_qualify_header(c->in, len, "x.test", &out),
	    nbare > 0);
	if (nbare == 0)
		goto done;
	addr_list_free(&l);
	addr_list_init(&l, 0);
	ck_assert_int_eq(addr_parse_list(out.data, out.len, &l, &err), 0);
	join_list(&l, &got);
	ck_assert_msg(strcmp(got.data, want.data) == 0,
	    "case %d [%s]: [%s] gives [%s], want [%s]", _i, c->in, out.data,
	    got.data, want.data);
	for (p = out.data, i = 0; (q = strstr(p, "@x.test")) != NULL;
	    p = q + 7, i++)
		buf_add(&back, p, (size_t)(q - p));
	buf_adds(&back, p);
	ck_assert_uint_eq(i, nbare);
	ck_assert_uint_eq(back.len, len);
	ck_assert_msg(memcmp(back.data, c->in, len) == 0, "case %d", _i);
done:
	buf_free(&out);
	buf_free(&want);
	buf_free(&got);
	buf_free(&back);
	addr_list_free(&l);
}
END_TEST

/* force_from's display name: the phrase as written, or the comment. */
START_TEST(header_name)
{
	static const struct {
		const char	*in, *name;
		int		 kind;
	} t[] = {
		{ "root (Cron Daemon)", "Cron Daemon", ADDR_NAME_COMMENT },
		{ "root ( Cron\r\n Daemon )", "Cron Daemon", ADDR_NAME_COMMENT },
		{ "(Cron Daemon) root", "Cron Daemon", ADDR_NAME_COMMENT },
		{ "root (a \\(b\\) (c))", "a (b) (c)", ADDR_NAME_COMMENT },
		{ "\"Doe, John\" <jd@x>", "\"Doe, John\"", ADDR_NAME_PHRASE },
		{ "John\r\n Doe <jd@x> (c)", "John Doe", ADDR_NAME_PHRASE },
		{ "=?UTF-8?Q?D=C3=A9mon?= <x@y>", "=?UTF-8?Q?D=C3=A9mon?=",
		    ADDR_NAME_PHRASE },
		{ "<root> (Cron)", "Cron", ADDR_NAME_COMMENT },
		{ "Ann <a@x>, Bob <b@x>", "Ann", ADDR_NAME_PHRASE },
		{ "root", "", ADDR_NAME_NONE },
		{ "<root>", "", ADDR_NAME_NONE },
		{ "root ()", "", ADDR_NAME_NONE },
		{ "\"unterminated", "", ADDR_NAME_NONE },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < NELEM(t); i++) {
		buf_init(&b, 0);
		buf_adds(&b, "");
		ck_assert_int_eq(addr_header_name(t[i].in, strlen(t[i].in),
		    &b), t[i].kind);
		ck_assert_msg(strcmp(b.data, t[i].name) == 0, "[%s]: [%s]",
		    t[i].in, b.data);
		buf_free(&b);
	}
}
END_TEST

/* ---- addr_parse_list: hostile and broken lists ---- */

static const struct bad_case list_bad[] = {
	{ "bob@x\r\nRCPT TO:<evil@y>", 0,
	    "\"bob@x\\r\\nRCPT TO:<evil@y>\": control character in address" },
	{ "a@b\r\nc@d", 0, "control character in address" },
	{ "a@b\rc@d", 0, "control character in address" },
	{ "a@b\nc@d", 0, "control character in address" },
	{ "a@b\0c", 5, "control character in address" },
	{ "\0", 1, "control character in address" },
	{ "\"a\0b\"@c", 7, "control character in address" },
	{ "(a\0b) c@d", 9, "control character in address" },
	{ "a\x01@b", 0, "\"a\\x01@b\": control character in address" },
	{ "a@b\x7f", 0, "\"a@b\\x7f\": control character in address" },
	{ "a\x1b@b", 0, "control character in address" },
	{ "\"a\x01\"@b", 0, "control character in address" },
	{ "\"a\\\r\"@b", 0, "control character in address" },
	{ "a@b\x0c", 0, "control character in address" },
	{ "\"a\tb\"@c", 0, "control character in address" },
	{ "(comment \r\n\r\n) a@b", 0, "control character in address" },
	{ "a@b,c@d\r", 0, "control character in address" },
	{ "<a@b\r\n>", 0, "control character in address" },
	{ "a@b\r\n\r\n c@d", 0, "control character in address" },
	{ "\"unterminated@x", 0, "unterminated quoted string" },
	{ "\"a\\\"@x", 0, "unterminated quoted string" },
	{ "a,\"b", 0, "unterminated quoted string" },
	{ "Name \"x <a@b>", 0, "unterminated quoted string" },
	{ "(unterminated a@b", 0, "unterminated comment" },
	{ "((a) a@b", 0, "unterminated comment" },
	{ "a@b (c", 0, "unterminated comment" },
	{ "a@b, (c", 0, "\"(c\": unterminated comment" },
	{ "(a\\) b@c", 0, "unterminated comment" },
	{ "a@b)", 0, "unbalanced ')'" },
	{ "<a@b", 0, "missing '>'" },
	{ "Name <a@b, c@d>", 0, "missing '>'" },
	{ "a@b>", 0, "unbalanced '>'" },
	{ ">", 0, "unbalanced '>'" },
	{ "<<a@b>>", 0, "unexpected '<'" },
	{ "<a@b>>", 0, "unexpected text after '>'" },
	{ "<a@b> junk", 0, "unexpected text after '>'" },
	{ "a@[1.2.3.4", 0, "unterminated domain literal" },
	{ "a@[a[b]", 0, "invalid domain literal" },
	{ "a@b]", 0, "unbalanced ']'" },
	{ "a\\b@c", 0, "unexpected '\\'" },
	{ "john doe@x", 0, "\"john doe@x\": unquoted space in address" },
	{ "a@b c@d", 0, "unquoted space in address" },
	{ "a(b)c@d", 0, "unquoted space in address" },
	{ "a@b@c", 0, "invalid character '@' in local part" },
	{ "@x", 0, "empty local part" },
	{ "a@", 0, "empty domain" },
	{ "\"\"@x", 0, "empty local part" },
	{ "<>", 0, "\"<>\": empty address" },
	{ "Name <>", 0, "empty address" },
	{ "a@.x", 0, "empty label in domain" },
	{ "a@x..y", 0, "empty label in domain" },
	{ "a@x.", 0, "empty label in domain" },
	{ "a@[]", 0, "invalid domain literal" },
	{ "a@\"b\"", 0, "invalid character '\"' in domain" },
	{ "[1.2.3.4]", 0, "invalid character '[' in local part" },
	{ "g: h: a@b;;", 0, "group inside a group" },
	{ "<@a c@d>", 0, "invalid route in address" },
	{ "<@a:b:c@d>", 0, "unexpected ':'" },
	{ "a@b:c", 0, "unexpected ':'" },
	{ "a@x, b@y, <c@z", 0, "\"<c@z\": missing '>'" },
};

START_TEST(parse_list_bad)
{
	const struct bad_case	*c = &list_bad[_i];
	struct addr_list	 l;
	struct mh_err		 err = { 0 };
	size_t			 len = c->len ? c->len : strlen(c->in);

	addr_list_init(&l, 0);
	ck_assert_msg(addr_parse_list(c->in, len, &l, &err) == -1,
	    "case %d [%s]: accepted", _i, c->in);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_msg(strstr(err.msg, c->want) != NULL,
	    "case %d: got [%s], want [%s]", _i, err.msg, c->want);
	ck_assert_msg(err.msg[0] == '"' || strncmp(err.msg, "...\"", 4) == 0,
	    "case %d: message does not start with the quoted text: %s",
	    _i, err.msg);
	addr_list_free(&l);
}
END_TEST

/* ---- addr_parse_one ---- */

static const struct ok_case one_ok[] = {
	{ "a@b", 0, "a@b" },
	{ "<a@b>", 0, "a@b" },
	{ "Name <a@b>", 0, "a@b" },
	{ "\"Full Name\" <a@b>", 0, "a@b" },
	{ "root", 0, "root" },
	{ "<root>", 0, "root" },
	{ "<>", 0, "" },
	{ "", 0, "" },
	{ "  ", 0, "" },
	{ " <> ", 0, "" },
	{ "Name <>", 0, "" },
	{ "(only a comment)", 0, "" },
	{ "<@x.example:a@b>", 0, "a@b" },
	{ "a@b (comment)", 0, "a@b" },
	{ "\"john doe\"@x", 0, "\"john doe\"@x" },
	{ "\"john\"@x", 0, "john@x" },
	{ "user@[192.0.2.1]", 0, "user@[192.0.2.1]" },
	{ "a@b\t", 0, "a@b" },
	{ "j\xc3\xb6hn@x", 0, "j\xc3\xb6hn@x" },
	{ "A@EXAMPLE.COM", 0, "A@EXAMPLE.COM" },
	{ "x.y+z@sub.example.co.uk", 0, "x.y+z@sub.example.co.uk" },
	{ "MAILER-DAEMON", 0, "MAILER-DAEMON" },
};

START_TEST(parse_one_ok)
{
	const struct ok_case	*c = &one_ok[_i];
	struct mh_err		 err = { 0 };
	char			*out = NULL;

	ck_assert_msg(addr_parse_one(c->in, &out, &err) == 0,
	    "case %d [%s]: %s", _i, c->in, err.msg);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strcmp(out, c->want) == 0,
	    "case %d [%s]: got [%s], want [%s]", _i, c->in, out, c->want);
	free(out);
}
END_TEST

static const struct bad_case one_bad[] = {
	{ "bob@x\r\nRCPT TO:<evil@y>", 0,
	    "\"bob@x\\r\\nRCPT TO:<evil@y>\": control character in address" },
	{ "a@b\n", 0, "control character in address" },
	{ "a@b\r", 0, "control character in address" },
	{ "a\r\n b@c", 0, "control character in address" },
	{ "\x01" "a@b", 0, "control character in address" },
	{ "a\x7f@b", 0, "control character in address" },
	{ "a@b\x1b", 0, "control character in address" },
	{ "Name\x01 <a@b>", 0, "control character in address" },
	{ "a@b,c@d", 0, "more than one address" },
	{ "a@b, ", 0, "more than one address" },
	{ "a@b;", 0, "unexpected ';'" },
	{ "g:;", 0, "a group is not one address" },
	{ "g: a@b;", 0, "a group is not one address" },
	{ "john doe@x", 0, "\"john doe@x\": unquoted space in address" },
	{ "<a@b", 0, "missing '>'" },
	{ "a@b>", 0, "unbalanced '>'" },
	{ "\"a", 0, "unterminated quoted string" },
	{ "(a", 0, "unterminated comment" },
	{ "a@", 0, "empty domain" },
	{ "@b", 0, "empty local part" },
	{ "<a@b> <c@d>", 0, "unexpected text after '>'" },
	{ "a@b@c", 0, "invalid character '@' in local part" },
};

START_TEST(parse_one_bad)
{
	const struct bad_case	*c = &one_bad[_i];
	struct mh_err		 err = { 0 };
	char			*out = (char *)"unset";

	ck_assert_msg(addr_parse_one(c->in, &out, &err) == -1,
	    "case %d [%s]: accepted as [%s]", _i, c->in, out);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_msg(strstr(err.msg, c->want) != NULL,
	    "case %d: got [%s], want [%s]", _i, err.msg, c->want);
}
END_TEST

/* ---- addr_check ---- */

static const char *const check_ok[] = {
	"a@b",
	"root",
	"\"john doe\"@x",
	"\"a<b>\"@x",
	"\"\\\"\"@x",
	"j\xc3\xb6hn@ex\xc3\xa4mple.org",
	"a@[192.0.2.1]",
	"a@[IPv6:::1]",
	"a.b@c",
	"a+b@c",
	"a@b-c.d",
	"x@xn--bcher-kva.example",
	"a_b@c_d.e",
	"!#$%&'*+-/=?^_`{|}~@x",
};

START_TEST(check_valid)
{
	struct mh_err	 err = { 0 };

	ck_assert_msg(addr_check(check_ok[_i], &err) == 0,
	    "case %d [%s]: %s", _i, check_ok[_i], err.msg);
}
END_TEST

static const struct bad_case check_bad[] = {
	{ "", 0, "\"\": empty address" },
	{ "a@b\r", 0, "\"a@b\\r\": control character in address" },
	{ "a@b\n", 0, "\"a@b\\n\": control character in address" },
	{ "\ra@b", 0, "control character in address" },
	{ "a\x01@b", 0, "control character in address" },
	{ "a@b\x7f", 0, "control character in address" },
	{ "a\t@b", 0, "\"a\\t@b\": control character in address" },
	{ "\"a\x02\"@b", 0, "control character in address" },
	{ "a b@c", 0, "\"a b@c\": unquoted space in address" },
	{ "a@b c", 0, "unquoted space in address" },
	{ "<a@b>", 0, "'<' or '>' in address" },
	{ "a@b>", 0, "'<' or '>' in address" },
	{ "a<b@c", 0, "'<' or '>' in address" },
	{ "@b", 0, "empty local part" },
	{ "a@", 0, "empty domain" },
	{ "\"\"@b", 0, "empty local part" },
	{ "\"a@b", 0, "unterminated quoted string" },
	{ "\"a\\\"@b", 0, "unterminated quoted string" },
	{ "a@b@c", 0, "invalid character '@' in local part" },
	{ "a,b@c", 0, "invalid character ',' in local part" },
	{ "a;b@c", 0, "invalid character ';' in local part" },
	{ "a:b@c", 0, "invalid character ':' in local part" },
	{ "a(b@c", 0, "invalid character '(' in local part" },
	{ "a\\b@c", 0, "invalid character '\\' in local part" },
	{ "a@b..c", 0, "empty label in domain" },
	{ "a@.b", 0, "empty label in domain" },
	{ "a@b.", 0, "empty label in domain" },
	{ "a@[1.2", 0, "invalid domain literal" },
	{ "a@[1[2]", 0, "invalid domain literal" },
	{ "a@b,c", 0, "invalid character ',' in domain" },
	{ "a@b(c)", 0, "invalid character '(' in domain" },
	{ "a\"b\"@x", 0, "invalid quoting in local part" },
	{ "\"a\"b@x", 0, "invalid quoting in local part" },
	{ "\"a\".\"b\"@x", 0, "invalid quoting in local part" },
};

START_TEST(check_invalid)
{
	const struct bad_case	*c = &check_bad[_i];
	struct mh_err		 err = { 0 };

	ck_assert_msg(addr_check(c->in, &err) == -1, "case %d [%s]: accepted",
	    _i, c->in);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_msg(strstr(err.msg, c->want) != NULL,
	    "case %d: got [%s], want [%s]", _i, err.msg, c->want);
}
END_TEST

/* Sizes: RFC 5321's 64 and 255, and ADDR_MAX in all, each side of the edge. */
START_TEST(check_sizes)
{
	char		 a[1024];
	struct mh_err	 err;

	memset(a, 'l', 64);
	strcpy(a + 64, "@example.org");
	ck_assert_int_eq(addr_check(a, &err), 0);
	memset(a, 'l', 65);
	strcpy(a + 65, "@example.org");
	ck_assert_int_eq(addr_check(a, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "local part longer than 64 bytes"));

	strcpy(a, "u@");
	memset(a + 2, 'd', 255);
	a[257] = '\0';
	ck_assert_int_eq(addr_check(a, &err), 0);
	strcpy(a + 257, "d");
	ck_assert_int_eq(addr_check(a, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "domain longer than 255 bytes"));

	/* A bare name has no domain to bound it: the total does. */
	memset(a, 'x', 600);
	a[600] = '\0';
	ck_assert_int_eq(addr_check(a, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "address longer than 512 bytes"));
	/* The quoted part of the message is cut, the reason survives. */
	ck_assert_uint_lt(strlen(err.msg), 160);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"...: "));
}
END_TEST

/* ---- addr_qualify, addr_domain ---- */

START_TEST(qualify_and_domain)
{
	char	*q;

	q = addr_qualify("root", "example.org");
	ck_assert_str_eq(q, "root@example.org");
	free(q);
	q = addr_qualify("a@b", "example.org");
	ck_assert_str_eq(q, "a@b");
	free(q);
	q = addr_qualify("root", NULL);
	ck_assert_str_eq(q, "root");
	free(q);
	q = addr_qualify("root", "");
	ck_assert_str_eq(q, "root");
	free(q);
	q = addr_qualify("\"a@b\"", "x.org");
	ck_assert_str_eq(q, "\"a@b\"@x.org");
	free(q);
	ck_assert_str_eq(addr_domain("a@b"), "b");
	ck_assert_ptr_null(addr_domain("root"));
	ck_assert_ptr_null(addr_domain("\"a@b\""));
	ck_assert_str_eq(addr_domain("\"a@b\"@c"), "c");
	ck_assert_str_eq(addr_domain("a@b@c"), "c");
	ck_assert_str_eq(addr_domain("a@"), "");
	ck_assert_str_eq(addr_domain("\"a\\\"@b\"@c"), "c");
}
END_TEST

/* The null sender has one spelling inside ("") and one outside ("<>"). */
START_TEST(null_sender)
{
	struct mh_err	 err = { 0 };
	char		*a;

	ck_assert(addr_is_null(NULL));
	ck_assert(addr_is_null(""));
	ck_assert(!addr_is_null("a@b"));
	ck_assert(addr_null_spelled("<>"));
	ck_assert(addr_null_spelled(" \t<> "));
	ck_assert(!addr_null_spelled(""));
	ck_assert(!addr_null_spelled("< >"));
	ck_assert(!addr_null_spelled("<>x"));
	ck_assert(!addr_null_spelled("<a@b>"));
	ck_assert_str_eq(addr_show(""), "<>");
	ck_assert_str_eq(addr_show(NULL), "<>");
	ck_assert_str_eq(addr_show("a@b"), "a@b");
	/* What addr_parse_one makes of "<>" is what addr_is_null knows. */
	ck_assert_int_eq(addr_parse_one(" <> ", &a, &err), 0);
	ck_assert(addr_is_null(a));
	free(a);
}
END_TEST


/* ---- the list: duplicates and max_recipients ---- */

START_TEST(list_duplicates_rule)
{
	struct addr_list	 l;
	struct mh_err		 err;

	addr_list_init(&l, 0);
	ck_assert_int_eq(addr_list_add(&l, "Bob@Example.COM", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "Bob@example.com", &err), 0);
	ck_assert_uint_eq(l.n, 1);		/* domain: case-insensitive */
	ck_assert_str_eq(l.v[0], "Bob@Example.COM");	/* first spelling kept */
	ck_assert_int_eq(addr_list_add(&l, "bob@example.com", &err), 0);
	ck_assert_uint_eq(l.n, 2);		/* local part: exact */
	ck_assert_int_eq(addr_list_add(&l, "root", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "root", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "Root", &err), 0);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_int_eq(addr_list_has(&l, "bob@EXAMPLE.com"), 1);
	ck_assert_int_eq(addr_list_has(&l, "BOB@example.com"), 0);
	ck_assert_int_eq(addr_list_has(&l, "root@example.com"), 0);
	addr_list_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
}
END_TEST

START_TEST(list_max_recipients)
{
	struct addr_list	 l;
	struct mh_err		 err;

	addr_list_init(&l, 2);
	ck_assert_int_eq(addr_list_add(&l, "a@x", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "b@x", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "a@X", &err), 0);	/* duplicate */
	ck_assert_int_eq(addr_list_add(&l, "A@x", &err), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_str_eq(err.msg, "too many recipients (max_recipients = 2)");
	ck_assert_uint_eq(l.n, 2);
	addr_list_free(&l);
	ck_assert_uint_eq(l.max, 2);		/* free keeps the limit */

	addr_list_init(&l, 3);
	ck_assert_int_eq(addr_parse_list("a@x, b@x, a@x, b@X, c@x", 23, &l,
	    &err), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(addr_parse_list("d@x", 3, &l, &err), -1);
	ck_assert_str_eq(err.msg, "too many recipients (max_recipients = 3)");
	addr_list_free(&l);
}
END_TEST

START_TEST(list_refuses_invalid)
{
	struct addr_list	 l;
	struct mh_err		 err;

	addr_list_init(&l, 0);
	ck_assert_int_eq(addr_list_add(&l, "a@b\r\nDATA", &err), -1);
	ck_assert_str_eq(err.msg,
	    "\"a@b\\r\\nDATA\": control character in address");
	ck_assert_int_eq(addr_list_add(&l, "", &err), -1);
	ck_assert_uint_eq(l.n, 0);
	addr_list_free(&l);
}
END_TEST

/* A caller that edits v[] by hand must not get a stale duplicate index. */
START_TEST(list_index_follows_hand_edits)
{
	struct addr_list	 l;
	struct mh_err		 err;

	addr_list_init(&l, 0);
	ck_assert_int_eq(addr_list_add(&l, "a@x", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "b@x", &err), 0);
	free(l.v[--l.n]);			/* drop b@x by hand */
	ck_assert_int_eq(addr_list_has(&l, "b@x"), 0);
	ck_assert_int_eq(addr_list_add(&l, "b@x", &err), 0);
	ck_assert_uint_eq(l.n, 2);
	addr_list_free(&l);

	memset(&l, 0, sizeof(l));		/* zeroed: a valid empty list */
	ck_assert_int_eq(addr_list_add(&l, "a@x", &err), 0);
	ck_assert_int_eq(addr_list_add(&l, "a@X", &err), 0);
	ck_assert_uint_eq(l.n, 1);
	addr_list_free(&l);
}
END_TEST

/* ---- hostile sizes: linear time, bounded memory, a clean error ---- */

#define MIB	(1024 * 1024)

struct big_case {
	const char	*name;
	const char	*head;		/* before the repeated part */
	const char	*rep;		/* repeated until the input is 1 MiB */
	const char	*tail;
	const char	*want;		/* joined result, or NULL for an error */
	const char	*err;		/* substring of the error */
};

static const struct big_case big[] = {
	{ "display name", "", "Name ", "<a@b>", "a@b", NULL },
	{ "quoted display name", "\"", "Na\\\"me ", "\" <a@b>", "a@b", NULL },
	{ "comment", "(", "x", ") a@b", "a@b", NULL },
	{ "empty elements", "", ",", "a@b", "a@b", NULL },
	{ "empty groups", "", "g:;", "a@b", "a@b", NULL },
	{ "folding", "a@b,", "\r\n ", "c@d", "a@b | c@d", NULL },
	{ "sibling comments", "", "()", "a@b", "a@b", NULL },
	{ "one atom", "", "a", "", NULL, "address longer than 512 bytes" },
	{ "words", "", "a ", "", NULL, "address longer than 512 bytes" },
	{ "open quote", "\"", "x", "", NULL, "unterminated quoted string" },
	{ "open comment", "(", "x", "", NULL, "unterminated comment" },
	{ "open parens", "", "(", "", NULL, "comments nested too deeply" },
	{ "close parens", "a@b", ")", "", NULL, "unbalanced ')'" },
	{ "open angles", "", "<", "", NULL, "unexpected '<'" },
	{ "close angles", "", ">", "", NULL, "unbalanced '>'" },
	{ "open literal", "a@[", "1", "", NULL, "unterminated domain literal" },
	{ "group colons", "g:", "h:", "", NULL, "group inside a group" },
	{ "at signs", "a", "@", "", NULL, "address longer than 512 bytes" },
	{ "routes", "<", "@a,", "", NULL, "invalid route in address" },
	{ "backslashes", "\"", "\\", "", NULL, "unterminated quoted string" },
	{ "CRs", "a@b", "\r", "", NULL, "control character in address" },
};

static char *
big_input(const struct big_case *c, size_t *len)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 0);
	buf_adds(&b, c->head);
	while (b.len < MIB)
		buf_adds(&b, c->rep);
	buf_adds(&b, c->tail);
	*len = b.len;
	s = b.data;
	return s;
}

START_TEST(big_header)
{
	const struct big_case	*c = &big[_i];
	struct addr_list	 l;
	struct mh_err		 err = { 0 };
	struct buf		 b;
	char			*in;
	size_t			 len;
	clock_t			 t0;
	double			 secs;
	int			 rc;

	in = big_input(c, &len);
	addr_list_init(&l, 0);
	t0 = clock();
	rc = addr_parse_list(in, len, &l, &err);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ck_assert_msg(secs < SLOW_SECONDS, "%s: %.2f s", c->name, secs);
	if (c->want != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", c->name, err.msg);
		buf_init(&b, 0);
		join_list(&l, &b);
		ck_assert_str_eq(b.data, c->want);
		buf_free(&b);
	} else {
		ck_assert_msg(rc == -1, "%s: accepted", c->name);
		ck_assert_msg(strstr(err.msg, c->err) != NULL, "%s: %s",
		    c->name, err.msg);
		/* The 1 MiB of input is quoted, but cut. */
		ck_assert_uint_lt(strlen(err.msg), TEXT_QUOTE_MAX * 4 + 80);
	}
	addr_list_free(&l);
	free(in);
}
END_TEST

/*
 * A fault deep in a long element is quoted from a little before it, so
 * that the message shows the culprit and not only the element's start.
 */
START_TEST(error_quotes_near_the_fault)
{
	struct addr_list	 l;
	struct mh_err		 err;
	struct buf		 b;
	int			 i;

	buf_init(&b, 0);
	for (i = 0; i < 40; i++)
		buf_adds(&b, "Name ");
	buf_adds(&b, "<a@b\r\nRCPT TO:<evil@y>>");
	addr_list_init(&l, 0);
	ck_assert_int_eq(addr_parse_list(b.data, b.len, &l, &err), -1);
	ck_assert_msg(strncmp(err.msg, "...\"", 4) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "<a@b\\r\\nRCPT TO:<evil@y>>\": "
	    "control character in address"));
	addr_list_free(&l);
	buf_free(&b);
}
END_TEST

/* Comment nesting is capped at ADDR_COMMENT_DEPTH: at the cap is fine. */
START_TEST(comment_depth_cap)
{
	char			 s[256];
	struct addr_list	 l;
	struct mh_err		 err;
	int			 d = ADDR_COMMENT_DEPTH;

	memset(s, '(', d);
	memset(s + d, ')', d);
	strcpy(s + 2 * d, "a@b");
	addr_list_init(&l, 0);
	ck_assert_int_eq(addr_parse_list(s, strlen(s), &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	memset(s, '(', d + 1);
	memset(s + d + 1, ')', d + 1);
	strcpy(s + 2 * d + 2, "c@d");
	ck_assert_int_eq(addr_parse_list(s, strlen(s), &l, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "comments nested too deeply"));
	addr_list_free(&l);
}
END_TEST

/* 20,000 addresses in one header, as names, plain, and all the same. */
START_TEST(twenty_thousand)
{
	struct addr_list	 l;
	struct mh_err		 err = { 0 };
	struct buf		 b;
	clock_t			 t0;
	int			 i;

	buf_init(&b, 0);
	for (i = 0; i < 20000; i++)
		buf_addf(&b, "%sUser %d <u%d@Example.com> (c)", i ? ",\r\n " : "",
		    i, i);
	addr_list_init(&l, 0);
	t0 = clock();
	ck_assert_int_eq(addr_parse_list(b.data, b.len, &l, &err), 0);
	ck_assert_uint_eq(l.n, 20000);
	ck_assert_str_eq(l.v[19999], "u19999@Example.com");
	/* The same again with the domain in another case: all duplicates. */
	for (i = 0; i < 20000; i++) {
		char	 a[64];

		snprintf(a, sizeof(a), "u%d@EXAMPLE.COM", i);
		ck_assert_int_eq(addr_list_add(&l, a, &err), 0);
	}
	ck_assert_uint_eq(l.n, 20000);
	ck_assert_double_lt((double)(clock() - t0) / CLOCKS_PER_SEC,
	    SLOW_SECONDS);
	addr_list_free(&l);

	/* max_recipients at its default stops the same header. */
	addr_list_init(&l, 10000);
	ck_assert_int_eq(addr_parse_list(b.data, b.len, &l, &err), -1);
	ck_assert_str_eq(err.msg,
	    "too many recipients (max_recipients = 10000)");
	ck_assert_uint_eq(l.n, 10000);
	addr_list_free(&l);

	buf_reset(&b);
	for (i = 0; i < 20000; i++)
		buf_adds(&b, "a@x, ");
	addr_list_init(&l, 1);
	ck_assert_int_eq(addr_parse_list(b.data, b.len, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	addr_list_free(&l);
	buf_free(&b);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("addr");
	TCase	*tc;

	tc = tcase_create("parse_list");
	tcase_add_loop_test(tc, parse_list_ok, 0, NELEM(list_ok));
	tcase_add_loop_test(tc, qualify_header_table, 0, NELEM(list_ok));
	tcase_add_test(tc, header_name);
	tcase_add_loop_test(tc, parse_list_bad, 0, NELEM(list_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_one");
	tcase_add_loop_test(tc, parse_one_ok, 0, NELEM(one_ok));
	tcase_add_loop_test(tc, parse_one_bad, 0, NELEM(one_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_loop_test(tc, check_valid, 0, NELEM(check_ok));
	tcase_add_loop_test(tc, check_invalid, 0, NELEM(check_bad));
	tcase_add_test(tc, check_sizes);
	tcase_add_test(tc, qualify_and_domain);
	tcase_add_test(tc, null_sender);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_test(tc, list_duplicates_rule);
	tcase_add_test(tc, list_max_recipients);
	tcase_add_test(tc, list_refuses_invalid);
	tcase_add_test(tc, list_index_follows_hand_edits);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, big_header, 0, NELEM(big));
	tcase_add_test(tc, comment_depth_cap);
	tcase_add_test(tc, error_quotes_near_the_fault);
	tcase_add_test(tc, twenty_thousand);
	suite_add_tcase(s, tc);
	return s;
}
