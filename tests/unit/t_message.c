/* SPDX-License-Identifier: MIT */
/*
 * t_message.c - message_begin/line/end and message_read_fd into a temp
 * file: line endings, the lone dot, header handling, -t, limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "message.h"
#include "unit.h"

/* Headers that stop message.c from adding any: output is exact. */
#define H	"From: a@x.org\nDate: Thu, 1 Jan 2026 00:00:00 +0000\n" \
		"Message-ID: <m@x.org>\n"
#define HC	"From: a@x.org\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n" \
		"Message-ID: <m@x.org>\r\n"

static struct config	 cfg;
static struct message_opts opts;
static struct message	 msg;
static struct mh_err	 err;
static int		 active;	/* msg needs message_free() */
static char		*out;		/* what was written, NUL-terminated */
static size_t		 outlen;

static void
setup(void)
{
	conf_init(&cfg);
	free(cfg.domain);
	cfg.domain = strdup("example.com");
	memset(&opts, 0, sizeof(opts));
	opts.cfg = &cfg;
	opts.sender = "alice@example.com";
	opts.fullname = "Alice";
	mh_err_clear(&err);
	out = NULL;
}

static void
teardown(void)
{
	free(out);
	conf_free(&cfg);
}

static int
tmpfd(void)
{
	FILE	*f = tmpfile();

	ck_assert_ptr_nonnull(f);
	return dup(fileno(f));		/* the FILE leaks until exit: fine */
}

static void
slurp(int fd)
{
	off_t	 n = lseek(fd, 0, SEEK_END);

	free(out);
	out = malloc((size_t)n + 1);
	ck_assert_int_eq(pread(fd, out, (size_t)n, 0), n);
	out[n] = '\0';
	outlen = (size_t)n;
	close(fd);
}

/* Start msg towards fd; the fixture frees it. */
static void
begin(int fd)
{
	if (active)
		message_free(&msg);
	active = 1;
	message_begin(&msg, &opts, fd, &err);
}

/* Feed raw chunks (split at the given offsets) as message_read_fd does. */
static int
run_split(const char *in, size_t len, const size_t *cuts, int ncuts,
    int dot_ends)
{
	int	 fd = tmpfd(), rc, i;
	size_t	 from = 0, to;

	begin(fd);
	msg.dot_ends = dot_ends;
	rc = 0;
	for (i = 0; i <= ncuts && rc == 0; i++) {
		to = i < ncuts ? cuts[i] : len;
		rc = message_line(&msg, in + from, to - from, 0, &err);
		from = to;
	}
	if (rc == 0)
		rc = message_end(&msg, &err);
	slurp(fd);
	return rc;
}

static int
run(const char *in, int dot_ends)
{
	return run_split(in, strlen(in), NULL, 0, dot_ends);
}

static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static void
assert_prefix(const char *p)
{
	ck_assert_msg(strncmp(out, p, strlen(p)) == 0, "\"%s\" does not "
	    "start with \"%s\"", out, p);
}

/* No CR without LF after it and no LF without CR before it. */
static void
assert_crlf_only(void)
{
	size_t	 i;

	for (i = 0; i < outlen; i++) {
		if (out[i] == '\r')
			ck_assert_msg(i + 1 < outlen && out[i + 1] == '\n',
			    "bare CR at %zu", i);
		if (out[i] == '\n')
			ck_assert_msg(i > 0 && out[i - 1] == '\r',
			    "bare LF at %zu", i);
	}
}

START_TEST(line_endings)
{
	ck_assert_int_eq(run(H "\na\nb\r\nc\rd\r\r\ne", 0), 0);
	ck_assert_str_eq(out, HC "\r\na\r\nb\r\nc\r\nd\r\n\r\ne\r\n");
	assert_crlf_only();
}
END_TEST

