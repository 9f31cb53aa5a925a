/* SPDX-License-Identifier: MIT */
/*
 * message.c - from the caller's bytes to the queued message.  Input is
 * split into lines on LF, CRLF, or in the body a bare CR (a CR at the end
 * of one read and an LF at the start of the next are still one line
 * ending); in the header section a bare CR is a space (SPEC 4).  Every
 * line leaves as CRLF, so no bare CR or LF can reach the wire.  Header
 * fields go through rfc5322.c one at a time; the body is copied through a
 * fixed write buffer, so memory does not grow with the message.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fsio.h"
#include "message.h"
#include "text.h"
#include "timefmt.h"
#include "xmem.h"

#define MSG_WBUF	(64 * 1024)	/* write buffer towards outfd */
#define MSG_RBUF	(64 * 1024)	/* read buffer in message_read_fd */
#define MSG_WRITEBACK	(4 * 1024 * 1024) /* start write-back every 4 MiB */
#define PHRASE_LINE	78	/* RFC 5322 2.1.1: lines SHOULD fit in 78 */
#define PHRASE_EW_LINE	76	/* RFC 2047 2: a line with encoded-words */
#define PHRASE_EW_OVER	7	/* "=?", "?B?" and "?=" around the charset */
#define PHRASE_WORD_MAX	70	/* a longer word goes out encoded */

static int	message_mime_emit(void *, const char *, size_t,
		    struct mh_err *);


/* "64M", "1G", "512K" or a plain byte count, for the limit messages. */
void
message_fmt_size(unsigned long long n, char *out, size_t len)
{
	if (n != 0 && n % (1ULL << 30) == 0)
		snprintf(out, len, "%lluG", n >> 30);
	else if (n != 0 && n % (1ULL << 20) == 0)
		snprintf(out, len, "%lluM", n >> 20);
	else if (n != 0 && n % (1ULL << 10) == 0)
		snprintf(out, len, "%lluK", n >> 10);
	else
		snprintf(out, len, "%llu", n);
}

int
message_begin(struct message *m, const struct message_opts *opts, int outfd,
    struct mh_err *err)
{
	const struct config	*cfg = opts->cfg;
	struct mime_opts	 mo;
	size_t			 maxrcpt;

	(void)err;
	memset(m, 0, sizeof(*m));
	m->opts = opts;
	m->outfd = outfd;
	rfc5322_init(&m->hdr, (size_t)cfg->max_header_size);
	buf_init(&m->out, 0);
	memset(&mo, 0, sizeof(mo));
	mo.emit = message_mime_emit;
	mo.arg = m;
	mo.header_max = (size_t)cfg->max_header_size;
	mime_init(&m->mime, &mo);
	maxrcpt = cfg->max_recipients > 0 ? (size_t)cfg->max_recipients : 0;
	addr_list_init(&m->rcpts, maxrcpt);
	addr_list_init(&m->resent_rcpts, maxrcpt);
	return 0;
}

void
message_free(struct message *m)
{
	rfc5322_free(&m->hdr);
	mime_free(&m->mime);
	buf_free(&m->out);
	addr_list_free(&m->rcpts);
	addr_list_free(&m->resent_rcpts);
}

