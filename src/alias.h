/* SPDX-License-Identifier: MIT */
/*
 * alias.h - [aliases] expansion: bare local names are looked up
 * (recursively, loops reported by name), `default` catches the rest, and
 * every result is qualified with the configured domain.
 */
#ifndef MH_ALIAS_H
#define MH_ALIAS_H

#include "addr.h"
#include "conf.h"
#include "err.h"

/*
 * Expand every address of in and append the final addresses to out
 * (duplicates dropped by addr_list_add).  An alias loop is EX_DATAERR and
 * names the alias.
 */
int	alias_expand(const struct config *, const struct addr_list *in,
	    struct addr_list *out, struct mh_err *);

#endif
