/* SPDX-License-Identifier: MIT */
/*
 * t_envelope.c - envelope.c: the text format round-trips, every kind of
 * damage is refused with a message naming the line, replies are sanitized
 * and cut to 512 bytes.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "xmem.h"
#include "unit.h"

static const char good[] =
    "mailhop-envelope 1\n"
    "id 0S3Q9J20F3K0004XW1AB\n"
    "arrival 1764026390\n"
    "size 2048\n"
    "sender <alice@example.com>\n"
    "state queued\n"
    "failed-at 0\n"
    "bounce 0\n"
    "rcpt pending 1 1764026450 bob@example.com\t451 4.3.0 try later\n"
    "rcpt sent 1 0 carol@example.com\t250 ok\n"
    "rcpt failed 2 0 \"dan smith\"@example.com\t\n"
    "end\n";

static void
make_env(struct envelope *env)
{
	envelope_init(env);
	strcpy(env->id, "0S3Q9J20F3K0004XW1AB");
	env->arrival = 1764026390;
	env->size = 123456789012ULL;
	env->sender = strdup("");
	env->state = ENV_HELD;
	env->failed_at = 17;
	env->is_bounce = 1;
	envelope_add_rcpt(env, "bob@example.com");
	envelope_add_rcpt(env, "\"a b\"@example.com");
	env->rcpts[1].state = RCPT_FAILED;
	env->rcpts[1].attempts = 7;
	env->rcpts[1].next = 1764026999;
	envelope_set_reply(&env->rcpts[1], "550 5.1.1 no\r\n550 such user");
}

START_TEST(round_trip)
{
	struct envelope	 a, b;
	struct buf	 x, y;
	struct mh_err	 err;

	make_env(&a);
	buf_init(&x, 0);
	buf_init(&y, 0);
	ck_assert_int_eq(envelope_format(&a, &x), 0);
	ck_assert_int_eq(envelope_parse(x.data, x.len, &b, &err), 0);
	ck_assert_str_eq(b.id, a.id);
	ck_assert_int_eq(b.arrival, a.arrival);
	ck_assert(b.size == a.size);
	ck_assert_str_eq(b.sender, "");
	ck_assert_int_eq(b.state, ENV_HELD);
	ck_assert_int_eq(b.failed_at, 17);
	ck_assert_int_eq(b.is_bounce, 1);
	ck_assert_uint_eq(b.nrcpts, 2);
	ck_assert_str_eq(b.rcpts[0].addr, "bob@example.com");
	ck_assert_ptr_null(b.rcpts[0].reply);
	ck_assert_str_eq(b.rcpts[1].addr, "\"a b\"@example.com");
	ck_assert_int_eq(b.rcpts[1].state, RCPT_FAILED);
	ck_assert_int_eq(b.rcpts[1].attempts, 7);
	ck_assert_int_eq(b.rcpts[1].next, 1764026999);
	ck_assert_str_eq(b.rcpts[1].reply, "550 5.1.1 no 550 such user");
	/* Formatting what was parsed gives the same bytes. */
	ck_assert_int_eq(envelope_format(&b, &y), 0);
	ck_assert_str_eq(x.data, y.data);
	envelope_free(&a);
	envelope_free(&b);
	buf_free(&x);
	buf_free(&y);
}
END_TEST

START_TEST(parse_good)
{
	struct envelope	 e;
	struct mh_err	 err;

	ck_assert_int_eq(envelope_parse(good, strlen(good), &e, &err), 0);
	ck_assert_str_eq(e.sender, "alice@example.com");
	ck_assert_uint_eq(e.nrcpts, 3);
	ck_assert_str_eq(e.rcpts[0].reply, "451 4.3.0 try later");
	ck_assert_str_eq(e.rcpts[2].addr, "\"dan smith\"@example.com");
	ck_assert_ptr_null(e.rcpts[2].reply);
	ck_assert_uint_eq(envelope_count(&e, RCPT_PENDING), 1);
	ck_assert_uint_eq(envelope_count(&e, RCPT_SENT), 1);
	ck_assert_int_eq(envelope_next(&e), 1764026450);
	envelope_free(&e);
}
END_TEST

