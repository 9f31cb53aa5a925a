/* SPDX-License-Identifier: MIT */
/* t_alias.c - placeholder suite; the module's owner fills it in. */
#include "unit.h"

START_TEST(placeholder)
{
	ck_assert_int_eq(1, 1);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("alias");
	TCase	*tc = tcase_create("placeholder");

	tcase_add_test(tc, placeholder);
	suite_add_tcase(s, tc);
	return s;
}