static int
message_flush(struct message *m, struct mh_err *err)
{
	size_t	 off = 0;
	ssize_t	 w;

	while (off < m->out.len) {
		w = write(m->outfd, m->out.data + off, m->out.len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return mh_err_errno(err, EX_TEMPFAIL,
			    "cannot write the queued message");
		off += (size_t)w;
	}
	m->written += off;
	buf_reset(&m->out);
	/*
	 * A large message: its pages go to the disk while we read on, so
	 * that the commit's fsync has little left to wait for.
	 */
	if (m->written - m->wb_from >= MSG_WRITEBACK) {
		fsio_writeback(m->outfd, (off_t)m->wb_from,
		    (off_t)(m->written - m->wb_from));
		m->wb_from = m->written;
	}
	return 0;
}

/* Every byte of the queued message passes here: max_size is counted. */
static int
message_emit(struct message *m, const char *s, size_t n, struct mh_err *err)
{
	unsigned long long	 max = m->opts->cfg->max_size;
	char			 lim[32];

	m->size += n;
	if (max != 0 && m->size > max) {
		message_fmt_size(max, lim, sizeof(lim));
		mh_err_set(err, EX_DATAERR, "message exceeds max_size (%s)",
		    lim);
		return mh_err_because(err, MH_REASON_MAX_SIZE);
	}
	buf_add(&m->out, s, n);
	if (m->out.len >= MSG_WBUF)
		return message_flush(m, err);
	return 0;
}

/*
 * A header field (folded, with its CRLF) on its way out: every line over
 * 998 octets folded at white space (SPEC §11), and the walker told of it.
 */
static int
message_field(struct message *m, const char *f, size_t len,
    struct mh_err *err)
{
	struct buf	 b;
	int		 rc;

	mime_top_field(&m->mime, f, len);
	buf_init(&b, 0);
	rc = mime_fold_field(&b, f, len, err);
	if (rc == 0)
		rc = message_emit(m, b.data, b.len, err);
	buf_free(&b);
	return rc;
}

static int
message_mime_emit(void *arg, const char *s, size_t n, struct mh_err *err)
{
	return message_emit(arg, s, n, err);
}

/* The account's full name from GECOS: up to the first ',', '&' = login. */
static void
message_gecos(struct buf *b)
{
	struct passwd	*pw;
	const char	*g;

	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_gecos == NULL)
		return;
	for (g = pw->pw_gecos; *g != '\0' && *g != ','; g++) {
		if (*g != '&') {
			buf_addc(b, *g);
			continue;
		}
		if (pw->pw_name[0] >= 'a' && pw->pw_name[0] <= 'z') {
			buf_addc(b, pw->pw_name[0] - 'a' + 'A');
			buf_adds(b, pw->pw_name + 1);
		} else
			buf_adds(b, pw->pw_name);
	}
}

static void
message_b64(struct buf *b, const unsigned char *s, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)s[i] << 16 | s[i + 1] << 8 | s[i + 2];
		buf_addc(b, t[v >> 18 & 63]);
		buf_addc(b, t[v >> 12 & 63]);
		buf_addc(b, t[v >> 6 & 63]);
		buf_addc(b, t[v & 63]);
	}
	if (i < n) {
		v = (unsigned long)s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0);
		buf_addc(b, t[v >> 18 & 63]);
		buf_addc(b, t[v >> 12 & 63]);
		buf_addc(b, i + 1 < n ? t[v >> 6 & 63] : '=');
		buf_addc(b, '=');
	}
}

/* 1 if s is UTF-8 throughout (text.c's decoder). */
static int
message_is_utf8(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strlen(s), k;
	uint32_t		 cp;

	for (; n > 0; u += k, n -= k)
		if ((k = text_utf8(u, n, &cp)) == 0)
			return 0;
	return 1;
}

/*
 * RFC 2047 (2, 5(3)): encoded-words of at most 75 characters, each line
 * holding one at most 76 octets, so the first word is sized for col;
 * each holds whole UTF-8 characters (a decoder joins the words: the
 * folding white space between them is not part of the name).  A name
 * that is not UTF-8 (a Latin-1 GECOS) is labelled ISO-8859-1, where
 * every byte is a character.  Returns the column after the last word.
 */
static size_t
message_phrase_2047(struct buf *b, const char *name, size_t col)
{
	const unsigned char	*s = (const unsigned char *)name;
	const char		*cs = "UTF-8";
	size_t			 n = strlen(name), take, room, over;
	int			 utf8 = message_is_utf8(name);

	if (!utf8)
		cs = "ISO-8859-1";
	over = strlen(cs) + PHRASE_EW_OVER;
	while (n > 0) {
		room = col + over + 8 > PHRASE_EW_LINE ? 0 :
		    (PHRASE_EW_LINE - col - over) / 4 * 3;
		if (room == 0) {
			buf_adds(b, "\r\n ");
			col = 1;
			continue;
		}
		take = n > room ? room : n;
		while (utf8 && take < n && take > 1 &&
		    (s[take] & 0xc0) == 0x80)
			take--;
		buf_addf(b, "=?%s?B?", cs);
		message_b64(b, s, take);
		buf_adds(b, "?=");
		col += over + (take + 2) / 3 * 4;
		s += take;
		n -= take;
		if (n > 0) {
			buf_adds(b, "\r\n ");
			col = 1;
		}
	}
	return col;
}

