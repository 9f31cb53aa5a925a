/* SPDX-License-Identifier: MIT */
/* t_text.c - text.c: the sanitisers for people and for the wire. */
#include <string.h>

#include "buf.h"
#include "text.h"
#include "unit.h"

static void
show_is(const char *in, int flags, const char *want)
{
	char	 out[256];

	text_show(out, sizeof(out), in, strlen(in), flags);
	ck_assert_str_eq(out, want);
}

static void
wire_is(const char *in, int flags, const char *want)
{
	char	 out[256];

	text_wire(out, sizeof(out), in, strlen(in), flags);
	ck_assert_str_eq(out, want);
}

START_TEST(show_plain_and_utf8_pass)
{
	show_is("550 5.1.1 no such user", 0, "550 5.1.1 no such user");
	show_is("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80", 0,
	    "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80");
}
END_TEST

START_TEST(show_c0_del_replaced)
{
	show_is("a\r\nb\x1b[31mc\x7f", 0, "a??b?[31mc?");
	show_is("a\tb", 0, "a?b");
}
END_TEST

START_TEST(show_c1_as_utf8_replaced)
{
	/* U+009B CSI, U+009D OSC, U+0085 NEL */
	show_is("x\xc2\x9b" "31my\xc2\x9d" "0;t\xc2\x85z", 0, "x?31my?0;t?z");
	/* U+00A0 is not a control: it stays */
	show_is("\xc2\xa0", 0, "\xc2\xa0");
}
END_TEST

