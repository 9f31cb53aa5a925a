/* SPDX-License-Identifier: MIT */
/*
 * text.c - the sanitisers for text shown to people and text put on the
 * wire.  One loop decodes UTF-8 a character at a time, classifies it, and
 * writes it, its replacement or its escape to a fixed array or a buf,
 * whole or not at all.
 */
#include <stdio.h>
#include <string.h>

#include "text.h"

/* Where the output goes: a fixed array (dst) or a growable buffer (b). */
struct text_out {
	char		*dst;
	size_t		 size;
	size_t		 len;
	struct buf	*b;
	size_t		 start;		/* b->len on entry */
	int		 full;		/* a unit did not fit: stop */
};

size_t
text_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t		 n, i;
	uint32_t	 v;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return n;
}

/* s starts a sequence that the next piece of input may complete. */
static int
text_incomplete(const unsigned char *s, size_t len)
{
	size_t	 n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (len >= n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return 1;
}

int
text_cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* ---- output ---- */

static void
text_put(struct text_out *o, const char *s, size_t n)
{
	if (o->full)
		return;
	if (o->b != NULL) {
		if (buf_add(o->b, s, n) == -1)
			o->full = 1;
		return;
	}
	if (o->len + n + 1 > o->size) {
		o->full = 1;
		return;
	}
	memcpy(o->dst + o->len, s, n);
	o->len += n;
	o->dst[o->len] = '\0';
}

/* The last byte written by this call, or NUL if none. */
static char
text_last(const struct text_out *o)
{
	if (o->b != NULL)
		return o->b->len > o->start ? o->b->data[o->b->len - 1] : '\0';
	return o->len > 0 ? o->dst[o->len - 1] : '\0';
}

static void
text_trim_space(struct text_out *o)
{
	if (o->b != NULL) {
		while (o->b->len > o->start && o->b->data[o->b->len - 1] == ' ')
			o->b->data[--o->b->len] = '\0';
		return;
	}
	while (o->len > 0 && o->dst[o->len - 1] == ' ')
		o->dst[--o->len] = '\0';
}

/* ---- one unit: a byte that is not UTF-8, or one character ---- */

static void
text_bad_byte(struct text_out *o, unsigned char c, int flags)
{
	char	 e[8];

	if (flags & TEXT_ESCAPE) {
		snprintf(e, sizeof(e), "\\x%02x", c);
		text_put(o, e, 4);
	} else
		text_put(o, "?", 1);
}

static void
text_control(struct text_out *o, unsigned char c, int flags)
{
	if ((flags & TEXT_LINES) && (c == '\n' || c == '\t'))
		text_put(o, (const char *)&c, 1);
	else if ((flags & TEXT_ESCAPE) && c == '\r')
		text_put(o, "\\r", 2);
	else if ((flags & TEXT_ESCAPE) && c == '\n')
		text_put(o, "\\n", 2);
	else if ((flags & TEXT_ESCAPE) && c == '\t')
		text_put(o, "\\t", 2);
	else
		text_bad_byte(o, c, flags);
}

/* A character above U+007F; wire: ASCII only. */
static void
text_wide(struct text_out *o, const unsigned char *s, size_t n, uint32_t cp,
    int flags, int wire)
{
	char	 e[16];
	int	 k;

	if (text_cp_unsafe(cp) && !(flags & TEXT_ESCAPE)) {
		text_put(o, "?", 1);
		return;
	}
	if (text_cp_unsafe(cp) || wire) {
		k = snprintf(e, sizeof(e), "\\x{%X}", (unsigned)cp);
		text_put(o, e, (size_t)k);
		return;
	}
	text_put(o, (const char *)s, n);
}

/*
 * How many bytes from s every flag passes through unchanged: printable
 * ASCII (with TEXT_QUOTE, not '"' or '\\').  Most text is all of it.
 */
static size_t
text_plain(const unsigned char *s, size_t len, int flags)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || ((flags & TEXT_QUOTE) &&
		    (s[i] == '"' || s[i] == '\\')))
			break;
	return i;
}

/* How many more bytes text_put() takes: it fills up to the last one. */
static size_t
text_room(const struct text_out *o)
{
	if (o->full)
		return 0;
	if (o->b != NULL)
		return o->b->max == 0 ? SIZE_MAX :
		    o->b->len < o->b->max ? o->b->max - o->b->len : 0;
	return o->size > o->len + 1 ? o->size - o->len - 1 : 0;
}

