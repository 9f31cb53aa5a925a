/* SPDX-License-Identifier: MIT */
/*
 * json.h - just enough JSON output for `mailhop queue --json`: strings are
 * escaped per RFC 8259, C1 and bidi controls are \u escapes, and bytes that
 * are not valid UTF-8 become U+FFFD, so a hostile address or server reply
 * can never break a line of output or a terminal that shows it.
 */
#ifndef MH_JSON_H
#define MH_JSON_H

#include "buf.h"

/* Append s as a quoted JSON string. */
int	json_add_string(struct buf *, const char *);

#endif
