/* SPDX-License-Identifier: MIT */
/*
 * mime.h - a streaming MIME walker that keeps every line of a message
 * within RFC 5322's 998 octets without changing what a recipient decodes
 * (SPEC §11).  Lines go in, possibly in pieces; bytes come out through a
 * callback.  It holds one part's header section (capped), the first bytes
 * of a line that may be a boundary, and a fixed stack of boundaries: never
 * a body, so memory does not grow with the message.  No I/O, no exit.
 *
 * What it does to each region of the message:
 *	leaf, no CTE / 7bit / 8bit / binary: passed through; a line over
 *		998 octets makes the leaf need quoted-printable (below)
 *	leaf, base64: lines over 76 characters cut at 76
 *	leaf, quoted-printable: lines over 998 get soft line breaks
 *	preamble, epilogue, other encodings, anything not understood:
 *		lines over 998 broken with CRLF SP (what was done before)
 *	header fields (every part's): lines over 998 folded at white space;
 *		-1 (EX_DATAERR) when there is none to fold at
 *
 * Quoted-printable needs the part's header changed before its body is
 * known, so it takes two passes.  The first (message.c, while queueing)
 * gets the top-level header through mime_top_field()/mime_top_end() and
 * the body through mime_line(); afterwards mime_need_recode() says whether
 * a leaf needs re-encoding.  Only then, the second pass reads the queued
 * file back (opts.whole: header section included) and writes a new one;
 * its opts.ahead callback looks ahead in the file to tell, at the end of
 * a leaf's header, whether that leaf has a long line.  The re-encoded
 * leaf gets "Content-Transfer-Encoding: quoted-printable" in place of its
 * old one, and the message "MIME-Version: 1.0" when it had none.
 */
#ifndef MH_MIME_H
#define MH_MIME_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "rfc5322.h"

#define MIME_LINE_MAX		998	/* RFC 5322 2.1.1, without the CRLF */
#define MIME_ENC_LINE		76	/* RFC 2045 6.7 (5), 6.8 */
#define MIME_DEPTH_MAX		32	/* deeper multiparts are not looked into */
#define MIME_BOUNDARY_MAX	200	/* RFC 2046 says 70; some send more */
/* The most of a line held back to see whether it is a boundary. */
#define MIME_HOLD_MAX		(2 + MIME_BOUNDARY_MAX + 2 + 64)

struct mime;

struct mime_opts {
	/* Where the output goes; -1 stops the walk with err set. */
	int		(*emit)(void *, const char *, size_t, struct mh_err *);
	/*
	 * Second pass only (NULL in the first): the header of a leaf that
	 * may need re-encoding just ended.  Return 1 if the leaf's body, from
	 * the next byte of input on, has a line over MIME_LINE_MAX before a
	 * boundary of any level (mime_boundary_level) or the end; 0 if not;
	 * -1 on error.  carry: bytes of the current, unfinished line already
	 * handed over (0 at a line start).
	 */
	int		(*ahead)(void *, const struct mime *, size_t carry,
			    struct mh_err *);
	void		*arg;
	size_t		 header_max;	/* cap on one part's header (0: none) */
	int		 whole;		/* input starts with the top-level header */
};

/* Private to mime.c, here so that callers can embed a struct mime. */
struct mime_level {
	char		 boundary[MIME_BOUNDARY_MAX + 1];
	size_t		 len;
	int		 digest;	/* multipart/digest: parts default to message */
};

struct mime {
	struct mime_opts opts;
	struct mime_level stack[MIME_DEPTH_MAX];	/* open multiparts */
	int		 depth;
	int		 region;	/* private: MR_* */
	int		 body;		/* private: MB_*, how body lines go out */
	int		 top;		/* the header being read is the message's */
	int		 in_digest;	/* the entity's parent is a digest */
	/* the entity whose header is being read */
	struct rfc5322	 hdr;		/* parts' and embedded messages' headers */
	struct buf	 hdrout;	/* their fields, emitted at the header end */
	char		 type[128];	/* Content-Type "type/subtype", lower case */
	char		 boundary[MIME_BOUNDARY_MAX + 1];
	int		 cte;		/* private: CTE_* */
	int		 has_version;	/* MIME-Version seen (top level) */
	/* the current line */
	char		 held[MIME_HOLD_MAX + 1];	/* may be a boundary */
	size_t		 nheld;
	int		 holding;
	size_t		 col;		/* input bytes of the line so far */
	size_t		 ocol;		/* output bytes of the line so far */
	int		 qp_pend;	/* quoted-printable: a held WSP byte */
	int		 qp_esc;	/* quoted-printable: hex digits to come */
	int		 dot;		/* a "." waits to start a wrapped line */
	int		 need_recode;	/* a leaf has a line over 998 */
	int		 nrecoded;	/* leaves re-encoded (second pass) */
};

void	mime_init(struct mime *, const struct mime_opts *);
void	mime_free(struct mime *);
/*
 * First pass: one field of the top-level header section (folded, with
 * its CRLF, as rfc5322.c hands it out), then the end of the section.
 */
void	mime_top_field(struct mime *, const char *, size_t);
int	mime_top_end(struct mime *, struct mh_err *);
/* One piece of a line without its CRLF; eol = 1 for the last piece. */
int	mime_line(struct mime *, const char *, size_t, int eol,
	    struct mh_err *);
/* The input ended (after the last line's eol). */
int	mime_finish(struct mime *, struct mh_err *);
/* After the first pass: 1 if a second one is needed. */
int	mime_need_recode(const struct mime *);

/*
 * For opts.ahead: the level (0 = outermost) whose delimiter or close
 * delimiter s[0..n) is, or -1.  s is a whole line without its CRLF, or
 * at least its first MIME_HOLD_MAX bytes.
 */
int	mime_boundary_level(const struct mime *, const char *, size_t);

/*
 * Append field f (len bytes: one or more lines, each ending in CRLF) to
 * out with every line over MIME_LINE_MAX folded before white space.  -1
 * with EX_DATAERR naming the field when a line has no white space to
 * fold at within MIME_LINE_MAX octets.
 */
int	mime_fold_field(struct buf *out, const char *f, size_t len,
	    struct mh_err *);

#endif
