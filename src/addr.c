/* SPDX-License-Identifier: MIT */
/*
 * addr.c - RFC 5322 address lists (section 3.4, plus the obsolete forms of
 * section 4.4 that real mailers still send) and the mailbox check that
 * stands between a caller's bytes and the SMTP dialogue.
 *
 * The parser is a tokenizer with one token of lookahead under a small
 * recursive descent.  Every byte is looked at a bounded number of times (an
 * element is scanned twice: once to classify it, once to collect it),
 * comments nest at most ADDR_COMMENT_DEPTH deep, and an addr-spec is
 * collected into a buffer capped near ADDR_MAX, so hostile input costs
 * linear time and bounded memory.
 *
 * The parser decides what the address is; addr_check() alone decides
 * whether it may be used, and every address handed out has passed it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "text.h"
#include "xmem.h"

#define ADDR_STR_(x)	#x
#define ADDR_STR(x)	ADDR_STR_(x)

/* Token types; the specials < > , ; : @ are their own character. */
enum addr_tok_type { TOK_EOF = 0, TOK_ERR, TOK_ATOM, TOK_QSTR, TOK_DLIT };

/* What an element of the list turns out to be. */
enum addr_elem { ELEM_BAD = -1, ELEM_ADDR, ELEM_ANGLE, ELEM_GROUP };

struct addr_tok {
	int		 type;		/* enum addr_tok_type or a special */
	size_t		 off;		/* start in the input */
	size_t		 len;
};

struct addr_parser {
	const char	*s;		/* the input, not NUL-terminated */
	size_t		 len;
	size_t		 pos;		/* next byte the tokenizer reads */
	size_t		 elem;		/* where the current element began */
	int		 fold;		/* CRLF/LF + WSP is white space */
	int		 ws;		/* CFWS came before tok */
	struct addr_tok	 tok;		/* the lookahead; TOK_ERR is sticky */
	struct mh_err	*err;
	/* Where the last mailbox was in s, for addr_visit_header(). */
	size_t		 spec_end;	/* just after its addr-spec's last word */
	size_t		 phrase_off;	/* its display name, if any */
	size_t		 phrase_end;
	size_t		 cmt_off;	/* the element's first comment, if any */
	size_t		 cmt_len;
	/* Called after each mailbox when set (NULL: only collect). */
	void		(*visit)(const struct addr_parser *, int,
			    const struct buf *, void *);
	void		*arg;
};

static int	addr_next(struct addr_parser *);

static int
addr_err(struct mh_err *err, const char *s, size_t len, const char *reason)
{
	char	 q[TEXT_QUOTE_MAX * 4 + 16];

	text_quote(q, sizeof(q), s, len);
	return mh_err_set(err, EX_DATAERR, "%s: %s", q, reason);
}

/* ---- character classes ---- */

static int
addr_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 5322 specials, less '.' (which we keep inside atoms). */
static int
addr_is_special(unsigned char c)
{
	switch (c) {	/* RFC 5322 specials; a switch, not strchr() per byte */
	case '(': case ')': case '<': case '>': case '[': case ']':
	case ':': case ';': case '@': case '\\': case ',': case '"':
		return 1;
	default:
		return 0;
	}
}

/*
 * Bytes of an atom in the tokenizer.  Controls other than CR, LF and NUL
 * are taken in, so that they end up in the addr-spec and addr_check()
 * names them; in a display name they are harmless and pass.
 */
static int
addr_is_atom(unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0')
		return 0;
	return !addr_is_special(c);
}

/* RFC 5322 atext, with RFC 6532's UTF-8. */
static int
addr_is_atext(unsigned char c)
{
	return c > 0x20 && c != 0x7f && c != '.' && !addr_is_special(c);
}

/* ---- addr_check ---- */

