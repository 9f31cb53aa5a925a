/* SPDX-License-Identifier: MIT */
/*
 * t_mime.c - the MIME walker: header folding, boundaries, base64
 * re-wrapping and the quoted-printable encoder, output compared exactly.
 * tests/t/0208 sends a corpus through the real path and decodes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "unit.h"

static struct buf	 out;
static struct mh_err	 err;

static int
sink(void *arg, const char *s, size_t n, struct mh_err *e)
{
	(void)arg;
	(void)e;
	return buf_add(&out, s, n);
}

/* The second pass's lookahead, over the rest of the input in memory. */
static const char	*rest;

static int
ahead(void *arg, const struct mime *w, size_t carry, struct mh_err *e)
{
	const char	*p = rest, *nl;
	size_t		 len;

	(void)arg;
	(void)e;
	for (; *p != '\0'; p = nl + 2) {
		nl = strstr(p, "\r\n");
		len = (size_t)(nl - p) + carry;
		if (len > MIME_LINE_MAX)
			return 1;
		if (carry == 0 && mime_boundary_level(w, p, len) >= 0)
			return 0;
		carry = 0;
	}
	return 0;
}

/* Run a whole CRLF message through a second pass (opts.whole). */
static int
pass2(const char *in)
{
	struct mime_opts	 o;
	struct mime		 w;
	const char		*p, *nl;
	int			 rc = 0;

	buf_init(&out, 0);
	memset(&o, 0, sizeof(o));
	o.emit = sink;
	o.ahead = ahead;
	o.whole = 1;
	mime_init(&w, &o);
	for (p = in; rc == 0 && *p != '\0'; p = nl + 2) {
		nl = strstr(p, "\r\n");
		ck_assert_ptr_nonnull(nl);
		rest = nl + 2;
		rc = mime_line(&w, p, (size_t)(nl - p), 1, &err);
	}
	if (rc == 0)
		rc = mime_finish(&w, &err);
	mime_free(&w);
	return rc;
}

