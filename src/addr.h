/* SPDX-License-Identifier: MIT */
/*
 * addr.h - RFC 5322 address lists and mailbox validation.  Pure: bytes in,
 * addresses or an error out; no I/O, no exit, every buffer capped.  This
 * is the guard that keeps CR/LF and other controls out of the SMTP dialogue
 * (libcurl 7.88 does not check).  Errors are EX_DATAERR.
 */
#ifndef MH_ADDR_H
#define MH_ADDR_H

#include <stddef.h>

#include "err.h"

#define ADDR_MAX	512	/* longest addr-spec accepted, in bytes */

struct addr_list {
	char	**v;		/* addr-specs, "local@domain" or bare "local" */
	size_t	 n;
	size_t	 cap;
	size_t	 max;		/* refuse (EX_DATAERR) beyond this many; 0: none */
};

void	addr_list_init(struct addr_list *, size_t max);
/* Append a copy unless already present (domain compared case-insensitively). */
int	addr_list_add(struct addr_list *, const char *, struct mh_err *);
void	addr_list_free(struct addr_list *);

/*
 * Parse the body of an address header (To, Cc, ...; folding already
 * removed or not: CRLF followed by WSP is folding) and append every
 * addr-spec.  Display names, quoted strings, comments, groups and obsolete
 * routes are understood; an empty group adds nothing.
 */
int	addr_parse_list(const char *, size_t, struct addr_list *, struct mh_err *);
/*
 * One address as given on the command line or to -f: "a@b", "<a@b>",
 * "Name <a@b>", "a" (bare local name).  "<>" and "" give "" (null sender).
 * *out is allocated.
 */
int	addr_parse_one(const char *, char **out, struct mh_err *);
/* Check one addr-spec: no control byte, no unquoted space or <>, sizes. */
int	addr_check(const char *, struct mh_err *);
/* "local" -> "local@domain"; an address with '@' is copied unchanged. */
char	*addr_qualify(const char *, const char *domain);
/* The domain part (after the last '@' outside quotes), or NULL. */
const char *addr_domain(const char *);

#endif
