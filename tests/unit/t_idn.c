/* SPDX-License-Identifier: MIT */
/*
 * t_idn.c - idn.c: envelope addresses for the wire, A-label domains and
 * the SMTPUTF8 test on the local part.
 */
#include <stdlib.h>
#include <string.h>

#include "idn.h"
#include "unit.h"

START_TEST(needs_smtputf8)
{
	ck_assert_int_eq(idn_needs_smtputf8("j\xc3\xb6rg@example.net"), 1);
	ck_assert_int_eq(idn_needs_smtputf8("bob@b\xc3\xbc" "cher.example"), 0);
	ck_assert_int_eq(idn_needs_smtputf8("\"j\xc3\xb6 rg\"@x"), 1);
	ck_assert_int_eq(idn_needs_smtputf8("plain@example.net"), 0);
	ck_assert_int_eq(idn_needs_smtputf8(""), 0);
	ck_assert_int_eq(idn_needs_smtputf8("r\xc3\xb6\xc3\xb6t"), 1);
}
END_TEST

START_TEST(to_ascii)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "bob@b\xc3\xbc" "cher.example", "bob@xn--bcher-kva.example" },
		{ "j\xc3\xb6rg@b\xc3\xbc" "cher.example",
		    "j\xc3\xb6rg@xn--bcher-kva.example" },
		{ "a@B\xc3\x9c" "CHER.example", "a@xn--bcher-kva.example" },
		{ "a@example.com", "a@example.com" },
		{ "a@EXAMPLE.com", "a@EXAMPLE.com" },
		{ "a@[192.0.2.1]", "a@[192.0.2.1]" },
		{ "root", "root" },
		{ "<>", "<>" },
		{ "\"a@b\"@m\xc3\xbcnchen.example", "\"a@b\"@xn--mnchen-3ya.example" },
	};
	char	 why[256], *a;
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		a = idn_to_ascii(t[i].in, why, sizeof(why));
		ck_assert_ptr_nonnull(a);
		ck_assert_str_eq(a, t[i].out);
		free(a);
	}
	/* a label that starts with a combining mark is no IDN */
	ck_assert_ptr_null(idn_to_ascii("bob@\xcc\x81x.example", why,
	    sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "553 5.1.3 the domain of bob@"));
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("idn");
	TCase	*tc = tcase_create("idn");

	tcase_add_test(tc, needs_smtputf8);
	tcase_add_test(tc, to_ascii);
	suite_add_tcase(s, tc);
	return s;
}
