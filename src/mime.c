/* SPDX-License-Identifier: MIT */
/*
 * mime.c - the streaming MIME walker (see mime.h for what it does to
 * each region).  The message is a tree of entities: a header section,
 * then a body that is a leaf, an embedded message (another entity), or a
 * multipart (preamble, parts, epilogue).  The walker keeps only the path
 * to the current entity: the boundaries of the open multiparts.  A line
 * that starts with "--" is held (at most MIME_HOLD_MAX bytes) until it is
 * known whether it is a boundary of any open level; as in Python's email
 * parser and RFC 2046, an outer boundary also ends every inner part.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "xmem.h"

enum { MR_HEADER, MR_BODY };
/* How the lines of the current body go out. */
enum {
	MB_IDENT,	/* as they are (a long one asks for a second pass) */
	MB_FOLD,	/* over 998: CRLF SP inserted */
	MB_B64,		/* over 76: cut at 76 */
	MB_QPWRAP,	/* over 998: soft line breaks inserted */
	MB_QPENC,	/* encoded quoted-printable (second pass) */
};
enum { CTE_IDENTITY, CTE_BASE64, CTE_QP, CTE_OTHER };
/* What an entity's body is. */
enum { K_LEAF, K_MULTI, K_MESSAGE, K_OPAQUE };

#define MIME_QP_TOKEN_MAX	6	/* a soft line break and "=XX" */
#define MIME_QP_OUT		4096	/* re-encoded bytes emitted at once */

static const char mime_cte_qp[] =
    "Content-Transfer-Encoding: quoted-printable\r\n";

static int	mime_region_bytes(struct mime *, const char *, size_t,
		    struct mh_err *);
static int	mime_region_eol(struct mime *, struct mh_err *);

static int
mime_emit(struct mime *w, const char *s, size_t n, struct mh_err *err)
{
	if (n == 0)
		return 0;
	return w->opts.emit(w->opts.arg, s, n, err);
}

/* A new entity starts: its header section comes first. */
static void
mime_entity_begin(struct mime *w, int top, int in_digest)
{
	rfc5322_free(&w->hdr);
	rfc5322_init(&w->hdr, w->opts.header_max);
	buf_reset(&w->hdrout);
	w->region = MR_HEADER;
	w->top = top;
	w->in_digest = in_digest;
	w->type[0] = '\0';
	w->boundary[0] = '\0';
	w->cte = -1;
}

void
mime_init(struct mime *w, const struct mime_opts *opts)
{
	memset(w, 0, sizeof(*w));
	w->opts = *opts;
	rfc5322_init(&w->hdr, opts->header_max);
	buf_init(&w->hdrout, 0);
	w->cte = -1;
	w->region = MR_BODY;
	w->body = MB_IDENT;
	if (opts->whole)
		mime_entity_begin(w, 1, 0);
}

void
mime_free(struct mime *w)
{
	rfc5322_free(&w->hdr);
	buf_free(&w->hdrout);
}

int
mime_need_recode(const struct mime *w)
{
	return w->need_recode;
}

/* ---- header fields ---- */

static int
mime_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2045 token characters. */
static int
mime_tchar(char c)
{
	return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f &&
	    strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Skip white space, folding and (unnested) comments. */
static size_t
mime_skip(const char *v, size_t n, size_t i)
{
	for (;;) {
		while (i < n && mime_wsp(v[i]))
			i++;
		if (i >= n || v[i] != '(')
			return i;
		while (i < n && v[i] != ')')
			i += v[i] == '\\' ? 2 : 1;
		i++;
	}
}

static size_t
mime_token(const char *v, size_t n, size_t i, char *out, size_t outsz)
{
	size_t	 k = 0;

	for (; i < n && mime_tchar(v[i]); i++)
		if (k + 1 < outsz)
			out[k++] = (char)((v[i] >= 'A' && v[i] <= 'Z') ?
			    v[i] - 'A' + 'a' : v[i]);
	out[k] = '\0';
	return i;
}

/* A parameter value: a quoted-string (unquoted) or a token (as is). */
static size_t
mime_param_value(const char *v, size_t n, size_t i, char *out, size_t outsz,
    int *toolong)
{
	size_t	 k = 0;
	int	 q = i < n && v[i] == '"';

	*toolong = 0;
	for (i += q; i < n; i++) {
		if (q && v[i] == '"') {
			i++;
			break;
		}
		if (!q && (!mime_tchar(v[i]) || v[i] == '"'))
			break;
		if (q && (v[i] == '\r' || v[i] == '\n'))
			continue;
		if (q && v[i] == '\\' && i + 1 < n)
			i++;
		if (k + 1 < outsz)
			out[k++] = v[i];
		else
			*toolong = 1;
	}
	/* Python's get_boundary() drops trailing white space too. */
	while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == '\t'))
		k--;
	out[k] = '\0';
	return i;
}

