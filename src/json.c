/* SPDX-License-Identifier: MIT */
/*
 * json.c - JSON string escaping.
 */
#include <stddef.h>

#include "json.h"

/* Length of a valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
json_utf8_len(const unsigned char *s)
{
	size_t	 n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

int
json_add_string(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t	 n;

	if (buf_addc(b, '"') == -1)
		return -1;
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			if (buf_addc(b, '\\') == -1 || buf_addc(b, *s) == -1)
				return -1;
			s++;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			if (buf_addf(b, "\\u%04x", *s) == -1)
				return -1;
			s++;
			continue;
		}
		n = json_utf8_len(s);
		if (n == 0) {
			if (buf_adds(b, "\\ufffd") == -1)
				return -1;
			s++;
			continue;
		}
		if (buf_add(b, s, n) == -1)
			return -1;
		s += n;
	}
	return buf_addc(b, '"');
}
