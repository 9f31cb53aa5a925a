/* SPDX-License-Identifier: MIT */
/*
 * cmd_smtp.c - sendmail -bs: smtp_session.c's dialogue on stdin/stdout,
 * with the spool as its store.  The client is a local program (Symfony
 * Mailer, Laravel, swaks), so there is no AUTH, no STARTTLS and no
 * network; what matters is that every "250" to a final dot means the
 * message is durable in the spool, and that every refusal leaves nothing
 * queued and the session usable.  Replies are written before read(2)
 * blocks, which is all PIPELINING asks of a server.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "err.h"
#include "fsio.h"
#include "launch.h"
#include "message.h"
#include "request.h"
#include "smtp_session.h"
#include "spool.h"
#include "xmem.h"

#define SMTP_READ	65536	/* bytes per read(2) */

/* The spool as the session's store, opened at the first DATA. */
struct smtp_spool {
	const struct config	*cfg;
	struct spool		 spool;
	int			 open;
};

static int
smtp_spool_create(void *arg, struct spool_entry *e, struct mh_err *err)
{
	struct smtp_spool *sp = arg;

	if (!sp->open) {
		if (launch_spool_open(&sp->spool, sp->cfg, err) == -1)
			return -1;
		sp->open = 1;
	}
	return spool_create(&sp->spool, e, err);
}

static int
smtp_spool_rewrite(void *arg, struct spool_entry *e, struct mh_err *err)
{
	struct smtp_spool *sp = arg;

	return spool_rewrite(&sp->spool, e, message_recode, err);
}

static int
smtp_spool_commit(void *arg, struct spool_entry *e, struct mh_err *err)
{
	struct smtp_spool *sp = arg;

	return spool_commit(&sp->spool, e, err);
}

static void
smtp_spool_abort(void *arg, struct spool_entry *e)
{
	struct smtp_spool *sp = arg;

	spool_abort(&sp->spool, e);
}

static void
smtp_spool_release(void *arg, struct spool_entry *e)
{
	(void)arg;
	spool_release(e);
}

/* The replies so far, to stdout.  -1 once stdout is gone. */
static int
smtp_write(struct smtp_session *s, int *gone)
{
	if (*gone || s->out.len == 0)
		return *gone ? -1 : 0;
	if (fsio_write_all(STDOUT_FILENO, s->out.data, s->out.len) == -1) {
		/* The client is gone; what is queued stays queued. */
		*gone = 1;
		return -1;
	}
	buf_reset(&s->out);
	return 0;
}

/*
 * A client that goes silent must not hold a session (and possibly an
 * unfinished spool entry) forever.  RFC 5321 4.5.3.2 suggests 5 minutes
 * for a server; that is 5 x `timeout` here (60s by default), so the one
 * key that bounds every wait on the network bounds this one too.  0 when
 * the client was given up on.
 */
static int
smtp_wait_input(const struct config *cfg, long *waited)
{
	struct pollfd	 pfd;
	long		 t = conf_upstream_default(cfg)->timeout;
	int		 r;

	*waited = 5 * t;
	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, (int)(5 * t * 1000));
	while (r == -1 && errno == EINTR);
	return r != 0;	/* readable, or an error read(2) will report */
}

/* Read and answer until QUIT or EOF.  0, or -1 when input ended badly. */
static int
smtp_loop(struct smtp_session *s, int *gone, struct mh_err *err)
{
	char	*buf;
	ssize_t	 n;
	long	 waited;
	int	 rc = 0;

	buf = xmalloc(SMTP_READ);
	while (s->state != SMTP_S_QUIT) {
		smtp_write(s, gone);
		if (smtp_wait_input(s->cfg, &waited) == 0) {
			smtp_session_idle(s, waited);
			smtp_write(s, gone);
			if (s->state == SMTP_S_DATA)
				rc = mh_err_set(err, EX_IOERR, "-bs: the "
				    "client went silent during DATA; that "
				    "message was not queued");
			break;	/* as at EOF: an open transaction is dropped */
		}
		n = read(STDIN_FILENO, buf, SMTP_READ);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = mh_err_errno(err, EX_IOERR, "-bs: reading "
			    "standard input");
			break;
		}
		if (n > 0) {
			smtp_session_input(s, buf, (size_t)n);
			continue;
		}
		smtp_session_eof(s);
		if (s->state == SMTP_S_DATA)
			rc = mh_err_set(err, EX_IOERR, "-bs: input ended during "
			    "DATA; that message was not queued");
		/* EOF without QUIT: the open transaction is dropped. */
		break;
	}
	free(buf);
	return rc;
}

/*
 * After the session: start a flush like -odb.  With -odi there is no one
 * left to report to once the client has its 221, so that is -odb too.
 * A failure here loses nothing: the mail waits for the next flush.
 */
static void
smtp_deliver(const struct invocation *inv, const struct config *cfg,
    unsigned long nqueued, int flusher_runs)
{
	struct request		 req;
	struct mh_err		 err;
	enum cli_deliver	 d = inv->deliver;

	if (nqueued == 0 || flusher_runs)
		return;
	if (d == CLI_DELIVER_CONFIG)
		d = cfg->deliver == CONF_DELIVER_QUEUE ? CLI_DELIVER_QUEUE :
		    CLI_DELIVER_BACKGROUND;
	if (d == CLI_DELIVER_QUEUE)
		return;
	signal(SIGPIPE, SIG_DFL);
	request_init(&req, REQ_FLUSH);
	req.config = inv->config;
	req.background = 1;
	mh_err_clear(&err);
	(void)launch_background(&req, &err);
}

int
cmd_smtp(const struct invocation *inv, const struct config *cfg,
    struct mh_err *err)
{
	struct smtp_spool	 sp = { .cfg = cfg };
	struct smtp_store	 store = { smtp_spool_create, smtp_spool_rewrite,
				    smtp_spool_commit, smtp_spool_abort,
				    smtp_spool_release, &sp };
	struct smtp_session	*s;
	unsigned long		 nqueued;
	int			 rc, quit, gone = 0, flusher_runs = 0;

	/* A client that hangs up must not kill us between commit and exit. */
	signal(SIGPIPE, SIG_IGN);
	s = smtp_session_new(cfg, inv->fullname, &store);
	rc = smtp_loop(s, &gone, err);
	smtp_write(s, &gone);
	quit = s->state == SMTP_S_QUIT;
	nqueued = s->nqueued;
	smtp_session_free(s);
	if (sp.open) {
		/* A background flusher takes our entries too (cmd_send.c). */
		flusher_runs = spool_flush_busy(&sp.spool);
		spool_close(&sp.spool);
	}
	if (nqueued > 0)
		cmd_warn_no_upstream(cfg);
	smtp_deliver(inv, cfg, nqueued, flusher_runs);
	if (rc == 0 && gone && !quit)
		rc = mh_err_set(err, EX_IOERR, "-bs: standard output closed");
	return rc == -1 ? err->exit : 0;
}