/* Content-Type: "type/subtype" in lower case, and the boundary. */
static void
mime_content_type(struct mime *w, const char *v, size_t n)
{
	char	 t[16], s[64], name[32], val[MIME_BOUNDARY_MAX + 1];
	size_t	 i;
	int	 toolong;

	i = mime_token(v, n, mime_skip(v, n, 0), t, sizeof(t));
	i = mime_skip(v, n, i);
	if (t[0] == '\0' || i >= n || v[i] != '/')
		return;			/* unusable: the default applies */
	i = mime_token(v, n, mime_skip(v, n, i + 1), s, sizeof(s));
	if (s[0] == '\0')
		return;
	snprintf(w->type, sizeof(w->type), "%s/%s", t, s);
	while ((i = mime_skip(v, n, i)) < n) {
		if (v[i] != ';') {
			i++;
			continue;
		}
		i = mime_token(v, n, mime_skip(v, n, i + 1), name,
		    sizeof(name));
		i = mime_skip(v, n, i);
		if (i >= n || v[i] != '=')
			continue;
		i = mime_param_value(v, n, mime_skip(v, n, i + 1), val,
		    sizeof(val), &toolong);
		if (strcmp(name, "boundary") == 0 && w->boundary[0] == '\0')
			snprintf(w->boundary, sizeof(w->boundary), "%s",
			    toolong ? "" : val);
	}
}

static void
mime_cte(struct mime *w, const char *v, size_t n)
{
	char	 t[32];

	mime_token(v, n, mime_skip(v, n, 0), t, sizeof(t));
	if (t[0] == '\0' || strcmp(t, "7bit") == 0 ||
	    strcmp(t, "8bit") == 0 || strcmp(t, "binary") == 0)
		w->cte = CTE_IDENTITY;
	else if (strcmp(t, "base64") == 0)
		w->cte = CTE_BASE64;
	else if (strcmp(t, "quoted-printable") == 0)
		w->cte = CTE_QP;
	else
		w->cte = CTE_OTHER;
}

/* Does field f (name up to ':') have this name? */
static int
mime_field_is(const char *f, size_t len, const char *name)
{
	size_t	 n = strlen(name), i;

	if (len <= n || strncasecmp(f, name, n) != 0)
		return 0;
	for (i = n; i < len && (f[i] == ' ' || f[i] == '\t'); i++)
		;
	return i < len && f[i] == ':';
}

/* The first Content-Type and CTE count, as in Python's email package. */
static void
mime_note(struct mime *w, const char *f, size_t len)
{
	const char	*c = memchr(f, ':', len);
	size_t		 off;

	if (c == NULL)
		return;
	off = (size_t)(c - f) + 1;
	if (mime_field_is(f, len, "Content-Type") && w->type[0] == '\0')
		mime_content_type(w, f + off, len - off);
	else if (mime_field_is(f, len, "Content-Transfer-Encoding") &&
	    w->cte == -1)
		mime_cte(w, f + off, len - off);
	else if (w->top && mime_field_is(f, len, "MIME-Version"))
		w->has_version = 1;
}

/* ---- folding header lines ---- */

static int
mime_has_text(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 1;
	return 0;
}

/* One physical line (no CRLF) over the limit: fold before white space. */
static int
mime_fold_line(struct buf *out, const char *f, size_t flen, const char *s,
    size_t n, struct mh_err *err)
{
	size_t	 start = 0, i, cut, name;

	while (n - start > MIME_LINE_MAX) {
		cut = 0;
		for (i = start + MIME_LINE_MAX; i > start; i--)
			if ((s[i] == ' ' || s[i] == '\t') &&
			    mime_has_text(s + start, i - start)) {
				cut = i;
				break;
			}
		if (cut == 0) {
			for (name = 0; name < flen && name < 64 &&
			    f[name] != ':' && f[name] != ' '; name++)
				;
			return mh_err_set(err, EX_DATAERR, "%.*s header: a "
			    "line of %zu octets has no white space to fold "
			    "it at (lines may have at most %d)", (int)name, f,
			    n, MIME_LINE_MAX);
		}
		buf_add(out, s + start, cut - start);
		buf_add(out, "\r\n", 2);
		start = cut;
	}
	buf_add(out, s + start, n - start);
	return buf_add(out, "\r\n", 2);
}

