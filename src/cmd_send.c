/* SPDX-License-Identifier: MIT */
/* cmd_send.c - placeholder; the owner replaces it. */
#include "cmd.h"
int cmd_send(const struct invocation *i, const struct config *c, struct mh_err *e) { (void)i; (void)c; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
int cmd_verify(const struct invocation *i, const struct config *c, struct mh_err *e) { (void)i; (void)c; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
