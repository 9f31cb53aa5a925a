/* SPDX-License-Identifier: MIT */
/*
 * json.c - JSON string escaping.  Characters that text_show() would not
 * let through (C1 and bidi controls) are written as \uXXXX escapes: the
 * value is kept, and a consumer that prints it raw is not fooled.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "text.h"

int
json_add_string(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t	 n;
	uint32_t cp;

	if (buf_addc(b, '"') == -1)
		return -1;
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			if (buf_addc(b, '\\') == -1 || buf_addc(b, *s) == -1)
				return -1;
			s++;
			continue;
		}
		n = text_utf8(s, strnlen((const char *)s, 4), &cp);
		if (n == 0) {
			if (buf_adds(b, "\\ufffd") == -1)
				return -1;
			s++;
			continue;
		}
		if (text_cp_unsafe(cp)) {	/* C0, DEL, C1, bidi */
			if (buf_addf(b, "\\u%04x", (unsigned)cp) == -1)
				return -1;
			s += n;
			continue;
		}
		if (buf_add(b, s, n) == -1)
			return -1;
		s += n;
	}
	return buf_addc(b, '"');
}
