/* SPDX-License-Identifier: MIT */
/*
 * main.c - dispatch on argv[0] and on the mailhop sub-command, then turn a
 * struct mh_err into "mailhop: ..." and a sysexits code.  The only file
 * that calls exit(); everything it calls returns.
 *
 * The sub-commands are one table, main_cmds: its rows say what each takes
 * and `mailhop --help` is printed from them.  A new sub-command is a row
 * and a function; a new option is a MO_ bit and a row in main_opts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "conf.h"
#include "err.h"
#include "launch.h"
#include "request.h"
#include "xmem.h"

/* What a sub-command takes or needs: main_cmds' flags column. */
enum {
	MO_VERBOSE = 1 << 0,	/* -v */
	MO_JSON = 1 << 1,	/* --json */
	MO_WATCH = 1 << 2,	/* --watch */
	MO_ALL = 1 << 3,	/* --all: every user's spool (root) */
	MC_CONF = 1 << 8,	/* load the configuration before the call */
	MC_RAW = 1 << 9,	/* no option parsing: the words as given */
};

static const struct main_opt {
	const char	*name;
	int		 bit;
} main_opts[] = {
	{ "-v",		MO_VERBOSE },
	{ "--json",	MO_JSON },
	{ "--watch",	MO_WATCH },
	{ "--all",	MO_ALL },
};

/* A sub-command's words, sorted out. */
struct main_args {
	const char	*config;	/* mailhop -C FILE */
	int		 opts;		/* MO_* given (also mailhop -v) */
	char *const	*argv;		/* operands; MC_RAW: every word from
					 * the command's name on */
	int		 argc;
};

typedef int main_fn(const struct main_args *, const struct config *,
    struct mh_err *);

static main_fn	main_send, main_flush, main_queue, main_show, main_delete,
		main_hold, main_release, main_test, main_config, main_oauth;

static const struct main_cmd {
	const char	*name;
	const char	*args;		/* synopsis, for --help and errors */
	main_fn		*fn;		/* cfg is NULL without MC_CONF */
	const char	*usage;		/* for --help; NULL: not listed */
	int		 flags;		/* MO_* it takes, MC_* */
	int		 min, max;	/* operands; max -1: any number */
} main_cmds[] = {
	{ "send", "[sendmail options] [recipient ...]", main_send,
	    "read a message and queue it (= sendmail)", MC_RAW, 0, -1 },
	{ "sendmail", "[sendmail options] [recipient ...]", main_send,
	    NULL, MC_RAW, 0, -1 },
	{ "flush", "[-v] [--watch] [--all]", main_flush,
	    "deliver what is due (--watch: and keep delivering; --all: "
	    "every user's, root)", MO_VERBOSE | MO_WATCH | MO_ALL, 0, 0 },
	{ "queue", "[--json] [--all]", main_queue,
	    "list the queue (= mailq; root sees every user's)",
	    MC_CONF | MO_JSON | MO_ALL, 0, 0 },
	{ "list", "[--json] [--all]", main_queue,
	    "the same as queue", MC_CONF | MO_JSON | MO_ALL, 0, 0 },
	{ "show", "ID", main_show,
	    "print an entry's envelope and message", MC_CONF, 1, 1 },
	{ "delete", "ID...", main_delete,
	    "remove entries from the queue", MC_CONF, 1, -1 },
	{ "hold", "ID...", main_hold,
	    "keep entries from being delivered", MC_CONF, 1, -1 },
	{ "release", "ID...", main_release,
	    "let held entries be delivered again", MC_CONF, 1, -1 },
	{ "test", "[-v] [NAME | --all]", main_test,
	    "connect, TLS, AUTH; send nothing (an upstream, or each one)",
	    MO_VERBOSE | MO_ALL, 0, 1 },
	{ "config", "", main_config,
	    "print the effective configuration", MC_CONF, 0, 0 },
	{ "oauth", "login [NAME]", main_oauth,
	    "sign in to an upstream's OAuth2 provider", 0, 1, 2 },
};
#define MAIN_NCMDS	(sizeof(main_cmds) / sizeof(main_cmds[0]))