static const char *
addr_check_local(const char *a, size_t llen, char *r, size_t rsz)
{
	size_t	 i;
	int	 inq = 0;

	if (llen == 0 || (llen == 2 && a[0] == '"' && a[1] == '"'))
		return "empty local part";
	if (llen > ADDR_LOCAL_MAX)
		return "local part longer than " ADDR_STR(ADDR_LOCAL_MAX) " bytes";
	for (i = 0; i < llen; i++) {
		if (inq) {
			if (a[i] == '\\')
				i++;
			else if (a[i] == '"' && i + 1 != llen)
				return "invalid quoting in local part";
			else if (a[i] == '"')
				inq = 0;
		} else if (a[i] == '"' && i == 0)
			inq = 1;
		else if (a[i] == '"')
			return "invalid quoting in local part";
		else if (addr_is_special((unsigned char)a[i])) {
			snprintf(r, rsz, "invalid character '%c' in local part",
			    a[i]);
			return r;
		}
	}
	return NULL;
}

static const char *
addr_check_domain(const char *d, char *r, size_t rsz)
{
	size_t	 dlen, i;

	dlen = strlen(d);
	if (dlen == 0)
		return "empty domain";
	if (dlen > ADDR_DOMAIN_MAX)
		return "domain longer than " ADDR_STR(ADDR_DOMAIN_MAX) " bytes";
	if (d[0] == '[') {
		if (dlen < 3 || d[dlen - 1] != ']' ||
		    strcspn(d + 1, "[]\\") != dlen - 2)
			return "invalid domain literal";
		return NULL;
	}
	for (i = 0; i < dlen; i++) {
		if (d[i] == '.' && (i == 0 || d[i + 1] == '\0' ||
		    d[i + 1] == '.'))
			return "empty label in domain";
		if (addr_is_special((unsigned char)d[i])) {
			snprintf(r, rsz, "invalid character '%c' in domain",
			    d[i]);
			return r;
		}
	}
	return NULL;
}

/*
 * RFC 6532 allows UTF-8, not any byte: a sequence that is not valid
 * UTF-8, or a C1 or bidi control (U+009B is CSI to a terminal that shows
 * the address, U+202E reverses it), is refused like an ASCII control.
 */
static const char *
addr_check_utf8(const char *a, size_t len)
{
	const unsigned char	*s = (const unsigned char *)a;
	size_t			 i = 0, n;
	uint32_t		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = text_utf8(s + i, len - i, &cp);
		if (n == 0)
			return "invalid UTF-8 in address";
		if (text_cp_unsafe(cp))
			return "control character in address";
		i += n;
	}
	return NULL;
}

/*
 * The checks that keep the SMTP dialogue intact come first (controls,
 * spaces, angle brackets), so that an injection attempt is named as such
 * rather than as whatever structural fault it also has.
 */
static const char *
addr_check_reason(const char *a, char *r, size_t rsz)
{
	const char	*d, *reason;
	size_t		 len, i;
	int		 inq = 0;

	len = strlen(a);
	if (len == 0)
		return "empty address";
	for (i = 0; i < len; i++)
		if (addr_is_ctl((unsigned char)a[i]))
			return "control character in address";
	reason = addr_check_utf8(a, len);
	if (reason != NULL)
		return reason;
	for (i = 0; i < len; i++) {
		if (inq) {
			if (a[i] == '\\' && a[i + 1] != '\0')
				i++;
			else if (a[i] == '"')
				inq = 0;
		} else if (a[i] == '"')
			inq = 1;
		else if (a[i] == ' ')
			return "unquoted space in address";
		else if (a[i] == '<' || a[i] == '>')
			return "'<' or '>' in address";
	}
	if (inq)
		return "unterminated quoted string";
	if (len > ADDR_MAX)
		return "address longer than " ADDR_STR(ADDR_MAX) " bytes";
	d = addr_domain(a);
	reason = addr_check_local(a, d == NULL ? len : (size_t)(d - a - 1),
	    r, rsz);
	if (reason != NULL || d == NULL)
		return reason;
	return addr_check_domain(d, r, rsz);
}

int
addr_check(const char *a, struct mh_err *err)
{
	char		 rbuf[64];
	const char	*reason;

	reason = addr_check_reason(a, rbuf, sizeof(rbuf));
	if (reason == NULL)
		return 0;
	return addr_err(err, a, strlen(a), reason);
}

const char *
addr_domain(const char *a)
{
	const char	*at = NULL;
	int		 inq = 0;

	for (; *a != '\0'; a++) {
		if (inq) {
			if (*a == '\\' && a[1] != '\0')
				a++;
			else if (*a == '"')
				inq = 0;
		} else if (*a == '"')
			inq = 1;
		else if (*a == '@')
			at = a;
	}
	return at == NULL ? NULL : at + 1;
}

