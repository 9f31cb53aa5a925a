/* SPDX-License-Identifier: MIT */
/*
 * envelope.h - what the spool knows about a message besides its bytes:
 * sender, each recipient with its own state, attempts, next attempt and
 * last reply.  A versioned "key value" text format, parsed strictly: a
 * damaged envelope is reported, never half-loaded.  Pure: no I/O.
 */
#ifndef MH_ENVELOPE_H
#define MH_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "err.h"

#define ENVELOPE_REPLY_MAX	512	/* stored replies are cut to this */
#define ENVELOPE_ID_MAX		48

enum rcpt_state { RCPT_PENDING, RCPT_SENT, RCPT_FAILED };
enum env_state { ENV_QUEUED, ENV_HELD, ENV_FAILED };

struct rcpt {
	char		*addr;		/* final address, validated */
	enum rcpt_state	 state;
	int		 attempts;
	time_t		 next;		/* earliest next attempt; 0: now */
	char		*reply;		/* last server reply (sanitized) or NULL */
};

struct envelope {
	char		 id[ENVELOPE_ID_MAX];
	time_t		 arrival;
	uint64_t	 size;		/* bytes of the message file */
	char		*sender;	/* "" is the null sender <> */
	enum env_state	 state;
	time_t		 failed_at;	/* when it entered ENV_FAILED (failed_keep) */
	int		 is_bounce;	/* a DSN we made: never bounced itself */
	char		*relay;		/* upstream last tried (SPEC 9), or NULL */
	struct rcpt	*rcpts;
	size_t		 nrcpts;
};

void	envelope_init(struct envelope *);
void	envelope_free(struct envelope *);
/*
 * Fill a new entry's envelope before spool_commit(), for every path that
 * queues (sendmail mode, -bs, bounces): the sender (copied; NULL or "" is
 * the null sender) replaces any set before, and the n recipients (copied)
 * are appended as pending.
 */
void	envelope_fill(struct envelope *, const char *sender,
	    char *const *rcpts, size_t n);
/* Append a pending recipient (copied). */
void	envelope_add_rcpt(struct envelope *, const char *);
/*
 * Store a reply: through text_show(TEXT_SPACE) (runs of controls are one
 * space, C1 and bidi controls '?'), cut to ENVELOPE_REPLY_MAX bytes.
 */
void	envelope_set_reply(struct rcpt *, const char *);
/* Number of recipients in the given state. */
size_t	envelope_count(const struct envelope *, enum rcpt_state);
/* Earliest next attempt among pending recipients (0 if none is pending). */
time_t	envelope_next(const struct envelope *);

/* Serialize; the output ends with an "end" line so truncation is detected. */
int	envelope_format(const struct envelope *, struct buf *);
/*
 * Parse; -1 with EX_DATAERR-style message on any damage.  The sender and
 * every recipient must pass addr_check(), as at the front end: an edited
 * envelope cannot carry what would change the SMTP dialogue.
 */
int	envelope_parse(const char *, size_t, struct envelope *, struct mh_err *);

const char *envelope_state_name(enum env_state);
const char *rcpt_state_name(enum rcpt_state);

#endif