/* "name args", or the name alone when it takes nothing. */
static void
main_cmd_synopsis(const struct main_cmd *c, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", c->name, c->args[0] != '\0' ? " " : "",
	    c->args);
}

static void
main_help(void)
{
	char	 left[80];
	size_t	 i;

	fputs("usage: mailhop [-C file] [-v] command [args]\n", stdout);
	for (i = 0; i < MAIN_NCMDS; i++) {
		if (main_cmds[i].usage == NULL)
			continue;
		main_cmd_synopsis(&main_cmds[i], left, sizeof(left));
		printf("  %-40s  %s\n", left, main_cmds[i].usage);
	}
	fputs("  --help, --version\n"
	    "Invoked as sendmail, mailq or newaliases it behaves as those "
	    "(sendmail --help); see mailhop(8).\n", stdout);
}

static const char *
main_basename(const char *s)
{
	const char	*p;

	p = strrchr(s, '/');
	return p == NULL ? s : p + 1;
}

/* Run a request in the delivery helper, in place of this process. */
static int
main_helper(const struct request *req, struct mh_err *err)
{
	launch_exec(req, err);
	return err->exit;
}

/*
 * sendmail -q, -qR, -qS, -qI: deliver now, whatever the retry times
 * (Postfix's postqueue -f); `mailhop flush` takes only what is due.
 */
static int
main_sendmail_flush(const struct invocation *inv, struct mh_err *err)
{
	struct request	 req;

	request_init(&req, REQ_FLUSH);
	req.force = 1;
	/*
	 * Root's sendmail -q: every user's spool, as flush --all (SPEC 8);
	 * with -C, the spool of that configuration alone.
	 */
	req.all = getuid() == 0 && inv->config == NULL;
	req.config = inv->config;
	req.verbose = inv->verbose;
	req.only_id = inv->q_id;
	req.rcpt_domain = inv->q_rcpt;
	req.sender_substr = inv->q_sender;
	return main_helper(&req, err);
}

/*
 * sendmail(8) personality: argv is the sendmail command line.  mode, when
 * not -1, is forced (mailq is sendmail -bp whatever else it is given, so
 * that `mailq -C file` works).
 */
static int
main_sendmail(int argc, char *const argv[], int mode, struct mh_err *err)
{
	struct invocation	 inv;
	struct config		 cfg;
	int			 rc;

	if (cli_parse(argc, argv, &inv, err) == -1)
		return err->exit;
	if (inv.mode == CLI_HELP) {
		fputs(cli_help, stdout);
		return 0;
	}
	if (mode != -1)
		inv.mode = mode;
	if (inv.mode == CLI_FLUSH) {
		/* The helper loads the configuration itself. */
		return main_sendmail_flush(&inv, err);
	}
	conf_init(&cfg);
	if (conf_load(&cfg, inv.config, inv.config != NULL, err) == -1) {
		conf_free(&cfg);
		return err->exit;
	}
	switch (inv.mode) {
	case CLI_SMTP:
		rc = cmd_smtp(&inv, &cfg, err);
		break;
	case CLI_LIST:
		rc = cmd_queue_list(&cfg, 0, err);
		break;
	case CLI_VERIFY:
		rc = cmd_verify(&inv, &cfg, err);
		break;
	case CLI_NEWALIASES:
		rc = cmd_newaliases(&cfg, err);
		break;
	default:
		rc = cmd_send(&inv, &cfg, err);
		break;
	}
	conf_free(&cfg);
	return rc;
}

/* ---- the sub-commands, in main_cmds' order ------------------------ */

static int
main_send(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	(void)cfg;
	if (a->config != NULL)
		return mh_err_set(err, EX_USAGE, "send: give -C after "
		    "\"send\", as sendmail does") == -1 ? EX_USAGE : 0;
	return main_sendmail(a->argc, a->argv, -1, err);
}