/* Each case: replace FROM with TO in the good envelope; expect ERR. */
static const struct {
	const char	*from, *to, *err;
} bad[] = {
	{ "mailhop-envelope 1", "mailhop-envelope 2",
	    "line 1: unsupported envelope version \"2\"" },
	{ "mailhop-envelope 1", "mailhop-envelope x",
	    "line 1: unsupported envelope version \"x\"" },
	{ "mailhop-envelope 1", "mailhop-queue 1",
	    "line 1: not a mailhop envelope" },
	{ "state queued\n", "state queued\nstate held\n",
	    "line 7: duplicate key \"state\"" },
	{ "bounce 0\n", "bounce 0\ncolour red\n",
	    "line 9: unknown key \"colour\"" },
	{ "size 2048", "size -1", "line 4: bad number \"-1\"" },
	{ "size 2048", "size 20x8", "line 4: bad number \"20x8\"" },
	{ "size 2048", "size 99999999999999999999",
	    "line 4: bad number \"99999999999999999999\"" },
	{ "size 2048", "size ", "line 4: bad number \"\"" },
	{ "arrival 1764026390", "arrival 9223372036854775808",
	    "line 3: bad number \"9223372036854775808\"" },
	{ "bounce 0", "bounce 2", "line 8: bad number \"2\"" },
	{ "state queued", "state sleeping", "line 6: bad state \"sleeping\"" },
	{ "sender <alice@example.com>", "sender alice@example.com",
	    "line 5: bad sender \"alice@example.com\"" },
	{ "rcpt pending 1 ", "rcpt waiting 1 ",
	    "line 9: bad recipient state in" },
	{ "rcpt pending 1 ", "rcpt pending x ",
	    "line 9: bad attempt count in" },
	{ "rcpt pending 1 ", "rcpt pending 3000000000 ",
	    "line 9: bad attempt count in" },
	{ "1 1764026450 ", "1 soon ", "line 9: bad next-attempt time in" },
	{ "bob@example.com\t451", "bob@example.com 451",
	    "line 9: bad recipient in" },
	{ "\t451 4.3.0", "\t451\t4.3.0", "line 9: stray tab in" },
	{ "451 4.3.0", "451 \0334.3.0", "line 9: control character in" },
	{ "id 0S3Q", "id\t0S3Q", "line 2: malformed line" },
	{ "end\n", "", "truncated: no \"end\" line after line 11" },
	{ "end\n", "end", "line 12: truncated line \"end\"" },
	{ "end\n", "end\nrcpt", "data after \"end\" (line 13)" },
	{ "id 0S3Q9J20F3K0004XW1AB\n", "", "missing key \"id\"" },
	{ "size 2048\n", "", "missing key \"size\"" },
	{ "sender <alice@example.com>\n", "", "missing key \"sender\"" },
	{ "state queued\n", "", "missing key \"state\"" },
	{ "arrival 1764026390\n", "", "missing key \"arrival\"" },
};

