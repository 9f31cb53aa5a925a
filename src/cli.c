/* SPDX-License-Identifier: MIT */
/* cli.c - placeholder; the owner replaces it. */
#include "cli.h"
int cli_parse(int argc, char *const argv[], struct invocation *inv, struct mh_err *e) { (void)argc; (void)argv; (void)inv; return mh_err_set(e, EX_SOFTWARE, "not yet"); }