int
mime_fold_field(struct buf *out, const char *f, size_t len,
    struct mh_err *err)
{
	const char	*p = f, *end = f + len, *nl;
	size_t		 n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > MIME_LINE_MAX) {
			if (mime_fold_line(out, f, len, p, n, err) == -1)
				return -1;
		} else {
			buf_add(out, p, n);
			buf_add(out, "\r\n", 2);
		}
		p = nl == NULL ? end : nl + 1;
	}
	return 0;
}

/* ---- the end of a header section ---- */

static int
mime_kind(const struct mime *w)
{
	const char	*t = w->type;

	if (t[0] == '\0')
		t = w->in_digest ? "message/rfc822" : "text/plain";
	if (strncmp(t, "multipart/", 10) == 0)
		return w->boundary[0] != '\0' && w->depth < MIME_DEPTH_MAX ?
		    K_MULTI : K_OPAQUE;
	if (strcmp(t, "message/delivery-status") == 0)
		return K_OPAQUE;
	if (strncmp(t, "message/", 8) == 0 && w->cte <= CTE_IDENTITY)
		return K_MESSAGE;
	return K_LEAF;
}

/* The header in hdrout, with a re-encoded leaf's CTE replaced. */
static int
mime_emit_header(struct mime *w, int recode, struct mh_err *err)
{
	const char	*p = w->hdrout.data, *end, *f, *nl;
	int		 version, done = 0;

	version = w->top && w->opts.whole && !w->has_version;
	if (!recode && !version)
		return mime_emit(w, p, w->hdrout.len, err);
	end = p + w->hdrout.len;
	while (p < end) {
		/* A field: its first line and the lines that continue it. */
		f = p;
		do {
			nl = memchr(p, '\n', (size_t)(end - p));
			p = nl == NULL ? end : nl + 1;
		} while (p < end && (*p == ' ' || *p == '\t'));
		if (recode && mime_field_is(f, (size_t)(p - f),
		    "Content-Transfer-Encoding")) {
			if (!done && mime_emit(w, mime_cte_qp,
			    sizeof(mime_cte_qp) - 1, err) == -1)
				return -1;
			done = 1;
			continue;
		}
		if (mime_emit(w, f, (size_t)(p - f), err) == -1)
			return -1;
	}
	if (recode && !done && mime_emit(w, mime_cte_qp,
	    sizeof(mime_cte_qp) - 1, err) == -1)
		return -1;
	if (version)
		return mime_emit(w, "MIME-Version: 1.0\r\n", 19, err);
	return 0;
}

/*
 * Second pass: does the leaf whose header just ended have a long line?
 * rest is the first body line when the header ended without a blank line.
 */
static int
mime_ask_ahead(struct mime *w, enum rfc5322_end how, size_t rest_len,
    int rest_eol, struct mh_err *err)
{
	if (w->opts.ahead == NULL || how == RFC5322_END_EOF)
		return 0;
	if (how == RFC5322_END_BODY && rest_len > MIME_LINE_MAX)
		return 1;
	if (how == RFC5322_END_BODY && !rest_eol)
		return w->opts.ahead(w->opts.arg, w, rest_len, err);
	return w->opts.ahead(w->opts.arg, w, 0, err);
}

/*
 * The header section ended (how); emit it (unless it is the top-level one
 * of the first pass, which message.c wrote) and set up the body.
 */