int
addr_is_null(const char *s)
{
	return s == NULL || *s == '\0';
}

int
addr_null_spelled(const char *s)
{
	s += strspn(s, " \t");
	if (strncmp(s, ADDR_NULL, 2) != 0)
		return 0;
	s += 2;
	return s[strspn(s, " \t")] == '\0';
}

const char *
addr_show(const char *s)
{
	return addr_is_null(s) ? ADDR_NULL : s;
}

char *
addr_qualify(const char *a, const char *domain)
{
	if (addr_domain(a) != NULL || domain == NULL || *domain == '\0')
		return xstrdup(a);
	return xasprintf("%s@%s", a, domain);
}

/* ---- the list: duplicates found through a hash index ---- */

static unsigned char
addr_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* FNV-1a over the local part as is and the domain in lower case. */
static uint64_t
addr_hash(const char *a)
{
	const char	*d = addr_domain(a);
	uint64_t	 h = 1469598103934665603ULL;
	unsigned char	 c;

	for (; *a != '\0'; a++) {
		c = (unsigned char)*a;
		if (d != NULL && a >= d)
			c = addr_lower(c);
		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

static int
addr_same(const char *a, const char *b)
{
	const char	*da = addr_domain(a), *db = addr_domain(b);

	if (da == NULL || db == NULL)
		return da == db && strcmp(a, b) == 0;
	if (da - a != db - b || memcmp(a, b, (size_t)(da - a)) != 0)
		return 0;
	for (; *da != '\0' && *db != '\0'; da++, db++)
		if (addr_lower((unsigned char)*da) != addr_lower((unsigned char)*db))
			return 0;
	return *da == *db;
}

static void
addr_index_put(struct addr_list *l, size_t i)
{
	size_t	 mask = l->idxcap - 1, slot;

	slot = (size_t)addr_hash(l->v[i]) & mask;
	while (l->idx[slot] != 0)
		slot = (slot + 1) & mask;
	l->idx[slot] = i + 1;
}

/*
 * (Re)build the index when it is missing, too full, or out of step with
 * v[] because a caller changed the list by hand.
 */
static void
addr_index_sync(struct addr_list *l)
{
	size_t	 cap, i;

	if (l->idx != NULL && l->idxn == l->n && (l->n + 1) * 2 <= l->idxcap)
		return;
	cap = 16;
	while (cap < (l->n + 1) * 2)
		cap *= 2;
	free(l->idx);
	l->idx = xcalloc(cap, sizeof(*l->idx));
	l->idxcap = cap;
	for (i = 0; i < l->n; i++)
		addr_index_put(l, i);
	l->idxn = l->n;
}

int
addr_list_has(struct addr_list *l, const char *a)
{
	size_t	 mask, slot;

	addr_index_sync(l);
	mask = l->idxcap - 1;
	slot = (size_t)addr_hash(a) & mask;
	for (; l->idx[slot] != 0; slot = (slot + 1) & mask)
		if (addr_same(l->v[l->idx[slot] - 1], a))
			return 1;
	return 0;
}

void
addr_list_init(struct addr_list *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

int
addr_list_add(struct addr_list *l, const char *a, struct mh_err *err)
{
	if (addr_check(a, err) == -1)
		return -1;
	if (addr_list_has(l, a))
		return 0;
	if (l->max != 0 && l->n >= l->max)
		return mh_err_set(err, EX_DATAERR,
		    "too many recipients (max_recipients = %zu)", l->max);
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(a);
	/* Index the new entry in place; a rebuild doubles, so adds stay linear. */
	if (l->idx != NULL && l->idxn == l->n - 1 &&
	    (l->n + 1) * 2 <= l->idxcap) {
		addr_index_put(l, l->n - 1);
		l->idxn = l->n;
	} else
		addr_index_sync(l);
	return 0;
}

void
addr_list_free(struct addr_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->idx);
	addr_list_init(l, l->max);
}

/* ---- tokenizer ---- */

/*
 * A parse error: quote the element being parsed (from its start, or from
 * a little before the fault when the element is long) and make the
 * lookahead TOK_ERR, which every loop below stops at.
 */
static int
addr_perr(struct addr_parser *p, size_t bad, const char *reason)
{
	char	 q[TEXT_QUOTE_MAX * 4 + 16];
	size_t	 start = p->elem;
	int	 cut = 0;

	while (start < bad && start < p->len && (p->s[start] == ' ' ||
	    p->s[start] == '\t' || p->s[start] == '\r' || p->s[start] == '\n'))
		start++;
	if (bad > start + TEXT_QUOTE_MAX - 20) {
		start = bad - 40;
		cut = 1;
	}
	text_quote(q, sizeof(q), p->s + start, p->len - start);
	p->tok.type = TOK_ERR;
	return mh_err_set(p->err, EX_DATAERR, "%s%s: %s", cut ? "..." : "",
	    q, reason);
}

/* CR, LF and NUL only ever appear as folding; anything else is an attack. */
static int
addr_is_bad(unsigned char c)
{
	return c == '\0' || c == '\r' || c == '\n';
}

/* Length of folding (CRLF or LF, then WSP or the end) at pos; 0 if none. */
static size_t
addr_fold(const struct addr_parser *p, size_t pos)
{
	size_t	 n;

	if (!p->fold)
		return 0;
	if (p->s[pos] == '\r' && pos + 1 < p->len && p->s[pos + 1] == '\n')
		n = 2;
	else if (p->s[pos] == '\n')
		n = 1;
	else
		return 0;
	if (pos + n == p->len || p->s[pos + n] == ' ' || p->s[pos + n] == '\t')
		return n;
	return 0;
}

/*
 * Step over one byte of a quoted string, domain literal or comment at pos:
 * a quoted-pair, folding, or a plain byte.  -1 on CR, LF or NUL.
 */
static int
addr_step_quoted(struct addr_parser *p)
{
	size_t	 n;

	if ((n = addr_fold(p, p->pos)) > 0) {
		p->pos += n;
		return 0;
	}
	if (p->s[p->pos] == '\\' && p->pos + 1 < p->len)
		p->pos++;
	if (addr_is_bad((unsigned char)p->s[p->pos]))
		return addr_perr(p, p->pos, "control character in address");
	p->pos++;
	return 0;
}

static int
addr_skip_comment(struct addr_parser *p)
{
	size_t	 start = p->pos;
	int	 depth = 0;

	while (p->pos < p->len) {
		if (p->s[p->pos] == '(') {
			if (++depth > ADDR_COMMENT_DEPTH)
				return addr_perr(p, start,
				    "comments nested too deeply");
			p->pos++;
		} else if (p->s[p->pos] == ')') {
			p->pos++;
			if (--depth > 0)
				continue;
			if (p->cmt_len == 0) {
				p->cmt_off = start;
				p->cmt_len = p->pos - start;
			}
			return 0;
		} else if (addr_step_quoted(p) == -1)
			return -1;
	}
	return addr_perr(p, start, "unterminated comment");
}

/* Skip white space, folding and comments, noting in p->ws that some was. */
static int
addr_skip_cfws(struct addr_parser *p)
{
	size_t	 n;

	p->ws = 0;
	while (p->pos < p->len) {
		if (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
			p->pos++;
		else if ((n = addr_fold(p, p->pos)) > 0)
			p->pos += n;
		else if (p->s[p->pos] == '(') {
			if (addr_skip_comment(p) == -1)
				return -1;
		} else
			break;
		p->ws = 1;
	}
	return 0;
}

/* A quoted string or a domain literal, from its opening byte to close. */
static int
addr_lex_quoted(struct addr_parser *p, int type, char close, const char *what)
{
	size_t	 start = p->pos;

	p->pos++;
	while (p->pos < p->len && p->s[p->pos] != close) {
		if (type == TOK_DLIT && p->s[p->pos] == '[')
			return addr_perr(p, start, "invalid domain literal");
		if (addr_step_quoted(p) == -1)
			return -1;
	}
	if (p->pos >= p->len)
		return addr_perr(p, start, what);
	p->pos++;
	p->tok.type = type;
	p->tok.len = p->pos - start;
	return 0;
}

static int
addr_next(struct addr_parser *p)
{
	unsigned char	 c;

	if (p->tok.type == TOK_ERR)
		return -1;
	if (p->tok.type == ',' || p->tok.type == ';' || p->tok.type == ':') {
		p->elem = p->pos;
		p->cmt_len = 0;
	}
	if (addr_skip_cfws(p) == -1)
		return -1;
	p->tok.off = p->pos;
	p->tok.len = 1;
	if (p->pos == p->len) {
		p->tok.type = TOK_EOF;
		p->tok.len = 0;
		return 0;
	}
	c = (unsigned char)p->s[p->pos];
	if (c == '"')
		return addr_lex_quoted(p, TOK_QSTR, '"',
		    "unterminated quoted string");
	if (c == '[')
		return addr_lex_quoted(p, TOK_DLIT, ']',
		    "unterminated domain literal");
	if (strchr("<>,;:@", c) != NULL && c != '\0') {
		p->tok.type = c;
		p->pos++;
		return 0;
	}
	if (c == ')')
		return addr_perr(p, p->pos, "unbalanced ')'");
	if (c == ']' || c == '\\' || addr_is_bad(c))
		return addr_perr(p, p->pos, addr_is_bad(c) ?
		    "control character in address" : c == ']' ?
		    "unbalanced ']'" : "unexpected '\\'");
	while (p->pos < p->len && addr_is_atom((unsigned char)p->s[p->pos]))
		p->pos++;
	p->tok.type = TOK_ATOM;
	p->tok.len = p->pos - p->tok.off;
	return 0;
}

static void
addr_parser_init(struct addr_parser *p, const char *s, size_t len, int fold,
    struct mh_err *err)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->len = len;
	p->fold = fold;
	p->err = err;
	p->tok.type = TOK_EOF;
	addr_next(p);
}

/* ---- parser ---- */

/*
 * Look ahead, without collecting anything, at what the element starting at
 * the lookahead is: an angle address (a '<' comes first), a group (a ':'
 * before any '@'), or a plain addr-spec.  The parser is restored after.
 */
static int
addr_classify(struct addr_parser *p)
{
	struct addr_parser	 save = *p;
	int			 kind, seen_at = 0;

	for (;; addr_next(p)) {
		switch (p->tok.type) {
		case TOK_ERR:
			return ELEM_BAD;
		case '<':
			kind = ELEM_ANGLE;
			break;
		case ':':
			kind = seen_at ? ELEM_ADDR : ELEM_GROUP;
			break;
		case '@':
			seen_at = 1;
			continue;
		case ',': case ';': case '>': case TOK_EOF:
			kind = ELEM_ADDR;
			break;
		default:
			continue;
		}
		break;
	}
	*p = save;
	return kind;
}

/* obs-route ("@a.example,@b.example:") before an addr-spec: ignored. */
static int
addr_skip_route(struct addr_parser *p)
{
	while (p->tok.type == '@' || p->tok.type == ',') {
		if (p->tok.type == ',') {
			addr_next(p);
			continue;
		}
		addr_next(p);
		if (p->tok.type != TOK_ATOM && p->tok.type != TOK_DLIT)
			break;
		addr_next(p);
	}
	if (p->tok.type == TOK_ERR)
		return -1;
	if (p->tok.type != ':')
		return addr_perr(p, p->tok.off, "invalid route in address");
	return addr_next(p);
}

/*
 * Append a word token: folding is removed (RFC 5322 unfolding keeps the
 * WSP), and so is white space inside a domain literal, which is not part
 * of it (RFC 5322 3.4.1 allows FWS there).
 */
static int
addr_add_token(struct addr_parser *p, struct buf *b)
{
	const char	*t = p->s + p->tok.off;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < p->tok.len && rc == 0; i++) {
		if (b->len > ADDR_MAX)
			return -1;
		if (t[i] == '\r' || t[i] == '\n')
			continue;
		if (p->tok.type == TOK_DLIT && (t[i] == ' ' || t[i] == '\t'))
			continue;
		if (t[i] == '\\' && i + 1 < p->tok.len)
			rc = buf_addc(b, t[i++]);
		if (rc == 0)
			rc = buf_addc(b, t[i]);
	}
	return rc;
}

/*
 * Collect an addr-spec up to its end (',' ';' or the end; '>' in an angle
 * address).  White space between two words becomes one space, so that
 * addr_check() can refuse "john doe@x" as what it is; around '.' and '@'
 * it vanishes, as obs-local-part and obs-domain allow.
 */
static int
addr_collect(struct addr_parser *p, struct buf *b, int angle)
{
	int	 word = 0, rc = 0;

	for (; rc == 0 && b->len <= ADDR_MAX; addr_next(p)) {
		switch (p->tok.type) {
		case TOK_ERR:
			return -1;
		case TOK_ATOM: case TOK_QSTR: case TOK_DLIT:
			if (p->ws && word && b->data[b->len - 1] != '.' &&
			    p->s[p->tok.off] != '.')
				rc = buf_addc(b, ' ');
			if (rc == 0)
				rc = addr_add_token(p, b);
			p->spec_end = p->tok.off + p->tok.len;
			word = 1;
			continue;
		case '@':
			rc = buf_addc(b, '@');
			word = 0;
			continue;
		case '>':
			if (angle)
				return 0;
			return addr_perr(p, p->tok.off, "unbalanced '>'");
		case ',': case ';': case TOK_EOF:
			if (angle)
				return addr_perr(p, p->tok.off, "missing '>'");
			return 0;
		default:
			return addr_perr(p, p->tok.off, p->tok.type == '<' ?
			    "unexpected '<'" : "unexpected ':'");
		}
	}
	p->tok.type = TOK_ERR;
	return addr_err(p->err, b->data, b->len,
	    "address longer than " ADDR_STR(ADDR_MAX) " bytes");
}

/* A dot-atom: atext runs separated by single dots. */
static int
addr_is_dot_atom(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' :
		    !addr_is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * The meaning of a local part with quoted words: quotes and quoted-pairs
 * removed.  -1 when it holds an unquoted space (left for addr_check() to
 * name) or a quote that never closes.
 */
static int
addr_unquote(const char *s, size_t len, struct buf *c)
{
	size_t	 i;
	int	 inq = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			inq = !inq;
		else if (!inq && s[i] == ' ')
			return -1;
		else {
			if (inq && s[i] == '\\' && i + 1 < len)
				i++;
			buf_addc(c, s[i]);
		}
	}
	return inq ? -1 : 0;
}

/*
 * A local part with quotes in it is rewritten in its one canonical form:
 * a dot-atom when the quotes protect nothing ("john"@x is john@x; RFC 5321
 * 4.1.2 calls the two equal), else one quoted string with only '"' and '\'
 * escaped.  The obsolete "a"."b" becomes a.b, which RFC 5321 servers
 * accept.  Equal addresses then also compare equal as strings.
 */
static void
addr_canon(struct buf *b)
{
	struct buf	 c, out;
	const char	*d;
	size_t		 llen, i;

	if (b->len == 0)
		return;
	d = addr_domain(b->data);
	llen = d == NULL ? b->len : (size_t)(d - b->data - 1);
	if (memchr(b->data, '"', llen) == NULL)
		return;
	buf_init(&c, 0);
	buf_init(&out, 0);
	buf_adds(&c, "");
	if (addr_unquote(b->data, llen, &c) == -1)
		goto done;
	if (addr_is_dot_atom(c.data, c.len))
		buf_add(&out, c.data, c.len);
	else {
		buf_addc(&out, '"');
		for (i = 0; i < c.len; i++) {
			if (c.data[i] == '"' || c.data[i] == '\\')
				buf_addc(&out, '\\');
			buf_addc(&out, c.data[i]);
		}
		buf_addc(&out, '"');
	}
	buf_add(&out, b->data + llen, b->len - llen);
	buf_reset(b);
	buf_add(b, out.data, out.len);
done:
	buf_free(&c);
	buf_free(&out);
}

/*
 * Step over a display name that addr_classify() has already scanned, and
 * over the '<' or ':' that it found after it.
 */
static int
addr_skip_past(struct addr_parser *p, int type)
{
	while (p->tok.type != type) {
		if (p->tok.type == TOK_EOF)
			return addr_perr(p, p->tok.off, "internal parser error");
		p->phrase_end = p->tok.off + p->tok.len;
		if (addr_next(p) == -1)
			return -1;
	}
	return addr_next(p);
}

/*
 * One mailbox: an angle address (display name skipped, route ignored) or a
 * plain addr-spec, collected into b ("" for "<>").
 */
static int
addr_parse_mailbox(struct addr_parser *p, int kind, struct buf *b)
{
	buf_reset(b);
	p->phrase_off = p->phrase_end = 0;
	if (kind == ELEM_ADDR)
		return addr_collect(p, b, 0);
	if (p->tok.type != '<')
		p->phrase_off = p->tok.off;
	if (addr_skip_past(p, '<') == -1)
		return -1;
	if (p->tok.type == '@' && addr_skip_route(p) == -1)
		return -1;
	if (p->tok.type != '>' && addr_collect(p, b, 1) == -1)
		return -1;
	addr_next(p);			/* the '>' */
	switch (p->tok.type) {
	case ',': case ';': case TOK_EOF:
		return 0;
	case TOK_ERR:
		return -1;
	default:
		return addr_perr(p, p->tok.off, "unexpected text after '>'");
	}
}

static int	addr_parse_elems(struct addr_parser *, struct addr_list *, int,
		    struct buf *);

/* A group: the display name and ':' are skipped, the members parsed. */
static int
addr_parse_group(struct addr_parser *p, struct addr_list *l, struct buf *b)
{
	if (addr_skip_past(p, ':') == -1)
		return -1;
	if (addr_parse_elems(p, l, 1, b) == -1)
		return -1;
	if (p->tok.type == ';')
		addr_next(p);
	return 0;
}

/*
 * The elements of a list (or of a group's member list, in_group), up to the
 * end (or the group's ';').  Empty elements are skipped.
 */
static int
addr_parse_elems(struct addr_parser *p, struct addr_list *l, int in_group,
    struct buf *b)
{
	int	 kind;

	for (;;) {
		switch (p->tok.type) {
		case TOK_ERR:
			return -1;
		case TOK_EOF:
			return 0;
		case ';':
			/* Outside a group: a separator, as Outlook writes. */
			if (in_group)
				return 0;
			/* FALLTHROUGH */
		case ',':
			addr_next(p);
			continue;
		}
		if ((kind = addr_classify(p)) == ELEM_BAD)
			return -1;
		if (kind == ELEM_GROUP) {
			if (in_group)
				return addr_perr(p, p->tok.off,
				    "group inside a group");
			if (addr_parse_group(p, l, b) == -1)
				return -1;
			continue;
		}
		if (addr_parse_mailbox(p, kind, b) == -1)
			return -1;
		if (b->len == 0)
			return addr_perr(p, p->elem, "empty address");
		addr_canon(b);
		if (p->visit != NULL)
			p->visit(p, kind, b, p->arg);
		if (addr_list_add(l, b->data, p->err) == -1)
			return -1;
	}
}

int
addr_parse_list(const char *s, size_t len, struct addr_list *l,
    struct mh_err *err)
{
	struct addr_parser	 p;
	struct buf		 b;
	int			 rc;

	buf_init(&b, 0);
	addr_parser_init(&p, s, len, 1, err);
	rc = addr_parse_elems(&p, l, 0, &b);
	buf_free(&b);
	return rc;
}

int
addr_parse_one(const char *s, char **out, struct mh_err *err)
{
	struct addr_parser	 p;
	struct buf		 b;
	size_t			 i, len = strlen(s);
	int			 kind;

	*out = NULL;
	for (i = 0; i < len; i++)
		if (addr_is_ctl((unsigned char)s[i]) && s[i] != '\t')
			return addr_err(err, s, len,
			    "control character in address");
	buf_init(&b, 0);
	addr_parser_init(&p, s, len, 0, err);
	if ((kind = addr_classify(&p)) == ELEM_BAD)
		goto fail;
	if (kind == ELEM_GROUP) {
		addr_perr(&p, p.tok.off, "a group is not one address");
		goto fail;
	}
	if (p.tok.type != TOK_EOF && addr_parse_mailbox(&p, kind, &b) == -1)
		goto fail;
	if (p.tok.type != TOK_EOF) {
		addr_perr(&p, p.tok.off, p.tok.type == ',' ?
		    "more than one address" : "unexpected ';'");
		goto fail;
	}
	addr_canon(&b);
	if (b.len > 0 && addr_check(b.data, err) == -1)
		goto fail;
	*out = xstrdup(b.len > 0 ? b.data : "");
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

/* ---- rewriting address headers ---- */

/* Parse s as an address list with visit called after each mailbox. */
static int
addr_visit_header(const char *s, size_t len,
    void (*visit)(const struct addr_parser *, int, const struct buf *,
    void *), void *arg)
{
	struct addr_parser	 p;
	struct addr_list	 l;
	struct buf		 b;
	struct mh_err		 err;
	int			 rc;

	addr_list_init(&l, 0);
	buf_init(&b, 0);
	addr_parser_init(&p, s, len, 1, &err);
	p.visit = visit;
	p.arg = arg;
	rc = addr_parse_elems(&p, &l, 0, &b);
	buf_free(&b);
	addr_list_free(&l);
	return rc;
}

struct addr_ins {
	size_t	*at;		/* where "@domain" goes, in order */
	size_t	 n;
};

static void
addr_visit_bare(const struct addr_parser *p, int kind, const struct buf *b,
    void *arg)
{
	struct addr_ins	*ins = arg;

	(void)kind;
	if (b->len == 0 || addr_domain(b->data) != NULL)
		return;
	ins->at = xreallocarray(ins->at, ins->n + 1, sizeof(*ins->at));
	ins->at[ins->n++] = p->spec_end;
}

int
addr_qualify_header(const char *s, size_t len, const char *domain,
    struct buf *out)
{
	struct addr_ins	 ins = { NULL, 0 };
	size_t		 i, from = 0;

	if (domain == NULL || *domain == '\0' ||
	    addr_visit_header(s, len, addr_visit_bare, &ins) == -1 ||
	    ins.n == 0) {
		free(ins.at);
		return 0;
	}
	for (i = 0; i < ins.n; i++) {
		buf_add(out, s + from, ins.at[i] - from);
		buf_addf(out, "@%s", domain);
		from = ins.at[i];
	}
	buf_add(out, s + from, len - from);
	free(ins.at);
	return 1;
}

struct addr_name {
	struct buf	*name;
	int		 kind;		/* ADDR_NAME_*; -1: no mailbox yet */
};

/* s[off, end) without its folding (CRLF or LF before white space). */
static void
addr_unfold(struct buf *out, const char *s, size_t off, size_t end,
    int unquote)
{
	for (; off < end; off++) {
		if (s[off] == '\r' || s[off] == '\n')
			continue;
		if (unquote && s[off] == '\\' && off + 1 < end)
			off++;
		buf_addc(out, s[off]);
	}
}

static void
addr_visit_name(const struct addr_parser *p, int kind, const struct buf *b,
    void *arg)
{
	struct addr_name	*n = arg;
	size_t			 i, j;

	(void)b;
	if (n->kind != -1)
		return;
	n->kind = ADDR_NAME_NONE;
	if (kind == ELEM_ANGLE && p->phrase_end > p->phrase_off) {
		addr_unfold(n->name, p->s, p->phrase_off, p->phrase_end, 0);
		n->kind = ADDR_NAME_PHRASE;
		return;
	}
	if (p->cmt_len < 2)
		return;
	/* The comment's text, without its parentheses and outer blanks. */
	i = p->cmt_off + 1;
	j = p->cmt_off + p->cmt_len - 1;
	while (i < j && (p->s[i] == ' ' || p->s[i] == '\t' ||
	    p->s[i] == '\r' || p->s[i] == '\n'))
		i++;
	while (j > i && (p->s[j - 1] == ' ' || p->s[j - 1] == '\t' ||
	    p->s[j - 1] == '\r' || p->s[j - 1] == '\n'))
		j--;
	if (j > i) {
		addr_unfold(n->name, p->s, i, j, 1);
		n->kind = ADDR_NAME_COMMENT;
	}
}

int
addr_header_name(const char *s, size_t len, struct buf *name)
{
	struct addr_name	 n = { name, -1 };

	if (addr_visit_header(s, len, addr_visit_name, &n) == -1 &&
	    n.kind == -1)
		return ADDR_NAME_NONE;
	return n.kind == -1 ? ADDR_NAME_NONE : n.kind;
}
