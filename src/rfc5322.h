/* SPDX-License-Identifier: MIT */
/*
 * rfc5322.h - push parser for a header section: lines in (without their
 * line ending, possibly in pieces), whole header fields out.  No policy,
 * no I/O, hard caps.  message.c is its only user.
 *
 *	rfc5322_init(&p, max);
 *	for each piece of input:
 *		rfc5322_push(&p, s, n, eol);
 *		while ((ev = rfc5322_next(&p)) > 0)
 *			... RFC5322_FIELD: p.field holds one field ...
 *			... RFC5322_END: the section is over; p.rest ...
 *	at EOF: rfc5322_finish(&p), then drain rfc5322_next() again.
 */
#ifndef MH_RFC5322_H
#define MH_RFC5322_H

#include <stddef.h>

#include "buf.h"

/* A field name longer than this is no field name: the line is body. */
#define RFC5322_NAME_MAX	998

enum rfc5322_event {
	RFC5322_ERR = -1,	/* cap exceeded (errno ERANGE) */
	RFC5322_NONE = 0,	/* nothing complete yet: push more */
	RFC5322_FIELD,		/* a whole field (with its folding) is ready */
	RFC5322_END,		/* the header section ended */
};

/* How the header section ended (valid after RFC5322_END). */
enum rfc5322_end {
	RFC5322_END_BLANK,	/* an empty line: it belongs to no one */
	RFC5322_END_BODY,	/* a line that is no header: it is in rest */
	RFC5322_END_EOF,	/* the input ended (rfc5322_finish) */
};

struct rfc5322 {
	struct buf	 field;		/* the field being collected, CRLF folded */
	struct buf	 line;		/* the physical line being received */
	size_t		 total;		/* bytes of header section so far */
	size_t		 max;		/* max_header_size (0: no cap) */
	int		 state;		/* private: RFC5322_S_* in rfc5322.c */
	int		 cls;		/* private: class of the line */
	int		 line_eol;	/* the line in `line` is complete */
	int		 emitted;	/* `field` was handed out: reset it */
	int		 nfields;	/* fields seen so far */
	enum rfc5322_end end;		/* how it ended */
	size_t		 name_len;	/* FIELD: length of the field name */
	size_t		 value_off;	/* FIELD: offset of the value (after ':') */
	const char	*rest;		/* END_BODY: bytes of the line ... */
	size_t		 rest_len;
	int		 rest_eol;	/* ... and whether it is complete */
};

void	rfc5322_init(struct rfc5322 *, size_t max);
void	rfc5322_free(struct rfc5322 *);
/*
 * Append a piece of a line; eol = 1 when the line is complete.  Call only
 * after rfc5322_next() returned RFC5322_NONE.  -1 (errno ERANGE) past max.
 */
int	rfc5322_push(struct rfc5322 *, const char *, size_t, int eol);
/* The input ended: a pending line is complete, the section is over. */
void	rfc5322_finish(struct rfc5322 *);
/* The next event; see the enum. */
int	rfc5322_next(struct rfc5322 *);
/* Case-insensitive test of the current field's name. */
int	rfc5322_is(const struct rfc5322 *, const char *name);
/* Whether s[0..n) can start a header field ("Name:"): 1, 0, or -1 if
 * n bytes are not enough to tell. */
int	rfc5322_classify(const char *, size_t);

#endif