static int
mime_header_end(struct mime *w, enum rfc5322_end how, size_t rest_len,
    int rest_eol, int emit, struct mh_err *err)
{
	struct mime_level	*l;
	int			 kind = mime_kind(w), recode = 0, r;

	if (kind == K_LEAF && w->cte <= CTE_IDENTITY) {
		if ((r = mime_ask_ahead(w, how, rest_len, rest_eol,
		    err)) == -1)
			return -1;
		recode = r;
	}
	if (emit && mime_emit_header(w, recode, err) == -1)
		return -1;
	if (emit && how == RFC5322_END_BLANK &&
	    mime_emit(w, "\r\n", 2, err) == -1)
		return -1;
	w->region = MR_BODY;
	w->ocol = 0;
	w->qp_pend = 0;
	w->qp_esc = 0;
	w->dot = 0;
	switch (kind) {
	case K_MULTI:
		l = &w->stack[w->depth++];
		memcpy(l->boundary, w->boundary, sizeof(l->boundary));
		l->len = strlen(l->boundary);
		l->digest = strcmp(w->type, "multipart/digest") == 0;
		w->body = MB_FOLD;		/* the preamble */
		break;
	case K_MESSAGE:
		mime_entity_begin(w, 0, 0);
		break;
	case K_OPAQUE:
		w->body = MB_FOLD;
		break;
	default:
		if (recode)
			w->nrecoded++;
		w->body = recode ? MB_QPENC : w->cte <= CTE_IDENTITY ?
		    MB_IDENT : w->cte == CTE_BASE64 ? MB_B64 :
		    w->cte == CTE_QP ? MB_QPWRAP : MB_FOLD;
		break;
	}
	return 0;
}

void
mime_top_field(struct mime *w, const char *f, size_t len)
{
	w->top = 1;
	mime_note(w, f, len);
}

int
mime_top_end(struct mime *w, struct mh_err *err)
{
	w->top = 1;
	return mime_header_end(w, RFC5322_END_BLANK, 0, 1, 0, err);
}

/* Fields and the end of a header section the walker reads itself. */
static int
mime_header_drain(struct mime *w, struct mh_err *err)
{
	struct rfc5322	*p = &w->hdr;
	struct buf	 rest;
	int		 ev, rc, eol;

	while ((ev = rfc5322_next(p)) > 0) {
		if (ev == RFC5322_FIELD) {
			mime_note(w, p->field.data, p->field.len);
			if (mime_fold_field(&w->hdrout, p->field.data,
			    p->field.len, err) == -1)
				return -1;
			continue;
		}
		if (p->end != RFC5322_END_BODY)
			return mime_header_end(w, p->end, 0, 0, 1, err);
		/*
		 * The line that ended the section is the body's first; copy
		 * it out, since an embedded message restarts the parser.
		 */
		buf_init(&rest, 0);
		buf_add(&rest, p->rest, p->rest_len);
		eol = p->rest_eol;
		rc = mime_header_end(w, RFC5322_END_BODY, rest.len, eol, 1,
		    err);
		if (rc == 0)
			rc = mime_region_bytes(w, rest.data, rest.len, err);
		if (rc == 0 && eol)
			rc = mime_region_eol(w, err);
		buf_free(&rest);
		return rc;
	}
	return 0;
}

/* ---- body lines ---- */

/* Legacy: a line over 998 octets is continued on a line starting SP. */
static int
mime_fold_bytes(struct mime *w, const char *s, size_t n, struct mh_err *err)
{
	size_t	 take;

	while (n > 0) {
		if (w->ocol >= MIME_LINE_MAX) {
			if (mime_emit(w, "\r\n ", 3, err) == -1)
				return -1;
			w->ocol = 1;
		}
		take = MIME_LINE_MAX - w->ocol;
		if (take > n)
			take = n;
		if (mime_emit(w, s, take, err) == -1)
			return -1;
		w->ocol += take;
		s += take;
		n -= take;
	}
	return 0;
}

/*
 * Base64 and existing quoted-printable: brk is inserted where the line
 * grows past width, never inside a quoted-printable "=XX".  No break is
 * put before a "." that ends the line: a line that is "." alone ends SMTP
 * data (libcurl would stuff it; still, none of ours makes one), so such a
 * dot waits for the next byte, and stays on its line if none comes.
 */
