/* SPDX-License-Identifier: MIT */
/*
 * rfc5322.c - header section push parser.  It decides, line by line,
 * whether a line starts a field, continues one (folding), ends the section
 * (an empty line), or is no header at all, in which case the section is
 * over and that line is the first of the body.  Only header bytes are
 * held, and only up to max; a body line is recognised within its first
 * RFC5322_NAME_MAX bytes, so a huge first line never fills memory.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "rfc5322.h"

enum { S_START, S_FIELDS, S_DONE };
enum { C_UNDECIDED, C_HEADER, C_CONT, C_BLANK, C_BODY };

/* Bits of struct rfc5322's state beyond S_*: */
#define F_PEND_END	0x10	/* END follows the FIELD just handed out */
#define F_EOF		0x20	/* rfc5322_finish() was called */
#define STATE(p)	((p)->state & 0x0f)

void
rfc5322_init(struct rfc5322 *p, size_t max)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->field, 0);
	buf_init(&p->line, 0);
	p->max = max;
	p->state = S_START;
	p->cls = C_UNDECIDED;
}

void
rfc5322_free(struct rfc5322 *p)
{
	buf_free(&p->field);
	buf_free(&p->line);
}

static int
rfc5322_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

int
rfc5322_classify(const char *s, size_t n)
{
	size_t	 i = 0;

	while (i < n && rfc5322_ftext((unsigned char)s[i]))
		i++;
	if (i == 0 && n > 0)
		return 0;
	/* obs-optional: white space between the name and the colon */
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return n > RFC5322_NAME_MAX ? 0 : -1;
	return s[i] == ':' && i <= RFC5322_NAME_MAX ? 1 : 0;
}

/* Decide what the line in p->line is, as far as its bytes allow. */
static void
rfc5322_decide(struct rfc5322 *p, int eol)
{
	int	 r;

	if (p->line.len == 0) {
		if (eol)
			p->cls = C_BLANK;
		return;
	}
	if (p->line.data[0] == ' ' || p->line.data[0] == '\t') {
		p->cls = STATE(p) == S_FIELDS ? C_CONT : C_BODY;
		return;
	}
	r = rfc5322_classify(p->line.data, p->line.len);
	if (r == 1)
		p->cls = C_HEADER;
	else if (r == 0 || eol)
		p->cls = C_BODY;
}

int
rfc5322_push(struct rfc5322 *p, const char *s, size_t n, int eol)
{
	if (STATE(p) == S_DONE)
		return 0;
	if (buf_add(&p->line, s, n) == -1)
		return -1;
	p->line_eol = eol;
	if (p->cls == C_UNDECIDED)
		rfc5322_decide(p, eol);
	if ((p->cls == C_HEADER || p->cls == C_CONT || p->cls == C_BLANK) &&
	    p->max != 0 && p->total + p->line.len + (eol ? 2 : 0) > p->max) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

void
rfc5322_finish(struct rfc5322 *p)
{
	p->state |= F_EOF;
	if (p->line.len > 0 && !p->line_eol) {
		p->line_eol = 1;
		if (p->cls == C_UNDECIDED)
			rfc5322_decide(p, 1);
	}
}

/* The section is over: hand out the open field first, if any. */
static int
rfc5322_end(struct rfc5322 *p, enum rfc5322_end how)
{
	p->end = how;
	if (how == RFC5322_END_BODY) {
		p->rest = p->line.data;
		p->rest_len = p->line.len;
		p->rest_eol = p->line_eol;
	}
	if (p->field.len > 0) {
		p->emitted = 1;
		p->state |= F_PEND_END;
		return RFC5322_FIELD;
	}
	p->state = S_DONE;
	return RFC5322_END;
}

/* A complete field line starts the next field. */
static void
rfc5322_start_field(struct rfc5322 *p)
{
	const char	*c;

	buf_reset(&p->field);
	buf_add(&p->field, p->line.data, p->line.len);
	buf_add(&p->field, "\r\n", 2);
	p->total += p->line.len + 2;
	c = memchr(p->field.data, ':', p->field.len);
	p->value_off = (size_t)(c - p->field.data) + 1;
	p->name_len = 0;
	while (p->name_len < p->field.len &&
	    rfc5322_ftext((unsigned char)p->field.data[p->name_len]))
		p->name_len++;
	p->nfields++;
	p->state = (p->state & ~0x0f) | S_FIELDS;
	buf_reset(&p->line);
	p->cls = C_UNDECIDED;
	p->line_eol = 0;
}

int
rfc5322_next(struct rfc5322 *p)
{
	if (p->emitted) {
		buf_reset(&p->field);
		p->emitted = 0;
	}
	if (p->state & F_PEND_END) {
		p->state = S_DONE;
		return RFC5322_END;
	}
	if (STATE(p) == S_DONE)
		return RFC5322_NONE;
	if (p->cls == C_BODY)
		return rfc5322_end(p, RFC5322_END_BODY);
	if (!p->line_eol) {
		if ((p->state & F_EOF) && p->line.len == 0)
			return rfc5322_end(p, RFC5322_END_EOF);
		return RFC5322_NONE;
	}
	switch (p->cls) {
	case C_BLANK:
		p->total += 2;
		return rfc5322_end(p, RFC5322_END_BLANK);
	case C_CONT:
		buf_add(&p->field, p->line.data, p->line.len);
		buf_add(&p->field, "\r\n", 2);
		p->total += p->line.len + 2;
		buf_reset(&p->line);
		p->cls = C_UNDECIDED;
		p->line_eol = 0;
		return rfc5322_next(p);
	case C_HEADER:
		if (p->field.len > 0) {
			p->emitted = 1;
			return RFC5322_FIELD;
		}
		rfc5322_start_field(p);
		return rfc5322_next(p);
	}
	return RFC5322_NONE;
}

int
rfc5322_is(const struct rfc5322 *p, const char *name)
{
	size_t	 n = strlen(name);

	return p->name_len == n && strncasecmp(p->field.data, name, n) == 0;
}