/*
 * How a name can go out: 0 as atoms, 1 as a quoted-string, 2 only as
 * encoded-words (a control or non-ASCII byte, or a word too long for a
 * line of 78).
 */
static int
message_phrase_form(const char *name)
{
	const unsigned char	*s;
	size_t			 word = 0;
	int			 form = 0;

	for (s = (const unsigned char *)name; *s != '\0'; s++) {
		if (*s < 0x20 || *s >= 0x7f)
			return 2;
		word = *s == ' ' ? 0 : word + 1 + (*s == '"' || *s == '\\');
		if (word > PHRASE_WORD_MAX)
			return 2;
		if (!(*s == ' ' || (*s >= '0' && *s <= '9') ||
		    ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') ||
		    strchr("!#$%&'*+-/=?^_`{|}~", *s) != NULL))
			form = 1;
	}
	if (name[0] == ' ' || (name[0] != '\0' && s[-1] == ' '))
		form = 1;
	return form;
}

/* Octets of the word at s (up to a space), escapes counted. */
static size_t
message_phrase_word(const char *s, int quoted)
{
	size_t	 n = 0;

	for (; *s != '\0' && *s != ' '; s++)
		n += 1 + (quoted && (*s == '"' || *s == '\\'));
	return n + (quoted && *s == '\0');
}

/*
 * A display name as atoms, a quoted-string (specials, outer blanks) or
 * RFC 2047 encoded-words, starting at column col; atoms and quoted
 * strings are folded before a space to keep lines within 78 octets.
 * Returns the column after it.
 */
size_t
message_phrase(struct buf *b, const char *name, size_t col)
{
	int		 form = message_phrase_form(name);
	const char	*s;

	if (form == 2)
		return message_phrase_2047(b, name, col);
	if (form == 1) {
		buf_addc(b, '"');
		col++;
	}
	for (s = name; *s != '\0'; s++) {
		if (*s == ' ' && col > 1 &&
		    col + 1 + message_phrase_word(s + 1, form) > PHRASE_LINE) {
			buf_adds(b, "\r\n");
			col = 0;
		}
		if (form == 1 && (*s == '"' || *s == '\\')) {
			buf_addc(b, '\\');
			col++;
		}
		buf_addc(b, *s);
		col++;
	}
	if (form == 1) {
		buf_addc(b, '"');
		col++;
	}
	return col;
}

static const char *
message_domain(const struct message *m)
{
	const char	*d = conf_domain(m->opts->cfg);

	return d != NULL && *d != '\0' ? d : "localhost";
}

/* "From: Name <sender>\r\n"; the null sender shows as MAILER-DAEMON. */
static void
message_from(const struct message *m, struct buf *b, const char *orig,
    size_t origlen)
{
	const char	*sender = m->opts->sender;
	struct buf	 name;
	size_t		 col;
	int		 kind = ADDR_NAME_NONE;

	buf_adds(b, "From: ");
	if (addr_is_null(sender)) {
		buf_addf(b, "MAILER-DAEMON@%s\r\n", message_domain(m));
		return;
	}
	buf_init(&name, 0);
	/* force_from: the name the caller wrote wins over -F and GECOS. */
	if (orig != NULL)
		kind = addr_header_name(orig, origlen, &name);
	if (kind == ADDR_NAME_NONE) {
		buf_reset(&name);
		if (m->opts->fullname != NULL)
			buf_adds(&name, m->opts->fullname);
		else
			message_gecos(&name);
	}
	col = sizeof("From: ") - 1;
	if (kind == ADDR_NAME_PHRASE) {
		buf_add(b, name.data, name.len);
		col += name.len;
	} else if (name.len > 0)
		col = message_phrase(b, name.data, col);
	/* The address on a line of its own when the name's is full. */
	if (name.len > 0 && col + strlen(sender) + 3 > PHRASE_EW_LINE)
		buf_adds(b, "\r\n");
	if (name.len > 0)
		buf_addf(b, " <%s>\r\n", sender);
	else
		buf_addf(b, "%s\r\n", sender);
	buf_free(&name);
}

