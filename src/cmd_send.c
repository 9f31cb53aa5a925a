/* SPDX-License-Identifier: MIT */
/*
 * cmd_send.c - sendmail mode: check the sender and every recipient, read
 * the message into a new spool entry, commit it, then hand delivery to the
 * helper (-odb / -odi) or leave it queued (-odq).  Nothing is visible in
 * the spool before spool_commit(); any error before that leaves no trace,
 * so a non-zero exit always means "not queued, resend".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "alias.h"
#include "cmd.h"
#include "envelope.h"
#include "launch.h"
#include "message.h"
#include "sender.h"
#include "request.h"
#include "spool.h"
#include "text.h"
#include "xmem.h"

struct send {
	const struct invocation	*inv;
	const struct config	*cfg;
	char			*sender;	/* "" is the null sender */
	struct addr_list	 raw;		/* as given, before aliases */
	struct addr_list	 rcpts;		/* final */
	struct spool		 spool;
	struct spool_entry	 entry;
	int			 spool_open, entry_open;
};

/*
 * Prefix err's message with what it was about, when it quotes an address
 * ("\"a@x\": reason"); other errors (a limit) stand as they are.
 */
static int
send_blame(struct mh_err *err, const char *what)
{
	char	 msg[MH_ERR_MSG];

	if (err->msg[0] != '"')
		return -1;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	return mh_err_set(err, err->exit ? err->exit : EX_DATAERR, "%s %s",
	    what, msg);
}

/* The envelope sender: sender.c's policy, shared with -bs. */
static int
send_sender(struct send *s, struct mh_err *err)
{
	if (sender_envelope(s->cfg, s->inv->sender, &s->sender, err) == -1)
		return send_blame(err, "sender");
	return 0;
}

/* Each argument is an address list ("a@x, Bob <b@y>" gives two). */
static int
send_args(const struct invocation *inv, struct addr_list *l,
    struct mh_err *err)
{
	const char	*a, *c;
	char		 q[TEXT_QUOTE_MAX * 4 + 8];
	int		 i;

	for (i = 0; i < inv->nrcpts; i++) {
		a = inv->rcpts[i];
		/* No control byte may hide in an argument (SMTP injection). */
		for (c = a; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				text_quote(q, sizeof(q), a, strlen(a));
				return mh_err_set(err, EX_DATAERR,
				    "recipient %s: control character in "
				    "address", q);
			}
		if (addr_parse_list(a, strlen(a), l, err) == -1)
			return send_blame(err, "recipient");
	}
	return 0;
}

/* -F: a CR or LF would split the From: header we write. */
static int
send_check_fullname(const char *name, struct mh_err *err)
{
	char	 q[TEXT_QUOTE_MAX * 4 + 8];

	if (name == NULL || strpbrk(name, "\r\n") == NULL)
		return 0;
	text_quote(q, sizeof(q), name, strlen(name));
	return mh_err_set(err, EX_DATAERR, "-F %s: line break in full name",
	    q);
}

/* raw -> aliases, qualification, duplicates once -> rcpts. */
static int
send_expand(struct send *s, struct mh_err *err)
{
	if (alias_expand(s->cfg, &s->raw, &s->rcpts, err) == -1)
		return -1;
	if (s->rcpts.n == 0)
		return mh_err_set(err, EX_DATAERR, s->inv->extract ?
		    "no recipients (none given and none in To, Cc or Bcc)" :
		    "no recipients");
	return 0;
}

static void
send_free(struct send *s)
{
	if (s->entry_open)
		spool_abort(&s->spool, &s->entry);
	if (s->spool_open)
		spool_close(&s->spool);
	addr_list_free(&s->raw);
	addr_list_free(&s->rcpts);
	free(s->sender);
}

static void
send_init(struct send *s, const struct invocation *inv,
    const struct config *cfg)
{
	size_t	 max;

	memset(s, 0, sizeof(*s));
	s->inv = inv;
	s->cfg = cfg;
	max = cfg->max_recipients > 0 ? (size_t)cfg->max_recipients : 0;
	addr_list_init(&s->raw, max);
	addr_list_init(&s->rcpts, max);
	s->spool.dirfd = -1;
	s->entry.msgfd = -1;
}

/* stdin -> the entry's message file; -t recipients join s->raw. */
static int
send_read(struct send *s, struct mh_err *err)
{
	struct message_opts	 o;
	struct message		 m;
	size_t			 i;
	int			 rc = -1;

	memset(&o, 0, sizeof(o));
	o.cfg = s->cfg;
	o.extract = s->inv->extract;
	o.sender = s->sender;
	o.fullname = s->inv->fullname;
	if (message_begin(&m, &o, s->entry.msgfd, err) == -1)
		return -1;
	if (message_read_fd(&m, STDIN_FILENO, !s->inv->ignore_dots,
	    err) == -1 || message_end(&m, err) == -1)
		goto out;
	if (m.recode && spool_rewrite(&s->spool, &s->entry, message_recode,
	    err) == -1)
		goto out;
	for (i = 0; i < m.rcpts.n; i++)
		if (addr_list_add(&s->raw, m.rcpts.v[i], err) == -1)
			goto out;
	rc = 0;
out:
	message_free(&m);
	return rc;
}

