/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the sendmail command line (SPEC §2) parsed into a struct
 * invocation.  Pure: strings point into argv, nothing is allocated, nothing
 * is printed; a bad option is EX_USAGE naming it.
 */
#ifndef MH_CLI_H
#define MH_CLI_H

#include "err.h"

enum cli_mode {
	CLI_SEND,		/* -bm (default): read a message and queue it */
	CLI_SMTP,		/* -bs */
	CLI_LIST,		/* -bp, mailq */
	CLI_VERIFY,		/* -bv */
	CLI_NEWALIASES,		/* -bi, newaliases */
	CLI_FLUSH,		/* -q, -qR, -qS, -qI */
	CLI_HELP,		/* --help: print cli_help */
};

enum cli_deliver {
	CLI_DELIVER_CONFIG,	/* no -od option: [queue] deliver decides */
	CLI_DELIVER_BACKGROUND,	/* -odb */
	CLI_DELIVER_FOREGROUND,	/* -odi */
	CLI_DELIVER_QUEUE,	/* -odq */
};

struct invocation {
	enum cli_mode	 mode;
	int		 extract;	/* -t */
	int		 ignore_dots;	/* -i, -oi */
	const char	*sender;	/* -f / -r as given; NULL if absent */
	const char	*fullname;	/* -F */
	const char	*config;	/* -C */
	enum cli_deliver deliver;
	int		 verbose;	/* -v */
	const char	*q_id;		/* -qI */
	const char	*q_rcpt;	/* -qR */
	const char	*q_sender;	/* -qS */
	char *const	*rcpts;		/* arguments after the options */
	int		 nrcpts;
};

/* What `sendmail --help` prints: the synopsis and one line per option. */
extern const char cli_help[];

/* argv[0] is skipped; parsing starts at argv[1]. */
int	cli_parse(int argc, char *const argv[], struct invocation *, struct mh_err *);

#endif