static int
mime_wrap_bytes(struct mime *w, const char *s, size_t n, size_t width,
    const char *brk, size_t brklen, struct mh_err *err)
{
	size_t	 i, run = 0;

	for (i = 0; i < n; i++) {
		if (w->dot) {
			if (mime_emit(w, brk, brklen, err) == -1 ||
			    mime_emit(w, ".", 1, err) == -1)
				return -1;
			w->ocol = 1;
			w->dot = 0;
		}
		/*
		 * Never past 998 octets, even in a malformed quoted-printable
		 * line where every byte looks like part of an "=XX".
		 */
		if (w->ocol >= width && (w->qp_esc == 0 ||
		    w->ocol + brklen >= MIME_LINE_MAX)) {
			if (mime_emit(w, s + i - run, run, err) == -1)
				return -1;
			run = 0;
			if (s[i] == '.') {
				w->dot = 1;
				continue;
			}
			if (mime_emit(w, brk, brklen, err) == -1)
				return -1;
			w->ocol = 0;
		}
		/* An "=" inside an escape does not start one ("b=b=b=..."). */
		if (s[i] == '=' && w->body == MB_QPWRAP && w->qp_esc == 0)
			w->qp_esc = 2;
		else if (w->qp_esc > 0)
			w->qp_esc--;
		run++;
		w->ocol++;
	}
	return mime_emit(w, s + n - run, run, err);
}

/*
 * One quoted-printable token into t (at least MIME_QP_TOKEN_MAX bytes),
 * after a soft line break if it would not fit; returns its length.
 */
static size_t
mime_qp_token(struct mime *w, unsigned char c, int literal, char *t)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0, len = literal ? 1 : 3;

	if (w->ocol + len > MIME_ENC_LINE - 1) {
		memcpy(t, "=\r\n", 3);
		n = 3;
		w->ocol = 0;
	}
	/*
	 * A line that starts "--" could pass for a boundary, one that is "."
	 * for the end of SMTP data: encoded, neither is.
	 */
	if (w->ocol == 0 && (c == '-' || c == '.'))
		literal = 0, len = 3;
	if (literal)
		t[n++] = (char)c;
	else {
		t[n++] = '=';
		t[n++] = hex[c >> 4];
		t[n++] = hex[c & 15];
	}
	w->ocol += len;
	return n;
}

/*
 * Re-encoding: printable ASCII stays, white space only inside a line.
 * The tokens are gathered in out and emitted a few KB at a time (one
 * emit per byte was three quarters of the time of a 1 GiB message).
 */
static int
mime_qpenc_bytes(struct mime *w, const char *s, size_t n, struct mh_err *err)
{
	char		 out[MIME_QP_OUT];
	unsigned char	 c;
	size_t		 i, o = 0;

	for (i = 0; i < n; i++) {
		if (o + 2 * MIME_QP_TOKEN_MAX > sizeof(out)) {
			if (mime_emit(w, out, o, err) == -1)
				return -1;
			o = 0;
		}
		c = (unsigned char)s[i];
		if (w->qp_pend != 0) {
			o += mime_qp_token(w, (unsigned char)w->qp_pend, 1,
			    out + o);
			w->qp_pend = 0;
		}
		if (c == ' ' || c == '\t') {
			w->qp_pend = c;
			continue;
		}
		o += mime_qp_token(w, c, c >= 33 && c <= 126 && c != '=',
		    out + o);
	}
	return mime_emit(w, out, o, err);
}

static int
mime_body_bytes(struct mime *w, const char *s, size_t n, struct mh_err *err)
{
	switch (w->body) {
	case MB_IDENT:
		if (w->col > MIME_LINE_MAX)
			w->need_recode = 1;
		w->ocol += n;
		return mime_emit(w, s, n, err);
	case MB_B64:
		return mime_wrap_bytes(w, s, n, MIME_ENC_LINE, "\r\n", 2, err);
	case MB_QPWRAP:
		return mime_wrap_bytes(w, s, n, MIME_LINE_MAX - 8, "=\r\n", 3,
		    err);
	case MB_QPENC:
		return mime_qpenc_bytes(w, s, n, err);
	default:
		return mime_fold_bytes(w, s, n, err);
	}
}

static int
mime_body_eol(struct mime *w, struct mh_err *err)
{
	char	 t[MIME_QP_TOKEN_MAX];

	if (w->body == MB_QPENC && w->qp_pend != 0) {
		/* White space at the end of a line is encoded (RFC 2045). */
		if (mime_emit(w, t, mime_qp_token(w,
		    (unsigned char)w->qp_pend, 0, t), err) == -1)
			return -1;
		w->qp_pend = 0;
	}
	if (w->dot && mime_emit(w, ".", 1, err) == -1)
		return -1;
	w->dot = 0;
	w->ocol = 0;
	w->qp_esc = 0;
	return mime_emit(w, "\r\n", 2, err);
}

/* ---- lines ---- */

