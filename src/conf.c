/* SPDX-License-Identifier: MIT */
/* conf.c - placeholder; the owner replaces it. */
#include "conf.h"
void conf_init(struct config *c) { (void)c; }
int conf_load(struct config *c, const char *p, int f, struct mh_err *e) { (void)c; (void)p; (void)f; (void)e; return 0; }
void conf_free(struct config *c) { (void)c; }
int conf_print(const struct config *c, struct buf *b) { (void)c; (void)b; return 0; }
