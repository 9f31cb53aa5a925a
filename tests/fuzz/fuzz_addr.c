/* SPDX-License-Identifier: MIT */
/*
 * fuzz_addr.c - addr.c under libFuzzer (and replayed by `make check`).
 * The input is a header body for addr_parse_list and, up to its first
 * NUL, an argument for addr_parse_one and addr_check.  Invariants, each an
 * abort() when broken:
 * - every address handed out passes addr_check and holds no control byte;
 * - every address handed out parses back to itself with addr_parse_one
 *   (the canonical form is stable) and is found by addr_list_has;
 * - max is never exceeded;
 * - an error is EX_DATAERR with a one-line message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "err.h"
#include "xmem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_assert_err(const struct mh_err *err)
{
	const char	*p;

	if (err->exit != EX_DATAERR || err->msg[0] == '\0')
		abort();
	for (p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

static void
fuzz_assert_printable(const char *a)
{
	for (; *a != '\0'; a++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f)
			abort();
}

/* An address we hand out: valid, printable, and stable. */
static void
fuzz_assert_addr(const char *a)
{
	struct mh_err	 err;
	char		*again, *q;

	if (addr_check(a, &err) != 0)
		abort();
	fuzz_assert_printable(a);
	if (addr_parse_one(a, &again, &err) != 0 || strcmp(a, again) != 0)
		abort();
	free(again);
	q = addr_qualify(a, "example.org");
	if (addr_domain(q) == NULL)
		abort();
	free(q);
}

static void
fuzz_list(const char *s, size_t len, size_t max)
{
	struct addr_list	 l;
	struct mh_err		 err;
	size_t			 i;

	addr_list_init(&l, max);
	if (addr_parse_list(s, len, &l, &err) == -1)
		fuzz_assert_err(&err);
	if (max != 0 && l.n > max)
		abort();
	for (i = 0; i < l.n; i++) {
		fuzz_assert_addr(l.v[i]);
		if (!addr_list_has(&l, l.v[i]))
			abort();
	}
	addr_list_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mh_err	 err;
	char		*s, *out;

	fuzz_list((const char *)data, len, 0);
	fuzz_list((const char *)data, len, 2);

	s = xstrndup((const char *)data, len);	/* up to the first NUL */
	if (addr_parse_one(s, &out, &err) == 0) {
		if (out == NULL)
			abort();
		if (*out != '\0')
			fuzz_assert_addr(out);
		free(out);
	} else {
		if (out != NULL)
			abort();
		fuzz_assert_err(&err);
	}
	/*
	 * What addr_check accepts is printable and usable as an argument
	 * (addr_parse_one may canonicalize it: "john"@x is john@x).
	 */
	if (addr_check(s, &err) == 0) {
		fuzz_assert_printable(s);
		if (addr_parse_one(s, &out, &err) != 0)
			abort();
		fuzz_assert_addr(out);
		free(out);
	} else
		fuzz_assert_err(&err);
	free(s);
	return 0;
}
