/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer with a hard cap.  Past the cap an append
 * fails with ERANGE instead of growing: this is how every input that is
 * held in memory (header section, envelope, config line) stays bounded.
 */
#ifndef MH_BUF_H
#define MH_BUF_H

#include <stddef.h>

struct buf {
	char	*data;		/* always NUL-terminated when non-NULL */
	size_t	 len;		/* bytes used, excluding the NUL */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* hard cap on len; 0 means no cap */
};

void	buf_init(struct buf *, size_t max);
/* Append; -1 with errno ERANGE if len would pass max. */
int	buf_add(struct buf *, const void *, size_t);
int	buf_addc(struct buf *, int);
int	buf_adds(struct buf *, const char *);
int	buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_reset(struct buf *);
/* Drop the first n bytes. */
void	buf_consume(struct buf *, size_t);
void	buf_free(struct buf *);

#endif