/* "<20261125001950.4242.9f86d081884c7d65@example.com>" */
static void
message_msgid(const struct message *m, struct buf *b)
{
	unsigned char	 r[8];
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[32];
	size_t		 i;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* No entropy yet (early boot): time and pid still differ. */
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(ts.tv_nsec >> (i * 4));
	}
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y%m%d%H%M%S", &tm);
	buf_addf(b, "Message-ID: <%s.%ld.", t, (long)getpid());
	for (i = 0; i < sizeof(r); i++)
		buf_addf(b, "%02x", r[i]);
	buf_addf(b, "@%s>\r\n", message_domain(m));
}

/* Missing From/Date/Message-ID at the end of the header section. */
static int
message_add_headers(struct message *m, struct mh_err *err)
{
	struct buf	 b;
	char		 date[TIMEFMT_MAX];
	int		 rc;

	buf_init(&b, 0);
	if (!m->has_from)
		message_from(m, &b, NULL, 0);
	if (!m->has_date && timefmt_rfc5322(time(NULL), date,
	    sizeof(date)) == 0)
		buf_addf(&b, "Date: %s\r\n", date);
	if (!m->has_msgid)
		message_msgid(m, &b);
	m->has_from = m->has_date = m->has_msgid = 1;
	rc = b.len > 0 ? message_field(m, b.data, b.len, err) : 0;
	buf_free(&b);
	return rc == 0 ? message_emit(m, "\r\n", 2, err) : -1;
}

/* The fields whose bare local names get @domain (SPEC 11). */
static int
message_addr_field(const struct rfc5322 *p)
{
	static const char *const names[] = { "From", "Sender", "Reply-To",
	    "To", "Cc", "Resent-From", "Resent-Sender", "Resent-Reply-To",
	    "Resent-To", "Resent-Cc", NULL };
	size_t	 i;

	for (i = 0; names[i] != NULL; i++)
		if (rfc5322_is(p, names[i]))
			return 1;
	return 0;
}

/*
 * Postfix qualifies the header addresses of locally submitted mail:
 * "To: root" would be scored as spam, or refused.  Only "@domain" is
 * added; aliases are for the envelope alone.
 */
static int
message_qualify(struct message *m, struct mh_err *err)
{
	const struct rfc5322	*p = &m->hdr;
	struct buf		 b;
	int			 rc;

	buf_init(&b, 0);
	buf_add(&b, p->field.data, p->value_off);
	if (addr_qualify_header(p->field.data + p->value_off,
	    p->field.len - p->value_off, conf_domain(m->opts->cfg), &b))
		rc = message_field(m, b.data, b.len, err);
	else
		rc = message_field(m, p->field.data, p->field.len, err);
	buf_free(&b);
	return rc;
}

/* -t: the addresses of a To/Cc/Bcc (or Resent-) field. */
static int
message_extract(struct message *m, struct addr_list *l, struct mh_err *err)
{
	const struct rfc5322	*p = &m->hdr;
	char			 what[MH_ERR_MSG];

	if (addr_parse_list(p->field.data + p->value_off,
	    p->field.len - p->value_off, l, err) == 0)
		return 0;
	snprintf(what, sizeof(what), "%s", err->msg);
	return mh_err_set(err, EX_DATAERR, "%.*s header: %s",
	    (int)p->name_len, p->field.data, what);
}