START_TEST(show_bidi_replaced)
{
	show_is("gpj\xe2\x80\xae" "exe", 0, "gpj?exe");		/* U+202E */
	show_is("\xe2\x81\xa6" "a\xe2\x81\xa9", 0, "?a?");	/* U+2066/9 */
	show_is("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "???");	/* LRM RLM ALM */
	show_is("\xe2\x80\xa8", 0, "?");			/* U+2028 */
	show_is("\xe2\x80\x8d", 0, "\xe2\x80\x8d");		/* ZWJ stays */
}
END_TEST

START_TEST(show_invalid_utf8_byte_by_byte)
{
	show_is("a\x9b" "b", 0, "a?b");			/* raw C1 byte */
	show_is("\xc0\xaf", 0, "??");			/* overlong '/' */
	show_is("\xed\xa0\x80", 0, "???");		/* surrogate */
	show_is("\xf4\x90\x80\x80", 0, "????");		/* past U+10FFFF */
	show_is("x\xe2\x82", 0, "x??");			/* truncated */
	show_is("\xff\xfe", 0, "??");
}
END_TEST

START_TEST(show_escape_and_quote)
{
	show_is("a\r\nb\x01\x7f", TEXT_ESCAPE, "a\\r\\nb\\x01\\x7f");
	show_is("\xc2\x9b\xe2\x80\xae\xff", TEXT_ESCAPE,
	    "\\x{9B}\\x{202E}\\xff");
	show_is("say \"hi\" \\o/", TEXT_ESCAPE, "say \"hi\" \\o/");
	show_is("say \"hi\" \\o/", TEXT_QUOTE, "say \\\"hi\\\" \\\\o/");
	show_is("J\xc3\xbcrgen", TEXT_QUOTE, "J\xc3\xbcrgen");
}
END_TEST

START_TEST(show_space_runs)
{
	show_is("250-a\r\n250 b", TEXT_SPACE, "250-a 250 b");
	show_is("\x1b[31mred\x7f\t", TEXT_SPACE, "[31mred");
	show_is("\r\n", TEXT_SPACE, "");
	show_is("a \r\n b", TEXT_SPACE, "a  b");
	show_is("a\xc2\x9b" "b\r\n", TEXT_SPACE, "a?b");
}
END_TEST

START_TEST(show_lines_for_terminals)
{
	show_is("Subject: x\r\n\r\n\tbody\x1b]0;t\x07\r\n", TEXT_LINES,
	    "Subject: x\n\n\tbody\\x1b]0;t\\x07\n");
	show_is("a\rb", TEXT_LINES, "a\\rb");
}
END_TEST

START_TEST(show_cut_at_character)
{
	char	 out[6];
	size_t	 took;

	/* "ab" + U+00E9 (2 bytes) + U+20AC (3 bytes): 5 bytes fit, not 7 */
	took = text_show(out, sizeof(out), "ab\xc3\xa9\xe2\x82\xac", 7, 0);
	ck_assert_str_eq(out, "ab\xc3\xa9");
	ck_assert_uint_eq(took, 4);
	/* an escape is never cut */
	took = text_show(out, sizeof(out), "ab\x1b", 3, TEXT_ESCAPE);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(took, 2);
	/* nor is a quoted quote */
	took = text_show(out, sizeof(out), "abcd\"", 5, TEXT_QUOTE);
	ck_assert_str_eq(out, "abcd");
	ck_assert_uint_eq(took, 4);
	text_show(out, 1, "abc", 3, 0);
	ck_assert_str_eq(out, "");
	/* plain ASCII goes in one copy, still filled to the last byte */
	took = text_show(out, sizeof(out), "abcdefgh", 8, 0);
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(took, 5);
}
END_TEST

START_TEST(show_more_holds_back_a_tail)
{
	struct buf	 b;
	const char	*in = "x\xe2\x82\xac\r\ny\xe2\x82";
	size_t		 took;

	buf_init(&b, 0);
	took = text_show_buf(&b, in, strlen(in), TEXT_LINES | TEXT_MORE);
	ck_assert_uint_eq(took, strlen(in) - 2);
	ck_assert_str_eq(b.data, "x\xe2\x82\xac\ny");
	/* the rest, completed */
	took = text_show_buf(&b, "\xe2\x82\xac\r", 4, TEXT_LINES | TEXT_MORE);
	ck_assert_uint_eq(took, 3);
	took = text_show_buf(&b, "\r", 1, TEXT_LINES);
	ck_assert_uint_eq(took, 1);
	ck_assert_str_eq(b.data, "x\xe2\x82\xac\ny\xe2\x82\xac\\r");
	buf_free(&b);
}
END_TEST

START_TEST(buf_cap_stops_quietly)
{
	struct buf	 b;

	buf_init(&b, 4);
	text_show_buf(&b, "abc\xc3\xa9", 5, 0);
	ck_assert_str_eq(b.data, "abc");
	buf_free(&b);
	buf_init(&b, 4);
	ck_assert_uint_eq(text_show_buf(&b, "abcdef", 6, 0), 4);
	ck_assert_str_eq(b.data, "abcd");
	buf_free(&b);
}
END_TEST

START_TEST(wire_is_ascii)
{
	wire_is("550 5.1.1 <j\xc3\xbcrgen@example.org> unknown", 0,
	    "550 5.1.1 <j\\x{FC}rgen@example.org> unknown");
	wire_is("a\r\nb\xc2\x9b\xe2\x80\xae\xff", 0, "a??b???");
	wire_is("a\r\nb\xc2\x9b\xe2\x80\xae\xff", TEXT_ESCAPE,
	    "a\\r\\nb\\x{9B}\\x{202E}\\xff");
	wire_is("250-a\r\n250 b\xf0\x9f\x98\x80", TEXT_SPACE,
	    "250-a 250 b\\x{1F600}");
}
END_TEST

START_TEST(wire_output_bytes_are_printable_ascii)
{
	unsigned char	 in[512];
	char		 out[2048];
	size_t		 i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	text_wire(out, sizeof(out), (const char *)in, sizeof(in), 0);
	for (i = 0; out[i] != '\0'; i++)
		ck_assert(out[i] >= 0x20 && out[i] < 0x7f);
}
END_TEST

START_TEST(quote_escapes_and_cuts)
{
	char	 q[512], big[300];

	text_quote(q, sizeof(q), "a\r\n\t\x01\x7f\"\\z", 9);
	ck_assert_str_eq(q, "\"a\\r\\n\\t\\x01\\x7f\\\"\\\\z\"");
	memset(big, 'x', sizeof(big));
	text_quote(q, sizeof(q), big, sizeof(big));
	ck_assert_uint_eq(strlen(q), TEXT_QUOTE_MAX + 2 + 3);
	ck_assert_str_eq(q + TEXT_QUOTE_MAX + 1, "\"...");
	text_quote(q, 8, big, sizeof(big));	/* never overruns dst */
	ck_assert_uint_eq(strlen(q), 7);
	/* cut before a character that would not fit whole */
	memset(big, 'x', sizeof(big));
	memcpy(big + TEXT_QUOTE_MAX - 1, "\xc3\xa9", 2);
	text_quote(q, sizeof(q), big, sizeof(big));
	ck_assert_uint_eq(strlen(q), TEXT_QUOTE_MAX - 1 + 2 + 3);
	text_quote(q, sizeof(q), "a\xe2\x80\xae" "b", 5);
	ck_assert_str_eq(q, "\"a\\x{202E}b\"");
}
END_TEST

START_TEST(decoder)
{
	uint32_t	 cp;

	ck_assert_uint_eq(text_utf8((const unsigned char *)"\xe2\x82\xac", 3,
	    &cp), 3);
	ck_assert_uint_eq(cp, 0x20ac);
	ck_assert_uint_eq(text_utf8((const unsigned char *)"\xe2\x82\xac", 2,
	    &cp), 0);
	ck_assert(text_cp_unsafe(0x9b));
	ck_assert(text_cp_unsafe(0x202e));
	ck_assert(!text_cp_unsafe(0xa0));
	ck_assert(!text_cp_unsafe('a'));
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("text");
	TCase	*tc = tcase_create("text");

	tcase_add_test(tc, show_plain_and_utf8_pass);
	tcase_add_test(tc, show_c0_del_replaced);
	tcase_add_test(tc, show_c1_as_utf8_replaced);
	tcase_add_test(tc, show_bidi_replaced);
	tcase_add_test(tc, show_invalid_utf8_byte_by_byte);
	tcase_add_test(tc, show_escape_and_quote);
	tcase_add_test(tc, show_space_runs);
	tcase_add_test(tc, show_lines_for_terminals);
	tcase_add_test(tc, show_cut_at_character);
	tcase_add_test(tc, show_more_holds_back_a_tail);
	tcase_add_test(tc, buf_cap_stops_quietly);
	tcase_add_test(tc, wire_is_ascii);
	tcase_add_test(tc, wire_output_bytes_are_printable_ascii);
	tcase_add_test(tc, quote_escapes_and_cuts);
	tcase_add_test(tc, decoder);
	suite_add_tcase(s, tc);
	return s;
}
