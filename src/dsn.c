/* SPDX-License-Identifier: MIT */
/*
 * dsn.c - the bounce message (RFC 3464 multipart/report, RFC 3462
 * delivery-status).  The small parts are built in a capped buffer; the
 * original header section is streamed from the spooled message, so a
 * bounce costs the same memory whatever the size of what bounced.
 * Everything in the generated parts that came from outside (addresses,
 * server replies) passes text_wire(), so that the parts are the US-ASCII
 * they say they are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "dsn.h"
#include "fsio.h"
#include "text.h"
#include "timefmt.h"

#define DSN_PART_MAX	(1024 * 1024)	/* cap on the generated parts */
#define DSN_LIST_MAX	(128 * 1024)	/* recipients detailed, both parts */
#define DSN_HDR_DEFAULT	(1024 * 1024)	/* header cap if config has none */
#define DSN_CHUNK	8192

struct dsn_ctx {
	const struct config	*cfg;
	const struct upstream	*up;		/* that refused; NULL: none */
	const char		*me;		/* our name: helo */
	const struct envelope	*env;
	char			 boundary[128];
	size_t			 listed;	/* failed recipients detailed */
	size_t			 more;		/* failed ones past the list */
	struct buf		 b;
};

/* "1.2.3" at s with the given class digit: its length, else 0. */
static size_t
dsn_status_len(const char *s)
{
	size_t	 i = 0, parts = 0, digits;

	if (s[0] < '2' || s[0] > '5' || s[1] != '.')
		return 0;
	i = 2;
	for (parts = 0; parts < 2; parts++) {
		for (digits = 0; s[i] >= '0' && s[i] <= '9' && digits < 3;
		    digits++)
			i++;
		if (digits == 0)
			return 0;
		if (parts == 0) {
			if (s[i] != '.')
				return 0;
			i++;
		}
	}
	/* The code must end there: "5.1.10a" is not one. */
	if (s[i] != '\0' && s[i] != ' ' && s[i] != '\t')
		return 0;
	return i;
}

