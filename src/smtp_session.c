/* SPDX-License-Identifier: MIT */
/*
 * smtp_session.c - the -bs dialogue (smtp_session.h).  One table says, for
 * each command and each state, whether the command is allowed or which
 * 503 it gets.  Input is split into lines in place (LF, CRLF; a longer
 * line in pieces); DATA lines are dot-unstuffed and handed to message.c;
 * the store makes a message durable before its 250 is queued.  No I/O:
 * cmd_smtp.c reads stdin and writes stdout, the fuzzer feeds bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alias.h"
#include "envelope.h"
#include "sender.h"
#include "smtp_session.h"
#include "text.h"
#include "xmem.h"

enum smtp_cmd {
	SMTP_C_HELO, SMTP_C_EHLO, SMTP_C_MAIL, SMTP_C_RCPT, SMTP_C_DATA,
	SMTP_C_RSET, SMTP_C_NOOP, SMTP_C_VRFY, SMTP_C_HELP, SMTP_C_QUIT,
	SMTP_C_NOTIMPL, SMTP_NCMDS
};

typedef int	smtp_handler(struct smtp_session *, char *);

static smtp_handler smtp_helo, smtp_ehlo, smtp_mail, smtp_rcpt, smtp_data,
    smtp_rset, smtp_noop, smtp_vrfy, smtp_help, smtp_quit, smtp_notimpl;

static const struct {
	const char	*verb;
	smtp_handler	*fn;
} smtp_cmds[SMTP_NCMDS] = {
	[SMTP_C_HELO] = { "HELO", smtp_helo },
	[SMTP_C_EHLO] = { "EHLO", smtp_ehlo },
	[SMTP_C_MAIL] = { "MAIL", smtp_mail },
	[SMTP_C_RCPT] = { "RCPT", smtp_rcpt },
	[SMTP_C_DATA] = { "DATA", smtp_data },
	[SMTP_C_RSET] = { "RSET", smtp_rset },
	[SMTP_C_NOOP] = { "NOOP", smtp_noop },
	[SMTP_C_VRFY] = { "VRFY", smtp_vrfy },
	[SMTP_C_HELP] = { "HELP", smtp_help },
	[SMTP_C_QUIT] = { "QUIT", smtp_quit },
	[SMTP_C_NOTIMPL] = { NULL, smtp_notimpl },
};

/* Known to RFC 5321 or its extensions, not offered here: 502, not 500. */
static const char *const smtp_notimpl_verbs[] = {
	"EXPN", "TURN", "ETRN", "ATRN", "BDAT", "AUTH", "STARTTLS", "SEND",
	"SOML", "SAML", NULL
};

/*
 * The state/event table.  NULL: the command is allowed in that state (its
 * handler decides the next state).  Otherwise the reply that refuses it.
 * In DATA and after QUIT no command is looked up: those states have no
 * column.
 */
#define NEED_HELO	"503 5.5.1 Error: send HELO/EHLO first"
#define NEED_MAIL	"503 5.5.1 Error: need MAIL command"
#define NESTED_MAIL	"503 5.5.1 Error: nested MAIL command"
#define NEED_RCPT	"554 5.5.1 Error: no valid recipients"

static const char *const smtp_table[SMTP_NCMDS][SMTP_S_DATA] = {
	/*		   INIT		READY		MAIL		RCPT */
	[SMTP_C_HELO] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_EHLO] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_MAIL] =	{ NEED_HELO,	NULL,		NESTED_MAIL,	NESTED_MAIL },
	[SMTP_C_RCPT] =	{ NEED_HELO,	NEED_MAIL,	NULL,		NULL },
	[SMTP_C_DATA] =	{ NEED_HELO,	NEED_MAIL,	NEED_RCPT,	NULL },
	[SMTP_C_RSET] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_NOOP] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_VRFY] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_HELP] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_QUIT] =	{ NULL,		NULL,		NULL,		NULL },
	[SMTP_C_NOTIMPL] = { NULL,	NULL,		NULL,		NULL },
};

/* ---- output ------------------------------------------------------------ */

