/* SPDX-License-Identifier: MIT */
/*
 * cmd_admin.c - the small commands: newaliases and `mailhop config`.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "err.h"
#include "log.h"
#include "spool.h"

int
cmd_newaliases(const struct config *cfg, struct mh_err *err)
{
	(void)err;
	/* Nothing to rebuild: aliases are read from the config each time. */
	printf("mailhop: aliases live in the [aliases] section of %s; "
	    "nothing to rebuild\n",
	    cfg->nfiles > 0 ? cfg->files[cfg->nfiles - 1] :
	    "the configuration file");
	return 0;
}

int
cmd_config(const struct config *cfg, struct mh_err *err)
{
	struct conf_resolved	 res;
	struct buf		 b;
	char			 log[PATH_MAX + 256], *spool;
	int			 rc;

	/* SPEC 7: a delivery-only mistake is reported here (78). */
	if (conf_delivery_error(cfg) != NULL) {
		*err = *conf_delivery_error(cfg);
		return err->exit;
	}
	buf_init(&b, 0);
	spool = spool_describe(cfg, &res.spool_why);
	res.spool = spool;
	log_describe(cfg, log, sizeof(log));
	res.log = log;
	rc = conf_print_resolved(cfg, &res, &b);
	free(spool);
	if (rc == -1) {
		buf_free(&b);
		mh_err_set(err, EX_SOFTWARE, "cannot format the configuration");
		return err->exit;
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	return 0;
}