void
dsn_status(const char *reply, char *out, size_t len)
{
	const char	*p = reply == NULL ? "" : reply;
	size_t		 n;

	snprintf(out, len, "5.0.0");
	if (strncmp(p, DSN_EXPIRED, strlen(DSN_EXPIRED)) == 0) {
		snprintf(out, len, "5.4.7");
		return;
	}
	/* "550 5.1.1 text" or "550-5.1.1 text" */
	if (strlen(p) < 4 || p[0] < '2' || p[0] > '5' ||
	    (p[3] != ' ' && p[3] != '-'))
		return;
	p += 4;
	n = dsn_status_len(p);
	if (n == 0 || p[0] != '5' || n >= len)
		return;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* "TEXT" of a generated part: s made ASCII (text_wire), then "after". */
static int
dsn_add_text(struct buf *b, const char *s, const char *after)
{
	size_t	 n = strlen(s);

	if (text_wire_buf(b, s, n, TEXT_SPACE) != n)
		return -1;
	return buf_adds(b, after);
}

/* Something no header line will contain by chance. */
static void
dsn_boundary(struct dsn_ctx *c)
{
	unsigned char	 r[12];
	char		 hex[sizeof(r) * 2 + 1];
	size_t		 i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long	 x = (unsigned long)time(NULL) ^
		    ((unsigned long)getpid() << 16);

		for (i = 0; i < sizeof(r); i++, x = x * 6364136223846793005UL + 1)
			r[i] = (unsigned char)(x >> 33);
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(hex + i * 2, 3, "%02x", r[i]);
	snprintf(c->boundary, sizeof(c->boundary), "=_mailhop_%s_%s",
	    c->env->id, hex);
}

static const char *
dsn_from_addr(const struct config *cfg, char *buf, size_t len)
{
	const char	*bs = cfg->bounce_sender;

	if (!addr_is_null(bs))
		snprintf(buf, len, "<%s>", bs);
	else
		snprintf(buf, len, "Mail Delivery System <MAILER-DAEMON@%s>",
		    conf_domain(cfg));
	return buf;
}

static int
dsn_add_headers(struct dsn_ctx *c)
{
	char	 date[TIMEFMT_MAX], from[600];
	time_t	 now = time(NULL);
	int	 r = 0;

	if (timefmt_rfc5322(now, date, sizeof(date)) == -1)
		return -1;
	r |= buf_addf(&c->b, "From: %s\r\n",
	    dsn_from_addr(c->cfg, from, sizeof(from)));
	r |= buf_addf(&c->b, "To: <%s>\r\n", c->env->sender);
	r |= buf_adds(&c->b, "Subject: Undelivered Mail Returned to Sender\r\n");
	r |= buf_addf(&c->b, "Date: %s\r\n", date);
	r |= buf_addf(&c->b, "Message-ID: <%lld.%s.dsn@%s>\r\n",
	    (long long)now, c->env->id, conf_domain(c->cfg));
	r |= buf_adds(&c->b, "Auto-Submitted: auto-replied\r\n");
	r |= buf_adds(&c->b, "MIME-Version: 1.0\r\n");
	r |= buf_addf(&c->b, "Content-Type: multipart/report; "
	    "report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n",
	    c->boundary);
	r |= buf_adds(&c->b, "\r\nThis is a MIME-encapsulated message.\r\n");
	return r == 0 ? 0 : -1;
}

/* Bytes s takes in a part once made ASCII. */
static size_t
dsn_text_len(struct buf *scratch, const char *s)
{
	buf_reset(scratch);
	text_wire_buf(scratch, s, strlen(s), TEXT_SPACE);
	return scratch->len;
}

/*
 * How many failed recipients the bounce details: as many as fit in
 * DSN_LIST_MAX bytes (notice and report together), in order; the rest are
 * counted ("... and N more").  However many recipients failed, the bounce
 * stays small enough to be queued and sent: before, about 700 long 5xx
 * replies made it "too large", and the message was retried for ever.
 */
static void
dsn_plan(struct dsn_ctx *c)
{
	const struct rcpt	*rc;
	struct buf		 scratch;
	size_t			 i, total = 0, one;

	buf_init(&scratch, 0);
	c->listed = c->more = 0;
	for (i = 0; i < c->env->nrcpts; i++) {
		rc = &c->env->rcpts[i];
		if (rc->state != RCPT_FAILED)
			continue;
		/* twice the address and reply (notice and report) + fields */
		one = 2 * (dsn_text_len(&scratch, rc->addr) +
		    dsn_text_len(&scratch, rc->reply != NULL ? rc->reply : "")) +
		    256;
		if (c->more == 0 && total + one <= DSN_LIST_MAX) {
			total += one;
			c->listed++;
		} else
			c->more++;
	}
	buf_free(&scratch);
}

static int
dsn_add_notice(struct dsn_ctx *c)
{
	const struct rcpt	*rc;
	size_t			 i, n = 0;
	int			 r = 0;

	r |= buf_addf(&c->b, "\r\n--%s\r\n", c->boundary);
	r |= buf_adds(&c->b, "Content-Type: text/plain; charset=us-ascii\r\n"
	    "Content-Description: Notification\r\n\r\n");
	r |= buf_addf(&c->b, "This is the mail system at host %s.\r\n\r\n",
	    c->me);
	r |= buf_adds(&c->b, "Your message could not be delivered to one or "
	    "more recipients.\r\nIt has been returned with this report; the "
	    "reason is given for each\r\nrecipient below.\r\n\r\n");
	for (i = 0; i < c->env->nrcpts && n < c->listed; i++) {
		rc = &c->env->rcpts[i];
		if (rc->state != RCPT_FAILED)
			continue;
		n++;
		r |= buf_adds(&c->b, "<");
		r |= dsn_add_text(&c->b, rc->addr, ">: ");
		r |= dsn_add_text(&c->b, rc->reply != NULL ? rc->reply :
		    "failed", "\r\n");
	}
	if (c->more > 0)
		r |= buf_addf(&c->b, "... and %zu more recipient%s, not listed "
		    "here: the list would be too long.\r\n", c->more,
		    c->more == 1 ? "" : "s");
	return r == 0 ? 0 : -1;
}

static int
dsn_add_rcpt_status(struct dsn_ctx *c, const struct rcpt *rc)
{
	char		 status[DSN_STATUS_MAX];
	const char	*reply = rc->reply != NULL ? rc->reply : "";
	int		 r = 0, smtp;

	dsn_status(reply, status, sizeof(status));
	smtp = reply[0] >= '2' && reply[0] <= '5';
	r |= buf_adds(&c->b, "\r\nFinal-Recipient: rfc822; ");
	r |= dsn_add_text(&c->b, rc->addr, "\r\n");
	r |= buf_adds(&c->b, "Action: failed\r\n");
	r |= buf_addf(&c->b, "Status: %s\r\n", status);
	/* The upstream that gave the reply (SPEC 9), by host and by name. */
	if (c->up != NULL && c->up->host != NULL && smtp) {
		r |= buf_addf(&c->b, "Remote-MTA: dns; %s\r\n", c->up->host);
		r |= buf_addf(&c->b, "X-Mailhop-Upstream: %s\r\n",
		    c->up->name);
	}
	if (reply[0] != '\0') {
		r |= buf_addf(&c->b, "Diagnostic-Code: %s; ",
		    smtp ? "smtp" : "X-mailhop");
		r |= dsn_add_text(&c->b, reply, "\r\n");
	}
	return r == 0 ? 0 : -1;
}

static int
dsn_add_report(struct dsn_ctx *c)
{
	char	 date[TIMEFMT_MAX];
	size_t	 i, n = 0;
	int	 r = 0;

	if (timefmt_rfc5322(c->env->arrival, date, sizeof(date)) == -1)
		return -1;
	r |= buf_addf(&c->b, "\r\n--%s\r\n", c->boundary);
	r |= buf_adds(&c->b, "Content-Type: message/delivery-status\r\n"
	    "Content-Description: Delivery report\r\n\r\n");
	r |= buf_addf(&c->b, "Reporting-MTA: dns; %s\r\n", c->me);
	r |= buf_addf(&c->b, "X-Mailhop-Queue-ID: %s\r\n", c->env->id);
	if (c->more > 0)
		r |= buf_addf(&c->b, "X-Mailhop-Recipients-Not-Listed: %zu\r\n",
		    c->more);
	r |= buf_addf(&c->b, "Arrival-Date: %s\r\n", date);
	for (i = 0; i < c->env->nrcpts && n < c->listed; i++)
		if (c->env->rcpts[i].state == RCPT_FAILED) {
			n++;
			r |= dsn_add_rcpt_status(c, &c->env->rcpts[i]);
		}
	r |= buf_addf(&c->b, "\r\n--%s\r\n", c->boundary);
	r |= buf_adds(&c->b, "Content-Type: text/rfc822-headers\r\n"
	    "Content-Description: Undelivered Message Headers\r\n\r\n");
	return r == 0 ? 0 : -1;
}

/*
 * Copy msgfd's header section (up to and including the CRLF that ends
 * its last field, never the empty line) to outfd, at most max bytes, and
 * end it with a CRLF whatever happened.
 */
static int
dsn_copy_headers(int msgfd, int outfd, size_t max)
{
	char	 chunk[DSN_CHUNK];
	off_t	 off = 0;
	ssize_t	 n;
	size_t	 i, total = 0;
	int	 bol = 1, done = 0, last = '\n';

	while (!done && total < max) {
		n = pread(msgfd, chunk, sizeof(chunk), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		off += n;
		for (i = 0; i < (size_t)n && total + i < max; i++) {
			if (bol && (chunk[i] == '\r' || chunk[i] == '\n')) {
				done = 1;
				break;
			}
			bol = chunk[i] == '\n';
		}
		if (i > 0 && fsio_write_all(outfd, chunk, i) == -1)
			return -1;
		if (i > 0)
			last = chunk[i - 1];
		total += i;
	}
	if (last != '\n' && fsio_write_all(outfd, "\r\n", 2) == -1)
		return -1;
	return 0;
}

int
dsn_write(const struct config *cfg, const struct upstream *up,
    const struct envelope *env, int msgfd, int outfd, struct mh_err *err)
{
	struct dsn_ctx	 c;
	size_t		 max;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.up = up;
	c.me = upstream_helo(up != NULL ? up : conf_upstream_default(cfg));
	c.env = env;
	buf_init(&c.b, DSN_PART_MAX);
	dsn_boundary(&c);
	dsn_plan(&c);
	if (dsn_add_headers(&c) == -1 || dsn_add_notice(&c) == -1 ||
	    dsn_add_report(&c) == -1) {
		buf_free(&c.b);
		return mh_err_set(err, EX_SOFTWARE, "%s: bounce too large",
		    env->id);
	}
	if (fsio_write_all(outfd, c.b.data, c.b.len) == -1)
		goto fail;
	max = cfg->max_header_size > 0 ? (size_t)cfg->max_header_size :
	    DSN_HDR_DEFAULT;
	if (dsn_copy_headers(msgfd, outfd, max) == -1)
		goto fail;
	buf_reset(&c.b);
	if (buf_addf(&c.b, "\r\n--%s--\r\n", c.boundary) == -1 ||
	    fsio_write_all(outfd, c.b.data, c.b.len) == -1)
		goto fail;
	buf_free(&c.b);
	return 0;
fail:
	buf_free(&c.b);
	return mh_err_errno(err, EX_TEMPFAIL, "%s: writing the bounce",
	    env->id);
}