/* Every way of cutting the input into two or three reads gives the same. */
START_TEST(split_reads)
{
	const char	*in = H "X-A: 1\r\n\r\n.\r\r\n.a\n\r\r\n\n\rz\r";
	size_t		 len = strlen(in), a, b, cuts[2];
	char		*whole;

	ck_assert_int_eq(run(in, 0), 0);
	whole = strdup(out);
	assert_crlf_only();
	for (a = 0; a <= len; a++) {
		for (b = a; b <= len; b += 3) {
			cuts[0] = a;
			cuts[1] = b;
			ck_assert_int_eq(run_split(in, len, cuts, 2, 0), 0);
			ck_assert_msg(strcmp(out, whole) == 0,
			    "cut at %zu,%zu differs", a, b);
		}
	}
	free(whole);
}
END_TEST

START_TEST(lone_dot_ends)
{
	ck_assert_int_eq(run(H "\nbody\n.\nafter\n", 1), 0);
	ck_assert_str_eq(out, HC "\r\nbody\r\n");
	ck_assert_int_eq(msg.done, 1);
	message_free(&msg);
	ck_assert_int_eq(run(H "\nbody\r\n.\r\nafter\n", 1), 0);
	ck_assert_str_eq(out, HC "\r\nbody\r\n");
	message_free(&msg);
	ck_assert_int_eq(run(H "\nbody\r.\rafter\n", 1), 0);
	ck_assert_str_eq(out, HC "\r\nbody\r\n");
	message_free(&msg);
	/* "." as the very last bytes, without a line ending */
	ck_assert_int_eq(run(H "\nbody\n.", 1), 0);
	ck_assert_str_eq(out, HC "\r\nbody\r\n");
	message_free(&msg);
	/* inside the header section */
	ck_assert_int_eq(run(H ".\nSubject: no\n", 1), 0);
	ck_assert_str_eq(out, HC "\r\n");
	message_free(&msg);
}
END_TEST

START_TEST(dots_kept)
{
	/* with -i a lone dot is data; ".." and ". " are data either way */
	ck_assert_int_eq(run(H "\nbody\n.\nafter\n", 0), 0);
	ck_assert_str_eq(out, HC "\r\nbody\r\n.\r\nafter\r\n");
	message_free(&msg);
	ck_assert_int_eq(run(H "\n..\n. \n.x\nx.\n", 1), 0);
	ck_assert_str_eq(out, HC "\r\n..\r\n. \r\n.x\r\nx.\r\n");
	message_free(&msg);
}
END_TEST

/* A held "." followed by more of the line in the next read. */
START_TEST(dot_split)
{
	const char	*in = H "\n.x\n..\n.\r\nafter";
	size_t		 len = strlen(in), k;

	for (k = 0; k <= len; k++) {
		ck_assert_int_eq(run_split(in, len, &k, 1, 1), 0);
		ck_assert_str_eq(out, HC "\r\n.x\r\n..\r\n");
		message_free(&msg);
	}
}
END_TEST

START_TEST(no_header_section)
{
	ck_assert_int_eq(run("hello world\nSubject: x\n", 0), 0);
	ck_assert_int_eq(count(out, "From: Alice <alice@example.com>\r\n"),
	    1);
	ck_assert_int_eq(count(out, "\r\nDate: "), 1);
	ck_assert_int_eq(count(out, "\r\nMessage-ID: <"), 1);
	ck_assert_ptr_nonnull(strstr(out,
	    "@example.com>\r\n\r\nhello world\r\nSubject: x\r\n"));
	assert_prefix("From: ");
	assert_crlf_only();
}
END_TEST

START_TEST(continuation_first)
{
	/* A first line starting with white space is no header. */
	ck_assert_int_eq(run(" Subject: x\n\nbody\n", 0), 0);
	ck_assert_ptr_nonnull(strstr(out, ">\r\n\r\n Subject: x\r\n\r\nbody"));
}
END_TEST

START_TEST(empty_input)
{
	ck_assert_int_eq(run("", 1), 0);
	ck_assert_int_eq(count(out, "From: "), 1);
	ck_assert_int_eq(count(out, "Date: "), 1);
	ck_assert_int_eq(count(out, "Message-ID: "), 1);
	ck_assert_int_eq(outlen > 4, 1);
	ck_assert_str_eq(out + outlen - 5, ">\r\n\r\n");
	assert_crlf_only();
}
END_TEST

START_TEST(folded_headers)
{
	ck_assert_int_eq(run(H "Subject: one\n two\n\tthree\nX: y\n\nb\n", 0),
	    0);
	ck_assert_str_eq(out, HC "Subject: one\r\n two\r\n\tthree\r\nX: y\r\n"
	    "\r\nb\r\n");
}
END_TEST

