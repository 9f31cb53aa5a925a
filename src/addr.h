/* SPDX-License-Identifier: MIT */
/*
 * addr.h - RFC 5322 address lists and mailbox validation.  Pure: bytes in,
 * addresses or an error out; no I/O, no exit, every buffer capped.  This
 * is the guard that keeps CR/LF and other controls out of the SMTP dialogue
 * (libcurl 7.88 does not check).  Errors are EX_DATAERR.
 *
 * Error messages start with the offending text, quoted by text_quote()
 * (\r, \n, \t, \xNN, \x{NNNN}; cut to TEXT_QUOTE_MAX bytes), then ": reason":
 *	"bob@x\r\nRCPT TO:<evil@y>": control character in address
 * Callers put "recipient " or "sender " in front.
 */
#ifndef MH_ADDR_H
#define MH_ADDR_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define ADDR_MAX		512	/* longest addr-spec accepted, in bytes */
#define ADDR_LOCAL_MAX		64	/* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX		255	/* RFC 5321 4.5.3.1.2 */
#define ADDR_COMMENT_DEPTH	32	/* deeper (((comments))) are refused */

struct addr_list {
	char	**v;		/* addr-specs, "local@domain" or bare "local" */
	size_t	 n;
	size_t	 cap;
	size_t	 max;		/* refuse (EX_DATAERR) beyond this many; 0: none */
	/* private: a hash index of v[] so that 20,000 adds stay linear */
	size_t	*idx;		/* slots hold index + 1; 0 is empty */
	size_t	 idxcap;	/* a power of two, or 0 */
	size_t	 idxn;		/* how many of v[] are indexed */
};

/* A zeroed struct is also a valid empty list without a limit. */
void	addr_list_init(struct addr_list *, size_t max);
/*
 * Check (addr_check) and append a copy unless already present: local parts
 * compare exactly (RFC 5321 2.4: they may be case-sensitive), domains
 * case-insensitively (ASCII).  A duplicate is not an error and does not
 * count against max.  Past max: EX_DATAERR
 * "too many recipients (max_recipients = N)".
 */
int	addr_list_add(struct addr_list *, const char *, struct mh_err *);
/* 1 if an equal address (as addr_list_add compares) is in the list. */
int	addr_list_has(struct addr_list *, const char *);
void	addr_list_free(struct addr_list *);

/*
 * Parse the body of an address header (To, Cc, ...; folding already
 * removed or not: CRLF or LF followed by WSP is folding) and append every
 * addr-spec.  Display names, quoted strings, comments, groups and obsolete
 * routes are understood; an empty group and empty elements ("a,,b") add
 * nothing.  Quoted local parts stay quoted ("john doe"@example.com) unless
 * the quotes protect nothing ("john"@x gives john@x).  Lenient where real
 * mailers are sloppy: ';' outside a group separates like ',', a group
 * missing its final ';' ends with the input, a display name may contain
 * '@' or '.' unquoted.  On error the addresses already appended stay.
 */
int	addr_parse_list(const char *, size_t, struct addr_list *, struct mh_err *);
/*
 * One address as given on the command line or to -f: "a@b", "<a@b>",
 * "Name <a@b>", "a" (bare local name).  "<>" and "" give "" (null sender).
 * Exactly one address, else an error; no folding, and any control byte
 * other than TAB is refused.  *out is allocated (NULL on error).
 */
int	addr_parse_one(const char *, char **out, struct mh_err *);
/*
 * Check one addr-spec: not empty, no control byte, no unquoted space or <>,
 * no other unquoted special, local part 1..64 bytes, domain 1..255 bytes
 * (dot-separated non-empty labels, or a [domain literal]), at most
 * ADDR_MAX in all.  8-bit bytes (UTF-8) are allowed.  A bare local name
 * (no '@') passes.  The null sender "" does not: only addr_parse_one
 * makes it.
 */
int	addr_check(const char *, struct mh_err *);
/*
 * The null sender (RFC 5321 4.5.5) is "" inside mailhop: in envelopes, in
 * struct config (bounce_sender), in relay jobs.  Input that spells it
 * "<>" becomes "" where it is read (addr_parse_one(), conf.c); where people
 * or servers see it, it is spelled ADDR_NULL again (addr_show()).
 */
#define ADDR_NULL	"<>"
/* 1 for the null sender as held inside mailhop: NULL or "". */
int	addr_is_null(const char *);
/* 1 if input spells the null sender: "<>", blanks around it allowed. */
int	addr_null_spelled(const char *);
/* s itself, or "<>" for the null sender: for MAIL FROM, mailq, config. */
const char *addr_show(const char *);
/*
 * "local" -> "local@domain"; an address with '@' is copied unchanged, and
 * so is everything when domain is NULL or "".  Allocated.
 */
char	*addr_qualify(const char *, const char *domain);
/* The domain part (after the last '@' outside quotes), or NULL. */
const char *addr_domain(const char *);
/*
 * SPEC 11: the body of an address header (From, To, Cc, Reply-To, Sender
 * and their Resent- forms; folding allowed) with "@domain" put right after
 * every bare local name, and every other byte as it was: display names,
 * comments, groups, white space.  1 with the new body appended to out; 0
 * when there is nothing to qualify, domain is NULL or "", or the body does
 * not parse as addr_parse_list() would take it (it is then left alone).
 */
int	addr_qualify_header(const char *, size_t, const char *domain,
	    struct buf *out);
/*
 * force_from: the display name of the first mailbox of a From body, into
 * name.  ADDR_NAME_PHRASE: the phrase before '<' as written (folding
 * removed), ready to be written again; ADDR_NAME_COMMENT: the text of the
 * mailbox's first comment, as in cron's "root (Cron Daemon)", quoted-pairs
 * undone (to be encoded as a phrase); ADDR_NAME_NONE: neither.
 */
enum { ADDR_NAME_NONE, ADDR_NAME_PHRASE, ADDR_NAME_COMMENT };
int	addr_header_name(const char *, size_t, struct buf *name);

#endif
