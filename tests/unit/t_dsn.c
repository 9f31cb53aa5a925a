/* SPDX-License-Identifier: MIT */
/*
 * t_dsn.c - the bounce message: parse what dsn_write() produced back into
 * its MIME structure (boundary, three parts, their fields) and check the
 * status codes picked from server replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "dsn.h"
#include "envelope.h"
#include "unit.h"

static const char orig_msg[] =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.com, carol@example.com\r\n"
    "Subject: the original subject\r\n"
    "Message-ID: <orig.1@example.org>\r\n"
    "\r\n"
    "body line that must not be in the bounce\r\n";

struct dsn_out {
	char	*text;		/* the whole bounce, NUL-terminated */
	size_t	 len;
	char	 boundary[200];
	char	*part[4];	/* parts 1..3 (headers and body), malloc'ed */
	int	 nparts;
};

/* A temp file holding len bytes of s, positioned at its end. */
static int
tmpfd_with(const char *s, size_t len)
{
	char	 path[] = "/tmp/t_dsn.XXXXXX";
	int	 fd;

	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	unlink(path);
	if (len > 0)
		ck_assert_int_eq(write(fd, s, len), (ssize_t)len);
	return fd;
}

static char *
fd_slurp(int fd, size_t *len)
{
	off_t	 end = lseek(fd, 0, SEEK_END);
	char	*s = malloc((size_t)end + 1);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(pread(fd, s, (size_t)end, 0), end);
	s[end] = '\0';
	*len = (size_t)end;
	return s;
}

static void
env_fill(struct envelope *env, struct rcpt *r)
{
	envelope_init(env);
	snprintf(env->id, sizeof(env->id), "%s", "0TESTID0000000000001");
	env->arrival = 1700000000;
	env->sender = "alice@example.org";
	memset(r, 0, 3 * sizeof(*r));
	r[0].addr = "bob@example.com";
	r[0].state = RCPT_FAILED;
	r[0].reply = "550 5.1.1 <bob@example.com>: no such user";
	r[1].addr = "carol@example.com";
	r[1].state = RCPT_SENT;
	r[1].reply = "250 2.0.0 ok";
	r[2].addr = "dave@example.com";
	r[2].state = RCPT_FAILED;
	r[2].reply = "554 transaction failed";
	env->rcpts = r;
	env->nrcpts = 3;
}

static void
cfg_fill(struct config *cfg)
{
	conf_init(cfg);
	cfg->upstreams[0]->host = strdup("smtp.example.net");
	cfg->upstreams[0]->helo = strdup("client.example.org");
	cfg->domain = strdup("example.org");
}

/* Split at "--boundary" lines; part[0] is the preamble (top headers). */
static void
dsn_parse(struct dsn_out *o)
{
	const char	*b, *p, *next;
	char		 delim[220];
	size_t		 dl;

	b = strstr(o->text, "boundary=\"");
	ck_assert_ptr_nonnull(b);
	b += strlen("boundary=\"");
	p = strchr(b, '"');
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt((size_t)(p - b), sizeof(o->boundary));
	memcpy(o->boundary, b, (size_t)(p - b));
	o->boundary[p - b] = '\0';
	snprintf(delim, sizeof(delim), "\r\n--%s", o->boundary);
	dl = strlen(delim);
	o->nparts = 0;
	p = strstr(o->text, delim);
	while (p != NULL && strncmp(p + dl, "--", 2) != 0) {
		p += dl;
		ck_assert(strncmp(p, "\r\n", 2) == 0);
		p += 2;
		next = strstr(p, delim);
		ck_assert_ptr_nonnull(next);
		ck_assert_int_lt(o->nparts, 3);
		o->part[++o->nparts] = strndup(p, (size_t)(next - p));
		p = next;
	}
	ck_assert_ptr_nonnull(p);
	/* The close delimiter ends the message. */
	ck_assert_str_eq(p + dl, "--\r\n");
}

static void
dsn_make(struct dsn_out *o, const struct config *cfg,
    const struct envelope *env, const char *msg, size_t msglen)
{
	struct mh_err	 err;
	int		 in, out;

	memset(o, 0, sizeof(*o));
	in = tmpfd_with(msg, msglen);
	out = tmpfd_with("", 0);
	ck_assert_int_eq(dsn_write(cfg, conf_upstream_default(cfg), env, in, out,
	    &err), 0);
	o->text = fd_slurp(out, &o->len);
	close(in);
	close(out);
	dsn_parse(o);
}

static void
dsn_out_free(struct dsn_out *o)
{
	int	 i;

	for (i = 1; i <= o->nparts; i++)
		free(o->part[i]);
	free(o->text);
}

/* Every line ends in CRLF: no bare CR, no bare LF. */
static int
crlf_only(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
		if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return 0;
	}
	return 1;
}

