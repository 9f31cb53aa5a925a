/* SPDX-License-Identifier: MIT */
/*
 * cmd.h - the front end's commands, each called by main.c with the parsed
 * invocation and the loaded configuration.  Each returns a sysexits code
 * (0 on success) and fills err on failure; main.c prints it.
 */
#ifndef MH_CMD_H
#define MH_CMD_H

#include "cli.h"
#include "conf.h"
#include "err.h"

/* sendmail -bm: read, queue, then -odb/-odi/-odq. (cmd_send.c) */
int	cmd_send(const struct invocation *, const struct config *, struct mh_err *);
/* After queueing: one line on a terminal when no upstream has a host. (cmd_send.c) */
void	cmd_warn_no_upstream(const struct config *);
/* sendmail -bv (cmd_send.c) */
int	cmd_verify(const struct invocation *, const struct config *, struct mh_err *);
/* sendmail -bs (cmd_smtp.c) */
int	cmd_smtp(const struct invocation *, const struct config *, struct mh_err *);
/* mailq / -bp / mailhop queue [--json] (cmd_queue.c) */
int	cmd_queue_list(const struct config *, int json, struct mh_err *);
/* mailhop show ID (cmd_queue.c) */
int	cmd_queue_show(const struct config *, const char *id, struct mh_err *);
/* mailhop delete|hold|release ID... (cmd_queue.c) */
int	cmd_queue_delete(const struct config *, char *const ids[], int n, struct mh_err *);
int	cmd_queue_hold(const struct config *, char *const ids[], int n, int hold,
	    struct mh_err *);
/* newaliases / -bi (cmd_admin.c) */
int	cmd_newaliases(const struct config *, struct mh_err *);
/* mailhop config (cmd_admin.c) */
int	cmd_config(const struct config *, struct mh_err *);

#endif
