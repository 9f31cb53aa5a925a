/* SPDX-License-Identifier: MIT */
/*
 * request.h - what the front end asks of mailhop-deliver, as one typed
 * struct.  The front end fills a struct request and starts the helper
 * with request_encode()'s argv (launch.c); the helper gets the same
 * struct back from request_decode() (deliver_main.c) and hands it to
 * deliver_run().  Nothing else builds or parses the helper's argv.
 *
 * The argv is the only channel: the helper may run set-id, so it takes
 * nothing from the environment, and it treats the argv as untrusted (any
 * user can run the helper by hand).  Decoding checks syntax only (known
 * operation, known option, a value where one is needed); what a caller
 * may ask for (--all is root's, --name must be the caller's own) is the
 * helper's decision, and --spool is opened only with the caller's rights.
 *
 * To add a field: a member below and one row in request.c's field table.
 * To add an operation: an enum value and one row in request.c's op table,
 * then the rows of the fields it takes.
 */
#ifndef MH_REQUEST_H
#define MH_REQUEST_H

#include <stddef.h>

#include "err.h"

enum request_op {
	REQ_FLUSH,		/* deliver queued mail */
	REQ_TEST,		/* connect, TLS, AUTH; send nothing */
	REQ_OAUTH_LOGIN,	/* `mailhop oauth login [NAME]` (oauth_login.h) */
	REQ_MKSPOOL,		/* make the caller's directory in the system
				 * spool root (only the set-id helper can) */
	REQ_NOPS
};

struct request {
	enum request_op	 op;
	const char	*config;	/* -C FILE or MAILHOP_CONFIG; NULL: defaults */
	int		 verbose;	/* -v: SMTP dialogue on stderr, masked */
	/* REQ_FLUSH */
	const char	*only_id;	/* -qI: this entry, whatever its retry time */
	const char	*rcpt_domain;	/* -qR: recipients whose domain contains it */
	const char	*sender_substr;	/* -qS: senders containing it */
	int		 force;		/* sendmail -q: ignore next-attempt times */
	int		 background;	/* -odb: skip if another flusher runs */
	int		 report;	/* -odi: outcome per recipient on stderr */
	int		 watch;		/* flush --watch: deliver until a signal */
	int		 all;		/* flush --all (root): every user's spool;
					 * test --all: every upstream */
	const char	*spool;		/* this spool directory, not the
					 * configured one (flush --all's children) */
	/* REQ_MKSPOOL */
	const char	*name;		/* the directory's name: the caller's
					 * user name or uid */
	/* REQ_OAUTH_LOGIN, REQ_TEST */
	const char	*upstream;	/* NAME; NULL: [upstream] ("default") */
};

/* Room for any encoded request: argv[0], every option with its value, NULL. */
#define REQUEST_ARGV_MAX	32

/* A request for op with every field unset. */
void	request_init(struct request *, enum request_op);
/* The operation's name on the helper's command line ("flush", "test"). */
const char *request_op_name(enum request_op);
/*
 * Fill av (REQUEST_ARGV_MAX slots) with argv0, the request and a NULL.
 * The strings are argv0's and req's: av lives no longer than they do.
 * EX_SOFTWARE if a field is set that its operation does not take.
 */
int	request_encode(const struct request *, const char *argv0, char *av[],
	    struct mh_err *);
/*
 * Parse the helper's argv (argv[0] skipped) into req; strings point into
 * argv.  EX_USAGE naming the word at fault.
 */
int	request_decode(struct request *, int argc, char *const argv[],
	    struct mh_err *);

#endif