static int
message_on_field(struct message *m, struct mh_err *err)
{
	struct rfc5322	*p = &m->hdr;
	struct buf	 b;
	int		 rc;

	if (p->name_len > 7 && strncasecmp(p->field.data, "Resent-", 7) == 0)
		m->has_resent = 1;
	if (rfc5322_is(p, "Date"))
		m->has_date = 1;
	else if (rfc5322_is(p, "Message-ID"))
		m->has_msgid = 1;
	if (m->opts->extract) {
		if ((rfc5322_is(p, "To") || rfc5322_is(p, "Cc") ||
		    rfc5322_is(p, "Bcc")) &&
		    message_extract(m, &m->rcpts, err) == -1)
			return -1;
		if ((rfc5322_is(p, "Resent-To") || rfc5322_is(p, "Resent-Cc") ||
		    rfc5322_is(p, "Resent-Bcc")) &&
		    message_extract(m, &m->resent_rcpts, err) == -1)
			return -1;
	}
	if (rfc5322_is(p, "Bcc") || rfc5322_is(p, "Resent-Bcc"))
		return 0;
	if (rfc5322_is(p, "From")) {
		m->has_from = 1;
		if (m->opts->cfg->force_from) {
			buf_init(&b, 0);
			message_from(m, &b, p->field.data + p->value_off,
			    p->field.len - p->value_off);
			rc = message_field(m, b.data, b.len, err);
			buf_free(&b);
			return rc;
		}
	}
	if (message_addr_field(p))
		return message_qualify(m, err);
	return message_field(m, p->field.data, p->field.len, err);
}

static int
message_on_end(struct message *m, struct mh_err *err)
{
	struct rfc5322	*p = &m->hdr;

	m->in_body = 1;
	if (message_add_headers(m, err) == -1 ||
	    mime_top_end(&m->mime, err) == -1)
		return -1;
	if (p->end != RFC5322_END_BODY)
		return 0;
	return mime_line(&m->mime, p->rest, p->rest_len, p->rest_eol, err);
}

static int
message_drain(struct message *m, struct mh_err *err)
{
	int	 ev;

	while ((ev = rfc5322_next(&m->hdr)) > 0) {
		if (ev == RFC5322_FIELD && message_on_field(m, err) == -1)
			return -1;
		if (ev == RFC5322_END)
			return message_on_end(m, err);
	}
	return 0;
}

static int
message_header_limit(struct message *m, struct mh_err *err)
{
	char	 lim[32];

	message_fmt_size(m->opts->cfg->max_header_size, lim, sizeof(lim));
	return mh_err_set(err, EX_DATAERR,
	    "header section exceeds max_header_size (%s)", lim);
}

/* One piece of a line, line ending already taken off. */
static int
message_route(struct message *m, const char *s, size_t n, int eol,
    struct mh_err *err)
{
	if (m->in_body)
		return mime_line(&m->mime, s, n, eol, err);
	if (rfc5322_push(&m->hdr, s, n, eol) == -1)
		return message_header_limit(m, err);
	return message_drain(m, err);
}

/*
 * Sendmail's lone dot: a line that is exactly "." ends the input.  A "."
 * at the start of a line is held back until the next byte shows whether
 * the line goes on.
 */
static int
message_piece(struct message *m, const char *s, size_t n, int eol,
    struct mh_err *err)
{
	if (m->dot_ends && m->linelen == 0 && n > 0 && s[0] == '.' &&
	    n == 1) {
		if (eol) {
			m->done = 1;
			return 0;
		}
		m->dot_held = 1;
		m->linelen = 1;
		return 0;
	}
	if (m->dot_held) {
		if (n == 0 && eol) {
			m->done = 1;
			return 0;
		}
		if (n == 0)
			return 0;
		m->dot_held = 0;
		if (message_route(m, ".", 1, 0, err) == -1)
			return -1;
	}
	if (n == 0 && !eol)
		return 0;
	m->linelen = eol ? 0 : m->linelen + n;
	return message_route(m, s, n, eol, err);
}

/*
 * The bytes before a bare CR, and the CR (SPEC 4): in the body a line
 * ending; in the header section a space, so that "Subject: x<CR>Bcc: y"
 * stays one field and adds no header and no -t recipient.  (A headerless
 * message's first line is still taken for a header when the CR comes.)
 */
static int
message_cr(struct message *m, const char *s, size_t n, struct mh_err *err)
{
	if (m->in_body)
		return message_piece(m, s, n, 1, err);
	if (message_piece(m, s, n, 0, err) == -1)
		return -1;
	return message_piece(m, " ", 1, 0, err);
}

/*
 * The first CR or LF in s[i..n), else n.  Two memchr() calls, which
 * glibc vectorises, instead of a loop over every byte: most of the CPU
 * of queueing a large message was that loop.
 */