static char *
rep(char c, size_t n)
{
	char	*s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(fold_at_white_space)
{
	struct buf	 b, in;
	const char	*p, *nl;
	size_t		 i;

	buf_init(&b, 0);
	buf_init(&in, 0);
	buf_adds(&in, "Subject:");
	for (i = 0; i < 300; i++)
		buf_adds(&in, " word");
	buf_adds(&in, "\r\n");
	ck_assert_int_eq(mime_fold_field(&b, in.data, in.len, &err), 0);
	for (p = b.data; (nl = strstr(p, "\r\n")) != NULL; p = nl + 2)
		ck_assert_uint_le((size_t)(nl - p), MIME_LINE_MAX);
	ck_assert_uint_eq(b.len, in.len + 2);		/* one CRLF added */
	/* unfolding (CRLF removed) gives the field back */
	p = strstr(b.data, "\r\n ");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((size_t)(p - b.data), 998);
	buf_free(&b);
	buf_free(&in);
}
END_TEST

START_TEST(fold_refused)
{
	struct buf	 b;
	char		*x = rep('x', 1200), *f;

	buf_init(&b, 0);
	f = malloc(1300);
	strcpy(f, "X-Long: ");
	strcat(f, x);
	strcat(f, "\r\n");
	ck_assert_int_eq(mime_fold_field(&b, f, strlen(f), &err), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_str_eq(err.msg, "X-Long header: a line of 1208 octets has "
	    "no white space to fold it at (lines may have at most 998)");
	/* white space only after 998 octets does not help either */
	strcpy(f, "X-Long:");
	strcat(f, x);
	strcat(f, " tail\r\n");
	ck_assert_int_eq(mime_fold_field(&b, f, strlen(f), &err), -1);
	free(x);
	free(f);
	buf_free(&b);
}
END_TEST

START_TEST(boundaries)
{
	struct mime_opts	 o;
	struct mime		 w;

	memset(&o, 0, sizeof(o));
	o.emit = sink;
	o.whole = 1;
	mime_init(&w, &o);
	strcpy(w.stack[0].boundary, "outer");
	w.stack[0].len = 5;
	strcpy(w.stack[1].boundary, "in");
	w.stack[1].len = 2;
	w.depth = 2;
	ck_assert_int_eq(mime_boundary_level(&w, "--in", 4), 1);
	ck_assert_int_eq(mime_boundary_level(&w, "--in-- \t", 8), 1);
	ck_assert_int_eq(mime_boundary_level(&w, "--outer", 7), 0);
	ck_assert_int_eq(mime_boundary_level(&w, "--outer--", 9), 0);
	ck_assert_int_eq(mime_boundary_level(&w, "--inner", 7), -1);
	ck_assert_int_eq(mime_boundary_level(&w, "--in x", 6), -1);
	ck_assert_int_eq(mime_boundary_level(&w, "-in", 3), -1);
	ck_assert_int_eq(mime_boundary_level(&w, "--", 2), -1);
	mime_free(&w);
}
END_TEST

/*
 * Base64 re-wrapped at 76; the leaf's header untouched (a second pass
 * adds MIME-Version: it runs only when a leaf is re-encoded).
 */
START_TEST(base64_rewrap)
{
	char	*line = rep('Q', 200), *in, *want;

	in = malloc(2000);
	want = malloc(2000);
	sprintf(in, "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
	    "--b--\r\n", line);
	ck_assert_int_eq(pass2(in), 0);
	sprintf(want, "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
	    "MIME-Version: 1.0\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n%.76s\r\n%.76s"
	    "\r\n%.48s\r\n--b--\r\n", line, line, line);
	ck_assert_str_eq(out.data, want);
	buf_free(&out);
	free(line);
	free(in);
	free(want);
}
END_TEST

/*
 * Quoted-printable: soft breaks at 76, '=' and trailing white space
 * encoded, a line starting "-" or "." encoded; the leaf's CTE replaced
 * in place, MIME-Version added; the other part left alone.
 */
START_TEST(quoted_printable)
{
	char	*x = rep('x', 1000), *in, *want;

	in = malloc(4000);
	want = malloc(4000);
	sprintf(in, "Subject: q\r\nContent-Type: multipart/mixed; "
	    "boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: 8bit\r\n"
	    "X-After: 1\r\n\r\n%s\r\na=b \t\r\n-- \r\n.\r\n\r\n--b\r\n\r\n"
	    "short\r\n--b--\r\n", x);
	ck_assert_int_eq(pass2(in), 0);
	sprintf(want, "Subject: q\r\nContent-Type: multipart/mixed; "
	    "boundary=b\r\nMIME-Version: 1.0\r\n\r\n--b\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\nX-After: 1\r\n\r\n"
	    "%.75s=\r\n%.75s=\r\n%.75s=\r\n%.75s=\r\n%.75s=\r\n%.75s=\r\n"
	    "%.75s=\r\n%.75s=\r\n%.75s=\r\n%.75s=\r\n%.75s=\r\n%.75s=\r\n"
	    "%.75s=\r\n%.25s\r\n"
	    "a=3Db =09\r\n=2D-=20\r\n=2E\r\n\r\n--b\r\n\r\nshort\r\n--b--\r\n",
	    x, x, x, x, x, x, x, x, x, x, x, x, x, x);
	ck_assert_str_eq(out.data, want);
	buf_free(&out);
	free(x);
	free(in);
	free(want);
}
END_TEST

/* The first pass asks for the second only for a long line in a leaf. */
START_TEST(first_pass)
{
	struct mime_opts	 o;
	struct mime		 w;
	char			*x = rep('x', 999);

	memset(&o, 0, sizeof(o));
	o.emit = sink;
	buf_init(&out, 0);
	mime_init(&w, &o);
	mime_top_field(&w, "Content-Type: multipart/mixed; boundary=z\r\n",
	    43);
	ck_assert_int_eq(mime_top_end(&w, &err), 0);
	/* in the preamble: folded with CRLF SP, no second pass */
	ck_assert_int_eq(mime_line(&w, x, 999, 1, &err), 0);
	ck_assert_int_eq(mime_need_recode(&w), 0);
	ck_assert_int_eq(mime_line(&w, "--z", 3, 1, &err), 0);
	ck_assert_int_eq(mime_line(&w, "", 0, 1, &err), 0);
	/* in a leaf, in two pieces: kept whole, second pass needed */
	ck_assert_int_eq(mime_line(&w, x, 500, 0, &err), 0);
	ck_assert_int_eq(mime_line(&w, x, 499, 1, &err), 0);
	ck_assert_int_eq(mime_need_recode(&w), 1);
	ck_assert_int_eq(mime_line(&w, "--z--", 5, 1, &err), 0);
	ck_assert_int_eq(mime_finish(&w, &err), 0);
	ck_assert_uint_eq(out.len, 998 + 3 + 1 + 2 + 5 + 2 + 999 + 2 + 7);
	ck_assert_int_eq(memcmp(out.data + 998, "\r\n x\r\n--z\r\n\r\n", 13),
	    0);
	mime_free(&w);
	buf_free(&out);
	free(x);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("mime");
	TCase	*tc = tcase_create("mime");

	tcase_add_test(tc, fold_at_white_space);
	tcase_add_test(tc, fold_refused);
	tcase_add_test(tc, boundaries);
	tcase_add_test(tc, base64_rewrap);
	tcase_add_test(tc, quoted_printable);
	tcase_add_test(tc, first_pass);
	suite_add_tcase(s, tc);
	return s;
}