START_TEST(structure)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	 r[3];
	struct dsn_out	 o;

	cfg_fill(&cfg);
	env_fill(&env, r);
	dsn_make(&o, &cfg, &env, orig_msg, strlen(orig_msg));
	ck_assert(crlf_only(o.text, o.len));
	ck_assert_int_eq(o.nparts, 3);
	ck_assert_ptr_nonnull(strstr(o.text,
	    "Content-Type: multipart/report; report-type=delivery-status;"));
	ck_assert(strncmp(o.part[1], "Content-Type: text/plain", 24) == 0);
	ck_assert(strncmp(o.part[2],
	    "Content-Type: message/delivery-status\r\n", 39) == 0);
	ck_assert(strncmp(o.part[3],
	    "Content-Type: text/rfc822-headers\r\n", 35) == 0);
	dsn_out_free(&o);
	conf_free(&cfg);
}
END_TEST

START_TEST(top_headers)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	 r[3];
	struct dsn_out	 o;
	char		*hdr;

	cfg_fill(&cfg);
	env_fill(&env, r);
	dsn_make(&o, &cfg, &env, orig_msg, strlen(orig_msg));
	hdr = strndup(o.text, (size_t)(strstr(o.text, "\r\n\r\n") - o.text));
	ck_assert(strncmp(hdr, "From: Mail Delivery System "
	    "<MAILER-DAEMON@example.org>\r\n", 55) == 0);
	ck_assert_ptr_nonnull(strstr(hdr, "\r\nTo: <alice@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(hdr,
	    "\r\nSubject: Undelivered Mail Returned to Sender\r\n"));
	ck_assert_ptr_nonnull(strstr(hdr, "\r\nAuto-Submitted: auto-replied\r\n"));
	ck_assert_ptr_nonnull(strstr(hdr, "\r\nDate: "));
	ck_assert_ptr_nonnull(strstr(hdr, "\r\nMessage-ID: <"));
	ck_assert_ptr_nonnull(strstr(hdr, "@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(hdr, "\r\nMIME-Version: 1.0\r\n"));
	free(hdr);
	dsn_out_free(&o);
	conf_free(&cfg);
}
END_TEST

START_TEST(status_fields)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	 r[3];
	struct dsn_out	 o;
	const char	*p;

	cfg_fill(&cfg);
	env_fill(&env, r);
	dsn_make(&o, &cfg, &env, orig_msg, strlen(orig_msg));
	p = o.part[2];
	ck_assert_ptr_nonnull(strstr(p,
	    "\r\n\r\nReporting-MTA: dns; client.example.org\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "\r\nArrival-Date: "));
	ck_assert_ptr_nonnull(strstr(p, "\r\n\r\nFinal-Recipient: rfc822; "
	    "bob@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
	    "Remote-MTA: dns; smtp.example.net\r\n"
	    "X-Mailhop-Upstream: default\r\nDiagnostic-Code: smtp; "
	    "550 5.1.1 <bob@example.com>: no such user\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "Final-Recipient: rfc822; "
	    "dave@example.com\r\nAction: failed\r\nStatus: 5.0.0\r\n"));
	/* A delivered recipient is neither reported nor mentioned. */
	ck_assert_ptr_null(strstr(o.text, "carol@example.com\r\nAction"));
	ck_assert_ptr_null(strstr(o.part[1], "carol@"));
	ck_assert_ptr_nonnull(strstr(o.part[1],
	    "<bob@example.com>: 550 5.1.1"));
	dsn_out_free(&o);
	conf_free(&cfg);
}
END_TEST

START_TEST(original_headers_only)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	 r[3];
	struct dsn_out	 o;
	const char	*h;

	cfg_fill(&cfg);
	env_fill(&env, r);
	dsn_make(&o, &cfg, &env, orig_msg, strlen(orig_msg));
	h = strstr(o.part[3], "\r\n\r\n");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h + 4, "From: Alice <alice@example.org>\r\n"
	    "To: bob@example.com, carol@example.com\r\n"
	    "Subject: the original subject\r\n"
	    "Message-ID: <orig.1@example.org>\r\n");
	ck_assert_ptr_null(strstr(o.text, "must not be in the bounce"));
	dsn_out_free(&o);
	conf_free(&cfg);
}
END_TEST

/* A header section over max_header_size is cut, and still ends in CRLF. */
START_TEST(header_cap)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	 r[3];
	struct dsn_out	 o;
	char		*big;
	size_t		 i, n = 100000;

	cfg_fill(&cfg);
	cfg.max_header_size = 1000;
	env_fill(&env, r);
	big = malloc(n + 10);
	memcpy(big, "X-Long: ", 8);
	for (i = 8; i < n; i++)
		big[i] = 'a';
	memcpy(big + n, "\r\n\r\nbody", 8);
	dsn_make(&o, &cfg, &env, big, n + 8);
	ck_assert(crlf_only(o.text, o.len));
	ck_assert_uint_lt(strlen(o.part[3]), 1200);
	ck_assert_ptr_null(strstr(o.text, "body"));
	free(big);
	dsn_out_free(&o);
	conf_free(&cfg);
}
END_TEST

