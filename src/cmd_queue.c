/* SPDX-License-Identifier: MIT */
/* cmd_queue.c - placeholder; the owner replaces it. */
#include "cmd.h"
int cmd_queue_list(const struct config *c, int j, struct mh_err *e) { (void)c; (void)j; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
int cmd_queue_show(const struct config *c, const char *id, struct mh_err *e) { (void)c; (void)id; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
int cmd_queue_delete(const struct config *c, char *const ids[], int n, struct mh_err *e) { (void)c; (void)ids; (void)n; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
int cmd_queue_hold(const struct config *c, char *const ids[], int n, int h, struct mh_err *e) { (void)c; (void)ids; (void)n; (void)h; return mh_err_set(e, EX_SOFTWARE, "not yet") ? EX_SOFTWARE : 0; }