static int
main_flush(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	struct request	 req;

	(void)cfg;
	request_init(&req, REQ_FLUSH);
	req.config = a->config;
	req.verbose = (a->opts & MO_VERBOSE) != 0;
	req.watch = (a->opts & MO_WATCH) != 0;
	req.all = (a->opts & MO_ALL) != 0;
	return main_helper(&req, err);
}

static int
main_queue(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	/* Root sees every spool anyway; --all says so, and only root may. */
	if ((a->opts & MO_ALL) && getuid() != 0)
		return mh_err_set(err, EX_NOPERM, "queue --all: only root sees "
		    "every user's queue") == -1 ? EX_NOPERM : 0;
	return cmd_queue_list(cfg, (a->opts & MO_JSON) != 0, err);
}

static int
main_show(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	return cmd_queue_show(cfg, a->argv[0], err);
}

static int
main_delete(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	return cmd_queue_delete(cfg, a->argv, a->argc, err);
}

static int
main_hold(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	return cmd_queue_hold(cfg, a->argv, a->argc, 1, err);
}

static int
main_release(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	return cmd_queue_hold(cfg, a->argv, a->argc, 0, err);
}

static int
main_test(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	struct request	 req;

	(void)cfg;
	request_init(&req, REQ_TEST);
	req.config = a->config;
	req.verbose = (a->opts & MO_VERBOSE) != 0;
	req.all = (a->opts & MO_ALL) != 0;
	req.upstream = a->argc > 0 ? a->argv[0] : NULL;
	if (req.all && req.upstream != NULL)
		return mh_err_set(err, EX_USAGE, "test: give a NAME or --all, "
		    "not both (usage: mailhop test [-v] [NAME | --all])") == -1 ?
		    EX_USAGE : 0;
	return main_helper(&req, err);
}

/* oauth login [NAME]: the login runs in the helper (libcurl, json-c). */
static int
main_oauth(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	struct request	 req;

	(void)cfg;
	if (strcmp(a->argv[0], "login") != 0)
		return mh_err_set(err, EX_USAGE, "oauth: unknown sub-command "
		    "\"%.64s\" (usage: mailhop oauth login [NAME])",
		    a->argv[0]) == -1 ? EX_USAGE : 0;
	request_init(&req, REQ_OAUTH_LOGIN);
	req.config = a->config;
	req.upstream = a->argc > 1 ? a->argv[1] : NULL;
	return main_helper(&req, err);
}

static int
main_config(const struct main_args *a, const struct config *cfg,
    struct mh_err *err)
{
	(void)a;
	return cmd_config(cfg, err);
}

/* ---- dispatch ----------------------------------------------------- */

/* "NAME: WHAT "WORD" (usage: mailhop NAME ARGS)"; word may be NULL. */
static int
main_cmd_usage(const struct main_cmd *c, const char *what,
    const char *word, struct mh_err *err)
{
	char	 syn[80];

	main_cmd_synopsis(c, syn, sizeof(syn));
	if (word == NULL)
		mh_err_set(err, EX_USAGE, "%s: %s (usage: mailhop %s)",
		    c->name, what, syn);
	else
		mh_err_set(err, EX_USAGE, "%s: %s \"%.64s\" (usage: "
		    "mailhop %s)", c->name, what, word, syn);
	return EX_USAGE;
}

static const struct main_opt *
main_opt_find(const char *w)
{
	size_t	 i;

	for (i = 0; i < sizeof(main_opts) / sizeof(main_opts[0]); i++)
		if (strcmp(main_opts[i].name, w) == 0)
			return &main_opts[i];
	return NULL;
}

/*
 * Sort words (after the command's name) into options, which may come
 * anywhere before "--", and operands, which are moved to the front of
 * ops.  Checks them against the row.
 */