/* Everything up to "the mail is safe". */
static int
send_queue(struct send *s, struct mh_err *err)
{
	if (launch_spool_open(&s->spool, s->cfg, err) == -1)
		return -1;
	s->spool_open = 1;
	if (spool_create(&s->spool, &s->entry, err) == -1)
		return -1;
	s->entry_open = 1;
	if (send_read(s, err) == -1 || send_expand(s, err) == -1)
		return -1;
	envelope_fill(&s->entry.env, s->sender, s->rcpts.v, s->rcpts.n);
	if (spool_commit(&s->spool, &s->entry, err) == -1) {
		/* spool_commit removed what it wrote; release the rest. */
		spool_release(&s->entry);
		s->entry_open = 0;
		return -1;
	}
	return 0;
}

/* -odb, -odi, -odq, else [queue] deliver. */
static enum conf_deliver
send_how(const struct send *s)
{
	if (s->inv->deliver == CLI_DELIVER_BACKGROUND)
		return CONF_DELIVER_BACKGROUND;
	if (s->inv->deliver == CLI_DELIVER_FOREGROUND)
		return CONF_DELIVER_FOREGROUND;
	if (s->inv->deliver == CLI_DELIVER_QUEUE)
		return CONF_DELIVER_QUEUE;
	return s->cfg->deliver;
}

/*
 * After the commit: -odq leaves it queued; -odb starts a detached helper
 * (if that fails the mail still waits in the queue: not an error) unless
 * a background flusher runs already, which takes this entry too (SPEC
 * 13: no helper per message while one works through the queue); -odi
 * becomes the helper, which reports on stderr and exits 0.
 */
static void
send_deliver(const struct send *s, const char *id, enum conf_deliver how)
{
	struct request		 req;
	struct mh_err		 ignored, why;

	if (how == CONF_DELIVER_QUEUE)
		return;
	request_init(&req, REQ_FLUSH);
	req.config = s->inv->config;
	if (how == CONF_DELIVER_BACKGROUND) {
		req.background = 1;
		mh_err_clear(&ignored);
		launch_background(&req, &ignored);
		return;
	}
	req.verbose = s->inv->verbose;
	req.only_id = id;
	req.report = 1;
	launch_exec(&req, &why);
	/*
	 * Still exit 0: the message is queued and the next flush takes it
	 * (SPEC §3).  A warning that goes with a success is ours to print.
	 */
	fprintf(stderr, "mailhop: %s: queued, but delivery could not start: "
	    "%s\n", id, why.msg);
}

int
cmd_send(const struct invocation *inv, const struct config *cfg,
    struct mh_err *err)
{
	struct send		 s;
	char			 id[ENVELOPE_ID_MAX];
	enum conf_deliver	 how;

	send_init(&s, inv, cfg);
	if (send_check_fullname(inv->fullname, err) == -1 ||
	    send_sender(&s, err) == -1 ||
	    send_args(inv, &s.raw, err) == -1 ||
	    send_queue(&s, err) == -1) {
		send_free(&s);
		return err->exit;
	}
	/* From here on the mail is safe: exit 0 is allowed. */
	snprintf(id, sizeof(id), "%s", s.entry.id);
	/* The helper must be able to claim the entry: drop our lock. */
	spool_release(&s.entry);
	s.entry_open = 0;
	/*
	 * The holder of the flush lock looks at the index once more after
	 * it lets the lock go, and our entry is in it already.
	 */
	how = send_how(&s);
	if (how == CONF_DELIVER_BACKGROUND && spool_flush_busy(&s.spool))
		how = CONF_DELIVER_QUEUE;
	send_free(&s);
	/* s.inv and s.cfg are the caller's and still valid. */
	cmd_warn_no_upstream(cfg);
	send_deliver(&s, id, how);
	return 0;
}

/*
 * SPEC 8: say it when nothing could ever send the mail, but only to a
 * person: callers such as Symfony's -bs treat any output on stderr as a
 * failure, and the message is queued either way.
 */
void
cmd_warn_no_upstream(const struct config *cfg)
{
	size_t	 i;

	for (i = 0; i < cfg->nupstreams; i++)
		if (cfg->upstreams[i]->host != NULL &&
		    cfg->upstreams[i]->host[0] != '\0')
			return;
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "mailhop: queued, but no upstream is configured: set "
	    "host in [upstream] (see mailhop.conf(5)); the mail goes out "
	    "once one is\n");
}

/*
 * -bv: every final address, one per line, after aliases and
 * qualification, in the order found; nothing is read or queued.
 */
int
cmd_verify(const struct invocation *inv, const struct config *cfg,
    struct mh_err *err)
{
	struct send	 s;
	size_t		 i;
	int		 rc = 0;

	send_init(&s, inv, cfg);
	if (send_args(inv, &s.raw, err) == -1 || send_expand(&s, err) == -1)
		rc = err->exit;
	else
		for (i = 0; i < s.rcpts.n; i++)
			printf("%s\n", s.rcpts.v[i]);
	send_free(&s);
	return rc;
}
