/* SPDX-License-Identifier: MIT */
/*
 * cmd_admin.c - the small commands: newaliases and `mailhop config`.
 */
#include <stdio.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "err.h"

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
	struct buf	 b;

	/* SPEC 7: a delivery-only mistake is reported here (78). */
	if (conf_delivery_error(cfg) != NULL) {
		*err = *conf_delivery_error(cfg);
		return err->exit;
	}
	buf_init(&b, 0);
	if (conf_print(cfg, &b) == -1) {
		buf_free(&b);
		mh_err_set(err, EX_SOFTWARE, "cannot format the configuration");
		return err->exit;
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	return 0;
}
