/* SPDX-License-Identifier: MIT */
/*
 * xmem.h - allocation that cannot fail.  On out-of-memory the process prints
 * one line and exits EX_TEMPFAIL: safe, because nothing becomes visible in
 * the spool before fsio's rename, so the caller simply resends.
 */
#ifndef MH_XMEM_H
#define MH_XMEM_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Overwrite then free: for passwords and tokens. NULL is a no-op. */
void	 xfree_secret(char *);

#endif