START_TEST(added_once)
{
	ck_assert_int_eq(run("from: x@y\nDATE: d\nMessage-Id: <a@b>\n\nb\n",
	    0), 0);
	ck_assert_str_eq(out, "from: x@y\r\nDATE: d\r\nMessage-Id: <a@b>\r\n"
	    "\r\nb\r\n");
	message_free(&msg);
	/* Missing ones go after the last header, in a fixed order. */
	ck_assert_int_eq(run("Subject: s\nDate: d\n\nb\n", 0), 0);
	assert_prefix("Subject: s\r\nDate: d\r\n"
	    "From: Alice <alice@example.com>\r\nMessage-ID: <");
	ck_assert_int_eq(count(out, "Date:"), 1);
	ck_assert_ptr_nonnull(strstr(out, "@example.com>\r\n\r\nb\r\n"));
}
END_TEST

/* The header section ends at a line that is no header: a blank is added. */
START_TEST(header_then_garbage)
{
	ck_assert_int_eq(run(H "Subject: x\nnot a header\nmore\n", 0), 0);
	ck_assert_str_eq(out, HC "Subject: x\r\n\r\nnot a header\r\nmore\r\n");
	message_free(&msg);
	ck_assert_int_eq(run(H "Subject: x", 0), 0);
	ck_assert_str_eq(out, HC "Subject: x\r\n\r\n");
}
END_TEST

START_TEST(bcc_removed)
{
	ck_assert_int_eq(run(H "To: a@x\nBcc: b@x,\n c@x\nSubject: s\n"
	    "Resent-Bcc: d@x\n\tmore\nbcc: e@x\n\nBcc: in body\n", 0), 0);
	ck_assert_str_eq(out, HC "To: a@x\r\nSubject: s\r\n\r\n"
	    "Bcc: in body\r\n");
	/* without -t nothing is collected */
	ck_assert_int_eq(msg.rcpts.n, 0);
}
END_TEST

START_TEST(extract)
{
	opts.extract = 1;
	ck_assert_int_eq(run(H "To: Ann <a@x>, b@x\nCc: undisclosed:;\n"
	    "Bcc: c@x,\n d@x\nTo: a@x, e@x\nX-To: z@x\n\nTo: body@x\n", 0), 0);
	ck_assert_int_eq(msg.rcpts.n, 5);
	ck_assert_str_eq(msg.rcpts.v[0], "a@x");
	ck_assert_str_eq(msg.rcpts.v[1], "b@x");
	ck_assert_str_eq(msg.rcpts.v[2], "c@x");
	ck_assert_str_eq(msg.rcpts.v[3], "d@x");
	ck_assert_str_eq(msg.rcpts.v[4], "e@x");
	ck_assert_int_eq(count(out, "Bcc"), 0);
}
END_TEST

START_TEST(extract_resent)
{
	opts.extract = 1;
	ck_assert_int_eq(run(H "To: a@x\nResent-From: r@x\nResent-To: b@x\n"
	    "Resent-Cc: c@x\nResent-Bcc: d@x\nCc: e@x\n\nbody\n", 0), 0);
	ck_assert_int_eq(msg.rcpts.n, 3);
	ck_assert_str_eq(msg.rcpts.v[0], "b@x");
	ck_assert_str_eq(msg.rcpts.v[1], "c@x");
	ck_assert_str_eq(msg.rcpts.v[2], "d@x");
	ck_assert_int_eq(count(out, "Resent-Bcc"), 0);
	ck_assert_int_eq(count(out, "Resent-To: b@x\r\n"), 1);
}
END_TEST

START_TEST(extract_bad_address)
{
	opts.extract = 1;
	ck_assert_int_eq(run(H "To: a@x, <b@x\n\nbody\n", 0), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(err.msg, "To header: "));
}
END_TEST

START_TEST(extract_max_recipients)
{
	opts.extract = 1;
	cfg.max_recipients = 2;
	ck_assert_int_eq(run(H "To: a@x, b@x, c@x\n\nbody\n", 0), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(err.msg, "max_recipients"));
}
END_TEST