START_TEST(bounce_sender_from)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	 r[3];
	struct dsn_out	 o;

	cfg_fill(&cfg);
	free(cfg.bounce_sender);
	cfg.bounce_sender = strdup("postmaster@example.org");
	env_fill(&env, r);
	dsn_make(&o, &cfg, &env, orig_msg, strlen(orig_msg));
	ck_assert(strncmp(o.text, "From: <postmaster@example.org>\r\n", 32)
	    == 0);
	dsn_out_free(&o);
	conf_free(&cfg);
}
END_TEST

/*
 * Issue 9, #3: 1,000 recipients refused with 480-byte replies made the
 * bounce "too large" (past 1 MiB), and the message was retried for ever.
 * Now the list is cut: the bounce is written, bounded, and says how many
 * more there were, in both parts.
 */
START_TEST(many_failures_cut)
{
	struct config	 cfg;
	struct envelope	 env;
	struct rcpt	*r;
	struct dsn_out	 o;
	char		 reply[481], (*addrs)[32];
	const char	*p;
	size_t		 i, n = 1000, listed = 0, more;

	cfg_fill(&cfg);
	envelope_init(&env);
	snprintf(env.id, sizeof(env.id), "%s", "0TESTID0000000000002");
	env.arrival = 1700000000;
	env.sender = "alice@example.org";
	memset(reply, 'x', sizeof(reply) - 1);
	memcpy(reply, "550 5.1.1 ", 10);
	reply[sizeof(reply) - 1] = '\0';
	r = calloc(n, sizeof(*r));
	addrs = calloc(n, sizeof(*addrs));
	for (i = 0; i < n; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "r%04zu@example.net", i);
		r[i].addr = addrs[i];
		r[i].state = RCPT_FAILED;
		r[i].reply = reply;
	}
	env.rcpts = r;
	env.nrcpts = n;
	dsn_make(&o, &cfg, &env, orig_msg, strlen(orig_msg));
	ck_assert_uint_lt(o.len, 300 * 1024);
	for (p = o.part[2]; (p = strstr(p, "Final-Recipient: ")) != NULL; p++)
		listed++;
	ck_assert_uint_gt(listed, 10);
	ck_assert_uint_lt(listed, n);
	p = strstr(o.part[2], "X-Mailhop-Recipients-Not-Listed: ");
	ck_assert_ptr_nonnull(p);
	more = strtoul(p + strlen("X-Mailhop-Recipients-Not-Listed: "), NULL,
	    10);
	ck_assert_uint_eq(listed + more, n);
	p = strstr(o.part[1], "... and ");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(strtoul(p + 8, NULL, 10), more);
	ck_assert(crlf_only(o.text, o.len));
	dsn_out_free(&o);
	free(r);
	free(addrs);
	conf_free(&cfg);
}
END_TEST

START_TEST(status_codes)
{
	char	 s[DSN_STATUS_MAX];

	dsn_status("550 5.1.1 no such user", s, sizeof(s));
	ck_assert_str_eq(s, "5.1.1");
	dsn_status("552-5.3.4 message too big", s, sizeof(s));
	ck_assert_str_eq(s, "5.3.4");
	dsn_status("554 5.7.123 policy", s, sizeof(s));
	ck_assert_str_eq(s, "5.7.123");
	dsn_status("550 no enhanced code", s, sizeof(s));
	ck_assert_str_eq(s, "5.0.0");
	dsn_status("550 5.1.10x not a code", s, sizeof(s));
	ck_assert_str_eq(s, "5.0.0");
	dsn_status("550 5.1", s, sizeof(s));
	ck_assert_str_eq(s, "5.0.0");
	/* A temporary code is not a failed recipient's Status. */
	dsn_status("450 4.2.0 busy", s, sizeof(s));
	ck_assert_str_eq(s, "5.0.0");
	dsn_status(DSN_EXPIRED ", last error: 451 4.3.0 later", s, sizeof(s));
	ck_assert_str_eq(s, "5.4.7");
	dsn_status(NULL, s, sizeof(s));
	ck_assert_str_eq(s, "5.0.0");
	dsn_status("", s, sizeof(s));
	ck_assert_str_eq(s, "5.0.0");
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("dsn");
	TCase	*tc = tcase_create("dsn");

	tcase_add_test(tc, structure);
	tcase_add_test(tc, top_headers);
	tcase_add_test(tc, status_fields);
	tcase_add_test(tc, original_headers_only);
	tcase_add_test(tc, header_cap);
	tcase_add_test(tc, bounce_sender_from);
	tcase_add_test(tc, status_codes);
	tcase_add_test(tc, many_failures_cut);
	suite_add_tcase(s, tc);
	return s;
}
