/* SPDX-License-Identifier: MIT */
/*
 * rfc5322.h - push parser for a header section: lines in (without their
 * line ending), whole header fields out.  No policy, no I/O, hard caps.
 * Owner: rfc5322.c.  The detailed API is the owner's to shape; message.c is
 * its only user.
 */
#ifndef MH_RFC5322_H
#define MH_RFC5322_H

#include <stddef.h>

#include "buf.h"

enum rfc5322_event {
	RFC5322_ERR = -1,	/* cap exceeded (errno ERANGE) */
	RFC5322_NONE = 0,	/* nothing complete yet */
	RFC5322_FIELD,		/* a whole field (with its folding) is ready */
	RFC5322_END,		/* the header section ended */
};

struct rfc5322 {
	struct buf	 field;		/* the field being collected, CRLF folded */
	size_t		 total;		/* bytes of header section so far */
	size_t		 max;		/* max_header_size */
	int		 state;
};

#endif
