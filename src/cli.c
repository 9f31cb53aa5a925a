/* SPDX-License-Identifier: MIT */
/*
 * cli.c - the sendmail command line (SPEC §2).  Pure: no I/O, no
 * allocation; every string in the result points into argv.
 *
 * Parsing follows Postfix's sendmail on Linux, which calls getopt() with a
 * leading "+": options bundle ("-ti", "-tf addr"), an option that takes a
 * value takes the rest of its word or else the next word ("-faddr",
 * "-f addr"), "--" ends the options, and so does the first word that is
 * not an option.  There is no permutation: in "sendmail bob -f x" the
 * words "-f" and "x" are recipients, never options.  That matters when a
 * web application puts user input after its own options.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define CLI_USAGE	"usage: sendmail [-t] [-i] [-f sender] [-F name] " \
	"[-C file] [-bm|-bp|-bs|-bv|-bi] [-odb|-odi|-odq] [-q[time]] [-v] " \
	"[--] recipient..."

const char cli_help[] =
CLI_USAGE "\n"
"  -t           take recipients from To, Cc and Bcc (arguments are added)\n"
"  -i, -oi      a line with a lone \".\" does not end the message\n"
"  -f, -r ADDR  envelope sender (-f \"<>\": the null sender)\n"
"  -F NAME      full name for a From: header that mailhop adds\n"
"  -C FILE      use FILE as the only configuration file\n"
"  -bm          read a message on stdin and queue it (the default)\n"
"  -bp          list the queue (= mailq)\n"
"  -bs          speak SMTP on stdin and stdout\n"
"  -bv          print each recipient's final address; queue nothing\n"
"  -bi          the same as newaliases\n"
"  -odb         after queueing, deliver in the background (the default)\n"
"  -odi         after queueing, deliver now, report on stderr; exit 0\n"
"  -odq         only queue\n"
"  -q           deliver the whole queue now, whatever the retry times;\n"
"               -qR DOMAIN, -qS SENDER, -qI ID: only those entries\n"
"  -v           with -odi or -q: the SMTP dialogue on stderr, masked\n"
"Other sendmail options are accepted and ignored.  mailhop --help lists\n"
"the sub-commands; mailhop(8) has the rest.\n";

/* Letters that take a value: the rest of the word, else the next word. */
static const char cli_with_value[] = "ABCFLNORVXbfhor";
/* Letters accepted and ignored (SPEC §2) besides the -X family above. */
static const char cli_ignored_flags[] = "nUGm";

static int
cli_usage(struct mh_err *err, const char *fmt, const char *what)
{
	char	 msg[MH_ERR_MSG];
	int	 n;

	n = snprintf(msg, sizeof(msg), fmt, what);
	if (n < 0)
		msg[0] = '\0';
	return mh_err_set(err, EX_USAGE, "%s (" CLI_USAGE ")", msg);
}

static int
cli_unknown(struct mh_err *err, const char *word, int c)
{
	char	 opt[3];

	if (word[1] == '-')
		return cli_usage(err, "unknown option \"%.64s\"", word);
	opt[0] = '-';
	opt[1] = (char)c;
	opt[2] = '\0';
	return cli_usage(err, "unknown option \"%s\"", opt);
}

/* "15m", "1h30m", "30": the interval sendmail -q takes. */
static int
cli_is_interval(const char *s)
{
	if (*s < '0' || *s > '9')
		return 0;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s != '\0' && strchr("smhdw", *s) != NULL)
			s++;
	}
	return 1;
}

/* -b MODE */
static int
cli_opt_b(struct invocation *inv, const char *v, struct mh_err *err)
{
	if (v[0] == '\0' || v[1] != '\0')
		return cli_usage(err, "unknown option \"-b%.32s\"", v);
	switch (v[0]) {
	case 'm':
		inv->mode = CLI_SEND;
		return 0;
	case 'p':
		inv->mode = CLI_LIST;
		return 0;
	case 's':
		inv->mode = CLI_SMTP;
		return 0;
	case 'v':
		inv->mode = CLI_VERIFY;
		return 0;
	case 'i':
		inv->mode = CLI_NEWALIASES;
		return 0;
	case 'd':
	case 'D':
		return mh_err_set(err, EX_USAGE,
		    "mailhop does not run as a daemon (-b%c)", v[0]);
	}
	return cli_usage(err, "unknown option \"-b%.32s\"", v);
}

/* -o X...: -oi and -od? mean something, every other -oX is ignored. */
static void
cli_opt_o(struct invocation *inv, const char *v)
{
	if (strcmp(v, "i") == 0) {
		inv->ignore_dots = 1;
		return;
	}
	if (v[0] != 'd' || v[1] == '\0' || v[2] != '\0')
		return;
	switch (v[1]) {
	case 'b':
		inv->deliver = CLI_DELIVER_BACKGROUND;
		break;
	case 'i':
		inv->deliver = CLI_DELIVER_FOREGROUND;
		break;
	case 'q':
	case 'd':	/* sendmail's "deferred": queue only */
		inv->deliver = CLI_DELIVER_QUEUE;
		break;
	}
}