static int
main_cmd_args(const struct main_cmd *c, int argc, char *const argv[],
    char **ops, struct main_args *a, struct mh_err *err)
{
	const struct main_opt	*o;
	int			 i, dashdash = 0;

	a->argc = 0;
	for (i = 0; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (dashdash || argv[i][0] != '-' || argv[i][1] == '\0') {
			ops[a->argc++] = argv[i];
			continue;
		}
		o = main_opt_find(argv[i]);
		if (o == NULL || !(c->flags & o->bit))
			return main_cmd_usage(c, "unknown option", argv[i],
			    err);
		a->opts |= o->bit;
	}
	ops[a->argc] = NULL;
	a->argv = ops;
	if (a->argc < c->min || (c->max != -1 && a->argc > c->max))
		return main_cmd_usage(c, a->argc < c->min ? "missing "
		    "argument" : "unexpected argument", a->argc < c->min ?
		    NULL : ops[c->max], err);
	return 0;
}

static int
main_cmd_run(const struct main_cmd *c, struct main_args *a, int argc,
    char *const argv[], struct mh_err *err)
{
	struct config	 cfg;
	char		**ops;
	int		 rc;

	if (c->flags & MC_RAW) {
		a->argc = argc;
		a->argv = argv;
		return c->fn(a, NULL, err);
	}
	ops = xcalloc((size_t)argc + 1, sizeof(*ops));
	rc = main_cmd_args(c, argc - 1, argv + 1, ops, a, err);
	if (rc == 0 && !(c->flags & MC_CONF))
		rc = c->fn(a, NULL, err);
	else if (rc == 0) {
		conf_init(&cfg);
		if (conf_load(&cfg, a->config, a->config != NULL, err) == -1)
			rc = err->exit;
		else
			rc = c->fn(a, &cfg, err);
		conf_free(&cfg);
	}
	free(ops);
	return rc;
}

/* mailhop [-C file] [-v] command [args] */
static int
main_mailhop(int argc, char *const argv[], struct mh_err *err)
{
	struct main_args	 a;
	size_t			 n;
	int			 i = 1;

	memset(&a, 0, sizeof(a));
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			a.config = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "-v") == 0) {
			a.opts |= MO_VERBOSE;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			main_help();
			return 0;
		} else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("mailhop %s\n", PACKAGE_VERSION);
			return 0;
		} else
			return mh_err_set(err, EX_USAGE,
			    "unknown option \"%s\" (see mailhop --help)",
			    argv[i]) == -1 ? EX_USAGE : 0;
	}
	if (i >= argc)
		return mh_err_set(err, EX_USAGE,
		    "no command given (see mailhop --help)") == -1 ?
		    EX_USAGE : 0;
	for (n = 0; n < MAIN_NCMDS; n++)
		if (strcmp(argv[i], main_cmds[n].name) == 0)
			return main_cmd_run(&main_cmds[n], &a, argc - i,
			    argv + i, err);
	return mh_err_set(err, EX_USAGE, "unknown command \"%.64s\" (see "
	    "mailhop --help)", argv[i]) == -1 ? EX_USAGE : 0;
}

int
main(int argc, char *argv[])
{
	struct mh_err	 err;
	const char	*name;
	int		 rc;
	char		*alias_argv[] = { "newaliases", "-bi", NULL };

	mh_err_clear(&err);
	name = argc > 0 ? main_basename(argv[0]) : "mailhop";
	if (strcmp(name, "mailq") == 0)
		rc = main_sendmail(argc, argv, CLI_LIST, &err);
	else if (strcmp(name, "newaliases") == 0)
		rc = main_sendmail(2, alias_argv, -1, &err);
	else if (strncmp(name, "mailhop", 7) == 0 && name[7] == '\0')
		rc = main_mailhop(argc, argv, &err);
	else
		rc = main_sendmail(argc, argv, -1, &err);
	if (rc != 0 && err.msg[0] != '\0')
		fprintf(stderr, "mailhop: %s\n", err.msg);
	if (fflush(stdout) == EOF && rc == 0)
		rc = EX_IOERR;
	return rc;
}