START_TEST(parse_errors)
{
	char		 in[4096];
	const char	*p;
	size_t		 fl, tl;
	struct envelope	 e;
	struct mh_err	 err;

	p = strstr(good, bad[_i].from);
	ck_assert_ptr_nonnull(p);
	fl = strlen(bad[_i].from);
	tl = strlen(bad[_i].to);
	memcpy(in, good, (size_t)(p - good));
	memcpy(in + (p - good), bad[_i].to, tl);
	strcpy(in + (p - good) + tl, p + fl);
	mh_err_clear(&err);
	ck_assert_int_eq(envelope_parse(in, strlen(in), &e, &err), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert_msg(strncmp(err.msg, bad[_i].err, strlen(bad[_i].err)) == 0,
	    "case %d: got \"%s\", want \"%s\"", _i, err.msg, bad[_i].err);
	/* Nothing half-loaded is left behind. */
	ck_assert_uint_eq(e.nrcpts, 0);
	ck_assert_ptr_null(e.sender);
}
END_TEST

START_TEST(parse_empty_and_nul)
{
	struct envelope	 e;
	struct mh_err	 err;
	char		 in[sizeof(good)];

	ck_assert_int_eq(envelope_parse("", 0, &e, &err), -1);
	ck_assert_str_eq(err.msg, "empty envelope");
	memcpy(in, good, sizeof(good));
	in[30] = '\0';
	ck_assert_int_eq(envelope_parse(in, sizeof(good) - 1, &e, &err), -1);
	ck_assert_str_eq(err.msg, "NUL byte in envelope");
	/* Every prefix of a good envelope is refused: truncation is caught. */
	for (size_t n = 0; n < sizeof(good) - 1; n++)
		ck_assert_int_eq(envelope_parse(good, n, &e, &err), -1);
}
END_TEST

START_TEST(sanitize)
{
	struct rcpt r = { 0 };

	envelope_set_reply(&r, "\r\n");
	ck_assert_ptr_null(r.reply);
	envelope_set_reply(&r, "451 \x01later");
	ck_assert_str_eq(r.reply, "451 later");
	envelope_set_reply(&r, "250-a\r\n250 b\r\n");
	ck_assert_str_eq(r.reply, "250-a 250 b");
	/* C1 CSI and U+202E, as UTF-8: never stored (issue 9, #8) */
	envelope_set_reply(&r, "550 \xc2\x9b" "31mx\xe2\x80\xae" "y");
	ck_assert_str_eq(r.reply, "550 ?31mx?y");
	envelope_set_reply(&r, NULL);
	ck_assert_ptr_null(r.reply);
}
END_TEST

START_TEST(reply_cut_512)
{
	char		 big[2000];
	struct rcpt	 r = { 0 };
	struct envelope	 e, back;
	struct buf	 b;
	struct mh_err	 err;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[100] = '\n';
	envelope_set_reply(&r, big);
	ck_assert_uint_eq(strlen(r.reply), ENVELOPE_REPLY_MAX);
	ck_assert_ptr_null(strchr(r.reply, '\n'));
	free(r.reply);
	/* A stored reply of exactly 512 bytes loads; 513 does not. */
	make_env(&e);
	envelope_set_reply(&e.rcpts[0], big);
	buf_init(&b, 0);
	ck_assert_int_eq(envelope_format(&e, &b), 0);
	ck_assert_int_eq(envelope_parse(b.data, b.len, &back, &err), 0);
	ck_assert_uint_eq(strlen(back.rcpts[0].reply), 512);
	envelope_free(&back);
	buf_reset(&b);
	e.rcpts[0].reply[0] = 'y';
	e.rcpts[0].reply = realloc(e.rcpts[0].reply, 514);
	strcat(e.rcpts[0].reply, "z");
	ck_assert_int_eq(envelope_format(&e, &b), -1);
	envelope_free(&e);
	buf_free(&b);
}
END_TEST

START_TEST(format_refuses_controls)
{
	struct envelope	 e;
	struct buf	 b;

	buf_init(&b, 0);
	make_env(&e);
	free(e.rcpts[0].addr);
	e.rcpts[0].addr = strdup("bob@example.com\nrcpt sent 0 0 x");
	ck_assert_int_eq(envelope_format(&e, &b), -1);
	envelope_free(&e);
	make_env(&e);
	free(e.sender);
	e.sender = strdup("a\tb");
	ck_assert_int_eq(envelope_format(&e, &b), -1);
	envelope_free(&e);
	buf_free(&b);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(envelope_state_name(ENV_QUEUED), "queued");
	ck_assert_str_eq(envelope_state_name(ENV_HELD), "held");
	ck_assert_str_eq(envelope_state_name(ENV_FAILED), "failed");
	ck_assert_str_eq(rcpt_state_name(RCPT_PENDING), "pending");
	ck_assert_str_eq(rcpt_state_name(RCPT_SENT), "sent");
	ck_assert_str_eq(rcpt_state_name(RCPT_FAILED), "failed");
}
END_TEST

/* The one fill before spool_commit(), used by every path that queues. */
START_TEST(fill)
{
	struct envelope	 env;
	char		*rcpts[] = { "a@example.org", "b@example.net" };

	envelope_init(&env);
	env.sender = xstrdup("old@example.org");
	envelope_fill(&env, "s@example.org", rcpts, 2);
	ck_assert_str_eq(env.sender, "s@example.org");
	ck_assert_uint_eq(env.nrcpts, 2);
	ck_assert_str_eq(env.rcpts[0].addr, "a@example.org");
	ck_assert_str_eq(env.rcpts[1].addr, "b@example.net");
	ck_assert_ptr_ne(env.rcpts[1].addr, rcpts[1]);
	ck_assert_int_eq(env.rcpts[1].state, RCPT_PENDING);
	ck_assert_int_eq(env.rcpts[1].attempts, 0);
	envelope_free(&env);
	envelope_fill(&env, NULL, rcpts, 1);
	ck_assert_str_eq(env.sender, "");
	ck_assert_uint_eq(env.nrcpts, 1);
	envelope_free(&env);
}
END_TEST

/*
 * Issue 9 (hardening): an edited envelope is checked like the front end
 * checks an address, so it cannot put ESMTP parameters or commands on the
 * wire.
 */
START_TEST(edited_addresses_refused)
{
	static const char *const edited[] = {
		"rcpt pending 0 0 a b> NOTIFY=NEVER <c@d\t\n",
		"rcpt pending 0 0 <c@d>\t\n",
		"rcpt pending 0 0 a@b\xc2\x9b\t\n",
		"rcpt pending 0 0 a@b>RCPT TO:<x@y\t\n",
	};
	char		 buf[1024];
	struct envelope	 e;
	struct mh_err	 err;
	size_t		 i;

	for (i = 0; i < sizeof(edited) / sizeof(edited[0]); i++) {
		snprintf(buf, sizeof(buf), "mailhop-envelope 1\nid X\n"
		    "arrival 1\nsize 1\nsender <a@b>\nstate queued\n%send\n",
		    edited[i]);
		ck_assert_int_eq(envelope_parse(buf, strlen(buf), &e, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "bad address in"));
	}
	snprintf(buf, sizeof(buf), "mailhop-envelope 1\nid X\narrival 1\n"
	    "size 1\nsender <a b> NOTIFY=NEVER <c@d>\nstate queued\nend\n");
	ck_assert_int_eq(envelope_parse(buf, strlen(buf), &e, &err), -1);
	snprintf(buf, sizeof(buf), "mailhop-envelope 1\nid X\narrival 1\n"
	    "size 1\nsender <>\nstate queued\nrcpt pending 0 0 root\t\n"
	    "end\n");
	ck_assert_int_eq(envelope_parse(buf, strlen(buf), &e, &err), 0);
	envelope_free(&e);
}
END_TEST

/*
 * The control check goes eight bytes at a time (SPEC 13): a C0 control
 * other than TAB, or DEL, is found at every place of a line, and no other
 * byte (space, '~', the bytes of UTF-8, C1 bytes alone) is taken for one.
 */
START_TEST(controls_at_every_place)
{
	static const unsigned char	 ctl[] = { 0x01, 0x08, 0x0b, 0x0d,
					    0x1b, 0x1f, 0x7f };
	static const unsigned char	 ok[] = { ' ', '~', 0x80, 0x9f, 0xa0,
					    0xc3, 0xff };
	const char	*tail = "451 4.3.0 try later";
	char		 in[4096], *reply;
	size_t		 pos, k;
	struct envelope	 e;
	struct mh_err	 err;

	for (pos = 0; pos < strlen(tail); pos++) {
		for (k = 0; k < sizeof(ctl) + sizeof(ok); k++) {
			strcpy(in, good);
			reply = strstr(in, tail);
			reply[pos] = (char)(k < sizeof(ctl) ? ctl[k] :
			    ok[k - sizeof(ctl)]);
			mh_err_clear(&err);
			if (k < sizeof(ctl)) {
				ck_assert_int_eq(envelope_parse(in, strlen(in),
				    &e, &err), -1);
				ck_assert_msg(strstr(err.msg,
				    "line 9: control character in") != NULL,
				    "byte 0x%02x at %zu: %s", ctl[k], pos,
				    err.msg);
			} else {
				ck_assert_msg(envelope_parse(in, strlen(in),
				    &e, &err) == 0, "byte 0x%02x at %zu: %s",
				    ok[k - sizeof(ctl)], pos, err.msg);
				envelope_free(&e);
			}
		}
	}
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("envelope");
	TCase	*tc = tcase_create("envelope");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, edited_addresses_refused);
	tcase_add_loop_test(tc, parse_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, parse_empty_and_nul);
	tcase_add_test(tc, sanitize);
	tcase_add_test(tc, reply_cut_512);
	tcase_add_test(tc, format_refuses_controls);
	tcase_add_test(tc, controls_at_every_place);
	tcase_add_test(tc, names);
	tcase_add_test(tc, fill);
	suite_add_tcase(s, tc);
	return s;
}