/*
 * -q[time], -qR SUBSTR, -qS SUBSTR, -qI ID.  The value of R, S and I may
 * be attached or the next word; *used tells the caller which.
 */
static int
cli_opt_q(struct invocation *inv, const char *rest, const char *next,
    int *used, struct mh_err *err)
{
	const char	**dst;
	const char	*v;

	*used = 0;
	inv->mode = CLI_FLUSH;
	if (rest[0] == '\0' || cli_is_interval(rest))
		return 0;
	if (rest[0] == 'R')
		dst = &inv->q_rcpt;
	else if (rest[0] == 'S')
		dst = &inv->q_sender;
	else if (rest[0] == 'I')
		dst = &inv->q_id;
	else
		return cli_usage(err, "unknown option \"-q%.32s\"", rest);
	v = rest + 1;
	if (*v == '\0') {
		if (next == NULL)
			return cli_usage(err,
			    "option \"-q%.1s\" requires an argument", rest);
		v = next;
		*used = 1;
	}
	if (*v == '\0')
		return cli_usage(err, "option \"-q%.1s\" requires a value",
		    rest);
	*dst = v;
	return 0;
}

/* An option letter that takes a value. */
static int
cli_opt_value(struct invocation *inv, int c, const char *v,
    struct mh_err *err)
{
	switch (c) {
	case 'b':
		return cli_opt_b(inv, v, err);
	case 'o':
		cli_opt_o(inv, v);
		return 0;
	case 'f':
	case 'r':
		inv->sender = v;
		return 0;
	case 'F':
		inv->fullname = v;
		return 0;
	case 'C':
		inv->config = v;
		return 0;
	}
	/* -A -B -L -N -O -R -V -X -h: accepted, no effect. */
	return 0;
}

/* A flag letter (no value).  1 if c is not one. */
static int
cli_opt_flag(struct invocation *inv, int c)
{
	switch (c) {
	case 't':
		inv->extract = 1;
		return 0;
	case 'i':
		inv->ignore_dots = 1;
		return 0;
	case 'v':
		inv->verbose = 1;
		return 0;
	}
	if (strchr(cli_ignored_flags, c) != NULL)
		return 0;
	return 1;
}

/*
 * One word that starts with '-'.  Returns the number of extra words used
 * (0 or 1), or -1.
 */
static int
cli_word(struct invocation *inv, const char *w, const char *next,
    struct mh_err *err)
{
	const char	*p, *v;
	int		 used;

	for (p = w + 1; *p != '\0'; p++) {
		if (*p == 'q') {
			if (cli_opt_q(inv, p + 1, next, &used, err) == -1)
				return -1;
			return used;
		}
		if (*p != ':' && strchr(cli_with_value, *p) != NULL) {
			v = p + 1;
			used = 0;
			if (*v == '\0') {
				if (next == NULL)
					return cli_usage(err, "option \"-%.1s\" "
					    "requires an argument", p);
				v = next;
				used = 1;
			}
			if (cli_opt_value(inv, *p, v, err) == -1)
				return -1;
			return used;
		}
		if (cli_opt_flag(inv, *p) != 0)
			return cli_unknown(err, w, *p);
	}
	return 0;
}

/* Modes other than sending do not take recipients (as in Postfix). */
static int
cli_check(const struct invocation *inv, struct mh_err *err)
{
	static const char *const names[] = {
		[CLI_SEND] = "-bm", [CLI_SMTP] = "-bs", [CLI_LIST] = "-bp",
		[CLI_VERIFY] = "-bv", [CLI_NEWALIASES] = "-bi",
		[CLI_FLUSH] = "-q",
	};

	if (inv->nrcpts == 0 || inv->mode == CLI_SEND ||
	    inv->mode == CLI_VERIFY)
		return 0;
	return mh_err_set(err, EX_USAGE, "%s takes no recipients "
	    "(first one: \"%.64s\")", names[inv->mode], inv->rcpts[0]);
}

int
cli_parse(int argc, char *const argv[], struct invocation *inv,
    struct mh_err *err)
{
	int	 i, used;

	memset(inv, 0, sizeof(*inv));
	inv->mode = CLI_SEND;
	inv->deliver = CLI_DELIVER_CONFIG;
	for (i = 1; i < argc && argv[i] != NULL; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0) {
			inv->mode = CLI_HELP;
			return 0;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		used = cli_word(inv, argv[i],
		    i + 1 < argc ? argv[i + 1] : NULL, err);
		if (used == -1)
			return -1;
		i += used;
	}
	if (i > argc)
		i = argc;
	inv->rcpts = argv + i;
	inv->nrcpts = argc - i;
	/* argv may be shorter than argc claims: count up to the NULL. */
	for (i = 0; i < inv->nrcpts; i++)
		if (inv->rcpts[i] == NULL) {
			inv->nrcpts = i;
			break;
		}
	return cli_check(inv, err);
}
