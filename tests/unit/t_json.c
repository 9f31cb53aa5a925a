/* SPDX-License-Identifier: MIT */
/* t_json.c - json.c and timefmt.c: escaping and the time formats. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "timefmt.h"
#include "unit.h"

static void
check_json(const char *in, const char *want)
{
	struct buf	 b;

	buf_init(&b, 0);
	ck_assert_int_eq(json_add_string(&b, in), 0);
	ck_assert_str_eq(b.data, want);
	buf_free(&b);
}

START_TEST(plain)
{
	check_json("bob@example.com", "\"bob@example.com\"");
}
END_TEST

START_TEST(quotes_and_backslash)
{
	check_json("a\"b\\c", "\"a\\\"b\\\\c\"");
}
END_TEST

START_TEST(controls_escaped)
{
	check_json("a\r\nb\x01\x7f", "\"a\\u000d\\u000ab\\u0001\\u007f\"");
}
END_TEST

START_TEST(utf8_kept_invalid_replaced)
{
	check_json("J\xc3\xbcrgen", "\"J\xc3\xbcrgen\"");
	check_json("x\xff" "y", "\"x\\ufffdy\"");
	check_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");	/* overlong '/' */
	check_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
}
END_TEST

START_TEST(c1_and_bidi_escaped)
{
	check_json("a\xc2\x9b" "b\xe2\x80\xae" "c", "\"a\\u009bb\\u202ec\"");
}
END_TEST

START_TEST(rfc5322_date_in_utc)
{
	char	 s[TIMEFMT_MAX];

	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(timefmt_rfc5322(1795567190, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "Wed, 25 Nov 2026 00:39:50 +0000");
	ck_assert_int_eq(timefmt_rfc3339(1795567190, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "2026-11-25T00:39:50+00:00");
}
END_TEST

START_TEST(rfc5322_date_negative_zone)
{
	char	 s[TIMEFMT_MAX];

	setenv("TZ", "America/St_Johns", 1);	/* -03:30 in November */
	tzset();
	ck_assert_int_eq(timefmt_rfc5322(1795567190, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "Tue, 24 Nov 2026 21:09:50 -0330");
	ck_assert_int_eq(timefmt_rfc3339(1795567190, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "2026-11-24T21:09:50-03:30");
}
END_TEST

START_TEST(durations)
{
	char	 s[TIMEFMT_MAX];

	timefmt_duration(42, s, sizeof(s));
	ck_assert_str_eq(s, "42s");
	timefmt_duration(15 * 60 + 3, s, sizeof(s));
	ck_assert_str_eq(s, "15m3s");
	timefmt_duration(2 * 3600 + 60, s, sizeof(s));
	ck_assert_str_eq(s, "2h1m");
	timefmt_duration(5 * 86400 + 7200, s, sizeof(s));
	ck_assert_str_eq(s, "5d2h");
	ck_assert_int_eq(timefmt_duration(5, s, 2), -1);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("json");
	TCase	*tc = tcase_create("json");

	tcase_add_test(tc, plain);
	tcase_add_test(tc, quotes_and_backslash);
	tcase_add_test(tc, controls_escaped);
	tcase_add_test(tc, utf8_kept_invalid_replaced);
	tcase_add_test(tc, c1_and_bidi_escaped);
	tcase_add_test(tc, rfc5322_date_in_utc);
	tcase_add_test(tc, rfc5322_date_negative_zone);
	tcase_add_test(tc, durations);
	suite_add_tcase(s, tc);
	return s;
}
