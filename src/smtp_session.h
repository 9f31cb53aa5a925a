/* SPDX-License-Identifier: MIT */
/*
 * smtp_session.h - the server side of RFC 5321 that sendmail -bs speaks,
 * as a machine with no I/O of its own: the caller pushes the client's
 * bytes in and takes the replies out, and accepted messages go to a store
 * the caller provides (the spool for cmd_smtp.c, memory for the fuzzer).
 * What it promises: a 250 to a final dot only after the store committed
 * the message; every refusal leaves nothing stored and the session usable;
 * only <CR><LF>.<CR><LF> ends DATA; replies are printable ASCII lines.
 */
#ifndef MH_SMTP_SESSION_H
#define MH_SMTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "message.h"
#include "spool.h"

#define SMTP_INBUF	65536	/* input buffer; longer DATA lines come in pieces */
#define SMTP_CMD_MAX	2048	/* longest command line (RFC 5321 says 512) */
#define SMTP_TEXT_MAX	400	/* longest text quoted back in a reply */

enum smtp_state {
	SMTP_S_INIT,		/* greeted, no HELO/EHLO yet */
	SMTP_S_READY,		/* HELO/EHLO done, no transaction */
	SMTP_S_MAIL,		/* MAIL accepted, no recipient yet */
	SMTP_S_RCPT,		/* at least one recipient accepted */
	SMTP_S_DATA,		/* reading the message after 354 */
	SMTP_S_QUIT,		/* QUIT answered, or given up on (421) */
	SMTP_NSTATES
};

/*
 * Where messages go.  Each function gets arg; errors fill err (the reply
 * is 451 unless err->exit is EX_DATAERR).  create: a new entry with its
 * message file open in e->msgfd (e is zeroed).  rewrite: replace the
 * message with message_recode()'s copy (lines over 998).  commit: make it
 * durable (e->env is filled) or leave nothing.  abort: drop an entry that
 * was not committed.  release: let a committed entry go.
 */
struct smtp_store {
	int	(*create)(void *, struct spool_entry *, struct mh_err *);
	int	(*rewrite)(void *, struct spool_entry *, struct mh_err *);
	int	(*commit)(void *, struct spool_entry *, struct mh_err *);
	void	(*abort)(void *, struct spool_entry *);
	void	(*release)(void *, struct spool_entry *);
	void	*arg;
};

struct smtp_session {
	const struct config	*cfg;
	const char		*fullname;	/* -F, or NULL */
	const struct smtp_store	*store;
	enum smtp_state		 state;
	struct buf		 out;		/* replies not yet taken */
	unsigned long		 nqueued;	/* messages committed */
	/* the rest is smtp_session.c's */
	char			 in[SMTP_INBUF + 1];	/* lines, handed out in place
						   (+ 1: room for a NUL) */
	size_t			 ipos, ilen;
	int			 eof;		/* the input ended */
	int			 eof_line;	/* this line ended at EOF, not LF */
	int			 skip_line;	/* discarding an over-long command */
	int			 crlf;		/* the last line ended in CRLF */
	char			*sender;	/* "" is the null sender */
	struct addr_list	 rcpts;		/* after alias expansion */
	struct spool_entry	 entry;
	struct message_opts	 mopts;
	struct message		 msg;
	int			 in_msg;	/* entry and msg are live */
	int			 data_bol;	/* next DATA byte starts a line */
	uint64_t		 data_size;	/* bytes received, CRLF form */
	int			 data_code;	/* refusal decided during DATA */
	char			 data_text[SMTP_TEXT_MAX];
};

/* A session whose greeting (220) is already in out.  store outlives it. */
struct smtp_session *smtp_session_new(const struct config *,
	    const char *fullname, const struct smtp_store *);
/* The client's bytes, any amount; replies are appended to out. */
void	smtp_session_input(struct smtp_session *, const char *, size_t);
/*
 * The client's input ended: a last line without LF is taken as it is.
 * state tells what was left open (SMTP_S_DATA: a message was cut short;
 * it is dropped by smtp_session_free()).
 */
void	smtp_session_eof(struct smtp_session *);
/*
 * The client went silent for seconds: 421, and no more input is taken.
 * state is left as it was (SMTP_S_DATA: a message was cut short).
 */
void	smtp_session_idle(struct smtp_session *, long seconds);
/* Drop whatever is open (an unfinished message is never stored); free. */
void	smtp_session_free(struct smtp_session *);

#endif