static int
mime_region_bytes(struct mime *w, const char *s, size_t n,
    struct mh_err *err)
{
	if (n == 0)
		return 0;
	if (w->region == MR_BODY)
		return mime_body_bytes(w, s, n, err);
	if (rfc5322_push(&w->hdr, s, n, 0) == -1)
		return mh_err_set(err, EX_DATAERR, "a MIME part's header "
		    "section exceeds max_header_size");
	return mime_header_drain(w, err);
}

static int
mime_region_eol(struct mime *w, struct mh_err *err)
{
	if (w->region == MR_BODY)
		return mime_body_eol(w, err);
	if (rfc5322_push(&w->hdr, "", 0, 1) == -1)
		return mh_err_set(err, EX_DATAERR, "a MIME part's header "
		    "section exceeds max_header_size");
	return mime_header_drain(w, err);
}

int
mime_boundary_level(const struct mime *w, const char *s, size_t n)
{
	const struct mime_level	*l;
	size_t			 i;
	int			 k;

	if (n < 2 || s[0] != '-' || s[1] != '-')
		return -1;
	for (k = w->depth - 1; k >= 0; k--) {
		l = &w->stack[k];
		if (n < 2 + l->len || memcmp(s + 2, l->boundary, l->len) != 0)
			continue;
		i = 2 + l->len;
		if (i + 1 < n && s[i] == '-' && s[i + 1] == '-')
			i += 2;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			return k;
	}
	return -1;
}

/*
 * A delimiter of level k: whatever was open inside it ends (a header
 * still being read ends as at EOF), the line goes out as it is, and a
 * part's header or the level's epilogue follows.
 */
static int
mime_delimiter(struct mime *w, int k, struct mh_err *err)
{
	const struct mime_level	*l = &w->stack[k];
	int			 close;

	close = w->nheld >= 4 + l->len && w->held[2 + l->len] == '-' &&
	    w->held[3 + l->len] == '-';
	if (w->region == MR_HEADER) {
		rfc5322_finish(&w->hdr);
		if (mime_header_drain(w, err) == -1)
			return -1;
	}
	if (mime_emit(w, w->held, w->nheld, err) == -1 ||
	    mime_emit(w, "\r\n", 2, err) == -1)
		return -1;
	w->depth = k + 1;
	w->ocol = 0;
	if (close) {
		w->depth = k;
		w->region = MR_BODY;
		w->body = MB_FOLD;		/* the epilogue */
		return 0;
	}
	mime_entity_begin(w, 0, l->digest);
	return 0;
}

/* Held bytes that are no boundary after all. */
static int
mime_release(struct mime *w, struct mh_err *err)
{
	size_t	 n = w->nheld;

	w->holding = 0;
	w->nheld = 0;
	w->col += n;
	return mime_region_bytes(w, w->held, n, err);
}

int
mime_line(struct mime *w, const char *s, size_t n, int eol,
    struct mh_err *err)
{
	size_t	 take;
	int	 k;

	if (w->col == 0 && !w->holding && w->depth > 0 && n > 0 &&
	    s[0] == '-')
		w->holding = 1;
	if (w->holding) {
		take = MIME_HOLD_MAX - w->nheld;
		if (take > n)
			take = n;
		memcpy(w->held + w->nheld, s, take);
		w->nheld += take;
		s += take;
		n -= take;
		if (w->nheld >= 2 && w->held[1] != '-')
			k = -2;			/* not a boundary */
		else if (n > 0 || (w->nheld == MIME_HOLD_MAX && !eol))
			k = -2;			/* too long to be one */
		else if (!eol)
			return 0;		/* cannot tell yet */
		else
			k = mime_boundary_level(w, w->held, w->nheld);
		if (k >= 0) {
			w->holding = 0;
			w->col = 0;
			if (mime_delimiter(w, k, err) == -1)
				return -1;
			w->nheld = 0;
			return 0;
		}
		if (mime_release(w, err) == -1)
			return -1;
	}
	w->col += n;
	if (n > 0 && mime_region_bytes(w, s, n, err) == -1)
		return -1;
	if (!eol)
		return 0;
	w->col = 0;
	return mime_region_eol(w, err);
}

int
mime_finish(struct mime *w, struct mh_err *err)
{
	if (w->holding && mime_release(w, err) == -1)
		return -1;
	if (w->region != MR_HEADER)
		return 0;
	rfc5322_finish(&w->hdr);
	return mime_header_drain(w, err);
}