START_TEST(nul_byte)
{
	static const char in[] = H "\nbo\0dy\n";

	ck_assert_int_eq(run_split(in, sizeof(in) - 1, NULL, 0, 0), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_str_eq(err.msg, "message contains a NUL byte");
	ck_assert_int_eq(err.reason, MH_REASON_NONE);
	message_free(&msg);
	ck_assert_int_eq(run_split("\0", 1, NULL, 0, 0), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
}
END_TEST

START_TEST(max_size)
{
	char	*big;

	cfg.max_size = 1024;
	big = malloc(2000);
	memset(big, 'x', 1999);
	big[1999] = '\0';
	memcpy(big, H "\n", strlen(H "\n"));
	ck_assert_int_eq(run(big, 0), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_str_eq(err.msg, "message exceeds max_size (1K)");
	/* -bs answers 552 on the reason, not on the words of the message. */
	ck_assert_int_eq(err.reason, MH_REASON_MAX_SIZE);
	message_free(&msg);
	/* exactly at the limit is fine: stored bytes (CRLF) are counted */
	big[1024 - 2 - 4] = '\0';
	ck_assert_int_eq(run(big, 0), 0);
	ck_assert_int_eq(outlen, 1024);
	ck_assert_int_eq(msg.size, 1024);
	free(big);
}
END_TEST

START_TEST(max_header_size)
{
	char	*big;

	cfg.max_header_size = 1024;
	big = malloc(4000);
	memset(big, 'x', 3999);
	big[3999] = '\0';
	memcpy(big, "Subject: ", 9);
	ck_assert_int_eq(run(big, 0), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_str_eq(err.msg,
	    "header section exceeds max_header_size (1K)");
	message_free(&msg);
	/* a long first line that is no header is body, not header */
	memset(big, 'x', 20);
	big[10] = ' ';
	ck_assert_int_eq(run(big, 0), 0);
	message_free(&msg);
	memset(big, 'x', 3999);	/* no colon at all: body */
	ck_assert_int_eq(run(big, 0), 0);
	ck_assert_int_eq(count(out, "\r\n\r\nxxxx"), 1);
	free(big);
}
END_TEST

START_TEST(force_from)
{
	cfg.force_from = 1;
	/* The address is replaced; the display name stays (SPEC 11). */
	ck_assert_int_eq(run("From: Mallory <m@evil>\nSubject: s\n\nb\n", 0),
	    0);
	assert_prefix("From: Mallory <alice@example.com>\r\nSubject: s\r\n");
	ck_assert_int_eq(count(out, "From:"), 1);
	ck_assert_int_eq(count(out, "evil"), 0);
	message_free(&msg);
	/* cron's comment becomes the display name */
	ck_assert_int_eq(run("From: root (Cron Daemon)\n\nb\n", 0), 0);
	assert_prefix("From: Cron Daemon <alice@example.com>\r\n");
	message_free(&msg);
	/* no name in the header: -F's (opts.fullname) */
	ck_assert_int_eq(run("From: root\n\nb\n", 0), 0);
	assert_prefix("From: Alice <alice@example.com>\r\n");
}
END_TEST

START_TEST(from_forms)
{
	opts.fullname = "Ann \"the\" O'Neil, Jr.";
	ck_assert_int_eq(run("Subject: s\n\n", 0), 0);
	ck_assert_ptr_nonnull(strstr(out,
	    "From: \"Ann \\\"the\\\" O'Neil, Jr.\" <alice@example.com>\r\n"));
	message_free(&msg);
	opts.fullname = "Jürgen";
	ck_assert_int_eq(run("Subject: s\n\n", 0), 0);
	ck_assert_ptr_nonnull(strstr(out,
	    "From: =?UTF-8?B?SsO8cmdlbg==?= <alice@example.com>\r\n"));
	message_free(&msg);
	opts.fullname = "";
	ck_assert_int_eq(run("Subject: s\n\n", 0), 0);
	ck_assert_ptr_nonnull(strstr(out, "From: alice@example.com\r\n"));
	message_free(&msg);
	opts.sender = "";
	ck_assert_int_eq(run("Subject: s\n\n", 0), 0);
	ck_assert_ptr_nonnull(strstr(out,
	    "From: MAILER-DAEMON@example.com\r\n"));
}
END_TEST

/* Every line of s at most max octets; 1 when so. */
static int
lines_within(const char *s, size_t col, size_t max)
{
	const char	*e;

	for (; (e = strstr(s, "\r\n")) != NULL; s = e + 2, col = 0)
		if (col + (size_t)(e - s) > max)
			return 0;
	return col + strlen(s) <= max;
}

START_TEST(phrase)
{
	struct buf	 b;
	char		 name[1300];

	buf_init(&b, 0);
	ck_assert_uint_eq(message_phrase(&b, "Cron Daemon", 6), 17);
	ck_assert_str_eq(b.data, "Cron Daemon");
	buf_reset(&b);
	message_phrase(&b, "a.b", 6);
	ck_assert_str_eq(b.data, "\"a.b\"");
	buf_reset(&b);
	message_phrase(&b, "back\\slash", 6);
	ck_assert_str_eq(b.data, "\"back\\\\slash\"");
	buf_reset(&b);
	message_phrase(&b, " outer ", 6);
	ck_assert_str_eq(b.data, "\" outer \"");
	buf_reset(&b);
	message_phrase(&b, "tab\there", 6);
	ck_assert_str_eq(b.data, "=?UTF-8?B?dGFiCWhlcmU=?=");
	buf_reset(&b);
	/* not UTF-8 (a Latin-1 GECOS, -F from a Latin-1 terminal) */
	message_phrase(&b, "J\xf6rg", 6);
	ck_assert_str_eq(b.data, "=?ISO-8859-1?B?SvZyZw==?=");
	buf_reset(&b);
	message_phrase(&b, "\xc3\xa9\xc3", 6);	/* cut in a character */
	ck_assert_str_eq(b.data, "=?ISO-8859-1?B?w6nD?=");
	buf_reset(&b);
	memset(name, 0, sizeof(name));
	memset(name, 0xe9, 100);
	message_phrase(&b, name, 6);
	ck_assert_int_eq(count(b.data, "=?ISO-8859-1?B?"), 3);
	ck_assert(lines_within(b.data, 6, 76));
	buf_reset(&b);
	/*
	 * Long non-ASCII names: several encoded-words, none over 75, each
	 * line within 76 from the column given (RFC 2047 2), "From: " too.
	 */
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i + 2 < 150; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	message_phrase(&b, name, 6);
	ck_assert_int_ge(count(b.data, "=?UTF-8?B?"), 3);
	for (char *w = b.data, *e; (e = strstr(w, "?=")) != NULL; w = e + 2)
		ck_assert_int_le(e + 2 - strstr(w, "=?"), 75);
	ck_assert_int_eq(count(b.data, "\r\n "), count(b.data, "=?UTF") - 1);
	ck_assert(lines_within(b.data, 6, 76));
	buf_reset(&b);
	/* 4-byte characters are never split: 148 bytes of U+1F4E7 */
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i + 4 <= 148; i += 4)
		memcpy(name + i, "\xf0\x9f\x93\xa7", 4);
	message_phrase(&b, name, 6);
	ck_assert(lines_within(b.data, 6, 76));
	/* each word's base64 decodes to whole characters: 4 | bytes */
	for (char *w = b.data, *e; (w = strstr(w, "?B?")) != NULL; w = e) {
		size_t	 n;

		e = strstr(w + 3, "?=");
		n = (size_t)(e - (w + 3)) / 4 * 3 - (e[-1] == '=') -
		    (e[-2] == '=');
		ck_assert_uint_eq(n % 4, 0);
	}
	buf_reset(&b);
	/* a column near the end of the line: fold before the first word */
	message_phrase(&b, "\xc3\xa9t\xc3\xa9", 70);
	ck_assert_str_eq(b.data, "\r\n =?UTF-8?B?w6l0w6k=?=");
	buf_reset(&b);
	/* a word too long for a line: encoded-words, which fold */
	memset(name, 'x', 1200);
	name[1200] = '\0';
	message_phrase(&b, name, 6);
	ck_assert_int_eq(strncmp(b.data, "=?UTF-8?B?", 10), 0);
	ck_assert(lines_within(b.data, 6, 76));
	buf_reset(&b);
	/* a long ASCII name: quoted, folded before a space, within 78 */
	name[0] = '\0';
	for (int i = 0; i < 12; i++)
		strcat(name, "Service \"Backup\", nightly; run ");
	ck_assert_uint_eq(message_phrase(&b, name, 6) <= 78, 1);
	ck_assert_int_ge(count(b.data, "\r\n "), 5);
	ck_assert(lines_within(b.data, 6, 78));
	ck_assert_int_eq(b.data[0], '"');
	buf_free(&b);
}
END_TEST

START_TEST(fmt_size)
{
	char	 s[32];

	message_fmt_size(64ULL << 20, s, sizeof(s));
	ck_assert_str_eq(s, "64M");
	message_fmt_size(1ULL << 30, s, sizeof(s));
	ck_assert_str_eq(s, "1G");
	message_fmt_size(1536, s, sizeof(s));
	ck_assert_str_eq(s, "1536");
	message_fmt_size(2048, s, sizeof(s));
	ck_assert_str_eq(s, "2K");
}
END_TEST

/* A long line arriving in pieces is one line. */
START_TEST(pieces)
{
	int	 fd = tmpfd();

	begin(fd);
	ck_assert_int_eq(message_line(&msg, "Subj", 4, 0, &err), 0);
	ck_assert_int_eq(message_line(&msg, "ect: x", 6, 1, &err), 0);
	ck_assert_int_eq(message_line(&msg, "From: a@b", 9, 1, &err), 0);
	ck_assert_int_eq(message_line(&msg, "Date: d", 7, 1, &err), 0);
	ck_assert_int_eq(message_line(&msg, "Message-ID: <i@d>", 17, 1, &err),
	    0);
	ck_assert_int_eq(message_line(&msg, "", 0, 1, &err), 0);
	ck_assert_int_eq(message_line(&msg, "abc", 3, 0, &err), 0);
	ck_assert_int_eq(message_line(&msg, "def", 3, 1, &err), 0);
	/* -bs hands over a dot line unstuffed: it is data there */
	ck_assert_int_eq(message_line(&msg, ".", 1, 1, &err), 0);
	/* a bare CR inside what -bs passes still becomes a line break */
	ck_assert_int_eq(message_line(&msg, "g\rh", 3, 1, &err), 0);
	ck_assert_int_eq(message_end(&msg, &err), 0);
	slurp(fd);
	ck_assert_str_eq(out, "Subject: x\r\nFrom: a@b\r\nDate: d\r\n"
	    "Message-ID: <i@d>\r\n\r\nabcdef\r\n.\r\ng\r\nh\r\n");
}
END_TEST

/* message_read_fd on a pipe written in pieces: CR | LF across reads. */
START_TEST(read_fd_pipe)
{
	static const char *const parts[] = {
		H "\r", "\nline1\r", "\n.x\r", "\nline2\r", "\r", "\n.", "\r",
		"\nnot read\n"
	};
	int	 p[2], fd = tmpfd(), avail, status;
	size_t	 i;
	pid_t	 pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			if (write(p[1], parts[i], strlen(parts[i])) < 0)
				_exit(0);
			/* Wait until the reader took it: one read per part. */
			do
				ioctl(p[1], FIONREAD, &avail);
			while (avail > 0);
		}
		_exit(0);
	}
	close(p[1]);
	begin(fd);
	ck_assert_int_eq(message_read_fd(&msg, p[0], 1, &err), 0);
	ck_assert_int_eq(message_end(&msg, &err), 0);
	close(p[0]);
	kill(pid, SIGKILL);	/* it waits for a reader of "not read" */
	waitpid(pid, &status, 0);
	slurp(fd);
	ck_assert_str_eq(out, HC "\r\nline1\r\n.x\r\nline2\r\n\r\n");
}
END_TEST

START_TEST(read_error)
{
	int	 fd = tmpfd(), dir;

	dir = open("/", O_RDONLY | O_DIRECTORY);
	begin(fd);
	ck_assert_int_eq(message_read_fd(&msg, dir, 1, &err), -1);
	ck_assert_int_eq(err.exit, EX_IOERR);
	ck_assert_ptr_nonnull(strstr(err.msg, "error reading the message"));
	close(dir);
	close(fd);
}
END_TEST

START_TEST(write_error)
{
	int	 fd = open("/dev/full", O_WRONLY);
	char	*big = malloc(200000);

	if (fd == -1)
		return;
	memset(big, 'x', 199999);
	big[199999] = '\0';
	begin(fd);
	ck_assert_int_eq(message_line(&msg, big, strlen(big), 1, &err), -1);
	ck_assert_int_eq(err.exit, EX_TEMPFAIL);
	close(fd);
	free(big);
}
END_TEST

/*
 * Lines over 998 bytes (SPEC 11): the first pass keeps the line whole and
 * asks for the second, which re-encodes it quoted-printable with the
 * headers updated.  998 exactly is left alone.
 */
START_TEST(long_lines)
{
	char	*in, *want;
	size_t	 i;
	int	 fd;

	in = malloc(4000);
	want = malloc(8000);
	strcpy(in, H "\n");
	memset(in + strlen(in), 'x', 998);
	strcpy(in + strlen(H "\n") + 998, "\n");
	ck_assert_int_eq(run(in, 0), 0);
	ck_assert_int_eq(outlen, strlen(HC "\r\n") + 1000);
	ck_assert_int_eq(msg.recode, 0);
	message_free(&msg);
	memset(in + strlen(H "\n"), 'x', 2500);
	in[strlen(H "\n") + 2500] = '\0';
	ck_assert_int_eq(run(in, 0), 0);
	ck_assert_int_eq(outlen, strlen(HC "\r\n") + 2502);
	ck_assert_int_eq(msg.recode, 1);
	/* the second pass, from the first one's output */
	fd = tmpfd();
	ck_assert_int_eq(write(fd, out, outlen), (ssize_t)outlen);
	i = (size_t)tmpfd();
	ck_assert_int_eq(message_recode(fd, (int)i, &err), 0);
	close(fd);
	slurp((int)i);
	strcpy(want, HC "Content-Transfer-Encoding: quoted-printable\r\n"
	    "MIME-Version: 1.0\r\n\r\n");
	/* 2500 = 33 lines of 75 + soft break, then 25 */
	for (fd = 0; fd < 33; fd++) {
		i = strlen(want);
		memset(want + i, 'x', 75);
		strcpy(want + i + 75, "=\r\n");
	}
	i = strlen(want);
	memset(want + i, 'x', 25);
	strcpy(want + i + 25, "\r\n");
	ck_assert_str_eq(out, want);
	free(in);
	free(want);
}
END_TEST

static void
msg_free(void)
{
	if (active)
		message_free(&msg);
	active = 0;
}

Suite *
suite(void)
{
	Suite	*s = suite_create("message");
	TCase	*tc = tcase_create("message");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, NULL, msg_free);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, line_endings);
	tcase_add_test(tc, split_reads);
	tcase_add_test(tc, lone_dot_ends);
	tcase_add_test(tc, dots_kept);
	tcase_add_test(tc, dot_split);
	tcase_add_test(tc, no_header_section);
	tcase_add_test(tc, continuation_first);
	tcase_add_test(tc, empty_input);
	tcase_add_test(tc, folded_headers);
	tcase_add_test(tc, added_once);
	tcase_add_test(tc, header_then_garbage);
	tcase_add_test(tc, bcc_removed);
	tcase_add_test(tc, extract);
	tcase_add_test(tc, extract_resent);
	tcase_add_test(tc, extract_bad_address);
	tcase_add_test(tc, extract_max_recipients);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, max_size);
	tcase_add_test(tc, max_header_size);
	tcase_add_test(tc, force_from);
	tcase_add_test(tc, from_forms);
	tcase_add_test(tc, phrase);
	tcase_add_test(tc, fmt_size);
	tcase_add_test(tc, pieces);
	tcase_add_test(tc, read_fd_pipe);
	tcase_add_test(tc, read_error);
	tcase_add_test(tc, write_error);
	tcase_add_test(tc, long_lines);
	suite_add_tcase(s, tc);
	return s;
}
