/* SPDX-License-Identifier: MIT */
/* cmd_smtp.c - placeholder; the owner replaces it. */
#include "cmd.h"
int cmd_smtp(const struct invocation *i, const struct config *c, struct mh_err *e) { (void)i; (void)c; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
