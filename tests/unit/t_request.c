/* SPDX-License-Identifier: MIT */
/*
 * t_request.c - request.c: what the front end encodes, the helper decodes
 * to the same struct; the helper's argv is untrusted, so anything an
 * encode cannot produce is refused with one EX_USAGE line.
 */
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "request.h"
#include "unit.h"

static int
argc_of(char *const av[])
{
	int	 n = 0;

	while (av[n] != NULL)
		n++;
	return n;
}

static void
roundtrip(const struct request *in, struct request *out)
{
	char		*av[REQUEST_ARGV_MAX];
	struct mh_err	 err;

	mh_err_clear(&err);
	ck_assert_int_eq(request_encode(in, "mailhop-deliver", av, &err), 0);
	ck_assert_str_eq(av[0], "mailhop-deliver");
	ck_assert_int_eq(request_decode(out, argc_of(av), av, &err), 0);
}

static void
decode_fails(const char *why, char *const av[])
{
	struct request	 r;
	struct mh_err	 err;

	mh_err_clear(&err);
	ck_assert_int_eq(request_decode(&r, argc_of(av), av, &err), -1);
	ck_assert_int_eq(err.exit, EX_USAGE);
	ck_assert_ptr_ne(strstr(err.msg, why), NULL);
	ck_assert_ptr_eq(strchr(err.msg, '\n'), NULL);
}

START_TEST(flush_everything_roundtrips)
{
	struct request	 in, out;

	request_init(&in, REQ_FLUSH);
	in.config = "/home/ann/my.conf";
	in.verbose = 1;
	in.only_id = "0ABCDEFGHIJKLMNOPQRS";
	in.rcpt_domain = "example.org";
	in.sender_substr = "--looks-like-an-option";
	in.force = 1;
	in.report = 1;
	in.background = 1;
	roundtrip(&in, &out);
	ck_assert_int_eq(out.op, REQ_FLUSH);
	ck_assert_str_eq(out.config, in.config);
	ck_assert_str_eq(out.only_id, in.only_id);
	ck_assert_str_eq(out.rcpt_domain, in.rcpt_domain);
	ck_assert_str_eq(out.sender_substr, in.sender_substr);
	ck_assert_int_eq(out.verbose, 1);
	ck_assert_int_eq(out.force, 1);
	ck_assert_int_eq(out.report, 1);
	ck_assert_int_eq(out.background, 1);
}
END_TEST

START_TEST(empty_request_roundtrips)
{
	struct request	 in, out, zero;

	request_init(&in, REQ_TEST);
	roundtrip(&in, &out);
	request_init(&zero, REQ_TEST);
	ck_assert_int_eq(memcmp(&out, &zero, sizeof(zero)), 0);
	ck_assert_str_eq(request_op_name(out.op), "test");
}
END_TEST

START_TEST(encode_refuses_field_of_other_op)
{
	struct request	 in;
	char		*av[REQUEST_ARGV_MAX];
	struct mh_err	 err;

	request_init(&in, REQ_TEST);
	in.only_id = "X";
	mh_err_clear(&err);
	ck_assert_int_eq(request_encode(&in, "h", av, &err), -1);
	ck_assert_int_eq(err.exit, EX_SOFTWARE);
}
END_TEST

START_TEST(decode_refuses_what_encode_never_makes)
{
	decode_fails("no operation", (char *[]){ "h", NULL });
	decode_fails("unknown operation \"rm\"", (char *[]){ "h", "rm", NULL });
	decode_fails("unknown option \"-C\"",
	    (char *[]){ "h", "flush", "-C", "x", NULL });
	decode_fails("unknown option \"--id\"",
	    (char *[]){ "h", "test", "--id", "x", NULL });
	decode_fails("--id needs a value",
	    (char *[]){ "h", "flush", "--id", NULL });
	decode_fails("--config needs a value",
	    (char *[]){ "h", "flush", "--config", "", NULL });
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("request");
	TCase	*tc = tcase_create("request");

	tcase_add_test(tc, flush_everything_roundtrips);
	tcase_add_test(tc, empty_request_roundtrips);
	tcase_add_test(tc, encode_refuses_field_of_other_op);
	tcase_add_test(tc, decode_refuses_what_encode_never_makes);
	suite_add_tcase(s, tc);
	return s;
}
