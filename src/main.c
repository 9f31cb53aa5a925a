/* SPDX-License-Identifier: MIT */
/*
 * main.c - dispatch on argv[0] and on the mailhop sub-command, then turn a
 * struct mh_err into "mailhop: ..." and a sysexits code.  The only file
 * that calls exit(); everything it calls returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cmd.h"
#include "conf.h"
#include "err.h"
#include "launch.h"


static int	main_sendmail(int, char *const[], int, struct mh_err *);

static const char usage_text[] =
"usage: mailhop [-C file] command [args]\n"
"  send [sendmail options] [recipient ...]   read a message and queue it\n"
"  flush [-v]                                deliver what is due (= sendmail -q)\n"
"  queue [--json] | list                     list the queue (= mailq)\n"
"  show ID                                   print an entry's envelope and message\n"
"  delete ID...  hold ID...  release ID...   manage entries\n"
"  test [-v]                                 connect, TLS, AUTH; send nothing\n"
"  config                                    print the effective configuration\n"
"  --help, --version\n"
"Invoked as sendmail, mailq or newaliases it behaves as those; see mailhop(8).\n";

static const char *
main_basename(const char *s)
{
	const char	*p;

	p = strrchr(s, '/');
	return p == NULL ? s : p + 1;
}

/* Run a delivery-helper command in place of this process. */
static int
main_helper(const char *config, int verbose, char *const args[],
    struct mh_err *err)
{
	launch_exec(config, verbose, args, err);
	return err->exit;
}

static int
main_flush(const struct invocation *inv, struct mh_err *err)
{
	char	*args[10];
	int	 n = 0;

	args[n++] = "flush";
	if (inv->q_id != NULL) {
		args[n++] = "-I";
		args[n++] = (char *)inv->q_id;
	}
	if (inv->q_rcpt != NULL) {
		args[n++] = "-R";
		args[n++] = (char *)inv->q_rcpt;
	}
	if (inv->q_sender != NULL) {
		args[n++] = "-S";
		args[n++] = (char *)inv->q_sender;
	}
	args[n] = NULL;
	return main_helper(inv->config, inv->verbose, args, err);
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
	if (mode != -1)
		inv.mode = mode;
	if (inv.mode == CLI_FLUSH) {
		/* The helper loads the configuration itself. */
		return main_flush(&inv, err);
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

/* Sub-commands that need only the configuration. */
static int
main_subcommand(const char *config, const char *cmd, int argc,
    char *const argv[], struct mh_err *err)
{
	struct config	 cfg;
	int		 rc, json = 0;

	if (strcmp(cmd, "queue") == 0 && argc == 1 &&
	    strcmp(argv[0], "--json") == 0) {
		json = 1;
		argc = 0;
	}
	conf_init(&cfg);
	if (conf_load(&cfg, config, config != NULL, err) == -1) {
		conf_free(&cfg);
		return err->exit;
	}
	if ((strcmp(cmd, "queue") == 0 || strcmp(cmd, "list") == 0) &&
	    argc == 0)
		rc = cmd_queue_list(&cfg, json, err);
	else if (strcmp(cmd, "show") == 0 && argc == 1)
		rc = cmd_queue_show(&cfg, argv[0], err);
	else if (strcmp(cmd, "delete") == 0 && argc >= 1)
		rc = cmd_queue_delete(&cfg, argv, argc, err);
	else if (strcmp(cmd, "hold") == 0 && argc >= 1)
		rc = cmd_queue_hold(&cfg, argv, argc, 1, err);
	else if (strcmp(cmd, "release") == 0 && argc >= 1)
		rc = cmd_queue_hold(&cfg, argv, argc, 0, err);
	else if (strcmp(cmd, "config") == 0 && argc == 0)
		rc = cmd_config(&cfg, err);
	else
		rc = mh_err_set(err, EX_USAGE,
		    "%s: wrong arguments (see mailhop --help)", cmd) == -1 ?
		    EX_USAGE : 0;
	conf_free(&cfg);
	return rc;
}

/* mailhop [-C file] [-v] command [args] */
static int
main_mailhop(int argc, char *const argv[], struct mh_err *err)
{
	const char	*config = NULL;
	int		 i = 1, verbose = 0;
	char		*args[3];

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			config = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
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
	if (strcmp(argv[i], "send") == 0 || strcmp(argv[i], "sendmail") == 0) {
		if (config != NULL)
			return mh_err_set(err, EX_USAGE,
			    "send: give -C after \"send\", as sendmail does") ==
			    -1 ? EX_USAGE : 0;
		return main_sendmail(argc - i, argv + i, -1, err);
	}
	if (strcmp(argv[i], "flush") == 0 || strcmp(argv[i], "test") == 0) {
		if (i + 1 < argc && strcmp(argv[i + 1], "-v") == 0)
			verbose = 1;
		else if (i + 1 < argc)
			return mh_err_set(err, EX_USAGE,
			    "%s: unexpected argument \"%s\"", argv[i],
			    argv[i + 1]) == -1 ? EX_USAGE : 0;
		args[0] = argv[i];
		args[1] = NULL;
		return main_helper(config, verbose, args, err);
	}
	return main_subcommand(config, argv[i], argc - i - 1, argv + i + 1,
	    err);
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
