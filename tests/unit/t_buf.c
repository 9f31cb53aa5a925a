/* SPDX-License-Identifier: MIT */
/* t_buf.c - buf.c: growth, the hard cap, consume. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "unit.h"

START_TEST(grows_and_terminates)
{
	struct buf	 b;
	int		 i;

	buf_init(&b, 0);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_adds(&b, "abc"), 0);
	ck_assert_uint_eq(b.len, 3000);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(memcmp(b.data + 2997, "abc", 3), 0);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(cap_refuses_with_erange)
{
	struct buf	 b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_add(&b, "12345678", 8), 0);
	errno = 0;
	ck_assert_int_eq(buf_addc(&b, 'x'), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(b.data, "12345678");
	buf_free(&b);
}
END_TEST

START_TEST(cap_refuses_huge_length_without_overflow)
{
	struct buf	 b;

	buf_init(&b, 16);
	ck_assert_int_eq(buf_adds(&b, "x"), 0);
	ck_assert_int_eq(buf_add(&b, "y", (size_t)-1), -1);
	ck_assert_uint_eq(b.len, 1);
	buf_free(&b);
}
END_TEST

START_TEST(printf_and_consume)
{
	struct buf	 b;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_addf(&b, "%s=%d;", "a", 42), 0);
	ck_assert_int_eq(buf_addf(&b, "%05u", 7u), 0);
	ck_assert_str_eq(b.data, "a=42;00007");
	buf_consume(&b, 5);
	ck_assert_str_eq(b.data, "00007");
	buf_consume(&b, 99);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	buf_free(&b);
}
END_TEST

START_TEST(printf_respects_cap)
{
	struct buf	 b;

	buf_init(&b, 4);
	ck_assert_int_eq(buf_addf(&b, "%d", 12345), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("buf");

	tcase_add_test(tc, grows_and_terminates);
	tcase_add_test(tc, cap_refuses_with_erange);
	tcase_add_test(tc, cap_refuses_huge_length_without_overflow);
	tcase_add_test(tc, printf_and_consume);
	tcase_add_test(tc, printf_respects_cap);
	suite_add_tcase(s, tc);
	return s;
}