static size_t
text_run(struct text_out *o, const char *src, size_t len, int flags,
    int wire)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 i = 0, n;
	uint32_t		 cp = 0;
	int			 space = 0;

	if (flags & (TEXT_QUOTE | TEXT_LINES))
		flags |= TEXT_ESCAPE;
	while (i < len && !o->full) {
		/* A run of plain bytes in one copy, as much as fits. */
		if (!space && (n = text_plain(s + i, len - i, flags)) > 0) {
			if (n > text_room(o))
				n = text_room(o);
			if (n > 0) {
				text_put(o, src + i, n);
				i += n;
				continue;
			}
		}
		if ((flags & TEXT_LINES) && s[i] == '\r') {
			if (i + 1 == len && (flags & TEXT_MORE))
				break;
			if (i + 1 < len && s[i + 1] == '\n') {
				i++;
				continue;
			}
		}
		n = text_utf8(s + i, len - i, &cp);
		if (n == 0 && (flags & TEXT_MORE) &&
		    text_incomplete(s + i, len - i))
			break;
		if ((flags & TEXT_SPACE) && n == 1 && (cp < 0x20 ||
		    cp == 0x7f) && !((flags & TEXT_LINES) &&
		    (cp == '\n' || cp == '\t'))) {
			space = 1;
			i++;
			continue;
		}
		if (space && text_last(o) != '\0' && text_last(o) != ' ' &&
		    !(n == 1 && cp == ' '))
			text_put(o, " ", 1);
		space = 0;
		if (n == 0) {
			text_bad_byte(o, s[i], flags);
			n = 1;
		} else if (cp < 0x20 || cp == 0x7f)
			text_control(o, s[i], flags);
		else if (cp >= 0x80)
			text_wide(o, s + i, n, cp, flags, wire);
		else if ((flags & TEXT_QUOTE) && (cp == '"' || cp == '\\'))
			text_put(o, cp == '"' ? "\\\"" : "\\\\", 2);
		else
			text_put(o, (const char *)s + i, 1);
		if (!o->full)
			i += n;
	}
	if (flags & TEXT_SPACE)
		text_trim_space(o);
	return i;
}

static size_t
text_fixed(char *dst, size_t dstsz, const char *src, size_t len, int flags,
    int wire)
{
	struct text_out	 o;

	if (dstsz == 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.dst = dst;
	o.size = dstsz;
	dst[0] = '\0';
	if (src == NULL)
		return 0;
	return text_run(&o, src, len, flags, wire);
}

static size_t
text_tobuf(struct buf *b, const char *src, size_t len, int flags, int wire)
{
	struct text_out	 o;

	memset(&o, 0, sizeof(o));
	o.b = b;
	o.start = b->len;
	if (src == NULL)
		return 0;
	return text_run(&o, src, len, flags, wire);
}

size_t
text_show(char *dst, size_t dstsz, const char *src, size_t len, int flags)
{
	return text_fixed(dst, dstsz, src, len, flags, 0);
}

size_t
text_show_buf(struct buf *b, const char *src, size_t len, int flags)
{
	return text_tobuf(b, src, len, flags, 0);
}

size_t
text_wire(char *dst, size_t dstsz, const char *src, size_t len, int flags)
{
	return text_fixed(dst, dstsz, src, len, flags, 1);
}

size_t
text_wire_buf(struct buf *b, const char *src, size_t len, int flags)
{
	return text_tobuf(b, src, len, flags, 1);
}

void
text_quote(char *dst, size_t dstsz, const char *s, size_t len)
{
	char	 q[TEXT_QUOTE_MAX * 4 + 1];
	size_t	 took;

	if (s == NULL)
		len = 0;
	if (len > TEXT_QUOTE_MAX)
		took = text_show(q, sizeof(q), s, TEXT_QUOTE_MAX,
		    TEXT_QUOTE | TEXT_MORE);
	else
		took = text_show(q, sizeof(q), s, len, TEXT_QUOTE);
	snprintf(dst, dstsz, "\"%s\"%s", q, took < len ? "..." : "");
}