/* Queue one reply line; the caller writes out when it waits for input. */
static void
smtp_reply(struct smtp_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
smtp_reply(struct smtp_session *s, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	buf_add(&s->out, line, n);
	buf_adds(&s->out, "\r\n");
}

/*
 * The name this side of -bs gives itself: what mailhop calls itself to
 * its upstream ([upstream] helo, else the host's FQDN).
 */
static const char *
smtp_myname(const struct config *cfg)
{
	return upstream_helo(conf_upstream_default(cfg));
}

/* ---- the transaction --------------------------------------------------- */

/* Forget the message being received, if any: nothing of it stays queued. */
static void
smtp_abort_data(struct smtp_session *s)
{
	if (!s->in_msg)
		return;
	message_free(&s->msg);
	s->store->abort(s->store->arg, &s->entry);
	s->in_msg = 0;
}

/* RSET, EHLO, the end of DATA: back to "no transaction". */
static void
smtp_reset(struct smtp_session *s)
{
	smtp_abort_data(s);
	free(s->sender);
	s->sender = NULL;
	addr_list_free(&s->rcpts);
	addr_list_init(&s->rcpts, 0);
	if (s->state != SMTP_S_INIT)
		s->state = SMTP_S_READY;
}

/* An error from another module as an SMTP reply code and enhanced code. */
static void
smtp_reply_err(struct smtp_session *s, const struct mh_err *err, int perm_code,
    const char *perm_ext)
{
	const char	*msg = err->msg[0] != '\0' ? err->msg : "local error";
	char		 text[SMTP_TEXT_MAX];

	/* A reply line: nothing that could end it or leave ASCII. */
	text_wire(text, sizeof(text), msg, strlen(msg), 0);
	if (err->exit == EX_DATAERR || err->exit == EX_NOUSER ||
	    err->exit == EX_USAGE)
		smtp_reply(s, "%d %s %s", perm_code, perm_ext, text);
	else
		smtp_reply(s, "451 4.3.0 %s", text);
}

/* ---- commands ---------------------------------------------------------- */

static int
smtp_helo(struct smtp_session *s, char *arg)
{
	if (*arg == '\0') {
		smtp_reply(s, "501 5.5.4 Syntax: HELO hostname");
		return 0;
	}
	smtp_reset(s);
	s->state = SMTP_S_READY;
	smtp_reply(s, "250 %s", smtp_myname(s->cfg));
	return 0;
}

static int
smtp_ehlo(struct smtp_session *s, char *arg)
{
	if (*arg == '\0') {
		smtp_reply(s, "501 5.5.4 Syntax: EHLO hostname");
		return 0;
	}
	smtp_reset(s);
	s->state = SMTP_S_READY;
	smtp_reply(s, "250-%s", smtp_myname(s->cfg));
	smtp_reply(s, "250-PIPELINING");
	smtp_reply(s, "250-SIZE %llu", s->cfg->max_size);
	smtp_reply(s, "250-8BITMIME");
	smtp_reply(s, "250-ENHANCEDSTATUSCODES");
	smtp_reply(s, "250-SMTPUTF8");
	smtp_reply(s, "250 HELP");
	return 0;
}

/*
 * "FROM:" / "TO:" then a path.  Splits arg into the path (angle brackets
 * kept, for addr_parse_one) and the ESMTP parameters.  A '>' inside a
 * quoted local part does not end the path.  -1 on bad syntax.
 */
static int
smtp_split_path(char *arg, const char *kw, char **path, char **params)
{
	size_t	 kwlen = strlen(kw);
	char	*p;
	int	 quoted = 0;

	if (strncasecmp(arg, kw, kwlen) != 0)
		return -1;
	p = arg + kwlen;
	while (*p == ' ')
		p++;	/* "MAIL FROM: <a@b>" is common enough to accept */
	*path = p;
	if (*p == '<') {
		for (p++; *p != '\0'; p++) {
			if (*p == '\\' && quoted && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (*p == '>' && !quoted)
				break;
		}
		if (*p != '>')
			return -1;
		p++;
	} else
		p += strcspn(p, " ");
	if (p == *path || (*p != '\0' && *p != ' '))
		return -1;
	if (*p == ' ')
		*p++ = '\0';
	while (*p == ' ')
		p++;
	*params = p;
	return 0;
}

/* One address from MAIL or RCPT: parsed and checked, *out allocated. */
static int
smtp_parse_addr(const char *path, char **out, struct mh_err *err)
{
	*out = NULL;
	if (addr_parse_one(path, out, err) == -1)
		return -1;
	if (**out != '\0' && addr_check(*out, err) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * MAIL parameters: SIZE=n, BODY=7BIT|8BITMIME and SMTPUTF8 (RFC 6531:
 * the delivery asks the upstream for it when an address needs it); the
 * rest is refused.
 */
static int
smtp_mail_params(struct smtp_session *s, char *p)
{
	char			*tok, *end;
	unsigned long long	 size;

	while ((tok = strsep(&p, " ")) != NULL) {
		if (*tok == '\0')
			continue;
		if (strncasecmp(tok, "SIZE=", 5) == 0) {
			errno = 0;
			size = strtoull(tok + 5, &end, 10);
			if (errno != 0 || end == tok + 5 || *end != '\0' ||
			    !isdigit((unsigned char)tok[5])) {
				smtp_reply(s, "501 5.5.4 Bad SIZE parameter");
				return -1;
			}
			if (s->cfg->max_size > 0 && size > s->cfg->max_size) {
				smtp_reply(s, "552 5.3.4 Message size exceeds "
				    "max_size (%llu bytes)", s->cfg->max_size);
				return -1;
			}
		} else if (strcasecmp(tok, "BODY=8BITMIME") != 0 &&
		    strcasecmp(tok, "BODY=7BIT") != 0 &&
		    strcasecmp(tok, "SMTPUTF8") != 0) {
			char	 t[64];

			text_wire(t, sizeof(t), tok, strlen(tok), 0);
			smtp_reply(s, "555 5.5.4 Unsupported parameter %s", t);
			return -1;
		}
	}
	return 0;
}

static int
smtp_mail(struct smtp_session *s, char *arg)
{
	struct mh_err	 err;
	char		*path, *params, *addr;

	if (smtp_split_path(arg, "FROM:", &path, &params) == -1) {
		smtp_reply(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return 0;
	}
	if (smtp_mail_params(s, params) == -1)
		return 0;
	mh_err_clear(&err);
	/* The policy sendmail mode applies to -f (force_from included). */
	if (sender_envelope(s->cfg, path, &addr, &err) == -1) {
		smtp_reply_err(s, &err, 553, "5.1.7");
		return 0;
	}
	s->sender = addr;
	s->state = SMTP_S_MAIL;
	smtp_reply(s, "250 2.1.0 Ok");
	return 0;
}

/*
 * Expand one recipient and add the results.  An alias may grow into many
 * addresses: if they do not all fit under max_recipients, none is added.
 */
static int
smtp_rcpt_add(struct smtp_session *s, const char *addr, struct mh_err *err)
{
	struct addr_list	 one, out;
	size_t			 before = s->rcpts.n, i;
	int			 rc = -1;

	addr_list_init(&one, 0);
	addr_list_init(&out, 0);
	if (addr_list_add(&one, addr, err) == -1 ||
	    alias_expand(s->cfg, &one, &out, err) == -1)
		goto done;
	for (i = 0; i < out.n; i++)
		if (addr_list_add(&s->rcpts, out.v[i], err) == -1)
			goto done;
	rc = 0;
	if (s->cfg->max_recipients > 0 &&
	    s->rcpts.n > (size_t)s->cfg->max_recipients)
		rc = 1;
done:
	if (rc != 0) {
		while (s->rcpts.n > before)
			free(s->rcpts.v[--s->rcpts.n]);
	}
	addr_list_free(&one);
	addr_list_free(&out);
	return rc;
}

static int
smtp_rcpt(struct smtp_session *s, char *arg)
{
	struct mh_err	 err;
	char		*path, *params, *addr;
	int		 rc;

	if (smtp_split_path(arg, "TO:", &path, &params) == -1) {
		smtp_reply(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return 0;
	}
	if (*params != '\0') {
		smtp_reply(s, "555 5.5.4 RCPT parameters are not supported");
		return 0;
	}
	mh_err_clear(&err);
	if (smtp_parse_addr(path, &addr, &err) == -1) {
		smtp_reply_err(s, &err, 553, "5.1.3");
		return 0;
	}
	if (*addr == '\0') {
		free(addr);
		smtp_reply(s, "553 5.1.3 Empty recipient address");
		return 0;
	}
	rc = smtp_rcpt_add(s, addr, &err);
	free(addr);
	if (rc == 1)
		smtp_reply(s, "452 4.5.3 Too many recipients (max_recipients "
		    "is %ld)", s->cfg->max_recipients);
	else if (rc == -1)
		smtp_reply_err(s, &err, 550, "5.1.1");
	else {
		s->state = SMTP_S_RCPT;
		smtp_reply(s, "250 2.1.5 Ok");
	}
	return 0;
}

static int
smtp_data(struct smtp_session *s, char *arg)
{
	struct mh_err	 err;

	if (*arg != '\0') {
		smtp_reply(s, "501 5.5.4 Syntax: DATA");
		return 0;
	}
	mh_err_clear(&err);
	memset(&s->entry, 0, sizeof(s->entry));
	s->entry.msgfd = -1;
	if (s->store->create(s->store->arg, &s->entry, &err) == -1) {
		smtp_reply_err(s, &err, 451, "4.3.0");
		return 0;
	}
	s->mopts.cfg = s->cfg;
	s->mopts.extract = 0;
	/* As in sendmail mode: strict servers refuse lines over 998 bytes. */
	s->mopts.sender = s->sender;
	s->mopts.fullname = s->fullname;
	if (message_begin(&s->msg, &s->mopts, s->entry.msgfd, &err) == -1) {
		s->store->abort(s->store->arg, &s->entry);
		smtp_reply_err(s, &err, 554, "5.6.0");
		return 0;
	}
	s->in_msg = 1;
	s->data_bol = 1;
	s->data_size = 0;
	s->data_code = 0;
	s->state = SMTP_S_DATA;
	smtp_reply(s, "354 End data with <CR><LF>.<CR><LF>");
	return 0;
}

static int
smtp_rset(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reset(s);
	smtp_reply(s, "250 2.0.0 Ok");
	return 0;
}

static int
smtp_noop(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, "250 2.0.0 Ok");
	return 0;
}

static int
smtp_vrfy(struct smtp_session *s, char *arg)
{
	(void)arg;
	/* RFC 5321 3.5.3: we cannot know, but we will take the mail. */
	smtp_reply(s, "252 2.5.2 Cannot VRFY user, but will accept message "
	    "and attempt delivery");
	return 0;
}

static int
smtp_help(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, "214-2.0.0 mailhop sendmail -bs: commands");
	smtp_reply(s, "214-2.0.0   HELO EHLO MAIL RCPT DATA RSET NOOP VRFY "
	    "HELP QUIT");
	smtp_reply(s, "214 2.0.0 See mailhop(8)");
	return 0;
}

static int
smtp_quit(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reset(s);
	smtp_reply(s, "221 2.0.0 %s closing connection",
	    smtp_myname(s->cfg));
	s->state = SMTP_S_QUIT;
	return 0;
}

static int
smtp_notimpl(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, "502 5.5.1 Error: command not implemented");
	return 0;
}

/* ---- DATA -------------------------------------------------------------- */

/* Refuse the message at the final dot; keep reading until then. */
static void
smtp_data_fail(struct smtp_session *s, int code, const char *ext, const char *text)
{
	char	 t[SMTP_TEXT_MAX - 16];

	if (s->data_code != 0)
		return;
	text_wire(t, sizeof(t), text, strlen(text), 0);
	s->data_code = code;
	snprintf(s->data_text, sizeof(s->data_text), "%s %s", ext, t);
}

static void
smtp_data_err(struct smtp_session *s, const struct mh_err *err)
{
	if (err->reason == MH_REASON_MAX_SIZE)
		smtp_data_fail(s, 552, "5.3.4", err->msg);
	else if (err->exit == EX_DATAERR)
		smtp_data_fail(s, 554, "5.6.0", err->msg);
	else
		smtp_data_fail(s, 451, "4.3.0", err->msg);
}

/*
 * Pass one (piece of a) line to message.c, without the CR of its CRLF.
 * A bare LF was a line ending already (normalised, as Postfix 3.9's
 * smtpd_forbid_bare_newline = normalize does); any other CR is message.c's
 * to judge: a line ending in the body, a space in the header section
 * (SPEC 4).  Either way no bare CR or LF reaches the queue.
 */
static void
smtp_data_feed(struct smtp_session *s, const char *p, size_t len, int eol)
{
	struct mh_err	 err;

	s->data_size += len + (eol ? 2 : 0);
	if (s->data_code == 0 && s->cfg->max_size > 0 &&
	    s->data_size > s->cfg->max_size) {
		snprintf(err.msg, sizeof(err.msg), "message is larger than "
		    "max_size (%llu bytes)", s->cfg->max_size);
		smtp_data_fail(s, 552, "5.3.4", err.msg);
	}
	if (s->data_code != 0)
		return;
	mh_err_clear(&err);
	if (eol && len > 0 && p[len - 1] == '\r')
		len--;
	if (message_line(&s->msg, p, len, eol, &err) == -1)
		smtp_data_err(s, &err);
}

/* The final dot: commit, and only then say 250. */
static void
smtp_data_end(struct smtp_session *s)
{
	struct mh_err	 err;

	mh_err_clear(&err);
	if (s->data_code == 0 && (message_end(&s->msg, &err) == -1 ||
	    (s->msg.recode && s->store->rewrite(s->store->arg, &s->entry,
	    &err) == -1)))
		smtp_data_err(s, &err);
	if (s->data_code != 0) {
		smtp_reply(s, "%d %s", s->data_code, s->data_text);
		smtp_reset(s);
		return;
	}
	envelope_fill(&s->entry.env, s->sender, s->rcpts.v, s->rcpts.n);
	if (s->store->commit(s->store->arg, &s->entry, &err) == -1) {
		smtp_reply_err(s, &err, 451, "4.3.0");
		smtp_reset(s);
		return;
	}
	/* From here on the mail is safe: the 250 may be sent. */
	s->nqueued++;
	smtp_reply(s, "250 2.0.0 Ok: queued as %s", s->entry.id);
	message_free(&s->msg);
	s->store->release(s->store->arg, &s->entry);
	s->in_msg = 0;
	smtp_reset(s);
}

/*
 * One DATA line or piece.  Only <CR><LF>.<CR><LF> ends DATA: a "." line
 * that ends in CRLF after a line that ended in CRLF (or after the DATA
 * command's CRLF).  "\n.\r\n", "\r\n.\n", "\n.\n" and the like are
 * message text, so a client cannot smuggle commands in after a dot that
 * an upstream would not take for the end (SMTP smuggling).
 */
static void
smtp_data_line(struct smtp_session *s, char *p, size_t len, int complete, int crlf)
{
	if (s->data_bol) {
		if (s->crlf && crlf && len == 2 && p[0] == '.') {
			smtp_data_end(s);
			return;
		}
		if (len > 0 && p[0] == '.') {
			p++;
			len--;
		}
	}
	s->data_bol = complete;
	smtp_data_feed(s, p, len, complete);
}

/* ---- commands in, lines out --------------------------------------------- */

static enum smtp_cmd
smtp_lookup(const char *verb, size_t len)
{
	int	 i;

	for (i = 0; i < SMTP_C_NOTIMPL; i++)
		if (strlen(smtp_cmds[i].verb) == len &&
		    strncasecmp(verb, smtp_cmds[i].verb, len) == 0)
			return i;
	for (i = 0; smtp_notimpl_verbs[i] != NULL; i++)
		if (strlen(smtp_notimpl_verbs[i]) == len &&
		    strncasecmp(verb, smtp_notimpl_verbs[i], len) == 0)
			return SMTP_C_NOTIMPL;
	return SMTP_NCMDS;
}

static void
smtp_command(struct smtp_session *s, char *line, size_t len, int complete)
{
	enum smtp_cmd	 c;
	size_t		 vlen;
	char		*arg;

	if (s->skip_line) {
		s->skip_line = !complete;
		return;
	}
	if (!complete || len > SMTP_CMD_MAX) {
		s->skip_line = !complete;
		smtp_reply(s, "500 5.5.2 Error: line too long");
		return;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (memchr(line, '\0', len) != NULL || memchr(line, '\r', len) != NULL) {
		smtp_reply(s, "500 5.5.2 Error: bad syntax");
		return;
	}
	vlen = strcspn(line, " ");
	c = smtp_lookup(line, vlen);
	if (c == SMTP_NCMDS) {
		smtp_reply(s, "500 5.5.2 Error: command not recognized");
		return;
	}
	if (smtp_table[c][s->state] != NULL) {
		smtp_reply(s, "%s", smtp_table[c][s->state]);
		return;
	}
	arg = line + vlen;
	while (*arg == ' ')
		arg++;
	smtp_cmds[c].fn(s, arg);
}

/* One line (or piece) to where the state sends it. */
static void
smtp_line(struct smtp_session *s, char *line, size_t len, int complete)
{
	int	 crlf;

	crlf = complete && !s->eof_line && len > 0 && line[len - 1] == '\r';
	if (s->state == SMTP_S_DATA)
		smtp_data_line(s, line, len, complete, crlf);
	else
		smtp_command(s, line, len, complete);
	if (complete)
		s->crlf = crlf;
}

/*
 * Hand out every line the buffer holds (without its LF), in place, until
 * QUIT.  A line longer than the buffer goes in pieces (complete = 0); a
 * CR that may be the first half of a CRLF is never split off.  At EOF the
 * rest is the last line.
 */
static void
smtp_process(struct smtp_session *s)
{
	char	*lf, *line;
	size_t	 n;

	while (s->state != SMTP_S_QUIT) {
		lf = memchr(s->in + s->ipos, '\n', s->ilen - s->ipos);
		if (lf != NULL) {
			line = s->in + s->ipos;
			n = (size_t)(lf - line);
			s->ipos += n + 1;
			s->eof_line = 0;
			smtp_line(s, line, n, 1);
			continue;
		}
		if (s->ipos > 0) {
			memmove(s->in, s->in + s->ipos, s->ilen - s->ipos);
			s->ilen -= s->ipos;
			s->ipos = 0;
		}
		if (s->ilen < SMTP_INBUF && !(s->eof && s->ilen > 0))
			break;
		n = s->ilen;
		if (!s->eof && s->in[n - 1] == '\r')
			n--;
		s->ipos = n;
		s->eof_line = s->eof;
		smtp_line(s, s->in, n, s->eof);
	}
}

void
smtp_session_input(struct smtp_session *s, const char *p, size_t n)
{
	size_t	 take;

	while (n > 0 && s->state != SMTP_S_QUIT && !s->eof) {
		take = SMTP_INBUF - s->ilen;
		if (take > n)
			take = n;
		memcpy(s->in + s->ilen, p, take);
		s->ilen += take;
		p += take;
		n -= take;
		smtp_process(s);
	}
}

void
smtp_session_eof(struct smtp_session *s)
{
	s->eof = 1;
	smtp_process(s);
}

/*
 * RFC 5321 4.5.3.2: a server may give up on a silent client.  The state is
 * left as it was, so that the caller can tell a message cut short.
 */
void
smtp_session_idle(struct smtp_session *s, long seconds)
{
	smtp_reply(s, "421 4.4.2 %s idle for %lds, closing",
	    smtp_myname(s->cfg), seconds);
	s->eof = 1;
}

struct smtp_session *
smtp_session_new(const struct config *cfg, const char *fullname,
    const struct smtp_store *store)
{
	struct smtp_session *s;

	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->fullname = fullname;
	s->store = store;
	s->state = SMTP_S_INIT;
	s->entry.msgfd = -1;
	buf_init(&s->out, 0);
	addr_list_init(&s->rcpts, 0);
	smtp_reply(s, "220 %s mailhop ESMTP", smtp_myname(cfg));
	return s;
}

void
smtp_session_free(struct smtp_session *s)
{
	if (s == NULL)
		return;
	if (s->state == SMTP_S_DATA)
		s->state = SMTP_S_READY;
	smtp_reset(s);
	addr_list_free(&s->rcpts);
	buf_free(&s->out);
	free(s);
}
