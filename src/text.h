/* SPDX-License-Identifier: MIT */
/*
 * text.h - the two sanitisers.  Text that mailhop did not write itself (a
 * server's reply, an address, a header, a client's command) passes one of
 * them before it is shown to a person or sent anywhere:
 *
 *   text_show()  for people: terminals, logs, error messages, mailq, -v.
 *                Valid UTF-8 stays readable; what a terminal or a bidi
 *                renderer would act on does not get through.
 *   text_wire()  for the wire and for DSNs: printable ASCII only.
 *
 * No other module filters control characters for display or output on its
 * own (validators that refuse input, such as addr_check(), are not
 * sanitisers).  Pure: no I/O, no allocation except through a struct buf.
 *
 * What is unsafe, for both:
 *   - C0 controls (0x00-0x1f) and DEL;
 *   - C1 controls, as UTF-8 (U+0080-U+009F: U+009B is CSI, U+009D OSC);
 *   - bidirectional and line-breaking format characters: U+061C, U+200E,
 *     U+200F, U+2028-U+202E, U+2066-U+2069 (U+202E turns "gpj.exe" into
 *     "exe.jpg" on screen);
 *   - every byte that is not part of a valid, shortest-form UTF-8
 *     sequence of a scalar value: stray continuation bytes, overlong forms,
 *     surrogates, values past U+10FFFF, truncated sequences.  Each such
 *     byte is replaced on its own (one '?' per byte, or \xNN): a raw byte
 *     0x9b is CSI to an 8-bit terminal, so it is never passed on, and a
 *     '?' is visible in any locale where U+FFFD is not.
 *
 * By default an unsafe character or byte becomes '?'.  The flags change
 * that; the output is always NUL-terminated and, when it must be cut to
 * fit, cut before a whole character or escape, never inside one.
 */
#ifndef MH_TEXT_H
#define MH_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Show what was replaced: \r \n \t \xNN (a byte), \x{NNNN} (a character). */
#define TEXT_ESCAPE	0x01
/* TEXT_ESCAPE, and '"' and '\' as \" and \\: a culprit quoted in "...". */
#define TEXT_QUOTE	0x02
/*
 * A run of C0 controls and DEL (the CRLF inside a multi-line reply, a TAB,
 * an ESC) becomes one space, and none is left at either end.
 */
#define TEXT_SPACE	0x04
/*
 * TEXT_ESCAPE, but LF and TAB are kept and the CR of a CRLF dropped: a
 * whole message for a terminal.
 */
#define TEXT_LINES	0x08
/*
 * More input follows: stop before a character that may continue in the
 * next piece (an incomplete UTF-8 sequence; with TEXT_LINES a final CR).
 * The return value says how much was taken; pass the rest again.
 */
#define TEXT_MORE	0x10

/*
 * For people: copy len bytes of src to dst (size dstsz, NUL-terminated).
 * Returns the number of bytes of src taken: len, or less when dst is full
 * or TEXT_MORE held back a tail.  dst and src must not overlap.
 */
size_t	text_show(char *dst, size_t dstsz, const char *src, size_t len,
	    int flags);
/* The same, appended to b; stops quietly at b's cap. */
size_t	text_show_buf(struct buf *b, const char *src, size_t len, int flags);

/*
 * For the wire and DSNs: only 0x20-0x7e leave.  A safe non-ASCII
 * character is written as RFC 6533's \x{HHHH} (so an address keeps its
 * meaning), anything unsafe as for text_show().  Same return value.
 */
size_t	text_wire(char *dst, size_t dstsz, const char *src, size_t len,
	    int flags);
size_t	text_wire_buf(struct buf *b, const char *src, size_t len, int flags);

#define TEXT_QUOTE_MAX	100	/* bytes of a culprit quoted in an error */

/*
 * A culprit for an error message: "s" with TEXT_QUOTE escapes, at most
 * TEXT_QUOTE_MAX bytes of s (never half a character), then "..." after
 * the closing quote when s was longer:
 *	"bob@x\r\nRCPT TO:<evil@y>"
 * dst is always NUL-terminated (cut if it is too small).
 */
void	text_quote(char *dst, size_t dstsz, const char *s, size_t len);

/*
 * The UTF-8 decoder both use, for other escapers (json.c): the length of
 * the valid sequence at s (at most len bytes) with its value in *cp, or 0
 * if s[0] does not start one.
 */
size_t	text_utf8(const unsigned char *s, size_t len, uint32_t *cp);
/* A code point a terminal or a bidi renderer acts on (C0, DEL, C1, bidi). */
int	text_cp_unsafe(uint32_t cp);

#endif
