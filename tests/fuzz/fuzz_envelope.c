/* SPDX-License-Identifier: MIT */
/*
 * fuzz_envelope.c - envelope.c under libFuzzer (and replayed by `make
 * check`).  The input is an envelope file as it could be found on disk
 * after any damage.  Invariants, each an abort() when broken:
 * - envelope_parse either succeeds or fails with EX_DATAERR and a
 *   one-line printable message, and leaves nothing allocated behind
 *   (ASan's leak check sees to that);
 * - what it accepts can be written back (envelope_format), reads back to
 *   the same envelope, and is written the same way again: an update never
 *   changes what it did not mean to change;
 * - every address it accepts (the sender unless null, each recipient)
 *   passes the front end's addr_check(), so an edited envelope cannot put
 *   ESMTP parameters or commands on the wire (issue 9 hardening);
 * - text_show() and text_wire() (text.c), on the same bytes, give text
 *   that fits the buffer: for people, valid UTF-8 with no C0, DEL, C1 or
 *   bidi control; for the wire, printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "fuzz.h"
#include "text.h"
#include "xmem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_assert_same(const struct envelope *a, const struct envelope *b)
{
	size_t	 i;

	if (strcmp(a->id, b->id) != 0 || a->arrival != b->arrival ||
	    a->size != b->size || strcmp(a->sender, b->sender) != 0 ||
	    a->state != b->state || a->failed_at != b->failed_at ||
	    a->is_bounce != b->is_bounce || a->nrcpts != b->nrcpts)
		abort();
	for (i = 0; i < a->nrcpts; i++) {
		if (strcmp(a->rcpts[i].addr, b->rcpts[i].addr) != 0 ||
		    a->rcpts[i].state != b->rcpts[i].state ||
		    a->rcpts[i].attempts != b->rcpts[i].attempts ||
		    a->rcpts[i].next != b->rcpts[i].next ||
		    (a->rcpts[i].reply == NULL) != (b->rcpts[i].reply == NULL) ||
		    (a->rcpts[i].reply != NULL &&
		    strcmp(a->rcpts[i].reply, b->rcpts[i].reply) != 0))
			abort();
	}
}

/* Accepted: every address is one the front end would have taken. */
static void
fuzz_addresses_checked(const struct envelope *env)
{
	struct mh_err	 err;
	size_t		 i;

	if (!addr_is_null(env->sender) && addr_check(env->sender, &err) != 0)
		abort();
	for (i = 0; i < env->nrcpts; i++)
		if (addr_check(env->rcpts[i].addr, &err) != 0)
			abort();
}

/* Accepted: write, read back, write again. */
static void
fuzz_round_trip(const struct envelope *env)
{
	struct envelope	 again;
	struct buf	 x, y;
	struct mh_err	 err;

	buf_init(&x, 0);
	buf_init(&y, 0);
	if (envelope_format(env, &x) == -1)
		abort();
	if (envelope_parse(x.data, x.len, &again, &err) == -1)
		abort();
	fuzz_assert_same(env, &again);
	if (envelope_format(&again, &y) == -1 || x.len != y.len ||
	    memcmp(x.data, y.data, x.len) != 0)
		abort();
	if (envelope_count(env, RCPT_PENDING) + envelope_count(env,
	    RCPT_SENT) + envelope_count(env, RCPT_FAILED) != env->nrcpts)
		abort();
	envelope_free(&again);
	buf_free(&x);
	buf_free(&y);
}

static void
fuzz_sanitize(const uint8_t *data, size_t len)
{
	static const size_t sizes[] = { 1, 2, 7, 64, ENVELOPE_REPLY_MAX + 1 };
	static const int flags[] = { 0, TEXT_SPACE, TEXT_QUOTE, TEXT_LINES };
	char	 out[ENVELOPE_REPLY_MAX + 1];
	size_t	 i, f;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			memset(out, 'Z', sizeof(out));
			if (text_show(out, sizes[i], (const char *)data, len,
			    flags[f]) > len || strlen(out) >= sizes[i])
				abort();
			if (flags[f] == TEXT_LINES) {
				/* LF and TAB are meant to stay */
				for (char *c = out; *c != '\0'; c++)
					if (*c == '\n' || *c == '\t')
						*c = ' ';
			}
			fuzz_assert_printable(out);
			memset(out, 'Z', sizeof(out));
			if (text_wire(out, sizes[i], (const char *)data, len,
			    flags[f] & ~TEXT_LINES) > len ||
			    strlen(out) >= sizes[i])
				abort();
			fuzz_assert_ascii(out);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct envelope	 env;
	struct mh_err	 err;

	if (envelope_parse((const char *)data, len, &env, &err) == 0) {
		fuzz_addresses_checked(&env);
		fuzz_round_trip(&env);
		envelope_free(&env);
	} else {
		if (err.exit != EX_DATAERR || err.msg[0] == '\0' ||
		    env.nrcpts != 0 || env.sender != NULL)
			abort();
		fuzz_assert_printable(err.msg);
	}
	fuzz_sanitize(data, len);
	return 0;
}
