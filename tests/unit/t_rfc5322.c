/* SPDX-License-Identifier: MIT */
/*
 * t_rfc5322.c - the header push parser: which lines are fields,
 * continuations, the end of the section or body, and its cap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rfc5322.h"
#include "unit.h"

/*
 * Push the LF-separated lines of in (each cut into pieces of at most
 * piece bytes; the last line without LF is left open) and describe the
 * events: "F<field>" per field, "E:blank", "E:body<rest>" or "E:eof".
 */
static char *
parse(const char *in, size_t piece, size_t max, int *rc)
{
	struct rfc5322	 p;
	struct buf	 ev;
	const char	*s = in, *nl;
	size_t		 len, k, n;
	int		 e, eol, done = 0;

	rfc5322_init(&p, max);
	buf_init(&ev, 0);
	*rc = 0;
	while (*s != '\0' && !done) {
		nl = strchr(s, '\n');
		len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		for (k = 0; (k < len || k == 0) && !done; k += n) {
			n = len - k < piece ? len - k : piece;
			eol = nl != NULL && k + n == len;
			if (rfc5322_push(&p, s + k, n, eol) == -1) {
				*rc = -1;
				done = 1;
				break;
			}
			while ((e = rfc5322_next(&p)) > 0) {
				if (e == RFC5322_FIELD) {
					buf_addc(&ev, 'F');
					buf_add(&ev, p.field.data, p.field.len);
				} else {
					buf_adds(&ev, p.end == RFC5322_END_BLANK ?
					    "E:blank" : "E:body");
					/* the rest of the line goes to the body */
					if (p.end == RFC5322_END_BODY) {
						buf_add(&ev, p.rest, p.rest_len);
						buf_add(&ev, s + k + n,
						    len - k - n);
					}
					done = 1;
				}
			}
			if (n == 0)
				break;
		}
		s += len + (nl != NULL);
	}
	if (!done && *rc == 0) {
		rfc5322_finish(&p);
		while ((e = rfc5322_next(&p)) > 0) {
			if (e == RFC5322_FIELD) {
				buf_addc(&ev, 'F');
				buf_add(&ev, p.field.data, p.field.len);
			} else {
				buf_adds(&ev, p.end == RFC5322_END_EOF ?
				    "E:eof" : "E:body");
				if (p.end == RFC5322_END_BODY)
					buf_add(&ev, p.rest, p.rest_len);
			}
		}
	}
	rfc5322_free(&p);
	buf_addc(&ev, '\0');
	return ev.data;
}

struct pcase {
	const char	*in;
	const char	*want;
};

static const struct pcase pcases[] = {
	{ "Subject: x\n\nbody\n", "FSubject: x\r\nE:blank" },
	{ "A: 1\nB: 2\n\n", "FA: 1\r\nFB: 2\r\nE:blank" },
	{ "A: 1\n folded\n\tagain\nB: 2\n\n",
	  "FA: 1\r\n folded\r\n\tagain\r\nFB: 2\r\nE:blank" },
	{ "\nbody\n", "E:blank" },
	{ "hello world\n", "E:bodyhello world" },
	{ " starts with space\n", "E:body starts with space" },
	{ ": no name\n", "E:body: no name" },
	{ "A: 1\nnot a header\n", "FA: 1\r\nE:bodynot a header" },
	{ "A: 1\n\xc3\xa9t\xc3\xa9: x\n", "FA: 1\r\nE:body\xc3\xa9t\xc3\xa9: x" },
	{ "Name : obs space\n\n", "FName : obs space\r\nE:blank" },
	{ "X-Empty:\n\n", "FX-Empty:\r\nE:blank" },
	{ "A: 1", "FA: 1\r\nE:eof" },
	{ "A: 1\n", "FA: 1\r\nE:eof" },
	{ "A: 1\n b", "FA: 1\r\n b\r\nE:eof" },
	{ "", "E:eof" },
	{ "Subject", "E:bodySubject" },
	{ "From user@host Mon Jan 1\nA: 1\n", "E:bodyFrom user@host Mon Jan 1" },
};

START_TEST(events)
{
	const struct pcase	*c = &pcases[_i];
	size_t			 piece;
	char			*got;
	int			 rc;

	/* The same events whatever the piece size. */
	for (piece = 1; piece <= 64; piece *= 2) {
		got = parse(c->in, piece, 0, &rc);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(strcmp(got, c->want) == 0,
		    "case %d piece %zu: got \"%s\" want \"%s\"", _i, piece,
		    got, c->want);
		free(got);
	}
}
END_TEST

START_TEST(cap)
{
	char	*got;
	int	 rc;

	/* 10 + 2 + 10 + 2 = 24 bytes of header section */
	got = parse("A: 1234567\nB: 1234567\n\n", 8, 26, &rc);
	ck_assert_int_eq(rc, 0);
	free(got);
	got = parse("A: 1234567\nB: 1234567\n\n", 8, 25, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, ERANGE);
	free(got);
	/* body lines are not header bytes */
	got = parse("A: 1\n\nlong body line that is longer than the cap\n",
	    4, 10, &rc);
	ck_assert_int_eq(rc, 0);
	free(got);
}
END_TEST

/* A line with no colon within RFC5322_NAME_MAX bytes is body. */
START_TEST(long_name)
{
	char	*in, *got;
	size_t	 n = RFC5322_NAME_MAX + 10;
	int	 rc;

	in = malloc(n + 3);
	memset(in, 'a', n);
	memcpy(in + n, ":\n", 3);
	got = parse(in, 100, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(strncmp(got, "E:bodyaaa", 9), 0);
	free(got);
	ck_assert_int_eq(rfc5322_classify(in, 10), -1);
	ck_assert_int_eq(rfc5322_classify(in, n), 0);
	in[RFC5322_NAME_MAX] = ':';
	ck_assert_int_eq(rfc5322_classify(in, n), 1);
	free(in);
}
END_TEST

START_TEST(field_name)
{
	struct rfc5322	 p;

	rfc5322_init(&p, 0);
	rfc5322_push(&p, "bCc : x", 7, 1);
	ck_assert_int_eq(rfc5322_next(&p), RFC5322_NONE);
	rfc5322_push(&p, "", 0, 1);
	ck_assert_int_eq(rfc5322_next(&p), RFC5322_FIELD);
	ck_assert(rfc5322_is(&p, "Bcc"));
	ck_assert(!rfc5322_is(&p, "Bc"));
	ck_assert_int_eq(p.name_len, 3);
	ck_assert_str_eq(p.field.data + p.value_off, " x\r\n");
	ck_assert_int_eq(rfc5322_next(&p), RFC5322_END);
	ck_assert_int_eq(rfc5322_next(&p), RFC5322_NONE);
	/* after the end, pushes are ignored */
	ck_assert_int_eq(rfc5322_push(&p, "X: y", 4, 1), 0);
	ck_assert_int_eq(rfc5322_next(&p), RFC5322_NONE);
	rfc5322_free(&p);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("rfc5322");
	TCase	*tc = tcase_create("rfc5322");

	tcase_add_loop_test(tc, events, 0, sizeof(pcases) / sizeof(pcases[0]));
	tcase_add_test(tc, cap);
	tcase_add_test(tc, long_name);
	tcase_add_test(tc, field_name);
	suite_add_tcase(s, tc);
	return s;
}
