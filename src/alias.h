/* SPDX-License-Identifier: MIT */
/*
 * alias.h - [aliases] expansion: bare local names are looked up
 * (recursively, loops reported by name), `default` catches the rest, and
 * every result is qualified with the configured domain.  The exact rules
 * (self-aliases, `default`) are spelled out at the top of alias.c.
 */
#ifndef MH_ALIAS_H
#define MH_ALIAS_H

#include "addr.h"
#include "conf.h"
#include "err.h"

#define ALIAS_DEPTH_MAX	16	/* aliases of aliases, nested */
#define ALIAS_WORK_MAX	1000	/* lookups while expanding one address */

/*
 * Expand every address of in and append the final addresses to out
 * (duplicates dropped and out->max enforced by addr_list_add).  An alias
 * loop is EX_DATAERR and names the aliases: alias loop: "a" -> "b" -> "a".
 * A bad alias value is EX_DATAERR naming the alias, file and line.  "root =
 * root" (a name in its own value) qualifies the name instead of looping.
 */
int	alias_expand(const struct config *, const struct addr_list *in,
	    struct addr_list *out, struct mh_err *err);

#endif
