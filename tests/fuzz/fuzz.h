/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - the checks several fuzz targets make on text that reaches a
 * person or the wire (text.h's two promises).  Each is an abort() when
 * broken, which libFuzzer and the corpus replays report as a crash.
 */
#ifndef MH_FUZZ_H
#define MH_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Valid UTF-8, and nothing a terminal or a bidi renderer acts on. */
static inline void
fuzz_assert_printable(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, len = strlen(s);
	uint32_t		 cp;

	while (len > 0) {
		n = text_utf8(p, len, &cp);
		if (n == 0 || text_cp_unsafe(cp))
			abort();
		p += n;
		len -= n;
	}
}

/* Printable ASCII only (0x20-0x7e). */
static inline void
fuzz_assert_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

/* An error message: one line, printable, not empty. */
static inline void
fuzz_assert_message(const char *msg)
{
	if (msg[0] == '\0' || strchr(msg, '\n') != NULL)
		abort();
	fuzz_assert_printable(msg);
}

#endif