static size_t
message_eol(const char *s, size_t i, size_t n)
{
	const char	*lf, *cr;
	size_t		 end;

	lf = memchr(s + i, '\n', n - i);
	end = lf != NULL ? (size_t)(lf - s) : n;
	cr = memchr(s + i, '\r', end - i);
	return cr != NULL ? (size_t)(cr - s) : end;
}

int
message_line(struct message *m, const char *s, size_t n, int eol,
    struct mh_err *err)
{
	size_t	 i = 0, j;

	if (m->done)
		return 0;
	if (n > 0 && memchr(s, '\0', n) != NULL)
		return mh_err_set(err, EX_DATAERR,
		    "message contains a NUL byte");
	/* A CR that ended the last piece: an LF makes it a CRLF. */
	if (m->cr_pending && (n > 0 || eol)) {
		m->cr_pending = 0;
		if (n > 0 && s[0] == '\n') {
			if (message_piece(m, "", 0, 1, err) == -1)
				return -1;
			i = 1;
		} else if (message_cr(m, "", 0, err) == -1)
			return -1;
	}
	while (i < n && !m->done) {
		j = message_eol(s, i, n);
		if (j == n)
			return message_piece(m, s + i, n - i,
			    eol, err) == -1 ? -1 : 0;
		if (s[j] == '\r' && j + 1 == n && !eol) {
			/* CRLF or a bare CR: the next piece says which. */
			m->cr_pending = 1;
			return message_piece(m, s + i, j - i, 0, err);
		}
		if (s[j] == '\r' && (j + 1 == n || s[j + 1] != '\n')) {
			if (message_cr(m, s + i, j - i, err) == -1)
				return -1;
		} else if (message_piece(m, s + i, j - i, 1, err) == -1)
			return -1;
		if (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n')
			j++;
		i = j + 1;
	}
	if (eol && i == n && !m->done)
		return message_piece(m, "", 0, 1, err);
	return 0;
}

int
message_end(struct message *m, struct mh_err *err)
{
	struct addr_list	 tmp;

	if (m->cr_pending) {
		/* The input ended on a CR: a bare one. */
		m->cr_pending = 0;
		if (!m->done && message_cr(m, "", 0, err) == -1)
			return -1;
	}
	if (m->dot_held) {
		/* "." then EOF: still the lone dot that ends the input. */
		m->dot_held = 0;
		m->done = 1;
	}
	if (!m->in_body) {
		rfc5322_finish(&m->hdr);
		if (message_drain(m, err) == -1)
			return -1;
		if (!m->in_body && message_on_end(m, err) == -1)
			return -1;
	} else if (m->linelen > 0 && !m->done) {
		/* A last line without its line ending gets one. */
		if (mime_line(&m->mime, "", 0, 1, err) == -1)
			return -1;
	}
	m->linelen = 0;
	if (mime_finish(&m->mime, err) == -1 || message_flush(m, err) == -1)
		return -1;
	m->recode = mime_need_recode(&m->mime);
	/* -t: if any Resent- field exists, only Resent-To/Cc/Bcc count. */
	if (m->has_resent) {
		tmp = m->rcpts;
		m->rcpts = m->resent_rcpts;
		m->resent_rcpts = tmp;
	}
	return 0;
}

int
message_read_fd(struct message *m, int fd, int dot_ends, struct mh_err *err)
{
	char	*b;
	ssize_t	 n;
	int	 rc = 0;

	b = xmalloc(MSG_RBUF);
	m->dot_ends = dot_ends;
	while (!m->done) {
		n = read(fd, b, MSG_RBUF);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = mh_err_errno(err, EX_IOERR,
			    "error reading the message");
			break;
		}
		if (n == 0)
			break;
		if (message_line(m, b, (size_t)n, 0, err) == -1) {
			rc = -1;
			break;
		}
	}
	free(b);
	return rc;
}

/* ---- the second pass: re-encoding the leaves that have long lines ---- */

struct recode {
	int		 infd;
	int		 outfd;
	off_t		 next;		/* input offset after the walker's bytes */
	struct buf	 out;
	char		*scan;		/* lookahead buffer */
};

