/* SPDX-License-Identifier: MIT */
/*
 * message.h - turns the bytes a caller hands us into the message we queue:
 * line endings made CRLF, header section parsed (rfc5322.c), recipients
 * collected for -t, Bcc/Resent-Bcc removed, From/Date/Message-ID added when
 * missing, max_size enforced, lines over 998 octets made legal without
 * changing what is decoded (mime.h).  Streams: memory is bounded by the
 * header section cap, never by the body.  Used by sendmail mode (message_read_fd)
 * and by -bs (message_line per DATA line, already dot-unstuffed).
 */
#ifndef MH_MESSAGE_H
#define MH_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "mime.h"
#include "rfc5322.h"

struct message_opts {
	const struct config *cfg;
	int		 extract;	/* -t: collect To/Cc/Bcc or Resent-* */
	const char	*sender;	/* envelope sender ("" = null) for From: */
	const char	*fullname;	/* -F, or NULL for the account's GECOS */
};

struct message {
	const struct message_opts *opts;
	int		 outfd;		/* the spool's ID.m */
	struct rfc5322	 hdr;
	struct buf	 out;		/* write buffer towards outfd */
	uint64_t	 size;		/* bytes written so far (CRLF form) */
	uint64_t	 written;	/* of them, handed to write(2) */
	uint64_t	 wb_from;	/* write-back started up to here */
	int		 in_body;
	int		 has_from, has_date, has_msgid, has_resent;
	struct addr_list rcpts;		/* from headers when extract */
	struct addr_list resent_rcpts;
	/* line splitting state (message.c) */
	int		 dot_ends;	/* a lone "." line ends the input */
	int		 dot_held;	/* a "." starts the line: wait and see */
	int		 cr_pending;	/* the last piece ended in CR: CRLF or bare? */
	int		 done;		/* the lone dot was seen: ignore the rest */
	size_t		 linelen;	/* bytes of the current line so far */
	struct mime	 mime;		/* the body's walker (lines over 998) */
	int		 recode;	/* message_end: run message_recode() */
};

int	message_begin(struct message *, const struct message_opts *, int outfd,
	    struct mh_err *);
/*
 * One line without its line ending.  A long line may come in pieces: eol = 0
 * for a piece the next call continues, 1 for the last piece.  A NUL byte is
 * EX_DATAERR.  An LF or CRLF inside the bytes is a line ending too, and so
 * is a bare CR in the body; in the header section a bare CR is a space
 * (SPEC 4: "Subject: x<CR>Bcc: y" adds no header).  Raw input can be
 * passed in chunks with eol = 0, as message_read_fd does; a CR ending one
 * call and an LF starting the next are one line ending.
 */
int	message_line(struct message *, const char *, size_t, int eol,
	    struct mh_err *);
/*
 * Finish: header section completed if the input ended inside it, headers
 * added, buffer flushed.  After it, rcpts holds the -t recipients (raw,
 * before alias expansion) and size the final byte count.
 */
int	message_end(struct message *, struct mh_err *);
void	message_free(struct message *);

/*
 * The second pass (mime.h): when message_end() set m->recode, the message
 * written to infd is read back from its start and written to outfd with
 * each leaf that has a line over 998 octets re-encoded quoted-printable.
 * For spool_rewrite().  EX_TEMPFAIL on an I/O error.
 */
int	message_recode(int infd, int outfd, struct mh_err *);

/*
 * Read fd to EOF, or to a lone "." line when dot_ends (sendmail without -i);
 * LF, CRLF and bare CR all end a line.  EX_IOERR on a read error.
 */
int	message_read_fd(struct message *, int fd, int dot_ends, struct mh_err *);

/* Helpers shared with cmd_send.c and the tests. */
/* "64M", "1G", "512K" or bytes: how limits are named in messages. */
void	message_fmt_size(unsigned long long, char *, size_t);
/*
 * A display name as atoms, a quoted-string or RFC 2047 encoded-words,
 * starting at column col, folded to keep lines within 78 octets (76 with
 * encoded-words); returns the column after it.
 */
size_t	message_phrase(struct buf *, const char *name, size_t col);

#endif
