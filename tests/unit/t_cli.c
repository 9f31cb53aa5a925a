/* SPDX-License-Identifier: MIT */
/*
 * t_cli.c - cli_parse() against a table: every caller argv of SPEC §2,
 * every option, bundling, "--", the first non-option ending the options,
 * and the usage errors.
 */
#include <string.h>

#include "cli.h"
#include "unit.h"

#define A(...)	{ "sendmail", __VA_ARGS__, NULL }
#define N	NULL

struct cli_case {
	const char	*argv[20];
	int		 rc;		/* 0 or the sysexits code */
	const char	*errpart;	/* substring of the error message */
	enum cli_mode	 mode;
	int		 extract, ignore_dots, verbose;
	enum cli_deliver deliver;
	const char	*sender, *fullname, *config;
	const char	*q_id, *q_rcpt, *q_sender;
	int		 nrcpts;
	const char	*rcpt0, *rcptlast;
};

#define OK	0, N
#define DEF	CLI_DELIVER_CONFIG

static const struct cli_case cases[] = {
	/* The real callers of SPEC §2, argv as they send it. */
	{ A("-t", "-i"), OK, CLI_SEND, 1, 1, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-bs"), OK, CLI_SMTP, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-t"), OK, CLI_SEND, 1, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root"), OK,
	  CLI_SEND, 0, 1, 0, DEF, N, "CronDaemon", N, N, N, N, 1, "root", N },
	{ A("-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t"), OK,
	  CLI_SEND, 1, 1, 0, CLI_DELIVER_FOREGROUND, N, "CronDaemon", N,
	  N, N, N, 0, N, N },
	{ A("-i", "-t", "-f", "me@x.org"), OK, CLI_SEND, 1, 1, 0, DEF,
	  "me@x.org", N, N, N, N, N, 0, N, N },
	{ A("-i", "-f", "me@x.org", "--", "a@x", "b@y"), OK, CLI_SEND, 0, 1,
	  0, DEF, "me@x.org", N, N, N, N, N, 2, "a@x", "b@y" },
	{ A("-i", "--", "a@x"), OK, CLI_SEND, 0, 1, 0, DEF, N, N, N, N, N, N,
	  1, "a@x", N },
	{ A("-oem", "-oi", "--", "a@x", "-b"), OK, CLI_SEND, 0, 1, 0, DEF, N,
	  N, N, N, N, N, 2, "a@x", "-b" },
	{ A("-f", "me@x.org", "-i", "a@x", "b@y"), OK, CLI_SEND, 0, 1, 0, DEF,
	  "me@x.org", N, N, N, N, N, 2, "a@x", "b@y" },
	{ A("-i", "a@x"), OK, CLI_SEND, 0, 1, 0, DEF, N, N, N, N, N, N, 1,
	  "a@x", N },
	/* Sender forms. */
	{ A("-fme@x.org", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "me@x.org", N, N,
	  N, N, N, 1, "a", N },
	{ A("-f", "<>", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "<>", N, N, N, N, N,
	  1, "a", N },
	{ A("-f<>", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "<>", N, N, N, N, N,
	  1, "a", N },
	{ A("-r", "r@x", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "r@x", N, N, N, N,
	  N, 1, "a", N },
	{ A("-rr@x", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "r@x", N, N, N, N, N,
	  1, "a", N },
	{ A("-f", "", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "", N, N, N, N, N,
	  1, "a", N },
	/* Bundling: flags, then a letter that takes the rest or next word. */
	{ A("-ti"), OK, CLI_SEND, 1, 1, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-itv"), OK, CLI_SEND, 1, 1, 1, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-tf", "me@x"), OK, CLI_SEND, 1, 0, 0, DEF, "me@x", N, N, N, N,
	  N, 0, N, N },
	{ A("-tfme@x", "a"), OK, CLI_SEND, 1, 0, 0, DEF, "me@x", N, N, N, N,
	  N, 1, "a", N },
	{ A("-F", "Ann Example", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N,
	  "Ann Example", N, N, N, N, 1, "a", N },
	{ A("-C", "/x/y.conf", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N,
	  "/x/y.conf", N, N, N, 1, "a", N },
	{ A("-C/x/y.conf", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N,
	  "/x/y.conf", N, N, N, 1, "a", N },
	/* -o family. */
	{ A("-oi", "a"), OK, CLI_SEND, 0, 1, 0, DEF, N, N, N, N, N, N, 1, "a",
	  N },
	{ A("-o", "i", "a"), OK, CLI_SEND, 0, 1, 0, DEF, N, N, N, N, N, N, 1,
	  "a", N },
	{ A("-odq", "a"), OK, CLI_SEND, 0, 0, 0, CLI_DELIVER_QUEUE, N, N, N,
	  N, N, N, 1, "a", N },
	{ A("-odd", "a"), OK, CLI_SEND, 0, 0, 0, CLI_DELIVER_QUEUE, N, N, N,
	  N, N, N, 1, "a", N },
	{ A("-odi", "a"), OK, CLI_SEND, 0, 0, 0, CLI_DELIVER_FOREGROUND, N,
	  N, N, N, N, N, 1, "a", N },
	{ A("-odb", "a"), OK, CLI_SEND, 0, 0, 0, CLI_DELIVER_BACKGROUND, N,
	  N, N, N, N, N, 1, "a", N },
	{ A("-odq", "-odi", "a"), OK, CLI_SEND, 0, 0, 0,
	  CLI_DELIVER_FOREGROUND, N, N, N, N, N, N, 1, "a", N },
	{ A("-oem", "-oep", "-oeq", "-oew", "-oee", "-om", "-oX", "-o7",
	    "-oQ/tmp", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 1,
	  "a", N },
	{ A("-oit", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 1, "a",
	  N },
	/* Accepted and ignored. */
	{ A("-B", "8BITMIME", "-N", "never", "-R", "hdrs", "-V", "envid",
	    "-L", "tag", "-X", "/tmp/log", "-h", "17", "a"), OK, CLI_SEND, 0,
	  0, 0, DEF, N, N, N, N, N, N, 1, "a", N },
	{ A("-B8BITMIME", "-Nnever", "-Rhdrs", "-Venvid", "-Ltag", "-X/l",
	    "-h17", "-n", "-U", "-G", "-Ac", "-Am", "-m", "a"), OK, CLI_SEND,
	  0, 0, 0, DEF, N, N, N, N, N, N, 1, "a", N },
	{ A("-O", "DeliveryMode=b", "-OX=1", "-nUGm", "a"), OK, CLI_SEND, 0,
	  0, 0, DEF, N, N, N, N, N, N, 1, "a", N },
	{ A("-A", "c", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 1,
	  "a", N },
	/* Modes. */
	{ A("-bm", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 1, "a",
	  N },
	{ A("-bp"), OK, CLI_LIST, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-b", "p"), OK, CLI_LIST, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N,
	  N },
	{ A("-bv", "root", "a@x"), OK, CLI_VERIFY, 0, 0, 0, DEF, N, N, N, N,
	  N, N, 2, "root", "a@x" },
	{ A("-bi"), OK, CLI_NEWALIASES, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N,
	  N },
	{ A("-bs", "-v"), OK, CLI_SMTP, 0, 0, 1, DEF, N, N, N, N, N, N, 0, N,
	  N },
	/* Queue runs. */
	{ A("-q"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-q15m"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-q1h30m"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N,
	  N },
	{ A("-q", "-v"), OK, CLI_FLUSH, 0, 0, 1, DEF, N, N, N, N, N, N, 0, N,
	  N },
	{ A("-vq"), OK, CLI_FLUSH, 0, 0, 1, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-qRexample.com"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N,
	  "example.com", N, 0, N, N },
	{ A("-qR", "example.com"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N,
	  "example.com", N, 0, N, N },
	{ A("-qSalice"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N, N, "alice",
	  0, N, N },
	{ A("-qS", "alice"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N, N, N,
	  "alice", 0, N, N },
	{ A("-qI0TP18F18ZJG00KZ8SJQF"), OK, CLI_FLUSH, 0, 0, 0, DEF, N, N, N,
	  "0TP18F18ZJG00KZ8SJQF", N, N, 0, N, N },
	{ A("-qI", "ID1", "-v"), OK, CLI_FLUSH, 0, 0, 1, DEF, N, N, N, "ID1",
	  N, N, 0, N, N },
	/* "--" and the first non-option end the options (no permutation). */
	{ A("--", "-t"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 1, "-t",
	  N },
	{ A("a@x", "-f", "evil@y"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N,
	  N, 3, "a@x", "evil@y" },
	{ A("-t", "a@x", "-C", "/tmp/evil.conf"), OK, CLI_SEND, 1, 0, 0, DEF,
	  N, N, N, N, N, N, 3, "a@x", "/tmp/evil.conf" },
	{ A("-", "a"), OK, CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 2, "-",
	  "a" },
	{ A("-f", "-t", "a"), OK, CLI_SEND, 0, 0, 0, DEF, "-t", N, N, N, N, N,
	  1, "a", N },
	/* --help is the one long option (issue 12): usage, exit 0. */
	{ A("--help"), OK, CLI_HELP, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-t", "--help", "a"), OK, CLI_HELP, 1, 0, 0, DEF, N, N, N, N, N,
	  N, 0, N, N },
	/* Errors. */
	{ A("-y"), EX_USAGE, "unknown option \"-y\" (usage: sendmail",
	  CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-ty", "a"), EX_USAGE, "unknown option \"-y\"", CLI_SEND, 0, 0,
	  0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("--helpme"), EX_USAGE, "unknown option \"--helpme\"", CLI_SEND,
	  0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-I"), EX_USAGE, "unknown option \"-I\"", CLI_SEND, 0, 0, 0, DEF,
	  N, N, N, N, N, N, 0, N, N },
	{ A("-bd"), EX_USAGE, "mailhop does not run as a daemon", CLI_SEND,
	  0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-bD"), EX_USAGE, "mailhop does not run as a daemon", CLI_SEND,
	  0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-bx"), EX_USAGE, "unknown option \"-bx\"", CLI_SEND, 0, 0, 0,
	  DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-bpx"), EX_USAGE, "unknown option \"-bpx\"", CLI_SEND, 0, 0, 0,
	  DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-f"), EX_USAGE, "option \"-f\" requires an argument", CLI_SEND,
	  0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-t", "-F"), EX_USAGE, "option \"-F\" requires an argument",
	  CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-qX"), EX_USAGE, "unknown option \"-qX\"", CLI_SEND, 0, 0, 0,
	  DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-qR"), EX_USAGE, "option \"-qR\" requires an argument",
	  CLI_SEND, 0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-qI", ""), EX_USAGE, "option \"-qI\" requires a value", CLI_SEND,
	  0, 0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-bp", "a@x"), EX_USAGE, "-bp takes no recipients", CLI_SEND, 0,
	  0, 0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-q", "a@x"), EX_USAGE, "-q takes no recipients", CLI_SEND, 0, 0,
	  0, DEF, N, N, N, N, N, N, 0, N, N },
	{ A("-bs", "a@x"), EX_USAGE, "-bs takes no recipients", CLI_SEND, 0,
	  0, 0, DEF, N, N, N, N, N, N, 0, N, N },
};

static int
argc_of(const char *const *v)
{
	int	 n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

static void
check_str(const char *what, const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_msg(got == NULL, "%s: got \"%s\", want NULL", what,
		    got);
	else
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
		    "%s: got \"%s\", want \"%s\"", what,
		    got == NULL ? "(null)" : got, want);
}

START_TEST(table)
{
	const struct cli_case	*c = &cases[_i];
	struct invocation	 inv;
	struct mh_err		 err;
	int			 rc;

	mh_err_clear(&err);
	rc = cli_parse(argc_of(c->argv), (char *const *)c->argv, &inv, &err);
	if (c->rc != 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(err.exit, c->rc);
		ck_assert_msg(strstr(err.msg, c->errpart) != NULL,
		    "case %d: error \"%s\" lacks \"%s\"", _i, err.msg,
		    c->errpart);
		ck_assert_msg(strchr(err.msg, '\n') == NULL, "one line");
		return;
	}
	ck_assert_msg(rc == 0, "case %d (%s ...): %s", _i, c->argv[1],
	    err.msg);
	ck_assert_int_eq(inv.mode, c->mode);
	ck_assert_int_eq(inv.extract, c->extract);
	ck_assert_int_eq(inv.ignore_dots, c->ignore_dots);
	ck_assert_int_eq(inv.verbose, c->verbose);
	ck_assert_int_eq(inv.deliver, c->deliver);
	check_str("sender", inv.sender, c->sender);
	check_str("fullname", inv.fullname, c->fullname);
	check_str("config", inv.config, c->config);
	check_str("q_id", inv.q_id, c->q_id);
	check_str("q_rcpt", inv.q_rcpt, c->q_rcpt);
	check_str("q_sender", inv.q_sender, c->q_sender);
	ck_assert_int_eq(inv.nrcpts, c->nrcpts);
	if (c->rcpt0 != NULL)
		check_str("rcpt0", inv.rcpts[0], c->rcpt0);
	if (c->rcptlast != NULL)
		check_str("rcptlast", inv.rcpts[inv.nrcpts - 1], c->rcptlast);
}
END_TEST

/* Recipients point into argv: no copy, nothing to free. */
START_TEST(rcpts_point_into_argv)
{
	char		*argv[] = { "sendmail", "-i", "a@x", NULL };
	struct invocation inv;
	struct mh_err	 err;

	ck_assert_int_eq(cli_parse(3, argv, &inv, &err), 0);
	ck_assert_ptr_eq(inv.rcpts, argv + 2);
}
END_TEST

/* argc larger than the NULL-terminated argv (a careless caller). */
START_TEST(argc_past_null)
{
	char		*argv[] = { "sendmail", "-i", "a@x", NULL, NULL };
	struct invocation inv;
	struct mh_err	 err;

	ck_assert_int_eq(cli_parse(5, argv, &inv, &err), 0);
	ck_assert_int_eq(inv.nrcpts, 1);
}
END_TEST

START_TEST(empty_argv)
{
	char		*argv[] = { "sendmail", NULL };
	struct invocation inv;
	struct mh_err	 err;

	ck_assert_int_eq(cli_parse(1, argv, &inv, &err), 0);
	ck_assert_int_eq(inv.mode, CLI_SEND);
	ck_assert_int_eq(inv.nrcpts, 0);
	ck_assert_int_eq(cli_parse(0, argv, &inv, &err), 0);
	ck_assert_int_eq(inv.nrcpts, 0);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("cli");
	TCase	*tc = tcase_create("cli");

	tcase_add_loop_test(tc, table, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, rcpts_point_into_argv);
	tcase_add_test(tc, argc_past_null);
	tcase_add_test(tc, empty_argv);
	suite_add_tcase(s, tc);
	return s;
}