static int
recode_flush(struct recode *r, struct mh_err *err)
{
	if (fsio_write_all(r->outfd, r->out.data, r->out.len) == -1)
		return mh_err_errno(err, EX_TEMPFAIL,
		    "cannot write the queued message");
	buf_reset(&r->out);
	return 0;
}

static int
recode_emit(void *arg, const char *s, size_t n, struct mh_err *err)
{
	struct recode	*r = arg;

	buf_add(&r->out, s, n);
	return r->out.len >= MSG_WBUF ? recode_flush(r, err) : 0;
}

/*
 * mime.h's lookahead: read on from r->next to the leaf's end (a boundary
 * line of any open level, or EOF); 1 at the first line over 998 octets.
 * A line longer than MIME_HOLD_MAX is never a boundary, as in the walker.
 */
static int
recode_ahead(void *arg, const struct mime *w, size_t carry,
    struct mh_err *err)
{
	struct recode	*r = arg;
	char		 head[MIME_HOLD_MAX + 2];
	off_t		 off = r->next;
	size_t		 len = carry, nhead = 0, line;
	ssize_t		 n, i;
	int		 midline = carry > 0;

	for (;;) {
		n = pread(r->infd, r->scan, MSG_RBUF, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return mh_err_errno(err, EX_TEMPFAIL,
			    "cannot read the queued message");
		if (n == 0)
			return 0;
		for (i = 0; i < n; i++) {
			if (r->scan[i] != '\n') {
				if (nhead < sizeof(head))
					head[nhead++] = r->scan[i];
				if (++len > MIME_LINE_MAX + 1)
					return 1;
				continue;
			}
			line = len > 0 ? len - 1 : 0;	/* the CR */
			if (line > MIME_LINE_MAX)
				return 1;
			if (!midline && line <= MIME_HOLD_MAX &&
			    mime_boundary_level(w, head, line) >= 0)
				return 0;
			len = nhead = 0;
			midline = 0;
		}
		off += n;
	}
}

/* Hand the walker the lines of r->infd (all CRLF: message.c wrote it). */
static int
recode_feed(struct recode *r, struct mime *w, char *b, struct mh_err *err)
{
	const char	*p, *end, *nl;
	off_t		 off = 0;
	size_t		 k;
	ssize_t		 n;

	for (;;) {
		n = pread(r->infd, b, MSG_RBUF, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return mh_err_errno(err, EX_TEMPFAIL,
			    "cannot read the queued message");
		if (n == 0)
			return 0;
		for (p = b, end = b + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				/* A CR here is the first half of a CRLF. */
				k = (size_t)(end - p);
				if (p[k - 1] == '\r' && (k > 1 || p != b))
					k--;
				r->next = off + (p - b) + (off_t)k;
				if (k > 0 && mime_line(w, p, k, 0, err) == -1)
					return -1;
				p += k;
				break;
			}
			k = (size_t)(nl - p);
			if (k > 0 && p[k - 1] == '\r')
				k--;
			r->next = off + (nl + 1 - b);
			if (mime_line(w, p, k, 1, err) == -1)
				return -1;
		}
		off += p - b;
	}
}

int
message_recode(int infd, int outfd, struct mh_err *err)
{
	struct recode		 r;
	struct mime_opts	 o;
	struct mime		 w;
	char			*b;
	int			 rc;

	memset(&r, 0, sizeof(r));
	r.infd = infd;
	r.outfd = outfd;
	buf_init(&r.out, 0);
	r.scan = xmalloc(MSG_RBUF);
	b = xmalloc(MSG_RBUF);
	memset(&o, 0, sizeof(o));
	o.emit = recode_emit;
	o.ahead = recode_ahead;
	o.arg = &r;
	o.whole = 1;			/* header caps were applied when queued */
	mime_init(&w, &o);
	rc = recode_feed(&r, &w, b, err);
	if (rc == 0)
		rc = mime_finish(&w, err);
	if (rc == 0)
		rc = recode_flush(&r, err);
	mime_free(&w);
	buf_free(&r.out);
	free(r.scan);
	free(b);
	return rc;
}
